//! The write lock (one linear hash chain across hosts), the server's
//! clock read under it, one write transaction, and statements prepared
//! once per connection.

use super::*;

impl Pg {
    /// Take the write lock, then read the server's clock (whole seconds).
    /// Read after the lock is granted, not `now()` (the transaction's start,
    /// before any wait): a writer that waited behind another then never
    /// stamps its events earlier than the events it follows on the chain.
    pub(super) fn lock(&self, tx: &mut Transaction<'_>) -> Result<DateTime<Utc>> {
        Ok(self.lock_at_head(tx)?.0)
    }

    /// Take the write lock and read the server's clock and the chain head
    /// (newest event id and hash) in one round trip: one simple-query
    /// message with two statements. The second is a statement of its own,
    /// so under READ COMMITTED its snapshot is taken after the lock is
    /// granted and it sees every event the previous holder committed.
    pub(super) fn lock_at_head(&self, tx: &mut Transaction<'_>) -> Result<(DateTime<Utc>, Head)> {
        let (now, head, _) = self.lock_reading(tx, "0, 0")?;
        Ok((now, head))
    }

    /// [`Pg::lock_at_head`], and the highest incident and intake body ids
    /// (the next are + 1 while the lock is held): in the same message. For
    /// the intake only (a role without the intake's tables still writes
    /// incidents through [`Pg::lock_at_head`]).
    pub(super) fn lock_at_head_ids(
        &self,
        tx: &mut Transaction<'_>,
    ) -> Result<(DateTime<Utc>, Head, [i64; 2])> {
        self.lock_reading(
            tx,
            "(SELECT coalesce(max(id), 0) FROM incidents),
             (SELECT coalesce(max(id), 0) FROM intake_bodies)",
        )
    }

    /// The write lock, the server's clock, the chain head and two more
    /// bigint columns (`extra`) in one message.
    fn lock_reading(
        &self,
        tx: &mut Transaction<'_>,
        extra: &str,
    ) -> Result<(DateTime<Utc>, Head, [i64; 2])> {
        let sql = format!(
            "SELECT pg_advisory_xact_lock({WRITE_LOCK});
             SELECT floor(extract(epoch FROM clock_timestamp()))::bigint,
                    h.id, h.hash, {extra}
               FROM (SELECT 1) one
               LEFT JOIN (SELECT id, hash FROM events ORDER BY id DESC LIMIT 1) h ON true"
        );
        let msgs = tx.simple_query(&sql).map_err(|e| self.err(e))?;
        let row = msgs
            .iter()
            .filter_map(|m| match m {
                postgres::SimpleQueryMessage::Row(r) => Some(r),
                _ => None,
            })
            .find(|r| r.len() == 5)
            .ok_or_else(|| {
                Error::Internal("the server sent no clock after the write lock".into())
            })?;
        let field = |i: usize| row.try_get(i).map_err(|e| self.err(e));
        let now: i64 = field(0)?
            .and_then(|t| t.parse().ok())
            .ok_or_else(|| Error::Internal("the server's clock is unreadable".into()))?;
        let id: i64 = match field(1)? {
            None => 0,
            Some(t) => t
                .parse()
                .map_err(|_| Error::Internal(format!("the newest event id {t:?} is unreadable")))?,
        };
        let hash = field(2)?.unwrap_or(GENESIS).to_string();
        let mut highest = [0; 2];
        for (i, h) in highest.iter_mut().enumerate() {
            *h = field(3 + i)?
                .and_then(|t| t.parse().ok())
                .ok_or_else(|| Error::Internal("the highest ids are unreadable".into()))?;
        }
        let now = DateTime::from_timestamp(now, 0).unwrap_or_else(Utc::now);
        Ok((now, Head { id, hash }, highest))
    }

    /// One write transaction holding the write lock; `f` gets the server's
    /// time (see [`Pg::lock`]).
    pub(super) fn write<T>(
        &self,
        f: impl FnOnce(&mut Transaction<'_>, DateTime<Utc>) -> Result<T>,
    ) -> Result<T> {
        let mut c = self.client.borrow_mut();
        let mut tx = c.transaction().map_err(|e| self.err(e))?;
        let now = self.lock(&mut tx)?;
        let out = f(&mut tx, now)?;
        notify(&mut tx).map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))?;
        Ok(out)
    }

    /// `sql` prepared on this connection (once; then from the cache).
    pub(super) fn prepared<C: GenericClient>(
        &self,
        c: &mut C,
        sql: &str,
    ) -> Result<postgres::Statement> {
        if let Some(s) = self.prepared.borrow().get(sql) {
            return Ok(s.clone());
        }
        let s = c.prepare(sql).map_err(|e| self.err(e))?;
        self.prepared
            .borrow_mut()
            .insert(sql.to_string(), s.clone());
        Ok(s)
    }
}
