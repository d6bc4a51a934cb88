//! `sev migrate`: everything a database records, streamed from one backend
//! into an empty one, table by table, inside one transaction on the target
//! — ids and hashes as they were, so the copy's chain verifies as is.
//!
//! Nothing is held whole in memory: the source is read row by row from one
//! snapshot (a read transaction; REPEATABLE READ on PostgreSQL), each row
//! goes straight to the target (SQLite: a prepared INSERT; PostgreSQL: one
//! `COPY … FROM STDIN` per table, its rows sent in chunks of a few dozen
//! kilobytes while the server takes in the previous ones). The events'
//! chain is checked as they pass, and the copy's chain is read back and
//! checked before the commit, so a copy that would not verify is never
//! committed.
//!
//! What is copied is the list [`TABLES`]: a new table is one entry there
//! (the test `every_table_is_copied_or_deliberately_not` fails until it is).

use super::audit::{Break, GENESIS, break_reason, event_hash};
use crate::error::{Error, Result};
use rusqlite::types::{ToSqlOutput, ValueRef};

/// How a column is kept on both backends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Col {
    /// INTEGER on SQLite, BIGINT on PostgreSQL.
    Int,
    Text,
    /// 0/1 on SQLite, BOOLEAN on PostgreSQL.
    Flag,
}

/// One table as copied: its stored columns (never the generated ones), by
/// the same names on both backends, and the order rows are read in.
pub(crate) struct Table {
    pub name: &'static str,
    pub columns: &'static [(&'static str, Col)],
    pub order: &'static str,
}

impl Table {
    pub(crate) fn column_list(&self) -> String {
        let names: Vec<&str> = self.columns.iter().map(|(n, _)| *n).collect();
        names.join(", ")
    }

    pub(crate) fn select(&self) -> String {
        format!(
            "SELECT {} FROM {} ORDER BY {}",
            self.column_list(),
            self.name,
            self.order
        )
    }
}

use Col::{Flag, Int, Text};

/// The events, in the order `STORED_COLUMNS` and the chain check read them.
pub(crate) const EVENTS: Table = Table {
    name: "events",
    columns: &[
        ("id", Int),
        ("incident_id", Int),
        ("at", Int),
        ("actor", Text),
        ("kind", Text),
        ("field", Text),
        ("old", Text),
        ("new", Text),
        ("text", Text),
        ("hash", Text),
    ],
    order: "id",
};

/// Everything `sev migrate` copies, in an order the foreign keys accept.
pub(crate) const TABLES: &[Table] = &[
    Table {
        name: "incidents",
        columns: &[
            ("id", Int),
            ("title", Text),
            ("description", Text),
            ("kind", Text),
            ("status", Text),
            ("severity", Int),
            ("impact", Text),
            ("urgency", Text),
            ("priority", Int),
            ("category", Text),
            ("service", Text),
            ("tags", Text),
            ("assignee", Text),
            ("commander", Text),
            ("scribe", Text),
            ("comms", Text),
            ("reporter", Text),
            ("created_at", Int),
            ("impact_started_at", Int),
            ("detected_at", Int),
            ("acknowledged_at", Int),
            ("mitigated_at", Int),
            ("resolved_at", Int),
            ("closed_at", Int),
            ("updated_at", Int),
            ("resolution", Text),
            ("cancel_reason", Text),
            ("version", Int),
        ],
        order: "id",
    },
    EVENTS,
    Table {
        name: "postmortems",
        columns: &[
            ("incident_id", Int),
            ("status", Text),
            ("owner", Text),
            ("sections", Text),
            ("created_at", Int),
            ("updated_at", Int),
            ("published_at", Int),
            ("version", Int),
        ],
        order: "incident_id",
    },
    Table {
        name: "timeline_marks",
        columns: &[
            ("event_id", Int),
            ("incident_id", Int),
            ("highlight", Flag),
            ("hidden", Flag),
            ("annotation", Text),
        ],
        order: "event_id",
    },
    Table {
        name: "action_items",
        columns: &[
            ("id", Int),
            ("incident_id", Int),
            ("description", Text),
            ("type", Text),
            ("owner", Text),
            ("due_date", Text),
            ("status", Text),
            ("created_at", Int),
            ("updated_at", Int),
            ("version", Int),
            ("done_at", Int),
        ],
        order: "id",
    },
    Table {
        name: "intake_bodies",
        columns: &[
            ("id", Int),
            ("received_at", Int),
            ("source", Text),
            ("integration", Text),
            ("body", Text),
        ],
        order: "id",
    },
    Table {
        name: "alerts",
        columns: &[
            ("id", Int),
            ("incident_id", Int),
            ("source", Text),
            ("integration", Text),
            ("alert_key", Text),
            ("group_key", Text),
            ("status", Text),
            ("suppressed", Text),
            ("summary", Text),
            ("severity", Text),
            ("labels", Text),
            ("annotations", Text),
            ("links", Text),
            ("starts_at", Int),
            ("ends_at", Int),
            ("first_received", Int),
            ("last_received", Int),
            ("receipts", Int),
            ("last_body", Int),
        ],
        order: "id",
    },
    Table {
        name: "alert_groups",
        columns: &[
            ("integration", Text),
            ("group_key", Text),
            ("incident_id", Int),
            ("opened_at", Int),
            ("flaps", Int),
            ("quiet_since", Int),
        ],
        order: "integration, group_key",
    },
    Table {
        name: "maintenance",
        columns: &[
            ("id", Int),
            ("matchers", Text),
            ("starts_at", Int),
            ("ends_at", Int),
            ("reason", Text),
            ("created_by", Text),
            ("created_at", Int),
            ("ended_by", Text),
            ("replayed", Int),
        ],
        order: "id",
    },
    Table {
        name: "heartbeats",
        columns: &[("name", Text), ("last_at", Int), ("incident_id", Int)],
        order: "name",
    },
    Table {
        name: "incident_links",
        columns: &[
            ("a", Int),
            ("b", Int),
            ("kind", Text),
            ("at", Int),
            ("actor", Text),
            ("note", Text),
        ],
        order: "a, b, kind",
    },
    Table {
        name: "outbox",
        columns: &[
            ("id", Int),
            ("incident_id", Int),
            ("kind", Text),
            ("channel", Text),
            ("recipient", Text),
            ("address", Text),
            ("subject", Text),
            ("body", Text),
            ("payload", Text),
            ("idem_key", Text),
            ("state", Text),
            ("attempts", Int),
            ("created_at", Int),
            ("next_at", Int),
            ("give_up_at", Int),
            ("updated_at", Int),
            ("done_at", Int),
            ("detail", Text),
        ],
        order: "id",
    },
    Table {
        name: "escalations",
        columns: &[
            ("incident_id", Int),
            ("policy", Text),
            ("state", Text),
            ("started_at", Int),
            ("step", Int),
            ("round", Int),
            ("next_at", Int),
            ("updated_at", Int),
        ],
        order: "incident_id",
    },
    Table {
        name: "oncall_overrides",
        columns: &[
            ("id", Int),
            ("schedule", Text),
            ("user_name", Text),
            ("starts_at", Int),
            ("ends_at", Int),
            ("created_by", Text),
            ("created_at", Int),
            ("removed_by", Text),
            ("removed_at", Int),
        ],
        order: "id",
    },
    Table {
        name: "contacts",
        columns: &[
            ("id", Int),
            ("user_name", Text),
            ("channel", Text),
            ("address", Text),
            ("created_at", Int),
        ],
        order: "id",
    },
];

