//! How domain values are written to and read from columns. The domain stays
//! free of SQL: every `ToSql`/`FromSql` impl for its types lives here.
//!
//! Levels (severity, priority) are integers 1–5; states and kinds are their
//! lowercase text; ids are integers; times are whole seconds since the Unix
//! epoch; due dates are `YYYY-MM-DD` text. A value that does not decode is
//! an error naming the value, never a default.

use crate::domain::{
    ActionId, ActionKind, ActionStatus, EventKind, Impact, IncidentId, Kind, PmStatus, Priority,
    Severity, Status, Urgency,
};
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::ToSql;
use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSqlOutput, ValueRef};

fn unknown(what: &str, v: impl std::fmt::Display) -> FromSqlError {
    FromSqlError::Other(format!("'{v}' is not {what} this sev knows").into())
}

/// Text columns holding one of an enum's names.
macro_rules! text_column {
    ($($t:ty => $what:literal),+ $(,)?) => {$(
        impl ToSql for $t {
            fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
                Ok(ToSqlOutput::from(self.as_str()))
            }
        }
        impl FromSql for $t {
            fn column_result(v: ValueRef<'_>) -> FromSqlResult<Self> {
                let s = v.as_str()?;
                s.parse::<$t>().map_err(|_| unknown($what, s))
            }
        }
    )+};
}

text_column!(
    Kind => "a kind",
    Status => "a status",
    Impact => "an impact",
    Urgency => "an urgency",
    PmStatus => "a postmortem status",
    ActionKind => "an action type",
    ActionStatus => "an action status",
);

impl ToSql for EventKind {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.as_str()))
    }
}

impl FromSql for EventKind {
    fn column_result(v: ValueRef<'_>) -> FromSqlResult<Self> {
        let s = v.as_str()?;
        EventKind::parse(s).ok_or_else(|| unknown("an event kind", s))
    }
}

/// Integer columns holding a level 1–5.
macro_rules! level_column {
    ($($t:ty => $what:literal),+ $(,)?) => {$(
        impl ToSql for $t {
            fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
                Ok(ToSqlOutput::from(i64::from(self.level())))
            }
        }
        impl FromSql for $t {
            fn column_result(v: ValueRef<'_>) -> FromSqlResult<Self> {
                let n = v.as_i64()?;
                u8::try_from(n)
                    .ok()
                    .and_then(<$t>::from_level)
                    .ok_or(FromSqlError::OutOfRange(n))
                    .map_err(|_| unknown($what, n))
            }
        }
    )+};
}

level_column!(Severity => "a severity level", Priority => "a priority level");

macro_rules! id_column {
    ($($t:ident),+) => {$(
        impl ToSql for $t {
            fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
                Ok(ToSqlOutput::from(self.0))
            }
        }
        impl FromSql for $t {
            fn column_result(v: ValueRef<'_>) -> FromSqlResult<Self> {
                v.as_i64().map($t)
            }
        }
    )+};
}

id_column!(IncidentId, ActionId);

/// A point in time as whole seconds since the Unix epoch (`INTEGER`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Epoch(pub DateTime<Utc>);

impl ToSql for Epoch {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.0.timestamp()))
    }
}

impl FromSql for Epoch {
    fn column_result(v: ValueRef<'_>) -> FromSqlResult<Self> {
        let n = v.as_i64()?;
        DateTime::from_timestamp(n, 0)
            .map(Epoch)
            .ok_or(FromSqlError::OutOfRange(n))
    }
}

/// An optional time, for binding.
pub fn epoch(t: Option<DateTime<Utc>>) -> Option<Epoch> {
    t.map(Epoch)
}

/// A calendar day as `YYYY-MM-DD` text (action item due dates).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Day(pub NaiveDate);

impl ToSql for Day {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.0.format("%Y-%m-%d").to_string()))
    }
}

impl FromSql for Day {
    fn column_result(v: ValueRef<'_>) -> FromSqlResult<Self> {
        let s = v.as_str()?;
        NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(Day)
            .map_err(|_| unknown("a YYYY-MM-DD date", s))
    }
}

/// Tags as one comma-separated text column.
pub struct Tags(pub Vec<String>);

impl FromSql for Tags {
    fn column_result(v: ValueRef<'_>) -> FromSqlResult<Self> {
        Ok(Tags(crate::domain::parse_tags(v.as_str()?)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::Connection;

    fn round_trip<T: ToSql + FromSql>(v: T) -> T {
        let c = Connection::open_in_memory().unwrap();
        c.query_row("SELECT ?", [&v], |r| r.get(0)).unwrap()
    }

    fn decode<T: FromSql>(sql: &str) -> rusqlite::Result<T> {
        let c = Connection::open_in_memory().unwrap();
        c.query_row(sql, [], |r| r.get(0))
    }

    #[test]
    fn domain_values_round_trip() {
        for s in Status::ALL {
            assert_eq!(round_trip(*s), *s);
        }
        for s in Severity::ALL {
            assert_eq!(round_trip(*s), *s);
        }
        assert_eq!(round_trip(Priority::P3), Priority::P3);
        assert_eq!(round_trip(Kind::NearMiss), Kind::NearMiss);
        assert_eq!(round_trip(EventKind::Postmortem), EventKind::Postmortem);
        assert_eq!(round_trip(IncidentId(42)), IncidentId(42));
        assert_eq!(round_trip(ActionStatus::WontDo), ActionStatus::WontDo);
        let t = DateTime::from_timestamp(1_780_000_000, 0).unwrap();
        assert_eq!(round_trip(Epoch(t)), Epoch(t));
        let d = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        assert_eq!(round_trip(Day(d)), Day(d));
        // Levels are integers in the database.
        let c = Connection::open_in_memory().unwrap();
        let ty: String = c
            .query_row("SELECT typeof(?)", [&Severity::Sev2], |r| r.get(0))
            .unwrap();
        assert_eq!(ty, "integer");
    }

    #[test]
    fn unknown_values_are_errors_that_name_them() {
        let e = decode::<EventKind>("SELECT 'escalated'")
            .unwrap_err()
            .to_string();
        assert!(e.contains("'escalated' is not an event kind"), "{e}");
        let e = decode::<Status>("SELECT 'paused'").unwrap_err().to_string();
        assert!(e.contains("'paused' is not a status"), "{e}");
        let e = decode::<Severity>("SELECT 9").unwrap_err().to_string();
        assert!(e.contains("'9' is not a severity level"), "{e}");
        assert!(decode::<Day>("SELECT '2026-13-01'").is_err());
        assert!(decode::<Status>("SELECT 3").is_err());
    }
}
