//! The email channel against an SMTP sink started by the test, and
//! through a fake sendmail.

use super::email::{base64, compose, header_text};
use super::tests_webhook::message;
use super::*;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What the sink saw: the commands, and the DATA as sent (still stuffed).
#[derive(Default, Debug, Clone)]
struct Seen {
    commands: Vec<String>,
    data: String,
}

/// A one-connection SMTP sink; `reply(command)` may override the answer
/// to a command (by its first word).
fn sink(
    reply: impl Fn(&str) -> Option<&'static str> + Send + 'static,
) -> (String, Arc<Mutex<Seen>>) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap().to_string();
    let seen = Arc::new(Mutex::new(Seen::default()));
    let seen2 = Arc::clone(&seen);
    std::thread::spawn(move || {
        let (s, _) = l.accept().unwrap();
        let mut w = s.try_clone().unwrap();
        let mut r = BufReader::new(s);
        let _ = w.write_all(b"220 sink ESMTP\r\n");
        loop {
            let mut line = String::new();
            if r.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            let cmd = line.trim_end().to_string();
            seen2.lock().unwrap().commands.push(cmd.clone());
            let verb = cmd
                .split([' ', ':'])
                .next()
                .unwrap_or("")
                .to_ascii_uppercase();
            let answer = reply(&verb).unwrap_or(match verb.as_str() {
                "EHLO" => "250-sink\r\n250-8BITMIME\r\n250 SIZE 10000000",
                "DATA" => "354 go ahead",
                "QUIT" => "221 bye",
                _ => "250 ok",
            });
            let _ = w.write_all(format!("{answer}\r\n").as_bytes());
            if verb == "DATA" && answer.starts_with("354") {
                let mut data = String::new();
                loop {
                    let mut l = String::new();
                    if r.read_line(&mut l).unwrap_or(0) == 0 {
                        return;
                    }
                    if l == ".\r\n" {
                        break;
                    }
                    data.push_str(&l);
                }
                seen2.lock().unwrap().data = data;
                let a = reply("END").unwrap_or("250 2.0.0 queued as ABC123");
                let _ = w.write_all(format!("{a}\r\n").as_bytes());
            }
            if verb == "QUIT" {
                return;
            }
        }
    });
    (addr, seen)
}

fn mail(transport: MailTransport) -> Channel {
    Channel::Email(Email {
        transport,
        from: "sev@jump-eu".into(),
        timeout: Duration::from_secs(5),
    })
}

fn to(addr: &str) -> Message {
    let mut m = message("checkout down");
    m.to = addr.into();
    m
}

/// Undo dot-stuffing: what the reader's mailbox holds.
fn unstuff(data: &str) -> String {
    data.split_inclusive("\r\n")
        .map(|l| l.strip_prefix('.').unwrap_or(l))
        .collect()
}

fn header<'a>(data: &'a str, name: &str) -> Vec<&'a str> {
    let head = data.split("\r\n\r\n").next().unwrap();
    head.split("\r\n")
        .filter(|l| l.starts_with(&format!("{name}:")))
        .collect()
}

#[test]
fn smtp_conversation_headers_and_dot_stuffing() {
    let (addr, seen) = sink(|_| None);
    let mut m = to("alice@example.com, bob@example.com");
    m.text = ".\nfirst\n..two dots\n.hidden\nend.\n".into();
    let ok = deliver(&mail(MailTransport::Smtp(addr)), &m).unwrap();
    assert_eq!(ok.detail, "SMTP 250 2.0.0 queued as ABC123");
    let s = seen.lock().unwrap().clone();
    assert!(s.commands[0].starts_with("EHLO "), "{:?}", s.commands);
    assert_eq!(
        &s.commands[1..],
        [
            "MAIL FROM:<sev@jump-eu>",
            "RCPT TO:<alice@example.com>",
            "RCPT TO:<bob@example.com>",
            "DATA",
            "QUIT"
        ]
    );
    let body = s.data.split_once("\r\n\r\n").unwrap().1;
    assert_eq!(body, "..\r\nfirst\r\n...two dots\r\n..hidden\r\nend.\r\n");
    assert_eq!(
        unstuff(body),
        ".\r\nfirst\r\n..two dots\r\n.hidden\r\nend.\r\n"
    );
    assert_eq!(header(&s.data, "From"), ["From: sev@jump-eu"]);
    assert_eq!(
        header(&s.data, "To"),
        ["To: alice@example.com, bob@example.com"]
    );
    assert_eq!(
        header(&s.data, "Subject"),
        ["Subject: [SEV2] INC-12 checkout down"]
    );
    assert_eq!(
        header(&s.data, "Message-ID"),
        ["Message-ID: <inc-12-page-alice-1@sev>"]
    );
    assert_eq!(
        header(&s.data, "Content-Type"),
        ["Content-Type: text/plain; charset=utf-8"]
    );
    assert_eq!(header(&s.data, "Date").len(), 1);
}

