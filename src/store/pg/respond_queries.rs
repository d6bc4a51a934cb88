//! Paging on PostgreSQL: [`RespondTx`] over the intake transaction (the
//! write lock is held, so new ids are `max + 1`), and the outbox worker's
//! short writes outside it. The SQL is shared with SQLite
//! (`crate::store::respond`).

use super::alert_queries::PgIntake;
use super::*;
use crate::domain::Status;
use crate::store::respond::*;

impl Cols for Row {
    fn int(&self, i: usize) -> i64 {
        self.try_get(i).unwrap_or_default()
    }
    fn oint(&self, i: usize) -> Option<i64> {
        self.try_get(i).unwrap_or_default()
    }
    fn text(&self, i: usize) -> String {
        self.try_get(i).unwrap_or_default()
    }
    fn otext(&self, i: usize) -> Option<String> {
        self.try_get(i).unwrap_or_default()
    }
}

impl RespondTx for PgIntake<'_, '_> {
    fn enqueue(&mut self, m: &OutboxRow) -> Result<i64> {
        let id = self.next_id("outbox")?;
        let inc = m.incident.map(|i| i.0);
        let (now, next, give_up) = (
            self.now.timestamp(),
            m.next_at.timestamp(),
            m.give_up_at.timestamp(),
        );
        self.exec(
            INSERT_OUTBOX,
            &[
                &id,
                &inc,
                &m.kind,
                &m.channel,
                &m.recipient,
                &m.address,
                &m.subject,
                &m.body,
                &m.payload,
                &m.idem_key,
                &now,
                &next,
                &give_up,
            ],
        )?;
        Ok(id)
    }

    fn unacknowledged(&mut self) -> Result<Vec<Unacknowledged>> {
        let rows = self.list(UNACKNOWLEDGED, &[])?;
        Ok(rows.iter().map(|r| unacknowledged_row(r)).collect())
    }

    fn moot_escalations(&mut self) -> Result<Vec<(EscalationRow, Status)>> {
        let rows = self.list(MOOT_ESCALATIONS, &[])?;
        Ok(rows
            .iter()
            .map(|r| {
                let s = r.text(8).parse().unwrap_or(Status::Triage);
                (escalation_row(r), s)
            })
            .collect())
    }

    fn due_escalations(&mut self, at: DateTime<Utc>) -> Result<Vec<EscalationRow>> {
        let rows = self.list(DUE_ESCALATIONS, &[&at.timestamp()])?;
        Ok(rows.iter().map(|r| escalation_row(r)).collect())
    }

    fn put_escalation(&mut self, e: &EscalationRow) -> Result<()> {
        let (started, next, now) = (
            e.started_at.timestamp(),
            e.next_at.map(|t| t.timestamp()),
            self.now.timestamp(),
        );
        self.exec(
            PUT_ESCALATION,
            &[
                &e.incident.0,
                &e.policy,
                &e.state,
                &started,
                &e.step,
                &e.round,
                &next,
                &now,
            ],
        )?;
        Ok(())
    }

    fn cancel_pages(&mut self, id: IncidentId, why: &str) -> Result<usize> {
        let now = self.now.timestamp();
        Ok(self.exec(CANCEL_PAGES, &[&why, &now, &id.0])? as usize)
    }

    fn add_override(&mut self, o: &OverrideRow) -> Result<i64> {
        let id = self.next_id("oncall_overrides")?;
        let (from, until, now) = (
            o.from.timestamp(),
            o.until.timestamp(),
            self.now.timestamp(),
        );
        self.exec(
            INSERT_OVERRIDE,
            &[
                &id,
                &o.schedule,
                &o.user,
                &from,
                &until,
                &o.created_by,
                &now,
            ],
        )?;
        Ok(id)
    }

    fn remove_override(&mut self, id: i64, by: &str) -> Result<bool> {
        let now = self.now.timestamp();
        Ok(self.exec(REMOVE_OVERRIDE, &[&by, &now, &id])? == 1)
    }

    fn add_contact(&mut self, c: &ContactRow) -> Result<i64> {
        let id = self.next_id("contacts")?;
        let now = self.now.timestamp();
        let n = self.exec(
            INSERT_CONTACT,
            &[&id, &c.user, &c.channel, &c.address, &now],
        )?;
        Ok(if n == 1 { id } else { 0 })
    }

    fn lease_holder(&mut self, name: &str) -> Result<Option<String>> {
        let rows = self.list(LEASE_HOLDER, &[&name])?;
        Ok(rows.first().map(|r| r.text(0)))
    }

    fn drop_lease(&mut self, name: &str, holder: &str) -> Result<()> {
        self.exec(DROP_LEASE, &[&name, &holder])?;
        Ok(())
    }

    fn remove_contact(&mut self, user: &str, id: i64) -> Result<bool> {
        Ok(self.exec(
            "DELETE FROM contacts WHERE id = $1 AND user_name = $2",
            &[&id, &user],
        )? == 1)
    }
}

