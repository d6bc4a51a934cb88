//! Schedule math with the time passed in: rotations, layers, overrides,
//! both DST changes, short shifts, the time before the start.

use super::*;
use crate::config::Config;

pub(super) fn load(toml: &str) -> Result<Schedules, crate::config::ConfigError> {
    let mut c = Config::builtin();
    c.layer_str(toml, "sev.toml")?;
    Ok(c.schedules)
}

pub(super) fn primary(toml: &str) -> Schedule {
    load(toml).unwrap().get("primary").unwrap().clone()
}

pub(super) fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().to_utc()
}

/// A shift as `user from..until [layer|override]`, for compact asserts.
pub(super) fn show(s: &Shift) -> String {
    let f = |t: DateTime<Utc>| t.format("%m-%dT%H:%MZ").to_string();
    let how = if s.by_override {
        "override".to_string()
    } else {
        s.layer.clone().unwrap_or_default()
    };
    format!("{} {}..{} [{how}]", s.user, f(s.from), f(s.until))
}

fn on(s: &Schedule, at: &str, ovs: &[Override]) -> String {
    s.on_call(utc(at), ovs)
        .map(|x| show(&x))
        .unwrap_or_else(|| "nobody".into())
}

fn timeline(s: &Schedule, from: &str, until: &str, ovs: &[Override]) -> Vec<String> {
    s.shifts(utc(from), utc(until), ovs)
        .iter()
        .map(show)
        .collect()
}

pub(super) const WEEKLY: &str = r#"
[schedules.primary]
time_zone = "Europe/Berlin"
[[schedules.primary.layers]]
name = "weekly"
members = ["alice", "bob"]
shift = "1w"
handoff = "09:00"
start = "2026-11-02"
"#;

const WEEKEND: &str = r#"
[[schedules.primary.layers]]
members = ["carol"]
shift = "1d"
handoff = "18:00"
start = "2026-11-02"
active = "sat-sun 00:00-24:00"
"#;

#[test]
fn two_person_weekly_rotation() {
    let s = primary(WEEKLY);
    // Monday 2026-11-02 09:00 CET is 08:00 UTC.
    assert_eq!(
        on(&s, "2026-11-05T12:00:00Z", &[]),
        "alice 11-02T08:00Z..11-09T08:00Z [weekly]"
    );
    assert_eq!(
        on(&s, "2026-11-09T07:59:59Z", &[]),
        "alice 11-02T08:00Z..11-09T08:00Z [weekly]"
    );
    assert_eq!(
        on(&s, "2026-11-09T08:00:00Z", &[]),
        "bob 11-09T08:00Z..11-16T08:00Z [weekly]"
    );
    let next = s.next(utc("2026-11-05T12:00:00Z"), &[]).unwrap();
    assert_eq!(show(&next), "bob 11-09T08:00Z..11-16T08:00Z [weekly]");
    assert_eq!(
        timeline(&s, "2026-10-01T00:00:00Z", "2026-11-20T00:00:00Z", &[]),
        [
            "alice 11-02T08:00Z..11-09T08:00Z [weekly]",
            "bob 11-09T08:00Z..11-16T08:00Z [weekly]",
            "alice 11-16T08:00Z..11-23T08:00Z [weekly]",
        ]
    );
    // Week 166 (2030-01-07) is computed, not walked to: alice again.
    assert_eq!(
        on(&s, "2030-01-08T00:00:00Z", &[]),
        "alice 01-07T08:00Z..01-14T08:00Z [weekly]"
    );
    let sh = s.on_call(utc("2030-01-08T00:00:00Z"), &[]).unwrap();
    assert_eq!(sh.from, utc("2030-01-07T08:00:00Z"));
}

#[test]
fn before_the_start_nobody_is_on_call_and_next_is_the_first_shift() {
    let s = primary(WEEKLY);
    assert_eq!(on(&s, "2026-11-02T07:59:59Z", &[]), "nobody");
    let first = s.next(utc("2020-01-01T00:00:00Z"), &[]).unwrap();
    assert_eq!(show(&first), "alice 11-02T08:00Z..11-09T08:00Z [weekly]");
    // A layer that starts later sits on top only from its start; before
    // it, the layer below answers.
    let s = primary(&format!(
        "{WEEKLY}{}",
        r#"
[[schedules.primary.layers]]
name = "new team"
members = ["dave", "erin"]
shift = "1w"
handoff = "09:00"
start = "2026-11-16"
"#
    ));
    assert_eq!(
        timeline(&s, "2026-11-01T00:00:00Z", "2026-11-24T00:00:00Z", &[]),
        [
            "alice 11-02T08:00Z..11-09T08:00Z [weekly]",
            "bob 11-09T08:00Z..11-16T08:00Z [weekly]",
            "dave 11-16T08:00Z..11-23T08:00Z [new team]",
            "erin 11-23T08:00Z..11-30T08:00Z [new team]",
        ]
    );
}

