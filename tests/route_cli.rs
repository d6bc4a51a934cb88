//! `sev route test` through the real binary, over Alertmanager's fixture
//! bodies (../shared/data/ingest): every rule tried with its reason, the
//! incident each alert would open, time windows in a named zone, and
//! nothing written.

mod common;

use common::Env;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/ingest");

const CONFIG: &str = r#"
[[integrations]]
name = "prod"
source = "alertmanager"
service = "platform"

[[routes]]
name = "ledger pages"
match = ['namespace="payments"', 'container="ledger-writer"']
set = { service = "ledger", severity = "SEV1", impact = "high", urgency = "high", assignee = "alice", group_by = ["alertname", "container"] }

[[routes]]
name = "fx office hours"
match = ['container=~"fx-.*"']
when = { days = ["mon-fri"], hours = "09:00-17:00", tz = "Europe/Berlin" }
set = { service = "fx", assignee = "fx-team", tags = ["fx"] }

[[routes]]
name = "payments"
match = ['{namespace="payments"}']
set = { service = "payments", group_by = ["alertname", "container"] }
"#;

fn setup() -> (Env, String, String) {
    let e = Env::new();
    let cfg = e.dir.path().join("sev.toml");
    std::fs::write(&cfg, CONFIG).unwrap();
    let body = format!("{FIXTURES}/alertmanager/am_v032_group_first_notification.json");
    (e, cfg.display().to_string(), body)
}

