//! The router in process with the real intake behind it: what each
//! endpoint answers after the commit, and what is in the database then.

use super::tests::{PD_KEY, call, data, fixture, post};
use crate::store::{AlertQuery, ListQuery, Scope, Store};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::Value;

fn store(f: &super::tests::Fixture) -> Store {
    Store::open_existing(&f.dir.path().join("sev.db")).unwrap()
}

fn counts(f: &super::tests::Fixture) -> (usize, usize) {
    let s = store(f);
    let q = ListQuery {
        scope: Scope::All,
        ..Default::default()
    };
    (
        s.count(&q).unwrap(),
        s.alerts(&AlertQuery::default()).unwrap().len(),
    )
}

fn body(rel: &str) -> Vec<u8> {
    std::fs::read(data(rel)).unwrap()
}

const AM: &str = "/ingest/alertmanager";

#[tokio::test(flavor = "multi_thread")]
async fn an_alertmanager_group_from_first_notification_to_resolved() {
    let f = fixture(|_| {});
    let auth = Some("Bearer tok-am");
    let (s, v) = call(
        &f.app,
        post(
            AM,
            auth,
            body("alertmanager/am_v032_group_first_notification.json"),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "success");
    assert_eq!(v["integration"], "prod");
    assert_eq!(v["alerts_new"], 3, "{v}");
    assert_eq!(v["incidents"][0]["change"], "created", "{v}");
    let inc = v["incidents"][0]["id"].as_i64().unwrap();
    assert!(v["receipt"].as_i64().unwrap() > 0);
    let (s, v) = call(
        &f.app,
        post(
            AM,
            auth,
            body("alertmanager/am_v032_group_new_alerts_added.json"),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        (v["alerts_new"].as_i64(), v["alerts_updated"].as_i64()),
        (Some(1), Some(3)),
        "{v}"
    );
    assert_eq!(v["incidents"][0]["id"], inc, "the same incident: {v}");
    let (s, v) = call(
        &f.app,
        post(
            AM,
            auth,
            body("alertmanager/am_v032_group_some_resolved.json"),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["alerts_resolved"], 1, "{v}");
    let (s, v) = call(
        &f.app,
        post(
            AM,
            auth,
            body("alertmanager/am_v032_group_all_resolved.json"),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["incidents"][0]["change"], "mitigated", "{v}");
    assert_eq!(counts(&f), (1, 4));
    let st = store(&f);
    let alerts = st.alerts(&AlertQuery::default()).unwrap();
    assert!(alerts.iter().all(|a| !a.is_open()), "{alerts:#?}");
    assert!(alerts.iter().all(|a| a.integration == "prod"));
}

#[tokio::test(flavor = "multi_thread")]
async fn malformed_json_is_400_and_nothing_is_written() {
    let f = fixture(|_| {});
    for bad in [&b"{\"alerts\": ["[..], b"", b"[]", b"{\"alerts\": 7}"] {
        let (s, v) = call(&f.app, post(AM, Some("Bearer tok-am"), bad.to_vec())).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
        assert!(!v["error"].as_str().unwrap().is_empty());
    }
    assert_eq!(counts(&f), (0, 0));
}

#[tokio::test(flavor = "multi_thread")]
async fn pagerduty_trigger_acknowledge_resolve_as_pagerduty_answers() {
    let f = fixture(|_| {});
    let pd = "/v2/enqueue";
    let (s, v) = call(
        &f.app,
        post(pd, None, body("pagerduty/pd_trigger_full.json")),
    )
    .await;
    assert_eq!(s, StatusCode::ACCEPTED, "{v}");
    assert_eq!(
        v,
        serde_json::json!({
            "status": "success",
            "message": "Event processed",
            "dedup_key": "prod-datapipe03/mysql/disk"
        })
    );
    for rel in ["pagerduty/pd_acknowledge.json", "pagerduty/pd_resolve.json"] {
        let (s, v) = call(&f.app, post("/ingest/pagerduty", None, body(rel))).await;
        assert_eq!(s, StatusCode::ACCEPTED, "{rel}: {v}");
        assert_eq!(v["dedup_key"], "prod-datapipe03/mysql/disk");
    }
    // Without a dedup key: one is made and returned.
    let (s, v) = call(
        &f.app,
        post(
            pd,
            None,
            body("pagerduty/pd_trigger_minimal_no_dedup_key.json"),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::ACCEPTED, "{v}");
    let k = v["dedup_key"].as_str().unwrap();
    assert!(!k.is_empty() && k != "prod-datapipe03/mysql/disk", "{v}");
    // An invalid event names every problem, as PagerDuty's errors do.
    let bad = serde_json::json!({"routing_key": PD_KEY, "event_action": "explode"});
    let (s, v) = call(&f.app, post(pd, None, bad.to_string())).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(v["status"], "invalid event");
    assert!(
        v["errors"][0].as_str().unwrap().contains("event_action"),
        "{v}"
    );
    assert!(!v.to_string().contains(PD_KEY), "{v}");
    let st = store(&f);
    let alerts = st.alerts(&AlertQuery::default()).unwrap();
    assert_eq!(alerts.len(), 2, "{alerts:#?}");
    // The routing key is stored redacted with the body, never in clear:
    // the alert records the integration.
    assert!(alerts.iter().all(|a| a.integration == "pd"));
}

#[tokio::test(flavor = "multi_thread")]
async fn grafana_with_a_good_signature_is_applied() {
    use hmac::Mac;
    let f = fixture(|_| {});
    let b = body("grafana/grafana_firing.json");
    let mut m = hmac::Hmac::<sha2::Sha256>::new_from_slice(b"hmac-key").unwrap();
    m.update(b"1767225600:");
    m.update(&b);
    let sig: String = m
        .finalize()
        .into_bytes()
        .iter()
        .map(|x| format!("{x:02x}"))
        .collect();
    let req = Request::post("/ingest/grafana")
        .header("authorization", "Bearer tok-gf")
        .header("x-grafana-alerting-signature", sig)
        .header("x-grafana-alerting-timestamp", "1767225600")
        .body(Body::from(b))
        .unwrap();
    let (s, v) = call(&f.app, req).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["integration"], "grafana");
    assert!(v["alerts_new"].as_i64().unwrap() >= 1, "{v}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_generic_sender_with_basic_auth() {
    let f = fixture(|_| {});
    // base64("zabbix:zbx-pass")
    let auth = Some("Basic emFiYml4OnpieC1wYXNz");
    let url = "/ingest/generic/zabbix";
    let (s, v) = call(&f.app, post(url, auth, body("zabbix/zbx_problem.json"))).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        (v["integration"].as_str(), v["alerts_new"].as_i64()),
        (Some("zabbix"), Some(1))
    );
    let (s, v) = call(&f.app, post(url, auth, body("zabbix/zbx_resolved.json"))).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["alerts_resolved"], 1, "{v}");
    // A body the mapping cannot read: 400 naming the mapping field.
    let (s, v) = call(&f.app, post(url, auth, "{\"x\": 1}")).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert!(v["error"].as_str().unwrap().contains("mapping"), "{v}");
    assert_eq!(counts(&f).1, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn heartbeats_are_recorded() {
    let f = fixture(|_| {});
    let (s, v) = call(
        &f.app,
        post("/heartbeat/prod", Some("Bearer tok-am"), Body::empty()),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let beats = store(&f).heartbeats().unwrap();
    assert_eq!(beats.len(), 1);
    assert_eq!(beats[0].name, "prod");
    // An integration that expects none: 404 with the fix.
    let (s, v) = call(
        &f.app,
        post(
            "/heartbeat/zabbix",
            Some("Basic emFiYml4OnpieC1wYXNz"),
            Body::empty(),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{v}");
    assert!(v["error"].as_str().unwrap().contains("heartbeat ="), "{v}");
}

#[tokio::test(flavor = "multi_thread")]
async fn healthz_says_ok() {
    let f = fixture(|_| {});
    let (s, v): (StatusCode, Value) = call(
        &f.app,
        Request::get("/healthz").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v, serde_json::json!({"status": "ok", "db": "reachable"}));
}
