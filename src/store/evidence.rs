//! Evidence on the timeline (SQLite): one short write transaction after
//! the command has finished. Like a note it never conflicts: it appends
//! one chained event and bumps only `updated_at`.

use super::Lite;
use super::timeline;
use super::types::Epoch;
use crate::domain::{Event, EventKind, IncidentId};
use crate::error::Result;
use chrono::{DateTime, Utc};
use rusqlite::params;

impl Lite {
    pub fn add_evidence(
        &self,
        id: IncidentId,
        actor: &str,
        now: DateTime<Utc>,
        text: &str,
    ) -> Result<Event> {
        let tx = self.write_tx()?;
        super::incidents::stored(&tx, id).map_err(|e| self.err(e))??;
        let ev = timeline::text_event(id, now, actor, EventKind::Evidence, text);
        let eid = timeline::append(&tx, id, &ev).map_err(|e| self.err(e))?;
        tx.execute(
            "UPDATE incidents SET updated_at = max(updated_at, ?) WHERE id = ?",
            params![Epoch(now), id],
        )
        .map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))?;
        Ok(Event {
            id: eid,
            at: DateTime::from_timestamp(now.timestamp(), 0).unwrap_or(now),
            ..ev
        })
    }
}
