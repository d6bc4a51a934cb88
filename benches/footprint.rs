//! What criterion cannot measure: bytes written to the terminal per j/k
//! keystroke (the SSH cost), peak RSS with 100k incidents, and 20 processes
//! writing to one database at once (commit latency p50/p99, errors).
//!
//! `cargo bench --bench footprint` prints one line per measure.

mod common;

use ratatui::Terminal;
use sev::app::App;
use sev::keymap::Key;
use sev::store::Scope;
use std::io::Write;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// A terminal that only counts what would be sent to it.
#[derive(Clone, Default)]
struct Counter(Arc<Mutex<usize>>);

impl Write for Counter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        *self.0.lock().unwrap() += buf.len();
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The terminal sev draws on (its own backend), counting the bytes.
fn terminal(w: u16, h: u16) -> (Terminal<sev::tui::Lean<Counter>>, Counter) {
    let counter = Counter::default();
    let backend = sev::tui::Lean::new(counter.clone(), Some(ratatui::layout::Size::new(w, h)));
    (Terminal::new(backend).unwrap(), counter)
}

/// Mean and median bytes written per `key`, drawing after each.
#[derive(Clone, Default)]
struct Dump(Arc<Mutex<Vec<u8>>>);

impl Write for Dump {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn bytes_per_key(app: &mut App, w: u16, h: u16, key: char) -> (f64, usize) {
    let (mut t, counter) = terminal(w, h);
    app.resize(w, h);
    t.draw(|f| sev::ui::render(app, f)).unwrap();
    let n = 200;
    let mut each = Vec::with_capacity(n);
    for _ in 0..n {
        *counter.0.lock().unwrap() = 0;
        app.on_key(Key::char(key).to_event());
        t.draw(|f| sev::ui::render(app, f)).unwrap();
        each.push(*counter.0.lock().unwrap());
    }
    let mean = each.iter().sum::<usize>() as f64 / n as f64;
    each.sort_unstable();
    (mean, each[n / 2])
}

/// Bytes written in `secs` seconds of the real loop's idle ticks (draw
/// every tick, nothing changing).
fn idle_bytes(app: &mut App, secs: u64) -> f64 {
    let (mut t, counter) = terminal(80, 24);
    app.resize(80, 24);
    t.draw(|f| sev::ui::render(app, f)).unwrap();
    *counter.0.lock().unwrap() = 0;
    let ticks = secs * 1000 / sev::tui::TICK.as_millis() as u64;
    for _ in 0..ticks {
        std::thread::sleep(sev::tui::TICK);
        app.tick();
        t.draw(|f| sev::ui::render(app, f)).unwrap();
    }
    *counter.0.lock().unwrap() as f64 / secs as f64
}

fn rss_child() {
    let db = common::db(100_000);
    let mut app = common::app(&db);
    app.list.facets.scope = Scope::All;
    app.reload().unwrap();
    let mut t = Terminal::new(ratatui::backend::TestBackend::new(200, 60)).unwrap();
    app.resize(200, 60);
    for c in "/dns".chars() {
        app.on_key(Key::char(c).to_event());
    }
    app.wait_for_search();
    for _ in 0..500 {
        app.on_key(Key::char('j').to_event());
    }
    app.on_key(Key::char('G').to_event());
    t.draw(|f| sev::ui::render(&app, f)).unwrap();
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let hwm = status
        .lines()
        .find(|l| l.starts_with("VmHWM"))
        .unwrap_or("VmHWM: ? kB")
        .to_string();
    println!("{hwm}");
}

/// One of the concurrent writers: notes and status changes, timing each commit.
fn writer_child(db: &str, id: i64, commits: usize) {
    let store = sev::store::Store::open(std::path::Path::new(db)).unwrap();
    let config = sev::config::Config::builtin();
    let clock = sev::clock::SystemClock;
    let cx = sev::ops::Ctx {
        store: &store,
        config: &config,
        actor: format!("w{id}"),
        clock: &clock,
    };
    // Open incidents only: a closed one's fields are final.
    let open = store.list_ids(&Default::default()).unwrap();
    let target = open[id as usize % open.len().min(4)];
    let mut out = String::new();
    let mut errors = 0;
    for i in 0..commits {
        let t = Instant::now();
        let r = if i % 4 == 3 {
            let v = if i % 8 == 3 { "SEV2" } else { "SEV3" };
            cx.set(
                target,
                &[sev::ops::Edit::new(sev::domain::Field::Severity, v)],
                None,
            )
            .map(|_| ())
        } else {
            cx.note(target, &format!("writer {id} note {i}"))
                .map(|_| ())
        };
        let us = t.elapsed().as_micros();
        match r {
            Ok(()) => out.push_str(&format!("{us}\n")),
            Err(e) => {
                errors += 1;
                eprintln!("writer {id}: {e}");
            }
        }
    }
    print!("{out}");
    println!("errors {errors}");
}

fn percentile(sorted: &[u128], p: f64) -> u128 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn main() {
    // Children re-enter here with a role.
    if let Ok(role) = std::env::var("SEV_BENCH_ROLE") {
        let args: Vec<String> = std::env::args().collect();
        match role.as_str() {
            "rss" => rss_child(),
            "writer" => writer_child(&args[1], args[2].parse().unwrap(), args[3].parse().unwrap()),
            _ => {}
        }
        return;
    }
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo bench -- --list` and `cargo test --benches` probe with this
    }
    let me = std::env::current_exe().unwrap();

    // Bytes per keystroke.
    let db = common::db(100_000);
    let mut app = common::app(&db);
    app.list.facets.scope = Scope::All;
    app.reload().unwrap();
    app.list.select_index(50_000);
    for (w, h, target) in [(80u16, 24u16, 250), (120, 40, 800), (200, 60, 0)] {
        let (j, jm) = bytes_per_key(&mut app, w, h, 'j');
        let (k, km) = bytes_per_key(&mut app, w, h, 'k');
        let side = if app.wide() { ", side detail pane" } else { "" };
        let goal = if target > 0 {
            format!(" (target: mean <= {target} B)")
        } else {
            String::new()
        };
        println!(
            "bytes_per_keystroke {w}x{h}{side}: j mean {j:.0} B median {jm} B, k mean {k:.0} B median {km} B{goal}"
        );
    }
    if let Ok(path) = std::env::var("SEV_BENCH_DUMP") {
        // One j at 120x40 as written, for reading what a key costs.
        app.resize(120, 40);
        let dump = Dump::default();
        let mut t2 = Terminal::new(sev::tui::Lean::new(
            dump.clone(),
            Some(ratatui::layout::Size::new(120, 40)),
        ))
        .unwrap();
        t2.draw(|f| sev::ui::render(&app, f)).unwrap();
        dump.0.lock().unwrap().clear();
        app.on_key(Key::char('j').to_event());
        t2.draw(|f| sev::ui::render(&app, f)).unwrap();
        std::fs::write(path, &*dump.0.lock().unwrap()).unwrap();
    }
    println!(
        "idle_bytes_per_second 80x24: {:.1} B/s (target: 0)",
        idle_bytes(&mut app, 5)
    );

    // Peak RSS of a process that opened 100k incidents, searched and scrolled.
    let out = Command::new(&me)
        .env("SEV_BENCH_ROLE", "rss")
        .output()
        .unwrap();
    println!(
        "peak_rss_100k: {}",
        String::from_utf8_lossy(&out.stdout).trim()
    );

    // 20 writer processes on one file.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("writers.db");
    {
        let store = sev::store::Store::open(&path).unwrap();
        let items: Vec<_> = sev::demo::Generator::new(10, 3, chrono::Utc::now()).collect();
        store.insert_batch(&items).unwrap();
    }
    let commits = 100;
    let started = Instant::now();
    let children: Vec<_> = (0..20)
        .map(|i| {
            Command::new(&me)
                .env("SEV_BENCH_ROLE", "writer")
                .args([
                    path.display().to_string(),
                    i.to_string(),
                    commits.to_string(),
                ])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut lat: Vec<u128> = Vec::new();
    let mut errors = 0usize;
    for c in children {
        let o = c.wait_with_output().unwrap();
        for line in String::from_utf8_lossy(&o.stdout).lines() {
            if let Some(e) = line.strip_prefix("errors ") {
                errors += e.parse::<usize>().unwrap_or(0);
            } else if let Ok(us) = line.parse() {
                lat.push(us);
            }
        }
        std::io::stderr().write_all(&o.stderr).unwrap();
    }
    let wall = started.elapsed().as_secs_f64();
    lat.sort_unstable();
    println!(
        "writers_20x{commits}: {} commits in {wall:.2}s, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms, errors {errors}",
        lat.len(),
        percentile(&lat, 0.5) as f64 / 1000.0,
        percentile(&lat, 0.99) as f64 / 1000.0,
        *lat.last().unwrap_or(&0) as f64 / 1000.0
    );
    let store = sev::store::Store::open(&path).unwrap();
    let ok: String = store
        .conn()
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    let notes: i64 = store
        .conn()
        .query_row("SELECT count(*) FROM events WHERE kind = 'note'", [], |r| {
            r.get(0)
        })
        .unwrap();
    println!("writers_integrity: {ok}, notes stored {notes}");
}