impl Pg {
    fn rows_of(&self, sql: &str, params: &[Param<'_>]) -> Result<Vec<Row>> {
        self.client
            .borrow_mut()
            .query(sql, params)
            .map_err(|e| self.err(e))
    }

    pub fn outbox(&self, q: &OutboxQuery) -> Result<Vec<OutboxRow>> {
        let (sql, arg) = outbox_select(q);
        let rows = match arg {
            Some(a) => self.rows_of(&sql, &[&a])?,
            None => self.rows_of(&sql, &[])?,
        };
        Ok(rows.iter().map(|r| outbox_row(r)).collect())
    }

    pub fn outbox_counts(&self) -> Result<OutboxCounts> {
        let rows = self.rows_of(OUTBOX_COUNTS, &[])?;
        let r = rows.first();
        let n = |i: usize| r.map(|r| r.int(i)).unwrap_or(0);
        Ok(OutboxCounts {
            pending: n(0),
            failed: n(1),
            retrying: n(2),
        })
    }

    /// See `Lite::claim_outbox`.
    pub fn claim_outbox(
        &self,
        now: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<(OutboxRow, Option<Status>)>> {
        let mut c = self.client.borrow_mut();
        let mut tx = c.transaction().map_err(|e| self.err(e))?;
        let t = now.timestamp();
        let rows = tx
            .query(DUE_OUTBOX, &[&t, &(limit as i64)])
            .map_err(|e| self.err(e))?;
        let mut out: Vec<(OutboxRow, Option<Status>)> = rows
            .iter()
            .map(|r| (outbox_row(r), r.otext(18).and_then(|s| s.parse().ok())))
            .collect();
        let ids: Vec<i64> = out.iter().map(|(r, _)| r.id).collect();
        tx.execute(
            "UPDATE outbox SET state = 'sending', attempts = attempts + 1, updated_at = $1
              WHERE id = ANY($2) AND state = 'pending'",
            &[&t, &ids],
        )
        .map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))?;
        for (r, _) in &mut out {
            r.state = "sending".into();
            r.attempts += 1;
        }
        Ok(out)
    }

    pub fn finish_outbox(&self, done: &[(i64, Attempt)], now: DateTime<Utc>) -> Result<()> {
        let mut c = self.client.borrow_mut();
        let mut tx = c.transaction().map_err(|e| self.err(e))?;
        let st = tx.prepare(FINISH_OUTBOX).map_err(|e| self.err(e))?;
        let t = now.timestamp();
        for (id, a) in done {
            let (state, next, detail, done_at) = attempt_columns(a, now);
            tx.execute(&st, &[&state, &next, &detail, &t, &done_at, id])
                .map_err(|e| self.err(e))?;
        }
        tx.commit().map_err(|e| self.err(e))
    }

    pub fn reset_sending(&self, now: DateTime<Utc>) -> Result<usize> {
        let t = now.timestamp();
        Ok(self
            .client
            .borrow_mut()
            .execute(RESET_SENDING, &[&t])
            .map_err(|e| self.err(e))? as usize)
    }

    pub fn retry_outbox(
        &self,
        id: i64,
        now: DateTime<Utc>,
        give_up: DateTime<Utc>,
    ) -> Result<bool> {
        let (t, g) = (now.timestamp(), give_up.timestamp());
        Ok(self
            .client
            .borrow_mut()
            .execute(RETRY_OUTBOX, &[&t, &g, &id])
            .map_err(|e| self.err(e))?
            == 1)
    }

    pub fn overrides(
        &self,
        schedule: Option<&str>,
        since: DateTime<Utc>,
    ) -> Result<Vec<OverrideRow>> {
        let sql = format!("SELECT {OVERRIDE_COLUMNS} FROM oncall_overrides {OVERRIDES_WHERE}");
        let t = since.timestamp();
        // Typed, not prepared: one round trip instead of three (`sev
        // oncall` is a whole process that asks this once).
        let rows = self
            .client
            .borrow_mut()
            .query_typed(
                &sql,
                &[
                    (&schedule, postgres::types::Type::TEXT),
                    (&t, postgres::types::Type::INT8),
                ],
            )
            .map_err(|e| self.err(e))?;
        Ok(rows.iter().map(|r| override_row(r)).collect())
    }

    pub fn contacts(&self, user: Option<&str>) -> Result<Vec<ContactRow>> {
        let sql = format!("SELECT {CONTACT_COLUMNS} FROM contacts {CONTACTS_WHERE}");
        let rows = self.rows_of(&sql, &[&user])?;
        Ok(rows.iter().map(|r| contact_row(r)).collect())
    }

    pub fn lease(&self, name: &str) -> Result<Option<(String, DateTime<Utc>)>> {
        let rows = self.rows_of(LEASE_ROW, &[&name])?;
        Ok(rows.first().map(|r| (r.text(0), at(r.int(1)))))
    }

    pub fn escalation(&self, id: IncidentId) -> Result<Option<EscalationRow>> {
        let sql = format!("SELECT {ESCALATION_COLUMNS} FROM escalations WHERE incident_id = $1");
        let rows = self.rows_of(&sql, &[&id.0])?;
        Ok(rows.first().map(|r| escalation_row(r)))
    }

    pub fn last_updates(
        &self,
        ids: &[IncidentId],
    ) -> Result<HashMap<IncidentId, crate::paging::update::Last>> {
        if ids.is_empty() {
            return Ok(Default::default());
        }
        let rows = self.rows_of(&last_updates_sql(ids), &[])?;
        Ok(rows.iter().map(|r| last_update_row(r)).collect())
    }

    /// One write transaction of paging and of the alert intake: the write
    /// lock, the server's clock, the chain head; `f` does its work; one
    /// NOTIFY; commit.
    pub fn respond<T>(&self, f: impl FnOnce(&mut dyn RespondTx) -> Result<T>) -> Result<T> {
        let mut c = self.client.borrow_mut();
        let mut tx = c.transaction().map_err(|e| self.err(e))?;
        let (now, head, [incidents, bodies]) = self.lock_at_head_ids(&mut tx)?;
        let mut it = PgIntake {
            tx: &mut tx,
            pg: self,
            now,
            head,
            incidents,
            bodies,
            windows: None,
        };
        let out = f(&mut it)?;
        let last = it.head.id.to_string();
        tx.execute("SELECT pg_notify($1, $2)", &[&CHANNEL, &last])
            .map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))?;
        Ok(out)
    }
}
