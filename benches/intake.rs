//! An alert storm against the real `sev serve` over loopback HTTP:
//!
//! 1. Alertmanager: 180-alert group snapshots at 10 requests/s for 60 s
//!    (20 groups in turn; every 10th snapshot of a group resolves 10
//!    alerts and adds 10 new ones, as a rolling crash loop does);
//! 2. the same snapshots back to back from 4 senders for `BURST_SECS`
//!    (default 20): how many alerts a second the server applies when
//!    nothing paces it;
//! 3. PagerDuty: 10,000 distinct triggers from 8 clients at once, as fast
//!    as the server answers.
//!
//! The database starts with 10,000 incidents of history (`sev demo`).
//!
//! Prints per phase: requests, errors, p50/p99/max latency (client side,
//! request sent → answer read), and alerts applied per second (wall clock,
//! and per second of server time: the capacity the paced phase leaves
//! unused). Then checks that every alert is in the database.
//!
//!   cargo bench --bench intake                       # SQLite
//!   SEV_BENCH_PG=postgres://root@127.0.0.1/postgres cargo bench --bench intake
//!       # also PostgreSQL: a fresh database on that server, dropped after
//!   STORM_SECS=10 PD_EVENTS=1000 cargo bench --bench intake   # shorter

#[path = "intake_bodies.rs"]
mod bodies;

use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const AM_TOKEN: &str = "bench-am-token";
/// Incidents in the database before the storm.
const HISTORY: usize = 10_000;

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    // `cargo bench` passes --bench; nothing else is taken.
    let secs = env_num("STORM_SECS", 60);
    let burst_secs = env_num("BURST_SECS", 20);
    let pd_events = env_num("PD_EVENTS", 10_000) as usize;
    let pd_clients = env_num("PD_CLIENTS", 8) as usize;
    let dir = tempfile::tempdir().unwrap();
    let sqlite = dir.path().join("sev.db");
    let phases = Phases {
        secs,
        burst_secs,
        pd_events,
        pd_clients,
    };
    run("SQLite", &sqlite, dir.path(), &phases);
    if let Ok(admin) = std::env::var("SEV_BENCH_PG") {
        let name = format!("sev_bench_intake_{}", std::process::id());
        let mut c = postgres::Client::connect(&admin, postgres::NoTls)
            .unwrap_or_else(|e| panic!("SEV_BENCH_PG: {e}"));
        c.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
        let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
        let url = PathBuf::from(format!("{base}/{name}"));
        run("PostgreSQL", &url, dir.path(), &phases);
        c.batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)"))
            .unwrap();
    }
}

struct Phases {
    secs: u64,
    burst_secs: u64,
    pd_events: usize,
    pd_clients: usize,
}

fn run(label: &str, db: &Path, dir: &Path, p: &Phases) {
    let Phases {
        secs,
        burst_secs,
        pd_events,
        pd_clients,
    } = *p;
    println!("== {label}");
    let sev = env!("CARGO_BIN_EXE_sev");
    let ok = Command::new(sev)
        .arg("--db")
        .arg(db)
        // A team's database has a history: 10,000 incidents (with their
        // timelines and the planner statistics a live database has). On an
        // empty one the first minutes are planned for an empty table.
        .args(["demo", "--count", &HISTORY.to_string()])
        .env("SEV_CONFIG", "")
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(ok.success(), "sev demo --count {HISTORY}");
    let cfg = config(dir);
    let mut server = Command::new(sev)
        .arg("--db")
        .arg(db)
        .arg("--config")
        .arg(&cfg)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = BufReader::new(server.stderr.take().unwrap());
    let mut first = String::new();
    err.read_line(&mut first).unwrap();
    let addr = first
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("sev serve: {first}"))
        .to_string();
    // Drain the request log (one line per request) so the pipe never fills.
    std::thread::spawn(move || for _ in err.lines() {});

    let tui = Tui::start(db);
    let mut am = storm(&addr, secs);
    am.print(&format!(
        "alertmanager: 180-alert snapshots, 10 req/s for {secs} s"
    ));
    tui.stop_and_print();
    let sent = am.latencies.len();
    let mut burst = burst(&addr, sent, burst_secs);
    burst.print(&format!(
        "alertmanager: 180-alert snapshots back to back, 4 senders for {burst_secs} s"
    ));
    let mut pd = pagerduty(&addr, pd_events, pd_clients);
    pd.print(&format!(
        "pagerduty: {pd_events} distinct triggers, {pd_clients} clients"
    ));
    // SIGTERM: drain, exit 0.
    // SAFETY: kill(2) on our own child.
    unsafe { libc::kill(server.id() as i32, libc::SIGTERM) };
    let st = server.wait().unwrap();
    assert!(st.success(), "sev serve exited {st}");
    let store = sev::store::Store::open_read_only(db).unwrap();
    let alerts = store
        .alerts(&sev::store::AlertQuery::default())
        .unwrap()
        .len();
    let expected = bodies::am_alerts_total(sent + burst.latencies.len()) + pd.alerts;
    println!(
        "   database: {alerts} alerts stored (expected {expected}); errors {}",
        am.errors + burst.errors + pd.errors
    );
}