#[test]
fn every_rule_tried_and_the_incident_each_alert_would_open() {
    let (e, cfg, body) = setup();
    // Tuesday 2026-09-01 10:10 in Berlin (CEST, UTC+2).
    let out = e.ok(&[
        "--config",
        &cfg,
        "route",
        "test",
        "--integration",
        "prod",
        "--at",
        "2026-09-01T08:10:00Z",
        &body,
    ]);
    assert!(
        out.starts_with("alertmanager body through integration prod: 3 alerts, group {}/{severity=~\"warning|critical\"}:{alertname=\"KubePodCrashLooping\", namespace=\"payments\"}; 3 rules, routed at 2026-09-01T08:10:00Z"),
        "{out}"
    );
    let alerts: Vec<&str> = out.split("\nalert ").skip(1).collect();
    assert_eq!(alerts.len(), 3, "{out}");
    // The fx pod: the first rule fails on its container, the window rule matches.
    let fx = alerts[0];
    assert!(
        fx.contains(
            r#"/sev.toml:7:1): no — container="ledger-writer" failed: container is "fx-rates-sync""#
        ),
        "{fx}"
    );
    assert!(
        fx.contains("/sev.toml:12:1): MATCHED — all 1 matchers matched, inside mon-fri 09:00-17:00 Europe/Berlin"),
        "{fx}"
    );
    assert!(fx.contains("(1 later rule not tried"), "{fx}");
    assert!(
        fx.contains("service fx · SEV3 · P3 (impact medium, urgency medium) · assignee fx-team"),
        "{fx}"
    );
    assert!(fx.contains("tags alert, fx"), "{fx}");
    // The ledger pods page: SEV1 from the route, P1 from high x high, in
    // a group of their own (the route's group_by).
    for a in &alerts[1..] {
        assert!(
            a.contains("/sev.toml:7:1): MATCHED — all 2 matchers matched"),
            "{a}"
        );
        assert!(a.contains("(2 later rules not tried"), "{a}");
    }
    assert!(
        alerts[1].contains("service ledger · SEV1 · P1"),
        "{}",
        alerts[1]
    );
    assert!(alerts[1].contains("assignee alice"), "{}", alerts[1]);
    assert!(
        alerts[1]
            .contains(r#"group by:{alertname="KubePodCrashLooping",container="ledger-writer"}"#),
        "{}",
        alerts[1]
    );
    // The second ledger pod is in the same group: it joins that incident.
    assert!(
        alerts[2].contains("=> joins the incident alert 2 opens (same group by:{"),
        "{}",
        alerts[2]
    );
    assert!(
        !e.db().exists(),
        "route test opened or created the database"
    );
}

#[test]
fn outside_the_window_the_next_rule_decides() {
    let (e, cfg, body) = setup();
    // 18:00 in Berlin: the office-hours rule is skipped with its reason.
    let v = e.json(&[
        "--config",
        &cfg,
        "route",
        "test",
        "--at",
        "2026-09-01T16:00:00Z",
        &body,
    ]);
    assert_eq!(v["integration"], "prod", "the only integration is used");
    assert_eq!(v["rules"], 3);
    let fx = &v["alerts"][0];
    assert_eq!(fx["key"], "3747d3c57ef37420");
    let trials = fx["trials"].as_array().unwrap();
    assert_eq!(trials.len(), 3);
    assert_eq!(trials[1]["matched"], false);
    assert_eq!(
        trials[1]["why"],
        "outside its time window: tue 18:00 Europe/Berlin is outside 09:00-17:00"
    );
    assert_eq!(trials[2]["matched"], true);
    assert_eq!(fx["incident"]["service"], "payments");
    assert_eq!(fx["incident"]["severity"], "SEV3");
    assert_eq!(
        fx["incident"]["group"],
        r#"by:{alertname="KubePodCrashLooping",container="fx-rates-sync"}"#
    );
    assert_eq!(v["alerts"][1]["incident"]["severity"], "SEV1");
    assert_eq!(v["alerts"][1]["not_tried"], 2);
    assert!(v["alerts"][1]["joins"].is_null());
    assert_eq!(v["alerts"][2]["joins"], 2);
}

#[test]
fn resolved_alerts_open_nothing_and_suppressed_ones_say_by_whom() {
    let (e, _, _) = setup();
    let cfg = e.dir.path().join("quiet.toml");
    std::fs::write(
        &cfg,
        "[[routes]]\nname = \"quiet payments\"\nmatch = ['namespace=\"payments\"']\nsuppress = true\n",
    )
    .unwrap();
    let cfg = cfg.display().to_string();
    let some = format!("{FIXTURES}/alertmanager/am_v032_group_some_resolved.json");
    let out = e.ok(&[
        "--config",
        &cfg,
        "route",
        "test",
        "--source",
        "alertmanager",
        &some,
    ]);
    assert!(
        out.contains("=> suppressed by quiet payments (") && out.contains("no incident opens"),
        "{out}"
    );
    assert!(out.contains("[resolved]"), "{out}");
    let v = e.json(&["--config", &cfg, "route", "test", &some]);
    for a in v["alerts"].as_array().unwrap() {
        assert!(a["incident"].is_null(), "{a}");
    }
}

#[test]
fn bad_bodies_and_bad_arguments_exit_2_with_one_line() {
    let (e, cfg, body) = setup();
    let junk = e.dir.path().join("junk.json");
    std::fs::write(&junk, "{\"alerts\": 7}").unwrap();
    let junk = junk.display().to_string();
    let err = e.fails(&["--config", &cfg, "route", "test", &junk], 2);
    assert!(err.contains("not a valid alertmanager body"), "{err}");
    let err = e.fails(
        &[
            "--config",
            &cfg,
            "route",
            "test",
            "--integration",
            "nope",
            &body,
        ],
        2,
    );
    assert!(
        err.contains("no integration named 'nope'") && err.contains("configured: prod"),
        "{err}"
    );
    let err = e.fails(
        &[
            "--config",
            &cfg,
            "route",
            "test",
            "--source",
            "pagerduty",
            "--integration",
            "prod",
            &body,
        ],
        2,
    );
    assert!(
        err.contains("takes alertmanager bodies, not pagerduty"),
        "{err}"
    );
    let err = e.fails(
        &[
            "--config",
            &cfg,
            "route",
            "test",
            "--at",
            "yesterday",
            &body,
        ],
        2,
    );
    assert!(err.contains("--at 'yesterday'"), "{err}");
    // A bad rule is a config error at its place.
    let bad = e.dir.path().join("bad.toml");
    std::fs::write(&bad, "[[routes]]\nmatch = ['team=~\"(\"']\n").unwrap();
    let bad = bad.display().to_string();
    let err = e.fails(&["--config", &bad, "route", "test", &body], 2);
    assert!(err.contains(&format!("{bad}:2:10: bad matcher")), "{err}");
}

#[test]
fn a_generic_mapping_routes_by_integration_and_mapped_labels() {
    let e = Env::new();
    let cfg = e.dir.path().join("zbx.toml");
    std::fs::write(
        &cfg,
        r#"
[alerts]
severity_map = { high = "SEV2", disaster = "SEV2" }

[[integrations]]
name = "zabbix"
source = "generic"
[integrations.mapping]
key = "zabbix-{{ body.id }}"
summary = "{{ body.host_name }}: {{ body.name }}"
severity = "{{ body.severity }}"
state = "{{ body.status }}"
labels = { host = "{{ body.host_name }}" }

[[routes]]
name = "databases"
match = ['integration="zabbix"', 'host=~"prod-datapipe[0-9]+"', 'summary=~".*MySQL.*"']
set = { service = "datapipe", category = "database", commander = "carol" }
"#,
    )
    .unwrap();
    let cfg = cfg.display().to_string();
    let body = format!("{FIXTURES}/zabbix/zbx_problem.json");
    let v = e.json(&[
        "--config",
        &cfg,
        "route",
        "test",
        "--source",
        "generic:zabbix",
        &body,
    ]);
    assert_eq!(v["integration"], "zabbix");
    let a = &v["alerts"][0];
    assert_eq!(a["key"], "zabbix-8812345");
    assert_eq!(a["trials"][0]["matched"], true, "{a}");
    assert_eq!(a["trials"][0]["why"], "all 3 matchers matched");
    let inc = &a["incident"];
    assert_eq!(inc["service"], "datapipe");
    assert_eq!(inc["category"], "database");
    assert_eq!(inc["commander"], "carol");
    assert_eq!(inc["severity"], "SEV2", "High through the severity map");
    assert_eq!(
        inc["title"],
        "prod-datapipe03: MySQL: Disk space is critically low (used > 95%)"
    );
    // Without the integration's name the mapping is unknown.
    let err = e.fails(
        &[
            "--config", &cfg, "route", "test", "--source", "generic", &body,
        ],
        2,
    );
    assert!(err.contains("generic:NAME"), "{err}");
}
