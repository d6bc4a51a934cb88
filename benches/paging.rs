//! Paging: the outbox drained to a local webhook receiver (messages per
//! second), and one escalation tick over 10k open incidents (with the
//! response-target check `sev serve` runs with it).
//!
//! `cargo bench --bench paging`; with `SEV_BENCH_PG=postgres://…/postgres`
//! the same on a fresh PostgreSQL database.

use chrono::Utc;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sev::config::Config;
use sev::domain::{Severity, Status, sample_incident};
use sev::paging::deliver::drain_once;
use sev::paging::directory::{ChannelCourier, Live};
use sev::store::respond::OutboxRow;
use sev::store::testdb::TestDb;
use sev::store::{BatchItem, Store};
#[path = "../tests/common/http.rs"]
mod common_http;

use std::io::{BufReader, Write};
use std::net::TcpListener;
use std::time::{Duration, Instant};

/// A keep-alive HTTP receiver answering 200 to everything.
fn receiver() -> String {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", l.local_addr().unwrap());
    std::thread::spawn(move || {
        for c in l.incoming().flatten() {
            std::thread::spawn(move || {
                let mut r = BufReader::new(c.try_clone().unwrap());
                let mut w = c;
                while common_http::read_request(&mut r).is_some() {
                    if w.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
                        .is_err()
                    {
                        return;
                    }
                }
            });
        }
    });
    url
}

fn config(hook: &str) -> Config {
    let mut c = Config::builtin();
    c.layer_str(
        &format!(
            r#"
[channels.hook]
type = "webhook"
url = "{hook}"
[users.alice]
contacts = [{{ channel = "hook", to = "@alice" }}]
[escalation.pay]
[[escalation.pay.steps]]
targets = ["user:alice"]
[[escalation.pay.steps]]
delay = "1h"
targets = ["user:alice"]
[services.checkout]
escalation = "pay"
"#
        ),
        "bench.toml",
    )
    .unwrap();
    c
}

fn fill_outbox(store: &Store, n: usize) {
    let now = Utc::now();
    for chunk in 0..n.div_ceil(1000) {
        store
            .respond(now, |tx| {
                for i in 0..1000.min(n - chunk * 1000) {
                    tx.enqueue(&OutboxRow {
                        id: 0,
                        incident: None,
                        kind: "test".into(),
                        channel: "hook".into(),
                        recipient: "alice".into(),
                        address: "@alice".into(),
                        subject: "bench".into(),
                        body: "a message of about the size of a page, with a title and a link"
                            .into(),
                        payload: "{}".into(),
                        idem_key: format!("bench-{}-{chunk}-{i}", fastrand::u64(..)),
                        state: "pending".into(),
                        attempts: 0,
                        created_at: now,
                        next_at: now,
                        give_up_at: now + chrono::Duration::hours(1),
                        updated_at: now,
                        done_at: None,
                        detail: None,
                    })?;
                }
                Ok(())
            })
            .unwrap();
    }
}

fn dbs() -> Vec<(String, TestDb)> {
    let mut v = vec![("sqlite".to_string(), TestDb::sqlite())];
    if let Ok(url) = std::env::var("SEV_BENCH_PG") {
        // SAFETY: set before any thread reads it (TestDb reads SEV_TEST_PG).
        unsafe { std::env::set_var("SEV_TEST_PG", url) };
        if let Some(db) = TestDb::postgres() {
            v.push(("postgres".to_string(), db));
        }
    }
    v
}

fn outbox(c: &mut Criterion) {
    let hook = receiver();
    let cfg = config(&hook);
    const N: usize = 10_000;
    let mut g = c.benchmark_group("outbox");
    g.sample_size(10);
    g.throughput(Throughput::Elements(N as u64));
    for (name, db) in dbs() {
        let store = db.open();
        g.bench_function(format!("drain_10k/{name}"), |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    fill_outbox(&store, N);
                    let mut courier = ChannelCourier::new(&cfg);
                    let t = Instant::now();
                    let mut sent = 0;
                    while sent < N {
                        let d = drain_once(&store, &mut courier, Utc::now).unwrap();
                        assert_eq!(d.failed + d.retried, 0, "{d:?}");
                        sent += d.delivered;
                    }
                    total += t.elapsed();
                }
                total
            })
        });
    }
    g.finish();
}

fn open_incidents(store: &Store, n: usize) {
    let now = Utc::now();
    let mut batch = Vec::with_capacity(n);
    for i in 0..n {
        let mut inc = sample_incident(0, now - chrono::Duration::minutes(i as i64 % 600));
        inc.title = format!("open incident {i}");
        inc.status = Status::Triage;
        inc.severity = if i % 3 == 0 {
            Severity::Sev2
        } else {
            Severity::Sev3
        };
        inc.service = Some(if i % 2 == 0 { "checkout" } else { "search" }.into());
        batch.push(BatchItem {
            incident: inc,
            events: vec![],
            postmortem: None,
            actions: vec![],
        });
    }
    store.insert_batch(&batch).unwrap();
}

fn escalation(c: &mut Criterion) {
    let cfg = config("http://127.0.0.1:9/hook");
    let mut g = c.benchmark_group("escalation");
    g.sample_size(20);
    for (name, db) in dbs() {
        let store = db.open();
        open_incidents(&store, 10_000);
        // The first tick starts 5k escalations (the other 5k have no
        // policy) and pages step 1; what repeats every 2 s is the rest.
        let t = Instant::now();
        let dir = Live::load(&cfg, &store, Utc::now()).unwrap();
        let mut first = sev::paging::escalate::tick(&store, &cfg.paging, &dir, Utc::now()).unwrap();
        let mut ticks = 1;
        eprintln!(
            "{name}: one tick of a storm (100 started): {:?}",
            t.elapsed()
        );
        while first.more {
            first = sev::paging::escalate::tick(&store, &cfg.paging, &dir, Utc::now()).unwrap();
            ticks += 1;
        }
        eprintln!(
            "{name}: 5000 escalations started and paged in {ticks} ticks, {:?}",
            t.elapsed()
        );
        g.bench_function(format!("tick_10k_open/{name}"), |b| {
            b.iter(|| {
                let now = Utc::now();
                let dir = Live::load(&cfg, &store, now).unwrap();
                sev::paging::escalate::tick(&store, &cfg.paging, &dir, now).unwrap()
            })
        });
        let hours = cfg.hours.clone();
        let mut seen = sev::respond::Recorded::default();
        g.bench_function(format!("breach_check_10k_open/{name}"), |b| {
            b.iter(|| {
                sev::respond::record_breaches_remembering(
                    &store,
                    &cfg.response,
                    &hours,
                    Utc::now(),
                    &mut seen,
                )
            })
        });
    }
    g.finish();
}

criterion_group!(benches, outbox, escalation);
criterion_main!(benches);
