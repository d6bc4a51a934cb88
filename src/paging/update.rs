//! Stakeholder updates: a structured message (current status, impact, what
//! is being done, when the next update comes) that goes to the incident's
//! stakeholder channels and into its timeline, in one transaction; and
//! when the next one is due (the cadence per severity in `[updates]`).

use super::config::Paging;
use super::escalate::idem_key;
use crate::domain::{Event, EventKind, Incident, IncidentId};
use crate::error::{Error, Result};
use crate::store::Store;
use crate::store::respond::OutboxRow;
use chrono::{DateTime, Duration, Utc};

/// One update as the person wrote it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Update {
    pub status: String,
    pub impact: String,
    pub doing: String,
    /// When the next update comes (`None`: the cadence decides).
    pub next_in: Option<std::time::Duration>,
}

/// The status the last update said (its first line), if any.
pub fn last_status(events: &[Event]) -> Option<String> {
    let e = events.iter().rev().find(|e| e.kind == EventKind::Update)?;
    let line = e.text.as_deref()?.lines().next()?;
    Some(line.trim_start_matches("Status:").trim().to_string())
}

/// The editor's starting text for an update of `inc`: the status the last
/// update said (else the incident's state).
pub fn template(inc: &Incident, p: &Paging, last: Option<&str>) -> String {
    let next = p
        .cadence(inc.severity)
        .map(crate::intake::config_file::show_duration)
        .unwrap_or_default();
    format!(
        "# Stakeholder update for {}: {} ({}, {})\n\
         # Lines starting with # are dropped. Status and at least one of\n\
         # impact or doing are needed. Next update: a duration (30m, 1h) or none.\n\
         Status: {}\n\
         Impact: \n\
         Doing: \n\
         Next update: {next}\n",
        inc.id,
        crate::text::sanitize_line(&inc.title),
        inc.severity,
        inc.status.as_str(),
        last.map(crate::text::sanitize_line)
            .unwrap_or_else(|| inc.status.as_str().into())
    )
}

/// Read an update back from the template's text.
pub fn parse(text: &str) -> Result<Update> {
    let mut u = Update::default();
    let mut next: Option<String> = None;
    let mut current: Option<&str> = None;
    for line in text.lines() {
        if line.trim_start().starts_with('#') {
            continue;
        }
        let key = line.split_once(':').and_then(|(k, v)| {
            let k = k.trim().to_ascii_lowercase();
            let name = match k.as_str() {
                "status" => "status",
                "impact" => "impact",
                "doing" | "what we are doing" => "doing",
                "next update" | "next" => "next",
                _ => return None,
            };
            Some((name, v.trim()))
        });
        let (slot, value) = match key {
            Some((k, v)) => {
                current = Some(k);
                (k, v)
            }
            None => match current {
                Some(k) => (k, line.trim()),
                None if line.trim().is_empty() => continue,
                None => {
                    return Err(Error::Usage(format!(
                        "'{}' is not part of an update: start lines with Status:, Impact:, Doing: or Next update:",
                        crate::text::sanitize_line(line.trim())
                    )));
                }
            },
        };
        let field = match slot {
            "status" => &mut u.status,
            "impact" => &mut u.impact,
            "doing" => &mut u.doing,
            _ => next.get_or_insert_with(String::new),
        };
        if !value.is_empty() {
            if !field.is_empty() {
                field.push('\n');
            }
            field.push_str(value);
        }
    }
    if let Some(n) = next.map(|n| n.trim().to_string())
        && !n.is_empty()
        && n != "none"
    {
        u.next_in = Some(
            crate::intake::config_file::parse_duration(&n)
                .map_err(|e| Error::Usage(format!("Next update: {e}")))?,
        );
    }
    check(&u)?;
    Ok(u)
}

pub fn check(u: &Update) -> Result<()> {
    if u.status.trim().is_empty() {
        return Err(Error::Usage(
            "the update has no status: say where things stand (Status: investigating)".into(),
        ));
    }
    if u.impact.trim().is_empty() && u.doing.trim().is_empty() {
        return Err(Error::Usage(
            "the update says neither the impact nor what is being done: fill in Impact: or Doing:"
                .into(),
        ));
    }
    Ok(())
}

/// The update as the timeline and the channels carry it.
pub fn text(u: &Update, next_by: Option<DateTime<Utc>>) -> String {
    let mut s = format!("Status: {}", u.status.trim());
    if !u.impact.trim().is_empty() {
        s.push_str(&format!("\nImpact: {}", u.impact.trim()));
    }
    if !u.doing.trim().is_empty() {
        s.push_str(&format!("\nDoing: {}", u.doing.trim()));
    }
    if let Some(t) = next_by {
        s.push_str(&format!(
            "\nNext update by: {}",
            t.format("%Y-%m-%d %H:%M UTC")
        ));
    }
    s
}

