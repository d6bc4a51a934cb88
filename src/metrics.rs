//! Named response measures with honest statistics (README "Reports").
//!
//! Each measure is a duration between two of an incident's own timestamps:
//!
//! | measure | from | to |
//! | --- | --- | --- |
//! | `time_to_detect` | impact start | detected |
//! | `time_to_acknowledge` | logged (created; for alert incidents the first alert received) | first acknowledgement |
//! | `time_to_mitigate` | logged | mitigated |
//! | `time_to_resolve` | logged | resolved (the latest resolution of a reopened incident) |
//! | `impact_duration` | impact start (an alert's `startsAt`) | resolved |
//!
//! An incident missing either timestamp (or whose timestamps run backwards)
//! is not guessed: it is counted as unknown for that measure. Cancelled
//! incidents are left out (they were not incidents). Percentiles are
//! nearest-rank: the p-th percentile of n sorted values is the value at
//! rank ⌈p/100 · n⌉ (so the median of an even count is the lower middle
//! value, and every figure is a real incident's).

use crate::domain::{Incident, Status};
use crate::intake::tz::Tz;
use chrono::{DateTime, Datelike, FixedOffset, Utc};
use serde::Serialize;
use std::collections::BTreeMap;

/// The measures, in the order reports show them.
pub const MEASURES: [Measure; 5] = [
    Measure::Detect,
    Measure::Acknowledge,
    Measure::Mitigate,
    Measure::Resolve,
    Measure::Impact,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Measure {
    Detect,
    Acknowledge,
    Mitigate,
    Resolve,
    Impact,
}

impl Measure {
    /// The stable name (JSON and CSV).
    pub fn name(self) -> &'static str {
        match self {
            Measure::Detect => "time_to_detect",
            Measure::Acknowledge => "time_to_acknowledge",
            Measure::Mitigate => "time_to_mitigate",
            Measure::Resolve => "time_to_resolve",
            Measure::Impact => "impact_duration",
        }
    }

    /// Its duration for one incident, if both ends are known and in order.
    pub fn of(self, i: &Incident) -> Option<i64> {
        let (from, to) = match self {
            Measure::Detect => (i.impact_started_at, i.detected_at),
            Measure::Acknowledge => (Some(i.created_at), i.acknowledged_at),
            Measure::Mitigate => (Some(i.created_at), i.mitigated_at),
            Measure::Resolve => (Some(i.created_at), i.resolved_at),
            Measure::Impact => (i.impact_started_at, i.resolved_at),
        };
        let d = (to? - from?).num_seconds();
        (d >= 0).then_some(d)
    }
}

/// n, mean, median, p90 and max of one measure (seconds), and how many
/// incidents it could not be computed for.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Stats {
    pub n: usize,
    pub unknown: usize,
    pub mean_s: Option<f64>,
    pub median_s: Option<i64>,
    pub p90_s: Option<i64>,
    pub max_s: Option<i64>,
}

/// Nearest-rank percentile of sorted values.
pub fn percentile(sorted: &[i64], p: u32) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (u64::from(p) * sorted.len() as u64).div_ceil(100).max(1) as usize;
    sorted.get(rank - 1).copied()
}

impl Stats {
    pub fn of(mut values: Vec<i64>, unknown: usize) -> Stats {
        values.sort_unstable();
        let n = values.len();
        Stats {
            n,
            unknown,
            mean_s: (n > 0).then(|| values.iter().map(|v| *v as f64).sum::<f64>() / n as f64),
            median_s: percentile(&values, 50),
            p90_s: percentile(&values, 90),
            max_s: values.last().copied(),
        }
    }
}

/// What a report groups by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum By {
    Nothing,
    Severity,
    Service,
    Category,
    Kind,
    /// ISO week of the logged time, in the reader's zone (`2026-W47`).
    Week,
    /// Month of the logged time, in the reader's zone (`2026-11`).
    Month,
}

