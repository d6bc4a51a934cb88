//! One parser per sender, each turning a request body into a [`Batch`].
//! Bodies are untrusted: every size is checked against [`limits`], unknown
//! fields are ignored, and a body that is not the format is a [`BadBody`]
//! naming the field — never a panic.
//!
//! Text is kept exactly as sent (sanitizing happens on output); only a NUL
//! character is refused, because PostgreSQL cannot store it. A body that
//! breaks a limit is refused whole, never truncated; the alert count is
//! checked before any alert is converted.
//!
//! [`limits`]: super::model::limits

mod alertmanager;
mod fields;
mod generic;
mod grafana;
mod pagerduty;

use super::config::Integration;
use super::model::{BadBody, Batch, Source};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

pub use grafana::{
    SIGNATURE_HEADER as GRAFANA_SIGNATURE_HEADER, TIMESTAMP_HEADER as GRAFANA_TIMESTAMP_HEADER,
};

/// Parse `body` as `source` sends it, for integration `integ` (a generic
/// source needs its mapping). `now` is unused by today's formats (a
/// PagerDuty trigger without a dedup key gets a random one).
pub fn parse(
    source: Source,
    body: &[u8],
    integ: &Integration,
    _now: DateTime<Utc>,
) -> Result<Batch, BadBody> {
    if source == Source::Heartbeat {
        return Err(BadBody(
            "heartbeats have no body to parse: POST /heartbeat/NAME".into(),
        ));
    }
    let root = fields::json(body)?;
    match source {
        Source::Alertmanager => alertmanager::parse(&root),
        Source::Grafana => grafana::parse(&root),
        Source::Pagerduty => pagerduty::parse(&root),
        Source::Generic => generic::parse(&root, integ),
        Source::Heartbeat => unreachable!("handled above"),
    }
}

/// The body as stored: a top-level `routing_key` (PagerDuty's credential)
/// replaced by `"<redacted>"`, whatever the source. A body without one is
/// stored exactly as it came; one that is not JSON, as text (invalid UTF-8
/// replaced by U+FFFD).
pub fn redact(_source: Source, body: &[u8]) -> String {
    // Read what will be stored: a body made valid JSON by the U+FFFD
    // replacement must not keep its routing key either.
    let text = String::from_utf8_lossy(body);
    if let Ok(serde_json::Value::Object(mut o)) = serde_json::from_str(&text)
        && let Some(k) = o.get_mut("routing_key")
    {
        *k = serde_json::Value::String("<redacted>".into());
        if let Ok(s) = serde_json::to_string(&o) {
            return s;
        }
    }
    text.into_owned()
}

/// Grafana's [`GRAFANA_SIGNATURE_HEADER`]: hex(HMAC-SHA256(secret,
/// [timestamp + ":"] + body)), compared in constant time. `timestamp` is
/// the value of [`GRAFANA_TIMESTAMP_HEADER`] when the request has one.
pub fn grafana_signature_ok(
    secret: &[u8],
    body: &[u8],
    signature_hex: &str,
    timestamp: Option<&str>,
) -> bool {
    grafana::signature_ok(secret, body, signature_hex, timestamp)
}

/// The problems a refused PagerDuty event had, one per entry: the `errors`
/// of PagerDuty's 400 answer.
pub fn pagerduty_errors(bad: &BadBody) -> Vec<String> {
    bad.0
        .split(pagerduty::SEPARATOR)
        .map(str::to_string)
        .collect()
}

/// Alertmanager's fingerprint of a label set (16 hex digits), as it
/// computes it for an alert.
pub fn alertmanager_fingerprint(labels: &BTreeMap<String, String>) -> String {
    alertmanager::fingerprint(labels)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_only_the_routing_key() {
        let body = br#"{"routing_key":"e93facc04764012d7bfb002500d5d1a6","event_action":"trigger","payload":{"routing_key":"nested stays"}}"#;
        let r = redact(Source::Pagerduty, body);
        assert!(!r.contains("e93facc0"), "{r}");
        let v: serde_json::Value = serde_json::from_str(&r).unwrap();
        assert_eq!(v["routing_key"], "<redacted>");
        assert_eq!(v["event_action"], "trigger");
        assert_eq!(v["payload"]["routing_key"], "nested stays");
        // Duplicate keys: serde_json keeps the last, which is redacted.
        let dup = br#"{"routing_key":"a","routing_key":"b"}"#;
        assert_eq!(
            redact(Source::Pagerduty, dup),
            r#"{"routing_key":"<redacted>"}"#
        );

        // No routing key: exactly the bytes that came.
        let plain = b"{ \"Authorization\": \"Bearer x\" ,\"a\":1}";
        assert_eq!(redact(Source::Generic, plain).as_bytes(), plain);
        assert_eq!(
            redact(Source::Generic, b"not json \xff"),
            "not json \u{fffd}"
        );
        assert_eq!(redact(Source::Generic, b""), "");
        // Invalid UTF-8 elsewhere in the body (found by fuzzing): what is
        // stored is JSON once replaced, so the key is redacted all the same.
        let odd = b"{\"summary\":\"a\xd8b\",\"routing_key\":\"e93facc04764012d7bfb002500d5d1a6\"}";
        let r = redact(Source::Pagerduty, odd);
        assert!(!r.contains("e93facc0"), "{r}");
        assert!(r.contains("a\u{fffd}b"), "{r}");
    }

    #[test]
    fn heartbeat_and_garbage_are_bad_bodies() {
        let i = Integration::named("x", Source::Alertmanager);
        let now = Utc::now();
        assert!(parse(Source::Heartbeat, b"{}", &i, now).is_err());
        for body in [&b""[..], b"   \n", b"nope", b"\xff\xfe", b"{\"alerts\":"] {
            for s in [
                Source::Alertmanager,
                Source::Grafana,
                Source::Pagerduty,
                Source::Generic,
            ] {
                assert!(parse(s, body, &i, now).is_err(), "{s} {body:?}");
            }
        }
    }
}
