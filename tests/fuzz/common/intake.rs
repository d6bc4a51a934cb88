//! What every intake fuzz target checks: a body is parsed or refused with
//! a one-line message, never a panic; a parsed batch obeys every limit; the
//! body as stored is the body with its routing key redacted.

use sev::intake::config::Integration;
use sev::intake::model::{BadBody, Batch, Source, limits};
use sev::intake::parse::{parse, redact};

pub fn run(source: Source, integ: &Integration, data: &[u8]) -> Result<Batch, BadBody> {
    let now = chrono::DateTime::from_timestamp(1_788_250_800, 0).unwrap();
    let stored = redact(source, data);
    if let Ok(serde_json::Value::Object(o)) = serde_json::from_str::<serde_json::Value>(&stored)
        && let Some(k) = o.get("routing_key")
    {
        assert_eq!(k, "<redacted>", "a routing key stored unredacted");
    }
    let out = parse(source, data, integ, now);
    match &out {
        Ok(b) => check(source, b),
        Err(e) => assert!(!e.0.contains(['\n', '\r']), "not one line: {:?}", e.0),
    }
    // What was accepted once is accepted again, the same way (PagerDuty's
    // generated keys aside).
    let again = parse(source, data, integ, now);
    match (&out, &again) {
        (Ok(a), Ok(b)) if !a.generated_key => assert_eq!(a, b),
        (Ok(_), Ok(_)) => {}
        (Err(a), Err(b)) => assert_eq!(a, b),
        _ => panic!("parsed differently twice"),
    }
    out
}

fn check(source: Source, b: &Batch) {
    assert_eq!(b.source, source);
    assert!(b.alerts.len() <= limits::ALERTS);
    if source == Source::Pagerduty {
        assert_eq!(b.alerts.len(), 1);
        assert_eq!(b.routing_key.as_ref().map(|k| k.chars().count()), Some(32));
    }
    let text = |s: &str, max: usize| {
        assert!(s.len() <= max, "{} bytes over {max}", s.len());
        assert!(!s.contains('\0'), "NUL kept");
    };
    if let Some(g) = &b.group {
        assert!(!g.is_empty());
        text(g, limits::VALUE_BYTES);
    }
    for a in &b.alerts {
        assert!(!a.key.is_empty());
        text(&a.key, limits::KEY_BYTES);
        text(&a.summary, limits::SUMMARY_BYTES);
        for m in [&a.labels, &a.annotations] {
            assert!(m.len() <= limits::LABELS);
            for (k, v) in m {
                text(k, limits::VALUE_BYTES);
                text(v, limits::VALUE_BYTES);
            }
        }
        assert!(a.links.len() <= limits::LABELS);
        for l in &a.links {
            text(&l.label, limits::VALUE_BYTES);
            text(&l.url, limits::VALUE_BYTES);
            assert!(!l.url.is_empty());
        }
        if let Some(s) = &a.severity {
            text(s, limits::VALUE_BYTES);
        }
    }
}
