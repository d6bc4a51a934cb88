//! Paging on SQLite: [`RespondTx`] over the intake's `BEGIN IMMEDIATE`
//! transaction, and the outbox worker's short writes outside it.

use super::Lite;
use super::alerts::LiteIntake;
use super::respond::*;
use super::types::Epoch;
use crate::domain::{IncidentId, Status};
use crate::error::Result;
use chrono::{DateTime, Utc};
use rusqlite::{Connection, Row, params};

impl Cols for Row<'_> {
    fn int(&self, i: usize) -> i64 {
        self.get(i).unwrap_or_default()
    }
    fn oint(&self, i: usize) -> Option<i64> {
        self.get(i).unwrap_or_default()
    }
    fn text(&self, i: usize) -> String {
        self.get(i).unwrap_or_default()
    }
    fn otext(&self, i: usize) -> Option<String> {
        self.get(i).unwrap_or_default()
    }
}

fn all<T>(
    c: &Connection,
    sql: &str,
    args: impl rusqlite::Params,
    f: fn(&dyn Cols) -> T,
) -> rusqlite::Result<Vec<T>> {
    let mut st = c.prepare_cached(sql)?;
    let it = st.query_map(args, |r| Ok(f(r)))?;
    it.collect()
}

impl RespondTx for LiteIntake<'_> {
    fn enqueue(&mut self, m: &OutboxRow) -> Result<i64> {
        self.tx
            .prepare_cached(INSERT_OUTBOX)
            .and_then(|mut s| {
                s.execute(params![
                    None::<i64>,
                    m.incident.map(|i| i.0),
                    m.kind,
                    m.channel,
                    m.recipient,
                    m.address,
                    m.subject,
                    m.body,
                    m.payload,
                    m.idem_key,
                    Epoch(self.now),
                    Epoch(m.next_at),
                    Epoch(m.give_up_at),
                ])
            })
            .map_err(|e| self.e(e))?;
        Ok(self.tx.last_insert_rowid())
    }

    fn unacknowledged(&mut self) -> Result<Vec<Unacknowledged>> {
        all(self.tx, UNACKNOWLEDGED, [], unacknowledged_row).map_err(|e| self.e(e))
    }

    fn moot_escalations(&mut self) -> Result<Vec<(EscalationRow, Status)>> {
        fn row(r: &dyn Cols) -> (EscalationRow, Status) {
            let s = r.text(8).parse().unwrap_or(Status::Triage);
            (escalation_row(r), s)
        }
        all(self.tx, MOOT_ESCALATIONS, [], row).map_err(|e| self.e(e))
    }

    fn due_escalations(&mut self, at: DateTime<Utc>) -> Result<Vec<EscalationRow>> {
        all(self.tx, DUE_ESCALATIONS, [Epoch(at)], escalation_row).map_err(|e| self.e(e))
    }

    fn put_escalation(&mut self, e: &EscalationRow) -> Result<()> {
        self.tx
            .prepare_cached(PUT_ESCALATION)
            .and_then(|mut s| {
                s.execute(params![
                    e.incident.0,
                    e.policy,
                    e.state,
                    Epoch(e.started_at),
                    e.step,
                    e.round,
                    e.next_at.map(Epoch),
                    Epoch(self.now),
                ])
            })
            .map_err(|er| self.e(er))?;
        Ok(())
    }

    fn cancel_pages(&mut self, id: IncidentId, why: &str) -> Result<usize> {
        self.tx
            .execute(CANCEL_PAGES, params![why, Epoch(self.now), id.0])
            .map_err(|e| self.e(e))
    }

    fn add_override(&mut self, o: &OverrideRow) -> Result<i64> {
        self.tx
            .execute(
                INSERT_OVERRIDE,
                params![
                    None::<i64>,
                    o.schedule,
                    o.user,
                    Epoch(o.from),
                    Epoch(o.until),
                    o.created_by,
                    Epoch(self.now)
                ],
            )
            .map_err(|e| self.e(e))?;
        Ok(self.tx.last_insert_rowid())
    }

    fn remove_override(&mut self, id: i64, by: &str) -> Result<bool> {
        let n = self
            .tx
            .execute(REMOVE_OVERRIDE, params![by, Epoch(self.now), id])
            .map_err(|e| self.e(e))?;
        Ok(n == 1)
    }

    fn add_contact(&mut self, c: &ContactRow) -> Result<i64> {
        let n = self
            .tx
            .execute(
                INSERT_CONTACT,
                params![None::<i64>, c.user, c.channel, c.address, Epoch(self.now)],
            )
            .map_err(|e| self.e(e))?;
        Ok(if n == 1 {
            self.tx.last_insert_rowid()
        } else {
            0
        })
    }

    fn lease_holder(&mut self, name: &str) -> Result<Option<String>> {
        self.lease_rows(name)
    }

    fn drop_lease(&mut self, name: &str, holder: &str) -> Result<()> {
        self.tx
            .execute(DROP_LEASE, params![name, holder])
            .map_err(|e| self.e(e))?;
        Ok(())
    }

    fn remove_contact(&mut self, user: &str, id: i64) -> Result<bool> {
        let n = self
            .tx
            .execute(
                "DELETE FROM contacts WHERE id = $1 AND user_name = $2",
                params![id, user],
            )
            .map_err(|e| self.e(e))?;
        Ok(n == 1)
    }
}

impl LiteIntake<'_> {
    fn lease_rows(&self, name: &str) -> Result<Option<String>> {
        fn row(r: &dyn Cols) -> String {
            r.text(0)
        }
        Ok(all(self.tx, LEASE_HOLDER, [name], row)
            .map_err(|e| self.e(e))?
            .pop())
    }
}

