//! The incident record and its timeline events.

use super::{Impact, Kind, Priority, Severity, Status, Urgency};
use chrono::{DateTime, Utc};
use std::fmt;
use std::str::FromStr;

/// Numeric incident id, shown to people as `INC-<id>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IncidentId(pub i64);

/// In JSON an incident id is its number (`42`); `ref` fields carry `INC-42`.
impl serde::Serialize for IncidentId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_i64(self.0)
    }
}

impl fmt::Display for IncidentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // pad, not write!: honours {:<9} and friends in tables.
        f.pad(&format!("INC-{}", self.0))
    }
}

impl FromStr for IncidentId {
    type Err = super::DomainError;
    /// Accepts `42`, `INC-42` and `inc-42`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match super::parse_reference(s, "INC-") {
            Some(n) => Ok(IncidentId(n)),
            None => Err(super::DomainError::InvalidValue {
                what: "incident id",
                value: s.to_string(),
                expected: "a number like 42 or a reference like INC-42".into(),
            }),
        }
    }
}

/// One incident: its current state. The history lives in [`Event`]s.
#[derive(Debug, Clone, PartialEq)]
pub struct Incident {
    pub id: IncidentId,
    pub title: String,
    pub description: String,
    pub kind: Kind,
    pub status: Status,
    pub severity: Severity,
    pub impact: Impact,
    pub urgency: Urgency,
    pub priority: Priority,
    pub category: Option<String>,
    pub service: Option<String>,
    pub tags: Vec<String>,
    pub assignee: Option<String>,
    pub commander: Option<String>,
    pub scribe: Option<String>,
    pub comms: Option<String>,
    pub reporter: String,
    pub created_at: DateTime<Utc>,
    pub impact_started_at: Option<DateTime<Utc>>,
    pub detected_at: Option<DateTime<Utc>>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub mitigated_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
    pub resolution: Option<String>,
    pub cancel_reason: Option<String>,
    pub version: i64,
}

/// What a person supplies to log a new incident. Everything but the title
/// has a default from config.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewIncident {
    pub title: String,
    pub description: String,
    pub kind: Option<Kind>,
    pub severity: Option<Severity>,
    pub impact: Option<Impact>,
    pub urgency: Option<Urgency>,
    pub category: Option<String>,
    pub service: Option<String>,
    pub tags: Vec<String>,
    pub assignee: Option<String>,
    pub impact_started_at: Option<DateTime<Utc>>,
    pub detected_at: Option<DateTime<Utc>>,
}

pub const MAX_TITLE: usize = 300;

impl NewIncident {
    pub fn validate(&self) -> Result<(), super::DomainError> {
        validate_title(&self.title)?;
        if let (Some(s), Some(d)) = (self.impact_started_at, self.detected_at)
            && d < s
        {
            return Err(super::DomainError::Missing(
                "detected time is before the impact start time: detection cannot precede the start"
                    .into(),
            ));
        }
        Ok(())
    }
}

pub fn validate_title(title: &str) -> Result<(), super::DomainError> {
    let bad = |message: String| super::DomainError::BadField {
        field: super::Field::Title,
        message,
    };
    if title.trim().is_empty() {
        return Err(bad(
            "the title is empty: give a short description of what is broken".into(),
        ));
    }
    if title.chars().count() > MAX_TITLE {
        return Err(bad(format!(
            "the title is longer than {MAX_TITLE} characters: put the details in the description"
        )));
    }
    Ok(())
}

impl Incident {
    /// Timestamps in workflow order, for invariant checks.
    pub fn milestones(&self) -> [Option<DateTime<Utc>>; 5] {
        [
            Some(self.created_at),
            self.acknowledged_at,
            self.mitigated_at,
            self.resolved_at,
            self.closed_at,
        ]
    }

    /// The latest timestamp set on this incident.
    pub fn latest_milestone(&self) -> DateTime<Utc> {
        self.milestones()
            .into_iter()
            .flatten()
            .max()
            .unwrap_or(self.created_at)
    }
}

/// What sort of thing happened, on the timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    Created,
    Status,
    Field,
    Note,
    /// A postmortem change: `field` is the section, status or owner.
    Postmortem,
    /// An action item change: `field` names the action and what changed.
    Action,
    /// Alerts arrived, resolved, flapped or were suppressed (`text` says
    /// which); the actor is the integration (`alertmanager:prod`).
    Alert,
    /// A link to another incident (related, duplicate of, merged).
    Link,
    /// Paging: an escalation started, a step paged someone, it stopped;
    /// a notification failed for good.
    Page,
    /// A stakeholder update (`text`); `new` is when the next one is due.
    Update,
    /// A response target was missed: `field` names the clock
    /// (`acknowledge`, `resolve`); once per clock per cycle.
    Breach,
    /// A command run for the incident and its output: `text` is an
    /// [`super::evidence::Evidence`] record.
    Evidence,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Created => "created",
            EventKind::Status => "status",
            EventKind::Field => "field",
            EventKind::Note => "note",
            EventKind::Postmortem => "postmortem",
            EventKind::Action => "action",
            EventKind::Alert => "alert",
            EventKind::Link => "link",
            EventKind::Page => "page",
            EventKind::Update => "update",
            EventKind::Breach => "breach",
            EventKind::Evidence => "evidence",
        }
    }
    pub fn parse(s: &str) -> Option<EventKind> {
        Some(match s {
            "created" => EventKind::Created,
            "status" => EventKind::Status,
            "field" => EventKind::Field,
            "note" => EventKind::Note,
            "postmortem" => EventKind::Postmortem,
            "action" => EventKind::Action,
            "alert" => EventKind::Alert,
            "link" => EventKind::Link,
            "page" => EventKind::Page,
            "update" => EventKind::Update,
            "breach" => EventKind::Breach,
            "evidence" => EventKind::Evidence,
            _ => return None,
        })
    }
}

