//! Postmortems, corrective actions, per-incident measures and the close
//! policy: learning from an incident, and proving the follow-up exists.

use super::{DomainError, Event, EventKind, Incident, IncidentId, Kind, Severity, Status};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

text_enum!(
    /// Review state of a postmortem.
    PmStatus, "postmortem status", { Draft => "draft", InReview => "in-review", Published => "published" }
);
text_enum!(
    /// What a corrective or preventive action does.
    ActionKind, "action type", { Mitigate => "mitigate", Prevent => "prevent", Detect => "detect", Process => "process" }
);
text_enum!(
    /// Where an action item is.
    ActionStatus, "action status", { Open => "open", InProgress => "in-progress", Done => "done", WontDo => "wont-do" }
);

impl ActionStatus {
    pub fn is_open(self) -> bool {
        matches!(self, ActionStatus::Open | ActionStatus::InProgress)
    }
}

/// A postmortem section: key (stable, used in config and storage), title,
/// and what to write in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Section {
    pub key: &'static str,
    pub title: &'static str,
    pub hint: &'static str,
}

/// Every section sev knows, in document order.
pub const SECTIONS: &[Section] = &[
    Section {
        key: "summary",
        title: "Summary",
        hint: "What happened, in two or three sentences a newcomer understands.",
    },
    Section {
        key: "impact",
        title: "Impact",
        hint: "Who and how many were affected, for how long; SLO/SLA impact.",
    },
    Section {
        key: "detection",
        title: "Detection",
        hint: "How and when it was detected; how long that took and why.",
    },
    Section {
        key: "trigger",
        title: "Trigger",
        hint: "The change or event that set it off.",
    },
    Section {
        key: "root-cause",
        title: "Root cause(s)",
        hint: "Why it could happen: the underlying causes, not the trigger.",
    },
    Section {
        key: "resolution",
        title: "Resolution and recovery",
        hint: "What stopped the impact and what restored service.",
    },
    Section {
        key: "contributing-factors",
        title: "Contributing factors",
        hint: "What made it worse, slower to find, or harder to fix.",
    },
    Section {
        key: "five-whys",
        title: "Five whys",
        hint: "Optional: ask why until you reach something you can change.",
    },
    Section {
        key: "went-well",
        title: "What went well",
        hint: "Keep doing these.",
    },
    Section {
        key: "went-wrong",
        title: "What went wrong",
        hint: "Fix these (each should lead to an action item).",
    },
    Section {
        key: "lucky",
        title: "Where we got lucky",
        hint: "Near misses inside the incident: what could have been worse.",
    },
    Section {
        key: "data-exposure",
        title: "Data exposure",
        hint: "Security: what data, whose, how much, for how long; evidence kept.",
    },
    Section {
        key: "disclosure",
        title: "Disclosure and notification",
        hint: "Security: who was notified (customers, regulators), when, by whom.",
    },
    Section {
        key: "lessons",
        title: "Lessons learned",
        hint: "What the organisation now knows that it did not.",
    },
    Section {
        key: "links",
        title: "Supporting links",
        hint: "Dashboards, logs, chat threads, tickets, related incidents.",
    },
];

pub fn section(key: &str) -> Option<&'static Section> {
    SECTIONS.iter().find(|s| s.key == key)
}

pub fn parse_section(key: &str) -> Result<&'static Section, DomainError> {
    let k = key.trim().to_ascii_lowercase();
    let k = match k.as_str() {
        "root" | "rootcause" | "cause" => "root-cause",
        "whys" => "five-whys",
        other => other,
    };
    section(k).ok_or_else(|| DomainError::InvalidValue {
        what: "postmortem section",
        value: key.to_string(),
        expected: SECTIONS
            .iter()
            .map(|s| s.key)
            .collect::<Vec<_>>()
            .join(", "),
    })
}

/// The postmortem of one incident.
#[derive(Debug, Clone, PartialEq)]
pub struct Postmortem {
    pub incident: IncidentId,
    pub status: PmStatus,
    pub owner: Option<String>,
    /// Section key → text. Missing or blank = not written.
    pub sections: BTreeMap<String, String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
    pub version: i64,
}

