//! Routing rules: ordered, first match wins (`continue = true` keeps
//! going). Matchers use Alertmanager's syntax over an alert's labels and a
//! few fields; a rule may also hold a time window. What a matching rule
//! sets is merged into the [`Routed`] result; `suppress` records the alert
//! and opens nothing.
//!
//! What a matcher's name reads, in order ([`field`]):
//! - `source` and `integration`: sev's own facts about the request, never
//!   a label (a sender cannot pose as another integration);
//! - the alert's label of that name, else the batch's common label;
//! - `severity` and `summary`: the alert's fields when no label has the
//!   name (Alertmanager's `severity` label usually is the field).
//!
//! When several rules match (earlier ones saying `continue = true`), a
//! field set by an earlier rule stays; later rules fill only what is still
//! unset, and tags add up.

use super::config::Integration;
use super::matcher::Matcher;
use super::model::{AlertIn, Batch};
use super::window::Window;
use crate::domain::{Impact, Priority, Severity, Urgency};
use chrono::{DateTime, Utc};

/// What a rule sets on the incident an alert opens.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Actions {
    pub service: Option<String>,
    pub category: Option<String>,
    pub severity: Option<Severity>,
    pub impact: Option<Impact>,
    pub urgency: Option<Urgency>,
    pub assignee: Option<String>,
    pub commander: Option<String>,
    pub tags: Vec<String>,
    pub group_by: Option<Vec<String>>,
}

/// One `[[routes]]` rule, parsed and checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Route {
    /// `file:line:column` of the rule, for `sev route test`.
    pub at: String,
    pub name: Option<String>,
    /// All must match (none: every alert matches).
    pub matchers: Vec<Matcher>,
    /// When the rule applies (none: always).
    pub when: Option<Window>,
    pub set: Actions,
    /// Record the alert, open nothing.
    pub suppress: bool,
    /// Keep trying the rules after this one when it matches.
    pub continue_matching: bool,
}

impl Route {
    /// How `sev route test` names the rule: its name, else `#N`.
    pub fn label(&self, index: usize) -> String {
        match &self.name {
            Some(n) => n.clone(),
            None => format!("#{}", index + 1),
        }
    }
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

/// Run `alert` of `batch` through `routes` at `now`. Matchers on
/// `integration` see an empty value here: the intake knows the integration
/// and calls [`route_with`].
pub fn route(
    routes: &[Route],
    batch: &Batch,
    alert: &AlertIn,
    now: DateTime<Utc>,
) -> (Routed, Vec<Trial>) {
    route_with(routes, None, batch, alert, now)
}

/// [`route`] for an alert that came through `integration`.
pub fn route_with(
    routes: &[Route],
    integration: Option<&str>,
    batch: &Batch,
    alert: &AlertIn,
    now: DateTime<Utc>,
) -> (Routed, Vec<Trial>) {
    let get = |name: &str| field(batch, integration, alert, name);
    let mut out = Routed::default();
    let mut trials = Vec::new();
    for (i, r) in routes.iter().enumerate() {
        let rule = format!("{} ({})", r.label(i), r.at);
        if let Some(w) = &r.when
            && let Err(why) = w.check(now)
        {
            trials.push(Trial {
                rule,
                matched: false,
                why: format!("outside its time window: {why}"),
            });
            continue;
        }
        if let Some(m) = r.matchers.iter().find(|m| !m.matches(get)) {
            let why = match get(&m.name) {
                Some(v) => format!("{m} failed: {} is {}", m.name, super::matcher::quote(v)),
                None => format!("{m} failed: {} is absent", m.name),
            };
            trials.push(Trial {
                rule,
                matched: false,
                why,
            });
            continue;
        }
        let why = match (r.matchers.len(), &r.when) {
            (0, None) => "no matchers: matches every alert".to_string(),
            (n, None) => format!("all {n} matchers matched"),
            (n, Some(w)) => format!("all {n} matchers matched, inside {}", w.describe()),
        };
        trials.push(Trial {
            rule,
            matched: true,
            why,
        });
        merge(&mut out, r, i);
        if !r.continue_matching {
            break;
        }
    }
    (out, trials)
}

fn merge(out: &mut Routed, r: &Route, index: usize) {
    let s = &r.set;
    fn fill<T: Clone>(slot: &mut Option<T>, v: &Option<T>) {
        if slot.is_none() {
            slot.clone_from(v);
        }
    }
    fill(&mut out.service, &s.service);
    fill(&mut out.category, &s.category);
    fill(&mut out.severity, &s.severity);
    fill(&mut out.impact, &s.impact);
    fill(&mut out.urgency, &s.urgency);
    fill(&mut out.assignee, &s.assignee);
    fill(&mut out.commander, &s.commander);
    fill(&mut out.group_by, &s.group_by);
    for t in &s.tags {
        if !out.tags.contains(t) {
            out.tags.push(t.clone());
        }
    }
    if r.suppress && out.suppressed_by.is_none() {
        out.suppressed_by = Some(format!("{} ({})", r.label(index), r.at));
    }
}

/// What a matcher's name reads of an alert (routes and maintenance
/// windows alike): `source` and `integration` are sev's own facts; any
/// other name is the alert's label, else the batch's common label, else
/// (for `severity` and `summary`) the alert's field.
pub fn field<'a>(
    batch: &'a Batch,
    integration: Option<&'a str>,
    alert: &'a AlertIn,
    name: &str,
) -> Option<&'a str> {
    match name {
        "source" => return Some(batch.source.as_str()),
        "integration" => return integration,
        _ => {}
    }
    if let Some(v) = alert
        .labels
        .get(name)
        .or_else(|| batch.common_labels.get(name))
    {
        return Some(v);
    }
    match name {
        "severity" => alert.severity.as_deref(),
        "summary" => Some(&alert.summary),
        _ => None,
    }
}

/// The incident an alert would open, as `sev route test` shows it: built
/// by the intake's own code, so it is what `sev ingest` would create.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Preview {
    pub title: String,
    pub service: Option<String>,
    pub category: Option<String>,
    pub severity: Severity,
    pub impact: Impact,
    pub urgency: Urgency,
    pub priority: Priority,
    pub assignee: Option<String>,
    pub commander: Option<String>,
    pub tags: Vec<String>,
    /// The group key its incident is found by.
    pub group: String,
}

/// What `routed` makes of `alert` when it opens a new incident (an alert
/// whose group already has one joins that instead).
pub fn preview(
    cfg: &crate::config::Config,
    integ: &Integration,
    batch: &Batch,
    alert: &AlertIn,
    routed: &Routed,
    now: DateTime<Utc>,
) -> Preview {
    let inc = super::open::build(cfg, integ, batch, alert, routed, "route-test", now);
    Preview {
        title: inc.title,
        service: inc.service,
        category: inc.category,
        severity: inc.severity,
        impact: inc.impact,
        urgency: inc.urgency,
        priority: inc.priority,
        assignee: inc.assignee,
        commander: inc.commander,
        tags: inc.tags,
        group: super::apply::group_key(integ, batch, alert, routed),
    }
}

#[cfg(test)]
#[path = "route_tests.rs"]
mod tests;
