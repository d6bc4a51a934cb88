//! Bulk loads with COPY: `sev demo` (whole incidents) and `sev migrate`
//! (any table of [`crate::store::copy::TABLES`], streamed in chunks).

use super::*;
use crate::store::copy::{Col, Put, Sink, Source, TABLES, Table, Value};
use postgres::fallible_iterator::FallibleIterator;

/// The rows of a bulk load, one buffer per table, sent in the order the
/// foreign keys need.
#[derive(Default)]
pub(super) struct Copy {
    pub(super) incidents: Rows,
    pub(super) events: Rows,
    pub(super) postmortems: Rows,
    pub(super) actions: Rows,
}

/// The incident columns in the order [`Copy::incident`] writes them.
pub(super) const INCIDENT_COPY_COLUMNS: &str = "id, title, description, kind, status, severity, impact, \
    urgency, priority, category, service, tags, assignee, commander, scribe, comms, reporter, \
    created_at, impact_started_at, detected_at, acknowledged_at, mitigated_at, resolved_at, \
    closed_at, updated_at, resolution, cancel_reason, version";

impl Copy {
    pub(super) fn incident(&mut self, i: &Incident, id: i64) {
        let t = |d: Option<DateTime<Utc>>| d.map(|d| d.timestamp());
        self.incidents
            .int(Some(id))
            .text(Some(&i.title))
            .text(Some(&i.description))
            .text(Some(i.kind.as_str()))
            .text(Some(i.status.as_str()))
            .int(Some(i64::from(i.severity.level())))
            .text(Some(i.impact.as_str()))
            .text(Some(i.urgency.as_str()))
            .int(Some(i64::from(i.priority.level())))
            .text(i.category.as_deref())
            .text(i.service.as_deref())
            .text(Some(&i.tags.join(",")))
            .text(i.assignee.as_deref())
            .text(i.commander.as_deref())
            .text(i.scribe.as_deref())
            .text(i.comms.as_deref())
            .text(Some(&i.reporter))
            .int(Some(i.created_at.timestamp()))
            .int(t(i.impact_started_at))
            .int(t(i.detected_at))
            .int(t(i.acknowledged_at))
            .int(t(i.mitigated_at))
            .int(t(i.resolved_at))
            .int(t(i.closed_at))
            .int(Some(i.updated_at.timestamp()))
            .text(i.resolution.as_deref())
            .text(i.cancel_reason.as_deref())
            .int(Some(i.version))
            .end();
    }

    pub(super) fn postmortem(&mut self, id: IncidentId, pm: &Postmortem) {
        self.postmortems
            .int(Some(id.0))
            .text(Some(pm.status.as_str()))
            .text(pm.owner.as_deref())
            .text(Some(&sections_json(pm)))
            .int(Some(pm.created_at.timestamp()))
            .int(Some(pm.updated_at.timestamp()))
            .int(pm.published_at.map(|t| t.timestamp()))
            .int(Some(pm.version.max(1)))
            .end();
    }

    pub(super) fn action(&mut self, id: IncidentId, a: &ActionItem, aid: i64, version: i64) {
        let due = a.due.map(|d| d.format("%Y-%m-%d").to_string());
        self.actions
            .int(Some(aid))
            .int(Some(id.0))
            .text(Some(&a.description))
            .text(Some(a.kind.as_str()))
            .text(a.owner.as_deref())
            .text(due.as_deref())
            .text(Some(a.status.as_str()))
            .int(Some(a.created_at.timestamp()))
            .int(Some(a.updated_at.timestamp()))
            .int(Some(version))
            .int(a.done_at.map(|t| t.timestamp()))
            .end();
    }

    pub(super) fn send(
        &self,
        tx: &mut Transaction<'_>,
    ) -> std::result::Result<(), postgres::Error> {
        self.incidents
            .send(tx, "incidents", INCIDENT_COPY_COLUMNS)?;
        self.events.send(
            tx,
            "events",
            "id, incident_id, at, actor, kind, field, old, new, text, hash",
        )?;
        self.postmortems
            .send(tx, "postmortems", POSTMORTEM_COLUMNS)?;
        self.actions.send(tx, "action_items", ACTION_COLUMNS)
    }
}

