//! `sev serve` as a sender and an operator meet it: the real binary on a
//! random loopback port. Starting and refusing to start, credentials,
//! limits, PagerDuty's answers, Grafana's signature, the Unix socket, and
//! the drain on SIGTERM. What the bodies do to incidents is in
//! tests/serve_intake.rs.

mod common;
mod serve_support;

use common::Env;
use serve_support::*;
use std::io::Write;
use std::time::Duration;

#[test]
fn starts_on_a_random_port_and_answers_healthz_on_both_backends() {
    for env in Env::all() {
        let cfg = setup(&env, "");
        let mut srv = Server::start(&env, &cfg);
        assert!(srv.addr.starts_with("127.0.0.1:"), "{}", srv.addr);
        assert_ne!(srv.addr, "127.0.0.1:0");
        let (s, v) = get(&agent(), &srv.url("/healthz"));
        assert_eq!(s, 200);
        assert_eq!(v, serde_json::json!({"status": "ok", "db": "reachable"}));
        let st = srv.term();
        assert_eq!(st.code(), Some(0), "{:#?}", srv.log());
        let log = srv.log().join("\n");
        assert!(log.contains("GET /healthz 200"), "{log}");
        assert!(log.contains("prod-am (alertmanager)"), "{log}");
    }
}

#[test]
fn without_the_right_credential_it_is_401_and_no_secret_is_ever_shown() {
    let env = Env::new();
    let cfg = setup(&env, "");
    let mut srv = Server::start(&env, &cfg);
    let a = agent();
    let body = fixture("alertmanager/am_v031_firing_single.json");
    let am = srv.url("/ingest/alertmanager");
    let (s, v) = post(&a, &am, &[], &body);
    assert_eq!(s, 401, "{v}");
    let (s, _) = post(&a, &am, &[("authorization", "Bearer nope")], &body);
    assert_eq!(s, 401);
    // Basic auth with the right user and a wrong password.
    let (s, _) = post(
        &a,
        &am,
        &[("authorization", "Basic emFiYml4Ondyb25n")],
        &body,
    );
    assert_eq!(s, 401);
    // Grafana's token at Alertmanager's endpoint: 404, told where to go.
    let (s, v) = post(&a, &am, &[("authorization", &bearer(GF_TOKEN))], &body);
    assert_eq!(s, 404, "{v}");
    assert!(
        v["error"].as_str().unwrap().contains("/ingest/grafana"),
        "{v}"
    );
    // A generic integration's token for another NAME.
    let (s, _) = post(
        &a,
        &srv.url("/ingest/generic/nagios"),
        &[("authorization", &bearer(AM_TOKEN))],
        &body,
    );
    assert_eq!(s, 404);
    let (s, _) = post(&a, &srv.url("/heartbeat/prod-am"), &[], b"");
    assert_eq!(s, 401);
    assert_eq!(counts(&env), (0, 0), "nothing written");
    assert_eq!(srv.term().code(), Some(0));
    let log = srv.log().join("\n");
    for secret in [AM_TOKEN, GF_TOKEN, GF_HMAC, "zbx-pass-77e1", PD_KEY, "nope"] {
        assert!(!log.contains(secret), "{secret} in the log: {log}");
    }
    assert!(log.contains("POST /ingest/alertmanager 401"), "{log}");
}

