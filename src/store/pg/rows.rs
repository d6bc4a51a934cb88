//! Decoding PostgreSQL rows into domain values, naming what is unreadable.

use super::*;

/// Why a column could not be read, worded as on SQLite.
pub(super) fn bad(col: &str, why: impl std::fmt::Display) -> String {
    format!("its {} is bad: {why}", col.replace('_', " "))
}

pub(super) fn get<'a, T: postgres::types::FromSql<'a>>(r: &'a Row, col: &str) -> Result<T, String> {
    r.try_get(col).map_err(|e| bad(col, e))
}

pub(super) fn parsed<T: std::str::FromStr>(r: &Row, col: &str, what: &str) -> Result<T, String> {
    let s: String = get(r, col)?;
    s.parse()
        .map_err(|_| bad(col, format!("'{s}' is not {what} this sev knows")))
}

pub(super) fn level<T>(
    r: &Row,
    col: &str,
    what: &str,
    f: fn(u8) -> Option<T>,
) -> Result<T, String> {
    let n: i64 = get(r, col)?;
    u8::try_from(n)
        .ok()
        .and_then(f)
        .ok_or_else(|| bad(col, format!("'{n}' is not {what} this sev knows")))
}

pub(super) fn time(r: &Row, col: &str) -> Result<DateTime<Utc>, String> {
    let n: i64 = get(r, col)?;
    DateTime::from_timestamp(n, 0).ok_or_else(|| bad(col, format!("{n} is out of range")))
}

pub(super) fn time_opt(r: &Row, col: &str) -> Result<Option<DateTime<Utc>>, String> {
    match get::<Option<i64>>(r, col)? {
        None => Ok(None),
        Some(_) => time(r, col).map(Some),
    }
}

pub(super) fn incident(r: &Row) -> Result<Incident, String> {
    Ok(Incident {
        id: IncidentId(get(r, "id")?),
        title: get(r, "title")?,
        description: get(r, "description")?,
        kind: parsed(r, "kind", "a kind")?,
        status: parsed(r, "status", "a status")?,
        severity: level(r, "severity", "a severity level", Severity::from_level)?,
        impact: parsed(r, "impact", "an impact")?,
        urgency: parsed(r, "urgency", "an urgency")?,
        priority: level(r, "priority", "a priority level", Priority::from_level)?,
        category: get(r, "category")?,
        service: get(r, "service")?,
        tags: crate::domain::parse_tags(&get::<String>(r, "tags")?),
        assignee: get(r, "assignee")?,
        commander: get(r, "commander")?,
        scribe: get(r, "scribe")?,
        comms: get(r, "comms")?,
        reporter: get(r, "reporter")?,
        created_at: time(r, "created_at")?,
        impact_started_at: time_opt(r, "impact_started_at")?,
        detected_at: time_opt(r, "detected_at")?,
        acknowledged_at: time_opt(r, "acknowledged_at")?,
        mitigated_at: time_opt(r, "mitigated_at")?,
        resolved_at: time_opt(r, "resolved_at")?,
        closed_at: time_opt(r, "closed_at")?,
        updated_at: time(r, "updated_at")?,
        resolution: get(r, "resolution")?,
        cancel_reason: get(r, "cancel_reason")?,
        version: get(r, "version")?,
    })
}

pub(super) const SEARCH_COLUMNS: &str = "id, title, service, substr(description, 1, 300) AS description, \
     attention, severity, priority, created_at";

/// One search row, borrowed from the fetched row.
pub(super) fn search_ref(r: &Row, id: IncidentId) -> Result<SearchRef<'_>, String> {
    Ok(SearchRef {
        id,
        title: get(r, "title")?,
        service: get(r, "service")?,
        description: get(r, "description")?,
        key: ListKey::new(
            get(r, "attention")?,
            get(r, "severity")?,
            get(r, "priority")?,
            get(r, "created_at")?,
            id,
        ),
    })
}

