//! Alerts, maintenance windows and heartbeats on SQLite, read and written
//! outside the intake's transaction (the CLI, the TUI's header).

use super::Lite;
use super::alerts::{alert_row, beat_row, move_alerts_in, rows, window_row};
use super::intake::{
    ALERT_COLUMNS, AlertCounts, AlertQuery, AlertRow, Beat, WINDOW_COLUMNS, Window,
};
use super::types::Epoch;
use crate::domain::IncidentId;
use crate::error::{Error, Result};
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

impl Lite {
    pub fn alerts(&self, q: &AlertQuery) -> Result<Vec<AlertRow>> {
        let mut conds = Vec::new();
        if q.incident.is_some() {
            conds.push("incident_id = ?1");
        }
        if q.open_only {
            conds.push("status <> 'resolved'");
        }
        if q.suppressed_only {
            conds.push("suppressed IS NOT NULL");
        }
        let w = if conds.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conds.join(" AND "))
        };
        let sql = format!(
            "SELECT {ALERT_COLUMNS} FROM alerts {w} ORDER BY id DESC LIMIT {}",
            q.limit.map(|l| l as i64).unwrap_or(-1)
        );
        let mut st = self.conn.prepare(&sql).map_err(|e| self.err(e))?;
        let it = match q.incident {
            Some(i) => st.query_map([i.0], alert_row),
            None => st.query_map([], alert_row),
        }
        .map_err(|e| self.err(e))?;
        it.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.err(e))
    }

    /// Alert counts for each of `ids` that has alerts.
    pub fn alert_counts(
        &self,
        ids: &[IncidentId],
    ) -> Result<std::collections::HashMap<IncidentId, AlertCounts>> {
        // One statement for the whole window of rows (the list asks on
        // every scroll), served by `alerts_incident`.
        let mut out = std::collections::HashMap::new();
        for chunk in ids.chunks(500) {
            let marks = vec!["?"; chunk.len()].join(",");
            let sql = format!(
                "SELECT incident_id, count(*), coalesce(sum(status = 'firing'), 0),
                        coalesce(sum(status = 'acknowledged'), 0),
                        coalesce(sum(status = 'resolved'), 0)
                   FROM alerts WHERE incident_id IN ({marks}) GROUP BY incident_id"
            );
            let mut st = self.conn.prepare_cached(&sql).map_err(|e| self.err(e))?;
            let rows = st
                .query_map(rusqlite::params_from_iter(chunk.iter().map(|i| i.0)), |r| {
                    Ok((
                        IncidentId(r.get(0)?),
                        AlertCounts {
                            total: r.get(1)?,
                            firing: r.get(2)?,
                            acknowledged: r.get(3)?,
                            resolved: r.get(4)?,
                        },
                    ))
                })
                .map_err(|e| self.err(e))?;
            for r in rows {
                let (id, c) = r.map_err(|e| self.err(e))?;
                out.insert(id, c);
            }
        }
        Ok(out)
    }

    pub fn add_window(&self, w: &Window) -> Result<Window> {
        let tx = self.write_tx()?;
        tx.execute(
            "INSERT INTO maintenance (matchers, starts_at, ends_at, reason, created_by, created_at)
             VALUES (?, ?, ?, ?, ?, ?)",
            params![
                w.matchers,
                Epoch(w.starts_at),
                Epoch(w.ends_at),
                w.reason,
                w.created_by,
                Epoch(w.created_at)
            ],
        )
        .map_err(|e| self.err(e))?;
        let id = tx.last_insert_rowid();
        tx.commit().map_err(|e| self.err(e))?;
        Ok(Window { id, ..w.clone() })
    }

    /// Windows not yet over at `now` (in force or future), or all with `all`.
    pub fn windows(&self, now: DateTime<Utc>, all: bool) -> Result<Vec<Window>> {
        let sql = format!(
            "SELECT {WINDOW_COLUMNS} FROM maintenance WHERE ?1 OR ends_at > ?2 ORDER BY starts_at, id"
        );
        rows(&self.conn, &sql, params![all, Epoch(now)], window_row).map_err(|e| self.err(e))
    }

    /// End window `id` at `now` (if it has not ended); the window as stored.
    pub fn end_window(&self, id: i64, by: &str, now: DateTime<Utc>) -> Result<Window> {
        let tx = self.write_tx()?;
        tx.execute(
            "UPDATE maintenance SET ends_at = min(ends_at, ?1), ended_by = ?2
              WHERE id = ?3 AND ends_at > ?1",
            params![Epoch(now), by, id],
        )
        .map_err(|e| self.err(e))?;
        let w = tx
            .query_row(
                &format!("SELECT {WINDOW_COLUMNS} FROM maintenance WHERE id = ?"),
                [id],
                window_row,
            )
            .optional()
            .map_err(|e| self.err(e))?
            .ok_or_else(|| {
                Error::NotFound(format!(
                    "no maintenance window {id}: see `sev maintenance list`"
                ))
            })?;
        tx.commit().map_err(|e| self.err(e))?;
        Ok(w)
    }

    /// Move every alert (and group) of incident `from` to `into`.
    pub fn move_alerts(&self, from: IncidentId, into: IncidentId) -> Result<usize> {
        let tx = self.write_tx()?;
        let n = move_alerts_in(&tx, from, into).map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))?;
        Ok(n)
    }

    /// Open storm incidents.
    pub fn open_storms(&self) -> Result<Vec<IncidentId>> {
        rows(&self.conn, super::intake::OPEN_STORMS, [], |r| {
            Ok(IncidentId(r.get(0)?))
        })
        .map_err(|e| self.err(e))
    }

    pub fn heartbeats(&self) -> Result<Vec<Beat>> {
        rows(
            &self.conn,
            "SELECT name, last_at, incident_id FROM heartbeats ORDER BY name",
            [],
            beat_row,
        )
        .map_err(|e| self.err(e))
    }
}