#[test]
fn a_body_over_the_limit_is_413_and_nothing_is_written() {
    let env = Env::new();
    let cfg = setup(&env, "[alerts]\nmax_body_bytes = 2048\n");
    let srv = Server::start(&env, &cfg);
    let a = agent();
    let body = fixture("alertmanager/am_v032_group_first_notification.json");
    assert!(body.len() > 2048);
    let auth = bearer(AM_TOKEN);
    let (s, v) = post(
        &a,
        &srv.url("/ingest/alertmanager"),
        &[("authorization", &auth)],
        &body,
    );
    assert_eq!(s, 413, "{v}");
    assert!(
        v["error"].as_str().unwrap().contains("max_body_bytes"),
        "{v}"
    );
    // Chunked, without a length: refused as the limit is crossed.
    let mut c = raw(&srv.addr);
    let head = format!(
        "POST /ingest/alertmanager HTTP/1.1\r\nHost: x\r\nAuthorization: {auth}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    );
    write_all(&c, head.as_bytes());
    for _ in 0..3 {
        let chunk = vec![b' '; 1000];
        let _ = c.write_all(format!("{:x}\r\n", chunk.len()).as_bytes());
        let _ = c.write_all(&chunk);
        let _ = c.write_all(b"\r\n");
    }
    let _ = c.write_all(b"0\r\n\r\n");
    let resp = read_response(&c);
    assert!(resp.starts_with("HTTP/1.1 413"), "{resp}");
    // PagerDuty's endpoint too, in its shape.
    let big = vec![b' '; 4096];
    let (s, v) = post(&a, &srv.url("/v2/enqueue"), &[], &big);
    assert_eq!(s, 413, "{v}");
    assert_eq!(v["status"], "error");
    assert_eq!(counts(&env), (0, 0));
}

#[test]
fn a_body_slower_than_the_read_timeout_is_408() {
    let env = Env::new();
    let cfg = setup(&env, "[alerts]\nread_timeout = \"1s\"\n");
    let srv = Server::start(&env, &cfg);
    let c = raw(&srv.addr);
    let head = format!(
        "POST /ingest/alertmanager HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {AM_TOKEN}\r\nContent-Length: 100\r\nConnection: close\r\n\r\n{{\"alerts\":"
    );
    write_all(&c, head.as_bytes());
    let t = std::time::Instant::now();
    let resp = read_response(&c);
    assert!(resp.starts_with("HTTP/1.1 408"), "{resp}");
    assert!(t.elapsed() < Duration::from_secs(10));
    assert_eq!(counts(&env), (0, 0));
}

#[test]
fn pagerduty_invalid_events_get_pagerdutys_400() {
    let env = Env::new();
    let cfg = setup(&env, "");
    let srv = Server::start(&env, &cfg);
    let a = agent();
    for path in ["/v2/enqueue", "/ingest/pagerduty"] {
        let (s, v) = post(&a, &srv.url(path), &[], b"{not json");
        assert_eq!(s, 400, "{v}");
        assert_eq!(v["status"], "invalid event");
        assert_eq!(v["message"], "Event object is invalid");
        assert!(v["errors"].as_array().is_some_and(|e| !e.is_empty()), "{v}");
    }
    // A well-formed event for a routing key nobody configured: 400
    // "Invalid routing key", as PagerDuty answers; the key is not echoed.
    let other = "0123456789abcdef0123456789abcdef";
    let body = String::from_utf8(fixture("pagerduty/pd_trigger_full.json"))
        .unwrap()
        .replace(PD_KEY, other);
    let (s, v) = post(&a, &srv.url("/v2/enqueue"), &[], body.as_bytes());
    assert_eq!(s, 400, "{v}");
    assert_eq!(
        v["errors"],
        serde_json::json!(["Invalid routing key"]),
        "{v}"
    );
    assert!(!v.to_string().contains(other));
    // A key of the wrong length: PagerDuty's own words for it.
    let body = String::from_utf8(fixture("pagerduty/pd_trigger_full.json"))
        .unwrap()
        .replace(PD_KEY, "short");
    let (s, v) = post(&a, &srv.url("/v2/enqueue"), &[], body.as_bytes());
    assert_eq!(s, 400, "{v}");
    assert!(
        v["errors"][0].as_str().unwrap().contains("routing_key"),
        "{v}"
    );
    assert_eq!(counts(&env), (0, 0));
}

#[test]
fn grafana_without_a_valid_signature_is_401() {
    let env = Env::new();
    let cfg = setup(&env, "");
    let srv = Server::start(&env, &cfg);
    let a = agent();
    let body = fixture("grafana/grafana_firing.json");
    let url = srv.url("/ingest/grafana");
    let auth = bearer(GF_TOKEN);
    let (s, v) = post(&a, &url, &[("authorization", &auth)], &body);
    assert_eq!(s, 401, "{v}");
    // Signed with another secret, or over another body.
    let wrong = grafana_signature("not-the-secret", &body);
    let (s, _) = post(
        &a,
        &url,
        &[
            ("authorization", &auth),
            ("x-grafana-alerting-signature", &wrong),
        ],
        &body,
    );
    assert_eq!(s, 401);
    let other_body = grafana_signature(GF_HMAC, b"{}");
    let (s, _) = post(
        &a,
        &url,
        &[
            ("authorization", &auth),
            ("x-grafana-alerting-signature", &other_body),
        ],
        &body,
    );
    assert_eq!(s, 401);
    // The right signature without the token: still 401 (both are required
    // when both are configured).
    let good = grafana_signature(GF_HMAC, &body);
    let (s, _) = post(&a, &url, &[("x-grafana-alerting-signature", &good)], &body);
    assert_eq!(s, 401);
    assert_eq!(counts(&env), (0, 0));
}

#[test]
fn refuses_to_start_when_a_secret_file_is_not_private() {
    let env = Env::new();
    let cfg = setup(&env, "");
    let file = env.dir.path().join("am.token");
    std::fs::set_permissions(&file, std::os::unix::fs::PermissionsExt::from_mode(0o644)).unwrap();
    let o = env
        .cmd()
        .args(["--config".as_ref(), cfg.as_os_str(), "serve".as_ref()])
        .args(["--listen", "127.0.0.1:0"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&format!("chmod 600 {}", file.display())),
        "{err}"
    );
    assert!(err.contains("prod-am"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    // A link to a private file: refused too.
    std::fs::set_permissions(&file, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    let real = env.dir.path().join("real.token");
    std::fs::rename(&file, &real).unwrap();
    std::os::unix::fs::symlink(&real, &file).unwrap();
    let o = env
        .cmd()
        .args(["--config".as_ref(), cfg.as_os_str(), "serve".as_ref()])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("symbolic link"), "{err}");
}

#[test]
fn refuses_to_start_without_a_database() {
    let env = Env::new();
    let cfg = env.dir.path().join("empty.toml");
    std::fs::write(&cfg, "").unwrap();
    let o = env
        .cmd()
        .args(["--config".as_ref(), cfg.as_os_str(), "serve".as_ref()])
        .args(["--listen", "127.0.0.1:0"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(5), "{err}");
    assert!(err.contains("no database"), "{err}");
    assert!(!env.db().exists(), "nothing created");
}

#[test]
fn listens_only_where_it_is_told() {
    let env = Env::new();
    let cfg = setup(&env, "");
    // A host name is not an address.
    let o = env
        .cmd()
        .args(["--config".as_ref(), cfg.as_os_str(), "serve".as_ref()])
        .args(["--listen", "example.com:8080"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("--listen example.com:8080"), "{err}");
    // Every interface, named on purpose: allowed, with the TLS warning.
    let mut srv = Server::start_with(&env, &cfg, &["--listen", "0.0.0.0:0"]);
    let port = srv.addr.rsplit(':').next().unwrap().to_string();
    std::thread::sleep(Duration::from_millis(200));
    let log = srv.log().join("\n");
    assert!(
        log.contains("reverse proxy") && log.contains("TLS"),
        "{log}"
    );
    let (s, _) = get(&agent(), &format!("http://127.0.0.1:{port}/healthz"));
    assert_eq!(s, 200);
    assert_eq!(srv.term().code(), Some(0));
}

#[test]
fn a_unix_socket_for_a_reverse_proxy() {
    use std::io::Read;
    use std::os::unix::fs::{FileTypeExt, PermissionsExt};
    let env = Env::new();
    let cfg = setup(&env, "");
    let sock = env.dir.path().join("serve.sock");
    let listen = format!("unix:{}", sock.display());
    let mut srv = Server::start_with(&env, &cfg, &["--listen", &listen]);
    assert_eq!(srv.addr, listen);
    let m = std::fs::symlink_metadata(&sock).unwrap();
    assert!(m.file_type().is_socket());
    assert_eq!(m.permissions().mode() & 0o777, 0o660);
    let mut c = std::os::unix::net::UnixStream::connect(&sock).unwrap();
    c.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut resp = String::new();
    c.read_to_string(&mut resp).unwrap();
    assert!(resp.starts_with("HTTP/1.1 200"), "{resp}");
    assert!(resp.contains("\"db\":\"reachable\""), "{resp}");
    assert_eq!(srv.term().code(), Some(0));
    assert!(!sock.exists(), "the socket is removed when it stops");
    // A regular file where the socket would go is never replaced.
    std::fs::write(&sock, "keep me").unwrap();
    let o = env
        .cmd()
        .args(["--config".as_ref(), cfg.as_os_str(), "serve".as_ref()])
        .args(["--listen", &listen])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(5));
    assert_eq!(std::fs::read_to_string(&sock).unwrap(), "keep me");
}

#[test]
fn sigterm_answers_the_request_in_flight_then_exits_0() {
    let env = Env::new();
    let cfg = setup(&env, "");
    let mut srv = Server::start(&env, &cfg);
    let body = fixture("alertmanager/am_v031_firing_single.json");
    let c = raw(&srv.addr);
    let head = format!(
        "POST /ingest/alertmanager HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {AM_TOKEN}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    write_all(&c, head.as_bytes());
    let (half, rest) = body.split_at(body.len() / 2);
    write_all(&c, half);
    std::thread::sleep(Duration::from_millis(200));
    signal(&srv.child, libc::SIGTERM);
    // Stopped accepting: a new connection is refused (or never answered).
    let t = std::time::Instant::now();
    while t.elapsed() < Duration::from_secs(5) {
        if srv.log().iter().any(|l| l.starts_with("SIGTERM")) {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(100));
    assert!(
        std::net::TcpStream::connect(&srv.addr).is_err(),
        "still accepting after SIGTERM"
    );
    // The request in flight is still read and answered, then it exits 0.
    write_all(&c, rest);
    let resp = read_response(&c);
    assert!(resp.starts_with("HTTP/1.1 "), "no answer: {resp:?}");
    assert!(!resp.starts_with("HTTP/1.1 5"), "{resp}");
    assert_eq!(srv.wait(Duration::from_secs(30)).code(), Some(0));
    let log = srv.log().join("\n");
    assert!(log.contains("POST /ingest/alertmanager"), "{log}");
    assert!(log.ends_with("stopped"), "{log}");
}
