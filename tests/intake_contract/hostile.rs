//! Hostile bodies: refused with a one-line message naming the field or the
//! limit, or kept exactly as sent; never a panic.

use crate::*;
use serde_json::json;
use sev::intake::model::limits;
use sev::intake::parse::pagerduty_errors;

const SOURCES: [Source; 4] = [
    Source::Alertmanager,
    Source::Grafana,
    Source::Pagerduty,
    Source::Generic,
];

fn any_source(source: Source, body: &[u8]) -> Result<Batch, BadBody> {
    match source {
        Source::Generic => parse_generic("goalert", body),
        s => parse_as(s, body),
    }
}

fn bad(source: Source, body: &[u8]) -> String {
    match any_source(source, body) {
        Ok(b) => panic!("{source}: accepted {b:?}"),
        Err(e) => {
            assert!(!e.0.contains('\n'), "one line: {e}");
            e.0
        }
    }
}

/// An Alertmanager body whose first alert is `alert` (fields merged over
/// a valid one).
fn am_with(alert: Value) -> Vec<u8> {
    let mut v = fixture_json("alertmanager/am_v031_firing_single.json");
    let a = v["alerts"][0].as_object_mut().unwrap();
    for (k, val) in alert.as_object().unwrap() {
        a.insert(k.clone(), val.clone());
    }
    v.to_string().into_bytes()
}

fn am_alerts(n: usize) -> Vec<u8> {
    let one = json!({"status": "firing", "labels": {"alertname": "A"}});
    json!({"version": "4", "groupKey": "g", "alerts": vec![one; n]})
        .to_string()
        .into_bytes()
}

#[test]
fn not_json_empty_and_deeply_nested_are_refused_by_every_parser() {
    let deep_array = "[".repeat(100_000);
    let deep_object = "{\"a\":".repeat(10_000) + "1" + &"}".repeat(10_000);
    for s in SOURCES {
        assert_eq!(bad(s, b""), "empty body: expected a JSON object");
        assert_eq!(bad(s, b" \r\n\t"), "empty body: expected a JSON object");
        assert!(bad(s, b"alerts=1").starts_with("body is not valid JSON: "));
        assert!(bad(s, b"\xff\xfe{}").starts_with("body is not valid JSON: "));
        assert!(bad(s, b"{\"alerts\": [").starts_with("body is not valid JSON: "));
        let e = bad(s, deep_array.as_bytes());
        assert!(e.contains("recursion limit exceeded"), "{s}: {e}");
        let e = bad(s, deep_object.as_bytes());
        assert!(e.contains("recursion limit exceeded"), "{s}: {e}");
    }
    // JSON, but not an object.
    assert_eq!(
        bad(Source::Alertmanager, b"[1,2]"),
        "body: expected an object, found an array"
    );
    assert_eq!(
        bad(Source::Grafana, b"\"firing\""),
        "body: expected an object, found a string"
    );
    assert_eq!(
        bad(Source::Pagerduty, b"null"),
        "body: expected an event object, found null"
    );
    assert_eq!(
        bad(Source::Alertmanager, b"{}"),
        "alerts: missing (not an Alertmanager webhook body)"
    );
}