/// One timeline entry. Append-only: never updated or deleted.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub id: i64,
    pub incident: IncidentId,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub kind: EventKind,
    pub field: Option<String>,
    pub old: Option<String>,
    pub new: Option<String>,
    pub text: Option<String>,
}

impl Event {
    /// The run recorded in an evidence event.
    pub fn evidence(&self) -> Option<super::evidence::Evidence> {
        (self.kind == EventKind::Evidence)
            .then(|| super::evidence::Evidence::from_text(self.text.as_deref()?))
            .flatten()
    }

    /// [`Event::summary`], with an evidence event's output cut to
    /// `max_lines` (its first and last lines) for a pane.
    pub fn summary_brief(&self, max_lines: usize) -> String {
        match self.kind {
            EventKind::Evidence => self.evidence_summary(Some(max_lines)),
            _ => self.summary(),
        }
    }

    /// The headline, then the output (all, or at most `max_lines`).
    fn evidence_summary(&self, max_lines: Option<usize>) -> String {
        let Some(e) = self.evidence() else {
            return format!(
                "evidence (not a record sev can read): {}",
                self.text.as_deref().unwrap_or_default()
            );
        };
        let mut s = e.headline();
        let lines = match max_lines {
            Some(n) => e.output_preview(n),
            None => e.output_text().lines().map(str::to_string).collect(),
        };
        for l in lines {
            s.push('\n');
            s.push_str(&l);
        }
        s
    }

    /// A one-line human summary of the event (unsanitized).
    pub fn summary(&self) -> String {
        let v = |o: &Option<String>| o.clone().unwrap_or_else(|| "—".into());
        match self.kind {
            EventKind::Created => format!("logged: {}", self.text.clone().unwrap_or_default()),
            EventKind::Note => self.text.clone().unwrap_or_default(),
            EventKind::Status => {
                let mut s = format!("status {} → {}", v(&self.old), v(&self.new));
                if let Some(t) = &self.text {
                    s.push_str(": ");
                    s.push_str(t);
                }
                s
            }
            EventKind::Field => format!(
                "{} {} → {}",
                self.field.clone().unwrap_or_default(),
                v(&self.old),
                v(&self.new)
            ),
            EventKind::Alert | EventKind::Link | EventKind::Page | EventKind::Breach => {
                self.text.clone().unwrap_or_default()
            }
            EventKind::Update => format!("update: {}", self.text.clone().unwrap_or_default()),
            EventKind::Evidence => self.evidence_summary(None),
            EventKind::Postmortem | EventKind::Action => {
                let what = if self.kind == EventKind::Postmortem {
                    "postmortem"
                } else {
                    "action"
                };
                let mut s = format!("{what} {}", self.field.clone().unwrap_or_default());
                match (&self.old, &self.new) {
                    (_, Some(n)) if n.contains('\n') || n.chars().count() > 60 => {
                        s.push_str(" edited")
                    }
                    (Some(o), Some(n)) => s.push_str(&format!(" {o} → {n}")),
                    (None, Some(n)) => s.push_str(&format!(": {n}")),
                    _ => {}
                }
                s
            }
        }
    }
}

/// A plain triage incident for tests and fuzz targets: SEV3, medium/medium
/// → P3.
#[doc(hidden)]
pub fn sample_incident(id: i64, now: DateTime<Utc>) -> Incident {
    Incident {
        id: IncidentId(id),
        title: "t".into(),
        description: String::new(),
        kind: Kind::Incident,
        status: Status::Triage,
        severity: Severity::Sev3,
        impact: Impact::Medium,
        urgency: Urgency::Medium,
        priority: Priority::P3,
        category: None,
        service: None,
        tags: vec![],
        assignee: None,
        commander: None,
        scribe: None,
        comms: None,
        reporter: "r".into(),
        created_at: now,
        impact_started_at: None,
        detected_at: None,
        acknowledged_at: None,
        mitigated_at: None,
        resolved_at: None,
        closed_at: None,
        updated_at: now,
        resolution: None,
        cancel_reason: None,
        version: 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_parse_with_or_without_prefix() {
        assert_eq!("42".parse::<IncidentId>().unwrap(), IncidentId(42));
        assert_eq!("INC-42".parse::<IncidentId>().unwrap(), IncidentId(42));
        assert_eq!("inc-7".parse::<IncidentId>().unwrap(), IncidentId(7));
        assert!("INC-".parse::<IncidentId>().is_err());
        assert!("0".parse::<IncidentId>().is_err());
        assert!("abc".parse::<IncidentId>().is_err());
        assert_eq!(IncidentId(42).to_string(), "INC-42");
        assert_eq!(
            format!("[{:<8}]", IncidentId(7)),
            "[INC-7   ]",
            "ids pad in tables"
        );
    }

    #[test]
    fn titles_are_validated() {
        assert!(validate_title("  ").is_err());
        assert!(validate_title(&"x".repeat(MAX_TITLE + 1)).is_err());
        assert!(validate_title("DNS down").is_ok());
    }
}
