//! The tamper-evident audit trail: every event stores a SHA-256 over its own
//! content and the previous event's hash. Editing or deleting an event with
//! the sqlite3 CLI breaks the chain from there on; deleting the newest
//! events is caught by checking against a head logged elsewhere.

use super::Lite;
use crate::error::{Error, Result};
use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};

/// The hash before the first event.
pub const GENESIS: &str = "sev-audit-genesis";

/// What is hashed of an event: every stored column, in a fixed order.
#[allow(clippy::too_many_arguments)]
pub fn event_hash(
    prev: &str,
    id: i64,
    incident: i64,
    at: i64,
    actor: &str,
    kind: &str,
    field: Option<&str>,
    old: Option<&str>,
    new: Option<&str>,
    text: Option<&str>,
) -> String {
    let canonical = serde_json::to_string(&(id, incident, at, actor, kind, field, old, new, text))
        .unwrap_or_default();
    let mut h = Sha256::new();
    h.update(prev.as_bytes());
    h.update(b"\n");
    h.update(canonical.as_bytes());
    // Hex by table: a `format!` per byte cost a third of `sev migrate`.
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(64);
    for b in h.finalize() {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 15)]));
    }
    out
}

/// The newest event's id and hash, inside the caller's transaction.
pub(crate) fn last(c: &Connection) -> rusqlite::Result<(i64, String)> {
    Ok(
        c.prepare_cached("SELECT id, hash FROM events ORDER BY id DESC LIMIT 1")?
            .query_row([], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, Option<String>>(1)?))
            })
            .optional()?
            .map(|(id, h)| (id, h.unwrap_or_else(|| GENESIS.to_string())))
            .unwrap_or((0, GENESIS.to_string())),
    )
}

/// Migration 3: add the column and chain every existing event.
pub(crate) fn migrate_add_hashes(c: &Connection) -> rusqlite::Result<()> {
    c.execute_batch("DROP TRIGGER events_no_update; ALTER TABLE events ADD COLUMN hash TEXT;")?;
    let rows: Vec<Stored> = c
        .prepare(&format!("SELECT {STORED_COLUMNS} FROM events ORDER BY id"))?
        .query_map([], Stored::from_row)?
        .collect::<rusqlite::Result<_>>()?;
    let mut up = c.prepare("UPDATE events SET hash = ? WHERE id = ?")?;
    let mut prev = GENESIS.to_string();
    for row in rows {
        let h = row.hash_after(&prev);
        up.execute(params![h, row.id])?;
        prev = h;
    }
    c.execute_batch(
        "CREATE TRIGGER events_no_update BEFORE UPDATE ON events
         BEGIN SELECT RAISE(ABORT, 'timeline events are append-only'); END;",
    )
}

/// An event exactly as stored, hash included: for hashing and copying.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub id: i64,
    pub incident: i64,
    pub at: i64,
    pub actor: String,
    pub kind: String,
    pub field: Option<String>,
    pub old: Option<String>,
    pub new: Option<String>,
    pub text: Option<String>,
    pub hash: Option<String>,
}

pub(crate) const STORED_COLUMNS: &str =
    "id, incident_id, at, actor, kind, field, old, new, text, hash";

impl Stored {
    pub(crate) fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Stored> {
        Ok(Stored {
            id: r.get(0)?,
            incident: r.get(1)?,
            at: r.get(2)?,
            actor: r.get(3)?,
            kind: r.get(4)?,
            field: r.get(5)?,
            old: r.get(6)?,
            new: r.get(7)?,
            text: r.get(8)?,
            hash: r.get(9)?,
        })
    }

    /// The event, or where the chain breaks because a column cannot be read
    /// the way sev wrote it (a BLOB, text that is not UTF-8): only a change
    /// outside sev puts such a value there.
    fn checked(r: &rusqlite::Row<'_>) -> rusqlite::Result<Result<Stored, Break>> {
        match Stored::from_row(r) {
            Ok(s) => Ok(Ok(s)),
            Err(e) => Ok(Err(Break {
                event_id: r.get(0)?,
                incident: r.get(1).unwrap_or(0),
                reason: format!(
                    "it cannot be read as sev wrote it ({}): it was changed outside sev",
                    super::error::describe(&e, r)
                ),
            })),
        }
    }

    fn hash_after(&self, prev: &str) -> String {
        event_hash(
            prev,
            self.id,
            self.incident,
            self.at,
            &self.actor,
            &self.kind,
            self.field.as_deref(),
            self.old.as_deref(),
            self.new.as_deref(),
            self.text.as_deref(),
        )
    }
}

