//! `cargo bench`: the speed targets of README's Performance table, at 10k
//! and 100k incidents (≈100k and ≈1M timeline events).

mod common;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use sev::app::App;
use sev::keymap::Key;
use sev::store::Scope;
use std::hint::black_box;
use std::time::{Duration, Instant};

const SIZES: &[usize] = &[10_000, 100_000];

fn frame(t: &mut Terminal<TestBackend>, app: &App) {
    t.draw(|f| sev::ui::render(app, f)).unwrap();
}

fn press(app: &mut App, s: &str) {
    for k in sev::keymap::parse_chord(s).unwrap() {
        app.on_key(k.to_event());
    }
}

/// Open search afresh and type `head`, waiting for its answer (untimed).
fn type_query(app: &mut App, head: &str) {
    press(app, "esc");
    press(app, "/");
    for ch in head.chars() {
        app.on_key(Key::char(ch).to_event());
    }
    app.wait_for_search();
}

fn first_frame(c: &mut Criterion) {
    let mut g = c.benchmark_group("open_to_first_frame");
    for &n in SIZES {
        let db = common::db(n);
        g.bench_with_input(BenchmarkId::from_parameter(n), &db, |b, db| {
            b.iter(|| {
                let app = common::app(db);
                let mut t = Terminal::new(TestBackend::new(80, 24)).unwrap();
                frame(&mut t, &app);
                black_box(app.list.ids.len())
            })
        });
    }
}

fn list_keys(c: &mut Criterion) {
    let mut g = c.benchmark_group("list_keystroke_to_frame");
    for &n in SIZES {
        let db = common::db(n);
        let mut app = common::app(&db);
        // The "all" facet: the whole history in the list.
        app.list.facets.scope = Scope::All;
        app.reload().unwrap();
        let mut t = Terminal::new(TestBackend::new(80, 24)).unwrap();
        for (name, keys) in [
            ("j", "j"),
            ("k", "k"),
            ("pagedown", "pagedown"),
            ("pageup", "pageup"),
        ] {
            g.bench_function(BenchmarkId::new(name, n), |b| {
                b.iter(|| {
                    press(&mut app, keys);
                    frame(&mut t, &app);
                    // Stay in the middle of the list.
                    if app.list.selected > n / 2 + 1000 || app.list.selected < 100 {
                        app.list.select_index(n / 2);
                    }
                })
            });
        }
    }
}

fn search(c: &mut Criterion) {
    let mut g = c.benchmark_group("search");
    g.measurement_time(Duration::from_secs(4));
    for &n in SIZES {
        let db = common::db(n);
        let mut app = common::app(&db);
        app.list.facets.scope = Scope::All;
        app.reload().unwrap();
        let mut t = Terminal::new(TestBackend::new(80, 24)).unwrap();
        for q in ["d", "dns", "dns fail"] {
            let label = format!("{}ch", q.chars().count());
            let (head, last) = (&q[..q.len() - 1], q.chars().last().unwrap());
            // Keystroke → frame: the frame is drawn without waiting for the
            // matcher (it answers on its own thread). Keystroke → complete
            // results: the same, but until the whole ranking is on screen.
            for (name, complete) in [("keystroke_to_frame", false), ("complete_results", true)] {
                g.bench_function(BenchmarkId::new(format!("{name}/{label}"), n), |b| {
                    b.iter_custom(|iters| {
                        let mut total = Duration::ZERO;
                        for _ in 0..iters {
                            type_query(&mut app, head);
                            let t0 = Instant::now();
                            app.on_key(Key::char(last).to_event());
                            if complete {
                                app.wait_for_search();
                            }
                            frame(&mut t, &app);
                            total += t0.elapsed();
                            black_box(app.list.ids.len());
                        }
                        total
                    })
                });
            }
        }
        // After a commit elsewhere (another connection retitles an
        // incident) the worker reads only what changed since the newest
        // event it saw, then ranks.
        let other = sev::store::Store::open(&db).unwrap();
        let config = sev::config::Config::builtin();
        let clock = sev::clock::SystemClock;
        let cx = sev::ops::Ctx {
            store: &other,
            config: &config,
            actor: "elsewhere".into(),
            clock: &clock,
        };
        let open = other.list_ids(&Default::default()).unwrap();
        let mut round = 0usize;
        g.bench_function(
            BenchmarkId::new("after_data_change/complete_results/3ch", n),
            |b| {
                b.iter_custom(|iters| {
                    let mut total = Duration::ZERO;
                    for _ in 0..iters {
                        type_query(&mut app, "dn");
                        round += 1;
                        let title = format!("DNS timeouts, round {round}");
                        cx.set(
                            open[round % open.len().min(50)],
                            &[sev::ops::Edit::new(sev::domain::Field::Title, &title)],
                            None,
                        )
                        .unwrap();
                        let t0 = Instant::now();
                        app.on_key(Key::char('s').to_event());
                        app.wait_for_search();
                        frame(&mut t, &app);
                        total += t0.elapsed();
                    }
                    total
                })
            },
        );
        press(&mut app, "esc");
    }
}

