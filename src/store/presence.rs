//! Presence: each running TUI says which incident it shows and whether its
//! user is editing it. Rows of dead processes simply stop being refreshed
//! and fall out of [`Store::viewers`] after [`EXPIRY`].

use super::Store;
use super::types::Epoch;
use crate::domain::IncidentId;
use crate::error::Result;
use chrono::{DateTime, Utc};
use rusqlite::params;

/// Heartbeats older than this are ignored (a crashed sev vanishes within it).
pub const EXPIRY: chrono::Duration = chrono::Duration::seconds(45);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Presence {
    pub host: String,
    pub pid: u32,
    pub actor: String,
    pub origin: String,
    pub incident: Option<IncidentId>,
    pub editing: bool,
    pub seen_at: DateTime<Utc>,
}

impl Store {
    /// Record (or refresh) this process's presence; forget long-dead rows.
    pub fn heartbeat(&self, p: &Presence) -> Result<()> {
        let tx = self.write_tx()?;
        tx.execute(
            "INSERT INTO presence (host, pid, actor, origin, incident_id, editing, seen_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (host, pid) DO UPDATE SET actor = ?3, origin = ?4, incident_id = ?5, editing = ?6, seen_at = ?7",
            params![p.host, p.pid, p.actor, p.origin, p.incident, p.editing, Epoch(p.seen_at)],
        )
        .map_err(|e| self.err(e))?;
        tx.execute(
            "DELETE FROM presence WHERE seen_at < ?",
            [Epoch(p.seen_at - chrono::Duration::minutes(10))],
        )
        .map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))
    }

    /// This process is leaving.
    pub fn leave(&self, host: &str, pid: u32) -> Result<()> {
        self.conn
            .execute(
                "DELETE FROM presence WHERE host = ? AND pid = ?",
                params![host, pid],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Who else has `id` on screen now (heartbeat within [`EXPIRY`]).
    pub fn viewers(&self, id: IncidentId, now: DateTime<Utc>) -> Result<Vec<Presence>> {
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT host, pid, actor, origin, incident_id, editing, seen_at FROM presence
                 WHERE incident_id = ? AND seen_at >= ? ORDER BY editing DESC, actor",
            )
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map(params![id, Epoch(now - EXPIRY)], |r| {
                Ok(Presence {
                    host: r.get("host")?,
                    pid: r.get("pid")?,
                    actor: r.get("actor")?,
                    origin: r.get("origin")?,
                    incident: r.get("incident_id")?,
                    editing: r.get("editing")?,
                    seen_at: r.get::<_, Epoch>("seen_at")?.0,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(|e| self.err(e))
    }
}