/// Why event `id` does not follow event `prev_id` (the last good one).
pub(crate) fn break_reason(no_hash: bool, id: i64, prev_id: i64) -> String {
    let gap = id - prev_id;
    if no_hash {
        "it has no hash: it was written outside sev".to_string()
    } else if gap == 2 {
        format!(
            "it does not follow event #{prev_id}: event #{} was deleted, or this one was changed",
            prev_id + 1
        )
    } else if gap > 2 {
        format!(
            "it does not follow event #{prev_id}: events #{}–#{} were deleted, or this one was changed",
            prev_id + 1,
            id - 1
        )
    } else {
        "its content, or an event before it, was changed after it was written".to_string()
    }
}

/// Where the chain broke.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Break {
    pub event_id: i64,
    pub incident: i64,
    pub reason: String,
}

/// The result of walking the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub events: usize,
    /// (event id, hash) of the newest event.
    pub head: Option<(i64, String)>,
    pub broken: Option<Break>,
}

impl Lite {
    /// Walk every event and check the chain.
    pub fn verify(&self) -> Result<Verified> {
        let mut st = self
            .conn
            .prepare(&format!("SELECT {STORED_COLUMNS} FROM events ORDER BY id"))
            .map_err(|e| self.err(e))?;
        let rows = st.query_map([], Stored::checked).map_err(|e| self.err(e))?;
        let mut prev = GENESIS.to_string();
        let mut prev_id = 0i64;
        let mut n = 0usize;
        let mut broken = None;
        for row in rows {
            n += 1;
            let row = match row.map_err(|e| self.err(e))? {
                Ok(row) => row,
                Err(b) => {
                    broken = Some(b);
                    break;
                }
            };
            let expected = row.hash_after(&prev);
            if row.hash.as_deref() != Some(expected.as_str()) {
                let reason = break_reason(row.hash.is_none(), row.id, prev_id);
                broken = Some(Break {
                    event_id: row.id,
                    incident: row.incident,
                    reason,
                });
                break;
            }
            prev = expected;
            prev_id = row.id;
        }
        let head = if n > 0 && broken.is_none() {
            Some((prev_id, prev))
        } else {
            None
        };
        Ok(Verified {
            events: n,
            head,
            broken,
        })
    }

    /// Check that an event logged as the head earlier still has that hash.
    pub fn verify_head(&self, event_id: i64, hash: &str) -> Result<bool> {
        let stored: Option<Option<String>> = self
            .conn
            .query_row("SELECT hash FROM events WHERE id = ?", [event_id], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| self.err(e))?;
        match stored {
            None => Err(Error::Check(format!(
                "the logged head event #{event_id} is gone: events were deleted after it was logged"
            ))),
            Some(h) => Ok(h.as_deref() == Some(hash)),
        }
    }
}

impl Lite {
    /// The newest event's id. Every change to incidents, postmortems and
    /// action items appends an event; presence heartbeats do not. So this
    /// tells a real change from a heartbeat.
    pub fn last_event_id(&self) -> Result<i64> {
        self.conn
            .query_row("SELECT coalesce(max(id), 0) FROM events", [], |r| r.get(0))
            .map_err(|e| self.err(e))
    }
}

/// What `sev doctor` reads of a database without changing it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inspection {
    pub user_version: i64,
    pub application_id: i64,
    pub integrity: Vec<String>,
    /// Tables in the file: 0 for a new, empty file.
    pub tables: i64,
    /// The names of the triggers on the events table.
    pub event_triggers: Vec<String>,
}

/// Open read-only (no migration, no WAL files created) and look.
pub fn inspect(path: &std::path::Path) -> Result<Inspection> {
    let c = Connection::open_with_flags(
        crate::fsafe::real_path(path),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NOFOLLOW,
    )
    .map_err(|e| super::db_error(path, e))?;
    let q = |sql: &str| -> Result<i64> {
        c.query_row(sql, [], |r| r.get(0))
            .map_err(|e| super::db_error(path, e))
    };
    let user_version = q("PRAGMA user_version")?;
    let application_id = q("PRAGMA application_id")?;
    let mut st = c
        .prepare("PRAGMA integrity_check(20)")
        .map_err(|e| super::db_error(path, e))?;
    let integrity = st
        .query_map([], |r| r.get::<_, String>(0))
        .map_err(|e| super::db_error(path, e))?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(|e| super::db_error(path, e))?;
    let tables = q("SELECT count(*) FROM sqlite_schema WHERE type = 'table'")?;
    let mut st = c
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = 'events' ORDER BY name")
        .map_err(|e| super::db_error(path, e))?;
    let event_triggers = st
        .query_map([], |r| r.get::<_, String>(0))
        .map_err(|e| super::db_error(path, e))?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(|e| super::db_error(path, e))?;
    Ok(Inspection {
        user_version,
        application_id,
        integrity,
        tables,
        event_triggers,
    })
}
