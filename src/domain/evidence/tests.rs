use super::*;
use chrono::TimeZone;

fn sample(head: &[u8]) -> Evidence {
    Evidence {
        argv: vec!["df".into(), "-h".into()],
        started_at: Utc.with_ymd_and_hms(2026, 3, 29, 1, 30, 0).unwrap(),
        duration_ms: 1234,
        exit: Exit::Code(0),
        output_bytes: head.len() as u64,
        head: head.to_vec(),
        tail: Vec::new(),
        omitted: 0,
    }
}

#[test]
fn the_record_round_trips_and_is_printable_ascii() {
    let hostile = "\u{1b}[2J\u{1b}]52;c;aGk=\u{7}\u{202e}evil\u{7f}\0 é 😀\r\n";
    let mut e = sample(hostile.as_bytes());
    e.argv.push("a'b\u{1b}".into());
    let text = e.to_text();
    assert!(
        text.bytes().all(|b| (0x20..0x7f).contains(&b)),
        "not printable ASCII: {text}"
    );
    assert_eq!(Evidence::from_text(&text), Some(e));
}

#[test]
fn output_that_is_not_utf8_is_kept_exactly() {
    let mut e = sample(b"caf\xe9 \xff\xfe");
    e.exit = Exit::Signal(9);
    e.tail = b"\x80end".to_vec();
    e.omitted = 10;
    let text = e.to_text();
    assert!(
        text.contains("output_b64") && text.contains("tail_b64"),
        "{text}"
    );
    assert_eq!(Evidence::from_text(&text), Some(e.clone()));
    assert!(e.output_text().contains("caf\u{fffd}"));
}

#[test]
fn text_that_is_not_a_record_is_refused() {
    assert_eq!(Evidence::from_text("df -h"), None);
    assert_eq!(Evidence::from_text("{}"), None);
    let both = sample(b"x")
        .to_text()
        .replace("\"exit_code\":0", "\"exit_code\":0,\"signal\":9")
        .replace("\"signal\":null,", "");
    assert_eq!(Evidence::from_text(&both), None, "{both}");
}

#[test]
fn headline_and_exit_codes() {
    let mut e = sample(b"");
    assert_eq!(e.headline(), "ran df -h · exit 0 · 1.2s");
    e.exit = Exit::Signal(2);
    e.duration_ms = 200_000;
    assert_eq!(e.headline(), "ran df -h · killed by SIGINT · 3m 20s");
    assert_eq!(e.exit.shell_code(), 130);
    assert_eq!(Exit::Code(3).shell_code(), 3);
    assert_eq!(signal_name(64), "signal 64");
}

#[test]
fn capture_keeps_everything_that_fits() {
    let mut c = Capture::new(10);
    c.push(b"hello");
    c.push(b"world");
    assert_eq!(c.finish(), (b"helloworld".to_vec(), vec![], 0));
    let mut c = Capture::new(10);
    c.push(b"");
    assert_eq!(c.finish(), (vec![], vec![], 0));
}

#[test]
fn capture_keeps_head_and_tail_of_a_megabyte() {
    let mut c = Capture::new(64 * 1024);
    let data: Vec<u8> = (0..1_048_576u32).map(|i| (i % 251) as u8).collect();
    for chunk in data.chunks(4093) {
        c.push(chunk);
    }
    assert_eq!(c.total(), 1_048_576);
    let (head, tail, omitted) = c.finish();
    assert_eq!(head, data[..32 * 1024]);
    assert_eq!(tail, data[data.len() - 32 * 1024..]);
    assert_eq!(omitted, 1_048_576 - 64 * 1024);
}

#[test]
fn capture_cuts_between_characters() {
    // "é" is two bytes: the head's cap (4) falls inside the second one,
    // the tail's start (4 from the end) inside the last one.
    let mut c = Capture::new(8);
    c.push("aéé-é€".as_bytes());
    let (head, tail, omitted) = c.finish();
    assert!(std::str::from_utf8(&head).is_ok(), "{head:?}");
    assert!(std::str::from_utf8(&tail).is_ok(), "{tail:?}");
    assert_eq!(head, "aé".as_bytes());
    assert_eq!(tail, "€".as_bytes());
    assert_eq!(omitted as usize, "aéé-é€".len() - 3 - 3);
}

#[test]
fn capture_of_nothing_keeps_nothing() {
    let mut c = Capture::new(0);
    c.push(b"abc");
    assert_eq!(c.finish(), (vec![], vec![], 3));
}

#[test]
fn output_text_marks_what_was_left_out() {
    let mut e = sample(b"first\r\nsecond");
    e.tail = b"last\n".to_vec();
    e.omitted = 4242;
    assert_eq!(
        e.output_text(),
        "first\nsecond\n… 4242 bytes omitted …\nlast\n"
    );
}

#[test]
fn preview_keeps_first_and_last_lines() {
    let text: String = (1..=20).map(|i| format!("l{i}\n")).collect();
    let e = sample(text.as_bytes());
    assert_eq!(
        e.output_preview(5),
        vec!["l1", "l2", "… 16 more lines (sev show) …", "l19", "l20"]
    );
    assert_eq!(sample(b"a\nb\n").output_preview(5), vec!["a", "b"]);
}

#[test]
fn json_has_the_structured_fields() {
    let mut e = sample(b"out");
    e.exit = Exit::Signal(15);
    let v = e.json();
    assert_eq!(v["command"], "df -h");
    assert_eq!(v["exit_code"], serde_json::Value::Null);
    assert_eq!(v["signal"], "SIGTERM");
    assert_eq!(v["output"], "out");
    assert_eq!(v["started_at"], "2026-03-29T01:30:00Z");
    assert!(v.get("tail").is_none());
}
