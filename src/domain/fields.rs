//! Editable incident fields: parsing a `field=value` edit, validating it, and
//! applying it in memory. Setting impact or urgency recomputes priority.

use super::{DomainError, Impact, Incident, Kind, PriorityMatrix, Severity, Urgency};
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Title,
    Description,
    Kind,
    Severity,
    Impact,
    Urgency,
    Category,
    Service,
    Tags,
    Assignee,
    Commander,
    Scribe,
    Comms,
}

/// One field's change, as recorded on the timeline (`None` = empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    pub field: &'static str,
    pub old: Option<String>,
    pub new: Option<String>,
}

impl Field {
    pub const ALL: &'static [Field] = &[
        Field::Title,
        Field::Description,
        Field::Kind,
        Field::Severity,
        Field::Impact,
        Field::Urgency,
        Field::Category,
        Field::Service,
        Field::Tags,
        Field::Assignee,
        Field::Commander,
        Field::Scribe,
        Field::Comms,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Field::Title => "title",
            Field::Description => "description",
            Field::Kind => "kind",
            Field::Severity => "severity",
            Field::Impact => "impact",
            Field::Urgency => "urgency",
            Field::Category => "category",
            Field::Service => "service",
            Field::Tags => "tags",
            Field::Assignee => "assignee",
            Field::Commander => "commander",
            Field::Scribe => "scribe",
            Field::Comms => "comms",
        }
    }

    /// Is this a role or assignment (a user name)?
    pub fn is_person(self) -> bool {
        matches!(
            self,
            Field::Assignee | Field::Commander | Field::Scribe | Field::Comms
        )
    }

    /// The current value, `None` when empty.
    pub fn get(self, inc: &Incident) -> Option<String> {
        let some = |s: &str| (!s.is_empty()).then(|| s.to_string());
        match self {
            Field::Title => some(&inc.title),
            Field::Description => some(&inc.description),
            Field::Kind => Some(inc.kind.to_string()),
            Field::Severity => Some(inc.severity.to_string()),
            Field::Impact => Some(inc.impact.to_string()),
            Field::Urgency => Some(inc.urgency.to_string()),
            Field::Category => inc.category.clone(),
            Field::Service => inc.service.clone(),
            Field::Tags => (!inc.tags.is_empty()).then(|| inc.tags.join(",")),
            Field::Assignee => inc.assignee.clone(),
            Field::Commander => inc.commander.clone(),
            Field::Scribe => inc.scribe.clone(),
            Field::Comms => inc.comms.clone(),
        }
    }

    /// Validate `value` and set it. An empty value (or `-`) clears optional
    /// fields. Returns the changes to record (several when priority moves),
    /// or an empty list when nothing changed.
    pub fn apply(
        self,
        inc: &mut Incident,
        value: &str,
        matrix: &PriorityMatrix,
    ) -> Result<Vec<FieldChange>, DomainError> {
        // Every field but the description is one line: line breaks fold
        // into a space, so a value can never forge a line of output.
        let folded = if self == Field::Description {
            std::borrow::Cow::Borrowed(value)
        } else {
            crate::text::fold_lines(value)
        };
        let value: &str = &folded;
        let v = value.trim();
        let cleared = v.is_empty() || v == "-";
        let opt = || (!cleared).then(|| v.to_string());
        let old = self.get(inc);
        let old_priority = inc.priority;
        match self {
            Field::Title => {
                super::incident::validate_title(v)?;
                inc.title = v.to_string();
            }
            Field::Description if cleared => inc.description.clear(),
            Field::Description => inc.description = value.trim_end().to_string(),
            Field::Kind => inc.kind = Kind::from_str(v)?,
            Field::Severity => inc.severity = parse_severity(v)?,
            Field::Impact => inc.impact = Impact::from_str(v)?,
            Field::Urgency => inc.urgency = Urgency::from_str(v)?,
            Field::Category => inc.category = opt(),
            Field::Service => inc.service = opt(),
            Field::Tags if cleared => inc.tags.clear(),
            Field::Tags => inc.tags = parse_tags(v),
            Field::Assignee | Field::Commander | Field::Scribe | Field::Comms => {
                let who = opt();
                if let Some(w) = &who {
                    validate_user(w)?;
                }
                match self {
                    Field::Assignee => inc.assignee = who,
                    Field::Commander => inc.commander = who,
                    Field::Scribe => inc.scribe = who,
                    _ => inc.comms = who,
                }
            }
        }
        inc.priority = matrix.priority(inc.impact, inc.urgency);
        let new = self.get(inc);
        let mut changes = Vec::new();
        if new != old {
            changes.push(FieldChange {
                field: self.name(),
                old,
                new,
            });
        }
        if inc.priority != old_priority {
            changes.push(FieldChange {
                field: "priority",
                old: Some(old_priority.to_string()),
                new: Some(inc.priority.to_string()),
            });
        }
        Ok(changes)
    }
}

