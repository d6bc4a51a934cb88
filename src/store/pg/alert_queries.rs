//! The alert intake on PostgreSQL: [`IntakeTx`] over one transaction that
//! holds the write lock (so the chain stays linear and ids are `max + 1`),
//! and the reads and writes outside it.

use super::alert_columns::{
    COUNTS, Columns, INSERT_ALERTS, UPDATE_ALERTS, alert_row, at, beat_row, counts, time,
    window_row,
};
use super::*;
use crate::store::intake::{
    ALERT_COLUMNS, AlertCounts, AlertRow, Beat, GroupRow, IntakeTx, WINDOW_COLUMNS, Window,
    labels_json, links_json,
};

pub(super) struct PgIntake<'a, 't> {
    pub(super) tx: &'a mut Transaction<'t>,
    pub(super) pg: &'a Pg,
    pub(super) now: DateTime<Utc>,
    pub(super) head: Head,
    /// The highest incident and intake body ids (the write lock is held:
    /// the next are + 1).
    pub(super) incidents: i64,
    pub(super) bodies: i64,
    /// The windows in force at a time, read once per transaction (every
    /// body of a combined transaction asks for the same time).
    pub(super) windows: Option<(i64, Vec<Window>)>,
}

impl PgIntake<'_, '_> {
    pub(super) fn next_id(&mut self, table: &str) -> Result<i64> {
        let r = self.one(
            format!("SELECT coalesce(max(id), 0)::bigint + 1 FROM {table}").as_str(),
            &[],
        )?;
        Ok(r.get(0))
    }

    // Every statement of the intake is prepared once per connection
    // (`Pg::prepared`): one round trip per statement, not two.

