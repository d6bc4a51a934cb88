//! Schedules in config: errors at file:line:column, layering, the
//! iCalendar export.

use super::tests::{WEEKLY, load, primary, utc};
use super::*;

fn err(toml: &str) -> String {
    load(toml).unwrap_err().to_string()
}

#[test]
fn config_is_read_with_defaults() {
    let s = primary(
        r#"
[schedules.primary]
[[schedules.primary.layers]]
members = [" alice ", "bob"]
shift = "12h30m"
handoff = "07:05"
start = "2026-11-02"
active = "mon,wed-fri 22:00-06:00"
"#,
    );
    assert_eq!(s.tz.name(), "UTC");
    let l = &s.layers[0];
    assert_eq!(l.members, ["alice", "bob"]);
    assert_eq!(l.shift, ShiftLen::Secs(12 * 3600 + 1800));
    assert_eq!(l.handoff, 7 * 60 + 5);
    let a = l.active.as_ref().unwrap();
    assert_eq!(a.days, [true, false, true, true, true, false, false]);
    assert_eq!((a.from, a.to), (22 * 60, 6 * 60));
    assert_eq!(a.show(), "mon,wed-fri 22:00-06:00");
    for (text, len) in [
        ("1w", ShiftLen::Days(7)),
        ("2w", ShiftLen::Days(14)),
        ("24h", ShiftLen::Days(1)),
        ("8h", ShiftLen::Secs(8 * 3600)),
        ("36h", ShiftLen::Secs(36 * 3600)),
    ] {
        assert_eq!(ShiftLen::parse(text), Ok(len), "{text}");
        assert_eq!(ShiftLen::parse(&len.show()), Ok(len), "{text}");
    }
    for bad in [
        "",
        "1x",
        "h",
        "0h",
        "30m",
        "53w",
        "1.5h",
        "-1d",
        "99999999h",
    ] {
        assert!(ShiftLen::parse(bad).is_err(), "{bad}");
    }
    assert!(load("").unwrap().is_empty());
}

#[test]
fn a_later_file_replaces_a_schedule_whole() {
    let mut c = crate::config::Config::builtin();
    c.layer_str(WEEKLY, "a.toml").unwrap();
    c.layer_str(
        r#"
[schedules.primary]
[[schedules.primary.layers]]
members = ["zed"]
shift = "1d"
handoff = "00:00"
start = "2026-01-01"
[schedules.secondary]
[[schedules.secondary.layers]]
members = ["yan"]
shift = "1d"
handoff = "00:00"
start = "2026-01-01"
"#,
        "b.toml",
    )
    .unwrap();
    let p = c.schedules.get("primary").unwrap();
    assert_eq!(p.layers.len(), 1);
    assert_eq!(p.layers[0].members, ["zed"]);
    assert_eq!(p.tz.name(), "UTC");
    assert_eq!(
        c.schedules.names().collect::<Vec<_>>(),
        ["primary", "secondary"]
    );
}

