//! Response clocks: business-hours math (a weekend, a holiday, DST both
//! ways), cycles and reopens, met and late clocks, config, display, and
//! breach recording on both backends.

use super::targets_hours::{add, between};
use super::targets_show::{Tone, cell, line};
use super::*;
use crate::calendar::berlin_office;
use crate::clock::{Clock as _, FixedClock, Zone};
use crate::config::Config;
use crate::domain::{EventKind, Impact, NewIncident, Priority, Status, Transition, Urgency};
use crate::store::Reopen;
use chrono::{DateTime, Duration, TimeZone, Utc};

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
}

fn mins(m: i64) -> Duration {
    Duration::minutes(m)
}

#[test]
fn friday_afternoon_plus_an_hour_lands_monday_morning() {
    let h = berlin_office();
    // Fri 2026-11-27 16:50 in Berlin (UTC+1) → Mon 30th 09:50.
    assert_eq!(
        add(&h, utc(2026, 11, 27, 15, 50), mins(60)),
        utc(2026, 11, 30, 8, 50)
    );
    // A target that fits today exactly ends at closing time.
    assert_eq!(
        add(&h, utc(2026, 11, 27, 15, 50), mins(10)),
        utc(2026, 11, 27, 16, 0)
    );
    // Started on a Saturday night: the clock starts Monday 09:00.
    assert_eq!(
        add(&h, utc(2026, 11, 28, 22, 0), mins(30)),
        utc(2026, 11, 30, 8, 30)
    );
    // Back: Friday 16:00 to Monday 10:00 is two business hours.
    assert_eq!(
        between(&h, utc(2026, 11, 27, 15, 0), utc(2026, 11, 30, 9, 0)),
        mins(120)
    );
    assert_eq!(
        between(&h, utc(2026, 11, 30, 9, 0), utc(2026, 11, 27, 15, 0)),
        mins(0)
    );
    // A long target: 24 business hours is three 8-hour days.
    assert_eq!(
        add(&h, utc(2026, 11, 30, 8, 0), mins(24 * 60)),
        utc(2026, 12, 2, 16, 0)
    );
}

#[test]
fn a_holiday_is_skipped() {
    let mut h = berlin_office();
    h.set_holiday("2026-11-27").unwrap();
    // Thu 26th 16:30 + 1h: 30m on Thursday, Friday is a holiday, 30m Monday.
    assert_eq!(
        add(&h, utc(2026, 11, 26, 15, 30), mins(60)),
        utc(2026, 11, 30, 8, 30)
    );
    assert_eq!(
        between(&h, utc(2026, 11, 26, 15, 30), utc(2026, 11, 30, 8, 30)),
        mins(60)
    );
}

#[test]
fn business_hours_follow_daylight_saving_changes() {
    let h = berlin_office();
    // Spring: Fri 2026-03-27 16:30 CET (15:30Z); Berlin moves to CEST on
    // Sunday, so Monday 09:30 local is 07:30Z (not 08:30Z).
    assert_eq!(
        add(&h, utc(2026, 3, 27, 15, 30), mins(60)),
        utc(2026, 3, 30, 7, 30)
    );
    // Autumn: Fri 2026-10-23 16:30 CEST (14:30Z) → Mon 09:30 CET = 08:30Z.
    assert_eq!(
        add(&h, utc(2026, 10, 23, 14, 30), mins(60)),
        utc(2026, 10, 26, 8, 30)
    );
    assert_eq!(
        between(&h, utc(2026, 10, 23, 14, 30), utc(2026, 10, 26, 8, 30)),
        mins(60)
    );
    // Around the clock on the short day: 24 counted hours are 24 real ones.
    let mut all = berlin_office();
    all.set_business("00:00-24:00").unwrap();
    let sat = utc(2026, 3, 28, 11, 0);
    assert_eq!(add(&all, sat, mins(24 * 60)), sat + mins(24 * 60));
    assert_eq!(between(&all, sat, sat + mins(24 * 60)), mins(24 * 60));
}

