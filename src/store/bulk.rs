//! Bulk loads (demo data, imports, benchmarks): whole incidents with their
//! timeline, postmortem and action items, in one transaction.

use super::Store;
use crate::domain::{ActionItem, Event, Incident, IncidentId, Postmortem};
use crate::error::Result;

/// One incident with everything recorded about it. Ids inside are
/// replaced on insert.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchItem {
    pub incident: Incident,
    pub events: Vec<Event>,
    pub postmortem: Option<Postmortem>,
    pub actions: Vec<ActionItem>,
}

impl Store {
    /// Load `items` in one transaction. Event incident ids are replaced by
    /// the new incident's id.
    pub fn insert_batch(&self, items: &[BatchItem]) -> Result<Vec<IncidentId>> {
        let tx = self.write_tx()?;
        let mut ids = Vec::with_capacity(items.len());
        for item in items {
            let id = super::incidents::insert_row(&tx, &item.incident).map_err(|e| self.err(e))?;
            for ev in &item.events {
                super::timeline::append(&tx, id, ev).map_err(|e| self.err(e))?;
            }
            if let Some(pm) = &item.postmortem {
                super::postmortems::insert_postmortem(&tx, id, pm).map_err(|e| self.err(e))?;
            }
            for a in &item.actions {
                super::postmortems::insert_action(&tx, id, a).map_err(|e| self.err(e))?;
            }
            ids.push(id);
        }
        tx.commit().map_err(|e| self.err(e))?;
        Ok(ids)
    }
}
