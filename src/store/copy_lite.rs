//! SQLite's side of `sev migrate` (see [`super::copy`]): rows read from
//! one read transaction, written with one prepared INSERT per table.

use super::Lite;
use super::copy::{Col, Put, Sink, Source, Table, Value, row_name};
use crate::error::{Error, Result};
use Col::{Flag, Int, Text};
use rusqlite::types::ValueRef;

/// SQLite's side: a read transaction (one snapshot) or the write
/// transaction of the copy.
struct LiteSide<'a> {
    tx: rusqlite::Transaction<'a>,
    lite: &'a Lite,
}

impl LiteSide<'_> {
    fn value<'r>(&self, r: &'r rusqlite::Row<'_>, t: &Table, i: usize) -> Result<Value<'r>> {
        let (name, col) = t.columns[i];
        let v = r.get_ref(i).map_err(|e| self.lite.err(e))?;
        let what = match (col, v) {
            (_, ValueRef::Null) => return Ok(Value::Null),
            (Int, ValueRef::Integer(n)) => return Ok(Value::Int(n)),
            (Flag, ValueRef::Integer(n)) => return Ok(Value::Flag(n != 0)),
            (Text, ValueRef::Text(b)) => match std::str::from_utf8(b) {
                Ok(s) => return Ok(Value::Text(s)),
                Err(_) => "text that is not valid UTF-8",
            },
            (_, ValueRef::Integer(_)) => "a number",
            (_, ValueRef::Real(_)) => "a real number",
            (_, ValueRef::Text(_)) => "text",
            (_, ValueRef::Blob(_)) => "binary data",
        };
        let first = (i > 0).then(|| self.value(r, t, 0).ok()).flatten();
        let expected = match col {
            Int => "a whole number",
            Text => "text",
            Flag => "0 or 1",
        };
        Err(Error::Unavailable(format!(
            "{} cannot be copied: its {name} holds {what} where sev keeps {expected} — it was changed outside sev; restore a backup or run sev doctor",
            row_name(t, first)
        )))
    }
}

impl Source for LiteSide<'_> {
    fn shown(&self) -> String {
        super::error::shown(&self.lite.path)
    }

    fn count(&mut self, t: &Table) -> Result<u64> {
        self.tx
            .query_row(&format!("SELECT count(*) FROM {}", t.name), [], |r| {
                r.get::<_, i64>(0)
            })
            .map(|n| n.max(0) as u64)
            .map_err(|e| self.lite.err(e))
    }

    fn each(&mut self, t: &Table, f: &mut dyn FnMut(&[Value<'_>]) -> Result<()>) -> Result<()> {
        let e = |e| self.lite.err(e);
        let mut st = self.tx.prepare(&t.select()).map_err(e)?;
        let mut rows = st.query([]).map_err(e)?;
        while let Some(r) = rows.next().map_err(e)? {
            let mut vals = Vec::with_capacity(t.columns.len());
            for i in 0..t.columns.len() {
                vals.push(self.value(r, t, i)?);
            }
            f(&vals)?;
        }
        Ok(())
    }
}

impl Sink for LiteSide<'_> {
    fn load(&mut self, t: &Table, rows: &mut dyn FnMut(&mut Put<'_>) -> Result<()>) -> Result<()> {
        let marks = vec!["?"; t.columns.len()].join(", ");
        let sql = format!(
            "INSERT INTO {} ({}) VALUES ({marks})",
            t.name,
            t.column_list()
        );
        let lite = self.lite;
        let mut st = self.tx.prepare(&sql).map_err(|e| lite.err(e))?;
        rows(&mut |row| {
            st.execute(rusqlite::params_from_iter(row.iter()))
                .map(|_| ())
                .map_err(|e| lite.err(e))
        })
    }
}

impl Lite {
    /// Read from one snapshot of this database.
    pub(crate) fn export<T>(&self, f: impl FnOnce(&mut dyn Source) -> Result<T>) -> Result<T> {
        let tx = rusqlite::Transaction::new_unchecked(
            &self.conn,
            rusqlite::TransactionBehavior::Deferred,
        )
        .map_err(|e| self.err(e))?;
        f(&mut LiteSide { tx, lite: self })
    }

    /// Write into this database in one transaction, committed when `f`
    /// succeeds.
    pub(crate) fn import<T>(&self, f: impl FnOnce(&mut dyn Sink) -> Result<T>) -> Result<T> {
        let mut side = LiteSide {
            tx: self.write_tx()?,
            lite: self,
        };
        let out = f(&mut side)?;
        side.tx.commit().map_err(|e| self.err(e))?;
        Ok(out)
    }
}