/// Tables deliberately not copied: who is looking at what right now, which
/// `sev serve` holds the timed work, and PostgreSQL's schema bookkeeping
/// (the target has its own). All are about the running system, not the record.
#[cfg(test)]
pub(crate) const NOT_COPIED: &[&str] = &["presence", "leases", "sev_schema"];

/// One value of a row as read, borrowed from the source's row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Value<'a> {
    Null,
    Int(i64),
    Text(&'a str),
    Flag(bool),
}

impl rusqlite::ToSql for Value<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match *self {
            Value::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Value::Int(n) => ToSqlOutput::Borrowed(ValueRef::Integer(n)),
            Value::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
            Value::Flag(b) => ToSqlOutput::Borrowed(ValueRef::Integer(i64::from(b))),
        })
    }
}

/// A row for messages: "INC-2", "event #7", "alerts row 3".
pub(crate) fn row_name(t: &Table, first: Option<Value<'_>>) -> String {
    let key = match first {
        Some(Value::Int(n)) => n.to_string(),
        Some(Value::Text(s)) => format!("'{}'", crate::text::sanitize_line(s)),
        _ => return format!("a row of {}", t.name),
    };
    match t.name {
        "incidents" => format!("INC-{key}"),
        "events" => format!("event #{key}"),
        other => format!("{other} row {key}"),
    }
}