    pub(super) fn list(&mut self, sql: &str, params: &[Param<'_>]) -> Result<Vec<Row>> {
        let st = self.pg.prepared(&mut *self.tx, sql)?;
        self.tx.query(&st, params).map_err(|e| self.pg.err(e))
    }

    pub(super) fn one(&mut self, sql: &str, params: &[Param<'_>]) -> Result<Row> {
        let st = self.pg.prepared(&mut *self.tx, sql)?;
        self.tx.query_one(&st, params).map_err(|e| self.pg.err(e))
    }

    pub(super) fn opt(&mut self, sql: &str, params: &[Param<'_>]) -> Result<Option<Row>> {
        let st = self.pg.prepared(&mut *self.tx, sql)?;
        self.tx.query_opt(&st, params).map_err(|e| self.pg.err(e))
    }

    pub(super) fn exec(&mut self, sql: &str, params: &[Param<'_>]) -> Result<u64> {
        let st = self.pg.prepared(&mut *self.tx, sql)?;
        self.tx.execute(&st, params).map_err(|e| self.pg.err(e))
    }
}

impl IntakeTx for PgIntake<'_, '_> {
    fn now(&self) -> DateTime<Utc> {
        self.now
    }

    fn store_body(&mut self, source: &str, integration: &str, body: &str) -> Result<i64> {
        self.bodies += 1;
        let (id, t) = (self.bodies, self.now.timestamp());
        self.exec(
            "INSERT INTO intake_bodies (id, received_at, source, integration, body)
             VALUES ($1, $2, $3, $4, $5)",
            &[&id, &t, &source, &integration, &body],
        )?;
        Ok(id)
    }

    fn open_alert(&mut self, integration: &str, key: &str) -> Result<Option<AlertRow>> {
        let r = self.opt(
            format!(
                "SELECT {ALERT_COLUMNS} FROM alerts
                      WHERE integration = $1 AND alert_key = $2 AND status <> 'resolved'"
            )
            .as_str(),
            &[&integration, &key],
        )?;
        Ok(r.as_ref().map(alert_row))
    }

    fn insert_alert(&mut self, a: &AlertRow) -> Result<i64> {
        let id = self.next_id("alerts")?;
        let inc = a.incident.map(|i| i.0);
        let (labels, ann, links) = (
            labels_json(&a.labels),
            labels_json(&a.annotations),
            links_json(&a.links),
        );
        let (sa, ea) = (
            a.starts_at.map(|t| t.timestamp()),
            a.ends_at.map(|t| t.timestamp()),
        );
        let (fr, lr) = (a.first_received.timestamp(), a.last_received.timestamp());
        self.exec(
            "INSERT INTO alerts (id, incident_id, source, integration, alert_key, group_key,
                    status, suppressed, summary, severity, labels, annotations, links,
                    starts_at, ends_at, first_received, last_received, receipts, last_body)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15,
                         $16, $17, $18, $19)",
            &[
                &id,
                &inc,
                &a.source,
                &a.integration,
                &a.key,
                &a.group,
                &a.status,
                &a.suppressed,
                &a.summary,
                &a.severity,
                &labels,
                &ann,
                &links,
                &sa,
                &ea,
                &fr,
                &lr,
                &a.receipts,
                &a.last_body,
            ],
        )?;
        Ok(id)
    }

    fn update_alert(&mut self, a: &AlertRow) -> Result<()> {
        let inc = a.incident.map(|i| i.0);
        let (labels, ann, links) = (
            labels_json(&a.labels),
            labels_json(&a.annotations),
            links_json(&a.links),
        );
        let (sa, ea) = (
            a.starts_at.map(|t| t.timestamp()),
            a.ends_at.map(|t| t.timestamp()),
        );
        let lr = a.last_received.timestamp();
        self.exec(
            "UPDATE alerts SET incident_id = $1, group_key = $2, status = $3, suppressed = $4,
                    summary = $5, severity = $6, labels = $7, annotations = $8, links = $9,
                    starts_at = $10, ends_at = $11, last_received = $12, receipts = $13,
                    last_body = $14
                  WHERE id = $15",
            &[
                &inc,
                &a.group,
                &a.status,
                &a.suppressed,
                &a.summary,
                &a.severity,
                &labels,
                &ann,
                &links,
                &sa,
                &ea,
                &lr,
                &a.receipts,
                &a.last_body,
                &a.id,
            ],
        )?;
        Ok(())
    }

    fn store_body_read_open(
        &mut self,
        source: &str,
        integration: &str,
        body: &str,
        keys: &[String],
    ) -> Result<(i64, Vec<AlertRow>)> {
        self.bodies += 1;
        let (id, t) = (self.bodies, self.now.timestamp());
        let sql = format!(
            "WITH b AS (INSERT INTO intake_bodies (id, received_at, source, integration, body)
                        VALUES ($1, $2, $3, $4, $5))
             SELECT {ALERT_COLUMNS} FROM alerts
              WHERE integration = $4 AND alert_key = ANY($6) AND status <> 'resolved'"
        );
        let rows = self.list(&sql, &[&id, &t, &source, &integration, &body, &keys])?;
        Ok((id, rows.iter().map(alert_row).collect()))
    }

    fn open_alerts(&mut self, integration: &str, keys: &[String]) -> Result<Vec<AlertRow>> {
        let sql = format!(
            "SELECT {ALERT_COLUMNS} FROM alerts
              WHERE integration = $1 AND alert_key = ANY($2) AND status <> 'resolved'"
        );
        Ok(self
            .list(&sql, &[&integration, &keys])?
            .iter()
            .map(alert_row)
            .collect())
    }

    fn write_alerts(&mut self, updates: &[AlertRow], inserts: &[AlertRow]) -> Result<()> {
        if !updates.is_empty() {
            let c = Columns::of(updates);
            self.exec(
                UPDATE_ALERTS,
                &[
                    &c.id,
                    &c.incident,
                    &c.group,
                    &c.status,
                    &c.suppressed,
                    &c.summary,
                    &c.severity,
                    &c.labels,
                    &c.annotations,
                    &c.links,
                    &c.starts_at,
                    &c.ends_at,
                    &c.last_received,
                    &c.receipts,
                    &c.last_body,
                ],
            )?;
        }
        if !inserts.is_empty() {
            let c = Columns::of(inserts);
            self.exec(
                INSERT_ALERTS,
                &[
                    &c.incident,
                    &c.source,
                    &c.integration,
                    &c.key,
                    &c.group,
                    &c.status,
                    &c.suppressed,
                    &c.summary,
                    &c.severity,
                    &c.labels,
                    &c.annotations,
                    &c.links,
                    &c.starts_at,
                    &c.ends_at,
                    &c.first_received,
                    &c.last_received,
                    &c.receipts,
                    &c.last_body,
                ],
            )?;
        }
        Ok(())
    }

    fn suppressed_open(&mut self, limit: usize) -> Result<Vec<AlertRow>> {
        let l = limit as i64;
        let sql = format!(
            "SELECT {ALERT_COLUMNS} FROM alerts
              WHERE status <> 'resolved' AND suppressed IS NOT NULL ORDER BY id LIMIT $1"
        );
        Ok(self.list(&sql, &[&l])?.iter().map(alert_row).collect())
    }

    fn quiet_alerts(&mut self, integration: &str, before: DateTime<Utc>) -> Result<Vec<AlertRow>> {
        let b = before.timestamp();
        let sql = format!(
            "SELECT {ALERT_COLUMNS} FROM alerts
              WHERE status <> 'resolved' AND integration = $1 AND last_received < $2
              ORDER BY id LIMIT 1000"
        );
        Ok(self
            .list(&sql, &[&integration, &b])?
            .iter()
            .map(alert_row)
            .collect())
    }

    fn alert_counts(&mut self, incident: IncidentId) -> Result<AlertCounts> {
        let r = self.one(COUNTS, &[&incident.0])?;
        Ok(counts(&r))
    }

    fn group(&mut self, integration: &str, group_key: &str) -> Result<Option<GroupRow>> {
        let r = self.opt(
            "SELECT integration, group_key, incident_id, opened_at, flaps, quiet_since
                   FROM alert_groups WHERE integration = $1 AND group_key = $2",
            &[&integration, &group_key],
        )?;
        Ok(r.map(|r| GroupRow {
            integration: r.get(0),
            group_key: r.get(1),
            incident: IncidentId(r.get(2)),
            opened_at: at(r.get(3)),
            flaps: r.get(4),
            quiet_since: time(r.get(5)),
        }))
    }

    fn put_group(&mut self, g: &GroupRow) -> Result<()> {
        let (o, q) = (
            g.opened_at.timestamp(),
            g.quiet_since.map(|t| t.timestamp()),
        );
        self.exec(
            "INSERT INTO alert_groups
                    (integration, group_key, incident_id, opened_at, flaps, quiet_since)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (integration, group_key) DO UPDATE
                    SET incident_id = $3, opened_at = $4, flaps = $5, quiet_since = $6",
            &[
                &g.integration,
                &g.group_key,
                &g.incident.0,
                &o,
                &g.flaps,
                &q,
            ],
        )?;
        Ok(())
    }

    fn group_keys_of(&mut self, integration: &str, id: IncidentId) -> Result<Vec<String>> {
        Ok(self
            .list(
                "SELECT group_key FROM alert_groups WHERE incident_id = $1 AND integration = $2",
                &[&id.0, &integration],
            )?
            .iter()
            .map(|r| r.get(0))
            .collect())
    }

    fn groups_opened_since(
        &mut self,
        integration: &str,
        since: DateTime<Utc>,
        cap: i64,
    ) -> Result<i64> {
        let s = since.timestamp();
        let r = self.one(
            "SELECT count(*)::bigint FROM (SELECT 1 FROM alert_groups
              WHERE integration = $1 AND opened_at >= $2 LIMIT $3) g",
            &[&integration, &s, &cap],
        )?;
        Ok(r.get(0))
    }

