//! Alerts, the groups that feed incidents, maintenance windows, heartbeats
//! and leases: the rows of the alert intake, and the one write transaction
//! that applies a body ([`IntakeTx`]). The decisions (which incident, which
//! state) are made in `crate::intake::apply`; this module only stores them,
//! the same way on both backends.

use crate::domain::{Event, Incident, IncidentId};
use crate::error::Result;
use crate::intake::model::Link;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::BTreeMap;

/// One alert occurrence as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlertRow {
    pub id: i64,
    pub incident: Option<IncidentId>,
    pub source: String,
    pub integration: String,
    pub key: String,
    pub group: String,
    /// firing, acknowledged or resolved.
    pub status: String,
    /// Why it opened nothing (a route, a maintenance window); `None` when
    /// it feeds an incident.
    pub suppressed: Option<String>,
    pub summary: String,
    pub severity: Option<String>,
    pub labels: BTreeMap<String, String>,
    pub annotations: BTreeMap<String, String>,
    pub links: Vec<Link>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub first_received: DateTime<Utc>,
    pub last_received: DateTime<Utc>,
    pub receipts: i64,
    pub last_body: Option<i64>,
}

impl AlertRow {
    pub fn is_open(&self) -> bool {
        self.status != "resolved"
    }
}

/// Which incident a sender's group feeds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupRow {
    pub integration: String,
    pub group_key: String,
    pub incident: IncidentId,
    pub opened_at: DateTime<Utc>,
    pub flaps: i64,
    /// When its last alert resolved (for the reopen window).
    pub quiet_since: Option<DateTime<Utc>>,
}

/// A maintenance window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Window {
    pub id: i64,
    /// Alertmanager matcher text (`service="checkout", env=~"prod.*"`).
    pub matchers: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub reason: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    /// Who ended it early (`sev maintenance end`).
    pub ended_by: Option<String>,
    /// Alerts still firing when it ended have opened their incidents.
    pub replayed: bool,
}

/// Alert counts of one incident, for the list and the detail pane.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct AlertCounts {
    pub total: i64,
    pub firing: i64,
    pub acknowledged: i64,
    pub resolved: i64,
}

impl AlertCounts {
    pub fn open(&self) -> i64 {
        self.firing + self.acknowledged
    }
}

/// Which alerts `sev alerts` lists.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AlertQuery {
    pub incident: Option<IncidentId>,
    /// Only firing or acknowledged ones.
    pub open_only: bool,
    /// Only those recorded as suppressed.
    pub suppressed_only: bool,
    pub limit: Option<usize>,
}

/// A heartbeat's state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Beat {
    pub name: String,
    pub last_at: DateTime<Utc>,
    /// The open "monitoring is silent" incident, if any.
    pub incident: Option<IncidentId>,
}

