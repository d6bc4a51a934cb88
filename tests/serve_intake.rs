//! What bodies sent to the real `sev serve` do to incidents and alerts, on
//! both backends: an Alertmanager group's whole life, PagerDuty's
//! trigger/acknowledge/resolve, a signed Grafana body, a generic mapping;
//! 20 clients at once on overlapping groups; and kill -9 in a storm.

mod common;
mod serve_support;

use common::Env;
use serve_support::*;
use sev::store::{AlertQuery, Store};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn alerts(env: &Env) -> Vec<sev::store::AlertRow> {
    Store::open_read_only(&env.db())
        .unwrap()
        .alerts(&AlertQuery::default())
        .unwrap()
}

fn status_of(env: &Env, id: i64) -> String {
    let v = env.json(&["show", &id.to_string()]);
    v["status"].as_str().unwrap().to_string()
}

#[test]
fn an_alertmanager_group_from_first_notification_to_refire() {
    for env in Env::all() {
        let cfg = setup(&env, "");
        let mut srv = Server::start(&env, &cfg);
        let a = agent();
        let url = srv.url("/ingest/alertmanager");
        let auth = bearer(AM_TOKEN);
        let h = [("authorization", auth.as_str())];
        let send = |rel: &str| post(&a, &url, &h, &fixture(rel));
        let (s, v) = send("alertmanager/am_v032_group_first_notification.json");
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["alerts_new"], 3, "{v}");
        assert_eq!(v["incidents"][0]["change"], "created", "{v}");
        let id = v["incidents"][0]["id"].as_i64().unwrap();
        let (s, v) = send("alertmanager/am_v032_group_new_alerts_added.json");
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["alerts_new"], 1, "{v}");
        assert_eq!(v["incidents"][0]["id"], id, "the same incident: {v}");
        let (s, v) = send("alertmanager/am_v032_group_some_resolved.json");
        assert_eq!((s, v["alerts_resolved"].as_i64()), (200, Some(1)), "{v}");
        assert_eq!(status_of(&env, id), "triage");
        let (s, v) = send("alertmanager/am_v032_group_all_resolved.json");
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["incidents"][0]["change"], "mitigated", "{v}");
        assert_eq!(status_of(&env, id), "mitigated");
        // Re-fire within the reopen window: back to the same incident.
        let (s, v) = send("alertmanager/am_v032_group_first_notification.json");
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["incidents"][0]["id"], id, "{v}");
        assert_eq!(v["incidents"][0]["change"], "reopened", "{v}");
        let all = alerts(&env);
        assert_eq!(all.iter().filter(|a| a.is_open()).count(), 3, "{all:#?}");
        assert_eq!(counts(&env).0, 1, "one incident for the group");
        // The same through `sev alerts`.
        let listed = env.json(&["alerts"]);
        assert_eq!(
            listed.as_array().map(|a| a.len()),
            Some(all.len()),
            "{listed}"
        );
        assert_eq!(srv.term().code(), Some(0));
    }
}

#[test]
fn pagerduty_trigger_acknowledge_resolve_retrigger_and_a_generated_key() {
    for env in Env::all() {
        let cfg = setup(&env, "");
        let srv = Server::start(&env, &cfg);
        let a = agent();
        let url = srv.url("/v2/enqueue");
        let (s, v) = post(&a, &url, &[], &fixture("pagerduty/pd_trigger_full.json"));
        assert_eq!(s, 202, "{v}");
        assert_eq!(
            v,
            serde_json::json!({"status": "success", "message": "Event processed", "dedup_key": "prod-datapipe03/mysql/disk"})
        );
        for rel in ["pagerduty/pd_acknowledge.json", "pagerduty/pd_resolve.json"] {
            let (s, v) = post(&a, &url, &[], &fixture(rel));
            assert_eq!(s, 202, "{rel}: {v}");
        }
        // After the resolve, the same key opens a new alert.
        let (s, _) = post(&a, &url, &[], &fixture("pagerduty/pd_trigger_full.json"));
        assert_eq!(s, 202);
        let (s, v) = post(
            &a,
            &srv.url("/ingest/pagerduty"),
            &[],
            &fixture("pagerduty/pd_trigger_minimal_no_dedup_key.json"),
        );
        assert_eq!(s, 202, "{v}");
        let generated = v["dedup_key"].as_str().unwrap().to_string();
        let all = alerts(&env);
        let keys: Vec<(&str, bool)> = all.iter().map(|a| (a.key.as_str(), a.is_open())).collect();
        assert_eq!(all.len(), 3, "{keys:?}");
        assert_eq!(
            keys.iter()
                .filter(|(k, _)| *k == "prod-datapipe03/mysql/disk")
                .count(),
            2,
            "{keys:?}"
        );
        assert!(keys.contains(&(generated.as_str(), true)), "{keys:?}");
    }
}

