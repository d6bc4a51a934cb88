//! Response-target breaches on the timeline, and the reopens that start a
//! clock's new cycle (SQLite). A breach is recorded once per clock per
//! cycle, without a schema change: an existing `breach` event of that clock
//! after the cycle's reopen event (id order) means it is recorded already,
//! checked again inside the same `BEGIN IMMEDIATE` transaction that appends.

use super::Lite;
use super::timeline;
use super::types::Epoch;
use crate::domain::{EventKind, IncidentId};
use crate::error::Result;
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use std::collections::HashMap;

/// An incident's latest reopen: the status event's id and time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reopen {
    pub event: i64,
    pub at: DateTime<Utc>,
}

/// One missed target to put on the timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBreach {
    pub incident: IncidentId,
    /// The version it was judged at: a change since (an ack, a reopen)
    /// means the verdict is stale and nothing is written.
    pub version: i64,
    /// `acknowledge` or `resolve` (the event's `field`).
    pub clock: &'static str,
    /// The cycle's reopen event (0: the first cycle).
    pub after_event: i64,
    pub text: String,
}

/// A reopen is a status event from a finished state back to investigating.
pub(super) const REOPEN_WHERE: &str = "kind = 'status' AND field = 'status' \
    AND new = 'investigating' AND old IN ('resolved', 'closed', 'cancelled')";

pub(super) const BREACH_EXISTS: &str = "SELECT 1 FROM events \
    WHERE incident_id = ?1 AND id > ?2 AND kind = 'breach' AND field = ?3 LIMIT 1";

fn recorded(c: &Connection, b: &NewBreach) -> rusqlite::Result<bool> {
    c.prepare_cached(BREACH_EXISTS)?
        .query_row(params![b.incident, b.after_event, b.clock], |_| Ok(()))
        .optional()
        .map(|o| o.is_some())
}

impl Lite {
    /// The latest reopen of each of `ids` that was ever reopened.
    pub fn reopens(&self, ids: &[IncidentId]) -> Result<HashMap<IncidentId, Reopen>> {
        let list: Vec<i64> = ids.iter().map(|i| i.0).collect();
        let json = serde_json::to_string(&list).unwrap_or_else(|_| "[]".into());
        let sql = format!(
            "SELECT e.incident_id, e.id, e.at FROM events e
              WHERE e.id IN (SELECT max(id) FROM events
                              WHERE incident_id IN (SELECT value FROM json_each(?1))
                                AND {REOPEN_WHERE}
                              GROUP BY incident_id)"
        );
        let run = || -> rusqlite::Result<HashMap<IncidentId, Reopen>> {
            let mut st = self.conn.prepare_cached(&sql)?;
            let rows = st.query_map([json.as_str()], |r| {
                Ok((
                    r.get::<_, IncidentId>(0)?,
                    Reopen {
                        event: r.get(1)?,
                        at: r.get::<_, Epoch>(2)?.0,
                    },
                ))
            })?;
            rows.collect()
        };
        run().map_err(|e| self.err(e))
    }

    /// Append a `breach` event for each of `list` not recorded yet in its
    /// cycle (and whose incident is still at the version judged): how many
    /// were written. Nothing to write takes no write lock.
    pub fn record_breaches(
        &self,
        list: &[NewBreach],
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<usize> {
        let mut todo = Vec::new();
        for b in list {
            if !recorded(&self.conn, b).map_err(|e| self.err(e))? {
                todo.push(b);
            }
        }
        if todo.is_empty() {
            return Ok(0);
        }
        let tx = self.write_tx()?;
        let mut n = 0;
        for b in todo {
            let version: Option<i64> = tx
                .prepare_cached("SELECT version FROM incidents WHERE id = ?")
                .and_then(|mut s| s.query_row([b.incident], |r| r.get(0)).optional())
                .map_err(|e| self.err(e))?;
            if version != Some(b.version) || recorded(&tx, b).map_err(|e| self.err(e))? {
                continue;
            }
            let mut e = timeline::text_event(b.incident, now, actor, EventKind::Breach, &b.text);
            e.field = Some(b.clock.to_string());
            timeline::append(&tx, b.incident, &e).map_err(|e| self.err(e))?;
            n += 1;
        }
        tx.commit().map_err(|e| self.err(e))?;
        Ok(n)
    }
}
