//! PagerDuty's Events API v2 (`POST /v2/enqueue`): one event per body.
//!
//! Validated as PagerDuty does, every problem found (not just the first),
//! each naming its field; [`BadBody`] joins them with [`SEPARATOR`] and
//! [`super::pagerduty_errors`] splits them again for the 400 answer's
//! `errors`. Identity is `(routing_key, dedup_key)`: the alert key is the
//! dedup key and [`Batch::routing_key`] carries the routing key (never
//! printed, never in a message). A trigger without a dedup key gets a
//! generated one, returned to the sender.

use super::fields::{Limit, Obj, check, count, join, keep, kind, time};
use crate::intake::model::{AlertIn, BadBody, Batch, Link, Source, State, limits};
use serde_json::Value;
use std::collections::BTreeMap;

/// Between two problems in a PagerDuty [`BadBody`].
pub const SEPARATOR: &str = "; ";

/// How deep `custom_details` objects are flattened into dotted names
/// (`disk.device`); anything deeper is kept as compact JSON text.
const DETAIL_DEPTH: usize = 3;

const SEVERITIES: [&str; 4] = ["critical", "error", "warning", "info"];

pub(super) fn parse(root: &Value) -> Result<Batch, BadBody> {
    let Value::Object(top) = root else {
        return Err(BadBody(format!(
            "body: expected an event object, found {}",
            kind(root)
        )));
    };
    let mut problems = Vec::new();
    let routing_key = text("routing_key", top, "", &mut problems);
    match &routing_key {
        None if blank(top, "routing_key") => {
            problems.push("'routing_key' is missing or blank".into())
        }
        None => {}
        Some(k) if k.chars().count() != 32 => {
            problems.push("Length of 'routing_key' is incorrect (should be 32 characters)".into())
        }
        Some(_) => {}
    }
    let action = text("event_action", top, "", &mut problems);
    let state = match action.as_deref() {
        Some("trigger") => Some(State::Firing),
        Some("acknowledge") => Some(State::Acknowledged),
        Some("resolve") => Some(State::Resolved),
        None => {
            if blank(top, "event_action") {
                problems.push("'event_action' is missing or blank".into());
            }
            None
        }
        Some(_) => {
            problems.push(
                "'event_action' is invalid (must be one of trigger, acknowledge, resolve)".into(),
            );
            None
        }
    };
    let dedup_key = text("dedup_key", top, "", &mut problems).filter(|k| !k.is_empty());
    if let Some(k) = &dedup_key
        && k.len() > limits::KEY_BYTES
    {
        problems.push(format!(
            "Length of 'dedup_key' is incorrect (should be at most {} bytes)",
            limits::KEY_BYTES
        ));
    }
    if dedup_key.is_none() && matches!(state, Some(State::Acknowledged | State::Resolved)) {
        problems.push("'dedup_key' is required to acknowledge or resolve".into());
    }

    let trigger = state == Some(State::Firing);
    let payload = match top.get("payload") {
        Some(Value::Object(p)) => Some(p),
        None | Some(Value::Null) => None,
        Some(other) => {
            problems.push(format!(
                "'payload' must be an object, found {}",
                kind(other)
            ));
            None
        }
    };
    if trigger && matches!(top.get("payload"), None | Some(Value::Null)) {
        problems.push("'payload' is missing (required for a trigger)".into());
    }
    let empty = Obj::new();
    let p = payload.unwrap_or(&empty);
    let summary = text("summary", p, "payload", &mut problems).filter(|s| !s.is_empty());
    let source = text("source", p, "payload", &mut problems).filter(|s| !s.is_empty());
    let severity = text("severity", p, "payload", &mut problems);
    if trigger && payload.is_some() {
        for f in ["summary", "source", "severity"] {
            if blank(p, f) {
                problems.push(format!("'payload.{f}' is missing or blank"));
            }
        }
        if let Some(s) = severity.as_deref().filter(|s| !s.is_empty())
            && !SEVERITIES.contains(&s)
        {
            problems.push(
                "'payload.severity' is invalid (must be one of critical, error, warning, info)"
                    .into(),
            );
        }
    }
    if let Some(s) = &summary
        && s.len() > limits::SUMMARY_BYTES
    {
        problems.push(format!(
            "Length of 'payload.summary' is incorrect (should be at most {} bytes)",
            limits::SUMMARY_BYTES
        ));
    }
    let mut labels = BTreeMap::new();
    if let Some(s) = &source {
        labels.insert("source".to_string(), s.clone());
    }
    for f in ["component", "group", "class"] {
        if let Some(v) = text(f, p, "payload", &mut problems).filter(|v| !v.is_empty()) {
            labels.insert(f.to_string(), v);
        }
    }
    let timestamp = text("timestamp", p, "payload", &mut problems);
    let client = text("client", top, "", &mut problems);
    let client_url = text("client_url", top, "", &mut problems);
    if !problems.is_empty() {
        return Err(BadBody(problems.join(SEPARATOR)));
    }

    // Valid as PagerDuty sees it; now sev's own limits on what is kept.
    for (k, v) in &labels {
        check(v, &format!("payload.{k}"), Limit::Value)?;
    }
    if let Some(s) = &severity {
        check(s, "payload.severity", Limit::Value)?;
    }
    let mut annotations = BTreeMap::new();
    if let Some(d) = p.get("custom_details") {
        details(d, "", 0, &mut annotations)?;
    }
    let mut links = Vec::new();
    if let Some(url) = client_url.filter(|u| !u.is_empty()) {
        let label = client.filter(|c| !c.is_empty()).unwrap_or("client".into());
        links.push(Link {
            label: keep(&label, "client", Limit::Value)?,
            url: keep(&url, "client_url", Limit::Value)?,
        });
    }
    link_list(top, "links", &["text"], &["href"], &mut links)?;
    link_list(top, "images", &["alt"], &["href", "src"], &mut links)?;

    let mut batch = Batch::new(Source::Pagerduty);
    batch.routing_key = routing_key;
    let key = match dedup_key {
        Some(k) => keep(&k, "dedup_key", Limit::Key)?,
        None => {
            batch.generated_key = true;
            format!("{:032x}", fastrand::u128(..))
        }
    };
    batch.group = Some(key.clone());
    batch.alerts.push(AlertIn {
        key,
        state: state.unwrap_or(State::Firing),
        summary: keep(
            summary.as_deref().unwrap_or(""),
            "payload.summary",
            Limit::Summary,
        )?,
        severity,
        labels,
        annotations,
        links,
        // PagerDuty ignores a timestamp it cannot read; so does sev.
        starts_at: time(timestamp.as_deref(), "payload.timestamp").unwrap_or(None),
        ends_at: None,
    });
    Ok(batch)
}