#[test]
fn a_weekend_layer_sits_on_top_where_it_is_active() {
    let s = primary(&format!("{WEEKLY}{WEEKEND}"));
    // Saturday 2026-11-07: Berlin midnight is 23:00 UTC the day before.
    assert_eq!(
        on(&s, "2026-11-07T09:00:00Z", &[]),
        "carol 11-06T23:00Z..11-08T23:00Z [layer 2]",
        "one person all weekend: one shift, not one a day"
    );
    assert_eq!(
        on(&s, "2026-11-06T12:00:00Z", &[]),
        "alice 11-02T08:00Z..11-06T23:00Z [weekly]"
    );
    assert_eq!(
        show(&s.next(utc("2026-11-06T12:00:00Z"), &[]).unwrap()),
        "carol 11-06T23:00Z..11-08T23:00Z [layer 2]"
    );
    assert_eq!(
        timeline(&s, "2026-11-02T00:00:00Z", "2026-11-16T08:00:00Z", &[]),
        [
            "alice 11-02T08:00Z..11-06T23:00Z [weekly]",
            "carol 11-06T23:00Z..11-08T23:00Z [layer 2]",
            "alice 11-08T23:00Z..11-09T08:00Z [weekly]",
            "bob 11-09T08:00Z..11-13T23:00Z [weekly]",
            "carol 11-13T23:00Z..11-15T23:00Z [layer 2]",
            "bob 11-15T23:00Z..11-16T08:00Z [weekly]",
        ]
    );
}

#[test]
fn a_two_person_layer_with_evening_hours_hands_off_inside_its_window() {
    let s = primary(&format!(
        "{WEEKLY}{}",
        r#"
[[schedules.primary.layers]]
name = "nights"
members = ["night1", "night2"]
shift = "1d"
handoff = "00:00"
start = "2026-11-02"
active = "22:00-06:00"
"#
    ));
    assert_eq!(
        timeline(&s, "2026-11-03T12:00:00Z", "2026-11-04T12:00:00Z", &[]),
        [
            "alice 11-03T05:00Z..11-03T21:00Z [weekly]",
            "night2 11-03T21:00Z..11-03T23:00Z [nights]",
            "night1 11-03T23:00Z..11-04T05:00Z [nights]",
            "alice 11-04T05:00Z..11-04T21:00Z [weekly]",
        ]
    );
}

fn ov(id: i64, user: &str, from: &str, until: &str) -> Override {
    Override {
        id,
        schedule: "primary".into(),
        user: user.into(),
        from: utc(from),
        until: utc(until),
        created_by: "lead".into(),
    }
}