pub(super) fn incident_or_unreadable(r: &Row) -> std::result::Result<Incident, Unreadable> {
    incident(r).map_err(|reason| Unreadable {
        id: IncidentId(r.try_get("id").unwrap_or(0)),
        reason,
    })
}

/// A row of `row::SLIM_COLUMNS`, read by position.
pub(super) fn slim_row(r: &Row) -> std::result::Result<Incident, Unreadable> {
    let id: i64 = r.try_get(0).unwrap_or(0);
    let got = (|| -> Result<Incident, String> {
        let text = |i: usize, col: &str| -> Result<String, String> {
            r.try_get::<_, String>(i).map_err(|e| bad(col, e))
        };
        let num = |i: usize, col: &str| -> Result<i64, String> {
            r.try_get::<_, i64>(i).map_err(|e| bad(col, e))
        };
        let at = |n: i64, col: &str| {
            DateTime::from_timestamp(n, 0).ok_or_else(|| bad(col, format!("{n} is out of range")))
        };
        let opt = |i: usize, col: &str| -> Result<Option<DateTime<Utc>>, String> {
            match r.try_get::<_, Option<i64>>(i).map_err(|e| bad(col, e))? {
                None => Ok(None),
                Some(n) => at(n, col).map(Some),
            }
        };
        let kind = text(1, "kind")?;
        let status = text(2, "status")?;
        let sev = num(3, "severity")?;
        let pri = num(4, "priority")?;
        Ok(crate::store::row::slim_incident(
            id,
            kind.parse()
                .map_err(|_| bad("kind", format!("'{kind}' is not a kind this sev knows")))?,
            status.parse().map_err(|_| {
                bad(
                    "status",
                    format!("'{status}' is not a status this sev knows"),
                )
            })?,
            u8::try_from(sev)
                .ok()
                .and_then(Severity::from_level)
                .ok_or_else(|| bad("severity", format!("'{sev}' is not a severity level")))?,
            u8::try_from(pri)
                .ok()
                .and_then(Priority::from_level)
                .ok_or_else(|| bad("priority", format!("'{pri}' is not a priority level")))?,
            at(num(5, "created_at")?, "created_at")?,
            [
                opt(6, "impact_started_at")?,
                opt(7, "detected_at")?,
                opt(8, "acknowledged_at")?,
                opt(9, "mitigated_at")?,
                opt(10, "resolved_at")?,
            ],
            (
                r.try_get(11).map_err(|e| bad("category", e))?,
                r.try_get(12).map_err(|e| bad("service", e))?,
            ),
        ))
    })();
    got.map_err(|reason| Unreadable {
        id: IncidentId(id),
        reason,
    })
}

pub(super) fn event(r: &Row) -> Result<Event, String> {
    let kind: String = get(r, "kind")?;
    Ok(Event {
        id: get(r, "id")?,
        incident: IncidentId(get(r, "incident_id")?),
        at: time(r, "at")?,
        actor: get(r, "actor")?,
        kind: EventKind::parse(&kind).ok_or_else(|| {
            bad(
                "kind",
                format!("'{kind}' is not an event kind this sev knows"),
            )
        })?,
        field: get(r, "field")?,
        old: get(r, "old")?,
        new: get(r, "new")?,
        text: get(r, "text")?,
    })
}

pub(super) fn action(r: &Row) -> Result<ActionItem, String> {
    let due = match get::<Option<String>>(r, "due_date")? {
        None => None,
        Some(d) => Some(NaiveDate::parse_from_str(&d, "%Y-%m-%d").map_err(|_| {
            bad(
                "due_date",
                format!("'{d}' is not a YYYY-MM-DD date this sev knows"),
            )
        })?),
    };
    Ok(ActionItem {
        id: ActionId(get(r, "id")?),
        incident: IncidentId(get(r, "incident_id")?),
        description: get(r, "description")?,
        kind: parsed(r, "type", "an action type")?,
        owner: get(r, "owner")?,
        due,
        status: parsed(r, "status", "an action status")?,
        created_at: time(r, "created_at")?,
        updated_at: time(r, "updated_at")?,
        done_at: time_opt(r, "done_at")?,
        version: get(r, "version")?,
    })
}