#[test]
fn a_calendar_without_business_time_does_not_hang() {
    let mut h = berlin_office();
    h.business = (9 * 60, 9 * 60);
    let t = utc(2026, 11, 27, 15, 50);
    assert!(add(&h, t, mins(60)) > t + Duration::days(3000));
    assert_eq!(between(&h, t, t + Duration::days(30)), mins(0));
}

fn p1(created: DateTime<Utc>) -> crate::domain::Incident {
    let mut i = crate::domain::sample_incident(7, created);
    i.priority = Priority::P1;
    i
}

#[test]
fn clocks_run_breach_and_stop_when_the_state_is_reached() {
    let t = Targets::default();
    let h = berlin_office();
    let c0 = utc(2026, 11, 30, 12, 0);
    let mut i = p1(c0);
    let c = t.clocks(&i, None, &h, c0 + mins(3));
    let ack = c.acknowledge.unwrap();
    assert_eq!(ack.due, c0 + mins(5));
    assert_eq!(ack.state, State::Running { left: mins(2) });
    assert_eq!(cell(&c), Some(("2m".into(), Tone::Running)));
    assert!(c.breaching_within(mins(15), c0 + mins(3)));
    assert!(!c.breached());
    // Past due, not acknowledged: breached by 12m.
    let c = t.clocks(&i, None, &h, c0 + mins(17));
    assert_eq!(
        c.acknowledge.unwrap().state,
        State::Breached { by: mins(12) }
    );
    assert!(c.breached() && !c.breaching_within(mins(15), c0 + mins(17)));
    assert_eq!(cell(&c), Some(("!12m".into(), Tone::Breached)));
    // Acknowledged at 3m 10s: met; the resolve clock is what runs now.
    i.status = Status::Acknowledged;
    i.acknowledged_at = Some(c0 + Duration::seconds(190));
    let c = t.clocks(&i, None, &h, c0 + mins(60));
    let ack = c.acknowledge.unwrap();
    assert_eq!(
        ack.state,
        State::Met {
            at: c0 + Duration::seconds(190),
            took: Duration::seconds(190)
        }
    );
    assert_eq!(
        line(&ack, c0 + mins(60), Zone::UTC),
        "acknowledge: met in 3m 10s (target 5m)"
    );
    let res = c.resolve.unwrap();
    assert_eq!(
        line(&res, c0 + mins(60), Zone::UTC),
        "resolve: 3h 00m left (due 16:00, target 4h)"
    );
    assert_eq!(cell(&c), Some(("3h".into(), Tone::Running)));
    let late = t.clocks(&i, None, &h, c0 + mins(260)).resolve.unwrap();
    assert_eq!(
        line(&late, c0 + mins(260), Zone::UTC),
        "resolve: BREACHED 20m 00s ago (due 16:00, target 4h)"
    );
    // Resolved after 5h: met late, still counts as breached; all stopped.
    i.status = Status::Resolved;
    i.mitigated_at = Some(c0 + mins(300));
    i.resolved_at = Some(c0 + mins(300));
    let c = t.clocks(&i, None, &h, c0 + mins(900));
    assert!(matches!(c.resolve.unwrap().state, State::MetLate { by, .. } if by == mins(60)));
    assert!(c.breached() && c.next().is_none());
    assert_eq!(cell(&c), Some(("!✓".into(), Tone::Breached)));
}

#[test]
fn late_acknowledgement_and_cancel() {
    let t = Targets::default();
    let h = berlin_office();
    let c0 = utc(2026, 11, 30, 12, 0);
    let mut i = p1(c0);
    i.status = Status::Cancelled;
    let c = t.clocks(&i, None, &h, c0 + mins(600));
    assert_eq!(c.acknowledge.unwrap().state, State::Cancelled);
    assert_eq!(c.resolve.unwrap().state, State::Cancelled);
    assert!(!c.breached());
    assert_eq!(cell(&c), None);
    i.acknowledged_at = Some(c0 + mins(8));
    let c = t.clocks(&i, None, &h, c0 + mins(600));
    assert!(c.acknowledge.unwrap().is_breached());
}