/// One write transaction of the alert intake. Everything done through it
/// commits together or not at all; every time it stores comes from
/// [`IntakeTx::now`] (on PostgreSQL the server's clock, read under the
/// write lock).
pub trait IntakeTx {
    fn now(&self) -> DateTime<Utc>;
    /// Store a raw body (already redacted); its id.
    fn store_body(&mut self, source: &str, integration: &str, body: &str) -> Result<i64>;
    /// The open (firing or acknowledged) alert with this key.
    fn open_alert(&mut self, integration: &str, key: &str) -> Result<Option<AlertRow>>;
    /// Insert (id ignored) and return the new id.
    fn insert_alert(&mut self, a: &AlertRow) -> Result<i64>;
    fn update_alert(&mut self, a: &AlertRow) -> Result<()>;
    /// The open alerts of `integration` with any of these keys. A backend
    /// that pays a round trip per statement answers in one.
    fn open_alerts(&mut self, integration: &str, keys: &[String]) -> Result<Vec<AlertRow>> {
        let mut out = Vec::new();
        for k in keys {
            out.extend(self.open_alert(integration, k)?);
        }
        Ok(out)
    }
    /// [`IntakeTx::store_body`], then [`IntakeTx::open_alerts`] (in one
    /// statement where a round trip costs).
    fn store_body_read_open(
        &mut self,
        source: &str,
        integration: &str,
        body: &str,
        keys: &[String],
    ) -> Result<(i64, Vec<AlertRow>)> {
        let id = self.store_body(source, integration, body)?;
        Ok((id, self.open_alerts(integration, keys)?))
    }
    /// Write the `updates` (by id), then insert the `inserts` (ids
    /// ignored). Updates go first: one may resolve the open alert a key's
    /// insert then replaces.
    fn write_alerts(&mut self, updates: &[AlertRow], inserts: &[AlertRow]) -> Result<()> {
        for a in updates {
            self.update_alert(a)?;
        }
        for a in inserts {
            self.insert_alert(a)?;
        }
        Ok(())
    }
    /// Open alerts recorded as suppressed (for replay when a window ends).
    fn suppressed_open(&mut self, limit: usize) -> Result<Vec<AlertRow>>;
    /// Open alerts of `integration` last received before `before`.
    fn quiet_alerts(&mut self, integration: &str, before: DateTime<Utc>) -> Result<Vec<AlertRow>>;
    fn alert_counts(&mut self, incident: IncidentId) -> Result<AlertCounts>;
    fn group(&mut self, integration: &str, group_key: &str) -> Result<Option<GroupRow>>;
    /// Insert or replace.
    fn put_group(&mut self, g: &GroupRow) -> Result<()>;
    /// The groups of `integration` feeding incident `id`.
    fn group_keys_of(&mut self, integration: &str, id: IncidentId) -> Result<Vec<String>>;
    /// Groups of `integration` first seen since `since`, counted up to
    /// `cap` (the storm guard only asks whether there are that many: the
    /// count costs the same during a storm of thousands).
    fn groups_opened_since(
        &mut self,
        integration: &str,
        since: DateTime<Utc>,
        cap: i64,
    ) -> Result<i64>;
    fn incident(&mut self, id: IncidentId) -> Result<Incident>;
    /// The incident and its alert counts (one statement where a round
    /// trip costs).
    fn incident_with_counts(&mut self, id: IncidentId) -> Result<(Incident, AlertCounts)> {
        Ok((self.incident(id)?, self.alert_counts(id)?))
    }
    /// Insert with its `created` event (at [`IntakeTx::now`]); the new id.
    fn create_incident(&mut self, inc: &Incident, actor: &str) -> Result<IncidentId>;
    /// Write `inc` over the stored row (which must still be at
    /// `inc.version`), bump the version, append `events`.
    fn update_incident(&mut self, inc: &Incident, events: &[Event]) -> Result<()>;
    /// Append one event (a note-like record: no version bump).
    fn append_event(&mut self, e: &Event) -> Result<()>;
    /// Windows in force at `at` (started, not ended).
    fn windows_at(&mut self, at: DateTime<Utc>) -> Result<Vec<Window>>;
    /// Windows that ended and have not been replayed yet.
    fn windows_to_replay(&mut self, at: DateTime<Utc>) -> Result<Vec<Window>>;
    fn mark_replayed(&mut self, id: i64) -> Result<()>;
    fn beat(&mut self, name: &str) -> Result<Option<Beat>>;
    fn put_beat(&mut self, b: &Beat) -> Result<()>;
    fn beats(&mut self) -> Result<Vec<Beat>>;
    /// Take or renew lease `name` for `holder` until `until`; false when
    /// another holder's lease has not expired.
    fn take_lease(&mut self, name: &str, holder: &str, until: DateTime<Utc>) -> Result<bool>;
}

pub(crate) fn labels_json(m: &BTreeMap<String, String>) -> String {
    serde_json::to_string(m).unwrap_or_else(|_| "{}".into())
}

pub(crate) fn links_json(l: &[Link]) -> String {
    serde_json::to_string(l).unwrap_or_else(|_| "[]".into())
}

pub(crate) fn labels_of(s: &str) -> BTreeMap<String, String> {
    serde_json::from_str(s).unwrap_or_default()
}

pub(crate) fn links_of(s: &str) -> Vec<Link> {
    serde_json::from_str(s).unwrap_or_default()
}

/// The columns of an alert, in the order the row decoders read them.
pub(crate) const ALERT_COLUMNS: &str = "id, incident_id, source, integration, alert_key, \
    group_key, status, suppressed, summary, severity, labels, annotations, links, starts_at, \
    ends_at, first_received, last_received, receipts, last_body";

pub(crate) const WINDOW_COLUMNS: &str =
    "id, matchers, starts_at, ends_at, reason, created_by, created_at, ended_by, replayed";

/// What the TUI header shows about the intake.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IntakeState {
    /// Windows in force now.
    pub windows: Vec<Window>,
    /// Open storm incidents with their alert counts.
    pub storms: Vec<(IncidentId, AlertCounts)>,
    /// Notifications waiting and failed.
    pub outbox: super::respond::OutboxCounts,
    /// Until when a `sev serve` holds the paging lease (None: none ever).
    pub paging_until: Option<DateTime<Utc>>,
}

/// Open storm incidents (see `intake::open`): their storm group rows.
pub(crate) const OPEN_STORMS: &str = "SELECT g.incident_id FROM alert_groups g
    JOIN incidents i ON i.id = g.incident_id
   WHERE g.integration LIKE 'storm:%' AND g.group_key = 'storm' AND i.attention < 2
   ORDER BY g.incident_id";