/// A string field, or `None` when absent or `null`; any other type is a
/// problem named in `problems`.
fn text(key: &str, o: &Obj, path: &str, problems: &mut Vec<String>) -> Option<String> {
    match o.get(key) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(other) => {
            problems.push(format!(
                "'{}' must be a string, found {}",
                join(path, key),
                kind(other)
            ));
            None
        }
    }
}

/// Absent, `null` or an empty string: what PagerDuty calls "missing or
/// blank" (a value of the wrong type is reported as that instead).
fn blank(o: &Obj, key: &str) -> bool {
    match o.get(key) {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.trim().is_empty(),
        Some(_) => false,
    }
}

/// `custom_details` as annotations: an object's fields by name (nested
/// objects as `outer.inner`, to [`DETAIL_DEPTH`]), anything else as text —
/// strings as they are, other values as compact JSON. A bare string or
/// array is the one annotation `details`.
fn details(
    v: &Value,
    name: &str,
    depth: usize,
    out: &mut BTreeMap<String, String>,
) -> Result<(), BadBody> {
    let path = if name.is_empty() {
        "payload.custom_details".to_string()
    } else {
        join("payload.custom_details", name)
    };
    match v {
        Value::Object(o) if depth < DETAIL_DEPTH => {
            count(out.len() + o.len(), limits::LABELS, &path, "details")?;
            for (k, v) in o {
                let inner = if name.is_empty() {
                    k.clone()
                } else {
                    format!("{name}.{k}")
                };
                details(v, &inner, depth + 1, out)?;
            }
            Ok(())
        }
        Value::Null if name.is_empty() => Ok(()),
        other => {
            let text = match other {
                Value::String(s) => s.clone(),
                v => serde_json::to_string(v).unwrap_or_default(),
            };
            let name = if name.is_empty() { "details" } else { name };
            check(name, &path, Limit::Value)?;
            check(&text, &path, Limit::Value)?;
            count(
                out.len() + 1,
                limits::LABELS,
                "payload.custom_details",
                "details",
            )?;
            out.insert(name.to_string(), text);
            Ok(())
        }
    }
}

