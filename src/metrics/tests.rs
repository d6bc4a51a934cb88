//! Each measure against figures worked out by hand.

use super::*;
use crate::clock::Zone;
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
    let r = report(&all, t(0, 0), t(24, 0), By::Nothing, &Tz::Clock(Zone::UTC));
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
    assert_eq!(By::Week.key(&a, &Tz::Clock(Zone::UTC)), "2026-W48");
    assert_eq!(By::Week.key(&a, &Tz::Clock(plus2)), "2026-W49");
    assert_eq!(By::Month.key(&b, &Tz::Clock(Zone::UTC)), "2026-11");
    assert_eq!(By::Month.key(&b, &Tz::Clock(plus2)), "2026-12");
    let since = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
    let until = Utc.with_ymd_and_hms(2026, 12, 31, 0, 0, 0).unwrap();
    let r = report(
        &[a.clone(), b.clone()],
        since,
        until,
        By::Month,
        &Tz::Clock(plus2),
    );
    let keys: Vec<(&str, usize)> = r
        .groups
        .iter()
        .map(|g| (g.key.as_str(), g.incidents))
        .collect();
    assert_eq!(keys, [("2026-11", 1), ("2026-12", 1)]);
    let mut near_miss = a;
    near_miss.kind = Kind::NearMiss;
    let r = report(
        &[near_miss, b],
        since,
        until,
        By::Kind,
        &Tz::Clock(Zone::UTC),
    );
    assert_eq!(r.groups.len(), 2);
}

mod review_oracle {
    use super::*;
    use crate::calendar::Hours;
    use crate::domain::{
        ActionId, ActionItem, ActionKind, ActionStatus, IncidentId, PmStatus, Severity,
    };
    use crate::intake::tz::Tz;
    use crate::metrics::review::{bucket_of, review};
    use crate::store::review::{AlertFact, PmFact, ReviewFacts};