/// Bytes of COPY text encoded before they are handed to the connection:
/// memory stays bounded however big the table (small under test, so the
/// tests cross many chunks).
#[cfg(not(test))]
const CHUNK: usize = 64 << 10;
#[cfg(test)]
const CHUNK: usize = 256;

/// PostgreSQL's side of a copy: a snapshot to read, or the copy's write
/// transaction.
struct PgSide<'t, 'c> {
    tx: &'t mut Transaction<'c>,
    pg: &'t Pg,
}

fn value<'r>(r: &'r Row, t: &Table, i: usize) -> std::result::Result<Value<'r>, postgres::Error> {
    Ok(match t.columns[i].1 {
        Col::Int => r
            .try_get::<_, Option<i64>>(i)?
            .map_or(Value::Null, Value::Int),
        Col::Text => r
            .try_get::<_, Option<&str>>(i)?
            .map_or(Value::Null, Value::Text),
        Col::Flag => r
            .try_get::<_, Option<bool>>(i)?
            .map_or(Value::Null, Value::Flag),
    })
}

impl Source for PgSide<'_, '_> {
    fn shown(&self) -> String {
        self.pg.shown()
    }

    fn count(&mut self, t: &Table) -> Result<u64> {
        self.tx
            .query_one(format!("SELECT count(*) FROM {}", t.name).as_str(), &[])
            .map(|r| r.get::<_, i64>(0).max(0) as u64)
            .map_err(|e| self.pg.err(e))
    }

