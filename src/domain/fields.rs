//! Editable incident fields: parsing a `field=value` edit, validating it, and
//! applying it in memory. Setting impact or urgency recomputes priority.

use super::{DomainError, Impact, Incident, Kind, PriorityMatrix, Severity, Urgency};
use chrono::{DateTime, Utc};
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
    /// When the impact began (often before anyone noticed).
    ImpactStartedAt,
    /// When someone or something noticed.
    DetectedAt,
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
        Field::ImpactStartedAt,
        Field::DetectedAt,
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
            Field::ImpactStartedAt => "impact_started_at",
            Field::DetectedAt => "detected_at",
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
            Field::ImpactStartedAt => inc.impact_started_at.map(crate::clock::rfc3339),
            Field::DetectedAt => inc.detected_at.map(crate::clock::rfc3339),
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
        now: DateTime<Utc>,
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
            Field::ImpactStartedAt => inc.impact_started_at = parse_when(self, v, now)?,
            Field::DetectedAt => inc.detected_at = parse_when(self, v, now)?,
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
            "impact_start" | "impact_started" | "impact-started-at" | "started_at" | "started" => {
                "impact_started_at"
            }
            "detected" | "detected-at" => "detected_at",
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

/// A point in time a person gives: RFC 3339 (`2026-11-28T03:10:00Z`, any
/// offset), or relative to `now`: `-20m`, `-2h`, `-1d` (also `s`, `w`; or
/// written `20m ago`), or `now`; empty or `-` clears. Kept to whole seconds, as stored. A time in
/// the future is refused: these record what already happened.
pub fn parse_when(
    field: Field,
    v: &str,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, DomainError> {
    let t = v.trim();
    if t.is_empty() || t == "-" {
        return Ok(None);
    }
    let bad = |why: &str| DomainError::BadField {
        field,
        message: format!(
            "invalid {} '{}': {why} — give an RFC 3339 time like 2026-11-28T03:10:00Z, or a time relative to now like -20m (or 20m ago), -2h or -1d (- clears)",
            field.name(),
            crate::text::sanitize_line(t)
        ),
    };
    let lower = t.to_ascii_lowercase();
    let ago = lower
        .strip_suffix("ago")
        .map(str::trim_end)
        .filter(|r| !r.is_empty() && !r.starts_with('-'));
    let at = if t.eq_ignore_ascii_case("now") {
        now
    } else if let Some(rel) = t.strip_prefix('-').or(ago) {
        let (n, unit) = rel.split_at(rel.find(|c: char| !c.is_ascii_digit()).unwrap_or(rel.len()));
        let n: i64 = n
            .parse()
            .map_err(|_| bad("not a number of minutes, hours or days"))?;
        let secs = match unit.to_ascii_lowercase().as_str() {
            "s" => Some(1),
            "m" => Some(60),
            "h" => Some(3600),
            "d" => Some(86_400),
            "w" => Some(604_800),
            _ => None,
        }
        .ok_or_else(|| bad("the unit must be s, m, h, d or w"))?;
        n.checked_mul(secs)
            .and_then(chrono::Duration::try_seconds)
            .and_then(|d| now.checked_sub_signed(d))
            .ok_or_else(|| bad("that is too long ago"))?
    } else {
        DateTime::parse_from_rfc3339(t)
            .map_err(|_| bad("not a time sev understands"))?
            .with_timezone(&Utc)
    };
    let at = DateTime::from_timestamp(at.timestamp(), 0).ok_or_else(|| bad("out of range"))?;
    if at > now {
        return Err(DomainError::BadField {
            field,
            message: format!(
                "{} {} is in the future: record when it happened (now is {})",
                field.name(),
                crate::clock::rfc3339(at),
                crate::clock::rfc3339(now)
            ),
        });
    }
    Ok(Some(at))
}

/// The recorded times must agree with the record: impact starts no later
/// than it is detected, detection is no later than the incident was logged
/// (it was known by then), and impact starts no later than the resolution.
/// Otherwise the measures built on them turn silently into "unknown".
pub fn check_times(inc: &Incident) -> Result<(), DomainError> {
    let at = crate::clock::rfc3339;
    // An incident being logged has no reference yet.
    let it = if inc.id.0 == 0 {
        "the incident".to_string()
    } else {
        inc.id.to_string()
    };
    // A minute of slack: "detected now" typed right after logging it.
    if let Some(d) = inc.detected_at
        && d > inc.created_at + chrono::Duration::minutes(1)
    {
        return Err(DomainError::BadField {
            field: Field::DetectedAt,
            message: format!(
                "detected_at {} is after {} was logged ({}): it was known by then — give a time before that",
                at(d),
                it,
                at(inc.created_at)
            ),
        });
    }
    if let (Some(s), Some(r)) = (inc.impact_started_at, inc.resolved_at)
        && s > r
    {
        return Err(DomainError::BadField {
            field: Field::ImpactStartedAt,
            message: format!(
                "impact_started_at {} is after {} was resolved ({}): give the time the impact began",
                at(s),
                it,
                at(r)
            ),
        });
    }
    if let (Some(s), Some(d)) = (inc.impact_started_at, inc.detected_at)
        && s > d
    {
        return Err(DomainError::BadField {
            field: Field::ImpactStartedAt,
            message: format!(
                "impact_started_at {} is after detected_at {}: impact cannot start after it was detected — fix one of them",
                crate::clock::rfc3339(s),
                crate::clock::rfc3339(d)
            ),
        });
    }
    Ok(())
}

/// `a, b,,c` → `[a, b, c]`, deduplicated, order kept.
pub fn parse_tags(v: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    // "-" alone is how a value is cleared (`tags=-`): never a tag, or
    // `tags=-,` would store one that shows as "-" and clears when set
    // again (found by the field_edit fuzz target).
    for t in v
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty() && *t != "-")
    {
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

    fn now() -> DateTime<Utc> {
        chrono::DateTime::from_timestamp(1_780_000_000, 0).unwrap()
    }

    fn inc() -> Incident {
        crate::domain::incident::sample_incident(3, chrono::Utc::now())
    }

    #[test]
    fn a_dash_is_never_a_tag_so_setting_tags_is_stable() {
        // The fuzz target's find: `tags= - , ` stored a tag "-", shown as
        // "-", which set again cleared the tags.
        assert!(parse_tags(" - , ").is_empty());
        assert_eq!(parse_tags("db, -, api"), ["db", "api"]);
        let mut i = inc();
        let m = crate::domain::PriorityMatrix::default();
        Field::Tags.apply(&mut i, " - , ", &m, now()).unwrap();
        let shown = Field::Tags.get(&i).unwrap_or_default();
        let again = Field::Tags.apply(&mut i, &shown, &m, now()).unwrap();
        assert!(again.is_empty(), "{shown:?}: {again:?}");
    }

    #[test]
    fn impact_change_recomputes_priority() {
        let m = PriorityMatrix::default();
        let mut i = inc();
        let ch = Field::Impact.apply(&mut i, "high", &m, now()).unwrap();
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
        assert!(Field::Severity.apply(&mut i, "SEV0", &m, now()).is_err());
        assert!(Field::Urgency.apply(&mut i, "asap", &m, now()).is_err());
        assert!(
            Field::Assignee
                .apply(&mut i, "bob smith", &m, now())
                .is_err()
        );
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
                .apply(&mut i, hidden, &m, now())
                .unwrap_err()
                .to_string();
            assert!(
                e.contains("invisible") && e.contains("U+"),
                "{hidden:?}: {e}"
            );
            assert!(crate::text::is_clean(&e), "{e}");
        }
        assert!(Field::Title.apply(&mut i, "", &m, now()).is_err());
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
            .apply(&mut i, "Real title\n\n## Root cause(s)\nfake", &m, now())
            .unwrap();
        assert_eq!(i.title, "Real title ## Root cause(s) fake");
        Field::Service
            .apply(&mut i, "api\u{2028}| x |", &m, now())
            .unwrap();
        assert_eq!(i.service.as_deref(), Some("api | x |"));
        Field::Category.apply(&mut i, "a\r\nb", &m, now()).unwrap();
        assert_eq!(i.category.as_deref(), Some("a b"));
        Field::Tags
            .apply(&mut i, "x\ny,z\u{2029}w", &m, now())
            .unwrap();
        assert_eq!(i.tags, vec!["x y", "z w"]);
        // The description is the one multi-line field.
        Field::Description
            .apply(&mut i, "one\ntwo", &m, now())
            .unwrap();
        assert_eq!(i.description, "one\ntwo");
    }

    #[test]
    fn clearing_and_noop() {
        let m = PriorityMatrix::default();
        let mut i = inc();
        Field::Assignee.apply(&mut i, "alice", &m, now()).unwrap();
        assert_eq!(
            Field::Assignee.apply(&mut i, "alice", &m, now()).unwrap(),
            vec![]
        );
        let ch = Field::Assignee.apply(&mut i, "-", &m, now()).unwrap();
        assert_eq!(ch[0].old.as_deref(), Some("alice"));
        assert_eq!(i.assignee, None);
        Field::Severity.apply(&mut i, "1", &m, now()).unwrap();
        assert_eq!(i.severity, Severity::Sev1);
        Field::Tags
            .apply(&mut i, "db, db ,network", &m, now())
            .unwrap();
        assert_eq!(i.tags, vec!["db", "network"]);
    }

    /// Issue 10 fix 10: impact start and detection can be recorded.
    #[test]
    fn times_take_rfc3339_or_relative_and_refuse_the_future() {
        let m = PriorityMatrix::default();
        let mut i = inc();
        let ch = Field::ImpactStartedAt
            .apply(&mut i, "-20m", &m, now())
            .unwrap();
        assert_eq!(
            i.impact_started_at,
            Some(now() - chrono::Duration::minutes(20))
        );
        assert_eq!(ch[0].field, "impact_started_at");
        Field::DetectedAt
            .apply(&mut i, "2026-05-28T20:00:00+02:00", &m, now())
            .unwrap();
        assert_eq!(
            i.detected_at.map(crate::clock::rfc3339).as_deref(),
            Some("2026-05-28T18:00:00Z")
        );
        for (v, d) in [("-2h", 2 * 3600), ("-1d", 86_400), ("-90s", 90), ("now", 0)] {
            Field::DetectedAt.apply(&mut i, v, &m, now()).unwrap();
            assert_eq!(
                i.detected_at,
                Some(now() - chrono::Duration::seconds(d)),
                "{v}"
            );
        }
        let before = i.clone();
        for bad in [
            "+20m",
            "-20y",
            "-m",
            "yesterday",
            "-99999999999999d",
            "2999-01-01T00:00:00Z",
        ] {
            let e = Field::ImpactStartedAt
                .apply(&mut i, bad, &m, now())
                .unwrap_err();
            assert_eq!(e.field(), Some(Field::ImpactStartedAt), "{bad}");
            assert_eq!(i, before, "{bad}");
        }
        let e = Field::DetectedAt
            .apply(&mut i, "2999-01-01T00:00:00Z", &m, now())
            .unwrap_err()
            .to_string();
        assert!(e.contains("is in the future"), "{e}");
        Field::DetectedAt.apply(&mut i, "-", &m, now()).unwrap();
        assert_eq!(i.detected_at, None);
        assert_eq!(
            "impact_start".parse::<Field>().unwrap(),
            Field::ImpactStartedAt
        );
        // Impact cannot start after detection.
        Field::ImpactStartedAt
            .apply(&mut i, "-10m", &m, now())
            .unwrap();
        Field::DetectedAt.apply(&mut i, "-30m", &m, now()).unwrap();
        let e = check_times(&i).unwrap_err().to_string();
        assert!(
            e.contains("impact cannot start after it was detected"),
            "{e}"
        );
    }
}
