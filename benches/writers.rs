//! 20 writer processes on one incident, each committing notes and field
//! changes one after another and timing every commit: p50/p99/max, errors
//! surfaced, and afterwards every note present and the audit chain intact.
//!
//! `cargo bench --bench writers` runs it on a SQLite file; with
//! `SEV_BENCH_PG=postgres://root@127.0.0.1/postgres` also on a fresh
//! PostgreSQL database (created and dropped here). The same child code
//! and the same mix on both.
//!
//! A commit is one `ops` call as `sev note` or `sev set` makes it, from the
//! call to its return: the write transaction (waiting for the write lock
//! included) and everything the command does around it. Starting a process
//! per write is measured separately (`benches/pg_writers.py`): there the
//! 20 process starts, not the write, fill both cores.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

const WRITERS: usize = 20;
const COMMITS: usize = 100;

/// `f` with the operations as `actor` on `db`, as a `sev` command has them.
fn as_user<T>(db: &str, actor: String, f: impl FnOnce(&sev::ops::Ctx<'_>) -> T) -> T {
    let store = sev::store::Store::open(Path::new(db)).unwrap();
    let config = sev::config::Config::builtin();
    let clock = sev::clock::SystemClock;
    f(&sev::ops::Ctx {
        store: &store,
        config: &config,
        actor,
        clock: &clock,
    })
}

/// One writer: `commits` writes on incident 1, three notes for every
/// severity change; prints each commit's microseconds, then `errors N`.
fn writer_child(db: &str, id: usize, commits: usize) {
    as_user(db, format!("w{id}"), |cx| writes(cx, id, commits));
}

/// Microseconds since the epoch: comparable across the children.
fn epoch_us() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_micros()
}

fn writes(cx: &sev::ops::Ctx<'_>, id: usize, commits: usize) {
    let target = sev::domain::IncidentId(1);
    let mut out = String::new();
    let mut errors = 0;
    // Opened and ready: wait for the parent's go, so all start together.
    let mut go = String::new();
    let _ = std::io::stdin().read_line(&mut go);
    let began = epoch_us();
    for i in 0..commits {
        let t = Instant::now();
        let r = if i % 4 == 3 {
            let v = if (i + id) % 8 == 3 { "SEV2" } else { "SEV3" };
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
    println!("span {began} {}", epoch_us());
    println!("errors {errors}");
}

fn percentile(sorted: &[u128], p: f64) -> u128 {
    if sorted.is_empty() {
        return 0;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// Run the writers on `db` (which holds incident 1) and print one line.
fn writers(label: &str, db: &str) {
    let me = std::env::current_exe().unwrap();
    let mut children: Vec<_> = (0..WRITERS)
        .map(|i| {
            Command::new(&me)
                .env("SEV_BENCH_ROLE", "writer")
                .args([db.to_string(), i.to_string(), COMMITS.to_string()])
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    // Every child started and waiting: go.
    std::thread::sleep(std::time::Duration::from_millis(500));
    let started = Instant::now();
    for c in &mut children {
        use std::io::Write;
        let _ = c.stdin.take().map(|mut i| i.write_all(b"go\n"));
    }
    let mut lat: Vec<u128> = Vec::new();
    let mut errors = 0usize;
    let mut said = Vec::new();
    let (mut last_start, mut first_end) = (0u128, u128::MAX);
    for c in children {
        let o = c.wait_with_output().unwrap();
        for line in String::from_utf8_lossy(&o.stdout).lines() {
            if let Some(span) = line.strip_prefix("span ") {
                let mut it = span.split(' ').filter_map(|n| n.parse::<u128>().ok());
                if let (Some(b), Some(e)) = (it.next(), it.next()) {
                    last_start = last_start.max(b);
                    first_end = first_end.min(e);
                }
            } else if let Some(e) = line.strip_prefix("errors ") {
                errors += e.parse::<usize>().unwrap_or(0);
            } else if let Ok(us) = line.parse() {
                lat.push(us);
            }
        }
        said.extend(String::from_utf8_lossy(&o.stderr).lines().map(String::from));
    }
    let wall = started.elapsed().as_secs_f64();
    lat.sort_unstable();
    let ms = |us: u128| us as f64 / 1000.0;
    let store = sev::store::Store::open(Path::new(db)).unwrap();
    let notes = store
        .events(sev::domain::IncidentId(1))
        .unwrap()
        .iter()
        .filter(|e| e.kind == sev::domain::EventKind::Note)
        .count();
    let chain = match store.verify() {
        Ok(v) if v.broken.is_none() => format!("verifies ({} events)", v.events),
        Ok(v) => format!("BROKEN: {:?}", v.broken),
        Err(e) => format!("unreadable: {e}"),
    };
    // How long all of them were writing at once.
    let together = first_end.saturating_sub(last_start) as f64 / 1e6;
    println!(
        "writers_{label} {WRITERS}x{COMMITS} on one incident: {} commits in {wall:.2}s \
         (all {WRITERS} writing at once for {together:.2}s), \
         p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms, errors {errors}; \
         notes stored {notes}/{}; chain {chain}",
        lat.len(),
        ms(percentile(&lat, 0.5)),
        ms(percentile(&lat, 0.99)),
        ms(*lat.last().unwrap_or(&0)),
        WRITERS * COMMITS * 3 / 4,
    );
    for l in said.iter().take(3) {
        println!("  error: {l}");
    }
}

/// An incident to write on, in a store that is otherwise empty.
fn seed(db: &str) {
    let new = sev::domain::NewIncident {
        title: "twenty writers".into(),
        ..Default::default()
    };
    as_user(db, "seed".into(), |cx| cx.create(&new).unwrap());
}

fn main() {
    if std::env::var("SEV_BENCH_ROLE").as_deref() == Ok("writer") {
        let args: Vec<String> = std::env::args().collect();
        writer_child(&args[1], args[2].parse().unwrap(), args[3].parse().unwrap());
        return;
    }
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo bench -- --list` and `cargo test --benches` probe with this
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("writers.db");
    let file = path.display().to_string();
    seed(&file);
    writers("sqlite", &file);

    let Ok(admin) = std::env::var("SEV_BENCH_PG") else {
        println!("writers_postgres: skipped (set SEV_BENCH_PG=postgres://root@127.0.0.1/postgres)");
        return;
    };
    let name = format!("sev_bench_writers_{}", std::process::id());
    let mut c = postgres::Client::connect(&admin, postgres::NoTls)
        .unwrap_or_else(|e| panic!("SEV_BENCH_PG={admin}: {e}"));
    c.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
    let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
    let url = format!("{base}/{name}");
    seed(&url);
    writers("postgres", &url);
    c.batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)"))
        .unwrap();
}
