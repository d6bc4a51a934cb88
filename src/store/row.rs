//! Mapping between `incidents`/`events` rows and domain values.

use crate::domain::{Event, EventKind, Incident, IncidentId, Kind, Priority, Severity, Status};
use chrono::{DateTime, Utc};
use rusqlite::Row;
use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ValueRef};
use std::str::FromStr;

pub const INCIDENT_COLUMNS: &str = "id, title, description, kind, status, severity, impact, urgency, \
    priority, category, service, tags, assignee, commander, scribe, comms, reporter, created_at, \
    started_at, detected_at, acknowledged_at, mitigated_at, resolved_at, closed_at, updated_at, \
    resolution, cancel_reason, version";

pub fn ts(t: DateTime<Utc>) -> i64 {
    t.timestamp()
}

pub fn ts_opt(t: Option<DateTime<Utc>>) -> Option<i64> {
    t.map(ts)
}

fn time(v: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(v, 0).unwrap_or_default()
}

/// A text column parsed with `FromStr` (status, kind, …).
struct Parsed<T>(T);

impl<T: FromStr> FromSql for Parsed<T> {
    fn column_result(v: ValueRef<'_>) -> FromSqlResult<Self> {
        let s = v.as_str()?;
        s.parse::<T>()
            .map(Parsed)
            .map_err(|_| FromSqlError::Other(format!("'{s}' is not a value this sev knows").into()))
    }
}

fn level<T>(r: &Row<'_>, i: usize, f: fn(u8) -> Option<T>) -> rusqlite::Result<T> {
    let v: i64 = r.get(i)?;
    u8::try_from(v)
        .ok()
        .and_then(f)
        .ok_or(rusqlite::Error::IntegralValueOutOfRange(i, v))
}

/// An incident row that cannot be turned into an incident (a corrupt or
/// hand-edited database). The id is always readable: it is the rowid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    pub id: IncidentId,
    /// What is wrong with it, e.g. "its title is not valid UTF-8".
    pub reason: String,
}

impl std::fmt::Display for Unreadable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.id, self.reason)
    }
}

/// Why a column could not be decoded, in words (`columns` names them).
pub fn describe(e: &rusqlite::Error, columns: &str) -> String {
    use rusqlite::Error as E;
    let name = |i: usize| columns.split(", ").nth(i).unwrap_or("a column").to_string();
    match e {
        E::FromSqlConversionFailure(i, _, err) if err.is::<std::str::Utf8Error>() => {
            format!("its {} is not valid UTF-8 text", name(*i))
        }
        E::FromSqlConversionFailure(i, _, err) => format!("its {} is bad: {err}", name(*i)),
        E::Utf8Error(_) => "a text column is not valid UTF-8".into(),
        E::InvalidColumnType(i, _, ty) => {
            let ty = match ty {
                rusqlite::types::Type::Blob => "BLOB (binary)",
                rusqlite::types::Type::Integer => "integer",
                rusqlite::types::Type::Real => "real number",
                rusqlite::types::Type::Text => "text",
                rusqlite::types::Type::Null => "NULL",
            };
            format!(
                "its {} holds a {ty} value, which sev never writes there",
                name(*i)
            )
        }
        E::IntegralValueOutOfRange(i, v) => {
            format!("its {} holds {v}, which is out of range", name(*i))
        }
        other => other.to_string(),
    }
}

/// An incident, or why this row cannot be one. Errors from SQLite itself
/// (I/O, busy) stay errors.
pub fn incident_or_unreadable(r: &Row<'_>) -> rusqlite::Result<Result<Incident, Unreadable>> {
    match incident(r) {
        Ok(i) => Ok(Ok(i)),
        Err(e) => Ok(Err(Unreadable {
            id: IncidentId(r.get(0)?),
            reason: describe(&e, INCIDENT_COLUMNS),
        })),
    }
}

pub fn incident(r: &Row<'_>) -> rusqlite::Result<Incident> {
    let tags: String = r.get(11)?;
    let t = |i: usize| -> rusqlite::Result<Option<DateTime<Utc>>> {
        Ok(r.get::<_, Option<i64>>(i)?.map(time))
    };
    Ok(Incident {
        id: IncidentId(r.get(0)?),
        title: r.get(1)?,
        description: r.get(2)?,
        kind: r.get::<_, Parsed<Kind>>(3)?.0,
        status: r.get::<_, Parsed<Status>>(4)?.0,
        severity: level(r, 5, Severity::from_level)?,
        impact: r.get::<_, Parsed<_>>(6)?.0,
        urgency: r.get::<_, Parsed<_>>(7)?.0,
        priority: level(r, 8, Priority::from_level)?,
        category: r.get(9)?,
        service: r.get(10)?,
        tags: crate::domain::parse_tags(&tags),
        assignee: r.get(12)?,
        commander: r.get(13)?,
        scribe: r.get(14)?,
        comms: r.get(15)?,
        reporter: r.get(16)?,
        created_at: time(r.get(17)?),
        started_at: t(18)?,
        detected_at: t(19)?,
        acknowledged_at: t(20)?,
        mitigated_at: t(21)?,
        resolved_at: t(22)?,
        closed_at: t(23)?,
        updated_at: time(r.get(24)?),
        resolution: r.get(25)?,
        cancel_reason: r.get(26)?,
        version: r.get(27)?,
    })
}

pub const EVENT_COLUMNS: &str = "id, incident_id, at, actor, kind, field, old, new, text";

pub fn event(r: &Row<'_>) -> rusqlite::Result<Event> {
    let kind: String = r.get(4)?;
    Ok(Event {
        id: r.get(0)?,
        incident: IncidentId(r.get(1)?),
        at: time(r.get(2)?),
        actor: r.get(3)?,
        kind: EventKind::parse(&kind).unwrap_or(EventKind::Note),
        field: r.get(5)?,
        old: r.get(6)?,
        new: r.get(7)?,
        text: r.get(8)?,
    })
}
