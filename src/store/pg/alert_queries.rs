//! The alert intake on PostgreSQL.

use super::*;
use crate::store::intake::{AlertCounts, AlertQuery, AlertRow, Beat, IntakeTx, Window};

fn later() -> Error {
    Error::Internal("alerts on PostgreSQL: in progress".into())
}

impl Pg {
    pub fn intake<T>(&self, _f: impl FnOnce(&mut dyn IntakeTx) -> Result<T>) -> Result<T> {
        Err(later())
    }
    pub fn alerts(&self, _q: &AlertQuery) -> Result<Vec<AlertRow>> {
        Err(later())
    }
    pub fn alert_counts(&self, _ids: &[IncidentId]) -> Result<HashMap<IncidentId, AlertCounts>> {
        Err(later())
    }
    pub fn add_window(&self, _w: &Window) -> Result<Window> {
        Err(later())
    }
    pub fn windows(&self, _now: DateTime<Utc>, _all: bool) -> Result<Vec<Window>> {
        Err(later())
    }
    pub fn end_window(&self, _id: i64, _by: &str, _now: DateTime<Utc>) -> Result<Window> {
        Err(later())
    }
    pub fn move_alerts(&self, _from: IncidentId, _into: IncidentId) -> Result<usize> {
        Err(later())
    }
    pub fn heartbeats(&self) -> Result<Vec<Beat>> {
        Err(later())
    }
}