impl FromStr for Field {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, DomainError> {
        let t = s.trim().to_ascii_lowercase();
        let alias = match t.as_str() {
            "sev" => "severity",
            "desc" => "description",
            "tag" => "tags",
            "ic" | "incident-commander" => "commander",
            "owner" => "assignee",
            other => other,
        };
        Field::ALL
            .iter()
            .copied()
            .find(|f| f.name() == alias)
            .ok_or_else(|| DomainError::InvalidValue {
                what: "field",
                value: s.to_string(),
                expected: Field::ALL
                    .iter()
                    .map(|f| f.name())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }
}

/// Accepts `SEV2`, `sev2` and `2`.
pub fn parse_severity(v: &str) -> Result<Severity, DomainError> {
    if let Ok(n) = v.trim().parse::<u8>()
        && let Some(s) = Severity::from_level(n)
    {
        return Ok(s);
    }
    Severity::from_str(v)
}

/// `a, b,,c` → `[a, b, c]`, deduplicated, order kept.
pub fn parse_tags(v: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in v.split(',').map(str::trim).filter(|t| !t.is_empty()) {
        if !out.iter().any(|o| o == t) {
            out.push(t.to_string());
        }
    }
    out
}

/// A user name: letters, digits, `.`, `_`, `-`, `@`; at most 64 characters.
pub fn validate_user(w: &str) -> Result<(), DomainError> {
    // Hangul fillers are letters to `is_alphanumeric`, yet invisible: two
    // names that look the same must be the same name.
    if let Some(c) = w
        .chars()
        .find(|&c| crate::text::is_invisible(c) || c.is_control())
    {
        return Err(DomainError::Missing(format!(
            "invalid user name '{}': it contains U+{:04X}, an invisible, format or control character — type the login name with letters, digits, . _ - @ only",
            crate::text::sanitize_line(w),
            c as u32
        )));
    }
    let ok = !w.is_empty()
        && w.len() <= 64
        && w.chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '@' | ':'));
    if ok {
        Ok(())
    } else {
        Err(DomainError::InvalidValue {
            what: "user name",
            value: w.to_string(),
            expected: "a login name (letters, digits, . _ - @), or - to clear".into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Priority;

    fn inc() -> Incident {
        crate::domain::incident::sample_incident(3, chrono::Utc::now())
    }

    #[test]
    fn impact_change_recomputes_priority() {
        let m = PriorityMatrix::default();
        let mut i = inc();
        let ch = Field::Impact.apply(&mut i, "high", &m).unwrap();
        assert_eq!(i.priority, Priority::P2);
        assert_eq!(ch.len(), 2);
        assert_eq!(ch[1].field, "priority");
        assert_eq!(ch[1].new.as_deref(), Some("P2"));
    }

    #[test]
    fn bad_values_are_refused_and_change_nothing() {
        let m = PriorityMatrix::default();
        let mut i = inc();
        let before = i.clone();
        assert!(Field::Severity.apply(&mut i, "SEV0", &m).is_err());
        assert!(Field::Urgency.apply(&mut i, "asap", &m).is_err());
        assert!(Field::Assignee.apply(&mut i, "bob smith", &m).is_err());
        // Fillers and format characters look like nothing (or like another
        // name): refused with the code point named.
        for hidden in [
            "bob\u{3164}",
            "\u{115F}",
            "b\u{1160}ob",
            "bob\u{FFA0}",
            "b\u{200d}ob",
            "bob\u{E0041}",
            "bo\u{034F}b",
            "bob\u{FE0F}",
        ] {
            let e = Field::Commander
                .apply(&mut i, hidden, &m)
                .unwrap_err()
                .to_string();
            assert!(
                e.contains("invisible") && e.contains("U+"),
                "{hidden:?}: {e}"
            );
            assert!(crate::text::is_clean(&e), "{e}");
        }
        assert!(Field::Title.apply(&mut i, "", &m).is_err());
        assert_eq!(i, before);
        assert!(
            "colour"
                .parse::<Field>()
                .unwrap_err()
                .to_string()
                .contains("severity")
        );
    }

    #[test]
    fn single_line_fields_fold_line_breaks() {
        let m = PriorityMatrix::default();
        let mut i = inc();
        Field::Title
            .apply(&mut i, "Real title\n\n## Root cause(s)\nfake", &m)
            .unwrap();
        assert_eq!(i.title, "Real title ## Root cause(s) fake");
        Field::Service
            .apply(&mut i, "api\u{2028}| x |", &m)
            .unwrap();
        assert_eq!(i.service.as_deref(), Some("api | x |"));
        Field::Category.apply(&mut i, "a\r\nb", &m).unwrap();
        assert_eq!(i.category.as_deref(), Some("a b"));
        Field::Tags.apply(&mut i, "x\ny,z\u{2029}w", &m).unwrap();
        assert_eq!(i.tags, vec!["x y", "z w"]);
        // The description is the one multi-line field.
        Field::Description.apply(&mut i, "one\ntwo", &m).unwrap();
        assert_eq!(i.description, "one\ntwo");
    }

    #[test]
    fn clearing_and_noop() {
        let m = PriorityMatrix::default();
        let mut i = inc();
        Field::Assignee.apply(&mut i, "alice", &m).unwrap();
        assert_eq!(Field::Assignee.apply(&mut i, "alice", &m).unwrap(), vec![]);
        let ch = Field::Assignee.apply(&mut i, "-", &m).unwrap();
        assert_eq!(ch[0].old.as_deref(), Some("alice"));
        assert_eq!(i.assignee, None);
        Field::Severity.apply(&mut i, "1", &m).unwrap();
        assert_eq!(i.severity, Severity::Sev1);
        Field::Tags.apply(&mut i, "db, db ,network", &m).unwrap();
        assert_eq!(i.tags, vec!["db", "network"]);
    }
}
