//! What the TUI's metrics view draws: the period's incidents per bucket
//! (days for 7 days, weeks up to 90, months beyond) by severity, the median
//! time to acknowledge and resolve per bucket, and the measures of the
//! whole period — with the incidents behind every figure, so Enter on a
//! bar or a row lists exactly those.

use super::review::{bucket_bounds, bucket_index, bucket_key};
use super::{By, MEASURES, Report, percentile, report};
use crate::calendar::Hours;
use crate::domain::{Incident, IncidentId, Status};
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub since: DateTime<Utc>,
    pub until: DateTime<Utc>,
    /// "day", "week" or "month".
    pub bucket: &'static str,
    /// Bucket keys (`2026-11-23`, `2026-W47`, `2026-11`), oldest first.
    pub keys: Vec<String>,
    /// Short labels for the chart (`23`, `W47`, `Nov`).
    pub labels: Vec<String>,
    /// Per bucket, the incidents of each severity (SEV1 first).
    pub ids: Vec<[Vec<IncidentId>; 5]>,
    /// Per bucket, the median time to acknowledge and to resolve (s): of
    /// all its incidents (`[0]`), and of each severity's (`[1]` = SEV1).
    pub tta: Vec<[Option<i64>; 6]>,
    pub ttr: Vec<[Option<i64>; 6]>,
    /// The measures over the whole period (cancelled left out).
    pub report: Report,
    /// Per measure (in `MEASURES` order), the incidents it was computed
    /// from (its n).
    pub counted: Vec<Vec<IncidentId>>,
}

/// The bucket a period of `days` is drawn in.
pub fn bucket_for(days: i64) -> &'static str {
    match days {
        ..=14 => "day",
        15..=120 => "week",
        _ => "month",
    }
}

fn label(bucket: &str, key: &str) -> String {
    match bucket {
        "week" => key
            .split_once("-W")
            .map(|(_, w)| format!("W{w}"))
            .unwrap_or_default(),
        "day" => key.rsplit('-').next().unwrap_or_default().to_string(),
        _ => {
            const M: [&str; 12] = [
                "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
            ];
            key.rsplit('-')
                .next()
                .and_then(|m| m.parse::<usize>().ok())
                .and_then(|m| M.get(m.wrapping_sub(1)))
                .map(|m| m.to_string())
                .unwrap_or_default()
        }
    }
}

/// The start of the bucket `t` is in (local midnight, Monday or the 1st in
/// the zone of `hours`): the view counts whole buckets, so its first bar is
/// not a partial one that looks like a drop. Found by stepping back a
/// quarter of an hour at a time (every zone's offset is a multiple of it).
pub fn bucket_start(bucket: &str, t: DateTime<Utc>, hours: &Hours) -> DateTime<Utc> {
    let key = bucket_key(bucket, t, hours);
    let q = 15 * 60;
    let mut s =
        DateTime::from_timestamp(t.timestamp() - t.timestamp().rem_euclid(q), 0).unwrap_or(t);
    for _ in 0..(32 * 96) {
        let before = s - chrono::Duration::seconds(q);
        if bucket_key(bucket, before, hours) != key {
            break;
        }
        s = before;
    }
    s
}

/// Month labels name the year on the first bar and on January's.
fn labels(bucket: &str, keys: &[String]) -> Vec<String> {
    keys.iter()
        .enumerate()
        .map(|(i, k)| {
            let l = label(bucket, k);
            if bucket == "month" && (i == 0 || l == "Jan") {
                format!("{l}{}", k.get(2..4).unwrap_or_default())
            } else {
                l
            }
        })
        .collect()
}

