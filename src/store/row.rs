//! Mapping between rows and domain values, column by name.

use super::error::{Unreadable, describe};
use super::types::{Day, Epoch, Tags};
use crate::domain::{ActionItem, Event, Incident, IncidentId, Postmortem};
use chrono::{DateTime, Utc};
use rusqlite::Row;

pub const INCIDENT_COLUMNS: &str = "id, title, description, kind, status, severity, impact, urgency, \
    priority, category, service, tags, assignee, commander, scribe, comms, reporter, created_at, \
    impact_started_at, detected_at, acknowledged_at, mitigated_at, resolved_at, closed_at, updated_at, \
    resolution, cancel_reason, version";

pub const EVENT_COLUMNS: &str = "id, incident_id, at, actor, kind, field, old, new, text";

pub const ACTION_COLUMNS: &str = "id, incident_id, description, type, owner, due_date, status, created_at, updated_at, version, done_at";

pub const POSTMORTEM_COLUMNS: &str =
    "incident_id, status, owner, sections, created_at, updated_at, published_at, version";

fn time(r: &Row<'_>, col: &str) -> rusqlite::Result<DateTime<Utc>> {
    Ok(r.get::<_, Epoch>(col)?.0)
}

fn time_opt(r: &Row<'_>, col: &str) -> rusqlite::Result<Option<DateTime<Utc>>> {
    Ok(r.get::<_, Option<Epoch>>(col)?.map(|e| e.0))
}

/// The columns of a statement by name, looked up once per statement: rows
/// are still read by name, without asking SQLite for every column's name
/// on every read of every row (what `Row::get("title")` does).
pub struct Cols(Vec<String>);

impl Cols {
    pub fn of(st: &rusqlite::Statement<'_>) -> Cols {
        Cols(st.column_names().into_iter().map(str::to_string).collect())
    }

    /// One row, read through these columns.
    pub fn row<'a, 'r>(&'a self, r: &'a Row<'r>) -> Named<'a, 'r> {
        Named { r, cols: self }
    }
}

/// A row read by column name through [`Cols`].
pub struct Named<'a, 'r> {
    r: &'a Row<'r>,
    cols: &'a Cols,
}

impl Named<'_, '_> {
    pub fn get<T: rusqlite::types::FromSql>(&self, name: &str) -> rusqlite::Result<T> {
        let i = self
            .cols
            .0
            .iter()
            .position(|n| n == name)
            .ok_or_else(|| rusqlite::Error::InvalidColumnName(name.to_string()))?;
        self.r.get(i)
    }

    fn time(&self, col: &str) -> rusqlite::Result<DateTime<Utc>> {
        Ok(self.get::<Epoch>(col)?.0)
    }

    fn time_opt(&self, col: &str) -> rusqlite::Result<Option<DateTime<Utc>>> {
        Ok(self.get::<Option<Epoch>>(col)?.map(|e| e.0))
    }
}

/// An incident, or why this row cannot be one. Errors from SQLite itself
/// (I/O, busy) stay errors.
pub fn incident_or_unreadable(
    r: &Row<'_>,
    cols: &Cols,
) -> rusqlite::Result<Result<Incident, Unreadable>> {
    match incident(&cols.row(r)) {
        Ok(i) => Ok(Ok(i)),
        Err(e) if super::error::is_decode(&e) => Ok(Err(Unreadable {
            id: r.get("id")?,
            reason: describe(&e, r),
        })),
        Err(e) => Err(e),
    }
}

/// [`INCIDENT_COLUMNS`] with the long text left out (empty): for reading
/// many incidents' times and classification at once.
pub static TIMES_COLUMNS: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    INCIDENT_COLUMNS.replacen("title, description,", "'' AS title, '' AS description,", 1)
});

/// Only what reports and the metrics view count, in this order (read by
/// position).
pub const SLIM_COLUMNS: &str = "id, kind, status, severity, priority, created_at, \
    impact_started_at, detected_at, acknowledged_at, mitigated_at, resolved_at, category, service";

/// An incident as reports and the metrics view read it: its classification,
/// category, service and times; the text, people, tags and impact ×
/// urgency are left empty or default.
#[allow(clippy::too_many_arguments)]
pub fn slim_incident(
    id: i64,
    kind: crate::domain::Kind,
    status: crate::domain::Status,
    severity: crate::domain::Severity,
    priority: crate::domain::Priority,
    created_at: DateTime<Utc>,
    times: [Option<DateTime<Utc>>; 5],
    (category, service): (Option<String>, Option<String>),
) -> Incident {
    let [
        impact_started_at,
        detected_at,
        acknowledged_at,
        mitigated_at,
        resolved_at,
    ] = times;
    Incident {
        id: IncidentId(id),
        title: String::new(),
        description: String::new(),
        kind,
        status,
        severity,
        impact: crate::domain::Impact::Medium,
        urgency: crate::domain::Urgency::Medium,
        priority,
        category,
        service,
        tags: Vec::new(),
        assignee: None,
        commander: None,
        scribe: None,
        comms: None,
        reporter: String::new(),
        created_at,
        impact_started_at,
        detected_at,
        acknowledged_at,
        mitigated_at,
        resolved_at,
        closed_at: None,
        updated_at: created_at,
        resolution: None,
        cancel_reason: None,
        version: 0,
    }
}

