//! Each sender's fixtures, field by field.

use crate::*;
use sev::intake::parse::{alertmanager_fingerprint, pagerduty_errors};

const AM_GENERATOR: &str = "http://prometheus-k8s-0.monitoring.svc:9090/graph?g0.expr=max_over_time%28kube_pod_container_status_waiting_reason%7Bjob%3D%22kube-state-metrics%22%2Creason%3D%22CrashLoopBackOff%22%7D%5B5m%5D%29+%3E%3D+1&g0.tab=1";
const CRASH_GROUP: &str = "{}/{severity=~\"warning|critical\"}:{alertname=\"KubePodCrashLooping\", namespace=\"payments\"}";
const FX: &str = "3747d3c57ef37420";
const L2X: &str = "2a7c95cdaf639e6e";
const L9F: &str = "2f41451ada8d5053";
const REFUND: &str = "98512d99b2c3129c";
const PD_KEY: &str = "e93facc04764012d7bfb002500d5d1a6";

#[test]
fn alertmanager_single_firing() {
    let b = ok(
        Source::Alertmanager,
        "alertmanager/am_v031_firing_single.json",
    );
    assert_eq!(b.source, Source::Alertmanager);
    assert_eq!(
        b.group.as_deref(),
        Some("{}/{team=\"payments\"}:{alertname=\"HighErrorRate\", cluster=\"prod-eu1\"}")
    );
    assert_eq!(b.truncated, 0);
    assert_eq!(b.routing_key, None);
    assert!(!b.generated_key);
    assert_eq!(b.common_labels.len(), 7);
    assert_eq!(b.common_labels["team"], "payments");
    let a = only(&b);
    assert_eq!(a.key, "0c3c40998c166beb");
    assert_eq!(a.state, State::Firing);
    assert_eq!(
        a.summary,
        "HighErrorRate: checkout-api 5xx ratio is 7.4% (threshold 5%)"
    );
    assert_eq!(a.severity.as_deref(), Some("critical"));
    assert_eq!(a.labels.len(), 7);
    assert_eq!(a.labels["service"], "checkout-api");
    assert_eq!(a.annotations.len(), 3);
    assert_eq!(a.starts_at, time("2026-09-01T08:07:44.918Z"));
    assert_eq!(a.ends_at, None, "0001-01-01T00:00:00Z is no end");
    // Go's \u0026 is an ampersand once parsed.
    assert_eq!(
        a.links,
        [
            link(
                "source",
                "http://prometheus-k8s-0.monitoring.svc:9090/graph?g0.expr=sum%28rate%28http_requests_total%7Bservice%3D%22checkout-api%22%2Ccode%3D~%225..%22%7D%5B5m%5D%29%29+%2F+sum%28rate%28http_requests_total%7Bservice%3D%22checkout-api%22%7D%5B5m%5D%29%29+%3E+0.05&g0.tab=1"
            ),
            link(
                "runbook",
                "https://runbooks.example.net/checkout/high-error-rate"
            ),
        ]
    );
}

/// The group's life, in the order Alertmanager sends it: each snapshot
/// lists every alert still in the group; the alert resolved in the third
/// is no longer listed in the fourth.
#[test]
fn alertmanager_group_lifecycle_in_order() {
    use State::{Firing, Resolved};
    let steps: [(&str, &[(&str, State)]); 4] = [
        (
            "am_v032_group_first_notification.json",
            &[(FX, Firing), (L2X, Firing), (L9F, Firing)],
        ),
        (
            "am_v032_group_new_alerts_added.json",
            &[(FX, Firing), (L2X, Firing), (L9F, Firing), (REFUND, Firing)],
        ),
        (
            "am_v032_group_some_resolved.json",
            &[
                (FX, Resolved),
                (L2X, Firing),
                (L9F, Firing),
                (REFUND, Firing),
            ],
        ),
        (
            "am_v032_group_all_resolved.json",
            &[(L2X, Resolved), (L9F, Resolved), (REFUND, Resolved)],
        ),
    ];
    let mut seen: BTreeMap<String, State> = BTreeMap::new();
    for (file, want) in steps {
        let b = ok(Source::Alertmanager, &format!("alertmanager/{file}"));
        assert_eq!(b.group.as_deref(), Some(CRASH_GROUP), "{file}");
        assert_eq!(keys_states(&b), want, "{file}");
        assert_eq!(b.truncated, 0);
        for a in &b.alerts {
            assert_eq!(a.summary, "KubePodCrashLooping: Pod is crash looping.");
            assert_eq!(a.severity.as_deref(), Some("warning"));
            assert_eq!(
                a.links,
                [
                    link("source", AM_GENERATOR),
                    link(
                        "runbook",
                        "https://runbooks.prometheus-operator.dev/runbooks/kubernetes/kubepodcrashlooping"
                    )
                ]
            );
            // A resolved alert carries its end; a firing one none.
            assert_eq!(a.ends_at.is_some(), a.state == Resolved, "{file} {}", a.key);
            seen.insert(a.key.clone(), a.state);
        }
    }
    // Every alert the group ever had ended resolved.
    assert_eq!(seen.len(), 4);
    assert!(seen.values().all(|s| *s == Resolved), "{seen:?}");

    let b = ok(
        Source::Alertmanager,
        "alertmanager/am_v032_group_some_resolved.json",
    );
    let fx = &b.alerts[0];
    assert_eq!(fx.labels["pod"], "fx-rates-sync-5b7f4d9c6-lm2vz");
    assert_eq!(fx.starts_at, time("2026-09-01T08:08:59.918Z"));
    assert_eq!(fx.ends_at, time("2026-09-01T08:20:28.918Z"));
}