#[test]
fn wrong_types_name_the_field() {
    let am = Source::Alertmanager;
    let cases = [
        (
            json!({"labels": ["a", "b"]}),
            "alerts[0].labels: expected an object, found an array",
        ),
        (
            json!({"labels": {"severity": 3}}),
            "alerts[0].labels.severity: expected a string, found a number",
        ),
        (
            json!({"annotations": {"summary": {"x": 1}}}),
            "alerts[0].annotations.summary: expected a string, found an object",
        ),
        (
            json!({"status": 1}),
            "alerts[0].status: expected a string, found a number",
        ),
        (
            json!({"status": "pending"}),
            "alerts[0].status: \"pending\" is not \"firing\" or \"resolved\"",
        ),
        (
            json!({"fingerprint": 12}),
            "alerts[0].fingerprint: expected a string, found a number",
        ),
        (
            json!({"generatorURL": false}),
            "alerts[0].generatorURL: expected a string, found a boolean",
        ),
        (
            json!({"startsAt": "yesterday"}),
            "alerts[0].startsAt: \"yesterday\" is not a time (expected RFC 3339, like 2026-09-01T08:07:44Z)",
        ),
    ];
    for (alert, want) in cases {
        assert_eq!(bad(am, &am_with(alert.clone())), want, "{alert}");
    }
    let mut v = fixture_json("alertmanager/am_v031_firing_single.json");
    v["alerts"] = json!({"0": {}});
    assert_eq!(
        bad(am, v.to_string().as_bytes()),
        "alerts: expected an array, found an object"
    );
    v["alerts"] = json!([7]);
    assert_eq!(
        bad(am, v.to_string().as_bytes()),
        "alerts[0]: expected an object, found a number"
    );
    for (t, want) in [
        (json!("3"), "found a string"),
        (json!(-1), "found a number"),
        (json!(1.5), "found a number"),
    ] {
        let mut v = fixture_json("alertmanager/am_v031_firing_single.json");
        v["truncatedAlerts"] = t;
        let e = bad(am, v.to_string().as_bytes());
        assert!(
            e.starts_with("truncatedAlerts: expected a whole number"),
            "{e}"
        );
        assert!(e.ends_with(want), "{e}");
    }
    let mut v = fixture_json("alertmanager/am_v031_firing_single.json");
    v["groupKey"] = json!(["x"]);
    assert_eq!(
        bad(am, v.to_string().as_bytes()),
        "groupKey: expected a string, found an array"
    );

    let mut v = fixture_json("pagerduty/pd_trigger_full.json");
    v["payload"]["custom_details"] = json!({"ok": "x"});
    v["links"] = json!("https://x");
    assert_eq!(
        bad(Source::Pagerduty, v.to_string().as_bytes()),
        "'links' must be an array, found a string"
    );
    v["links"] = json!([{"href": 1}]);
    assert_eq!(
        bad(Source::Pagerduty, v.to_string().as_bytes()),
        "links[0].href: expected a string, found a number"
    );
    let e = bad(
        Source::Pagerduty,
        br#"{"routing_key": 5, "event_action": ["trigger"]}"#,
    );
    assert_eq!(
        e,
        "'routing_key' must be a string, found a number; 'event_action' must be a string, found an array"
    );
}

#[test]
fn a_100kb_label_value_is_refused() {
    let big = "x".repeat(100 * 1024);
    let e = bad(
        Source::Alertmanager,
        &am_with(json!({"labels": {"alertname": "A", "blob": big}})),
    );
    assert_eq!(
        e,
        "alerts[0].labels.blob: 102400 bytes, over the limit of 16384 bytes for a value"
    );
    let e = bad(
        Source::Grafana,
        &am_with(json!({"annotations": {"description": big}})),
    );
    assert!(
        e.starts_with("alerts[0].annotations.description: 102400 bytes"),
        "{e}"
    );
    // A label name is bounded too.
    let e = bad(
        Source::Alertmanager,
        &am_with(json!({"labels": {big.clone(): "v"}})),
    );
    assert!(e.starts_with("alerts[0].labels[\"xxxx"), "{e}");
    assert!(e.contains("102400 bytes"), "{e}");
    // At the limit: kept.
    let at = "y".repeat(limits::VALUE_BYTES);
    let b = parse_as(
        Source::Alertmanager,
        &am_with(json!({"labels": {"alertname": "A", "blob": at}})),
    )
    .unwrap();
    assert_eq!(b.alerts[0].labels["blob"].len(), limits::VALUE_BYTES);
}

#[test]
fn too_many_alerts_labels_or_too_long_keys_are_refused() {
    assert_eq!(
        parse_as(Source::Alertmanager, &am_alerts(1000))
            .unwrap()
            .alerts
            .len(),
        1000
    );
    assert_eq!(
        bad(Source::Alertmanager, &am_alerts(1001)),
        "alerts: 1001 alerts, over the limit of 1000 per body"
    );
    assert_eq!(
        bad(Source::Grafana, &am_alerts(1001)),
        "alerts: 1001 alerts, over the limit of 1000 per body"
    );
    // A million: refused on the count, before any alert is converted.
    let million = format!("{{\"alerts\":[{}{{}}]}}", "{},".repeat(999_999));
    assert_eq!(
        bad(Source::Alertmanager, million.as_bytes()),
        "alerts: 1000000 alerts, over the limit of 1000 per body"
    );

    let labels: serde_json::Map<String, Value> = (0..=limits::LABELS)
        .map(|i| (format!("l{i}"), json!("v")))
        .collect();
    assert_eq!(
        bad(Source::Alertmanager, &am_with(json!({ "labels": labels }))),
        "alerts[0].labels: 201 entries, over the limit of 200 per alert"
    );
    assert_eq!(
        bad(
            Source::Alertmanager,
            &am_with(json!({"fingerprint": "f".repeat(256)}))
        ),
        "alerts[0].fingerprint: 256 bytes, over the limit of 255 bytes for a key"
    );
    let e = bad(
        Source::Alertmanager,
        &am_with(json!({"annotations": {"summary": "s".repeat(1100)}})),
    );
    assert!(
        e.starts_with("alerts[0].summary: 1115 bytes, over the limit of 1024"),
        "{e}"
    );

    let mut v = fixture_json("pagerduty/pd_trigger_full.json");
    v["dedup_key"] = "k".repeat(256).into();
    v["payload"]["summary"] = "s".repeat(1025).into();
    let e = bad(Source::Pagerduty, v.to_string().as_bytes());
    assert_eq!(
        pagerduty_errors(&BadBody(e)),
        [
            "Length of 'dedup_key' is incorrect (should be at most 255 bytes)",
            "Length of 'payload.summary' is incorrect (should be at most 1024 bytes)",
        ]
    );
    let e = parse_generic(
        "goalert",
        json!({"dedup": "d".repeat(300), "summary": "x"})
            .to_string()
            .as_bytes(),
    )
    .unwrap_err();
    assert_eq!(
        e.0,
        "mapping.key: 300 bytes, over the limit of 255 bytes for a key"
    );
}

