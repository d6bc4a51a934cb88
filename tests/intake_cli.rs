//! `sev ingest`, `sev alerts`, `sev maintenance` and `show`'s alerts, run
//! as the binary on both backends with the real bodies in
//! ../shared/data/ingest.

mod common;
use common::Env;

fn body(rel: &str) -> String {
    format!("{}/../shared/data/ingest/{rel}", env!("CARGO_MANIFEST_DIR"))
}

fn ingest(env: &Env, source: &str, rel: &str) -> serde_json::Value {
    env.json(&["ingest", "--source", source, &body(rel)])
}

#[test]
fn the_alertmanager_group_lifecycle_end_to_end() {
    for env in Env::all() {
        let o = ingest(
            &env,
            "alertmanager",
            "alertmanager/am_v032_group_first_notification.json",
        );
        assert_eq!(o["alerts_new"], 3);
        assert_eq!(o["incidents"][0]["change"], "created");
        let r = o["incidents"][0]["ref"].as_str().unwrap().to_string();
        let o = ingest(
            &env,
            "alertmanager",
            "alertmanager/am_v032_group_new_alerts_added.json",
        );
        assert_eq!(
            (o["alerts_new"].as_i64(), o["alerts_updated"].as_i64()),
            (Some(1), Some(3))
        );
        assert_eq!(o["incidents"][0]["ref"], r.as_str());
        let o = ingest(
            &env,
            "alertmanager",
            "alertmanager/am_v032_group_some_resolved.json",
        );
        assert_eq!(o["alerts_resolved"], 1);
        let o = ingest(
            &env,
            "alertmanager",
            "alertmanager/am_v032_group_all_resolved.json",
        );
        assert_eq!(o["incidents"][0]["change"], "mitigated");
        let list = env.json(&["list", "--all"]);
        assert_eq!(
            list.as_array().unwrap().len(),
            1,
            "one incident for the group"
        );
        assert_eq!(list[0]["status"], "mitigated");
        let show = env.json(&["show", &r]);
        let alerts = show["alerts"].as_array().unwrap();
        assert_eq!(alerts.len(), 4);
        assert!(alerts.iter().all(|a| a["status"] == "resolved"));
        assert!(
            alerts
                .iter()
                .all(|a| a["labels"]["alertname"] == "KubePodCrashLooping")
        );
        assert!(alerts.iter().any(|a| a["count"].as_i64().unwrap() > 1));
        let text = env.ok(&["show", &r]);
        assert!(text.contains("Alerts: 4 · 0 firing · 4 resolved"), "{text}");
        // The same body again is idempotent for identity: no new alert.
        let o = ingest(
            &env,
            "alertmanager",
            "alertmanager/am_v034_repeat_with_route_labels.json",
        );
        assert!(o["alerts_new"].as_i64().unwrap() <= 1);
    }
}

#[test]
fn a_malformed_body_is_one_line_exit_2_and_writes_nothing() {
    for env in Env::all() {
        env.ok(&["new", "seed"]);
        let path = env.dir.path().join("bad.json");
        std::fs::write(&path, "{\"alerts\": [").unwrap();
        let err = env.fails(
            &["ingest", "--source", "alertmanager", path.to_str().unwrap()],
            2,
        );
        assert!(
            err.contains("not a alertmanager body") || err.contains("alertmanager"),
            "{err}"
        );
        assert!(err.contains("nothing was written"), "{err}");
        assert_eq!(env.json(&["alerts"]).as_array().unwrap().len(), 0);
        assert_eq!(env.json(&["list", "--all"]).as_array().unwrap().len(), 1);
        env.fails(&["ingest", "--source", "nagios", path.to_str().unwrap()], 2);
        env.fails(
            &[
                "ingest",
                "--source",
                "generic:zabbix",
                &body("zabbix/zbx_problem.json"),
            ],
            2,
        );
    }
}