#[test]
fn config_errors_name_file_line_and_column() {
    let layer = |field: &str| {
        format!(
            "[schedules.primary]\n[[schedules.primary.layers]]\n{field}\n{}",
            [
                "members = [\"alice\"]",
                "shift = \"1d\"",
                "handoff = \"09:00\"",
                "start = \"2026-11-02\"",
            ]
            .iter()
            .filter(|l| !field.starts_with(l.split(' ').next().unwrap()))
            .copied()
            .collect::<Vec<_>>()
            .join("\n")
        )
    };
    for (field, want) in [
        ("members = []", "sev.toml:3:11: members is empty"),
        (
            "members = [\"alice\", \" \"]",
            "sev.toml:3:21: a member must be",
        ),
        ("shift = \"1x\"", "sev.toml:3:9: bad shift length '1x'"),
        (
            "shift = \"10m\"",
            "sev.toml:3:9: shift length '10m' is under an hour",
        ),
        ("handoff = \"25:00\"", "sev.toml:3:11: bad handoff '25:00'"),
        ("handoff = \"9am\"", "sev.toml:3:11: bad handoff '9am'"),
        (
            "start = \"2026-02-30\"",
            "sev.toml:3:9: bad start '2026-02-30'",
        ),
        (
            "active = \"weekdays 09:00-17:00\"",
            "sev.toml:3:10: bad day 'weekdays'",
        ),
        (
            "active = \"mon-fri 17:00-17:00\"",
            "sev.toml:3:10: active hours '17:00-17:00' are empty",
        ),
        (
            "active = \"mon-fri\"",
            "sev.toml:3:10: active = 'mon-fri' gives no hours",
        ),
        (
            "name = \"\"",
            "sev.toml:3:8: a layer name must not be empty",
        ),
        (
            "members = [\"alice\"]\nshfit = \"1d\"",
            "sev.toml:4:1: unknown field `shfit`",
        ),
    ] {
        let e = err(&layer(field));
        assert!(e.starts_with(want), "{field}: {e}");
    }
    let e = err("[schedules.primary]\ntime_zone = \"Mars/Olympus\"\n");
    assert!(
        e.starts_with("sev.toml:2:13: unknown time zone 'Mars/Olympus'"),
        "{e}"
    );
    let e = err("[schedules.primary]\ntime_zone = \"UTC\"\n");
    assert!(
        e.starts_with("sev.toml:1:12: schedule 'primary' has no layers"),
        "{e}"
    );
    let e = err("[schedules.\"on call\"]\n");
    assert!(
        e.starts_with("sev.toml:1:12: bad schedule name 'on call'"),
        "{e}"
    );
    let e = err("[schedules.primary]\nzone = \"UTC\"\n");
    assert!(e.starts_with("sev.toml:2:1: unknown field `zone`"), "{e}");
    let e = err("[schedules.primary]\n[[schedules.primary.layers]]\nmembers = [\"a\"]\n");
    assert!(e.contains("missing field `shift`"), "{e}");
    assert!(e.starts_with("sev.toml:"), "{e}");
}

#[test]
fn ics_export_golden() {
    let s = primary(&format!(
        "{WEEKLY}{}",
        r#"
[[schedules.primary.layers]]
name = "weekend; \"quoted\", too"
members = ["carol"]
shift = "1d"
handoff = "18:00"
start = "2026-11-02"
active = "sat-sun 00:00-24:00"
"#
    ));
    let ovs = [Override {
        id: 7,
        schedule: "primary".into(),
        user: "dave, the \"stand-in\"; with\\backslash\nand a very long name that needs folding"
            .into(),
        from: utc("2026-11-03T10:00:00Z"),
        until: utc("2026-11-04T10:00:00Z"),
        created_by: "lead".into(),
    }];
    let ics = s.ics(
        "primary",
        utc("2026-11-02T00:00:00Z"),
        utc("2026-11-10T00:00:00Z"),
        &ovs,
        utc("2026-11-01T12:00:00Z"),
    );
    assert!(ics.ends_with("END:VCALENDAR\r\n"));
    assert!(!ics.replace("\r\n", "").contains('\n'), "bare LF");
    for line in ics.split("\r\n") {
        assert!(line.len() <= 75, "{line:?}");
    }
    assert_eq!(ics.matches("BEGIN:VEVENT").count(), 6);
    // Re-exporting a different window keeps the UIDs of the same shifts.
    let later = s.ics(
        "primary",
        utc("2026-11-09T00:00:00Z"),
        utc("2026-11-10T00:00:00Z"),
        &ovs,
        utc("2026-11-05T12:00:00Z"),
    );
    assert!(later.contains("UID:primary-20261108T230000Z@sev-oncall"));
    assert!(ics.contains("UID:primary-20261108T230000Z@sev-oncall"));
    insta::assert_snapshot!("ics_primary", ics.replace("\r\n", "⏎\n"));
}