pub fn incident(r: &Named<'_, '_>) -> rusqlite::Result<Incident> {
    Ok(Incident {
        id: r.get("id")?,
        title: r.get("title")?,
        description: r.get("description")?,
        kind: r.get("kind")?,
        status: r.get("status")?,
        severity: r.get("severity")?,
        impact: r.get("impact")?,
        urgency: r.get("urgency")?,
        priority: r.get("priority")?,
        category: r.get("category")?,
        service: r.get("service")?,
        tags: r.get::<Tags>("tags")?.0,
        assignee: r.get("assignee")?,
        commander: r.get("commander")?,
        scribe: r.get("scribe")?,
        comms: r.get("comms")?,
        reporter: r.get("reporter")?,
        created_at: r.time("created_at")?,
        impact_started_at: r.time_opt("impact_started_at")?,
        detected_at: r.time_opt("detected_at")?,
        acknowledged_at: r.time_opt("acknowledged_at")?,
        mitigated_at: r.time_opt("mitigated_at")?,
        resolved_at: r.time_opt("resolved_at")?,
        closed_at: r.time_opt("closed_at")?,
        updated_at: r.time("updated_at")?,
        resolution: r.get("resolution")?,
        cancel_reason: r.get("cancel_reason")?,
        version: r.get("version")?,
    })
}

/// One timeline event; an unknown kind is an error, never a note.
pub fn event(r: &Row<'_>) -> rusqlite::Result<Event> {
    Ok(Event {
        id: r.get("id")?,
        incident: r.get("incident_id")?,
        at: time(r, "at")?,
        actor: r.get("actor")?,
        kind: r.get("kind")?,
        field: r.get("field")?,
        old: r.get("old")?,
        new: r.get("new")?,
        text: r.get("text")?,
    })
}

/// "event #12 of INC-3", for errors.
pub fn event_name(r: &Row<'_>) -> String {
    let id = r.get::<_, i64>("id").unwrap_or(0);
    match r.get::<_, IncidentId>("incident_id") {
        Ok(inc) => format!("event #{id} of {inc}"),
        Err(_) => format!("event #{id}"),
    }
}

pub fn action(r: &Row<'_>) -> rusqlite::Result<ActionItem> {
    Ok(ActionItem {
        id: r.get("id")?,
        incident: r.get("incident_id")?,
        description: r.get("description")?,
        kind: r.get("type")?,
        owner: r.get("owner")?,
        due: r.get::<_, Option<Day>>("due_date")?.map(|d| d.0),
        status: r.get("status")?,
        created_at: time(r, "created_at")?,
        updated_at: time(r, "updated_at")?,
        done_at: time_opt(r, "done_at")?,
        version: r.get("version")?,
    })
}

/// "action item ACT-7 (of INC-3)", for errors.
pub fn action_name(r: &Row<'_>) -> String {
    let id = r.get::<_, i64>("id").unwrap_or(0);
    let inc = r
        .get::<_, IncidentId>("incident_id")
        .map(|i| format!(" (of {i})"))
        .unwrap_or_default();
    format!("action item ACT-{id}{inc}")
}

/// A postmortem; sections that are not a JSON object of texts are an
/// error naming the incident, never an empty postmortem.
pub fn postmortem(r: &Row<'_>) -> rusqlite::Result<Postmortem> {
    let sections: String = r.get("sections")?;
    let sections = serde_json::from_str(&sections).map_err(|e| {
        let i = r.as_ref().column_index("sections").unwrap_or(0);
        rusqlite::Error::FromSqlConversionFailure(
            i,
            rusqlite::types::Type::Text,
            format!("not a JSON object of section texts ({e})").into(),
        )
    })?;
    Ok(Postmortem {
        incident: r.get("incident_id")?,
        status: r.get("status")?,
        owner: r.get("owner")?,
        sections,
        created_at: time(r, "created_at")?,
        updated_at: time(r, "updated_at")?,
        published_at: time_opt(r, "published_at")?,
        version: r.get("version")?,
    })
}

/// "the postmortem of INC-3", for errors.
pub fn postmortem_name(r: &Row<'_>) -> String {
    match r.get::<_, IncidentId>("incident_id") {
        Ok(i) => format!("the postmortem of {i}"),
        Err(_) => "a postmortem".into(),
    }
}
