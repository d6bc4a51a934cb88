//! Reads inside a change's transaction, for rules that look beyond the
//! incident row (the close policy): what the postmortem, the action items
//! and the timeline say, as of the same snapshot the change is made on.

use super::Store;
use crate::domain::{ActionItem, Incident, IncidentId, Postmortem, Severity};
use crate::error::Result;
use rusqlite::Connection;

pub struct TxView<'a> {
    pub(super) conn: &'a Connection,
    pub(super) store: &'a Store,
}

impl TxView<'_> {
    pub fn postmortem(&self, id: IncidentId) -> Result<Option<Postmortem>> {
        super::postmortems::postmortem_of(self.conn, id).map_err(|e| self.store.err(e))?
    }

    pub fn actions(&self, id: IncidentId) -> Result<Vec<ActionItem>> {
        super::postmortems::actions_of(self.conn, id).map_err(|e| self.store.err(e))?
    }

    /// The most severe the incident has been (now or on its timeline).
    pub fn worst_severity(&self, inc: &Incident) -> Result<Severity> {
        let events = super::timeline::events_of(self.conn, inc.id, Some("severity"))
            .map_err(|e| self.store.err(e))??;
        Ok(crate::domain::worst_severity(inc, &events))
    }
}
