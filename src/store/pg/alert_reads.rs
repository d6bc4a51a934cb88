//! Alert intake reads and small writes outside the intake transaction on
//! PostgreSQL: alerts and their counts, maintenance windows, merges'
//! alert moves, heartbeats, storms.

use super::alert_columns::{alert_row, beat_row, window_row};
use super::*;
use crate::store::intake::{
    ALERT_COLUMNS, AlertCounts, AlertQuery, AlertRow, Beat, WINDOW_COLUMNS, Window,
};

impl Pg {
    pub fn alerts(&self, q: &AlertQuery) -> Result<Vec<AlertRow>> {
        let mut conds = vec!["($1::bigint IS NULL OR incident_id = $1)"];
        if q.open_only {
            conds.push("status <> 'resolved'");
        }
        if q.suppressed_only {
            conds.push("suppressed IS NOT NULL");
        }
        let limit = q.limit.map(|l| l as i64);
        let sql = format!(
            "SELECT {ALERT_COLUMNS} FROM alerts WHERE {} ORDER BY id DESC LIMIT $2",
            conds.join(" AND ")
        );
        let inc = q.incident.map(|i| i.0);
        let rows = self
            .client
            .borrow_mut()
            .query(sql.as_str(), &[&inc, &limit])
            .map_err(|e| self.err(e))?;
        Ok(rows.iter().map(alert_row).collect())
    }

    pub fn alert_counts(&self, ids: &[IncidentId]) -> Result<HashMap<IncidentId, AlertCounts>> {
        let ids: Vec<i64> = ids.iter().map(|i| i.0).collect();
        let rows = self
            .client
            .borrow_mut()
            .query(
                "SELECT incident_id, count(*)::bigint,
                        count(*) FILTER (WHERE status = 'firing')::bigint,
                        count(*) FILTER (WHERE status = 'acknowledged')::bigint,
                        count(*) FILTER (WHERE status = 'resolved')::bigint
                   FROM alerts WHERE incident_id = ANY($1) GROUP BY incident_id",
                &[&ids],
            )
            .map_err(|e| self.err(e))?;
        Ok(rows
            .iter()
            .map(|r| {
                (
                    IncidentId(r.get(0)),
                    AlertCounts {
                        total: r.get(1),
                        firing: r.get(2),
                        acknowledged: r.get(3),
                        resolved: r.get(4),
                    },
                )
            })
            .collect())
    }

    pub fn add_window(&self, w: &Window) -> Result<Window> {
        self.write(|tx, _now| {
            let id: i64 = tx
                .query_one(
                    "SELECT coalesce(max(id), 0)::bigint + 1 FROM maintenance",
                    &[],
                )
                .map_err(|e| self.err(e))?
                .get(0);
            let (s, e, c) = (
                w.starts_at.timestamp(),
                w.ends_at.timestamp(),
                w.created_at.timestamp(),
            );
            tx.execute(
                "INSERT INTO maintenance (id, matchers, starts_at, ends_at, reason, created_by,
                    created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                &[&id, &w.matchers, &s, &e, &w.reason, &w.created_by, &c],
            )
            .map_err(|er| self.err(er))?;
            Ok(Window { id, ..w.clone() })
        })
    }

    pub fn windows(&self, now: DateTime<Utc>, all: bool) -> Result<Vec<Window>> {
        let t = now.timestamp();
        let rows = self
            .client
            .borrow_mut()
            .query(
                format!(
                    "SELECT {WINDOW_COLUMNS} FROM maintenance WHERE $1 OR ends_at > $2
                      ORDER BY starts_at, id"
                )
                .as_str(),
                &[&all, &t],
            )
            .map_err(|e| self.err(e))?;
        Ok(rows.iter().map(window_row).collect())
    }

    pub fn end_window(&self, id: i64, by: &str, now: DateTime<Utc>) -> Result<Window> {
        self.write(|tx, _| {
            let t = now.timestamp();
            tx.execute(
                "UPDATE maintenance SET ends_at = least(ends_at, $1), ended_by = $2
                  WHERE id = $3 AND ends_at > $1",
                &[&t, &by, &id],
            )
            .map_err(|e| self.err(e))?;
            let r = tx
                .query_opt(
                    format!("SELECT {WINDOW_COLUMNS} FROM maintenance WHERE id = $1").as_str(),
                    &[&id],
                )
                .map_err(|e| self.err(e))?;
            r.as_ref().map(window_row).ok_or_else(|| {
                Error::NotFound(format!(
                    "no maintenance window {id}: see `sev maintenance list`"
                ))
            })
        })
    }

    pub fn move_alerts(&self, from: IncidentId, into: IncidentId) -> Result<usize> {
        self.write(|tx, _| move_alerts_in(tx, from, into).map_err(|e| self.err(e)))
    }

    /// Open storm incidents.
    pub fn open_storms(&self) -> Result<Vec<IncidentId>> {
        let rows = self
            .client
            .borrow_mut()
            .query(crate::store::intake::OPEN_STORMS, &[])
            .map_err(|e| self.err(e))?;
        Ok(rows.iter().map(|r| IncidentId(r.get(0))).collect())
    }

    pub fn heartbeats(&self) -> Result<Vec<Beat>> {
        let rows = self
            .client
            .borrow_mut()
            .query(
                "SELECT name, last_at, incident_id FROM heartbeats ORDER BY name",
                &[],
            )
            .map_err(|e| self.err(e))?;
        Ok(rows.iter().map(beat_row).collect())
    }
}

/// Move incident `from`'s alerts, and the groups that fed it, to `into`
/// (inside the caller's write transaction); how many alerts moved.
pub(super) fn move_alerts_in(
    tx: &mut Transaction<'_>,
    from: IncidentId,
    into: IncidentId,
) -> std::result::Result<usize, postgres::Error> {
    let n = tx.execute(
        "UPDATE alerts SET incident_id = $1 WHERE incident_id = $2",
        &[&into.0, &from.0],
    )?;
    tx.execute(
        "UPDATE alert_groups SET incident_id = $1 WHERE incident_id = $2",
        &[&into.0, &from.0],
    )?;
    Ok(n as usize)
}