#[test]
fn overrides_win_over_layers_and_later_ones_over_earlier() {
    let s = primary(&format!("{WEEKLY}{WEEKEND}"));
    let dave = ov(1, "dave", "2026-11-03T10:00:00Z", "2026-11-04T10:00:00Z");
    let erin = ov(2, "erin", "2026-11-03T20:00:00Z", "2026-11-05T00:00:00Z");
    let other = Override {
        schedule: "secondary".into(),
        ..ov(9, "mallory", "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z")
    };
    let backwards = ov(
        10,
        "mallory",
        "2026-11-04T00:00:00Z",
        "2026-11-03T00:00:00Z",
    );
    let ovs = [dave.clone(), erin.clone(), other, backwards];
    assert_eq!(
        on(&s, "2026-11-03T09:00:00Z", &ovs),
        "alice 11-02T08:00Z..11-03T10:00Z [weekly]"
    );
    assert_eq!(
        on(&s, "2026-11-03T12:00:00Z", &ovs),
        "dave 11-03T10:00Z..11-03T20:00Z [override]"
    );
    let sh = s.on_call(utc("2026-11-03T12:00:00Z"), &ovs).unwrap();
    assert!(sh.by_override && sh.layer.is_none());
    assert_eq!(
        timeline(&s, "2026-11-03T00:00:00Z", "2026-11-06T00:00:00Z", &ovs),
        [
            "alice 11-02T08:00Z..11-03T10:00Z [weekly]",
            "dave 11-03T10:00Z..11-03T20:00Z [override]",
            "erin 11-03T20:00Z..11-05T00:00Z [override]",
            "alice 11-05T00:00Z..11-06T23:00Z [weekly]",
        ]
    );
    // Created the other way round, dave's override covers erin's start.
    let swapped = [
        ov(2, "dave", "2026-11-03T10:00:00Z", "2026-11-04T10:00:00Z"),
        {
            let mut e = erin.clone();
            e.id = 1;
            e
        },
    ];
    assert_eq!(
        timeline(&s, "2026-11-03T00:00:00Z", "2026-11-06T00:00:00Z", &swapped),
        [
            "alice 11-02T08:00Z..11-03T10:00Z [weekly]",
            "dave 11-03T10:00Z..11-04T10:00Z [override]",
            "erin 11-04T10:00Z..11-05T00:00Z [override]",
            "alice 11-05T00:00Z..11-06T23:00Z [weekly]",
        ]
    );
    // An override also beats a layer above (the weekend), and two
    // back-to-back overrides of one person are one shift.
    let two = [
        ov(3, "dave", "2026-11-07T00:00:00Z", "2026-11-07T12:00:00Z"),
        ov(4, "dave", "2026-11-07T12:00:00Z", "2026-11-08T00:00:00Z"),
    ];
    assert_eq!(
        on(&s, "2026-11-07T13:00:00Z", &two),
        "dave 11-07T00:00Z..11-08T00:00Z [override]"
    );
    assert_eq!(
        show(&s.next(utc("2026-11-07T13:00:00Z"), &two).unwrap()),
        "carol 11-08T00:00Z..11-08T23:00Z [layer 2]"
    );
}

const DAILY: &str = r#"
[schedules.primary]
time_zone = "Europe/Berlin"
[[schedules.primary.layers]]
members = ["alice", "bob"]
shift = "1d"
handoff = "HANDOFF"
start = "START"
"#;

fn daily(handoff: &str, start: &str) -> Schedule {
    primary(&DAILY.replace("HANDOFF", handoff).replace("START", start))
}

#[test]
fn a_daily_0900_handoff_stays_at_0900_local_across_both_dst_changes() {
    // Spring: 2026-03-29 02:00 CET → 03:00 CEST. The shift across it is 23h.
    let s = daily("09:00", "2026-03-27");
    assert_eq!(
        timeline(&s, "2026-03-27T00:00:00Z", "2026-03-30T12:00:00Z", &[]),
        [
            "alice 03-27T08:00Z..03-28T08:00Z [layer 1]",
            "bob 03-28T08:00Z..03-29T07:00Z [layer 1]",
            "alice 03-29T07:00Z..03-30T07:00Z [layer 1]",
            "bob 03-30T07:00Z..03-31T07:00Z [layer 1]",
        ]
    );
    // Autumn: 2026-10-25 03:00 CEST → 02:00 CET. The shift across it is 25h.
    let s = daily("09:00", "2026-10-23");
    assert_eq!(
        timeline(&s, "2026-10-23T00:00:00Z", "2026-10-26T12:00:00Z", &[]),
        [
            "alice 10-23T07:00Z..10-24T07:00Z [layer 1]",
            "bob 10-24T07:00Z..10-25T08:00Z [layer 1]",
            "alice 10-25T08:00Z..10-26T08:00Z [layer 1]",
            "bob 10-26T08:00Z..10-27T08:00Z [layer 1]",
        ]
    );
    // Ten years on, computed: day 3653 after 2026-03-27 is odd → bob.
    let s = daily("09:00", "2026-03-27");
    assert_eq!(
        on(&s, "2036-03-27T12:00:00Z", &[]),
        "bob 03-27T08:00Z..03-28T08:00Z [layer 1]"
    );
}

