//! Paging end to end, as a user tries it: a two-person weekly rotation, a
//! two-step policy for a service, a webhook channel pointed at a receiver
//! this test runs. `sev serve` pages, escalates, stops on acknowledge;
//! a receiver that is down gets the message once when it comes back; a
//! stakeholder update goes out and into the timeline.

mod common;
mod serve_support;

use common::Env;
use serve_support::Server;
use std::io::{BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What the receiver saw and how it answers.
#[derive(Default)]
struct Seen {
    /// Bodies it answered 200 to, with their Idempotency-Key.
    taken: Vec<(String, serde_json::Value)>,
    /// Requests it refused.
    refused: usize,
    /// Answer 503 while set.
    down: bool,
    /// Hold the answer to the next request this long (then clear it).
    stall: Option<Duration>,
}

struct Receiver {
    url: String,
    seen: Arc<Mutex<Seen>>,
}

fn handle(s: TcpStream, seen: Arc<Mutex<Seen>>) {
    let mut r = BufReader::new(s.try_clone().unwrap());
    let mut w = s;
    while let Some((headers, body)) = common::http::read_request(&mut r) {
        let key = headers
            .iter()
            .find(|(k, _)| k == "idempotency-key")
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        let stall = seen.lock().unwrap().stall.take();
        if let Some(d) = stall {
            std::thread::sleep(d);
        }
        let down = {
            let mut g = seen.lock().unwrap();
            if g.down {
                g.refused += 1;
            } else {
                let v = serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null);
                g.taken.push((key, v));
            }
            g.down
        };
        let answer = if down {
            "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n"
        } else {
            "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
        };
        if w.write_all(answer.as_bytes()).is_err() {
            return;
        }
    }
}

impl Receiver {
    fn start() -> Receiver {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/hook", l.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Seen::default()));
        let s2 = seen.clone();
        std::thread::spawn(move || {
            for c in l.incoming() {
                let Ok(c) = c else { continue };
                let s = s2.clone();
                std::thread::spawn(move || handle(c, s));
            }
        });
        Receiver { url, seen }
    }