#[test]
fn signed_grafana_and_a_generic_mapping() {
    let env = Env::new();
    let cfg = setup(&env, "");
    let srv = Server::start(&env, &cfg);
    let a = agent();
    let body = fixture("grafana/grafana_firing.json");
    let sig = grafana_signature(GF_HMAC, &body);
    let auth = bearer(GF_TOKEN);
    let (s, v) = post(
        &a,
        &srv.url("/ingest/grafana"),
        &[
            ("authorization", &auth),
            ("x-grafana-alerting-signature", &sig),
        ],
        &body,
    );
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["integration"], "grafana");
    let resolved = fixture("grafana/grafana_resolved.json");
    let sig = grafana_signature(GF_HMAC, &resolved);
    let (s, v) = post(
        &a,
        &srv.url("/ingest/grafana"),
        &[
            ("authorization", &auth),
            ("x-grafana-alerting-signature", &sig),
        ],
        &resolved,
    );
    assert_eq!(s, 200, "{v}");
    assert!(v["alerts_resolved"].as_i64().unwrap() >= 1, "{v}");
    // Zabbix through the generic mapping, with basic auth.
    let basic = "Basic emFiYml4OnpieC1wYXNzLTc3ZTE="; // zabbix:zbx-pass-77e1
    let url = srv.url("/ingest/generic/zabbix");
    let (s, v) = post(
        &a,
        &url,
        &[("authorization", basic)],
        &fixture("zabbix/zbx_problem.json"),
    );
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["alerts_new"], 1, "{v}");
    let (s, v) = post(
        &a,
        &url,
        &[("authorization", basic)],
        &fixture("zabbix/zbx_resolved.json"),
    );
    assert_eq!((s, v["alerts_resolved"].as_i64()), (200, Some(1)), "{v}");
}

#[test]
fn malformed_json_is_400_and_nothing_is_written() {
    let env = Env::new();
    let cfg = setup(&env, "");
    let srv = Server::start(&env, &cfg);
    let a = agent();
    let auth = bearer(AM_TOKEN);
    for bad in [
        &b"{\"alerts\": [{"[..],
        b"",
        b"null",
        b"{\"alerts\": \"x\"}",
    ] {
        let (s, v) = post(
            &a,
            &srv.url("/ingest/alertmanager"),
            &[("authorization", &auth)],
            bad,
        );
        assert_eq!(s, 400, "{v}");
        assert!(v["error"].is_string(), "{v}");
    }
    assert_eq!(counts(&env), (0, 0));
    assert_eq!(env.json(&["list", "--all"]), serde_json::json!([]));
}

/// An Alertmanager snapshot of group `g` (of 5) listing its 10 alerts.
fn group_snapshot(g: usize) -> Vec<u8> {
    let alerts: Vec<serde_json::Value> = (0..10)
        .map(|i| {
            serde_json::json!({
                "status": "firing",
                "labels": {"alertname": "HighLatency", "service": format!("svc-{g}"), "pod": format!("p-{g}-{i}")},
                "annotations": {"summary": "p99 over 1 s"},
                "startsAt": "2026-09-01T08:00:00Z",
                "endsAt": "0001-01-01T00:00:00Z",
                "generatorURL": "http://prometheus/graph",
                "fingerprint": format!("{:016x}", 0x1000 + g * 100 + i),
            })
        })
        .collect();
    serde_json::to_vec(&serde_json::json!({
        "version": "4", "status": "firing", "receiver": "sev",
        "groupKey": format!("{{}}:{{service=\"svc-{g}\"}}"),
        "groupLabels": {"service": format!("svc-{g}")},
        "commonLabels": {"alertname": "HighLatency", "service": format!("svc-{g}")},
        "commonAnnotations": {}, "externalURL": "http://am", "truncatedAlerts": 0,
        "alerts": alerts,
    }))
    .unwrap()
}