pub fn series(
    all: &[Incident],
    since: DateTime<Utc>,
    until: DateTime<Utc>,
    hours: &Hours,
) -> Series {
    let bucket = bucket_for((until - since).num_days());
    let (keys, starts) = bucket_bounds(bucket, since, until, hours);
    let mut ids: Vec<[Vec<IncidentId>; 5]> = vec![Default::default(); keys.len()];
    let mut acks: Vec<[Vec<i64>; 6]> = vec![Default::default(); keys.len()];
    let mut resolves: Vec<[Vec<i64>; 6]> = vec![Default::default(); keys.len()];
    let mut counted: Vec<Vec<IncidentId>> = vec![Vec::new(); MEASURES.len()];
    for i in all {
        if i.created_at < since || i.created_at >= until || i.status == Status::Cancelled {
            continue;
        }
        for (m, list) in MEASURES.iter().zip(counted.iter_mut()) {
            if m.of(i).is_some() {
                list.push(i.id);
            }
        }
        let Some(b) = bucket_index(&starts, i.created_at) else {
            continue;
        };
        let s = usize::from(i.severity.level());
        ids[b][s - 1].push(i.id);
        if let Some(v) = super::Measure::Acknowledge.of(i) {
            acks[b][0].push(v);
            acks[b][s].push(v);
        }
        if let Some(v) = super::Measure::Resolve.of(i) {
            resolves[b][0].push(v);
            resolves[b][s].push(v);
        }
    }
    let median = |per: [Vec<i64>; 6]| {
        per.map(|mut v| {
            v.sort_unstable();
            percentile(&v, 50)
        })
    };
    Series {
        since,
        until,
        bucket,
        labels: labels(bucket, &keys),
        keys,
        ids,
        tta: acks.into_iter().map(median).collect(),
        ttr: resolves.into_iter().map(median).collect(),
        report: report(all, since, until, By::Nothing, &hours.tz),
        counted,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Severity, sample_incident};
    use crate::intake::tz::Tz;
    use chrono::{Duration, TimeZone};

    #[test]
    fn bucket_bounds_agree_with_formatting_each_time() {
        let berlin = crate::calendar::berlin_office();
        let kolkata = Hours {
            tz: Tz::parse("+05:30").unwrap(),
            ..Hours::default()
        };
        // Over both DST changes of 2026 (29 March, 25 October).
        let since = Utc.with_ymd_and_hms(2026, 1, 7, 13, 17, 5).unwrap();
        let until = Utc.with_ymd_and_hms(2026, 12, 2, 8, 0, 0).unwrap();
        for h in [&berlin, &kolkata] {
            for bucket in ["day", "week", "month"] {
                let (keys, starts) = bucket_bounds(bucket, since, until, h);
                assert_eq!(
                    keys,
                    crate::metrics::review::buckets(bucket, since, until, h)
                );
                let mut t = since;
                while t < until {
                    let b = bucket_index(&starts, t).unwrap();
                    assert_eq!(keys[b], bucket_key(bucket, t, h), "{bucket} {t}");
                    t += Duration::minutes(47 * 60 + 13);
                }
                // Each start is the first second of its bucket.
                for (i, s) in starts.iter().enumerate().skip(1) {
                    assert_eq!(bucket_key(bucket, *s, h), keys[i]);
                    assert_eq!(
                        bucket_key(bucket, *s - Duration::seconds(1), h),
                        keys[i - 1],
                        "{bucket} {i} {s} {:?}",
                        &keys[..i.min(4) + 1]
                    );
                }
            }
        }
    }

    #[test]
    fn bars_medians_and_the_incidents_behind_them() {
        let h = Hours {
            tz: Tz::Clock(crate::clock::Zone::UTC),
            ..Hours::default()
        };
        let until = Utc.with_ymd_and_hms(2026, 11, 28, 12, 0, 0).unwrap();
        let since = until - Duration::days(7);
        let mk = |id: i64, days_ago: i64, sev: Severity, ack_s: Option<i64>| {
            let mut i = sample_incident(id, until - Duration::days(days_ago));
            i.created_at = until - Duration::days(days_ago);
            i.severity = sev;
            i.acknowledged_at = ack_s.map(|s| i.created_at + Duration::seconds(s));
            i.resolved_at = None;
            i.status = Status::Acknowledged;
            i
        };
        let mut cancelled = mk(5, 1, Severity::Sev1, Some(1));
        cancelled.status = Status::Cancelled;
        let all = vec![
            mk(1, 1, Severity::Sev2, Some(60)),
            mk(2, 1, Severity::Sev2, Some(120)),
            mk(3, 1, Severity::Sev4, Some(600)),
            mk(4, 3, Severity::Sev1, None),
            cancelled,
            mk(6, 30, Severity::Sev1, Some(5)),
        ];
        let s = series(&all, since, until, &h);
        assert_eq!(s.bucket, "day");
        // 21 Nov 12:00 → 28 Nov 12:00: eight calendar days touched.
        assert_eq!(s.keys.first().unwrap(), "2026-11-21");
        assert_eq!(s.keys.last().unwrap(), "2026-11-28");
        assert_eq!(s.labels.last().unwrap(), "28");
        let b = s.keys.iter().position(|k| k == "2026-11-27").unwrap();
        assert_eq!(s.ids[b][1], vec![IncidentId(1), IncidentId(2)]);
        assert_eq!(s.ids[b][3], vec![IncidentId(3)]);
        assert!(s.ids[b][0].is_empty(), "cancelled left out");
        // Median of 60, 120, 600 (nearest rank): 120.
        assert_eq!(s.tta[b][0], Some(120));
        // SEV2 alone: 60 and 120 → the lower middle, 60; SEV4: 600.
        assert_eq!(s.tta[b][2], Some(60));
        assert_eq!(s.tta[b][4], Some(600));
        assert_eq!(s.tta[b][1], None);
        let b3 = s.keys.iter().position(|k| k == "2026-11-25").unwrap();
        assert_eq!(s.tta[b3][0], None);
        assert_eq!(s.report.incidents, 4);
        // Acknowledge (MEASURES[1]) was known for three of the four.
        assert_eq!(
            s.counted[1],
            vec![IncidentId(1), IncidentId(2), IncidentId(3)]
        );
        assert_eq!(bucket_for(30), "week");
        assert_eq!(bucket_for(96), "week");
        // 2026-11-26 is a Thursday: its week began Monday the 23rd.
        let thu = Utc.with_ymd_and_hms(2026, 11, 26, 15, 20, 0).unwrap();
        assert_eq!(
            bucket_start("week", thu, &h),
            Utc.with_ymd_and_hms(2026, 11, 23, 0, 0, 0).unwrap()
        );
        assert_eq!(
            bucket_start("month", thu, &h),
            Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap()
        );
        assert_eq!(bucket_for(365), "month");
        assert_eq!(label("month", "2026-11"), "Nov");
        let months = ["2025-11", "2025-12", "2026-01", "2026-02"].map(String::from);
        assert_eq!(labels("month", &months), ["Nov25", "Dec", "Jan26", "Feb"]);
    }
}
