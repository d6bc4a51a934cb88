//! Alertmanager's webhook (`"version": "4"`), and the shape Grafana's
//! webhook shares with it (see [`super::grafana`] for what differs).
//!
//! Each body is a snapshot of one alert group (`groupKey`): every alert it
//! lists, firing or resolved. Identity is the alert's `fingerprint`; when
//! absent it is computed exactly as Alertmanager does (FNV-1a 64 over the
//! sorted label pairs, 16 hex digits). Unknown fields are ignored (newer
//! versions add `notification_reason`, `routeLabels`, … and still say "4").

use super::fields::{
    Limit, Obj, bad, check, count, join, keep, kind, object, opt_nonempty, opt_str, string_map,
    time,
};
use crate::intake::model::{AlertIn, BadBody, Batch, Link, Source, State, limits};
use serde_json::Value;
use std::collections::BTreeMap;

/// Which sender wrote the body: the fields are the same, the rules for
/// identity, links and summaries differ a little.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Flavor {
    Alertmanager,
    Grafana,
}

pub(super) fn parse(root: &Value) -> Result<Batch, BadBody> {
    parse_webhook(root, Flavor::Alertmanager)
}

/// The group snapshot either sender posts.
pub(super) fn parse_webhook(root: &Value, flavor: Flavor) -> Result<Batch, BadBody> {
    let source = match flavor {
        Flavor::Alertmanager => Source::Alertmanager,
        Flavor::Grafana => Source::Grafana,
    };
    let top = object(root, "body")?;
    let alerts = match top.get("alerts") {
        Some(Value::Array(a)) => a,
        Some(other) => return bad(format!("alerts: expected an array, found {}", kind(other))),
        None => {
            return bad(format!(
                "alerts: missing (not {} webhook body)",
                match flavor {
                    Flavor::Alertmanager => "an Alertmanager",
                    Flavor::Grafana => "a Grafana",
                }
            ));
        }
    };
    // Before anything is converted: a million alerts cost nothing more.
    count(alerts.len(), limits::ALERTS, "alerts", "alerts")?;

    let mut batch = Batch::new(source);
    if let Some(g) = opt_nonempty(top, "groupKey", "")? {
        batch.group = Some(keep(g, "groupKey", Limit::Value)?);
    }
    batch.common_labels = string_map(top.get("commonLabels"), "commonLabels")?;
    batch.truncated = match top.get("truncatedAlerts") {
        None | Some(Value::Null) => 0,
        Some(v) => match v.as_u64() {
            Some(n) => n,
            None => {
                return bad(format!(
                    "truncatedAlerts: expected a whole number ≥ 0, found {}",
                    kind(v)
                ));
            }
        },
    };
    batch.alerts.reserve(alerts.len());
    for (i, a) in alerts.iter().enumerate() {
        batch
            .alerts
            .push(alert(a, &format!("alerts[{i}]"), flavor)?);
    }
    Ok(batch)
}

fn alert(v: &Value, path: &str, flavor: Flavor) -> Result<AlertIn, BadBody> {
    let a = object(v, path)?;
    let state = match opt_str(a, "status", path)? {
        Some("firing") => State::Firing,
        Some("resolved") => State::Resolved,
        Some(other) => {
            let short: String = other.chars().take(40).collect();
            return bad(format!(
                "{path}.status: {short:?} is not \"firing\" or \"resolved\""
            ));
        }
        None => {
            return bad(format!(
                "{path}.status: missing (\"firing\" or \"resolved\")"
            ));
        }
    };
    let labels = string_map(a.get("labels"), &join(path, "labels"))?;
    let annotations = string_map(a.get("annotations"), &join(path, "annotations"))?;
    let key = match (opt_nonempty(a, "fingerprint", path)?, flavor) {
        (Some(f), _) => keep(f, &join(path, "fingerprint"), Limit::Key)?,
        (None, Flavor::Alertmanager) => fingerprint(&labels),
        // Grafana hashes labels it strips before sending: never recompute.
        (None, Flavor::Grafana) => {
            return bad(format!(
                "{path}.fingerprint: missing (Grafana's fingerprint cannot be recomputed from the labels it sends)"
            ));
        }
    };
    let summary = summary(&labels, &annotations, &key, flavor);
    check(&summary, &join(path, "summary"), Limit::Summary)?;
    Ok(AlertIn {
        severity: labels.get("severity").cloned(),
        links: links(a, &annotations, path, flavor)?,
        starts_at: time(opt_str(a, "startsAt", path)?, &join(path, "startsAt"))?,
        ends_at: time(opt_str(a, "endsAt", path)?, &join(path, "endsAt"))?,
        key,
        state,
        summary,
        labels,
        annotations,
    })
}

fn nonempty<'a>(m: &'a BTreeMap<String, String>, k: &str) -> Option<&'a str> {
    m.get(k).map(String::as_str).filter(|s| !s.is_empty())
}