#[test]
fn a_header_injection_in_the_subject_stays_in_the_subject() {
    let (addr, seen) = sink(|_| None);
    let mut m = to("alice@example.com");
    m.subject = "hi\r\nBcc: evil@example.com\nX-Evil: 1\r\n\r\nbody?".into();
    deliver(&mail(MailTransport::Smtp(addr)), &m).unwrap();
    let s = seen.lock().unwrap().clone();
    assert!(header(&s.data, "Bcc").is_empty(), "{}", s.data);
    assert!(header(&s.data, "X-Evil").is_empty(), "{}", s.data);
    assert_eq!(
        header(&s.data, "Subject"),
        ["Subject: hi  Bcc: evil@example.com X-Evil: 1    body?"]
    );
    assert!(!s.commands.iter().any(|c| c.contains("evil")));
}

#[test]
fn a_non_ascii_subject_is_rfc2047_encoded_and_folded() {
    let subject = "Ausfall: Zahlungen schlagen fehl — Käufer sehen 502 🔥 ".repeat(3);
    let h = header_text(&subject);
    let words: Vec<&str> = h.split("\r\n ").collect();
    assert!(words.len() > 1);
    let mut back = Vec::new();
    for w in &words {
        assert!(w.len() <= 75, "{w}");
        let b64 = w
            .strip_prefix("=?UTF-8?B?")
            .and_then(|w| w.strip_suffix("?="))
            .unwrap();
        back.extend(decode64(b64));
    }
    assert_eq!(String::from_utf8(back).unwrap(), subject.trim());
    // ASCII that looks like an encoded word is encoded too.
    assert!(header_text("=?UTF-8?B?ZXZpbA==?=").starts_with("=?UTF-8?B?PT9"));
    assert_eq!(header_text("plain words"), "plain words");
}

fn decode64(s: &str) -> Vec<u8> {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut bits = 0u32;
    let mut n = 0;
    let mut out = Vec::new();
    for c in s.bytes().filter(|c| *c != b'=') {
        bits = (bits << 6) | A.iter().position(|a| *a == c).unwrap() as u32;
        n += 6;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
        }
    }
    out
}

#[test]
fn base64_matches_the_rfc_4648_vectors() {
    for (i, o) in [
        ("", ""),
        ("f", "Zg=="),
        ("fo", "Zm8="),
        ("foo", "Zm9v"),
        ("foob", "Zm9vYg=="),
        ("fooba", "Zm9vYmE="),
        ("foobar", "Zm9vYmFy"),
    ] {
        assert_eq!(base64(i.as_bytes()), o);
    }
}

#[test]
fn a_non_ascii_or_long_body_is_quoted_printable() {
    let mut m = to("alice@example.com");
    m.text = format!("Käufer = sad\n{}\n", "x".repeat(2000));
    let t = compose(
        "sev@jump-eu",
        &["alice@example.com".into()],
        &m,
        chrono::Utc::now(),
    );
    assert_eq!(
        header(&t, "Content-Transfer-Encoding"),
        ["Content-Transfer-Encoding: quoted-printable"]
    );
    let body = t.split_once("\r\n\r\n").unwrap().1;
    assert!(body.starts_with("K=C3=A4ufer =3D sad\r\n"), "{body}");
    assert!(body.split("\r\n").all(|l| l.len() <= 76));
    m.text = "plain\n".into();
    let t = compose("sev@jump-eu", &["a@b.c".into()], &m, chrono::Utc::now());
    assert_eq!(
        header(&t, "Content-Transfer-Encoding"),
        ["Content-Transfer-Encoding: 7bit"]
    );
}