    fn incident(&mut self, id: IncidentId) -> Result<Incident> {
        self.pg.stored(&mut *self.tx, id)
    }

    fn incident_with_counts(&mut self, id: IncidentId) -> Result<(Incident, AlertCounts)> {
        let sql = format!(
            "SELECT {INCIDENT_COLUMNS}, c.* FROM incidents,
                    (SELECT count(*)::bigint AS a_total,
                            count(*) FILTER (WHERE status = 'firing')::bigint AS a_firing,
                            count(*) FILTER (WHERE status = 'acknowledged')::bigint AS a_acked,
                            count(*) FILTER (WHERE status = 'resolved')::bigint AS a_resolved
                       FROM alerts WHERE incident_id = $1) c
              WHERE id = $1"
        );
        let Some(r) = self.opt(&sql, &[&id.0])? else {
            return Err(crate::store::error::not_found(id));
        };
        let inc = incident_or_unreadable(&r)
            .map_err(|u| unreadable_error(&[u]).unwrap_or_else(|| not_found(id)))?;
        let counts = AlertCounts {
            total: r.get("a_total"),
            firing: r.get("a_firing"),
            acknowledged: r.get("a_acked"),
            resolved: r.get("a_resolved"),
        };
        Ok((inc, counts))
    }

    fn create_incident(&mut self, inc: &Incident, actor: &str) -> Result<IncidentId> {
        let inc = Incident {
            created_at: self.now,
            updated_at: self.now,
            ..inc.clone()
        };
        // The id is known (the lock is held), so the row and its created
        // event go in one statement.
        self.incidents += 1;
        let id = IncidentId(self.incidents);
        let created = timeline::text_event(id, self.now, actor, EventKind::Created, &inc.title);
        let new = self.pg.chained(id, &created, &mut self.head);
        let v = IncidentValues::of(&inc);
        let pairs = v.pairs(&inc.cancel_reason);
        let cols: Vec<&str> = pairs.iter().map(|(c, _)| *c).collect();
        let mut params: Vec<Param<'_>> = vec![&id.0];
        params.extend(pairs.iter().map(|(_, p)| *p));
        let n = params.len();
        params.extend(new.params());
        let sql = format!(
            "WITH i AS (INSERT INTO incidents (id, {}) VALUES ({}))
             INSERT INTO events (id, incident_id, at, actor, kind, field, old, new, text, hash)
             VALUES ({})",
            cols.join(", "),
            marks(n, 1),
            marks(10, n + 1)
        );
        self.exec(&sql, &params)?;
        Ok(id)
    }