#[test]
fn long_lines_fold_at_75_octets_without_splitting_characters() {
    use super::ics::{escape, fold};
    let ascii = format!("SUMMARY:{}", "x".repeat(200));
    let f = fold(&ascii);
    let lines: Vec<&str> = f.trim_end_matches("\r\n").split("\r\n").collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0].len(), 75);
    assert!(
        lines[1..]
            .iter()
            .all(|l| l.starts_with(' ') && l.len() <= 75)
    );
    // Unfolding (drop CRLF + one space) gives the line back.
    assert_eq!(f.trim_end_matches("\r\n").replace("\r\n ", ""), ascii);
    // Multi-byte characters are never cut: 'ü' is 2 octets, '👩' 4.
    for s in [
        format!("SUMMARY:{}", "ü".repeat(100)),
        format!("SUMMARY:{}", "👩".repeat(40)),
    ] {
        let f = fold(&s);
        for l in f.trim_end_matches("\r\n").split("\r\n") {
            assert!(l.len() <= 75, "{l}");
        }
        assert_eq!(f.trim_end_matches("\r\n").replace("\r\n ", ""), s);
    }
    assert_eq!(fold("SHORT"), "SHORT\r\n");
    assert_eq!(
        escape("a\\b;c,d\ne\r\nf\u{7}g\u{1b}[31m"),
        "a\\\\b\\;c\\,d\\ne\\nfg[31m"
    );
}

#[test]
fn config_show_reads_back_and_describe_summarizes() {
    let text = format!(
        "{WEEKLY}{}",
        r#"
[[schedules.primary.layers]]
members = ["carol", "dave"]
shift = "12h"
handoff = "18:00"
start = "2026-11-02"
active = "sat-sun 00:00-24:00"
"#
    );
    let mut c = crate::config::Config::builtin();
    c.layer_str(&text, "a.toml").unwrap();
    let shown = c.to_toml();
    assert!(shown.contains("[schedules.primary]"), "{shown}");
    let mut again = crate::config::Config::builtin();
    again
        .layer_str(&c.schedules.to_toml(), "shown.toml")
        .unwrap();
    assert_eq!(again.schedules, c.schedules);
    assert_eq!(
        c.schedules.describe(),
        "primary (Europe/Berlin), 2 layers, later ones on top:\n  \
         1. weekly: alice, bob; 1w shifts, handoff 09:00 from 2026-11-02\n  \
         2. layer 2: carol, dave; 12h shifts, handoff 18:00 from 2026-11-02; active sat-sun 00:00-24:00\n"
    );
    assert!(Schedules::default().describe().starts_with("no on-call"));
}

#[test]
fn absurd_times_and_ranges_stay_bounded() {
    let s = primary(&format!(
        "{WEEKLY}{}",
        r#"
[[schedules.primary.layers]]
members = ["carol"]
shift = "1d"
handoff = "18:00"
start = "2026-11-02"
active = "sat-sun 00:00-24:00"
"#
    ));
    let (min, max) = (DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC);
    assert_eq!(s.on_call(min, &[]), None);
    let _ = s.on_call(max, &[]);
    let _ = s.next(max, &[]);
    let wild = [Override {
        id: 1,
        schedule: "primary".into(),
        user: "x".into(),
        from: min,
        until: max,
        created_by: "lead".into(),
    }];
    let all = s.on_call(utc("2026-11-05T00:00:00Z"), &wild).unwrap();
    assert!(all.by_override);
    assert_eq!(all.from, utc("1900-01-01T00:00:00Z"));
    assert_eq!(all.until, Schedule::END_OF_TIME);
    assert_eq!(s.shifts(min, max, &wild).len(), 1);
    let t0 = std::time::Instant::now();
    let many = s.shifts(utc("2026-01-01T00:00:00Z"), max, &[]);
    assert_eq!(many.len(), MAX_SHIFTS);
    assert!(many.windows(2).all(|w| w[0].until == w[1].from));
    assert!(t0.elapsed() < std::time::Duration::from_secs(20));
}