impl Postmortem {
    pub fn new(incident: IncidentId, now: DateTime<Utc>) -> Postmortem {
        Postmortem {
            incident,
            status: PmStatus::Draft,
            owner: None,
            sections: BTreeMap::new(),
            created_at: now,
            updated_at: now,
            published_at: None,
            version: 0,
        }
    }

    pub fn text(&self, key: &str) -> Option<&str> {
        self.sections
            .get(key)
            .map(String::as_str)
            .filter(|t| !t.trim().is_empty())
    }
}

/// Numeric id of an action item, shown as `ACT-<id>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ActionId(pub i64);

impl fmt::Display for ActionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // pad, not write!: honours {:<7} and friends in tables.
        f.pad(&format!("ACT-{}", self.0))
    }
}

impl FromStr for ActionId {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match super::parse_reference(s, "ACT-") {
            Some(n) => Ok(ActionId(n)),
            None => Err(DomainError::InvalidValue {
                what: "action id",
                value: s.to_string(),
                expected: "a number like 7 or a reference like ACT-7".into(),
            }),
        }
    }
}

/// A corrective or preventive action, linked to its incident.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionItem {
    pub id: ActionId,
    pub incident: IncidentId,
    pub description: String,
    pub kind: ActionKind,
    pub owner: Option<String>,
    pub due: Option<NaiveDate>,
    pub status: ActionStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// When it became done (unknown for items done before sev kept it).
    pub done_at: Option<DateTime<Utc>>,
    pub version: i64,
}

impl ActionItem {
    /// After a change from `was`: becoming done records `now`, staying done
    /// keeps the time, leaving done forgets it.
    pub fn settle_done(&mut self, was: ActionStatus, now: DateTime<Utc>) {
        if self.status != ActionStatus::Done {
            self.done_at = None;
        } else if was != ActionStatus::Done {
            self.done_at = Some(now);
        }
    }

    /// Past its due date and not finished. `today` is the local date.
    pub fn overdue(&self, today: NaiveDate) -> bool {
        self.status.is_open() && self.due.is_some_and(|d| d < today)
    }
}

/// The latest due date sev keeps: dates are stored as `YYYY-MM-DD`.
fn last_due() -> NaiveDate {
    NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or(NaiveDate::MAX)
}

/// Parse a due date: `2026-12-01`, `+7d`, `+2w`, `today`, `tomorrow`.
///
/// Any text is safe to pass: a relative date is a `+`, ASCII digits and a
/// unit (no second sign), computed with checked arithmetic, and every date
/// must fall in years 1 to 9999 so it reads back as it was written.
pub fn parse_due(s: &str, today: NaiveDate) -> Result<Option<NaiveDate>, DomainError> {
    let t = s.trim().to_ascii_lowercase();
    if t.is_empty() || t == "-" || t == "none" {
        return Ok(None);
    }
    let bad = || DomainError::InvalidValue {
        what: "due date",
        value: s.to_string(),
        expected: "a date like 2026-12-01, or +7d, +2w, today, tomorrow".into(),
    };
    let out_of_range = || {
        DomainError::Missing(format!(
            "due date '{}' is out of range: sev keeps due dates from 0001-01-01 to 9999-12-31; give a nearer date such as +30d or 2027-06-30",
            s.trim()
        ))
    };
    let days = match t.as_str() {
        "today" => Some(0),
        "tomorrow" => Some(1),
        _ => match t.strip_prefix('+') {
            Some(r) => {
                let (n, per_unit) = if let Some(n) = r.strip_suffix('d') {
                    (n, 1)
                } else if let Some(n) = r.strip_suffix('w') {
                    (n, 7)
                } else {
                    return Err(bad());
                };
                if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(bad());
                }
                // Too many digits for u64 is out of range too.
                let days = n
                    .parse::<u64>()
                    .ok()
                    .and_then(|n| n.checked_mul(per_unit))
                    .ok_or_else(out_of_range)?;
                Some(days)
            }
            None => None,
        },
    };
    let date = match days {
        Some(d) => today
            .checked_add_days(chrono::Days::new(d))
            .ok_or_else(out_of_range)?,
        None => NaiveDate::parse_from_str(&t, "%Y-%m-%d").map_err(|_| bad())?,
    };
    let first = NaiveDate::from_ymd_opt(1, 1, 1).unwrap_or(NaiveDate::MIN);
    if date < first || date > last_due() {
        return Err(out_of_range());
    }
    Ok(Some(date))
}