fn config(dir: &Path) -> PathBuf {
    let secret = |name: &str, text: &str| {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
        p
    };
    let am = secret("am.token", AM_TOKEN);
    let pd = secret("pd.key", bodies::PD_KEY);
    let cfg = dir.join("config.toml");
    std::fs::write(
        &cfg,
        format!(
            "[alerts]\nmax_concurrent = 64\n\n[[integrations]]\nname = \"bench-am\"\nsource = \"alertmanager\"\nsecret_file = \"{}\"\nstorm_per_minute = 1000\n\n[[integrations]]\nname = \"bench-pd\"\nsource = \"pagerduty\"\nrouting_key_file = \"{}\"\nstorm_per_minute = 0\n",
            am.display(),
            pd.display()
        ),
    )
    .unwrap();
    cfg
}

/// A TUI on the same database while the storm runs: every 50 ms it
/// takes in what changed (`App::tick`, which reloads the screen when an
/// event was appended), moves the selection (j) and draws an 80×24 frame.
/// The time of each such round is what a user waits for at most.
struct Tui {
    stop: Arc<std::sync::atomic::AtomicBool>,
    thread: std::thread::JoinHandle<(Vec<Duration>, usize)>,
}

impl Tui {
    fn start(db: &Path) -> Tui {
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (db, flag) = (db.to_path_buf(), stop.clone());
        let thread = std::thread::spawn(move || {
            let store = sev::store::Store::open(&db).unwrap();
            let mut app = sev::app::App::new(
                store,
                sev::config::Config::builtin(),
                sev::keymap::Keymap::defaults(),
                Arc::new(sev::clock::SystemClock),
                "bench".into(),
            )
            .unwrap();
            app.resize(80, 24);
            let mut term =
                ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 24)).unwrap();
            let j = sev::keymap::parse_chord("j").unwrap();
            let (mut rounds, mut reloads) = (Vec::new(), 0);
            while !flag.load(std::sync::atomic::Ordering::Relaxed) {
                let before = app.list.ids.len();
                let t = Instant::now();
                app.tick();
                for k in &j {
                    app.on_key(k.to_event());
                }
                term.draw(|f| sev::ui::render(&app, f)).unwrap();
                rounds.push(t.elapsed());
                reloads += usize::from(app.list.ids.len() != before);
                std::thread::sleep(Duration::from_millis(50));
            }
            (rounds, reloads)
        });
        Tui { stop, thread }
    }

    fn stop_and_print(self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let (mut r, reloads) = self.thread.join().unwrap();
        r.sort();
        let n = r.len().max(1);
        let at = |p: f64| r.get(((n as f64 * p).ceil() as usize).clamp(1, n) - 1);
        let ms = |d: Option<&Duration>| d.map_or(0.0, |d| d.as_secs_f64() * 1000.0);
        println!(
            "-- a TUI on the same database meanwhile: {} rounds of refresh + j + frame ({reloads} with new incidents): p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
            r.len(),
            ms(at(0.5)),
            ms(at(0.99)),
            ms(at(1.0))
        );
    }
}

#[derive(Default)]
struct Stats {
    latencies: Vec<Duration>,
    errors: usize,
    first_error: Option<String>,
    requests_ok: usize,
    alerts: usize,
    wall: Duration,
    /// Requests sent on a schedule that seldom overlaps them.
    paced: bool,
}

impl Stats {
    fn add(&mut self, lat: Duration, alerts: usize, result: Result<(), String>) {
        self.latencies.push(lat);
        match result {
            Ok(()) => {
                self.requests_ok += 1;
                self.alerts += alerts;
            }
            Err(e) => {
                self.errors += 1;
                self.first_error.get_or_insert(e);
            }
        }
    }