    /// Rows stream in as they are read: the client holds a few at a time.
    fn each(&mut self, t: &Table, f: &mut dyn FnMut(&[Value<'_>]) -> Result<()>) -> Result<()> {
        let pg = self.pg;
        let none: [&(dyn ToSql + Sync); 0] = [];
        let mut rows = self
            .tx
            .query_raw(t.select().as_str(), none)
            .map_err(|e| pg.err(e))?;
        while let Some(r) = rows.next().map_err(|e| pg.err(e))? {
            let vals = (0..t.columns.len())
                .map(|i| value(&r, t, i))
                .collect::<std::result::Result<Vec<_>, _>>()
                .map_err(|e| {
                    Error::Internal(format!(
                        "{}: {} of {} is not what sev keeps there ({}) — run sev doctor",
                        pg.shown(),
                        crate::store::copy::row_name(t, value(&r, t, 0).ok()),
                        t.name,
                        crate::text::sanitize_line(&e.to_string())
                    ))
                })?;
            f(&vals)?;
        }
        Ok(())
    }
}

impl Sink for PgSide<'_, '_> {
    /// One COPY per table, streamed: the server takes in each chunk while
    /// the next is read and encoded.
    fn load(&mut self, t: &Table, rows: &mut dyn FnMut(&mut Put<'_>) -> Result<()>) -> Result<()> {
        use std::io::Write;
        let pg = self.pg;
        let sql = format!("COPY {} ({}) FROM STDIN", t.name, t.column_list());
        let mut w = self.tx.copy_in(sql.as_str()).map_err(|e| pg.err(e))?;
        let mut buf = Rows::default();
        // A failed write is the connection failing: finish() reports it as
        // the server saw it.
        let mut failed = false;
        rows(&mut |row| {
            for v in row {
                match *v {
                    Value::Null => buf.text(None),
                    Value::Int(n) => buf.int(Some(n)),
                    Value::Text(s) => buf.text(Some(s)),
                    Value::Flag(b) => buf.boolean(b),
                };
            }
            buf.end();
            if buf.len() >= CHUNK {
                failed |= w.write_all(buf.bytes()).is_err();
                buf.clear();
            }
            Ok(())
        })?;
        failed |= w.write_all(buf.bytes()).is_err();
        let done = w.finish().map_err(|e| pg.err(e));
        if failed && done.is_ok() {
            return Err(Error::Unavailable(format!(
                "lost the connection to PostgreSQL at {} while copying {}; nothing was copied — try again",
                pg.shown(),
                t.name
            )));
        }
        done.map(|_| ())
    }
}

impl Pg {
    /// Read from one snapshot of this database (REPEATABLE READ, read
    /// only): every table as of the same moment, while others write.
    pub(crate) fn export<T>(&self, f: impl FnOnce(&mut dyn Source) -> Result<T>) -> Result<T> {
        let mut c = self.client.borrow_mut();
        let mut tx = c
            .build_transaction()
            .isolation_level(postgres::IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .map_err(|e| self.err(e))?;
        f(&mut PgSide {
            tx: &mut tx,
            pg: self,
        })
    }

    /// Write into this database in one transaction holding the write
    /// lock, committed when `f` succeeds; the tables copied are then
    /// analyzed in it (see `insert_batch`).
    pub(crate) fn import<T>(&self, f: impl FnOnce(&mut dyn Sink) -> Result<T>) -> Result<T> {
        self.write(|tx, _now| {
            let again = self.set_aside(tx)?;
            let out = f(&mut PgSide { tx, pg: self })?;
            for sql in again {
                tx.batch_execute(&sql).map_err(|e| self.err(e))?;
            }
            let names: Vec<&str> = TABLES.iter().map(|t| t.name).collect();
            tx.batch_execute(&format!("ANALYZE {}", names.join(", ")))
                .map_err(|e| self.err(e))?;
            Ok(out)
        })
    }

    /// Drop the foreign keys and the plain (non-unique) indexes of the
    /// copied tables for the load; returns the statements that make them
    /// again, run after it in the same transaction, so the keys are still
    /// checked, once per table instead of once per row (1M events: 29 s
    /// with the keys checked row by row, 13 s this way). Read from the
    /// catalog, so a table or index added later is handled too. Only the
    /// tables' owner may do this; for any other role they stay as they are.
    fn set_aside(&self, tx: &mut Transaction<'_>) -> Result<Vec<String>> {
        let names: Vec<&str> = TABLES.iter().map(|t| t.name).collect();
        let tables = "SELECT oid FROM pg_class WHERE relname = ANY($1) AND relkind = 'r'
                      AND relnamespace = current_schema()::regnamespace";
        let owner: Option<bool> = tx
            .query_one(
                format!("SELECT bool_and(pg_has_role(relowner, 'USAGE')) FROM pg_class WHERE oid IN ({tables})").as_str(),
                &[&names],
            )
            .map_err(|e| self.err(e))?
            .get(0);
        if owner != Some(true) {
            return Ok(Vec::new());
        }
        let keys = tx
            .query(
                format!(
                    "SELECT conrelid::regclass::text, quote_ident(conname), pg_get_constraintdef(oid)
                       FROM pg_constraint WHERE contype = 'f' AND conrelid IN ({tables})
                      ORDER BY conrelid, conname"
                )
                .as_str(),
                &[&names],
            )
            .map_err(|e| self.err(e))?;
        let indexes = tx
            .query(
                format!(
                    "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
                       FROM pg_index i WHERE i.indrelid IN ({tables})
                        AND NOT i.indisunique AND NOT i.indisprimary
                        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
                      ORDER BY i.indexrelid"
                )
                .as_str(),
                &[&names],
            )
            .map_err(|e| self.err(e))?;
        let mut drop = Vec::new();
        let mut again = Vec::new();
        for r in &keys {
            let (table, name, def): (&str, &str, &str) = (r.get(0), r.get(1), r.get(2));
            drop.push(format!("ALTER TABLE {table} DROP CONSTRAINT {name};"));
            again.push(format!("ALTER TABLE {table} ADD CONSTRAINT {name} {def};"));
        }
        for r in &indexes {
            let (name, def): (&str, &str) = (r.get(0), r.get(1));
            drop.push(format!("DROP INDEX {name};"));
            // Indexes first: checking a key may use one.
            again.insert(0, format!("{def};"));
        }
        tx.batch_execute(&drop.concat()).map_err(|e| self.err(e))?;
        Ok(again)
    }
}