impl Lite {
    /// One write transaction of paging (see [`RespondTx`]).
    pub fn respond<T>(
        &self,
        now: DateTime<Utc>,
        f: impl FnOnce(&mut dyn RespondTx) -> Result<T>,
    ) -> Result<T> {
        let tx = self.write_tx()?;
        let mut it = LiteIntake {
            tx: &tx,
            lite: self,
            now,
        };
        let out = f(&mut it)?;
        tx.commit().map_err(|e| self.err(e))?;
        Ok(out)
    }

    pub fn outbox(&self, q: &OutboxQuery) -> Result<Vec<OutboxRow>> {
        let (sql, arg) = outbox_select(q);
        let c = self.conn();
        match arg {
            Some(a) => all(c, &sql, [a], outbox_row),
            None => all(c, &sql, [], outbox_row),
        }
        .map_err(|e| self.err(e))
    }

    pub fn outbox_counts(&self) -> Result<OutboxCounts> {
        self.conn()
            .prepare_cached(OUTBOX_COUNTS)
            .and_then(|mut s| {
                s.query_row([], |r| {
                    Ok(OutboxCounts {
                        pending: r.get(0)?,
                        failed: r.get(1)?,
                        retrying: r.get(2)?,
                    })
                })
            })
            .map_err(|e| self.err(e))
    }

    /// Claim up to `limit` due rows for delivery (`sending`, one more
    /// attempt), with the status of each one's incident.
    pub fn claim_outbox(
        &self,
        now: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<(OutboxRow, Option<Status>)>> {
        let tx = self.write_tx()?;
        let rows = {
            fn row(r: &dyn Cols) -> (OutboxRow, Option<Status>) {
                (outbox_row(r), r.otext(18).and_then(|s| s.parse().ok()))
            }
            let mut rows = all(&tx, DUE_OUTBOX, params![Epoch(now), limit as i64], row)
                .map_err(|e| self.err(e))?;
            let mut st = tx.prepare_cached(CLAIM_OUTBOX).map_err(|e| self.err(e))?;
            for (r, _) in &mut rows {
                st.execute(params![Epoch(now), r.id])
                    .map_err(|e| self.err(e))?;
                r.state = "sending".into();
                r.attempts += 1;
            }
            rows
        };
        tx.commit().map_err(|e| self.err(e))?;
        Ok(rows)
    }

    /// Record what the attempts came to, in one transaction.
    pub fn finish_outbox(&self, done: &[(i64, Attempt)], now: DateTime<Utc>) -> Result<()> {
        let tx = self.write_tx()?;
        {
            let mut st = tx.prepare_cached(FINISH_OUTBOX).map_err(|e| self.err(e))?;
            for (id, a) in done {
                let (state, next, detail, done_at) = attempt_columns(a, now);
                st.execute(params![state, next, detail, Epoch(now), done_at, id])
                    .map_err(|e| self.err(e))?;
            }
        }
        tx.commit().map_err(|e| self.err(e))
    }

    /// Rows a previous worker left `sending` go back to pending.
    pub fn reset_sending(&self, now: DateTime<Utc>) -> Result<usize> {
        self.conn()
            .execute(RESET_SENDING, [Epoch(now)])
            .map_err(|e| self.err(e))
    }

    pub fn retry_outbox(
        &self,
        id: i64,
        now: DateTime<Utc>,
        give_up: DateTime<Utc>,
    ) -> Result<bool> {
        let n = self
            .conn()
            .execute(RETRY_OUTBOX, params![Epoch(now), Epoch(give_up), id])
            .map_err(|e| self.err(e))?;
        Ok(n == 1)
    }

    pub fn overrides(
        &self,
        schedule: Option<&str>,
        since: DateTime<Utc>,
    ) -> Result<Vec<OverrideRow>> {
        let sql = format!("SELECT {OVERRIDE_COLUMNS} FROM oncall_overrides {OVERRIDES_WHERE}");
        all(
            self.conn(),
            &sql,
            params![schedule, Epoch(since)],
            override_row,
        )
        .map_err(|e| self.err(e))
    }

    pub fn contacts(&self, user: Option<&str>) -> Result<Vec<ContactRow>> {
        let sql = format!("SELECT {CONTACT_COLUMNS} FROM contacts {CONTACTS_WHERE}");
        all(self.conn(), &sql, [user], contact_row).map_err(|e| self.err(e))
    }

    pub fn lease(&self, name: &str) -> Result<Option<(String, DateTime<Utc>)>> {
        fn row(r: &dyn Cols) -> (String, DateTime<Utc>) {
            (r.text(0), at(r.int(1)))
        }
        Ok(all(self.conn(), LEASE_ROW, [name], row)
            .map_err(|e| self.err(e))?
            .pop())
    }

    pub fn escalation(&self, id: IncidentId) -> Result<Option<EscalationRow>> {
        let sql = format!("SELECT {ESCALATION_COLUMNS} FROM escalations WHERE incident_id = $1");
        Ok(all(self.conn(), &sql, [id.0], escalation_row)
            .map_err(|e| self.err(e))?
            .pop())
    }

    pub fn last_updates(
        &self,
        ids: &[IncidentId],
    ) -> Result<std::collections::HashMap<IncidentId, crate::paging::update::Last>> {
        if ids.is_empty() {
            return Ok(Default::default());
        }
        Ok(
            all(self.conn(), &last_updates_sql(ids), [], last_update_row)
                .map_err(|e| self.err(e))?
                .into_iter()
                .collect(),
        )
    }
}