#[test]
fn twenty_clients_on_overlapping_groups_make_no_duplicate() {
    for env in Env::all() {
        let cfg = setup(&env, "");
        let srv = Server::start(&env, &cfg);
        let url = srv.url("/ingest/alertmanager");
        let statuses = Arc::new(Mutex::new(BTreeMap::<u16, usize>::new()));
        let clients: Vec<_> = (0..20)
            .map(|c| {
                let (url, statuses) = (url.clone(), statuses.clone());
                std::thread::spawn(move || {
                    let a = agent();
                    let auth = bearer(AM_TOKEN);
                    for j in 0..100 {
                        let (s, v) = post(
                            &a,
                            &url,
                            &[("authorization", &auth)],
                            &group_snapshot((c + j) % 5),
                        );
                        assert!(s == 200 || s == 503, "{s}: {v}");
                        *statuses.lock().unwrap().entry(s).or_default() += 1;
                    }
                })
            })
            .collect();
        for c in clients {
            c.join().unwrap();
        }
        let st = statuses.lock().unwrap().clone();
        assert_eq!(st.get(&200), Some(&2000), "{st:?}");
        let all = alerts(&env);
        let keys: BTreeSet<&str> = all.iter().map(|a| a.key.as_str()).collect();
        assert_eq!((all.len(), keys.len()), (50, 50), "one alert per key");
        let incidents: BTreeSet<_> = all.iter().map(|a| a.incident).collect();
        assert_eq!(incidents.len(), 5, "one incident per group: {incidents:?}");
        assert_eq!(counts(&env).0, 5);
        assert!(all.iter().all(|a| a.receipts >= 1));
        let receipts: i64 = all.iter().map(|a| a.receipts).sum();
        assert_eq!(receipts, 2000 * 10, "every receipt counted once");
    }
}

#[test]
fn kill_9_in_a_storm_loses_nothing_that_got_a_2xx() {
    for env in Env::all() {
        let cfg = setup(&env, "");
        let mut srv = Server::start(&env, &cfg);
        let url = srv.url("/v2/enqueue");
        let acked = Arc::new(Mutex::new(Vec::<String>::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let clients: Vec<_> = (0..8)
            .map(|c| {
                let (url, acked, stop) = (url.clone(), acked.clone(), stop.clone());
                std::thread::spawn(move || {
                    let a: ureq::Agent = ureq::Agent::config_builder()
                        .http_status_as_error(false)
                        .timeout_global(Some(Duration::from_secs(10)))
                        .build()
                        .into();
                    let mut n = 0;
                    while !stop.load(Ordering::Relaxed) {
                        let key = format!("storm/{c}/{n}");
                        n += 1;
                        let body = serde_json::json!({
                            "routing_key": PD_KEY, "event_action": "trigger", "dedup_key": key,
                            "payload": {"summary": "disk full", "source": "host", "severity": "error"},
                        });
                        let r = a.post(&url).send(body.to_string().as_bytes());
                        match r {
                            Ok(resp) if resp.status().as_u16() == 202 => acked.lock().unwrap().push(key),
                            Ok(resp) => panic!("{}", resp.status()),
                            Err(_) => break, // the server is gone
                        }
                    }
                })
            })
            .collect();
        // Kill it mid-storm, once it is well under way.
        let t = std::time::Instant::now();
        while acked.lock().unwrap().len() < 50 && t.elapsed() < Duration::from_secs(30) {
            std::thread::sleep(Duration::from_millis(10));
        }
        srv.kill9();
        stop.store(true, Ordering::Relaxed);
        for c in clients {
            c.join().unwrap();
        }
        let acked = acked.lock().unwrap().clone();
        assert!(acked.len() > 20, "the storm got going: {}", acked.len());
        let stored: BTreeSet<String> = alerts(&env).into_iter().map(|a| a.key).collect();
        let lost: Vec<&String> = acked.iter().filter(|k| !stored.contains(*k)).collect();
        assert!(lost.is_empty(), "answered 202 but not stored: {lost:?}");
        // And the database is whole: a new server starts on it.
        let mut again = Server::start(&env, &cfg);
        assert_eq!(get(&agent(), &again.url("/healthz")).0, 200);
        assert_eq!(again.term().code(), Some(0));
    }
}
