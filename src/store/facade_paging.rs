//! The store's paging API (see `crate::store::respond`), for both backends.

use super::{Backend, Store};
use crate::domain::{IncidentId, Status};
use crate::error::Result;
use crate::store::respond::{
    Attempt, ContactRow, EscalationRow, OutboxCounts, OutboxQuery, OutboxRow, OverrideRow,
    RespondTx,
};
use chrono::{DateTime, Utc};

impl Store {
    /// One paging write transaction (the intake's: the write lock, the
    /// server's clock on PostgreSQL). `now` is the caller's clock.
    pub fn respond<T>(
        &self,
        now: DateTime<Utc>,
        f: impl FnOnce(&mut dyn RespondTx) -> Result<T>,
    ) -> Result<T> {
        match &self.0 {
            Backend::Lite(l) => l.respond(now, f),
            Backend::Pg(p) => p.respond(f),
        }
    }

    /// Notifications, newest first.
    pub fn outbox(&self, q: &OutboxQuery) -> Result<Vec<OutboxRow>> {
        both!(self, b => b.outbox(q))
    }

    pub fn outbox_counts(&self) -> Result<OutboxCounts> {
        both!(self, b => b.outbox_counts())
    }

    /// Claim up to `limit` due notifications for delivery, each with its
    /// incident's status.
    pub fn claim_outbox(
        &self,
        now: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<(OutboxRow, Option<Status>)>> {
        both!(self, b => b.claim_outbox(now, limit))
    }

    /// Record what delivery attempts came to.
    pub fn finish_outbox(&self, done: &[(i64, Attempt)], now: DateTime<Utc>) -> Result<()> {
        both!(self, b => b.finish_outbox(done, now))
    }

    /// Notifications a previous worker left half-sent go back to pending.
    pub fn reset_sending(&self, now: DateTime<Utc>) -> Result<usize> {
        both!(self, b => b.reset_sending(now))
    }

    /// A failed (or cancelled) notification is tried again now; false when
    /// there is no such notification in those states.
    pub fn retry_outbox(
        &self,
        id: i64,
        now: DateTime<Utc>,
        give_up: DateTime<Utc>,
    ) -> Result<bool> {
        both!(self, b => b.retry_outbox(id, now, give_up))
    }

    /// Overrides not removed that end after `since`.
    pub fn overrides(
        &self,
        schedule: Option<&str>,
        since: DateTime<Utc>,
    ) -> Result<Vec<OverrideRow>> {
        both!(self, b => b.overrides(schedule, since))
    }

    pub fn contacts(&self, user: Option<&str>) -> Result<Vec<ContactRow>> {
        both!(self, b => b.contacts(user))
    }

    /// Who holds lease `name` and until when.
    pub fn lease(&self, name: &str) -> Result<Option<(String, DateTime<Utc>)>> {
        both!(self, b => b.lease(name))
    }

    pub fn escalation(&self, id: IncidentId) -> Result<Option<EscalationRow>> {
        both!(self, b => b.escalation(id))
    }

    /// The last stakeholder update of each of `ids` (those that had one).
    pub fn last_updates(
        &self,
        ids: &[IncidentId],
    ) -> Result<std::collections::HashMap<IncidentId, crate::paging::update::Last>> {
        both!(self, b => b.last_updates(ids))
    }
}