/// PagerDuty's `links` (`href`, `text`) and `images` (`src`, `href`,
/// `alt`): kept as text links, never fetched.
fn link_list(
    top: &Obj,
    field: &str,
    label_keys: &[&str],
    url_keys: &[&str],
    out: &mut Vec<Link>,
) -> Result<(), BadBody> {
    let list = match top.get(field) {
        None | Some(Value::Null) => return Ok(()),
        Some(Value::Array(a)) => a,
        Some(other) => {
            return Err(BadBody(format!(
                "'{field}' must be an array, found {}",
                kind(other)
            )));
        }
    };
    count(out.len() + list.len(), limits::LABELS, field, "links")?;
    for (i, item) in list.iter().enumerate() {
        let path = format!("{field}[{i}]");
        let Value::Object(o) = item else {
            return Err(BadBody(format!(
                "'{path}' must be an object, found {}",
                kind(item)
            )));
        };
        let get = |keys: &[&str]| -> Result<Option<&str>, BadBody> {
            for k in keys {
                if let Some(s) = super::fields::opt_nonempty(o, k, &path)? {
                    return Ok(Some(s));
                }
            }
            Ok(None)
        };
        let Some(url) = get(url_keys)? else {
            continue;
        };
        let label = get(label_keys)?.unwrap_or(field.trim_end_matches('s'));
        out.push(Link {
            label: keep(label, &path, Limit::Value)?,
            url: keep(url, &path, Limit::Value)?,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const KEY: &str = "e93facc04764012d7bfb002500d5d1a6";

    fn problems(v: Value) -> Vec<String> {
        match parse(&v) {
            Ok(_) => vec![],
            Err(e) => e.0.split(SEPARATOR).map(str::to_string).collect(),
        }
    }

    #[test]
    fn every_problem_is_named() {
        let p = problems(json!({"routing_key": "short", "event_action": "fire",
            "dedup_key": "x".repeat(256)}));
        assert_eq!(
            p,
            [
                "Length of 'routing_key' is incorrect (should be 32 characters)",
                "'event_action' is invalid (must be one of trigger, acknowledge, resolve)",
                "Length of 'dedup_key' is incorrect (should be at most 255 bytes)",
            ]
        );
        let p = problems(json!({"routing_key": KEY, "event_action": "trigger",
            "payload": {"severity": "sev1", "summary": 3}}));
        assert_eq!(
            p,
            [
                "'payload.summary' must be a string, found a number",
                "'payload.source' is missing or blank",
                "'payload.severity' is invalid (must be one of critical, error, warning, info)",
            ]
        );
        let p = problems(json!({"routing_key": KEY, "event_action": "resolve"}));
        assert_eq!(p, ["'dedup_key' is required to acknowledge or resolve"]);
        let p = problems(json!({"routing_key": KEY, "event_action": "trigger"}));
        assert_eq!(p, ["'payload' is missing (required for a trigger)"]);
        assert_eq!(
            problems(json!({})),
            [
                "'routing_key' is missing or blank",
                "'event_action' is missing or blank"
            ]
        );
    }

    #[test]
    fn details_flatten_and_stay_bounded() {
        let mut out = BTreeMap::new();
        let v = json!({"a": {"b": {"c": {"d": 1}}}, "n": 1.5, "t": true, "l": [1, "x"],
            "z": null, "s": "text"});
        details(&v, "", 0, &mut out).unwrap();
        let want: BTreeMap<String, String> = [
            ("a.b.c", "{\"d\":1}"),
            ("l", "[1,\"x\"]"),
            ("n", "1.5"),
            ("s", "text"),
            ("t", "true"),
            ("z", "null"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        assert_eq!(out, want);

        let mut out = BTreeMap::new();
        details(&json!("just text"), "", 0, &mut out).unwrap();
        assert_eq!(out.get("details").map(String::as_str), Some("just text"));

        let many: serde_json::Map<String, Value> =
            (0..201).map(|i| (format!("k{i}"), json!(i))).collect();
        let e = details(&Value::Object(many), "", 0, &mut BTreeMap::new()).unwrap_err();
        assert_eq!(
            e.0,
            "payload.custom_details: 201 details, over the limit of 200 per alert"
        );
        let big = json!({"log": "x".repeat(limits::VALUE_BYTES + 1)});
        let e = details(&big, "", 0, &mut BTreeMap::new()).unwrap_err();
        assert!(
            e.0.starts_with("payload.custom_details.log: 16385 bytes"),
            "{e}"
        );
    }
}
