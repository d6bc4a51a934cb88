//! The webhook channel against a receiver started by the test.

use super::test_http::{Receiver, Reply};
use super::*;
use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, Instant};

pub(super) fn message(title: &str) -> Message {
    Message {
        id: 42,
        idempotency_key: "inc-12-page-alice-1".into(),
        kind: "page".into(),
        to: "@alice".into(),
        incident: Some(IncidentInfo {
            reference: "INC-12".into(),
            title: title.into(),
            severity: "SEV2".into(),
            priority: "P1".into(),
            status: "investigating".into(),
            service: Some("checkout".into()),
            assignee: None,
        }),
        subject: format!("[SEV2] INC-12 {title}"),
        text: "Acknowledge: sev ack INC-12\n".into(),
        fields: serde_json::json!({"step": 1}),
    }
}

fn hook(url: &str, format: Format) -> Channel {
    Channel::Webhook(Webhook {
        url: url.into(),
        format,
        headers_file: None,
        timeout: Duration::from_secs(5),
    })
}

#[test]
fn json_body_headers_and_idempotency_key() {
    let r = Receiver::start(Reply::status(200));
    let hostile = "$(reboot) \"; rm -rf ~ \u{202e} <!channel>\n";
    let msg = message(hostile);
    let d = deliver(&hook(&r.url, Format::Json), &msg).unwrap();
    assert_eq!(d.detail, "HTTP 200");
    let req = &r.requests()[0];
    assert_eq!(req.method, "POST");
    assert_eq!(req.path, "/hook");
    assert_eq!(req.header("content-type"), Some("application/json"));
    assert_eq!(req.header("idempotency-key"), Some("inc-12-page-alice-1"));
    assert_eq!(req.header("x-sev-message-id"), Some("42"));
    let body = req.json();
    assert_eq!(body, serde_json::to_value(&msg).unwrap());
    // The title arrives as the same string: data, escaped by JSON.
    assert_eq!(body["incident"]["title"], hostile);
    assert_eq!(body["fields"]["step"], 1);
    assert_eq!(body["incident"]["assignee"], serde_json::Value::Null);
}

#[test]
fn slack_format_is_one_text_field_with_mentions_escaped() {
    let r = Receiver::start(Reply::status(200));
    let msg = message("db <!channel> & <@U123>");
    deliver(&hook(&r.url, Format::Slack), &msg).unwrap();
    let body = r.requests()[0].json();
    assert_eq!(
        body,
        serde_json::json!({
            "text": "[SEV2] INC-12 db &lt;!channel&gt; &amp; &lt;@U123&gt;\nAcknowledge: sev ack INC-12\n"
        })
    );
    assert_eq!(
        r.requests()[0].header("idempotency-key"),
        Some("inc-12-page-alice-1")
    );
}

#[test]
fn statuses_decide_retry() {
    let r = Receiver::start(Reply::status(500));
    let ch = hook(&r.url, Format::Json);
    for (status, retry) in [
        (500, true),
        (503, true),
        (429, true),
        (408, true),
        (400, false),
        (401, false),
        (404, false),
        (410, false),
    ] {
        let mut reply = Reply::status(status);
        reply.body = b"upstream said no".to_vec();
        r.set(reply);
        let e = deliver(&ch, &message("x")).unwrap_err();
        assert_eq!(e.retryable, retry, "{status}: {e:?}");
        assert!(
            e.message
                .starts_with(&format!("HTTP {status}: upstream said no")),
            "{e:?}"
        );
    }
    r.set(Reply::status(204));
    assert_eq!(deliver(&ch, &message("x")).unwrap().detail, "HTTP 204");
}

#[test]
fn a_redirect_is_not_followed() {
    let r = Receiver::start(Reply::status(200));
    let mut reply = Reply::status(301);
    reply.extra = "location: https://example.com/new\r\n".into();
    r.set(reply);
    let e = deliver(&hook(&r.url, Format::Json), &message("x")).unwrap_err();
    assert!(!e.retryable);
    assert!(e.message.contains("https://example.com/new"), "{e:?}");
    assert_eq!(r.requests().len(), 1);
}

#[test]
fn a_receiver_that_is_down_is_retryable() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let e = deliver(
        &hook(&format!("http://127.0.0.1:{port}/hook"), Format::Json),
        &message("x"),
    )
    .unwrap_err();
    assert!(e.retryable, "{e:?}");
}

#[test]
fn a_slow_receiver_times_out() {
    let mut reply = Reply::status(200);
    reply.delay = Duration::from_secs(5);
    let r = Receiver::start(reply);
    let ch = Channel::Webhook(Webhook {
        url: r.url.clone(),
        format: Format::Json,
        headers_file: None,
        timeout: Duration::from_millis(700),
    });
    let t = Instant::now();
    let e = deliver(&ch, &message("x")).unwrap_err();
    assert!(t.elapsed() < Duration::from_secs(3), "{:?}", t.elapsed());
    assert!(e.retryable, "{e:?}");
    assert!(e.message.contains("timeout"), "{e:?}");
}

#[test]
fn a_huge_answer_is_read_only_in_part() {
    let mut reply = Reply::status(502);
    reply.body = vec![b'x'; 4 << 20];
    let r = Receiver::start(reply);
    let e = deliver(&hook(&r.url, Format::Json), &message("x")).unwrap_err();
    assert!(e.retryable);
    assert!(e.message.len() < 1024, "{}", e.message.len());
}

#[test]
fn the_sender_reuses_one_connection() {
    let r = Receiver::start(Reply::status(200));
    let channels: Channels = [("ops".to_string(), hook(&r.url, Format::Json))].into();
    let s = Sender::new(&channels);
    let n = 300;
    let t = Instant::now();
    for i in 0..n {
        let mut m = message("x");
        m.id = i;
        s.deliver("ops", &m).unwrap();
    }
    let rate = n as f64 / t.elapsed().as_secs_f64();
    eprintln!("{rate:.0} messages/s through one kept-alive connection");
    assert_eq!(r.connections(), 1);
    assert_eq!(r.requests().len(), n as usize);
    assert_eq!(r.requests()[299].header("x-sev-message-id"), Some("299"));
    let e = s.deliver("nope", &message("x")).unwrap_err();
    assert!(
        !e.retryable && e.message.contains("no channel named"),
        "{e:?}"
    );
}

#[test]
fn headers_file_is_sent_and_must_be_private() {
    let r = Receiver::start(Reply::status(200));
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("hook-headers");
    std::fs::write(&p, "Authorization: Bearer s3cr3t\nX-Team: ops\n").unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
    let ch = Channel::Webhook(Webhook {
        url: r.url.clone(),
        format: Format::Json,
        headers_file: Some(p.clone()),
        timeout: Duration::from_secs(5),
    });
    let channels: Channels = [("ops".to_string(), ch.clone())].into();
    let s = Sender::new(&channels);
    let e = s.deliver("ops", &message("x")).unwrap_err();
    assert!(!e.retryable);
    assert!(
        e.message.contains(&format!("chmod 600 {}", p.display())),
        "{e:?}"
    );
    assert!(!e.message.contains("s3cr3t"));
    assert!(
        r.requests().is_empty(),
        "nothing is sent without the headers"
    );
    // Fixed by the owner: the same sender reads it again.
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
    s.deliver("ops", &message("x")).unwrap();
    deliver(&ch, &message("x")).unwrap();
    for req in r.requests() {
        assert_eq!(req.header("authorization"), Some("Bearer s3cr3t"));
        assert_eq!(req.header("x-team"), Some("ops"));
        assert_eq!(req.header("content-type"), Some("application/json"));
    }
}
