//! The alerts one body touches, kept in memory while the body is applied
//! and written together at the end (see `apply`).

use super::model::Batch;
use crate::error::Result;
use crate::store::{AlertRow, IntakeTx};
use std::collections::HashMap;

/// The alerts one body touches: the open ones its keys name, read in one
/// go, and the ones it opens, changed in memory and written together
/// before the incidents are settled (two statements on PostgreSQL, not
/// two per alert).
pub(super) struct Working {
    pub(super) rows: Vec<AlertRow>,
    /// Not stored yet.
    new: Vec<bool>,
    changed: Vec<bool>,
    /// The open row of each key, as this body leaves it so far (a key
    /// named twice sees its first occurrence).
    pub(super) open: HashMap<String, usize>,
}

impl Working {
    /// Store the body (its id) and read the open alerts its keys name.
    pub(super) fn load(
        tx: &mut dyn IntakeTx,
        source: &str,
        integration: &str,
        batch: &Batch,
        raw: &str,
    ) -> Result<(i64, Working)> {
        let mut keys: Vec<String> = batch.alerts.iter().map(|a| a.key.clone()).collect();
        keys.sort_unstable();
        keys.dedup();
        let (receipt, rows) = tx.store_body_read_open(source, integration, raw, &keys)?;
        let open = rows
            .iter()
            .enumerate()
            .map(|(i, r)| (r.key.clone(), i))
            .collect();
        let w = Working {
            new: vec![false; rows.len()],
            changed: vec![false; rows.len()],
            rows,
            open,
        };
        Ok((receipt, w))
    }

    pub(super) fn touch(&mut self, i: usize) -> &mut AlertRow {
        self.changed[i] = true;
        &mut self.rows[i]
    }

    pub(super) fn add(&mut self, row: AlertRow) {
        self.open.insert(row.key.clone(), self.rows.len());
        self.rows.push(row);
        self.new.push(true);
        self.changed.push(true);
    }

    pub(super) fn write(self, tx: &mut dyn IntakeTx) -> Result<()> {
        let (mut updates, mut inserts) = (Vec::new(), Vec::new());
        for ((row, new), changed) in self.rows.into_iter().zip(self.new).zip(self.changed) {
            match (new, changed) {
                (true, _) => inserts.push(row),
                (false, true) => updates.push(row),
                (false, false) => {}
            }
        }
        tx.write_alerts(&updates, &inserts)
    }
}