    fn at(d: u32, h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, d, h, m, 0).unwrap()
    }

    use crate::calendar::berlin_office as berlin;

    fn item(
        id: i64,
        status: ActionStatus,
        due: Option<(u32, u32)>,
        created: DateTime<Utc>,
        done: Option<DateTime<Utc>>,
    ) -> ActionItem {
        ActionItem {
            id: ActionId(id),
            incident: IncidentId(1),
            description: format!("item {id}"),
            kind: ActionKind::Prevent,
            owner: None,
            due: due.map(|(m, d)| chrono::NaiveDate::from_ymd_opt(2026, m, d).unwrap()),
            status,
            created_at: created,
            updated_at: created,
            done_at: done,
            version: 1,
        }
    }

    fn alert(inc: Option<i64>, key: &str, name: &str) -> AlertFact {
        AlertFact {
            incident: inc.map(IncidentId),
            integration: "am".into(),
            key: key.into(),
            name: name.into(),
        }
    }

    #[test]
    fn a_small_month_worked_out_by_hand() {
        let hours = berlin();
        // 2026-11-22 is a Sunday, 23:30 UTC = Monday 00:30 in Berlin: week
        // 48 there, week 47 in UTC. 2026-11-23 08:00 UTC = Monday 09:00
        // Berlin (business); 2026-11-23 16:00 UTC = 17:00 (off);
        // 2026-11-24 05:59 UTC = 06:59 (sleep).
        let mut a = inc(1, at(22, 23, 30));
        a.severity = Severity::Sev1;
        a.status = Status::Closed;
        a.resolved_at = Some(at(23, 1, 0));
        a.service = Some("payments".into());
        let mut b = inc(2, at(23, 8, 0));
        b.severity = Severity::Sev2;
        b.status = Status::Resolved;
        b.resolved_at = Some(at(23, 9, 0));
        b.service = Some("payments".into());
        let mut c = inc(3, at(23, 16, 0));
        c.severity = Severity::Sev2;
        c.status = Status::Mitigated;
        c.category = Some("dns".into());
        let mut d = inc(4, at(24, 5, 59));
        d.severity = Severity::Sev4;
        d.service = Some("auth".into());
        // Cancelled: left out of everything.
        let mut e = inc(5, at(24, 6, 0));
        e.severity = Severity::Sev1;
        e.status = Status::Cancelled;
        e.service = Some("auth".into());
        let all = [a, b, c, d, e];
        let facts = ReviewFacts {
            postmortems: vec![
                // A published 2 days after it was resolved.
                PmFact {
                    incident: IncidentId(1),
                    status: PmStatus::Published,
                    published_at: Some(at(25, 1, 0)),
                },
                PmFact {
                    incident: IncidentId(2),
                    status: PmStatus::Draft,
                    published_at: None,
                },
            ],
            alerts: vec![
                alert(Some(1), "k1", "HighErrorRate"),
                alert(Some(2), "k1", "HighErrorRate"),
                alert(Some(2), "k1", "HighErrorRate"),
                alert(Some(3), "k2", "DiskFull"),
                alert(None, "k3", "Silenced"),
            ],
            actions: vec![
                // Done on its due date (Berlin), 3 days after created.
                item(
                    1,
                    ActionStatus::Done,
                    Some((11, 24)),
                    at(20, 12, 0),
                    Some(at(23, 22, 30)),
                ),
                // Done late: 23:30 UTC on the 24th is the 25th in Berlin.
                item(
                    2,
                    ActionStatus::Done,
                    Some((11, 24)),
                    at(14, 12, 0),
                    Some(at(24, 23, 30)),
                ),
                // Done without a due date, 10 days.
                item(
                    3,
                    ActionStatus::Done,
                    None,
                    at(13, 0, 0),
                    Some(at(23, 1, 0)),
                ),
                // Done before sev kept the time: unknown.
                item(4, ActionStatus::Done, Some((10, 1)), at(1, 0, 0), None),
                // Done before the period: not counted.
                item(
                    5,
                    ActionStatus::Done,
                    Some((10, 1)),
                    at(1, 0, 0),
                    Some(at(1, 2, 0)),
                ),
                // Open and overdue (today is the 28th), open not due, and won't do.
                item(6, ActionStatus::Open, Some((11, 27)), at(20, 0, 0), None),
                item(
                    7,
                    ActionStatus::InProgress,
                    Some((12, 27)),
                    at(20, 0, 0),
                    None,
                ),
                item(8, ActionStatus::WontDo, Some((11, 1)), at(20, 0, 0), None),
            ],
        };
        let (since, until) = (at(16, 0, 0), at(28, 0, 0));
        assert_eq!(bucket_of(since, until), "week");
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        let v = review(&all, &facts, since, until, today, &hours);

        // Weeks in Berlin: 16th–22nd is W47, A falls on Monday the 23rd
        // there (W48), as do B, C, D.
        assert_eq!(v.counts.buckets, ["2026-W47", "2026-W48"]);
        // W47 began an hour before the period (Monday 00:00 Berlin); W48
        // goes on after it: both only partly covered.
        assert_eq!(v.counts.partial, [true, true]);
        let row = |by: &str, value: &str| {
            v.counts
                .rows
                .iter()
                .find(|r| r.by == by && r.value == value)
                .map(|r| r.counts.clone())
        };
        assert_eq!(row("severity", "SEV1"), Some(vec![0, 1]));
        assert_eq!(row("severity", "SEV2"), Some(vec![0, 2]));
        assert_eq!(row("service", "auth"), Some(vec![0, 1]));
        assert_eq!(row("service", "—"), Some(vec![0, 1]));

        // Postmortems: A and B are SEV1–2 and resolved/closed (due), C is
        // only mitigated. One of two published, in 48 h.
        let p = &v.postmortems;
        assert_eq!((p.due, p.published), (2, 1));
        assert_eq!(p.completion, Some(0.5));
        assert_eq!(p.time_to_publish.median_s, Some(48 * 3600));
        assert_eq!(p.incidents.len(), 3);
        assert_eq!(p.incidents[2].postmortem, None);

        // Actions.
        let ac = &v.actions;
        assert_eq!((ac.open, ac.overdue), (2, 1));
        assert_eq!(ac.overdue_items[0].id, "ACT-6");
        assert_eq!(ac.done_in_period, 3);
        assert_eq!(
            (ac.done_on_time, ac.done_late, ac.done_without_due),
            (1, 1, 1)
        );
        // Time to done: 3d 10h30m, 10d 1h, 10d 11h30m → median 10d 1h;
        // one unknown.
        assert_eq!(ac.time_to_done.n, 3);
        assert_eq!(ac.time_to_done.unknown, 1);
        assert_eq!(ac.time_to_done.median_s, Some(10 * 86_400 + 3600));

        // Recurrence: payments twice; HighErrorRate fed 2 incidents and
        // fired 3 times (flapping); DiskFull once; the silenced alert fed none.
        let r = &v.recurrence;
        assert_eq!(r.services, [("payments".to_string(), 2)]);
        assert!(r.categories.is_empty());
        assert_eq!(
            r.top_alerts,
            [
                ("HighErrorRate".to_string(), 2),
                ("DiskFull".to_string(), 1)
            ]
        );
        assert_eq!(r.flapping.len(), 1);
        assert_eq!((r.flapping[0].fired, r.flapping[0].incidents), (3, 2));

        // Interruptions in Berlin: A 00:30 Monday (sleep), B 09:00 Monday
        // (business), C 17:00 (off), D 06:59 Tuesday (sleep).
        let i = &v.interruptions;
        assert_eq!((i.business, i.off, i.sleep), (1, 1, 2));
        assert_eq!(i.severe, [1, 1, 1]);
    }

    #[test]
    fn long_periods_count_months_and_show_empty_buckets() {
        let h = Hours {
            tz: Tz::Clock(Zone::UTC),
            ..Hours::default()
        };
        let since = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let until = Utc.with_ymd_and_hms(2026, 7, 1, 0, 0, 0).unwrap();
        assert_eq!(bucket_of(since, until), "month");
        let one = inc(1, Utc.with_ymd_and_hms(2026, 3, 5, 0, 0, 0).unwrap());
        let v = review(
            &[one],
            &ReviewFacts::default(),
            since,
            until,
            since.date_naive(),
            &h,
        );
        assert_eq!(v.counts.buckets.len(), 6);
        // January 1 to July 1: whole months.
        assert_eq!(v.counts.partial, [false; 6]);
        let sev = v.counts.rows.iter().find(|r| r.by == "severity").unwrap();
        assert_eq!(sev.counts, vec![0, 0, 1, 0, 0, 0]);
        assert_eq!(v.postmortems.completion, None);
    }
}