#[test]
fn pagerduty_events_and_a_generated_dedup_key() {
    for env in Env::all() {
        let o = ingest(&env, "pagerduty", "pagerduty/pd_trigger_full.json");
        let key = o["dedup_key"].as_str().unwrap().to_string();
        let r = o["incidents"][0]["ref"].as_str().unwrap().to_string();
        let o = ingest(&env, "pagerduty", "pagerduty/pd_acknowledge.json");
        assert_eq!(o["incidents"][0]["change"], "acknowledged");
        let o = ingest(&env, "pagerduty", "pagerduty/pd_resolve.json");
        assert_eq!(o["alerts_resolved"], 1);
        assert_eq!(env.json(&["show", &r])["status"], "mitigated");
        let o = ingest(
            &env,
            "pagerduty",
            "pagerduty/pd_trigger_minimal_no_dedup_key.json",
        );
        let generated = o["dedup_key"].as_str().unwrap();
        assert_eq!(generated.len(), 32);
        assert_ne!(generated, key);
        let alerts = env.json(&["alerts", "--firing"]);
        assert_eq!(alerts.as_array().unwrap().len(), 1);
        assert_eq!(alerts[0]["key"], generated);
        // The stored alerts never carry the routing key.
        let all = env.ok(&["alerts", "--json"]);
        assert!(!all.contains("routing_key"), "{all}");
    }
}

#[test]
fn a_maintenance_window_suppresses_and_shows_in_list() {
    for env in Env::all() {
        let out = env.ok(&[
            "maintenance",
            "add",
            "--match",
            "namespace=\"payments\"",
            "--until",
            "+2h",
            "--reason",
            "node pool upgrade",
        ]);
        assert!(out.starts_with("maintenance #1:"), "{out}");
        let o = ingest(
            &env,
            "alertmanager",
            "alertmanager/am_v032_group_first_notification.json",
        );
        let suppressed = o["alerts_suppressed"].as_i64().unwrap();
        let listed = env.json(&["maintenance", "list"]);
        assert_eq!(listed[0]["state"], "active");
        let text = env.ok(&["list"]);
        assert!(text.contains("maintenance #1 until"), "{text}");
        assert!(text.contains("node pool upgrade"), "{text}");
        if suppressed > 0 {
            assert!(o["incidents"].as_array().unwrap().is_empty());
            let s = env.json(&["alerts", "--suppressed"]);
            assert_eq!(s[0]["suppressed"], "maintenance #1");
        }
        let ended = env.json(&["maintenance", "end", "1"]);
        assert_eq!(ended["id"], 1);
        assert!(
            env.json(&["maintenance", "list"])
                .as_array()
                .unwrap()
                .is_empty()
        );
        // Refusals name the fix.
        let e = env.fails(
            &[
                "maintenance",
                "add",
                "--match",
                "x=\"1\"",
                "--until",
                "-1h",
                "--reason",
                "r",
            ],
            2,
        );
        assert!(e.contains("until"), "{e}");
        let e = env.fails(
            &[
                "maintenance",
                "add",
                "--match",
                "x=\"1\"",
                "--until",
                "+90d",
                "--reason",
                "r",
            ],
            2,
        );
        assert!(e.contains("31 days"), "{e}");
        env.fails(&["maintenance", "end", "99"], 3);
    }
}

#[test]
fn hostile_payload_text_is_sanitized_on_the_terminal() {
    let env = Env::new();
    let path = env.dir.path().join("evil.json");
    let body = serde_json::json!({
        "routing_key": "0123456789abcdef0123456789abcdef",
        "event_action": "trigger",
        "dedup_key": "evil",
        "payload": {
            "summary": "\u{1b}]0;pwned\u{7}\u{1b}[2Jdisk full $(reboot)",
            "source": "db-1",
            "severity": "critical"
        }
    });
    std::fs::write(&path, body.to_string()).unwrap();
    let out = env.ok(&["ingest", "--source", "pagerduty", path.to_str().unwrap()]);
    for text in [
        out,
        env.ok(&["alerts"]),
        env.ok(&["list"]),
        env.ok(&["show", "1"]),
    ] {
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{7}'),
            "{text:?}"
        );
        assert!(text.contains("disk full $(reboot)"), "{text}");
    }
}

#[test]
fn resolving_while_alerts_fire_needs_force_and_says_so() {
    for env in Env::all() {
        let o = ingest(
            &env,
            "alertmanager",
            "alertmanager/am_v032_group_first_notification.json",
        );
        let r = o["incidents"][0]["ref"].as_str().unwrap().to_string();
        let err = env.fails(&["resolve", &r, "--summary", "rolled back"], 2);
        assert!(err.contains("3 alerts still firing"), "{err}");
        assert!(err.contains("--force"), "{err}");
        assert_eq!(env.json(&["show", &r])["status"], "triage");
        env.ok(&["resolve", &r, "--summary", "rolled back", "--force"]);
        let show = env.json(&["show", &r]);
        assert_eq!(show["status"], "resolved");
        let text = show.to_string();
        assert!(
            text.contains("resolved while 3 alerts still fired, confirmed by"),
            "{text}"
        );
    }
}
