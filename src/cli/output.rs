//! How the CLI shows things: tables and records for people, JSON for
//! scripts. Every string from the database goes through `text::sanitize*`
//! (or `text::json_safe` for JSON) on its way out.

use crate::clock::{self, Clock};
use crate::domain::{Event, Incident};
use crate::text::{json_safe, sanitize, sanitize_line, truncate};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::fmt::Write;

/// The stable JSON shape of an incident (documented in README).
#[derive(Serialize)]
pub struct IncidentJson<'a> {
    pub id: i64,
    #[serde(rename = "ref")]
    pub reference: String,
    pub title: &'a str,
    pub description: &'a str,
    pub kind: &'static str,
    pub status: &'static str,
    pub severity: &'static str,
    pub impact: &'static str,
    pub urgency: &'static str,
    pub priority: &'static str,
    pub category: Option<&'a str>,
    pub service: Option<&'a str>,
    pub tags: &'a [String],
    pub assignee: Option<&'a str>,
    pub commander: Option<&'a str>,
    pub scribe: Option<&'a str>,
    pub comms: Option<&'a str>,
    pub reporter: &'a str,
    pub created_at: String,
    pub impact_started_at: Option<String>,
    pub detected_at: Option<String>,
    pub acknowledged_at: Option<String>,
    pub mitigated_at: Option<String>,
    pub resolved_at: Option<String>,
    pub closed_at: Option<String>,
    pub updated_at: String,
    pub resolution: Option<&'a str>,
    pub cancel_reason: Option<&'a str>,
    pub version: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub events: Option<Vec<EventJson<'a>>>,
}

#[derive(Serialize)]
pub struct EventJson<'a> {
    pub at: String,
    pub actor: &'a str,
    pub kind: &'static str,
    pub field: Option<&'a str>,
    pub old: Option<&'a str>,
    pub new: Option<&'a str>,
    pub text: Option<&'a str>,
    /// An evidence event's record as fields (`text` holds it as stored).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<serde_json::Value>,
}

fn t(o: Option<DateTime<Utc>>) -> Option<String> {
    o.map(clock::rfc3339)
}

pub fn incident_json<'a>(i: &'a Incident, events: Option<&'a [Event]>) -> IncidentJson<'a> {
    IncidentJson {
        id: i.id.0,
        reference: i.id.to_string(),
        title: &i.title,
        description: &i.description,
        kind: i.kind.as_str(),
        status: i.status.as_str(),
        severity: i.severity.as_str(),
        impact: i.impact.as_str(),
        urgency: i.urgency.as_str(),
        priority: i.priority.as_str(),
        category: i.category.as_deref(),
        service: i.service.as_deref(),
        tags: &i.tags,
        assignee: i.assignee.as_deref(),
        commander: i.commander.as_deref(),
        scribe: i.scribe.as_deref(),
        comms: i.comms.as_deref(),
        reporter: &i.reporter,
        created_at: clock::rfc3339(i.created_at),
        impact_started_at: t(i.impact_started_at),
        detected_at: t(i.detected_at),
        acknowledged_at: t(i.acknowledged_at),
        mitigated_at: t(i.mitigated_at),
        resolved_at: t(i.resolved_at),
        closed_at: t(i.closed_at),
        updated_at: clock::rfc3339(i.updated_at),
        resolution: i.resolution.as_deref(),
        cancel_reason: i.cancel_reason.as_deref(),
        version: i.version,
        events: events.map(|evs| {
            evs.iter()
                .map(|e| EventJson {
                    at: clock::rfc3339(e.at),
                    actor: &e.actor,
                    kind: e.kind.as_str(),
                    field: e.field.as_deref(),
                    old: e.old.as_deref(),
                    new: e.new.as_deref(),
                    text: e.text.as_deref(),
                    evidence: e.evidence().map(|ev| ev.json()),
                })
                .collect()
        }),
    }
}

/// Pretty JSON, safe for a terminal.
pub fn to_json<T: Serialize>(v: &T) -> String {
    let s = serde_json::to_string_pretty(v).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    json_safe(&s).into_owned()
}

fn opt(o: &Option<String>) -> String {
    match o {
        Some(s) => sanitize_line(s).into_owned(),
        None => "—".into(),
    }
}

fn pad(s: &str, w: usize) -> String {
    let s = truncate(s, w);
    let used = unicode_width::UnicodeWidthStr::width(s.as_str());
    format!("{s}{}", " ".repeat(w.saturating_sub(used)))
}