#[test]
fn alertmanager_newer_fields_are_ignored() {
    let b = ok(
        Source::Alertmanager,
        "alertmanager/am_v034_repeat_with_route_labels.json",
    );
    assert_eq!(
        b.group.as_deref(),
        Some("{}/{team=\"data\"}:{alertname=\"PostgresReplicationLag\"}")
    );
    let a = only(&b);
    assert_eq!(a.key, "c0d8fade494e6219");
    assert_eq!(a.state, State::Firing);
    assert_eq!(
        a.summary,
        "PostgresReplicationLag: Replica pg-replica-2 is 412s behind primary"
    );
    assert_eq!(a.severity.as_deref(), Some("critical"));
    // routeLabels are not the alert's labels.
    assert!(!a.labels.contains_key("owner"));
    assert_eq!(a.labels.len(), 6);
}

/// Without `fingerprint`, the key is computed as Alertmanager computes
/// it: the same keys as the fixtures carry.
#[test]
fn alertmanager_fingerprint_recomputed_when_absent() {
    for (rel, _) in crate::every_body_in("alertmanager") {
        let mut v = fixture_json(&rel);
        let mut want = Vec::new();
        for a in v["alerts"].as_array_mut().unwrap() {
            want.push(a["fingerprint"].as_str().unwrap().to_string());
            a.as_object_mut().unwrap().remove("fingerprint");
        }
        let b = parse_as(Source::Alertmanager, v.to_string().as_bytes()).unwrap();
        let got: Vec<_> = b.alerts.iter().map(|a| a.key.clone()).collect();
        assert_eq!(got, want, "{rel}");
        for a in &b.alerts {
            assert_eq!(alertmanager_fingerprint(&a.labels), a.key);
        }
    }
}

#[test]
fn alertmanager_truncated_alerts_are_reported() {
    let mut v = fixture_json("alertmanager/am_v032_group_first_notification.json");
    v["truncatedAlerts"] = 177.into();
    let b = parse_as(Source::Alertmanager, v.to_string().as_bytes()).unwrap();
    assert_eq!(b.truncated, 177);
    assert_eq!(b.alerts.len(), 3);
}

#[test]
fn grafana_firing_then_resolved() {
    let group =
        "{}/{team=\"platform\"}:{alertname=\"High CPU usage\", grafana_folder=\"Infrastructure\"}";
    let f = ok(Source::Grafana, "grafana/grafana_firing.json");
    assert_eq!(f.source, Source::Grafana);
    assert_eq!(f.group.as_deref(), Some(group));
    use State::{Firing, Resolved};
    assert_eq!(
        keys_states(&f),
        [("1fed60d98871e985", Firing), ("98e48be741d3ecf1", Firing)]
    );
    let a = &f.alerts[0];
    assert_eq!(a.summary, "High CPU usage: High CPU on web-03");
    assert_eq!(f.alerts[1].summary, "High CPU usage: High CPU on web-07");
    assert_eq!(a.severity.as_deref(), Some("critical"));
    assert_eq!(a.starts_at, time("2026-09-01T09:20:00Z"));
    assert_eq!(a.ends_at, None);
    let d = "https://grafana.example.net/d/f3c1a8d2?from=1788250800000&orgId=1&to=1788255072000";
    assert_eq!(
        a.links,
        [
            link(
                "source",
                "https://grafana.example.net/alerting/grafana/aexq3k9m1v0zkb/view?orgId=1"
            ),
            link("runbook", "https://runbooks.example.net/infra/high-cpu"),
            link("dashboard", d),
            link("panel", &format!("{d}&viewPanel=4")),
            link(
                "silence",
                "https://grafana.example.net/alerting/silence/new?alertmanager=grafana&matcher=__alert_rule_uid__%3Daexq3k9m1v0zkb&matcher=instance%3Dweb-03%3A9100&matcher=severity%3Dcritical&matcher=team%3Dplatform&orgId=1"
            ),
        ]
    );
    // Used as given: Grafana hashed labels it did not send.
    assert_ne!(alertmanager_fingerprint(&a.labels), a.key);

    let r = ok(Source::Grafana, "grafana/grafana_resolved.json");
    assert_eq!(r.group.as_deref(), Some(group));
    assert_eq!(
        keys_states(&r),
        [
            ("1fed60d98871e985", Resolved),
            ("98e48be741d3ecf1", Resolved)
        ]
    );
    assert_eq!(r.alerts[0].ends_at, time("2026-09-01T09:44:00Z"));
    assert_eq!(r.alerts[1].ends_at, time("2026-09-01T09:45:00Z"));
}

