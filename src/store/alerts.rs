//! The alert intake on SQLite: [`IntakeTx`] over one `BEGIN IMMEDIATE`
//! transaction, and the reads and writes outside it (alerts, windows).

use super::Lite;
use super::intake::{
    ALERT_COLUMNS, AlertCounts, AlertRow, Beat, GroupRow, IntakeTx, WINDOW_COLUMNS, Window,
    labels_json, labels_of, links_json, links_of,
};
use super::timeline;
use super::types::{Epoch, epoch};
use crate::domain::{Event, EventKind, Incident, IncidentId};
use crate::error::{Error, Result};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};

fn time(t: Option<i64>) -> Option<DateTime<Utc>> {
    t.and_then(|s| DateTime::from_timestamp(s, 0))
}

fn at(t: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(t, 0).unwrap_or_default()
}

pub(super) fn alert_row(r: &Row<'_>) -> rusqlite::Result<AlertRow> {
    Ok(AlertRow {
        id: r.get(0)?,
        incident: r.get::<_, Option<i64>>(1)?.map(IncidentId),
        source: r.get(2)?,
        integration: r.get(3)?,
        key: r.get(4)?,
        group: r.get(5)?,
        status: r.get(6)?,
        suppressed: r.get(7)?,
        summary: r.get(8)?,
        severity: r.get(9)?,
        labels: labels_of(&r.get::<_, String>(10)?),
        annotations: labels_of(&r.get::<_, String>(11)?),
        links: links_of(&r.get::<_, String>(12)?),
        starts_at: time(r.get(13)?),
        ends_at: time(r.get(14)?),
        first_received: at(r.get(15)?),
        last_received: at(r.get(16)?),
        receipts: r.get(17)?,
        last_body: r.get(18)?,
    })
}

pub(super) fn window_row(r: &Row<'_>) -> rusqlite::Result<Window> {
    Ok(Window {
        id: r.get(0)?,
        matchers: r.get(1)?,
        starts_at: at(r.get(2)?),
        ends_at: at(r.get(3)?),
        reason: r.get(4)?,
        created_by: r.get(5)?,
        created_at: at(r.get(6)?),
        ended_by: r.get(7)?,
        replayed: r.get::<_, i64>(8)? != 0,
    })
}

fn group_row(r: &Row<'_>) -> rusqlite::Result<GroupRow> {
    Ok(GroupRow {
        integration: r.get(0)?,
        group_key: r.get(1)?,
        incident: IncidentId(r.get(2)?),
        opened_at: at(r.get(3)?),
        flaps: r.get(4)?,
        quiet_since: time(r.get(5)?),
    })
}

pub(super) fn rows<T>(
    c: &Connection,
    sql: &str,
    args: impl rusqlite::Params,
    f: fn(&Row<'_>) -> rusqlite::Result<T>,
) -> rusqlite::Result<Vec<T>> {
    let mut st = c.prepare_cached(sql)?;
    let it = st.query_map(args, f)?;
    it.collect()
}

pub(super) fn counts_of(c: &Connection, id: IncidentId) -> rusqlite::Result<AlertCounts> {
    c.prepare_cached(
        "SELECT count(*), coalesce(sum(status = 'firing'), 0),
                coalesce(sum(status = 'acknowledged'), 0), coalesce(sum(status = 'resolved'), 0)
           FROM alerts WHERE incident_id = ?",
    )?
    .query_row([id.0], |r| {
        Ok(AlertCounts {
            total: r.get(0)?,
            firing: r.get(1)?,
            acknowledged: r.get(2)?,
            resolved: r.get(3)?,
        })
    })
}

/// Move incident `from`'s alerts, and the groups that fed it, to `into`
/// (inside the caller's write transaction); how many alerts moved.
pub(super) fn move_alerts_in(
    tx: &Connection,
    from: IncidentId,
    into: IncidentId,
) -> rusqlite::Result<usize> {
    let n = tx.execute(
        "UPDATE alerts SET incident_id = ? WHERE incident_id = ?",
        params![into.0, from.0],
    )?;
    tx.execute(
        "UPDATE alert_groups SET incident_id = ? WHERE incident_id = ?",
        params![into.0, from.0],
    )?;
    Ok(n)
}

/// One intake transaction on SQLite.
pub(super) struct LiteIntake<'a> {
    pub(super) tx: &'a Connection,
    pub(super) lite: &'a Lite,
    pub(super) now: DateTime<Utc>,
}