#[test]
fn a_reopen_starts_a_new_cycle() {
    let t = Targets::default();
    let h = berlin_office();
    let c0 = utc(2026, 11, 30, 8, 0);
    let mut i = p1(c0);
    // First cycle: acknowledged late, resolved late.
    i.acknowledged_at = Some(c0 + mins(30));
    let reopened = c0 + mins(600);
    // Reopened: resolved_at cleared, acknowledged_at kept (the workflow).
    i.status = Status::Investigating;
    let r = Reopen {
        event: 42,
        at: reopened,
    };
    let c = t.clocks(&i, Some(&r), &h, reopened + mins(60));
    assert_eq!(c.cycle.start, reopened);
    assert_eq!(c.cycle.reopen_event, 42);
    // Reopening is acknowledging: met at once.
    assert_eq!(
        c.acknowledge.unwrap().state,
        State::Met {
            at: reopened,
            took: mins(0)
        }
    );
    assert_eq!(c.resolve.unwrap().due, reopened + mins(240));
    assert_eq!(c.resolve.unwrap().state, State::Running { left: mins(180) });
    assert!(!c.breached(), "the first cycle's misses do not count");
}

#[test]
fn the_latest_reopen_is_found_on_the_timeline() {
    let at = utc(2026, 11, 30, 8, 0);
    let ev = |id, kind, old: &str, new: &str| crate::domain::Event {
        id,
        incident: crate::domain::IncidentId(1),
        at: at + mins(id),
        actor: "a".into(),
        kind,
        field: Some("status".into()),
        old: Some(old.into()),
        new: Some(new.into()),
        text: None,
    };
    let evs = vec![
        ev(1, EventKind::Status, "triage", "investigating"),
        ev(2, EventKind::Status, "investigating", "resolved"),
        ev(3, EventKind::Status, "resolved", "investigating"),
        ev(4, EventKind::Status, "mitigated", "investigating"),
        ev(5, EventKind::Field, "closed", "investigating"),
    ];
    assert_eq!(
        reopen_in(&evs),
        Some(Reopen {
            event: 3,
            at: at + mins(3)
        })
    );
    assert_eq!(reopen_in(&evs[..2]), None);
}

#[test]
fn business_clocks_count_business_time() {
    let mut t = Targets::default();
    t.get_mut(Priority::P3).acknowledge = Some(mins(60));
    let h = berlin_office();
    // P3 (business hours), logged Fri 16:50 Berlin.
    let c0 = utc(2026, 11, 27, 15, 50);
    let i = crate::domain::sample_incident(3, c0);
    let sat = utc(2026, 11, 28, 12, 0);
    let ack = t.clocks(&i, None, &h, sat).acknowledge.unwrap();
    assert!(ack.business_hours);
    assert_eq!(ack.due, utc(2026, 11, 30, 8, 50));
    assert_eq!(ack.state, State::Running { left: mins(50) });
    assert_eq!(
        line(&ack, sat, Zone::UTC),
        "acknowledge: 50m 00s business time left (due Mon 30 Nov 08:50, target 1h business hours)"
    );
    let mon = utc(2026, 11, 30, 9, 10);
    assert_eq!(
        t.clocks(&i, None, &h, mon).acknowledge.unwrap().state,
        State::Breached { by: mins(20) }
    );
}

