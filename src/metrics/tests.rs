//! Each measure against figures worked out by hand.

use super::*;
use crate::domain::{Kind, sample_incident};
use chrono::{Duration, FixedOffset, TimeZone};

fn t(h: i64, m: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).unwrap() + Duration::hours(h) + Duration::minutes(m)
}

fn inc(id: i64, created: DateTime<Utc>) -> Incident {
    let mut i = sample_incident(id, created);
    i.created_at = created;
    i.impact_started_at = None;
    i.detected_at = None;
    i.acknowledged_at = None;
    i.mitigated_at = None;
    i.resolved_at = None;
    i.status = Status::Triage;
    i
}

#[test]
fn nearest_rank_percentiles_for_odd_even_and_tied_counts() {
    assert_eq!(percentile(&[], 50), None);
    assert_eq!(percentile(&[7], 90), Some(7));
    // Odd: 1 3 5 — median rank ⌈1.5⌉ = 2, p90 rank ⌈2.7⌉ = 3.
    assert_eq!(percentile(&[1, 3, 5], 50), Some(3));
    assert_eq!(percentile(&[1, 3, 5], 90), Some(5));
    // Even: the lower middle; p90 rank ⌈3.6⌉ = 4.
    assert_eq!(percentile(&[1, 2, 3, 4], 50), Some(2));
    assert_eq!(percentile(&[1, 2, 3, 4], 90), Some(4));
    // Ties.
    assert_eq!(percentile(&[2, 2, 2, 9], 50), Some(2));
    // Ten values: p90 is the 9th.
    let ten: Vec<i64> = (1..=10).collect();
    assert_eq!(percentile(&ten, 90), Some(9));
}

#[test]
fn measures_by_hand_with_unknowns_and_cancelled_left_out() {
    // A: logged 00:00, acked 00:05, mitigated 00:30, resolved 01:00,
    //    impact from 23:50 the day before, detected 23:58.
    let mut a = inc(1, t(0, 0));
    a.impact_started_at = Some(t(0, -10));
    a.detected_at = Some(t(0, -2));
    a.acknowledged_at = Some(t(0, 5));
    a.mitigated_at = Some(t(0, 30));
    a.resolved_at = Some(t(1, 0));
    a.status = Status::Resolved;
    // B: logged 02:00, acked 02:15, still open; no impact start.
    let mut b = inc(2, t(2, 0));
    b.acknowledged_at = Some(t(2, 15));
    // C: logged 03:00, acked 03:01, reopened and resolved twice: the
    //    latest resolution (05:00) counts.
    let mut c = inc(3, t(3, 0));
    c.acknowledged_at = Some(t(3, 1));
    c.resolved_at = Some(t(5, 0));
    c.status = Status::Resolved;
    // D: cancelled — left out.
    let mut d = inc(4, t(4, 0));
    d.acknowledged_at = Some(t(4, 1));
    d.status = Status::Cancelled;
    // E: outside the period.
    let mut e = inc(5, t(30, 0));
    e.acknowledged_at = Some(t(30, 1));
    // F: acknowledged "before" it was logged (a clock gone wrong): unknown.
    let mut f = inc(6, t(6, 0));
    f.acknowledged_at = Some(t(5, 0));
    let all = [a, b, c, d, e, f];
    let r = report(&all, t(0, 0), t(24, 0), By::Nothing, Zone::UTC);
    assert_eq!((r.incidents, r.cancelled_left_out), (4, 1));
    let get = |name: &str| r.total.measures.iter().find(|(n, _)| *n == name).unwrap().1;
    // Acknowledge: 300, 900, 60 (F unknown) → sorted 60 300 900.
    let ack = get("time_to_acknowledge");
    assert_eq!((ack.n, ack.unknown), (3, 1));
    assert_eq!(ack.mean_s, Some(420.0));
    assert_eq!(
        (ack.median_s, ack.p90_s, ack.max_s),
        (Some(300), Some(900), Some(900))
    );
    // Resolve: A 3600, C 7200; B and F unknown. Even n: median the lower.
    let res = get("time_to_resolve");
    assert_eq!((res.n, res.unknown), (2, 2));
    assert_eq!(
        (res.median_s, res.p90_s, res.mean_s),
        (Some(3600), Some(7200), Some(5400.0))
    );
    // Detect: A only (8 min); impact: A only (70 min).
    assert_eq!(get("time_to_detect").median_s, Some(480));
    assert_eq!(get("impact_duration").max_s, Some(4200));
    assert_eq!(get("time_to_mitigate").n, 1);
}

#[test]
fn weeks_and_months_are_the_readers() {
    // Sunday 29 Nov 2026 23:30 UTC is Monday 30 Nov 01:30 at +02:00: week 49
    // there, week 48 in UTC; and 30 Nov 23:30 UTC is 1 December at +02:00.
    let a = inc(1, Utc.with_ymd_and_hms(2026, 11, 29, 23, 30, 0).unwrap());
    let b = inc(2, Utc.with_ymd_and_hms(2026, 11, 30, 23, 30, 0).unwrap());
    let plus2 = Zone::Fixed(FixedOffset::east_opt(2 * 3600).unwrap());
    assert_eq!(By::Week.key(&a, Zone::UTC), "2026-W48");
    assert_eq!(By::Week.key(&a, plus2), "2026-W49");
    assert_eq!(By::Month.key(&b, Zone::UTC), "2026-11");
    assert_eq!(By::Month.key(&b, plus2), "2026-12");
    let since = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
    let until = Utc.with_ymd_and_hms(2026, 12, 31, 0, 0, 0).unwrap();
    let r = report(&[a.clone(), b.clone()], since, until, By::Month, plus2);
    let keys: Vec<(&str, usize)> = r
        .groups
        .iter()
        .map(|g| (g.key.as_str(), g.incidents))
        .collect();
    assert_eq!(keys, [("2026-11", 1), ("2026-12", 1)]);
    let mut near_miss = a;
    near_miss.kind = Kind::NearMiss;
    let r = report(&[near_miss, b], since, until, By::Kind, Zone::UTC);
    assert_eq!(r.groups.len(), 2);
}
