//! Reading an untrusted JSON body: getters that name the field when the
//! body is not what the format says, and the [`limits`] every kept text
//! obeys. Text is kept exactly as sent (escapes, bidi controls and all —
//! output paths sanitize); the one thing refused is a NUL character, which
//! PostgreSQL cannot store in a text column.

use crate::intake::model::{BadBody, limits};
use chrono::{DateTime, Datelike, Utc};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

pub(super) type Obj = Map<String, Value>;

pub(super) fn bad<T>(msg: impl Into<String>) -> Result<T, BadBody> {
    Err(BadBody(msg.into()))
}

/// The body as JSON. Empty, non-UTF-8, malformed or too deeply nested
/// (serde_json stops at 128 levels) bodies are refused.
pub(super) fn json(body: &[u8]) -> Result<Value, BadBody> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return bad("empty body: expected a JSON object");
    }
    serde_json::from_slice(body).map_err(|e| BadBody(format!("body is not valid JSON: {e}")))
}

/// What a JSON value is, for messages ("expected a string, found a number").
pub(super) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// `path.key`, or `path["odd key"]` when the key is not a plain word (the
/// key is quoted with escapes and cut short: it is untrusted).
pub(super) fn join(path: &str, key: &str) -> String {
    let plain = !key.is_empty()
        && key.len() <= 64
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    let sep = if path.is_empty() { "" } else { "." };
    if plain {
        format!("{path}{sep}{key}")
    } else {
        let short: String = key.chars().take(40).collect();
        let more = if short.len() < key.len() { "…" } else { "" };
        format!("{path}[{short:?}{more}]")
    }
}

pub(super) fn object<'a>(v: &'a Value, path: &str) -> Result<&'a Obj, BadBody> {
    match v {
        Value::Object(o) => Ok(o),
        other => bad(format!("{path}: expected an object, found {}", kind(other))),
    }
}

/// An optional string field: absent or `null` is `None`.
pub(super) fn opt_str<'a>(o: &'a Obj, key: &str, path: &str) -> Result<Option<&'a str>, BadBody> {
    match o.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => bad(format!(
            "{}: expected a string, found {}",
            join(path, key),
            kind(other)
        )),
    }
}

/// An optional string field where an empty string means absent.
pub(super) fn opt_nonempty<'a>(
    o: &'a Obj,
    key: &str,
    path: &str,
) -> Result<Option<&'a str>, BadBody> {
    Ok(opt_str(o, key, path)?.filter(|s| !s.is_empty()))
}

/// What each kind of kept text is called in messages, with its limit.
#[derive(Debug, Clone, Copy)]
pub(super) enum Limit {
    Key,
    Summary,
    Value,
}

impl Limit {
    fn bytes(self) -> usize {
        match self {
            Limit::Key => limits::KEY_BYTES,
            Limit::Summary => limits::SUMMARY_BYTES,
            Limit::Value => limits::VALUE_BYTES,
        }
    }

    fn what(self) -> &'static str {
        match self {
            Limit::Key => "a key",
            Limit::Summary => "a summary",
            Limit::Value => "a value",
        }
    }
}

/// Check one kept text against its limit and for NUL characters.
pub(super) fn check(s: &str, path: &str, limit: Limit) -> Result<(), BadBody> {
    if s.len() > limit.bytes() {
        return bad(format!(
            "{path}: {} bytes, over the limit of {} bytes for {}",
            s.len(),
            limit.bytes(),
            limit.what()
        ));
    }
    if s.contains('\0') {
        return bad(format!(
            "{path}: contains a NUL character (\\u0000), which cannot be stored"
        ));
    }
    Ok(())
}

/// The text, checked, as an owned string.
pub(super) fn keep(s: &str, path: &str, limit: Limit) -> Result<String, BadBody> {
    check(s, path, limit)?;
    Ok(s.to_string())
}

/// Refuse more than `max` entries before converting any of them.
pub(super) fn count(n: usize, max: usize, path: &str, what: &str) -> Result<(), BadBody> {
    if n > max {
        return bad(format!(
            "{path}: {n} {what}, over the limit of {max} per {}",
            if what == "alerts" { "body" } else { "alert" }
        ));
    }
    Ok(())
}

/// A `{"name": "value"}` object of strings (labels, annotations): absent or
/// `null` is empty; at most [`limits::LABELS`] entries, each name and value
/// at most [`limits::VALUE_BYTES`].
pub(super) fn string_map(
    v: Option<&Value>,
    path: &str,
) -> Result<BTreeMap<String, String>, BadBody> {
    let o = match v {
        None | Some(Value::Null) => return Ok(BTreeMap::new()),
        Some(v) => object(v, path)?,
    };
    count(o.len(), limits::LABELS, path, "entries")?;
    let mut out = BTreeMap::new();
    for (k, v) in o {
        let here = join(path, k);
        check(k, &here, Limit::Value)?;
        match v {
            Value::String(s) => {
                check(s, &here, Limit::Value)?;
                out.insert(k.clone(), s.clone());
            }
            other => {
                return bad(format!("{here}: expected a string, found {}", kind(other)));
            }
        }
    }
    Ok(out)
}

/// A time the sender wrote (RFC 3339; PagerDuty also `+0000` offsets).
/// Go's zero time (`0001-01-01T00:00:00Z`, a firing alert's `endsAt`) is
/// no time at all.
pub(super) fn time(s: Option<&str>, path: &str) -> Result<Option<DateTime<Utc>>, BadBody> {
    let Some(s) = s.filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    let parsed = DateTime::parse_from_rfc3339(s)
        .or_else(|_| DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f%z"));
    match parsed {
        Ok(t) if t.year() <= 1 => Ok(None),
        Ok(t) => Ok(Some(t.with_timezone(&Utc))),
        Err(_) => {
            let short: String = s.chars().take(40).collect();
            bad(format!(
                "{path}: {short:?} is not a time (expected RFC 3339, like 2026-09-01T08:07:44Z)"
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn odd_keys_are_quoted_and_short() {
        assert_eq!(join("alerts[0].labels", "team"), "alerts[0].labels.team");
        assert_eq!(join("", "alerts"), "alerts");
        let k = format!("a\u{1b}[2J{}", "x".repeat(100));
        let p = join("labels", &k);
        assert!(p.starts_with("labels[\"a\\u{1b}[2J"), "{p}");
        assert!(p.ends_with("…]"), "{p}");
        assert!(!p.contains('\u{1b}'));
    }

    #[test]
    fn times() {
        let t = time(Some("2026-09-01T08:42:58.315+0000"), "t").unwrap();
        assert_eq!(t.unwrap().to_rfc3339(), "2026-09-01T08:42:58.315+00:00");
        assert_eq!(time(Some("0001-01-01T00:00:00Z"), "t"), Ok(None));
        assert_eq!(time(None, "t"), Ok(None));
        let e = time(Some("yesterday"), "alerts[0].startsAt").unwrap_err();
        assert!(e.0.starts_with("alerts[0].startsAt: \"yesterday\" is not a time"));
    }

    #[test]
    fn limits_name_the_field() {
        let e = check(&"x".repeat(300), "alerts[1].fingerprint", Limit::Key).unwrap_err();
        assert_eq!(
            e.0,
            "alerts[1].fingerprint: 300 bytes, over the limit of 255 bytes for a key"
        );
        let e = check("a\0b", "labels.x", Limit::Value).unwrap_err();
        assert!(e.0.contains("NUL"));
        assert!(check("esc \u{1b}[31m kept", "x", Limit::Value).is_ok());
    }
}
