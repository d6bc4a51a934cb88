//! The store calls of response targets, dispatched to either backend.

use super::{Backend, Store};
use crate::domain::IncidentId;
use crate::error::Result;
use crate::store::{NewBreach, Reopen};
use chrono::{DateTime, Utc};
use std::collections::HashMap;

impl Store {
    /// The latest reopen of each of `ids` that was ever reopened: where
    /// its response clocks' current cycle starts.
    pub fn reopens(&self, ids: &[IncidentId]) -> Result<HashMap<IncidentId, Reopen>> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        both!(self, b => b.reopens(ids))
    }

    /// Put each breach of `list` on its timeline unless that clock's breach
    /// is recorded already in its cycle, or the incident changed since it
    /// was judged; how many were written. `now` is the caller's clock (on
    /// PostgreSQL the server's is used).
    pub fn record_breaches(
        &self,
        list: &[NewBreach],
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<usize> {
        match &self.0 {
            Backend::Lite(l) => l.record_breaches(list, actor, now),
            Backend::Pg(p) => p.record_breaches(list, actor),
        }
    }
}