#[test]
fn config_sets_targets_one_key_at_a_time_and_locates_mistakes() {
    let mut c = Config::builtin();
    assert_eq!(c.response, Targets::default());
    c.layer_str(
        "[response.P3]\nacknowledge = \"4h\"\nbusiness_hours = false\n[response.p5]\nresolve = \"off\"\n",
        "user.toml",
    )
    .unwrap();
    let p3 = c.response.get(Priority::P3);
    assert_eq!(p3.acknowledge, Some(Duration::hours(4)));
    assert_eq!(p3.resolve, Some(Duration::hours(24)), "kept from below");
    assert!(!p3.business_hours);
    assert_eq!(c.response.get(Priority::P5).resolve, None);
    assert!(
        c.to_toml()
            .contains("[response.P5]\nacknowledge = \"16h\"\nresolve = \"off\"")
    );
    for (text, at, says) in [
        (
            "[response.P9]\nresolve = \"1h\"\n",
            "x.toml:1:11",
            "priority",
        ),
        (
            "\n[response.P1]\nresolve = \"soon\"\n",
            "x.toml:3:11",
            "resolve: bad duration",
        ),
        (
            "[response.P1]\nacknowledge = \"0\"\n",
            "x.toml:2:15",
            "breached at once",
        ),
        (
            "[response.P1]\npage = \"1h\"\n",
            "x.toml:2:1",
            "unknown field",
        ),
    ] {
        let e = Config::builtin()
            .layer_str(text, "x.toml")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with(at) && e.contains(says), "{text:?}: {e}");
    }
}

/// Breaches are recorded once per clock per cycle, on both backends; a
/// reopened incident breaches again in its new cycle, and a verdict made
/// before the incident changed writes nothing.
#[test]
fn record_breaches_is_idempotent_and_per_cycle() {
    for db in crate::store::testdb::TestDb::all() {
        let s = db.open();
        let cfg = Config::builtin();
        let real = DateTime::from_timestamp(Utc::now().timestamp(), 0).unwrap();
        let clock = FixedClock::at(real);
        let cx = crate::ops::Ctx {
            store: &s,
            config: &cfg,
            actor: "alice".into(),
            clock: &clock,
        };
        let inc = cx
            .create(&NewIncident {
                title: "checkout down".into(),
                impact: Some(Impact::High),
                urgency: Some(Urgency::High),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(inc.priority, Priority::P1);
        let (t, h) = (&cfg.response, &cfg.hours);
        let rec = |at| record_breaches(&s, t, h, at).unwrap();
        let name = db.name();
        assert_eq!(rec(real + mins(2)), 0, "{name}: not due yet");
        assert_eq!(rec(real + mins(10)), 1, "{name}: acknowledge breached");
        assert_eq!(rec(real + mins(11)), 0, "{name}: recorded already");
        assert_eq!(rec(real + mins(300)), 1, "{name}: resolve breached");
        assert_eq!(rec(real + mins(301)), 0, "{name}");
        // A stale verdict (judged before an ack) writes nothing.
        let stale = crate::store::NewBreach {
            incident: inc.id,
            version: inc.version,
            clock: "acknowledge",
            after_event: 1_000_000,
            text: "stale".into(),
        };
        cx.acknowledge(inc.id, None).unwrap();
        assert_eq!(
            s.record_breaches(&[stale], ACTOR, real).unwrap(),
            0,
            "{name}"
        );
        let fixed = Transition::Resolve {
            summary: "rolled back".into(),
        };
        cx.transition(inc.id, &fixed, None).unwrap();
        cx.transition(inc.id, &Transition::Reopen, None).unwrap();
        let now = s.get(inc.id).unwrap().updated_at;
        assert_eq!(rec(now + mins(30)), 0, "{name}: new cycle, not due");
        assert_eq!(rec(now + mins(250)), 1, "{name}: new cycle breaches again");
        assert_eq!(rec(now + mins(260)), 0, "{name}");
        let texts: Vec<(Option<String>, Option<String>)> = s
            .events(inc.id)
            .unwrap()
            .into_iter()
            .filter(|e| e.kind == EventKind::Breach)
            .map(|e| (e.field, e.text))
            .collect();
        let want = |f: &str, t: &str| (Some(f.to_string()), Some(t.to_string()));
        assert_eq!(
            texts,
            [
                want("acknowledge", "acknowledge target 5m breached (P1)"),
                want("resolve", "resolve target 4h breached (P1)"),
                want("resolve", "resolve target 4h breached (P1)"),
            ],
            "{name}"
        );
        assert!(
            s.verify().unwrap().broken.is_none(),
            "{name}: the chain holds"
        );
        let _ = clock.now();
    }
}
