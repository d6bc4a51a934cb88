//! What a service review reads besides the incidents themselves: the
//! postmortems of a period's incidents and the alerts received in it.

use super::Lite;
use crate::domain::{IncidentId, PmStatus};
use crate::error::Result;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

/// A postmortem's state, for completion and time to publish.
#[derive(Debug, Clone, PartialEq)]
pub struct PmFact {
    pub incident: IncidentId,
    pub status: PmStatus,
    pub published_at: Option<DateTime<Utc>>,
}

/// One alert episode (a row: fired until resolved), for recurrence.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertFact {
    pub incident: Option<IncidentId>,
    pub integration: String,
    pub key: String,
    /// `alertname` when the sender labels one, else the summary.
    pub name: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReviewFacts {
    pub postmortems: Vec<PmFact>,
    pub alerts: Vec<AlertFact>,
    pub actions: Vec<crate::domain::ActionItem>,
}

pub(super) const PM_FACTS: &str = "SELECT p.incident_id, p.status, p.published_at FROM postmortems p \
     JOIN incidents i ON i.id = p.incident_id WHERE i.created_at >= $1 AND i.created_at < $2";

pub(super) const ALERT_FACTS: &str = "SELECT incident_id, integration, alert_key, labels, summary \
     FROM alerts WHERE first_received >= $1 AND first_received < $2 AND suppressed IS NULL";

/// The alert's name: its `alertname` label, else its summary.
pub(super) fn alert_name(labels: &str, summary: String) -> String {
    serde_json::from_str::<BTreeMap<String, String>>(labels)
        .ok()
        .and_then(|mut l| l.remove("alertname"))
        .filter(|n| !n.trim().is_empty())
        .unwrap_or(summary)
}

pub(super) fn pm_status(s: &str) -> PmStatus {
    s.parse().unwrap_or(PmStatus::Draft)
}

/// Titles and services of these incidents, for a report's lists.
pub(super) const TITLES_LITE: &str =
    "SELECT id, title, service FROM incidents WHERE id IN (SELECT value FROM json_each(?1))";
pub(super) const TITLES_PG: &str = "SELECT id, title, service FROM incidents WHERE id = ANY($1)";

/// An incident's title and service (text from the database: sanitize it
/// before it reaches a terminal).
pub type Titles = std::collections::HashMap<IncidentId, (String, Option<String>)>;

impl Lite {
    pub fn titles(&self, ids: &[IncidentId]) -> Result<Titles> {
        let list: Vec<i64> = ids.iter().map(|i| i.0).collect();
        let json = serde_json::to_string(&list).unwrap_or_else(|_| "[]".into());
        let mut st = self.conn.prepare(TITLES_LITE).map_err(|e| self.err(e))?;
        let rows = st
            .query_map([json], |r| {
                Ok((IncidentId(r.get(0)?), (r.get(1)?, r.get(2)?)))
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<Titles>>())
            .map_err(|e| self.err(e))?;
        Ok(rows)
    }

    pub fn review_facts(&self, since: DateTime<Utc>, until: DateTime<Utc>) -> Result<ReviewFacts> {
        let span = rusqlite::params![since.timestamp(), until.timestamp()];
        let mut st = self.conn.prepare(PM_FACTS).map_err(|e| self.err(e))?;
        let postmortems = st
            .query_map(span, |r| {
                Ok(PmFact {
                    incident: IncidentId(r.get(0)?),
                    status: pm_status(&r.get::<_, String>(1)?),
                    published_at: r
                        .get::<_, Option<i64>>(2)?
                        .and_then(|t| DateTime::from_timestamp(t, 0)),
                })
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(|e| self.err(e))?;
        let mut st = self.conn.prepare(ALERT_FACTS).map_err(|e| self.err(e))?;
        let alerts = st
            .query_map(span, |r| {
                Ok(AlertFact {
                    incident: r.get::<_, Option<i64>>(0)?.map(IncidentId),
                    integration: r.get(1)?,
                    key: r.get(2)?,
                    name: alert_name(&r.get::<_, String>(3)?, r.get(4)?),
                })
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(|e| self.err(e))?;
        Ok(ReviewFacts {
            postmortems,
            alerts,
            actions: Vec::new(),
        })
    }
}