/// The search corpus after one commit elsewhere: read what changed since
/// the last seen event and apply it, against re-reading every row.
fn search_refresh(c: &mut Criterion) {
    let mut g = c.benchmark_group("search_refresh");
    let n = 100_000;
    let (_dir, db) = common::db_copy(n);
    let reader = sev::store::Store::open(&db).unwrap();
    let writer = sev::store::Store::open(&db).unwrap();
    let config = sev::config::Config::builtin();
    let clock = sev::clock::SystemClock;
    let cx = sev::ops::Ctx {
        store: &writer,
        config: &config,
        actor: "elsewhere".into(),
        clock: &clock,
    };
    let q = sev::store::ListQuery {
        scope: Scope::All,
        ..Default::default()
    };
    let mut corpus = sev::search::Corpus::new(reader.search_rows(&q).unwrap().rows);
    let mut seen = reader.last_event_id().unwrap();
    let open = reader.list_ids(&Default::default()).unwrap();
    let mut round = 0usize;
    g.bench_function(BenchmarkId::new("one_commit_incremental", n), |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                round += 1;
                let title = format!("Resolver timeouts, round {round}");
                cx.set(
                    open[round % open.len().min(1000)],
                    &[sev::ops::Edit::new(sev::domain::Field::Title, &title)],
                    None,
                )
                .unwrap();
                let t0 = Instant::now();
                let d = reader.search_changes(&q, seen).unwrap();
                corpus.apply(d.rows, &d.gone);
                seen = d.upto;
                total += t0.elapsed();
            }
            total
        })
    });
    g.bench_function(BenchmarkId::new("full_reread", n), |b| {
        b.iter(|| sev::search::Corpus::new(reader.search_rows(&q).unwrap().rows).len())
    });
    // The worst case for interning: every title distinct.
    let distinct = sev::search::Corpus::new(
        reader
            .search_rows(&q)
            .unwrap()
            .rows
            .into_iter()
            .map(|mut r| {
                r.title = format!("{} #{}", r.title, r.id.0);
                r
            })
            .collect(),
    );
    g.bench_function(
        BenchmarkId::new("rank_indexed_distinct_titles/dns", n),
        |b| b.iter(|| sev::search::rank(&distinct, "dns", None).len()),
    );
    // The ranking itself, cut by the index, against scoring every row.
    for query in ["dns", "dns fail"] {
        g.bench_function(BenchmarkId::new(format!("rank_indexed/{query}"), n), |b| {
            b.iter(|| sev::search::rank(&corpus, query, None).len())
        });
        g.bench_function(
            BenchmarkId::new(format!("rank_unindexed/{query}"), n),
            |b| b.iter(|| sev::search::rank_unindexed(&corpus, query).len()),
        );
    }
}

fn detail(c: &mut Criterion) {
    let (_dir, db) = common::db_copy(10_000);
    let mut app = common::app(&db);
    // One incident with a 200-event timeline.
    let id = app.list.selected_id().unwrap();
    let count = app.store.events(id).unwrap().len();
    for i in count..200 {
        app.run(&sev::app::run::Op::Note {
            id,
            text: format!("timeline entry {i}: checked dashboards, nothing new"),
        })
        .unwrap();
    }
    let mut t = Terminal::new(TestBackend::new(120, 40)).unwrap();
    app.resize(120, 40);
    c.bench_function("open_detail_200_events", |b| {
        b.iter(|| {
            app.detail = Default::default();
            press(&mut app, "enter");
            app.run_command(&id.to_string());
            frame(&mut t, &app);
            black_box(app.detail.events.len())
        })
    });
}

fn writes(c: &mut Criterion) {
    let mut g = c.benchmark_group("write");
    let (_dir, db) = common::db_copy(100_000);
    let store = sev::store::Store::open(&db).unwrap();
    let config = sev::config::Config::builtin();
    let clock = sev::clock::SystemClock;
    let cx = sev::ops::Ctx {
        store: &store,
        config: &config,
        actor: "bench".into(),
        clock: &clock,
    };
    g.bench_function("sev_new_commit_100k", |b| {
        b.iter(|| {
            cx.create(&sev::domain::NewIncident {
                title: "bench incident".into(),
                ..Default::default()
            })
            .unwrap()
        })
    });
    let batch: Vec<_> = sev::demo::Generator::new(1000, 1, chrono::Utc::now()).collect();
    let dir = tempfile::tempdir().unwrap();
    let fresh = sev::store::Store::open(&dir.path().join("batch.db")).unwrap();
    g.throughput(criterion::Throughput::Elements(1000));
    g.bench_function("batch_insert_1000", |b| {
        b.iter(|| fresh.insert_batch(&batch).unwrap())
    });
}

/// The metrics view: `R` to its figures on screen (computed on the view's
/// own thread and connection), per period; and a key while they compute.
fn metrics(c: &mut Criterion) {
    let mut g = c.benchmark_group("metrics_view");
    for &n in SIZES {
        let db = common::db(n);
        let mut app = common::app(&db);
        let mut t = Terminal::new(TestBackend::new(80, 24)).unwrap();
        // Opened on each period (the view opens on the one last used).
        for (label, period) in [("30d", 1), ("365d", 3)] {
            g.bench_function(
                BenchmarkId::new(format!("open_to_figures/{label}"), n),
                |b| {
                    b.iter(|| {
                        app.metrics_prefs = Some(sev::app::metrics::MetricsPrefs {
                            period,
                            ..Default::default()
                        });
                        press(&mut app, "R");
                        app.wait_for_metrics();
                        frame(&mut t, &app);
                        press(&mut app, "esc");
                    })
                },
            );
        }
        // A key pressed while the figures are being computed: it is
        // answered and drawn without waiting for them.
        app.metrics_prefs = None;
        press(&mut app, "R p p");
        app.wait_for_metrics();
        g.bench_function(BenchmarkId::new("key_while_computing", n), |b| {
            b.iter(|| {
                press(&mut app, "ctrl-l");
                press(&mut app, "h");
                frame(&mut t, &app);
            })
        });
        app.wait_for_metrics();
        press(&mut app, "esc");
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(3));
    targets = first_frame, list_keys, search, search_refresh, detail, writes, metrics
}
criterion_main!(benches);