#[test]
fn grafana_fingerprint_is_never_recomputed() {
    let mut v = fixture_json("grafana/grafana_firing.json");
    v["alerts"][1]
        .as_object_mut()
        .unwrap()
        .remove("fingerprint");
    let e = parse_as(Source::Grafana, v.to_string().as_bytes()).unwrap_err();
    assert!(e.0.starts_with("alerts[1].fingerprint: missing"), "{e}");
}

#[test]
fn grafana_nodata_and_error_name_the_rule() {
    for name in ["DatasourceNoData", "DatasourceError"] {
        let mut v = fixture_json("grafana/grafana_firing.json");
        let a = &mut v["alerts"][0];
        a["labels"]["alertname"] = name.into();
        a["labels"]["rulename"] = "High CPU usage".into();
        a["labels"]["datasource_uid"] = "prom-1".into();
        let b = parse_as(Source::Grafana, v.to_string().as_bytes()).unwrap();
        let a = &b.alerts[0];
        assert_eq!(a.key, "1fed60d98871e985");
        assert_eq!(a.labels["alertname"], name, "alertname as given");
        assert_eq!(a.labels["rulename"], "High CPU usage", "rulename kept");
        assert_eq!(
            a.summary,
            format!("{name} (rule \"High CPU usage\"): High CPU on web-03")
        );
        // Without annotations the rule alone is the summary.
        v["alerts"][0]
            .as_object_mut()
            .unwrap()
            .remove("annotations");
        let b = parse_as(Source::Grafana, v.to_string().as_bytes()).unwrap();
        assert_eq!(
            b.alerts[0].summary,
            format!("{name} (rule \"High CPU usage\")")
        );
    }
}

#[test]
fn pagerduty_trigger_with_everything() {
    let b = ok(Source::Pagerduty, "pagerduty/pd_trigger_full.json");
    assert_eq!(b.source, Source::Pagerduty);
    assert_eq!(b.routing_key.as_deref(), Some(PD_KEY));
    assert_eq!(b.group.as_deref(), Some("prod-datapipe03/mysql/disk"));
    assert!(!b.generated_key);
    let a = only(&b);
    assert_eq!(a.key, "prod-datapipe03/mysql/disk");
    assert_eq!(a.state, State::Firing);
    assert_eq!(
        a.summary,
        "DISK at 99% on machine prod-datapipe03.example.com"
    );
    assert_eq!(a.severity.as_deref(), Some("critical"));
    assert_eq!(a.starts_at, time("2026-09-01T08:42:58.315Z"));
    let labels: Vec<_> = a
        .labels
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        labels,
        [
            ("class", "disk"),
            ("component", "mysql"),
            ("group", "prod-datapipe"),
            ("source", "prod-datapipe03.example.com"),
        ]
    );
    let ann: Vec<_> = a
        .annotations
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        ann,
        [
            ("disk.device", "/dev/nvme1n1"),
            ("disk.size_gb", "500"),
            ("free space", "1%"),
            ("load avg", "0.75"),
            ("mount", "/var/lib/mysql"),
            ("ping time", "1500ms"),
        ]
    );
    assert_eq!(
        a.links,
        [
            link(
                "Zabbix (zbx.example.com)",
                "https://zbx.example.com/tr_events.php?triggerid=23412&eventid=8812345"
            ),
            link(
                "Runbook: MySQL disk full",
                "https://runbooks.example.net/db/disk-full"
            ),
            link(
                "Disk usage last 6h",
                "https://grafana.example.net/d/f3c1a8d2/disk"
            ),
        ]
    );
}