/// A table of incidents fitting `width` columns: the title comes last and
/// takes the rest; columns give way as `columns` documents, the assignee last.
pub fn table(rows: &[Incident], now: DateTime<Utc>, width: usize) -> String {
    use crate::columns::{self, AGE_W, ASSIGNEE_W, KIND_W, PRI_W, SEV_W, STATUS_W};
    let reference = rows
        .iter()
        .map(|i| i.id)
        .max()
        .map_or(0, |id| id.to_string().len());
    let c = columns::fit(width, reference);
    let mut out = String::new();
    let mut line = |cells: [(&str, usize); 8], title: &str| {
        for (text, w) in cells {
            if w > 0 {
                let _ = write!(out, "{} ", pad(text, w));
            }
        }
        let _ = writeln!(out, "{title}");
    };
    let shown = |on: bool, w: usize| if on { w } else { 0 };
    let widths = [
        c.reference,
        KIND_W,
        SEV_W,
        shown(c.priority, PRI_W),
        STATUS_W,
        shown(c.age, AGE_W),
        shown(c.assignee, ASSIGNEE_W),
        c.service,
    ];
    let header = [
        "REF", "K", "SEV", "PRI", "STATUS", "AGE", "ASSIGNEE", "SERVICE",
    ];
    line(std::array::from_fn(|n| (header[n], widths[n])), "TITLE");
    for i in rows {
        let cells = [
            i.id.to_string(),
            i.kind.marker().to_string(),
            i.severity.to_string(),
            i.priority.to_string(),
            i.status.marker().to_string(),
            clock::age(i.created_at, now),
            opt(&i.assignee),
            opt(&i.service),
        ];
        line(
            std::array::from_fn(|n| (cells[n].as_str(), widths[n])),
            &truncate(&sanitize_line(&i.title), c.title),
        );
    }
    out
}

fn when(clock: &dyn Clock, o: Option<DateTime<Utc>>) -> String {
    o.map(|t| clock.local(t)).unwrap_or_else(|| "—".into())
}

/// The full record and timeline, for `sev show`.
/// `links` are ready-made lines ("merged: INC-13"), shown before the timeline,
/// and so are `response` (the response clocks, one per line).
pub fn record(
    i: &Incident,
    events: &[Event],
    links: &[String],
    response: &[String],
    sev_name: &str,
    clock: &dyn Clock,
) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "{}  {} ({})  {}  {}  [{}]",
        i.id,
        i.severity,
        sanitize_line(sev_name),
        i.priority,
        i.status,
        i.kind
    );
    let _ = writeln!(o, "{}", sanitize_line(&i.title));
    let _ = writeln!(o);
    let _ = writeln!(o, "  service      {}", opt(&i.service));
    let _ = writeln!(o, "  category     {}", opt(&i.category));
    let tags = if i.tags.is_empty() {
        "—".to_string()
    } else {
        sanitize_line(&i.tags.join(", ")).into_owned()
    };
    let _ = writeln!(o, "  tags         {tags}");
    let _ = writeln!(
        o,
        "  impact       {}   urgency {}   → priority {}",
        i.impact, i.urgency, i.priority
    );
    let _ = writeln!(o, "  assignee     {}", opt(&i.assignee));
    let _ = writeln!(o, "  commander    {}", opt(&i.commander));
    let _ = writeln!(o, "  scribe       {}", opt(&i.scribe));
    let _ = writeln!(o, "  comms        {}", opt(&i.comms));
    let _ = writeln!(o, "  reporter     {}", sanitize_line(&i.reporter));
    let _ = writeln!(o, "  created      {}", when(clock, Some(i.created_at)));
    // Always shown: "—" says they can be recorded (sev set ID impact_started_at=-20m).
    let _ = writeln!(o, "  impact start {}", when(clock, i.impact_started_at));
    let _ = writeln!(o, "  detected     {}", when(clock, i.detected_at));
    let _ = writeln!(o, "  acknowledged {}", when(clock, i.acknowledged_at));
    let _ = writeln!(o, "  mitigated    {}", when(clock, i.mitigated_at));
    let _ = writeln!(o, "  resolved     {}", when(clock, i.resolved_at));
    let _ = writeln!(o, "  closed       {}", when(clock, i.closed_at));
    if let Some(r) = &i.resolution {
        let _ = writeln!(o, "  resolution   {}", sanitize_line(r));
    }
    if let Some(r) = &i.cancel_reason {
        let _ = writeln!(o, "  cancelled    {}", sanitize_line(r));
    }
    let _ = writeln!(o, "  version      {}", i.version);
    if !i.description.trim().is_empty() {
        let _ = writeln!(o, "\nDescription");
        for l in sanitize(&i.description).lines() {
            let _ = writeln!(o, "  {l}");
        }
    }
    if !links.is_empty() {
        let _ = writeln!(o, "\nLinks");
        for l in links {
            let _ = writeln!(o, "  {l}");
        }
    }
    if !response.is_empty() {
        let _ = writeln!(o, "\nResponse targets");
        for l in response {
            let _ = writeln!(o, "  {l}");
        }
    }
    let _ = writeln!(o, "\nTimeline ({} events, local time)", events.len());
    for e in events {
        let summary = e.summary();
        let mut lines = sanitize(&summary)
            .lines()
            .map(str::to_string)
            .collect::<Vec<_>>()
            .into_iter();
        let first = lines.next().unwrap_or_default();
        let _ = writeln!(
            o,
            "  {}  {:<10} {}",
            clock.local(e.at),
            truncate(&sanitize_line(&crate::text::short_actor(&e.actor)), 10),
            first
        );
        for l in lines {
            let _ = writeln!(o, "  {:16}  {:<10} {}", "", "", l);
        }
    }
    o
}

