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
        s.parse::<T>().map(Parsed).map_err(|_| {
            FromSqlError::Other(format!("unexpected value '{s}' in the database").into())
        })
    }
}

fn level<T>(v: i64, f: fn(u8) -> Option<T>) -> rusqlite::Result<T> {
    u8::try_from(v)
        .ok()
        .and_then(f)
        .ok_or_else(|| rusqlite::Error::IntegralValueOutOfRange(0, v))
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
        severity: level(r.get(5)?, Severity::from_level)?,
        impact: r.get::<_, Parsed<_>>(6)?.0,
        urgency: r.get::<_, Parsed<_>>(7)?.0,
        priority: level(r.get(8)?, Priority::from_level)?,
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
