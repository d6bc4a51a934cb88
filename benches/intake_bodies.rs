//! The bodies of the intake storm: Alertmanager group snapshots (as its
//! webhook v4 sends them) and PagerDuty Events v2 triggers.

use serde_json::{Value, json};

pub const PD_KEY: &str = "b3nchb3nchb3nchb3nchb3nchb3nch00";
/// Groups the snapshots rotate through.
pub const GROUPS: usize = 20;
/// Alerts firing in every snapshot.
pub const FIRING: usize = 180;
/// Every this many snapshots of a group, this many alerts resolve and as
/// many new ones start.
pub const ROLL: usize = 10;

/// Which group snapshot `k` is of, and where that group's window starts.
fn place(k: usize) -> (usize, usize, usize) {
    let g = k % GROUPS;
    let s = k / GROUPS;
    (g, s, (s / ROLL) * ROLL)
}

fn fingerprint(g: usize, i: usize) -> String {
    // FNV-1a 64 over the pair: stable, distinct, 16 hex digits.
    let mut h: u64 = 0xcbf29ce484222325;
    for b in format!("{g}/{i}").bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    format!("{h:016x}")
}

fn alert(g: usize, i: usize, resolved: bool) -> Value {
    let ns = format!("shop-{g:02}");
    let pod = format!("api-{g:02}-{i:04}");
    json!({
        "status": if resolved { "resolved" } else { "firing" },
        "labels": {
            "alertname": "KubePodCrashLooping",
            "namespace": ns,
            "pod": pod,
            "container": "api",
            "severity": "warning",
            "job": "kube-state-metrics",
            "instance": format!("10.42.{}.{}:8080", g, i % 250),
        },
        "annotations": {
            "summary": format!("Pod {ns}/{pod} is crash looping"),
            "description": format!("Pod {ns}/{pod} (container api) is in waiting state (reason: CrashLoopBackOff)."),
            "runbook_url": "https://runbooks.example.net/kubernetes/KubePodCrashLooping",
        },
        "startsAt": "2026-09-01T08:00:00Z",
        "endsAt": if resolved { "2026-09-01T08:30:00Z" } else { "0001-01-01T00:00:00Z" },
        "generatorURL": "http://prometheus.example.net/graph?g0.expr=max_over_time%28kube_pod_container_status_waiting_reason%5B5m%5D%29+%3E%3D+1",
        "fingerprint": fingerprint(g, i),
    })
}

/// Snapshot `k`: its body and how many alerts it lists.
pub fn am_snapshot(k: usize) -> (Vec<u8>, usize) {
    let (g, s, r) = place(k);
    let mut alerts: Vec<Value> = (r..r + FIRING).map(|i| alert(g, i, false)).collect();
    if s > 0 && s % ROLL == 0 {
        alerts.extend((r - ROLL..r).map(|i| alert(g, i, true)));
    }
    let n = alerts.len();
    let ns = format!("shop-{g:02}");
    let body = json!({
        "receiver": "sev",
        "status": "firing",
        "alerts": alerts,
        "groupLabels": {"alertname": "KubePodCrashLooping", "namespace": ns},
        "commonLabels": {"alertname": "KubePodCrashLooping", "namespace": ns, "container": "api", "severity": "warning", "job": "kube-state-metrics"},
        "commonAnnotations": {"runbook_url": "https://runbooks.example.net/kubernetes/KubePodCrashLooping"},
        "externalURL": "http://alertmanager.example.net:9093",
        "version": "4",
        "groupKey": format!("{{}}/{{}}:{{alertname=\"KubePodCrashLooping\", namespace=\"{ns}\"}}"),
        "truncatedAlerts": 0,
    });
    (serde_json::to_vec(&body).unwrap(), n)
}

/// Distinct alerts after snapshots 0..n.
pub fn am_alerts_total(n: usize) -> usize {
    let mut top = [0usize; GROUPS];
    for k in 0..n {
        let (g, _, r) = place(k);
        top[g] = top[g].max(r + FIRING);
    }
    top.iter().sum()
}

/// The `i`-th distinct PagerDuty trigger.
pub fn pd_trigger(i: usize) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "routing_key": PD_KEY,
        "event_action": "trigger",
        "dedup_key": format!("bench/disk/{i}"),
        "payload": {
            "summary": format!("Disk at 9{}% on host-{i:05}", i % 10),
            "source": format!("host-{i:05}.example.net"),
            "severity": "warning",
            "component": "disk",
            "group": "bench",
            "class": "disk",
        },
    }))
    .unwrap()
}