#[test]
fn pagerduty_trigger_without_a_key_gets_one() {
    let b = ok(
        Source::Pagerduty,
        "pagerduty/pd_trigger_minimal_no_dedup_key.json",
    );
    assert!(b.generated_key);
    let a = only(&b);
    assert_eq!(a.key.len(), 32);
    assert!(
        a.key
            .bytes()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
    );
    assert_eq!(b.group.as_deref(), Some(a.key.as_str()));
    assert_eq!(a.summary, "Nightly backup job failed on backup-01");
    assert_eq!(a.severity.as_deref(), Some("error"));
    assert_eq!(a.labels["source"], "backup-01.example.net");
    assert!(a.links.is_empty() && a.annotations.is_empty());
    let again = ok(
        Source::Pagerduty,
        "pagerduty/pd_trigger_minimal_no_dedup_key.json",
    );
    assert_ne!(again.alerts[0].key, a.key, "a new key per trigger");
}

#[test]
fn pagerduty_acknowledge_and_resolve() {
    for (file, state) in [
        ("pd_acknowledge.json", State::Acknowledged),
        ("pd_resolve.json", State::Resolved),
    ] {
        let b = ok(Source::Pagerduty, &format!("pagerduty/{file}"));
        assert_eq!(b.routing_key.as_deref(), Some(PD_KEY));
        assert_eq!(b.group.as_deref(), Some("prod-datapipe03/mysql/disk"));
        assert!(!b.generated_key);
        assert_eq!(
            keys_states(&b),
            [("prod-datapipe03/mysql/disk", state)],
            "{file}"
        );
    }
}

/// The answer fixture's `errors`, for the same mistake.
#[test]
fn pagerduty_errors_read_like_pagerduty() {
    let answer = fixture_json("pagerduty/pd_response_400.json");
    let mut v = fixture_json("pagerduty/pd_trigger_full.json");
    v["routing_key"] = "e93facc04764012d7bfb002500d5d1a".into();
    let e = parse_as(Source::Pagerduty, v.to_string().as_bytes()).unwrap_err();
    let want: Vec<String> = answer["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap().to_string())
        .collect();
    assert_eq!(pagerduty_errors(&e), want);
    assert!(
        !e.0.contains("e93facc0"),
        "the routing key is never in a message"
    );
}

#[test]
fn zabbix_problem_then_recovery() {
    let p = parse_generic("zabbix", &fixture("zabbix/zbx_problem.json")).unwrap();
    assert_eq!(p.source, Source::Generic);
    assert_eq!(p.group, None, "one group per key");
    let a = only(&p);
    assert_eq!(a.key, "zabbix-8812345");
    assert_eq!(a.state, State::Firing);
    assert_eq!(
        a.summary,
        "prod-datapipe03: MySQL: Disk space is critically low (used > 95%)"
    );
    assert_eq!(a.severity.as_deref(), Some("High"));
    let labels: Vec<_> = a
        .labels
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        labels,
        [
            ("host", "prod-datapipe03"),
            ("service", "prod-datapipe03"),
            ("trigger_id", "23412"),
        ]
    );
    assert_eq!(
        a.annotations["description"],
        "Free space on /var/lib/mysql is below 5%."
    );
    assert_eq!(a.annotations["zabbix"], "https://zbx.example.com");

    let r = parse_generic("zabbix", &fixture("zabbix/zbx_resolved.json")).unwrap();
    assert_eq!(keys_states(&r), [("zabbix-8812345", State::Resolved)]);
    assert_eq!(r.alerts[0].summary, a.summary);
}

#[test]
fn goalert_trigger_then_close() {
    let t = parse_generic("goalert", &fixture("generic/goalert_generic_trigger.json")).unwrap();
    let a = only(&t);
    assert_eq!(a.key, "backup-01/nightly-pg-basebackup");
    assert_eq!(a.state, State::Firing);
    assert_eq!(a.summary, "Nightly backup job failed on backup-01");
    assert_eq!(a.severity, None);
    assert_eq!(a.labels["host"], "backup-01");
    assert_eq!(a.labels["job"], "nightly-pg-basebackup");
    // Kept raw, line breaks and all.
    assert_eq!(
        a.annotations["details"],
        "pg_basebackup exited 1: No space left on device\n\nRun: https://ci.example.net/jobs/nightly-pg-basebackup/1842"
    );

    let c = parse_generic("goalert", &fixture("generic/goalert_generic_close.json")).unwrap();
    let a = only(&c);
    assert_eq!(a.key, "backup-01/nightly-pg-basebackup");
    assert_eq!(a.state, State::Resolved);
    assert!(a.labels.is_empty(), "no meta: empty labels are left out");
    assert!(a.annotations.is_empty());

    // No dedup key: refused, naming the mapping field.
    let e = parse_generic("goalert", br#"{"summary": "x"}"#).unwrap_err();
    assert!(e.0.starts_with("mapping.key: undefined value"), "{e}");
}