    /// Wait until `f` holds for what was taken.
    fn wait_for(&self, what: &str, f: impl Fn(&Seen) -> bool) {
        let t = Instant::now();
        while !f(&self.seen.lock().unwrap()) {
            assert!(
                t.elapsed() < Duration::from_secs(30),
                "timed out waiting for {what}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn pages_to(&self, who: &str) -> usize {
        self.seen
            .lock()
            .unwrap()
            .taken
            .iter()
            .filter(|(_, v)| v["kind"] == "page" && v["to"] == who)
            .count()
    }
}

fn config(env: &Env, hook: &str) -> std::path::PathBuf {
    serve_support::setup(
        env,
        &format!(
            r#"
[schedules.payments]
time_zone = "Europe/Berlin"
[[schedules.payments.layers]]
members = ["alice", "bob"]
shift = "1w"
handoff = "09:00"
start = "2026-01-05"

[channels.hook]
type = "webhook"
url = "{hook}"
timeout = "5s"

[users.alice]
contacts = [{{ channel = "hook", to = "@alice" }}]
[users.bob]
contacts = [{{ channel = "hook", to = "@bob" }}]

[escalation.pay]
repeat = 1
repeat_after = "1m"
[[escalation.pay.steps]]
targets = ["user:alice"]
[[escalation.pay.steps]]
delay = "4s"
targets = ["user:bob"]

[services.checkout]
escalation = "pay"
stakeholders = ["hook"]
"#
        ),
    )
}

fn id_of(out: &str) -> String {
    out.split_whitespace()
        .find(|w| w.starts_with("INC-"))
        .unwrap()
        .trim_end_matches(':')
        .to_string()
}

#[test]
fn a_page_escalates_stops_on_ack_and_survives_a_receiver_outage() {
    for env in Env::all() {
        let hook = Receiver::start();
        let cfg = config(&env, &hook.url);
        let c = cfg.to_str().unwrap();
        let _serve = Server::start(&env, &cfg);
        let out = env.ok(&[
            "--config",
            c,
            "new",
            "checkout",
            "500s",
            "--service",
            "checkout",
            "--severity",
            "SEV2",
        ]);
        let id = id_of(&out);
        hook.wait_for("the page to alice", |s| {
            s.taken.iter().any(|(_, v)| v["to"] == "@alice")
        });
        let first = hook.seen.lock().unwrap().taken[0].1.clone();
        assert_eq!(first["incident"]["reference"], id.as_str());
        assert!(first["subject"].as_str().unwrap().contains("checkout 500s"));
        // Nobody acknowledges: step 2 pages bob.
        hook.wait_for("step 2 paging bob", |s| {
            s.taken.iter().any(|(_, v)| v["to"] == "@bob")
        });
        env.ok(&["--config", c, "ack", &id]);
        let show = |env: &Env| env.ok(&["--config", c, "show", &id]);
        let t = Instant::now();
        while !show(&env).contains("escalation stopped: acknowledged") {
            assert!(t.elapsed() < Duration::from_secs(15), "{}", show(&env));
            std::thread::sleep(Duration::from_millis(200));
        }
        let s = show(&env);
        assert!(s.contains("paged alice via hook (step 1 of 2"), "{s}");
        assert!(s.contains("paged bob via hook (step 2 of 2"), "{s}");
        assert_eq!((hook.pages_to("@alice"), hook.pages_to("@bob")), (1, 1));

        // The receiver goes down; a second incident's page waits and is
        // delivered once when it is back.
        hook.seen.lock().unwrap().down = true;
        let out = env.ok(&[
            "--config",
            c,
            "new",
            "checkout",
            "slow",
            "--service",
            "checkout",
            "--severity",
            "SEV2",
        ]);
        let id2 = id_of(&out);
        hook.wait_for("a refused attempt", |s| s.refused > 0);
        let pending = env.json(&["--config", c, "outbox", "--incident", &id2]);
        assert!(
            pending
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r["state"] == "pending" && r["detail"] == "HTTP 503"),
            "{pending}"
        );
        hook.seen.lock().unwrap().down = false;
        hook.wait_for("the page after the outage", |s| {
            s.taken
                .iter()
                .any(|(_, v)| v["incident"]["reference"] == id2.as_str())
        });
        env.ok(&["--config", c, "ack", &id2]);
        // A stakeholder update goes to the service's channel and the timeline.
        let out = env.ok(&[
            "--config",
            c,
            "update",
            &id,
            "--status",
            "mitigating",
            "--impact",
            "checkout fails for 5% of users",
            "--next",
            "30m",
        ]);
        assert!(
            out.contains("update posted to the timeline and hook"),
            "{out}"
        );
        hook.wait_for("the update", |s| {
            s.taken.iter().any(|(_, v)| v["kind"] == "update")
        });
        std::thread::sleep(Duration::from_secs(3));
        let g = hook.seen.lock().unwrap();
        let mut keys: Vec<&str> = g.taken.iter().map(|(k, _)| k.as_str()).collect();
        let n = keys.len();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), n, "every message delivered exactly once");
        drop(g);
        let failed = env.json(&["--config", c, "outbox", "--failed"]);
        assert_eq!(failed.as_array().unwrap().len(), 0, "{failed}");
    }
}

#[test]
fn two_servers_page_once_and_a_killed_sender_repeats_at_most_once_with_the_same_key() {
    let env = Env::new();
    let hook = Receiver::start();
    let cfg = config(&env, &hook.url);
    let c = cfg.to_str().unwrap();
    let a = Server::start(&env, &cfg);
    let _b = Server::start(&env, &cfg);
    let id = id_of(&env.ok(&[
        "--config",
        c,
        "new",
        "checkout",
        "down",
        "--service",
        "checkout",
        "--severity",
        "SEV1",
    ]));
    hook.wait_for("the page", |s| !s.taken.is_empty());
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(hook.pages_to("@alice"), 1, "two servers, one page");
    env.ok(&["--config", c, "ack", &id]);

    // The lease holder dies (kill -9) while the receiver holds its answer:
    // the page was taken but never recorded as delivered.
    let holder_log = a.log();
    let a_holds = holder_log.iter().any(|l| l.contains("this process pages"));
    let mut holder = if a_holds { a } else { _b };
    hook.seen.lock().unwrap().stall = Some(Duration::from_secs(3));
    let id2 = id_of(&env.ok(&[
        "--config",
        c,
        "new",
        "checkout",
        "again",
        "--service",
        "checkout",
        "--severity",
        "SEV1",
    ]));
    let t = Instant::now();
    while hook.seen.lock().unwrap().stall.is_some() {
        assert!(t.elapsed() < Duration::from_secs(20), "the page never left");
        std::thread::sleep(Duration::from_millis(50));
    }
    holder.kill9();
    // A new sev serve takes over (the dead holder was on this host) and
    // sends it again: at most one duplicate, with the same key.
    let _c = Server::start(&env, &cfg);
    hook.wait_for("the page again", |s| {
        s.taken
            .iter()
            .filter(|(_, v)| v["incident"]["reference"] == id2.as_str() && v["to"] == "@alice")
            .count()
            >= 2
    });
    std::thread::sleep(Duration::from_secs(3));
    let g = hook.seen.lock().unwrap();
    let keys: Vec<&str> = g
        .taken
        .iter()
        .filter(|(_, v)| v["incident"]["reference"] == id2.as_str() && v["to"] == "@alice")
        .map(|(k, _)| k.as_str())
        .collect();
    assert_eq!(keys.len(), 2, "{keys:?}");
    assert_eq!(
        keys[0], keys[1],
        "the repeat carries the same idempotency key"
    );
}