pub(super) fn postmortem(r: &Row) -> Result<Postmortem, String> {
    let sections: String = get(r, "sections")?;
    let sections = serde_json::from_str(&sections).map_err(|e| {
        bad(
            "sections",
            format!("not a JSON object of section texts ({e})"),
        )
    })?;
    Ok(Postmortem {
        incident: IncidentId(get(r, "incident_id")?),
        status: parsed(r, "status", "a postmortem status")?,
        owner: get(r, "owner")?,
        sections,
        created_at: time(r, "created_at")?,
        updated_at: time(r, "updated_at")?,
        published_at: time_opt(r, "published_at")?,
        version: get(r, "version")?,
    })
}

/// A row sev cannot read, named: "event #12 of INC-3 is unreadable: …".
pub(super) fn unreadable(what: String, reason: String) -> Error {
    Error::Unavailable(format!(
        "{what} is unreadable: {reason} — restore a backup or run sev doctor"
    ))
}

/// The values of an incident in the order of [`INCIDENT_COLUMNS`] after `id`.
pub(super) struct IncidentValues {
    ints: [Option<i64>; 12],
    texts: [Option<String>; 15],
}

impl IncidentValues {
    pub(super) fn of(i: &Incident) -> IncidentValues {
        let t = |d: Option<DateTime<Utc>>| d.map(|d| d.timestamp());
        IncidentValues {
            ints: [
                Some(i64::from(i.severity.level())),
                Some(i64::from(i.priority.level())),
                Some(i.created_at.timestamp()),
                t(i.impact_started_at),
                t(i.detected_at),
                t(i.acknowledged_at),
                t(i.mitigated_at),
                t(i.resolved_at),
                t(i.closed_at),
                Some(i.updated_at.timestamp()),
                Some(i.version),
                Some(i.id.0),
            ],
            texts: [
                Some(i.title.clone()),
                Some(i.description.clone()),
                Some(i.kind.as_str().to_string()),
                Some(i.status.as_str().to_string()),
                Some(i.impact.as_str().to_string()),
                Some(i.urgency.as_str().to_string()),
                i.category.clone(),
                i.service.clone(),
                Some(i.tags.join(",")),
                i.assignee.clone(),
                i.commander.clone(),
                i.scribe.clone(),
                i.comms.clone(),
                Some(i.reporter.clone()),
                i.resolution.clone(),
            ],
        }
    }

    /// `(column, value)` pairs, every stored column but `id` and the
    /// cancel reason (bound separately).
    pub(super) fn pairs<'a>(
        &'a self,
        cancel: &'a Option<String>,
    ) -> Vec<(&'static str, Param<'a>)> {
        let [
            sev,
            pri,
            created,
            started,
            detected,
            acked,
            mitigated,
            resolved,
            closed,
            updated,
            version,
            _,
        ] = &self.ints;
        let [
            title,
            desc,
            kind,
            status,
            impact,
            urgency,
            category,
            service,
            tags,
            assignee,
            commander,
            scribe,
            comms,
            reporter,
            resolution,
        ] = &self.texts;
        vec![
            ("title", title),
            ("description", desc),
            ("kind", kind),
            ("status", status),
            ("severity", sev),
            ("impact", impact),
            ("urgency", urgency),
            ("priority", pri),
            ("category", category),
            ("service", service),
            ("tags", tags),
            ("assignee", assignee),
            ("commander", commander),
            ("scribe", scribe),
            ("comms", comms),
            ("reporter", reporter),
            ("created_at", created),
            ("impact_started_at", started),
            ("detected_at", detected),
            ("acknowledged_at", acked),
            ("mitigated_at", mitigated),
            ("resolved_at", resolved),
            ("closed_at", closed),
            ("updated_at", updated),
            ("resolution", resolution),
            ("cancel_reason", cancel),
            ("version", version),
        ]
    }
}

pub(super) fn marks(n: usize, from: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}