/// Post an update: the timeline event and one outbox row per stakeholder
/// channel, in one transaction. The channels it went to.
pub fn post(
    store: &Store,
    p: &Paging,
    id: IncidentId,
    actor: &str,
    u: &Update,
    now: DateTime<Utc>,
) -> Result<(Event, Vec<String>)> {
    check(u)?;
    store.respond(now, |tx| {
        let now = tx.now();
        let inc = tx.incident(id)?;
        let next_in = u.next_in.or_else(|| p.cadence(inc.severity));
        let next_by = next_in.map(|d| now + Duration::from_std(d).unwrap_or(Duration::zero()));
        let body = text(u, next_by);
        let ev = Event {
            id: 0,
            incident: id,
            at: now,
            actor: actor.to_string(),
            kind: EventKind::Update,
            field: Some("next_update".into()),
            old: None,
            new: next_by.map(crate::clock::rfc3339),
            text: Some(body),
        };
        tx.append_event(&ev)?;
        let channels = p.stakeholders(inc.service.as_deref());
        let (subject, rendered) = super::directory::render(
            "update",
            &inc,
            serde_json::json!({ "update": {
                "status": u.status.trim(), "impact": u.impact.trim(), "actions": u.doing.trim(),
                "next_update": next_by.map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string()),
            }}),
        );
        let nonce = format!("{:016x}", fastrand::u64(..));
        for c in &channels {
            tx.enqueue(&OutboxRow {
                id: 0,
                incident: Some(id),
                kind: "update".into(),
                channel: c.clone(),
                recipient: String::new(),
                address: String::new(),
                subject: subject.clone(),
                body: rendered.clone(),
                payload: serde_json::json!({ "status": u.status, "impact": u.impact,
                    "doing": u.doing, "next_update_by": next_by.map(crate::clock::rfc3339),
                    "incident": super::directory::info(&inc) })
                .to_string(),
                // A nonce: two updates in the same second (the server's
                // clock has whole seconds) are two messages, not one.
                idem_key: idem_key(&["update", &id.0.to_string(), &now.to_rfc3339(), c, &nonce]),
                state: "pending".into(),
                attempts: 0,
                created_at: now,
                next_at: now,
                give_up_at: now + Duration::from_std(p.give_up).unwrap_or(Duration::hours(1)),
                updated_at: now,
                done_at: None,
                detail: None,
            })?;
        }
        Ok((ev, channels))
    })
}

/// Where an incident stands against its update cadence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    /// Not open, or its severity has no cadence.
    NotNeeded,
    /// The next update is due at this time.
    Until(DateTime<Utc>),
    /// Due within [`SOON`].
    Soon(DateTime<Utc>),
    /// It was due at this time.
    Overdue(DateTime<Utc>),
}

/// "update due" shows this long before the time.
pub const SOON: Duration = Duration::minutes(5);

/// The incident's last update: when, and the next-by time it promised.
pub type Last = (DateTime<Utc>, Option<DateTime<Utc>>);

pub fn due(inc: &Incident, last: Option<Last>, p: &Paging, now: DateTime<Utc>) -> Due {
    if !inc.status.is_open() {
        return Due::NotNeeded;
    }
    let cadence = p
        .cadence(inc.severity)
        .and_then(|d| Duration::from_std(d).ok());
    let at = match (last, cadence) {
        (Some((_, Some(promised))), _) => promised,
        (Some((at, None)), Some(c)) => at + c,
        (None, Some(c)) => inc.created_at + c,
        (_, None) => return Due::NotNeeded,
    };
    if now > at {
        Due::Overdue(at)
    } else if now + SOON >= at {
        Due::Soon(at)
    } else {
        Due::Until(at)
    }
}

impl Due {
    /// A few words for the list and the detail: "update due in 4m",
    /// "update overdue 12m", "" when nothing is due.
    pub fn words(self, now: DateTime<Utc>) -> String {
        match self {
            Due::NotNeeded | Due::Until(_) => String::new(),
            Due::Soon(at) => format!(
                "update due in {}",
                crate::clock::duration((at - now).num_seconds().max(0))
            ),
            Due::Overdue(at) => format!(
                "update overdue {}",
                crate::clock::duration((now - at).num_seconds())
            ),
        }
    }
}
