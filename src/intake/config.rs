//! The alert intake's configuration, resolved: integrations, generic
//! mappings, routing rules, the severity map and the policies. Read from
//! the `[alerts]`, `[[integrations]]` and `[[routes]]` sections of the
//! layered config files (see `config::file`); every mistake there is a
//! config error with file:line:column. Secrets are never in this struct:
//! only the paths of the files holding them, read by `sev serve`.

use super::model::Source;
use super::route::Route;
use crate::domain::Severity;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

/// What happens to an incident when every one of its alerts has resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum WhenResolved {
    /// Move it to mitigated: impact is over, a person confirms the fix.
    #[default]
    Mitigate,
    Resolve,
    Nothing,
}

/// A generic sender's mapping: small minijinja templates over the JSON
/// body (`body.…`) that pick out the alert.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Mapping {
    pub key: String,
    pub summary: String,
    /// Renders to the source's severity word (mapped like any other).
    pub severity: Option<String>,
    /// Renders to `firing`, `acknowledged` or `resolved` (also accepted:
    /// `trigger`/`problem`/`alerting` → firing, `ok`/`close`/`closed`/
    /// `recovery` → resolved).
    pub state: String,
    /// Renders to the group; absent: one group per key.
    pub group: Option<String>,
    pub labels: BTreeMap<String, String>,
    pub annotations: BTreeMap<String, String>,
}

/// One configured sender.
#[derive(Debug, Clone, PartialEq)]
pub struct Integration {
    /// Its name: `generic:NAME` endpoints and `heartbeat/NAME` use it, and
    /// alerts record it.
    pub name: String,
    pub source: Source,
    /// A file (mode 0600/0400, owned by the service user) holding the
    /// bearer token, or `user:password` for basic auth. Required for every
    /// HTTP source but PagerDuty, whose routing key is its credential.
    pub secret_file: Option<PathBuf>,
    /// PagerDuty: a file holding the 32-character routing key.
    pub routing_key_file: Option<PathBuf>,
    /// Grafana: a file holding the HMAC signing secret; when set, unsigned
    /// or wrongly signed bodies are refused.
    pub signing_secret_file: Option<PathBuf>,
    /// Group alerts by these labels instead of the sender's group.
    pub group_by: Option<Vec<String>>,
    pub when_resolved: WhenResolved,
    /// A re-fire within this long after the incident's alerts resolved
    /// returns to the same incident (and counts a flap).
    pub reopen_window: Duration,
    /// For senders that never send a resolve: resolve an alert after this
    /// long without a new receipt.
    pub resolve_after_quiet: Option<Duration>,
    /// A heartbeat is expected at least this often.
    pub heartbeat: Option<Duration>,
    /// Storm guard: above this many new alert groups a minute from this
    /// integration, new groups join one storm incident.
    pub storm_per_minute: u32,
    /// Generic senders: how to read the body.
    pub mapping: Option<Mapping>,
    /// Defaults for the incidents this integration opens (a route may
    /// still set them).
    pub service: Option<String>,
}

impl Integration {
    /// An integration with every default (tests, `sev ingest` without a
    /// configured integration).
    pub fn named(name: &str, source: Source) -> Integration {
        Integration {
            name: name.to_string(),
            source,
            secret_file: None,
            routing_key_file: None,
            signing_secret_file: None,
            group_by: None,
            when_resolved: WhenResolved::Mitigate,
            reopen_window: Duration::from_secs(30 * 60),
            resolve_after_quiet: None,
            heartbeat: None,
            storm_per_minute: 20,
            mapping: None,
            service: None,
        }
    }
}

/// The whole intake configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertsConfig {
    pub integrations: Vec<Integration>,
    /// Ordered; first match wins unless a rule says `continue = true`.
    pub routes: Vec<Route>,
    /// Source severity word (lowercase) → SEV. A route may say SEV1; this
    /// map never does.
    pub severity_map: BTreeMap<String, Severity>,
    /// Severity when the source gives none or one the map lacks.
    pub default_severity: Severity,
    /// Ring the terminal bell when an alert opens an incident in view.
    pub bell: bool,
    /// `sev serve` limits.
    pub max_body_bytes: usize,
    pub read_timeout: Duration,
    pub max_concurrent: usize,
}

impl Default for AlertsConfig {
    fn default() -> Self {
        let mut severity_map = BTreeMap::new();
        for (w, s) in [
            ("critical", Severity::Sev2),
            ("error", Severity::Sev3),
            ("warning", Severity::Sev3),
            ("info", Severity::Sev4),
        ] {
            severity_map.insert(w.to_string(), s);
        }
        AlertsConfig {
            integrations: Vec::new(),
            routes: Vec::new(),
            severity_map,
            default_severity: Severity::Sev3,
            bell: false,
            max_body_bytes: super::model::limits::BODY_BYTES,
            read_timeout: Duration::from_secs(10),
            max_concurrent: 64,
        }
    }
}

impl AlertsConfig {
    /// The integration a request names. Without configured integrations,
    /// `sev ingest` uses one named after the source with every default.
    pub fn integration(&self, name: &str) -> Option<&Integration> {
        self.integrations.iter().find(|i| i.name == name)
    }

    /// SEV for a source severity word; never SEV1 (only a route may).
    pub fn map_severity(&self, word: Option<&str>) -> Severity {
        let s = word
            .map(|w| w.trim().to_ascii_lowercase())
            .and_then(|w| self.severity_map.get(&w).copied())
            .unwrap_or(self.default_severity);
        if s == Severity::Sev1 {
            Severity::Sev2
        } else {
            s
        }
    }
}
