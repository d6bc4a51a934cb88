//! `SEV_BENCH_PG=postgres://root@127.0.0.1/postgres cargo bench --bench pg`:
//! the in-process side of README's "On PostgreSQL" table at 100k incidents
//! (~1M events): the TUI's first frame, a keystroke in the list, the first
//! page of `sev list`, one `sev new` commit, one note, the search corpus
//! load. The whole-process rows of that table are measured with hyperfine
//! and `benches/pg_writers.py`.
//!
//! The role in SEV_BENCH_PG must be able to create databases. The 100k
//! database (`sev_bench_100k`) is generated once and kept, as the SQLite
//! benches keep theirs under target/; `DROP DATABASE sev_bench_100k`
//! makes the next run generate it again. Without SEV_BENCH_PG this bench
//! says so and measures nothing.

use criterion::{Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use sev::app::App;
use sev::clock::SystemClock;
use sev::config::Config;
use sev::keymap::Keymap;
use sev::store::{ListQuery, Scope, Store};
use std::hint::black_box;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

const N: usize = 100_000;
const NAME: &str = "sev_bench_100k";

/// The bench database's URL, generated on first use.
fn database(admin: &str) -> PathBuf {
    let base = admin.rsplit_once('/').map_or(admin, |(b, _)| b);
    let url = PathBuf::from(format!("{base}/{NAME}"));
    let mut c = postgres::Client::connect(admin, postgres::NoTls)
        .unwrap_or_else(|e| panic!("SEV_BENCH_PG={admin}: {e}"));
    let exists = c
        .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&NAME])
        .unwrap()
        .is_some();
    if exists {
        // Complete only if the generation finished (the count is its last
        // step's result): otherwise start again.
        let done = Store::open(&url)
            .ok()
            .and_then(|s| s.count(&all()).ok())
            .is_some_and(|n| n >= N);
        if done {
            return url;
        }
        c.batch_execute(&format!("DROP DATABASE {NAME} WITH (FORCE)"))
            .unwrap();
    }
    c.batch_execute(&format!("CREATE DATABASE {NAME}")).unwrap();
    eprintln!("generating {N} incidents in {NAME} (once)…");
    let store = Store::open(&url).unwrap();
    let items: Vec<_> = sev::demo::Generator::new(N, 42, chrono::Utc::now()).collect();
    for chunk in items.chunks(10_000) {
        store.insert_batch(chunk).unwrap();
    }
    url
}

fn all() -> ListQuery {
    ListQuery {
        scope: Scope::All,
        ..Default::default()
    }
}

fn app(url: &std::path::Path) -> App {
    let mut app = App::new(
        Store::open(url).unwrap(),
        Config::builtin(),
        Keymap::defaults(),
        Arc::new(SystemClock),
        "bench".into(),
    )
    .unwrap();
    app.resize(80, 24);
    app
}

fn frame(t: &mut Terminal<TestBackend>, app: &App) {
    t.draw(|f| sev::ui::render(app, f)).unwrap();
}

fn benches(c: &mut Criterion) {
    let Ok(admin) = std::env::var("SEV_BENCH_PG") else {
        eprintln!(
            "benches/pg: skipped — set SEV_BENCH_PG=postgres://USER@HOST/DB (a role that may create databases)"
        );
        return;
    };
    let url = database(&admin);
    let mut g = c.benchmark_group("postgres_100k");

    g.bench_function("open_to_first_frame", |b| {
        b.iter(|| {
            let app = app(&url);
            let mut t = Terminal::new(TestBackend::new(80, 24)).unwrap();
            frame(&mut t, &app);
            black_box(app.list.ids.len())
        })
    });

    let mut a = app(&url);
    a.list.facets.scope = Scope::All;
    a.reload().unwrap();
    let mut t = Terminal::new(TestBackend::new(80, 24)).unwrap();
    g.bench_function("list_keystroke_to_frame_j", |b| {
        b.iter(|| {
            for k in sev::keymap::parse_chord("j").unwrap() {
                a.on_key(k.to_event());
            }
            frame(&mut t, &a);
            if a.list.selected > N / 2 + 1000 || a.list.selected < 100 {
                a.list.select_index(N / 2);
            }
        })
    });

    // The metrics view: R to its figures on screen, 30 and 365 days.
    let mut m = app(&url);
    for (label, period) in [("30d", 1), ("365d", 3)] {
        g.bench_function(format!("metrics_open_to_figures_{label}"), |b| {
            b.iter(|| {
                m.metrics_prefs = Some(sev::app::metrics::MetricsPrefs {
                    period,
                    ..Default::default()
                });
                for k in sev::keymap::parse_chord("R").unwrap() {
                    m.on_key(k.to_event());
                }
                m.wait_for_metrics();
                frame(&mut t, &m);
                for k in sev::keymap::parse_chord("esc").unwrap() {
                    m.on_key(k.to_event());
                }
            })
        });
    }

    let store = Store::open(&url).unwrap();
    g.bench_function("list_first_page", |b| {
        b.iter(|| {
            let q = ListQuery {
                limit: Some(20),
                ..Default::default()
            };
            black_box(store.list(&q).unwrap().rows.len())
        })
    });

    g.bench_function("search_corpus_load", |b| {
        b.iter(|| black_box(store.search_rows(&all()).unwrap().rows.len()))
    });

    let config = Config::builtin();
    let clock = SystemClock;
    let cx = sev::ops::Ctx {
        store: &store,
        config: &config,
        actor: "bench".into(),
        clock: &clock,
    };
    let first = cx
        .create(&sev::domain::NewIncident {
            title: "bench incident for notes".into(),
            ..Default::default()
        })
        .unwrap();
    g.bench_function("sev_new_commit", |b| {
        b.iter(|| {
            cx.create(&sev::domain::NewIncident {
                title: "bench incident".into(),
                ..Default::default()
            })
            .unwrap()
        })
    });
    g.bench_function("note_commit", |b| {
        b.iter(|| cx.note(first.id, "checked the dashboards").unwrap())
    });
    g.finish();
}

criterion_group! {
    name = pg;
    config = Criterion::default().sample_size(20).warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(3));
    targets = benches
}
criterion_main!(pg);
