//! What every alert source is turned into before anything is decided:
//! a [`Batch`] of [`AlertIn`]s. Parsers (one per sender) produce it from a
//! request body; routing reads it; [`super::apply`] writes it.
//!
//! Identity comes from the sender, never from the text: Alertmanager's and
//! Grafana's `fingerprint`, PagerDuty's `(routing_key, dedup_key)`, a
//! generic mapping's `key`. Two alerts with the same summary and different
//! keys are two alerts.

use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::BTreeMap;

/// The wire formats sev understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    Alertmanager,
    Grafana,
    Pagerduty,
    Generic,
    /// A missed heartbeat: sev's own alert.
    Heartbeat,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Alertmanager => "alertmanager",
            Source::Grafana => "grafana",
            Source::Pagerduty => "pagerduty",
            Source::Generic => "generic",
            Source::Heartbeat => "heartbeat",
        }
    }

    pub fn parse(s: &str) -> Option<Source> {
        Some(match s {
            "alertmanager" => Source::Alertmanager,
            "grafana" => Source::Grafana,
            "pagerduty" => Source::Pagerduty,
            "generic" => Source::Generic,
            "heartbeat" => Source::Heartbeat,
            _ => return None,
        })
    }
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the sender says about one alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    Firing,
    /// PagerDuty's `acknowledge`: someone has it at the source.
    Acknowledged,
    Resolved,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Firing => "firing",
            State::Acknowledged => "acknowledged",
            State::Resolved => "resolved",
        }
    }
}

/// A link the sender gave (generatorURL, runbook_url, dashboardURL, …):
/// stored and shown as text, never opened by sev.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Link {
    pub label: String,
    pub url: String,
}

/// One alert as a sender reported it, normalized.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlertIn {
    /// The sender's identity for this alert (fingerprint, dedup key, …).
    pub key: String,
    pub state: State,
    /// One line: alertname plus summary, or PagerDuty's `payload.summary`.
    pub summary: String,
    /// The source's severity as written (`critical`, `warning`, `P2`, …),
    /// mapped to a SEV by config.
    pub severity: Option<String>,
    pub labels: BTreeMap<String, String>,
    pub annotations: BTreeMap<String, String>,
    pub links: Vec<Link>,
    /// When the problem began at the source (Alertmanager `startsAt`).
    pub starts_at: Option<DateTime<Utc>>,
    /// When it ended at the source (a resolved alert's `endsAt`).
    pub ends_at: Option<DateTime<Utc>>,
}

/// One request body, parsed: the alerts it lists and how they group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Batch {
    pub source: Source,
    /// The group these alerts belong to (Alertmanager/Grafana `groupKey`,
    /// PagerDuty's dedup key, a generic mapping's group). `None`: each
    /// alert is its own group (its key).
    pub group: Option<String>,
    /// Labels common to the group (Alertmanager `commonLabels`, …).
    pub common_labels: BTreeMap<String, String>,
    pub alerts: Vec<AlertIn>,
    /// Alerts the sender left out (`truncatedAlerts`): the snapshot is
    /// partial, so nothing may be concluded from what is absent.
    pub truncated: u64,
    /// PagerDuty: the routing key that selects the integration. Never
    /// stored unredacted, never printed.
    pub routing_key: Option<String>,
    /// PagerDuty trigger without a dedup key: the key sev generated, to
    /// return to the sender.
    pub generated_key: bool,
}

impl Batch {
    pub fn new(source: Source) -> Batch {
        Batch {
            source,
            group: None,
            common_labels: BTreeMap::new(),
            alerts: Vec::new(),
            truncated: 0,
            routing_key: None,
            generated_key: false,
        }
    }

    /// The group key of alert `a` in this batch.
    pub fn group_of<'a>(&'a self, a: &'a AlertIn) -> &'a str {
        self.group.as_deref().unwrap_or(&a.key)
    }
}

/// A body that is not what the sender's format says: a one-line reason
/// naming the field (`alerts[3].labels: expected an object`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct BadBody(pub String);

/// Upper bounds that hold whatever the limits of the HTTP layer: a body is
/// refused, not truncated, when it breaks one.
pub mod limits {
    /// Request body, as PagerDuty's API.
    pub const BODY_BYTES: usize = 512 * 1024;
    /// Alerts in one body.
    pub const ALERTS: usize = 1000;
    /// One label or annotation value.
    pub const VALUE_BYTES: usize = 16 * 1024;
    /// Labels (or annotations) on one alert.
    pub const LABELS: usize = 200;
    /// A key (fingerprint, dedup key).
    pub const KEY_BYTES: usize = 255;
    /// A summary.
    pub const SUMMARY_BYTES: usize = 1024;
}
