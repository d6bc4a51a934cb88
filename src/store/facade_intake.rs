//! The store's alert-intake API (alerts, windows, heartbeats, the intake
//! transaction), for both backends.

use super::{Backend, Store};
use crate::domain::IncidentId;
use crate::error::Result;
use chrono::{DateTime, Utc};
use std::collections::HashMap;

impl Store {
    /// One write transaction of the alert intake (see [`crate::store::IntakeTx`]).
    /// `now` is the caller's clock; on PostgreSQL the server's is used.
    pub fn intake<T>(
        &self,
        now: DateTime<Utc>,
        f: impl FnOnce(&mut dyn crate::store::IntakeTx) -> Result<T>,
    ) -> Result<T> {
        match &self.0 {
            Backend::Lite(l) => l.intake(now, f),
            Backend::Pg(p) => p.intake(f),
        }
    }

    /// Alerts, newest first.
    pub fn alerts(&self, q: &crate::store::AlertQuery) -> Result<Vec<crate::store::AlertRow>> {
        both!(self, b => b.alerts(q))
    }

    /// Alert counts of those of `ids` that have alerts.
    pub fn alert_counts(
        &self,
        ids: &[IncidentId],
    ) -> Result<HashMap<IncidentId, crate::store::AlertCounts>> {
        both!(self, b => b.alert_counts(ids))
    }

    /// Record a maintenance window (its id is assigned).
    pub fn add_window(&self, w: &crate::store::Window) -> Result<crate::store::Window> {
        both!(self, b => b.add_window(w))
    }

    /// Windows not over at `now` (or every one, with `all`).
    pub fn windows(&self, now: DateTime<Utc>, all: bool) -> Result<Vec<crate::store::Window>> {
        both!(self, b => b.windows(now, all))
    }

    /// End a window now; it stays on record.
    pub fn end_window(
        &self,
        id: i64,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<crate::store::Window> {
        both!(self, b => b.end_window(id, by, now))
    }

    /// Move every alert and alert group of `from` to `into` (merge).
    pub fn move_alerts(&self, from: IncidentId, into: IncidentId) -> Result<usize> {
        both!(self, b => b.move_alerts(from, into))
    }

    /// Windows in force at `now` and open storm incidents (the TUI header).
    pub fn intake_state(&self, now: DateTime<Utc>) -> Result<crate::store::IntakeState> {
        let windows = self
            .windows(now, false)?
            .into_iter()
            .filter(|w| w.starts_at <= now)
            .collect();
        let ids = both!(self, b => b.open_storms())?;
        let mut counts = self.alert_counts(&ids)?;
        let storms = ids
            .into_iter()
            .map(|i| (i, counts.remove(&i).unwrap_or_default()))
            .collect();
        let outbox = self.outbox_counts()?;
        let paging_until = self
            .lease(crate::paging::deliver::LEASE_NAME)?
            .map(|(_, t)| t);
        Ok(crate::store::IntakeState {
            windows,
            storms,
            outbox,
            paging_until,
        })
    }

    pub fn heartbeats(&self) -> Result<Vec<crate::store::Beat>> {
        both!(self, b => b.heartbeats())
    }
}