impl std::str::FromStr for By {
    type Err = String;
    fn from_str(s: &str) -> Result<By, String> {
        Ok(match s {
            "severity" => By::Severity,
            "service" => By::Service,
            "category" => By::Category,
            "kind" => By::Kind,
            "week" => By::Week,
            "month" => By::Month,
            _ => {
                return Err(format!(
                    "invalid --by '{}': expected severity, service, category, kind, week or month",
                    crate::text::sanitize_line(s)
                ));
            }
        })
    }
}

impl By {
    pub fn key(self, i: &Incident, zone: &Tz) -> String {
        let local = || zone.at(i.created_at);
        match self {
            By::Nothing => "all".into(),
            By::Severity => i.severity.to_string(),
            By::Service => i.service.clone().unwrap_or_else(|| "—".into()),
            By::Category => i.category.clone().unwrap_or_else(|| "—".into()),
            By::Kind => i.kind.to_string(),
            By::Week => week_key(local()),
            By::Month => local().format("%Y-%m").to_string(),
        }
    }
}

/// The ISO week of a local time: `2026-W47` (weeks start on Monday; the
/// first week of a year holds its first Thursday).
pub fn week_key(local: DateTime<FixedOffset>) -> String {
    let w = local.iso_week();
    format!("{}-W{:02}", w.year(), w.week())
}

/// One group's figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Group {
    pub key: String,
    pub incidents: usize,
    /// By measure name, in [`MEASURES`] order (an object in JSON).
    #[serde(serialize_with = "in_order")]
    pub measures: Vec<(&'static str, Stats)>,
}

fn in_order<S: serde::Serializer>(m: &[(&'static str, Stats)], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut map = s.serialize_map(Some(m.len()))?;
    for (k, v) in m {
        map.serialize_entry(k, v)?;
    }
    map.end()
}

/// The report: every incident logged in `[since, until)`, cancelled ones
/// left out, grouped.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    #[serde(serialize_with = "rfc3339")]
    pub since: DateTime<Utc>,
    #[serde(serialize_with = "rfc3339")]
    pub until: DateTime<Utc>,
    pub incidents: usize,
    pub cancelled_left_out: usize,
    pub total: Group,
    pub groups: Vec<Group>,
}

fn group(key: String, incs: &[&Incident]) -> Group {
    let measures = MEASURES
        .iter()
        .map(|m| {
            let mut values = Vec::new();
            let mut unknown = 0;
            for i in incs {
                match m.of(i) {
                    Some(v) => values.push(v),
                    None => unknown += 1,
                }
            }
            (m.name(), Stats::of(values, unknown))
        })
        .collect();
    Group {
        key,
        incidents: incs.len(),
        measures,
    }
}

fn rfc3339<S: serde::Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&crate::clock::rfc3339(*t))
}

/// Build the report from the incidents (any order; those outside the
/// period are skipped).
pub fn report<'a>(
    all: impl IntoIterator<Item = &'a Incident>,
    since: DateTime<Utc>,
    until: DateTime<Utc>,
    by: By,
    zone: &Tz,
) -> Report {
    let mut cancelled = 0;
    let mut inside: Vec<&Incident> = Vec::new();
    for i in all {
        if i.created_at < since || i.created_at >= until {
            continue;
        }
        if i.status == Status::Cancelled {
            cancelled += 1;
            continue;
        }
        inside.push(i);
    }
    let mut keyed: BTreeMap<String, Vec<&Incident>> = BTreeMap::new();
    if by != By::Nothing {
        for i in &inside {
            keyed.entry(by.key(i, zone)).or_default().push(i);
        }
    }
    Report {
        since,
        until,
        incidents: inside.len(),
        cancelled_left_out: cancelled,
        total: group("all".into(), &inside),
        groups: keyed.into_iter().map(|(k, v)| group(k, &v)).collect(),
    }
}

pub mod review;
pub mod series;

#[cfg(test)]
mod tests;