/// A database read table by table from one snapshot.
pub(crate) trait Source {
    /// The database as it may be shown.
    fn shown(&self) -> String;
    fn count(&mut self, t: &Table) -> Result<u64>;
    /// Every row of `t` in its order; `f` sees one row at a time.
    fn each(&mut self, t: &Table, f: &mut dyn FnMut(&[Value<'_>]) -> Result<()>) -> Result<()>;
}

/// Writes one row; what a [`Sink`] hands the rows' producer.
pub(crate) type Put<'p> = dyn FnMut(&[Value<'_>]) -> Result<()> + 'p;

/// The target: written inside one transaction, and read back inside it.
pub(crate) trait Sink: Source {
    /// Load table `t`: `rows` gets a function that writes one row, and
    /// calls it for every row; when `load` returns they are all in the
    /// transaction.
    fn load(&mut self, t: &Table, rows: &mut dyn FnMut(&mut Put<'_>) -> Result<()>) -> Result<()>;
}

/// How far a copy is (the CLI draws a bar).
pub trait Progress {
    fn start(&mut self, _rows: u64) {}
    fn stage(&mut self, _what: &str) {}
    fn advance(&mut self, _rows: u64) {}
}

impl Progress for () {}

/// What a copy did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copied {
    /// Rows per table, in copy order.
    pub rows: Vec<(&'static str, u64)>,
    /// (event id, hash) of the newest event, as both chains end.
    pub head: Option<(i64, String)>,
}

impl Copied {
    pub fn rows_of(&self, table: &str) -> u64 {
        self.rows
            .iter()
            .find(|(t, _)| *t == table)
            .map_or(0, |(_, n)| *n)
    }
}

/// The refusal for a target that already holds records.
pub(crate) fn not_empty(target: &str, held: &[(&str, u64)]) -> Error {
    let what: Vec<String> = held.iter().map(|(t, n)| format!("{n} {t}")).collect();
    Error::Usage(format!(
        "{target} already holds records ({}): sev migrate copies only into an empty database — point --to at a new one",
        what.join(", ")
    ))
}

/// The hash chain, checked one event at a time as `sev verify` does.
pub(crate) struct Chain {
    prev: String,
    prev_id: i64,
}

impl Default for Chain {
    fn default() -> Chain {
        Chain {
            prev: GENESIS.to_string(),
            prev_id: 0,
        }
    }
}

impl Chain {
    /// The next event (columns as in [`EVENTS`]).
    pub(crate) fn feed(&mut self, row: &[Value<'_>]) -> std::result::Result<(), Break> {
        let int = |i: usize| match row.get(i) {
            Some(Value::Int(n)) => Some(*n),
            _ => None,
        };
        let text = |i: usize| match row.get(i) {
            Some(Value::Text(s)) => Some(*s),
            _ => None,
        };
        let (Some(id), Some(incident), Some(at), Some(actor), Some(kind)) =
            (int(0), int(1), int(2), text(3), text(4))
        else {
            return Err(Break {
                event_id: int(0).unwrap_or(0),
                incident: int(1).unwrap_or(0),
                reason: "it cannot be read as sev wrote it (a column is missing or of another type): it was changed outside sev".into(),
            });
        };
        let hash = text(9);
        let expected = event_hash(
            &self.prev,
            id,
            incident,
            at,
            actor,
            kind,
            text(5),
            text(6),
            text(7),
            text(8),
        );
        if hash != Some(expected.as_str()) {
            return Err(Break {
                event_id: id,
                incident,
                reason: break_reason(hash.is_none(), id, self.prev_id),
            });
        }
        self.prev = expected;
        self.prev_id = id;
        Ok(())
    }

    pub(crate) fn head(&self) -> Option<(i64, String)> {
        (self.prev_id > 0).then(|| (self.prev_id, self.prev.clone()))
    }
}

fn broken(what: &str, shown: &str, b: &Break) -> Error {
    Error::Check(format!(
        "the audit trail of {what} ({shown}) breaks at event #{}: {} — nothing was copied; run sev verify there",
        b.event_id, b.reason
    ))
}

/// Rows between progress updates.
const TICK: u64 = 1024;

/// Copy every table of [`TABLES`] from `src` into the empty `dst`, checking
/// the source's chain on the way and the copy's before it is committed.
pub(crate) fn run(
    src: &mut dyn Source,
    dst: &mut dyn Sink,
    p: &mut dyn Progress,
) -> Result<Copied> {
    let mut held = Vec::new();
    for t in TABLES {
        let n = dst.count(t)?;
        if n > 0 {
            held.push((t.name, n));
        }
    }
    if !held.is_empty() {
        return Err(not_empty(&dst.shown(), &held));
    }
    let mut total = 0;
    for t in TABLES {
        total += src.count(t)?;
    }
    let events = src.count(&EVENTS)?;
    // The copy's events are read once more, to check its chain.
    p.start(total + events);
    let (from, to) = (src.shown(), dst.shown());
    let mut chain = Chain::default();
    let mut rows = Vec::new();
    for t in TABLES {
        p.stage(t.name);
        let chained = t.name == EVENTS.name;
        let mut n = 0u64;
        dst.load(t, &mut |put| {
            src.each(t, &mut |row| {
                if chained {
                    chain
                        .feed(row)
                        .map_err(|b| broken("the source", &from, &b))?;
                }
                put(row)?;
                n += 1;
                if n.is_multiple_of(TICK) {
                    p.advance(TICK);
                }
                Ok(())
            })
        })?;
        p.advance(n % TICK);
        rows.push((t.name, n));
    }
    p.stage("checking the copy's audit trail");
    let mut copy = Chain::default();
    let mut n = 0u64;
    dst.each(&EVENTS, &mut |row| {
        copy.feed(row).map_err(|b| broken("the copy", &to, &b))?;
        n += 1;
        if n.is_multiple_of(TICK) {
            p.advance(TICK);
        }
        Ok(())
    })?;
    p.advance(n % TICK);
    if copy.head() != chain.head() {
        return Err(Error::Check(format!(
            "the copy in {to} ends its audit trail at {:?}, the source at {:?}: nothing was copied",
            copy.head().map(|h| h.0),
            chain.head().map(|h| h.0)
        )));
    }
    Ok(Copied {
        rows,
        head: chain.head(),
    })
}