#[test]
fn a_0230_handoff_in_the_gap_and_in_the_overlap() {
    // 02:30 does not exist on 2026-03-29: that handoff is at 03:00 CEST.
    let s = daily("02:30", "2026-03-27");
    assert_eq!(
        timeline(&s, "2026-03-27T00:00:00Z", "2026-03-30T12:00:00Z", &[]),
        [
            "alice 03-27T01:30Z..03-28T01:30Z [layer 1]",
            "bob 03-28T01:30Z..03-29T01:00Z [layer 1]",
            "alice 03-29T01:00Z..03-30T00:30Z [layer 1]",
            "bob 03-30T00:30Z..03-31T00:30Z [layer 1]",
        ]
    );
    // 02:30 happens twice on 2026-10-25: the handoff is the first (CEST).
    let s = daily("02:30", "2026-10-23");
    assert_eq!(
        timeline(&s, "2026-10-23T00:00:00Z", "2026-10-26T12:00:00Z", &[]),
        [
            "alice 10-23T00:30Z..10-24T00:30Z [layer 1]",
            "bob 10-24T00:30Z..10-25T00:30Z [layer 1]",
            "alice 10-25T00:30Z..10-26T01:30Z [layer 1]",
            "bob 10-26T01:30Z..10-27T01:30Z [layer 1]",
        ]
    );
    // The second 02:15 (CET, 01:15 UTC) is after that handoff, although
    // its wall time is before 02:30.
    assert_eq!(
        on(&s, "2026-10-25T01:15:00Z", &[]),
        "alice 10-25T00:30Z..10-26T01:30Z [layer 1]"
    );
    assert_eq!(
        on(&s, "2026-10-25T00:29:59Z", &[]),
        "bob 10-24T00:30Z..10-25T00:30Z [layer 1]"
    );
}

#[test]
fn eight_hour_shifts_count_absolute_time_across_dst() {
    let eight = |start: &str| {
        primary(&format!(
            r#"
[schedules.primary]
time_zone = "Europe/Berlin"
[[schedules.primary.layers]]
members = ["a", "b", "c"]
shift = "8h"
handoff = "06:00"
start = "{start}"
"#
        ))
    };
    // 06:00 CET on 2026-03-28 is 05:00 UTC; every shift is 8 hours, so
    // after the change the handoffs fall at 07:00, 15:00, 23:00 CEST.
    let s = eight("2026-03-28");
    let spring = s.shifts(
        utc("2026-03-28T05:00:00Z"),
        utc("2026-03-30T05:00:00Z"),
        &[],
    );
    assert_eq!(spring.len(), 6);
    for (i, sh) in spring.iter().enumerate() {
        assert_eq!((sh.until - sh.from).num_hours(), 8, "{}", show(sh));
        assert_eq!(sh.user, ["a", "b", "c"][i % 3]);
    }
    assert_eq!(
        on(&s, "2026-03-29T06:00:00Z", &[]),
        "a 03-29T05:00Z..03-29T13:00Z [layer 1]"
    );
    let s = eight("2026-10-24");
    // 06:00 CEST on 2026-10-24 is 04:00 UTC.
    let autumn = s.shifts(
        utc("2026-10-24T04:00:00Z"),
        utc("2026-10-26T04:00:00Z"),
        &[],
    );
    assert_eq!(autumn.len(), 6);
    assert!(
        autumn
            .iter()
            .all(|sh| (sh.until - sh.from).num_hours() == 8)
    );
    assert_eq!(
        on(&s, "2026-10-25T04:00:00Z", &[]),
        "a 10-25T04:00Z..10-25T12:00Z [layer 1]"
    );
}

#[test]
fn a_one_person_layer_is_one_endless_shift_and_next_is_none() {
    let s = primary(
        r#"
[schedules.primary]
[[schedules.primary.layers]]
members = ["solo"]
shift = "1d"
handoff = "00:00"
start = "2026-01-01"
"#,
    );
    let sh = s.on_call(utc("2031-06-01T00:00:00Z"), &[]).unwrap();
    assert_eq!(sh.from, utc("2026-01-01T00:00:00Z"));
    assert_eq!(sh.until, Schedule::END_OF_TIME);
    assert_eq!(s.next(utc("2031-06-01T00:00:00Z"), &[]), None);
}

#[test]
fn on_call_does_not_walk_from_the_start() {
    let s = primary(&format!("{WEEKLY}{WEEKEND}"));
    let t0 = std::time::Instant::now();
    for day in 0..1000 {
        let at = utc("2040-01-01T00:00:00Z") + chrono::Duration::hours(day * 7);
        assert!(s.on_call(at, &[]).is_some());
        assert!(s.next(at, &[]).is_some());
    }
    // Debug build, shared machine: generous, but a walk from 2026 shift by
    // shift (or minute by minute) would be far slower.
    assert!(
        t0.elapsed() < std::time::Duration::from_secs(3),
        "{:?}",
        t0.elapsed()
    );
}
