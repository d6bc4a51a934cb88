//! Reads inside a change's transaction, for rules that look beyond the
//! incident row (the close policy): what the postmortem, the action items
//! and the timeline say, as of the same snapshot the change is made on.

use super::Lite;
use crate::domain::{ActionItem, Incident, IncidentId, Postmortem, Severity};
use crate::error::Result;
use chrono::{DateTime, Utc};
use rusqlite::Connection;

pub struct TxView<'a>(Inner<'a>, DateTime<Utc>);

enum Inner<'a> {
    Lite {
        conn: &'a Connection,
        store: &'a Lite,
    },
    Pg(super::pg::View<'a>),
}

impl<'a> TxView<'a> {
    pub(super) fn lite(conn: &'a Connection, store: &'a Lite, now: DateTime<Utc>) -> TxView<'a> {
        TxView(Inner::Lite { conn, store }, now)
    }

    /// `now`: the server's time, read once after the write lock.
    pub(super) fn pg(
        tx: postgres::Transaction<'a>,
        pg: &'a super::pg::Pg,
        now: DateTime<Utc>,
    ) -> TxView<'a> {
        TxView(
            Inner::Pg(super::pg::View {
                tx: std::cell::RefCell::new(tx),
                pg,
            }),
            now,
        )
    }

    /// The transaction back, after the rule has read what it needed.
    pub(super) fn into_pg(self) -> Option<postgres::Transaction<'a>> {
        match self.0 {
            Inner::Pg(v) => Some(v.tx.into_inner()),
            Inner::Lite { .. } => None,
        }
    }
}

impl TxView<'_> {
    /// The time this write stores, for every timestamp it sets
    /// (acknowledged_at, resolved_at, `detected_at=now`, …) as for its
    /// events: on SQLite the caller's (injected) clock; on PostgreSQL the
    /// server's clock, read once after the write lock, so an incident's own
    /// times and its timeline agree however far a client's clock drifts.
    pub fn now(&self) -> DateTime<Utc> {
        self.1
    }

    pub fn postmortem(&self, id: IncidentId) -> Result<Option<Postmortem>> {
        match &self.0 {
            Inner::Lite { conn, store } => {
                super::postmortems::postmortem_of(conn, id).map_err(|e| store.err(e))?
            }
            Inner::Pg(v) => v.postmortem(id),
        }
    }

    pub fn actions(&self, id: IncidentId) -> Result<Vec<ActionItem>> {
        match &self.0 {
            Inner::Lite { conn, store } => {
                super::postmortems::actions_of(conn, id).map_err(|e| store.err(e))?
            }
            Inner::Pg(v) => v.actions(id),
        }
    }

    /// How many of the incident's alerts are still firing or acknowledged
    /// at the source.
    pub fn open_alerts(&self, id: IncidentId) -> Result<i64> {
        match &self.0 {
            Inner::Lite { conn, store } => super::alerts::counts_of(conn, id)
                .map(|c| c.open())
                .map_err(|e| store.err(e)),
            Inner::Pg(v) => v.open_alerts(id),
        }
    }

    /// The most severe the incident has been (now or on its timeline).
    pub fn worst_severity(&self, inc: &Incident) -> Result<Severity> {
        let events = match &self.0 {
            Inner::Lite { conn, store } => {
                super::timeline::events_of(conn, inc.id, Some("severity"))
                    .map_err(|e| store.err(e))??
            }
            Inner::Pg(v) => v.severity_events(inc.id)?,
        };
        Ok(crate::domain::worst_severity(inc, &events))
    }
}