    fn update_incident(&mut self, inc: &Incident, events: &[Event]) -> Result<()> {
        let mut next = inc.clone();
        next.version = inc.version + 1;
        next.updated_at = self.now.max(inc.updated_at);
        let v = IncidentValues::of(&next);
        let pairs = v.pairs(&next.cancel_reason);
        let set: Vec<String> = pairs
            .iter()
            .enumerate()
            .map(|(i, (c, _))| format!("{c} = ${}", i + 1))
            .collect();
        let mut params: Vec<Param<'_>> = pairs.iter().map(|(_, p)| *p).collect();
        params.push(&inc.id.0);
        params.push(&inc.version);
        let sql = format!(
            "UPDATE incidents SET {} WHERE id = ${} AND version = ${}",
            set.join(", "),
            pairs.len() + 1,
            pairs.len() + 2
        );
        let n = self.exec(sql.as_str(), &params)?;
        if n != 1 {
            return Err(Error::Internal(format!(
                "{} changed under a write lock; nothing was saved",
                inc.id
            )));
        }
        for e in events {
            let new = self.pg.chained(inc.id, e, &mut self.head);
            self.exec(INSERT_EVENT, &new.params())?;
        }
        Ok(())
    }

    fn append_event(&mut self, e: &Event) -> Result<()> {
        // The event and the incident's updated_at in one statement.
        let new = self.pg.chained(e.incident, e, &mut self.head);
        let t = self.now.timestamp();
        let mut params: Vec<Param<'_>> = new.params().to_vec();
        params.push(&t);
        self.exec(
            &format!(
                "WITH e AS ({INSERT_EVENT})
                 UPDATE incidents SET updated_at = greatest(updated_at, $11) WHERE id = $2"
            ),
            &params,
        )?;
        Ok(())
    }

    fn windows_at(&mut self, t: DateTime<Utc>) -> Result<Vec<Window>> {
        let t = t.timestamp();
        if let Some((at, w)) = &self.windows
            && *at == t
        {
            return Ok(w.clone());
        }
        let sql = format!(
            "SELECT {WINDOW_COLUMNS} FROM maintenance
              WHERE ends_at > $1 AND starts_at <= $1 ORDER BY id"
        );
        let w: Vec<Window> = self.list(&sql, &[&t])?.iter().map(window_row).collect();
        self.windows = Some((t, w.clone()));
        Ok(w)
    }

    fn windows_to_replay(&mut self, t: DateTime<Utc>) -> Result<Vec<Window>> {
        let t = t.timestamp();
        let sql = format!(
            "SELECT {WINDOW_COLUMNS} FROM maintenance
              WHERE ends_at <= $1 AND replayed = 0 ORDER BY id"
        );
        Ok(self.list(&sql, &[&t])?.iter().map(window_row).collect())
    }

    fn mark_replayed(&mut self, id: i64) -> Result<()> {
        self.exec("UPDATE maintenance SET replayed = 1 WHERE id = $1", &[&id])?;
        Ok(())
    }

    fn beat(&mut self, name: &str) -> Result<Option<Beat>> {
        let r = self.opt(
            "SELECT name, last_at, incident_id FROM heartbeats WHERE name = $1",
            &[&name],
        )?;
        Ok(r.as_ref().map(beat_row))
    }

    fn put_beat(&mut self, b: &Beat) -> Result<()> {
        let (t, i) = (b.last_at.timestamp(), b.incident.map(|i| i.0));
        self.exec(
            "INSERT INTO heartbeats (name, last_at, incident_id) VALUES ($1, $2, $3)
                 ON CONFLICT (name) DO UPDATE SET last_at = $2, incident_id = $3",
            &[&b.name, &t, &i],
        )?;
        Ok(())
    }

    fn beats(&mut self) -> Result<Vec<Beat>> {
        Ok(self
            .list(
                "SELECT name, last_at, incident_id FROM heartbeats ORDER BY name",
                &[],
            )?
            .iter()
            .map(beat_row)
            .collect())
    }

    fn take_lease(&mut self, name: &str, holder: &str, until: DateTime<Utc>) -> Result<bool> {
        let (u, n) = (until.timestamp(), self.now.timestamp());
        let k = self.exec(
            "INSERT INTO leases (name, holder, expires_at) VALUES ($1, $2, $3)
                 ON CONFLICT (name) DO UPDATE SET holder = $2, expires_at = $3
                  WHERE leases.holder = $2 OR leases.expires_at <= $4",
            &[&name, &holder, &u, &n],
        )?;
        Ok(k == 1)
    }
}

impl Pg {
    /// One intake transaction: the write lock, the server's clock, the
    /// chain head; `f` does its work; one NOTIFY; commit.
    pub fn intake<T>(&self, f: impl FnOnce(&mut dyn IntakeTx) -> Result<T>) -> Result<T> {
        // One transaction type serves both: the intake's view of it.
        self.respond(|tx| f(tx))
    }
}
