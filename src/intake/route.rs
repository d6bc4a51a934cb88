//! Routing rules: ordered, first match wins (`continue = true` keeps
//! going). Matchers use Alertmanager's syntax over an alert's labels and a
//! few fields; a rule may also hold a time window. What a matching rule
//! sets is merged into the [`Routed`] result; `suppress` records the alert
//! and opens nothing.
//!
//! INTERFACE (implemented by the routing work): `Route`, `Routed`,
//! `Trial`, `route`.

use super::model::{AlertIn, Batch};
use crate::domain::{Impact, Severity, Urgency};
use chrono::{DateTime, Utc};

/// One `[[routes]]` rule, parsed and checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Route {
    /// `file:line:column` of the rule, for `sev route test`.
    pub at: String,
    pub name: Option<String>,
}

/// What routing decided for one alert.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
pub struct Routed {
    pub service: Option<String>,
    pub category: Option<String>,
    pub severity: Option<Severity>,
    pub impact: Option<Impact>,
    pub urgency: Option<Urgency>,
    pub assignee: Option<String>,
    pub commander: Option<String>,
    pub tags: Vec<String>,
    pub group_by: Option<Vec<String>>,
    /// Set when a rule suppressed the alert: which rule, for the record.
    pub suppressed_by: Option<String>,
}

/// One rule tried, for `sev route test`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Trial {
    pub rule: String,
    pub matched: bool,
    /// Why: the first matcher that failed, or "all N matchers matched".
    pub why: String,
}

/// Run `alert` of `batch` through `routes` at `now`.
pub fn route(
    _routes: &[Route],
    _batch: &Batch,
    _alert: &AlertIn,
    _now: DateTime<Utc>,
) -> (Routed, Vec<Trial>) {
    (Routed::default(), Vec::new())
}
