//! Pure types and rules of incident management: no I/O here.
//!
//! Every rule that can say "no" returns a [`DomainError`] naming why and what
//! would be accepted instead.

pub mod evidence;
mod fields;
mod incident;
mod priority;
mod workflow;

pub use fields::{
    Field, FieldChange, check_times, parse_severity, parse_tags, parse_when, validate_user,
};
#[doc(hidden)]
pub use incident::sample_incident;
pub use incident::{
    Event, EventKind, Incident, IncidentId, MAX_TITLE, NewIncident, validate_title,
};
pub use priority::PriorityMatrix;
pub use workflow::{Needs, StatusMove, Transition, apply_transition, legal_targets};

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A rule said no. The message names the problem and what is allowed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    #[error("invalid {what} '{value}': expected one of {expected}")]
    InvalidValue {
        what: &'static str,
        value: String,
        expected: String,
    },
    #[error("cannot move {reference} from {from} to {to}: legal next states are {legal}")]
    IllegalTransition {
        reference: String,
        from: Status,
        to: Status,
        legal: String,
    },
    #[error("{0}")]
    Missing(String),
    /// A value given for `field` is refused; the message says why and
    /// what would do. Front ends can put the cursor on the field.
    #[error("{message}")]
    BadField { field: Field, message: String },
    /// The close policy asks for more first.
    #[error("{0}")]
    CannotClose(CloseRefusal),
    /// Resolving while the monitoring still reports the problem: a person
    /// confirms it (`--force` in the CLI), and it is recorded.
    #[error(
        "{reference} has {open} alert{s} still firing: the monitoring says the problem is not over — resolve anyway with --force (recorded on the timeline), or wait for the alerts to resolve",
        s = if *open == 1 { "" } else { "s" }
    )]
    AlertsFiring { reference: String, open: i64 },
}

impl DomainError {
    /// The incident field this error is about, when it is about one.
    pub fn field(&self) -> Option<Field> {
        match self {
            DomainError::BadField { field, .. } => Some(*field),
            _ => None,
        }
    }
}

/// The number in `42`, `INC-42` or `inc-42` (for `prefix` "INC-"): ASCII
/// digits only, no sign, above zero. Never slices inside a character, so any
/// text a person types is safe to pass.
pub(crate) fn parse_reference(s: &str, prefix: &str) -> Option<i64> {
    let t = s.trim();
    let digits = match t.get(..prefix.len()) {
        Some(p) if p.eq_ignore_ascii_case(prefix) => t.get(prefix.len()..)?,
        _ => t,
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse::<i64>().ok().filter(|n| *n > 0)
}

macro_rules! text_enum {
    ($(#[$m:meta])* $name:ident, $what:literal, { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum $name { $(#[serde(rename = $text)] $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(self.as_str()) }
        }
        impl FromStr for $name {
            type Err = DomainError;
            fn from_str(s: &str) -> Result<Self, DomainError> {
                let t = s.trim();
                $(if t.eq_ignore_ascii_case($text) { return Ok($name::$variant); })+
                Err(DomainError::InvalidValue {
                    what: $what,
                    value: s.to_string(),
                    expected: [$($text),+].join(", "),
                })
            }
        }
    };
}

text_enum!(
    /// How bad it is for the business. SEV1 is the worst.
    Severity, "severity", { Sev1 => "SEV1", Sev2 => "SEV2", Sev3 => "SEV3", Sev4 => "SEV4", Sev5 => "SEV5" }
);
text_enum!(
    /// ITIL priority, computed from impact × urgency.
    Priority, "priority", { P1 => "P1", P2 => "P2", P3 => "P3", P4 => "P4", P5 => "P5" }
);
text_enum!(
    /// How widely it hurts (ITIL impact).
    Impact, "impact", { High => "high", Medium => "medium", Low => "low" }
);
text_enum!(
    /// How fast it must be handled (ITIL urgency).
    Urgency, "urgency", { High => "high", Medium => "medium", Low => "low" }
);
text_enum!(
    /// What sort of event this is.
    Kind, "kind", { Incident => "incident", NearMiss => "near-miss", Security => "security" }
);
impl Kind {
    /// The one-cell marker of the incident tables' K column, readable without
    /// colour: `S` security, `N` near miss, blank for an ordinary incident.
    pub fn marker(self) -> &'static str {
        match self {
            Kind::Incident => "",
            Kind::NearMiss => "N",
            Kind::Security => "S",
        }
    }
}
text_enum!(
    /// Where an incident is in its life.
    Status, "status", {
        Triage => "triage",
        Acknowledged => "acknowledged",
        Investigating => "investigating",
        Mitigated => "mitigated",
        Resolved => "resolved",
        Closed => "closed",
        Cancelled => "cancelled",
    }
);

mod postmortem;
pub use postmortem::{
    ActionId, ActionItem, ActionKind, ActionStatus, Blocker, CloseRefusal, Mark, Measures,
    PmStatus, Postmortem, PostmortemPolicy, SECTIONS, Section, check_close, check_editable,
    measures, parse_due, parse_section, section, timeline_worthy, worst_severity,
};

impl Severity {
    /// 1 for SEV1 … 5 for SEV5.
    pub fn level(self) -> u8 {
        self as u8 + 1
    }
    pub fn from_level(n: u8) -> Option<Severity> {
        Severity::ALL.get(usize::from(n).checked_sub(1)?).copied()
    }
}

impl Priority {
    pub fn level(self) -> u8 {
        self as u8 + 1
    }
    pub fn from_level(n: u8) -> Option<Priority> {
        Priority::ALL.get(usize::from(n).checked_sub(1)?).copied()
    }
}

impl Status {
    /// Someone still has to act: not resolved, closed or cancelled.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            Status::Triage | Status::Acknowledged | Status::Investigating | Status::Mitigated
        )
    }
    /// A short marker that reads without colour.
    pub fn marker(self) -> &'static str {
        match self {
            Status::Triage => "TRIAGE",
            Status::Acknowledged => "ACK",
            Status::Investigating => "INVEST",
            Status::Mitigated => "MITIG",
            Status::Resolved => "RESOLVED",
            Status::Closed => "closed",
            Status::Cancelled => "cancel",
        }
    }
    /// The open states, in workflow order.
    pub const OPEN: &'static [Status] = &[
        Status::Triage,
        Status::Acknowledged,
        Status::Investigating,
        Status::Mitigated,
    ];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_is_case_insensitive_and_errors_name_choices() {
        assert_eq!("sev2".parse::<Severity>().unwrap(), Severity::Sev2);
        assert_eq!("Near-Miss".parse::<Kind>().unwrap(), Kind::NearMiss);
        let e = "SEV9".parse::<Severity>().unwrap_err().to_string();
        assert_eq!(
            e,
            "invalid severity 'SEV9': expected one of SEV1, SEV2, SEV3, SEV4, SEV5"
        );
    }

    #[test]
    fn levels_round_trip() {
        for s in Severity::ALL {
            assert_eq!(Severity::from_level(s.level()), Some(*s));
        }
        assert_eq!(Severity::from_level(0), None);
        assert_eq!(Priority::from_level(5), Some(Priority::P5));
    }
}