/// Escapes, bidi controls and the like are data: kept byte for byte (the
/// output paths sanitize). NUL is refused: PostgreSQL cannot store it.
#[test]
fn control_bytes_are_kept_raw_and_nul_is_refused() {
    let hostile = "\u{1b}[2J\u{1b}]0;pwned\u{7}\u{202e}evil\u{9b}31m";
    let b = parse_as(
        Source::Alertmanager,
        &am_with(json!({
            "labels": {"alertname": hostile, "team": hostile},
            "annotations": {"summary": hostile},
        })),
    )
    .unwrap();
    let a = &b.alerts[0];
    assert_eq!(a.labels["team"], hostile);
    assert_eq!(a.summary, format!("{hostile}: {hostile}"));
    assert_eq!(a.annotations["summary"], hostile);

    let t = parse_generic(
        "goalert",
        json!({"dedup": hostile, "summary": hostile, "details": hostile})
            .to_string()
            .as_bytes(),
    )
    .unwrap();
    assert_eq!(t.alerts[0].key, hostile);
    assert_eq!(t.alerts[0].summary, hostile);

    let e = bad(
        Source::Alertmanager,
        &am_with(json!({"labels": {"alertname": "a\u{0}b"}})),
    );
    assert_eq!(
        e,
        "alerts[0].labels.alertname: contains a NUL character (\\u0000), which cannot be stored"
    );
    let e = bad(
        Source::Grafana,
        &am_with(json!({"labels": {"a\u{0}": "b"}})),
    );
    assert!(e.contains("NUL"), "{e}");
    let mut v = fixture_json("pagerduty/pd_trigger_full.json");
    v["payload"]["summary"] = "disk\u{0}full".into();
    assert!(bad(Source::Pagerduty, v.to_string().as_bytes()).contains("NUL"));
    let e = parse_generic(
        "goalert",
        json!({"dedup": "k", "summary": "\u{0}"})
            .to_string()
            .as_bytes(),
    )
    .unwrap_err();
    assert!(e.0.starts_with("mapping.summary: contains a NUL"), "{e}");
    // A message never carries the raw bytes of a hostile key.
    let e = bad(
        Source::Alertmanager,
        &am_with(json!({"labels": {hostile: "x".repeat(20_000)}})),
    );
    assert!(!e.contains('\u{1b}') && !e.contains('\u{202e}'), "{e:?}");
}

/// Every text field of a batch obeys the limits, whatever the body.
#[test]
fn oversized_pagerduty_details_and_links_are_refused() {
    let mut v = fixture_json("pagerduty/pd_trigger_full.json");
    v["payload"]["custom_details"] = json!({"log": "x".repeat(20_000)});
    assert_eq!(
        bad(Source::Pagerduty, v.to_string().as_bytes()),
        "payload.custom_details.log: 20000 bytes, over the limit of 16384 bytes for a value"
    );
    let mut v = fixture_json("pagerduty/pd_trigger_full.json");
    v["links"] = json!(vec![json!({"href": "https://x"}); 201]);
    assert_eq!(
        bad(Source::Pagerduty, v.to_string().as_bytes()),
        "links: 202 links, over the limit of 200 per alert"
    );
    let mut v = fixture_json("pagerduty/pd_trigger_full.json");
    v["payload"]["custom_details"] = json!([1, 2, 3]);
    let b = parse_as(Source::Pagerduty, v.to_string().as_bytes()).unwrap();
    assert_eq!(b.alerts[0].annotations["details"], "[1,2,3]");
}