impl LiteIntake<'_> {
    pub(super) fn e(&self, e: rusqlite::Error) -> Error {
        self.lite.err(e)
    }
}

impl IntakeTx for LiteIntake<'_> {
    fn now(&self) -> DateTime<Utc> {
        self.now
    }

    fn store_body(&mut self, source: &str, integration: &str, body: &str) -> Result<i64> {
        self.tx
            .prepare_cached(
                "INSERT INTO intake_bodies (received_at, source, integration, body)
                 VALUES (?, ?, ?, ?)",
            )
            .and_then(|mut s| s.execute(params![Epoch(self.now), source, integration, body]))
            .map_err(|e| self.e(e))?;
        Ok(self.tx.last_insert_rowid())
    }

    fn open_alert(&mut self, integration: &str, key: &str) -> Result<Option<AlertRow>> {
        self.tx
            .prepare_cached(&format!(
                "SELECT {ALERT_COLUMNS} FROM alerts
                  WHERE integration = ? AND alert_key = ? AND status <> 'resolved'"
            ))
            .and_then(|mut s| s.query_row(params![integration, key], alert_row).optional())
            .map_err(|e| self.e(e))
    }

    fn insert_alert(&mut self, a: &AlertRow) -> Result<i64> {
        self.tx
            .prepare_cached(
                "INSERT INTO alerts (incident_id, source, integration, alert_key, group_key,
                    status, suppressed, summary, severity, labels, annotations, links,
                    starts_at, ends_at, first_received, last_received, receipts, last_body)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    a.incident.map(|i| i.0),
                    a.source,
                    a.integration,
                    a.key,
                    a.group,
                    a.status,
                    a.suppressed,
                    a.summary,
                    a.severity,
                    labels_json(&a.labels),
                    labels_json(&a.annotations),
                    links_json(&a.links),
                    epoch(a.starts_at),
                    epoch(a.ends_at),
                    Epoch(a.first_received),
                    Epoch(a.last_received),
                    a.receipts,
                    a.last_body,
                ])
            })
            .map_err(|e| self.e(e))?;
        Ok(self.tx.last_insert_rowid())
    }

    fn update_alert(&mut self, a: &AlertRow) -> Result<()> {
        self.tx
            .prepare_cached(
                "UPDATE alerts SET incident_id = ?, group_key = ?, status = ?, suppressed = ?,
                    summary = ?, severity = ?, labels = ?, annotations = ?, links = ?,
                    starts_at = ?, ends_at = ?, last_received = ?, receipts = ?, last_body = ?
                  WHERE id = ?",
            )
            .and_then(|mut s| {
                s.execute(params![
                    a.incident.map(|i| i.0),
                    a.group,
                    a.status,
                    a.suppressed,
                    a.summary,
                    a.severity,
                    labels_json(&a.labels),
                    labels_json(&a.annotations),
                    links_json(&a.links),
                    epoch(a.starts_at),
                    epoch(a.ends_at),
                    Epoch(a.last_received),
                    a.receipts,
                    a.last_body,
                    a.id,
                ])
            })
            .map_err(|e| self.e(e))?;
        Ok(())
    }

    fn suppressed_open(&mut self, limit: usize) -> Result<Vec<AlertRow>> {
        rows(
            self.tx,
            &format!(
                "SELECT {ALERT_COLUMNS} FROM alerts
                  WHERE status <> 'resolved' AND suppressed IS NOT NULL
                  ORDER BY id LIMIT ?"
            ),
            [limit as i64],
            alert_row,
        )
        .map_err(|e| self.e(e))
    }

    fn quiet_alerts(&mut self, integration: &str, before: DateTime<Utc>) -> Result<Vec<AlertRow>> {
        rows(
            self.tx,
            &format!(
                "SELECT {ALERT_COLUMNS} FROM alerts
                  WHERE status <> 'resolved' AND integration = ? AND last_received < ?
                  ORDER BY id LIMIT 1000"
            ),
            params![integration, Epoch(before)],
            alert_row,
        )
        .map_err(|e| self.e(e))
    }

    fn alert_counts(&mut self, incident: IncidentId) -> Result<AlertCounts> {
        counts_of(self.tx, incident).map_err(|e| self.e(e))
    }

    fn group(&mut self, integration: &str, group_key: &str) -> Result<Option<GroupRow>> {
        self.tx
            .prepare_cached(
                "SELECT integration, group_key, incident_id, opened_at, flaps, quiet_since
                   FROM alert_groups WHERE integration = ? AND group_key = ?",
            )
            .and_then(|mut s| {
                s.query_row(params![integration, group_key], group_row)
                    .optional()
            })
            .map_err(|e| self.e(e))
    }

    fn put_group(&mut self, g: &GroupRow) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT OR REPLACE INTO alert_groups
                    (integration, group_key, incident_id, opened_at, flaps, quiet_since)
                 VALUES (?, ?, ?, ?, ?, ?)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    g.integration,
                    g.group_key,
                    g.incident.0,
                    Epoch(g.opened_at),
                    g.flaps,
                    epoch(g.quiet_since)
                ])
            })
            .map_err(|e| self.e(e))?;
        Ok(())
    }

    fn group_keys_of(&mut self, integration: &str, id: IncidentId) -> Result<Vec<String>> {
        let mut st = self
            .tx
            .prepare_cached(
                "SELECT group_key FROM alert_groups WHERE incident_id = ? AND integration = ?",
            )
            .map_err(|e| self.e(e))?;
        let it = st
            .query_map(params![id.0, integration], |r| r.get(0))
            .map_err(|e| self.e(e))?;
        it.collect::<rusqlite::Result<Vec<String>>>()
            .map_err(|e| self.e(e))
    }

    fn groups_opened_since(
        &mut self,
        integration: &str,
        since: DateTime<Utc>,
        cap: i64,
    ) -> Result<i64> {
        self.tx
            .prepare_cached(
                "SELECT count(*) FROM (SELECT 1 FROM alert_groups
                  WHERE integration = ? AND opened_at >= ? LIMIT ?)",
            )
            .and_then(|mut s| s.query_row(params![integration, Epoch(since), cap], |r| r.get(0)))
            .map_err(|e| self.e(e))
    }

    fn incident(&mut self, id: IncidentId) -> Result<Incident> {
        super::incidents::stored(self.tx, id).map_err(|e| self.e(e))?
    }

    fn create_incident(&mut self, inc: &Incident, actor: &str) -> Result<IncidentId> {
        let id = super::incidents::insert_row(self.tx, inc).map_err(|e| self.e(e))?;
        let created = timeline::text_event(id, self.now, actor, EventKind::Created, &inc.title);
        timeline::append(self.tx, id, &created).map_err(|e| self.e(e))?;
        Ok(id)
    }

    fn update_incident(&mut self, inc: &Incident, events: &[Event]) -> Result<()> {
        let mut next = inc.clone();
        next.version = inc.version + 1;
        next.updated_at = self.now.max(inc.updated_at);
        let n = super::incidents::update_row(self.tx, &next, inc.version).map_err(|e| self.e(e))?;
        if n != 1 {
            return Err(Error::Internal(format!(
                "{} changed under a write lock; nothing was saved",
                inc.id
            )));
        }
        for e in events {
            timeline::append(self.tx, inc.id, e).map_err(|er| self.e(er))?;
        }
        Ok(())
    }

    fn append_event(&mut self, e: &Event) -> Result<()> {
        timeline::append(self.tx, e.incident, e).map_err(|er| self.e(er))?;
        self.tx
            .execute(
                "UPDATE incidents SET updated_at = max(updated_at, ?) WHERE id = ?",
                params![Epoch(self.now), e.incident.0],
            )
            .map_err(|er| self.e(er))?;
        Ok(())
    }

    fn windows_at(&mut self, t: DateTime<Utc>) -> Result<Vec<Window>> {
        rows(
            self.tx,
            &format!(
                "SELECT {WINDOW_COLUMNS} FROM maintenance
                  WHERE ends_at > ?1 AND starts_at <= ?1 ORDER BY id"
            ),
            [Epoch(t)],
            window_row,
        )
        .map_err(|e| self.e(e))
    }

    fn windows_to_replay(&mut self, t: DateTime<Utc>) -> Result<Vec<Window>> {
        rows(
            self.tx,
            &format!(
                "SELECT {WINDOW_COLUMNS} FROM maintenance
                  WHERE ends_at <= ? AND replayed = 0 ORDER BY id"
            ),
            [Epoch(t)],
            window_row,
        )
        .map_err(|e| self.e(e))
    }

    fn mark_replayed(&mut self, id: i64) -> Result<()> {
        self.tx
            .execute("UPDATE maintenance SET replayed = 1 WHERE id = ?", [id])
            .map_err(|e| self.e(e))?;
        Ok(())
    }

    fn beat(&mut self, name: &str) -> Result<Option<Beat>> {
        self.tx
            .prepare_cached("SELECT name, last_at, incident_id FROM heartbeats WHERE name = ?")
            .and_then(|mut s| s.query_row([name], beat_row).optional())
            .map_err(|e| self.e(e))
    }

    fn put_beat(&mut self, b: &Beat) -> Result<()> {
        self.tx
            .execute(
                "INSERT OR REPLACE INTO heartbeats (name, last_at, incident_id) VALUES (?, ?, ?)",
                params![b.name, Epoch(b.last_at), b.incident.map(|i| i.0)],
            )
            .map_err(|e| self.e(e))?;
        Ok(())
    }

    fn beats(&mut self) -> Result<Vec<Beat>> {
        rows(
            self.tx,
            "SELECT name, last_at, incident_id FROM heartbeats ORDER BY name",
            [],
            beat_row,
        )
        .map_err(|e| self.e(e))
    }

    fn take_lease(&mut self, name: &str, holder: &str, until: DateTime<Utc>) -> Result<bool> {
        let n = self
            .tx
            .execute(
                "INSERT INTO leases (name, holder, expires_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (name) DO UPDATE SET holder = ?2, expires_at = ?3
                  WHERE leases.holder = ?2 OR leases.expires_at <= ?4",
                params![name, holder, Epoch(until), Epoch(self.now)],
            )
            .map_err(|e| self.e(e))?;
        Ok(n == 1)
    }
}

pub(super) fn beat_row(r: &Row<'_>) -> rusqlite::Result<Beat> {
    Ok(Beat {
        name: r.get(0)?,
        last_at: at(r.get(1)?),
        incident: r.get::<_, Option<i64>>(2)?.map(IncidentId),
    })
}

impl Lite {
    /// Run `f` in one `BEGIN IMMEDIATE` transaction; commit when it returns Ok.
    pub fn intake<T>(
        &self,
        now: DateTime<Utc>,
        f: impl FnOnce(&mut dyn IntakeTx) -> Result<T>,
    ) -> Result<T> {
        // One transaction type serves both: the intake's view of it.
        self.respond(now, |tx| f(tx))
    }
}