#[test]
fn smtp_replies_decide_retry() {
    for (verb, answer, retry) in [
        ("RCPT", "451 4.3.0 try again later", true),
        ("RCPT", "550 5.1.1 no such user", false),
        ("MAIL", "421 shutting down", true),
        ("END", "552 message too big", false),
        ("END", "452 out of space", true),
    ] {
        let (addr, _) = sink(move |v| (v == verb).then_some(answer));
        let e = deliver(&mail(MailTransport::Smtp(addr)), &to("a@example.com")).unwrap_err();
        assert_eq!(e.retryable, retry, "{verb} {answer}: {e:?}");
        assert!(e.message.contains(answer), "{e:?}");
    }
}

#[test]
fn helo_when_ehlo_is_refused() {
    let (addr, seen) = sink(|v| (v == "EHLO").then_some("502 command not implemented"));
    deliver(&mail(MailTransport::Smtp(addr)), &to("a@example.com")).unwrap();
    let s = seen.lock().unwrap().clone();
    assert!(s.commands[1].starts_with("HELO "), "{:?}", s.commands);
}

#[test]
fn a_relay_that_is_down_or_silent_is_retryable() {
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let e = deliver(
        &mail(MailTransport::Smtp(format!("127.0.0.1:{port}"))),
        &to("a@example.com"),
    )
    .unwrap_err();
    assert!(e.retryable, "{e:?}");
    // Accepts but never greets.
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap().to_string();
    let ch = Channel::Email(Email {
        transport: MailTransport::Smtp(addr),
        from: "sev@jump-eu".into(),
        timeout: Duration::from_millis(600),
    });
    let t = Instant::now();
    let e = deliver(&ch, &to("a@example.com")).unwrap_err();
    assert!(t.elapsed() < Duration::from_secs(3));
    assert!(e.retryable && e.message.contains("timeout"), "{e:?}");
    drop(l);
}

#[test]
fn bad_recipients_are_refused_before_connecting() {
    for bad in [
        "",
        "alice",
        "a@b.c>\r\nRCPT TO:<evil@x.y",
        "a@b.c\nBcc: x@y.z",
        "<a@b.c>",
    ] {
        // Nothing listens here: a refusal must come before any connection.
        let e = deliver(&mail(MailTransport::Smtp("127.0.0.1:9".into())), &to(bad)).unwrap_err();
        assert!(!e.retryable, "{bad:?}: {e:?}");
    }
}

#[test]
fn sendmail_gets_the_message_and_its_exit_code_decides() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path().display().to_string();
    let fake = d.path().join("sendmail");
    std::fs::write(d.path().join("code"), "0").unwrap();
    std::fs::write(
        &fake,
        format!(
            "#!/bin/sh\necho \"$*\" > '{dir}/args'\ncat > '{dir}/msg'\nc=$(cat '{dir}/code')\n\
             [ \"$c\" = 0 ] || echo \"code $c\"\nexit $c\n"
        ),
    )
    .unwrap();
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let ch = mail(MailTransport::Sendmail(fake.clone()));
    // A file just written may be "busy" while another test thread forks.
    let send = || {
        let mut r = deliver(&ch, &to("alice@example.com"));
        for _ in 0..20 {
            if !r.as_ref().is_err_and(|e| e.message.contains("busy")) {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
            r = deliver(&ch, &to("alice@example.com"));
        }
        r
    };
    assert_eq!(send().unwrap().detail, "exit 0");
    assert_eq!(
        std::fs::read_to_string(d.path().join("args")).unwrap(),
        "-t -i\n"
    );
    let msg = std::fs::read_to_string(d.path().join("msg")).unwrap();
    assert!(!msg.contains('\r'), "sendmail reads LF lines");
    assert!(msg.contains("\nTo: alice@example.com\n"), "{msg}");
    assert!(msg.contains("\n\nAcknowledge: sev ack INC-12\n"), "{msg}");
    // Exit codes: a temporary failure is retried, a bad address is not.
    for (code, retry) in [(75, true), (67, false), (1, true)] {
        std::fs::write(d.path().join("code"), code.to_string()).unwrap();
        let e = send().unwrap_err();
        assert_eq!(e.retryable, retry, "{code}: {e:?}");
        assert_eq!(e.message, format!("exit {code}\ncode {code}"));
    }
}
