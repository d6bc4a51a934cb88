//! What criterion cannot measure: bytes written to the terminal per j/k
//! keystroke (the SSH cost) and peak RSS with 100k incidents. (20 processes
//! writing at once: `benches/writers.rs`.)
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

fn main() {
    // Children re-enter here with a role.
    if let Ok(role) = std::env::var("SEV_BENCH_ROLE") {
        if role == "rss" {
            rss_child();
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
}
