//! The timeline: appending events (hash-chained, inside the caller's write
//! transaction) and reading them back. Incidents, postmortems and action
//! items all write here; this module depends on none of them.

use super::Store;
use super::error::decode;
use super::row::{self, EVENT_COLUMNS};
use super::types::Epoch;
use crate::domain::{Event, EventKind, FieldChange, IncidentId, Status};
use crate::error::Result;
use chrono::{DateTime, Utc};
use rusqlite::{Connection, params};

/// One thing to write on the timeline as part of a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Record {
    Field(FieldChange),
    Status {
        old: Status,
        new: Status,
        text: Option<String>,
    },
}

impl Record {
    pub(crate) fn to_event(&self, id: IncidentId, at: DateTime<Utc>, actor: &str) -> Event {
        match self {
            Record::Field(c) => change_event(id, at, actor, EventKind::Field, c),
            Record::Status { old, new, text } => Event {
                text: text.clone(),
                ..change_event(
                    id,
                    at,
                    actor,
                    EventKind::Status,
                    &FieldChange {
                        field: "status",
                        old: Some(old.to_string()),
                        new: Some(new.to_string()),
                    },
                )
            },
        }
    }
}

/// An event recording one field's change.
pub(crate) fn change_event(
    id: IncidentId,
    at: DateTime<Utc>,
    actor: &str,
    kind: EventKind,
    ch: &FieldChange,
) -> Event {
    Event {
        id: 0,
        incident: id,
        at,
        actor: actor.to_string(),
        kind,
        field: Some(ch.field.to_string()),
        old: ch.old.clone(),
        new: ch.new.clone(),
        text: None,
    }
}

/// An event that is just text (created, note).
pub(crate) fn text_event(
    id: IncidentId,
    at: DateTime<Utc>,
    actor: &str,
    kind: EventKind,
    text: &str,
) -> Event {
    Event {
        id: 0,
        incident: id,
        at,
        actor: actor.to_string(),
        kind,
        field: None,
        old: None,
        new: None,
        text: Some(text.to_string()),
    }
}

/// Append one event to incident `id` (the event's own id/incident are
/// ignored), chained to the previous event's hash. Must run inside the
/// caller's write transaction, which serializes the chain.
pub(crate) fn append(c: &Connection, id: IncidentId, e: &Event) -> rusqlite::Result<i64> {
    let (last_id, prev) = super::audit::last(c)?;
    let event_id = last_id + 1;
    let at = Epoch(e.at);
    let hash = super::audit::event_hash(
        &prev,
        event_id,
        id.0,
        e.at.timestamp(),
        &e.actor,
        e.kind.as_str(),
        e.field.as_deref(),
        e.old.as_deref(),
        e.new.as_deref(),
        e.text.as_deref(),
    );
    let mut st = c.prepare_cached(
        "INSERT INTO events (id, incident_id, at, actor, kind, field, old, new, text, hash)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )?;
    st.execute(params![
        event_id, id, at, e.actor, e.kind, e.field, e.old, e.new, e.text, hash
    ])?;
    Ok(event_id)
}

/// Events of `id` (all, or only changes of `field`), oldest first. An
/// event that cannot be read is an error naming it.
pub(crate) fn events_of(
    c: &Connection,
    id: IncidentId,
    field: Option<&str>,
) -> rusqlite::Result<Result<Vec<Event>>> {
    let sql = match field {
        None => format!("SELECT {EVENT_COLUMNS} FROM events WHERE incident_id = ?1 ORDER BY id"),
        Some(_) => format!(
            "SELECT {EVENT_COLUMNS} FROM events WHERE incident_id = ?1 AND field = ?2 ORDER BY id"
        ),
    };
    let mut st = c.prepare_cached(&sql)?;
    let map = |r: &rusqlite::Row<'_>| decode(r, row::event_name, row::event);
    let rows = match field {
        None => st.query_map(params![id], map)?,
        Some(f) => st.query_map(params![id, f], map)?,
    };
    let mut out = Vec::new();
    for r in rows {
        match r? {
            Ok(e) => out.push(e),
            Err(e) => return Ok(Err(e)),
        }
    }
    Ok(Ok(out))
}

impl Store {
    /// The whole timeline of one incident, oldest first.
    pub fn events(&self, id: IncidentId) -> Result<Vec<Event>> {
        events_of(&self.conn, id, None).map_err(|e| self.err(e))?
    }
}