    fn print(&mut self, what: &str) {
        self.latencies.sort();
        let n = self.latencies.len();
        let pct = |p: f64| {
            let i = ((n as f64 * p).ceil() as usize).clamp(1, n.max(1)) - 1;
            self.latencies.get(i).copied().unwrap_or_default()
        };
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let busy: Duration = self.latencies.iter().sum();
        println!("-- {what}");
        println!(
            "   {n} requests, {} errors; latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
            self.errors,
            ms(pct(0.50)),
            ms(pct(0.99)),
            ms(pct(1.0))
        );
        print!(
            "   {} alerts applied in {:.1} s: {:.0} alerts/s",
            self.alerts,
            self.wall.as_secs_f64(),
            self.alerts as f64 / self.wall.as_secs_f64().max(1e-9),
        );
        if self.paced {
            // One request at a time: the answer time is the server's.
            print!(
                " (capacity: {:.0} alerts/s of answer time)",
                self.alerts as f64 / busy.as_secs_f64().max(1e-9)
            );
        }
        println!();
        if let Some(e) = &self.first_error {
            println!("   first error: {e}");
        }
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into()
}

fn send(
    a: &ureq::Agent,
    url: &str,
    auth: Option<&str>,
    body: &[u8],
    want: u16,
) -> Result<(), String> {
    let mut r = a.post(url).header("content-type", "application/json");
    if let Some(t) = auth {
        r = r.header("authorization", format!("Bearer {t}"));
    }
    let mut resp = r.send(body).map_err(|e| e.to_string())?;
    let status = resp.status().as_u16();
    let text = resp
        .body_mut()
        .read_to_string()
        .map_err(|e| e.to_string())?;
    if status == want {
        Ok(())
    } else {
        Err(format!("{status}: {text}"))
    }
}

/// Phase 1: snapshot k at t0 + k·100 ms, sent by whichever of 4 senders
/// is free (a slow answer never delays the schedule).
fn storm(addr: &str, secs: u64) -> Stats {
    let url = format!("http://{addr}/ingest/alertmanager");
    let total = (secs * 10) as usize;
    let stats = Arc::new(Mutex::new(Stats::default()));
    let (tx, rx) = mpsc::channel::<usize>();
    let rx = Arc::new(Mutex::new(rx));
    let senders: Vec<_> = (0..4)
        .map(|_| {
            let rx = rx.clone();
            let stats = stats.clone();
            let url = url.clone();
            std::thread::spawn(move || {
                let a = agent();
                loop {
                    let Ok(k) = rx.lock().unwrap().recv() else {
                        break;
                    };
                    let (body, alerts) = bodies::am_snapshot(k);
                    let t = Instant::now();
                    let r = send(&a, &url, Some(AM_TOKEN), &body, 200);
                    stats.lock().unwrap().add(t.elapsed(), alerts, r);
                }
            })
        })
        .collect();
    let t0 = Instant::now();
    for k in 0..total {
        let at = t0 + Duration::from_millis(100 * k as u64);
        if let Some(wait) = at.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
        tx.send(k).unwrap();
    }
    drop(tx);
    for s in senders {
        s.join().unwrap();
    }
    let mut s = std::mem::take(&mut *stats.lock().unwrap());
    s.wall = t0.elapsed();
    s.paced = true;
    s
}

/// Phase 2: snapshots `first`, `first + 1`, … back to back from 4
/// senders for `secs`. Four in flight are four different groups (20
/// rotate), so no group's snapshots overtake each other.
fn burst(addr: &str, first: usize, secs: u64) -> Stats {
    let url = format!("http://{addr}/ingest/alertmanager");
    let stats = Arc::new(Mutex::new(Stats::default()));
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(first));
    let t0 = Instant::now();
    let end = t0 + Duration::from_secs(secs);
    let senders: Vec<_> = (0..4)
        .map(|_| {
            let (stats, next, url) = (stats.clone(), next.clone(), url.clone());
            std::thread::spawn(move || {
                let a = agent();
                while Instant::now() < end {
                    let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let (body, alerts) = bodies::am_snapshot(k);
                    let t = Instant::now();
                    let r = send(&a, &url, Some(AM_TOKEN), &body, 200);
                    stats.lock().unwrap().add(t.elapsed(), alerts, r);
                }
            })
        })
        .collect();
    for s in senders {
        s.join().unwrap();
    }
    let mut s = std::mem::take(&mut *stats.lock().unwrap());
    s.wall = t0.elapsed();
    s
}

/// Phase 3: `n` distinct triggers from `clients` senders, back to back.
fn pagerduty(addr: &str, n: usize, clients: usize) -> Stats {
    let url = format!("http://{addr}/v2/enqueue");
    let stats = Arc::new(Mutex::new(Stats::default()));
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let t0 = Instant::now();
    let senders: Vec<_> = (0..clients)
        .map(|_| {
            let (stats, next, url) = (stats.clone(), next.clone(), url.clone());
            std::thread::spawn(move || {
                let a = agent();
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if i >= n {
                        break;
                    }
                    let body = bodies::pd_trigger(i);
                    let t = Instant::now();
                    let r = send(&a, &url, None, &body, 202);
                    stats.lock().unwrap().add(t.elapsed(), 1, r);
                }
            })
        })
        .collect();
    for s in senders {
        s.join().unwrap();
    }
    let mut s = std::mem::take(&mut *stats.lock().unwrap());
    s.wall = t0.elapsed();
    s
}