/// Time from one milestone to another; `None` ("unknown") when either is
/// missing or they are out of order. Never a made-up number.
fn span(from: Option<DateTime<Utc>>, to: Option<DateTime<Utc>>) -> Option<i64> {
    let s = (to? - from?).num_seconds();
    (s >= 0).then_some(s)
}

/// Per-incident measures, in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Measures {
    /// Impact start → detection.
    pub time_to_detect: Option<i64>,
    /// Logged → acknowledged.
    pub time_to_acknowledge: Option<i64>,
    /// Logged → mitigated.
    pub time_to_mitigate: Option<i64>,
    /// Logged → resolved.
    pub time_to_resolve: Option<i64>,
    /// Impact start → resolved.
    pub impact_duration: Option<i64>,
}

pub fn measures(i: &Incident) -> Measures {
    Measures {
        time_to_detect: span(i.impact_started_at, i.detected_at),
        time_to_acknowledge: span(Some(i.created_at), i.acknowledged_at),
        time_to_mitigate: span(Some(i.created_at), i.mitigated_at),
        time_to_resolve: span(Some(i.created_at), i.resolved_at),
        impact_duration: span(i.impact_started_at, i.resolved_at),
    }
}

/// Which sections a kind of incident uses, which are required, and which
/// severities need a postmortem before closing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostmortemPolicy {
    pub sections: BTreeMap<Kind, Vec<&'static str>>,
    pub required: BTreeMap<Kind, Vec<&'static str>>,
    pub close_requires: Vec<Severity>,
}

impl PostmortemPolicy {
    pub fn sections_for(&self, k: Kind) -> Vec<&'static Section> {
        self.sections
            .get(&k)
            .into_iter()
            .flatten()
            .filter_map(|key| section(key))
            .collect()
    }

    /// The sections a postmortem of this kind must have before closing:
    /// always the root cause, plus what the config adds for the kind.
    pub fn required_sections(&self, k: Kind) -> Vec<&'static str> {
        let mut required: Vec<&'static str> = vec!["root-cause"];
        for key in self.required.get(&k).into_iter().flatten() {
            if !required.contains(key) {
                required.push(key);
            }
        }
        required
    }

    /// The sections `inc` must have before it may close: none when its
    /// severity may close without a postmortem. Pass the incident at the
    /// worst severity it had, as `close` judges it.
    pub fn required_for(&self, inc: &Incident) -> Vec<&'static str> {
        if self.close_requires.contains(&inc.severity) {
            self.required_sections(inc.kind)
        } else {
            Vec::new()
        }
    }

    /// What is missing before `inc` may close; empty = may close.
    pub fn close_blockers(
        &self,
        inc: &Incident,
        pm: Option<&Postmortem>,
        actions: &[ActionItem],
    ) -> Vec<Blocker> {
        if !self.close_requires.contains(&inc.severity) {
            return Vec::new();
        }
        let mut missing = Vec::new();
        match pm {
            Some(p) if p.status == PmStatus::Published => {}
            Some(p) => missing.push(Blocker::Unpublished(p.status)),
            None => missing.push(Blocker::NoPostmortem),
        }
        for key in self.required_sections(inc.kind) {
            if pm.and_then(|p| p.text(key)).is_none()
                && let Some(s) = section(key)
            {
                missing.push(Blocker::Section(s.key));
            }
        }
        if !actions
            .iter()
            .any(|a| a.owner.is_some() && a.status != ActionStatus::WontDo)
        {
            missing.push(Blocker::OwnedActionItem);
        }
        missing
    }
}