/// `alertname: summary` (or the description when there is no summary).
/// Grafana's `DatasourceNoData` / `DatasourceError` alerts keep their
/// alertname and name the rule they are about (its `rulename` label).
fn summary(
    labels: &BTreeMap<String, String>,
    annotations: &BTreeMap<String, String>,
    key: &str,
    flavor: Flavor,
) -> String {
    let mut name = nonempty(labels, "alertname").map(str::to_string);
    if flavor == Flavor::Grafana
        && let (Some(n), Some(rule)) = (&name, nonempty(labels, "rulename"))
        && matches!(n.as_str(), "DatasourceNoData" | "DatasourceError")
    {
        name = Some(format!("{n} (rule \"{rule}\")"));
    }
    let text = nonempty(annotations, "summary").or_else(|| nonempty(annotations, "description"));
    match (name, text) {
        (Some(n), Some(t)) => format!("{n}: {t}"),
        (Some(n), None) => n,
        (None, Some(t)) => t.to_string(),
        (None, None) => format!("alert {key}"),
    }
}

/// The links an alert carries, as text: where it came from, its runbook,
/// dashboard, panel (Grafana) and silence pages.
fn links(
    a: &Obj,
    annotations: &BTreeMap<String, String>,
    path: &str,
    flavor: Flavor,
) -> Result<Vec<Link>, BadBody> {
    let ann = |k: &str| {
        annotations
            .get(k)
            .map(String::as_str)
            .filter(|s| !s.is_empty())
    };
    let mut out = Vec::new();
    let mut push = |label: &str, url: Option<&str>, field: &str| -> Result<(), BadBody> {
        if let Some(url) = url {
            out.push(Link {
                label: label.to_string(),
                url: keep(url, &join(path, field), Limit::Value)?,
            });
        }
        Ok(())
    };
    push(
        "source",
        opt_nonempty(a, "generatorURL", path)?,
        "generatorURL",
    )?;
    push(
        "runbook",
        ann("runbook_url").or_else(|| ann("runbook")),
        "annotations.runbook_url",
    )?;
    let dashboard = opt_nonempty(a, "dashboardURL", path)?;
    push(
        "dashboard",
        dashboard.or_else(|| ann("dashboard").or_else(|| ann("dashboardURL"))),
        "dashboardURL",
    )?;
    if flavor == Flavor::Grafana {
        push("panel", opt_nonempty(a, "panelURL", path)?, "panelURL")?;
    }
    push(
        "silence",
        opt_nonempty(a, "silenceURL", path)?,
        "silenceURL",
    )?;
    Ok(out)
}

/// Alertmanager's (prometheus/common `model.LabelSet.Fingerprint`):
/// FNV-1a 64 over `name 0xff value 0xff` for each label in byte order of
/// the names, printed as 16 lowercase hex digits. The empty set hashes to
/// the FNV offset basis.
pub fn fingerprint(labels: &BTreeMap<String, String>) -> String {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    const SEPARATOR: u8 = 0xff;
    let mut h = OFFSET;
    let mut add = |b: u8| {
        h ^= u64::from(b);
        h = h.wrapping_mul(PRIME);
    };
    // BTreeMap<String, _> iterates in byte order, as Go's sort.Strings.
    for (name, value) in labels {
        name.bytes().for_each(&mut add);
        add(SEPARATOR);
        value.bytes().for_each(&mut add);
        add(SEPARATOR);
    }
    format!("{h:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn fingerprint_is_alertmanagers() {
        // From am_v031_firing_single.json, as Alertmanager printed it.
        let l = labels(&[
            ("alertname", "HighErrorRate"),
            ("cluster", "prod-eu1"),
            ("namespace", "checkout"),
            ("prometheus", "monitoring/k8s"),
            ("service", "checkout-api"),
            ("severity", "critical"),
            ("team", "payments"),
        ]);
        assert_eq!(fingerprint(&l), "0c3c40998c166beb");
        // The empty label set is FNV-1a's offset basis.
        assert_eq!(fingerprint(&BTreeMap::new()), "cbf29ce484222325");
        // Name/value boundaries matter: {a="bc"} is not {ab="c"}.
        assert_ne!(
            fingerprint(&labels(&[("a", "bc")])),
            fingerprint(&labels(&[("ab", "c")]))
        );
    }

    #[test]
    fn summary_forms() {
        let l = labels(&[("alertname", "Disk")]);
        let s = labels(&[("summary", "full"), ("description", "long")]);
        let d = labels(&[("description", "long")]);
        let none = BTreeMap::new();
        let am = Flavor::Alertmanager;
        assert_eq!(summary(&l, &s, "k", am), "Disk: full");
        assert_eq!(summary(&l, &d, "k", am), "Disk: long");
        assert_eq!(summary(&l, &none, "k", am), "Disk");
        assert_eq!(summary(&none, &s, "k", am), "full");
        assert_eq!(summary(&none, &none, "0c3c", am), "alert 0c3c");
        let nd = labels(&[("alertname", "DatasourceNoData"), ("rulename", "High CPU")]);
        assert_eq!(
            summary(&nd, &none, "k", Flavor::Grafana),
            "DatasourceNoData (rule \"High CPU\")"
        );
        // Alertmanager has no such convention: the alertname is all.
        assert_eq!(summary(&nd, &none, "k", am), "DatasourceNoData");
    }
}