#[test]
fn oncall_shows_the_rotation_and_an_override_wins() {
    let env = Env::new();
    let cfg = config(&env, "http://127.0.0.1:9/hook");
    let c = cfg.to_str().unwrap();
    // 2026-01-05 09:00 Berlin: alice's first week; the next Monday bob's.
    let at = "2026-01-07T12:00:00Z";
    let v = env.json(&["--config", c, "oncall", "payments", "--at", at]);
    assert_eq!(v[0]["now"]["user"], "alice", "{v}");
    assert_eq!(v[0]["next"]["user"], "bob", "{v}");
    assert_eq!(v[0]["now"]["until"], "2026-01-12T08:00:00Z", "{v}");
    let out = env.ok(&[
        "--config",
        c,
        "oncall",
        "override",
        "--schedule",
        "payments",
        "--user",
        "carol",
        "--from",
        "now",
        "--until",
        "+2h",
    ]);
    assert!(out.contains("carol is on call on payments"), "{out}");
    // Times say their zone: a schedule's handoffs are read against it.
    // (Etc/GMT-1 is +01:00 all year: Berlin would be +02:00 in summer.)
    for (tz, zone) in [("UTC", " UTC"), ("Etc/GMT-1", " +01:00")] {
        let o = env
            .cmd()
            .env("TZ", tz)
            .args(["--config", c, "oncall", "payments"])
            .output()
            .unwrap();
        let out = String::from_utf8_lossy(&o.stdout);
        assert!(out.contains("carol (override) until "), "{out}");
        assert!(out.contains(zone), "TZ={tz}: {out}");
    }
    let v = env.json(&["--config", c, "oncall", "payments"]);
    assert_eq!(v[0]["now"]["user"], "carol", "{v}");
    assert_eq!(v[0]["now"]["override"], true, "{v}");
    let err = env.fails(&["--config", c, "oncall", "nosuch"], 2);
    assert!(err.contains("the schedules are payments"), "{err}");
    let ics = env.ok(&[
        "--config", c, "oncall", "export", "payments", "--days", "14",
    ]);
    assert!(ics.starts_with("BEGIN:VCALENDAR\r\n"), "{ics}");
    assert!(ics.contains("SUMMARY:On call: carol"), "{ics}");
}

#[test]
fn a_hostile_update_never_reaches_the_terminal_raw() {
    let env = Env::new();
    let cfg = config(&env, "http://127.0.0.1:9/hook");
    let c = cfg.to_str().unwrap();
    let id = id_of(&env.ok(&["--config", c, "new", "disk", "full"]));
    env.ok(&[
        "--config",
        c,
        "update",
        &id,
        "--status",
        "ok\x1b]52;c;aGk=\x07\x1b[2J",
        "--doing",
        "rollback \u{202e}",
    ]);
    let out = env.ok(&["--config", c, "show", &id]);
    assert!(
        !out.contains('\x1b') && !out.contains('\u{202e}'),
        "{out:?}"
    );
    let err = env.fails(&["--config", c, "update", &id, "--status", " "], 2);
    assert!(err.contains("no status"), "{err}");
}