/// What changed between two versions of an incident, for confirmations.
pub fn changes(before: &Incident, after: &Incident) -> String {
    let mut parts = Vec::new();
    if before.status != after.status {
        parts.push(format!("status {} → {}", before.status, after.status));
    }
    for f in crate::domain::Field::ALL {
        let (a, b) = (f.get(before), f.get(after));
        if a != b {
            let v = |o: Option<String>| {
                o.map(|s| truncate(&sanitize_line(&s), 40))
                    .unwrap_or_else(|| "—".into())
            };
            parts.push(format!("{} {} → {}", f.name(), v(a), v(b)));
        }
    }
    if before.priority != after.priority {
        parts.push(format!("priority {} → {}", before.priority, after.priority));
    }
    if parts.is_empty() {
        format!("{}: no change (already so)", after.id)
    } else {
        format!("{}: {}", after.id, parts.join("; "))
    }
}

/// The stable JSON shape of an action item.
pub fn action_json(a: &crate::domain::ActionItem, today: chrono::NaiveDate) -> serde_json::Value {
    serde_json::json!({
        "id": a.id.0,
        "ref": a.id.to_string(),
        "incident": a.incident.to_string(),
        "description": a.description,
        "type": a.kind.as_str(),
        "owner": a.owner,
        "due": a.due.map(|d| d.to_string()),
        "status": a.status.as_str(),
        "overdue": a.overdue(today),
        "created_at": clock::rfc3339(a.created_at),
        "updated_at": clock::rfc3339(a.updated_at),
        "version": a.version,
    })
}

/// A table of action items; overdue ones are marked `OVERDUE`.
pub fn actions_table(
    items: &[crate::domain::ActionItem],
    today: chrono::NaiveDate,
    width: usize,
) -> String {
    let mut out = String::new();
    let fixed = [8usize, 10, 8, 10, 11, 11];
    let desc_w = width
        .saturating_sub(fixed.iter().sum::<usize>() + fixed.len())
        .max(20);
    let header = ["REF", "INCIDENT", "TYPE", "OWNER", "DUE", "STATUS"];
    for (h, w) in header.iter().zip(fixed) {
        let _ = write!(out, "{} ", pad(h, w));
    }
    let _ = writeln!(out, "ACTION");
    for a in items {
        let due = match a.due {
            Some(d) if a.overdue(today) => format!("{d}!"),
            Some(d) => d.to_string(),
            None => "—".into(),
        };
        let status = if a.overdue(today) {
            "OVERDUE".to_string()
        } else {
            a.status.to_string()
        };
        let cells = [
            a.id.to_string(),
            a.incident.to_string(),
            a.kind.to_string(),
            opt(&a.owner),
            due,
            status,
        ];
        for (c, w) in cells.iter().zip(fixed) {
            let _ = write!(out, "{} ", pad(c, w));
        }
        let _ = writeln!(out, "{}", truncate(&sanitize_line(&a.description), desc_w));
    }
    if items.is_empty() {
        let _ = writeln!(out, "(no action items match)");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Kind, sample_incident};

    #[test]
    fn the_list_table_fits_the_terminal_keeps_the_owner_and_marks_the_kind() {
        let now = chrono::Utc::now();
        let mut rows = Vec::new();
        for (id, kind, who) in [
            (100_000, Kind::Security, "mallory"),
            (7, Kind::NearMiss, "bob"),
            (8, Kind::Incident, "carol"),
        ] {
            let mut i = sample_incident(id, now);
            i.kind = kind;
            i.title = "A title long enough to need truncating at eighty columns".into();
            i.assignee = Some(who.into());
            i.service = Some("payments".into());
            rows.push(i);
        }
        for width in [60, 80, 120] {
            let t = table(&rows, now, width);
            for line in t.lines() {
                assert!(
                    unicode_width::UnicodeWidthStr::width(line) <= width,
                    "{width}: {line:?}\n{t}"
                );
            }
            assert!(t.lines().next().unwrap().contains(" K "), "{t}");
            assert!(t.contains("ASSIGNEE") && t.contains("mallory"), "{t}");
            assert!(t.contains("INC-100000 S "), "{t}");
            assert!(t.contains("INC-7      N "), "{t}");
            assert!(t.contains("INC-8        "), "{t}");
        }
        assert!(table(&rows, now, 80).contains("SERVICE"));
    }
}