/// One thing the close policy still asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Blocker {
    /// No postmortem was started.
    NoPostmortem,
    /// The postmortem exists but is not published (its status now).
    Unpublished(PmStatus),
    /// A required section (its key) is not written.
    Section(&'static str),
    /// No action item with an owner (that is not won't-do).
    OwnedActionItem,
}

impl fmt::Display for Blocker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Blocker::NoPostmortem => f.write_str("a postmortem — write one and publish it"),
            Blocker::Unpublished(s) => write!(f, "the postmortem is {s} — publish it"),
            Blocker::Section(key) => {
                let title = section(key).map_or(*key, |s| s.title);
                write!(f, "the \"{title}\" section")
            }
            Blocker::OwnedActionItem => f.write_str("at least one action item with an owner"),
        }
    }
}

/// Why an incident may not close yet: a typed value, so front ends can
/// offer what fixes each blocker instead of parsing the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloseRefusal {
    pub incident: IncidentId,
    /// Its severity now.
    pub severity: Severity,
    /// The severity the policy was applied at (the worst it had).
    pub judged: Severity,
    pub missing: Vec<Blocker>,
}

impl fmt::Display for CloseRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let was = if self.judged != self.severity {
            format!(
                "was {} (now {}; the close policy follows the highest severity it had)",
                self.judged, self.severity
            )
        } else {
            format!("is {}", self.severity)
        };
        let missing: Vec<String> = self.missing.iter().map(ToString::to_string).collect();
        write!(
            f,
            "{} {was} and cannot close yet; missing: {}",
            self.incident,
            missing.join("; ")
        )
    }
}

/// The most severe the incident has ever been: its severity now, or any
/// severity its timeline shows it had before.
pub fn worst_severity(inc: &Incident, events: &[Event]) -> Severity {
    events
        .iter()
        .filter(|e| e.kind == EventKind::Field && e.field.as_deref() == Some("severity"))
        .flat_map(|e| [e.old.as_deref(), e.new.as_deref()])
        .flatten()
        .filter_map(|v| v.parse::<Severity>().ok())
        .fold(inc.severity, Ord::min)
}

/// Refuse to close when the policy says something is missing. The policy
/// is applied to `worst` (see [`worst_severity`]) when that is more severe
/// than the incident is now: lowering the severity just before closing does
/// not avoid the postmortem.
pub fn check_close(
    policy: &PostmortemPolicy,
    inc: &Incident,
    worst: Severity,
    pm: Option<&Postmortem>,
    actions: &[ActionItem],
) -> Result<(), DomainError> {
    if inc.status != Status::Resolved {
        return Ok(()); // the transition table gives the better message
    }
    let judged = Incident {
        severity: worst.min(inc.severity),
        ..inc.clone()
    };
    let missing = policy.close_blockers(&judged, pm, actions);
    if missing.is_empty() {
        return Ok(());
    }
    Err(DomainError::CannotClose(CloseRefusal {
        incident: inc.id,
        severity: inc.severity,
        judged: judged.severity,
        missing,
    }))
}

/// Field edits are refused on a closed incident: it is the record that met
/// the close policy. Reopen it (which puts the policy in force again) to
/// change it. Notes and the postmortem stay open for additions.
pub fn check_editable(inc: &Incident) -> Result<(), DomainError> {
    if inc.status == Status::Closed {
        return Err(DomainError::Missing(format!(
            "{} is closed and its fields are final: reopen it first (sev reopen {}), change it, then resolve and close it again",
            inc.id, inc.id
        )));
    }
    Ok(())
}

/// The events that make the postmortem timeline: status, severity and role
/// changes, and notes.
pub fn timeline_worthy(e: &Event) -> bool {
    match e.kind {
        EventKind::Created | EventKind::Status | EventKind::Note => true,
        EventKind::Field => matches!(
            e.field.as_deref(),
            Some("severity" | "priority" | "assignee" | "commander" | "scribe" | "comms")
        ),
        _ => false,
    }
}

/// The author's marks on a timeline event: the event itself never changes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mark {
    pub highlight: bool,
    pub hidden: bool,
    pub annotation: Option<String>,
}

#[cfg(test)]
mod tests;
