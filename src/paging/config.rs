//! What paging is configured to do: escalation policies, services (their
//! policy and stakeholder channels), which severities page, how long the
//! outbox keeps trying, and how often stakeholders expect an update.
//!
//! ```toml
//! [paging]
//! default_escalation = "primary"   # incidents whose service names none
//! severities = ["SEV1", "SEV2", "SEV3"]
//! give_up = "1h"
//! update_channels = ["status-room"]
//!
//! [escalation.primary]
//! repeat = 1                        # run the steps once more if nobody acknowledges
//! repeat_after = "10m"              # … this long after the last step (default 5m)
//! [[escalation.primary.steps]]
//! delay = "0m"                      # after the incident is logged
//! targets = ["schedule:payments"]
//! [[escalation.primary.steps]]
//! delay = "10m"                     # after the step before
//! targets = ["schedule:payments-secondary", "user:dana"]
//!
//! [services.checkout]
//! escalation = "primary"
//! stakeholders = ["status-room"]
//!
//! [updates]
//! SEV1 = "30m"
//! SEV2 = "60m"
//! ```

use crate::domain::Severity;
use std::collections::BTreeMap;
use std::time::Duration;

/// Who a step pages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    User(String),
    /// Whoever is on call on this schedule at the time of the step.
    Schedule(String),
}

impl Target {
    pub fn parse(s: &str) -> Result<Target, String> {
        let s = s.trim();
        let bad = || {
            format!(
                "target '{s}' is not user:NAME or schedule:NAME (for example \"schedule:primary\")"
            )
        };
        let (kind, name) = s.split_once(':').ok_or_else(bad)?;
        let name = name.trim();
        if name.is_empty() {
            return Err(bad());
        }
        match kind.trim() {
            "user" => Ok(Target::User(name.into())),
            "schedule" => Ok(Target::Schedule(name.into())),
            _ => Err(bad()),
        }
    }

    pub fn show(&self) -> String {
        match self {
            Target::User(u) => format!("user:{u}"),
            Target::Schedule(s) => format!("schedule:{s}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// Wait after the step before (the first: after the incident was logged).
    pub delay: Duration,
    pub targets: Vec<Target>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    pub name: String,
    pub steps: Vec<Step>,
    /// How many more times the steps run when nobody acknowledges.
    pub repeat: u32,
    /// The wait after the last step before the steps run again.
    pub repeat_after: Duration,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Service {
    pub escalation: Option<String>,
    /// Channels that get this service's stakeholder updates.
    pub stakeholders: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paging {
    pub policies: BTreeMap<String, Policy>,
    pub services: BTreeMap<String, Service>,
    pub default_escalation: Option<String>,
    /// Severities that page (others are logged, not paged).
    pub severities: Vec<Severity>,
    /// The outbox stops retrying a notification this long after it was written.
    pub give_up: Duration,
    /// How often stakeholders expect an update, by severity.
    pub cadence: BTreeMap<Severity, Duration>,
    /// Stakeholder channels of every incident (besides its service's).
    pub update_channels: Vec<String>,
}

impl Default for Paging {
    fn default() -> Paging {
        let mut cadence = BTreeMap::new();
        cadence.insert(Severity::Sev1, Duration::from_secs(30 * 60));
        cadence.insert(Severity::Sev2, Duration::from_secs(60 * 60));
        Paging {
            policies: BTreeMap::new(),
            services: BTreeMap::new(),
            default_escalation: None,
            severities: vec![Severity::Sev1, Severity::Sev2, Severity::Sev3],
            give_up: Duration::from_secs(3600),
            cadence,
            update_channels: Vec::new(),
        }
    }
}

impl Paging {
    /// The policy that escalates an incident of `service` at `severity`.
    pub fn policy_for(&self, service: Option<&str>, severity: Severity) -> Option<&Policy> {
        self.policy_tagged(service, severity, &[])
    }

    /// [`Paging::policy_for`], where a tag `escalation:NAME` (set by a
    /// routing rule's `tags`, or by a person) names the policy itself.
    pub fn policy_tagged(
        &self,
        service: Option<&str>,
        severity: Severity,
        tags: &[String],
    ) -> Option<&Policy> {
        if !self.severities.contains(&severity) {
            return None;
        }
        if let Some(p) = tags
            .iter()
            .filter_map(|t| t.strip_prefix("escalation:"))
            .find_map(|n| self.policies.get(n.trim()))
        {
            return Some(p);
        }
        let named = service
            .and_then(|s| self.services.get(s))
            .and_then(|s| s.escalation.as_ref())
            .or(self.default_escalation.as_ref())?;
        self.policies.get(named)
    }

    /// The channels a stakeholder update of an incident of `service` goes to.
    pub fn stakeholders(&self, service: Option<&str>) -> Vec<String> {
        let service = service.and_then(|s| self.services.get(s));
        let mut out: Vec<String> = Vec::new();
        for c in self
            .update_channels
            .iter()
            .chain(service.iter().flat_map(|s| &s.stakeholders))
        {
            if !out.contains(c) {
                out.push(c.clone());
            }
        }
        out
    }

    /// How often an incident at `severity` needs an update, if at all.
    pub fn cadence(&self, severity: Severity) -> Option<Duration> {
        self.cadence.get(&severity).copied()
    }
}
