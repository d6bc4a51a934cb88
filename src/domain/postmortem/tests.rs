use super::*;
use crate::domain::{Impact, Priority, Urgency};
use chrono::TimeZone;

fn t(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, h, m, 0).unwrap()
}

fn inc(sev: Severity, kind: Kind) -> Incident {
    Incident {
        kind,
        status: Status::Resolved,
        severity: sev,
        impact: Impact::High,
        urgency: Urgency::High,
        priority: Priority::P1,
        created_at: t(10, 5),
        impact_started_at: Some(t(10, 0)),
        detected_at: Some(t(10, 4)),
        acknowledged_at: Some(t(10, 7)),
        mitigated_at: Some(t(10, 35)),
        resolved_at: Some(t(11, 5)),
        updated_at: t(11, 5),
        resolution: Some("fixed".into()),
        version: 4,
        ..crate::domain::incident::sample_incident(9, t(10, 5))
    }
}

fn policy() -> PostmortemPolicy {
    crate::config::Config::builtin().postmortem
}

fn action(owner: Option<&str>, status: ActionStatus, due: Option<NaiveDate>) -> ActionItem {
    ActionItem {
        id: ActionId(1),
        incident: IncidentId(9),
        description: "add alert".into(),
        kind: ActionKind::Detect,
        owner: owner.map(str::to_string),
        due,
        status,
        created_at: t(12, 0),
        updated_at: t(12, 0),
        done_at: None,
        version: 1,
    }
}

#[test]
fn measures_come_from_timestamps_and_are_unknown_when_missing() {
    let mut i = inc(Severity::Sev1, Kind::Incident);
    let m = measures(&i);
    assert_eq!(m.time_to_detect, Some(240));
    assert_eq!(m.time_to_acknowledge, Some(120));
    assert_eq!(m.time_to_mitigate, Some(30 * 60));
    assert_eq!(m.time_to_resolve, Some(60 * 60));
    assert_eq!(m.impact_duration, Some(65 * 60));
    i.impact_started_at = None;
    i.mitigated_at = None;
    let m = measures(&i);
    assert_eq!(
        (m.time_to_detect, m.time_to_mitigate, m.impact_duration),
        (None, None, None)
    );
}

#[test]
fn close_policy_lists_exactly_what_is_missing() {
    let p = policy();
    let i = inc(Severity::Sev1, Kind::Incident);
    let e = check_close(&p, &i, i.severity, None, &[])
        .unwrap_err()
        .to_string();
    assert!(e.contains("a postmortem — write one"), "{e}");
    assert!(e.contains("\"Root cause(s)\" section"), "{e}");
    assert!(e.contains("at least one action item with an owner"), "{e}");

    let mut pm = Postmortem::new(i.id, t(12, 0));
    pm.sections
        .insert("root-cause".into(), "a bad config push".into());
    let e = check_close(
        &p,
        &i,
        i.severity,
        Some(&pm),
        &[action(None, ActionStatus::Open, None)],
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("the postmortem is draft — publish it"), "{e}");
    assert!(e.contains("action item with an owner"), "{e}");
    assert!(!e.contains("Root cause"), "{e}");

    pm.status = PmStatus::Published;
    assert!(
        check_close(
            &p,
            &i,
            i.severity,
            Some(&pm),
            &[action(Some("alice"), ActionStatus::Open, None)]
        )
        .is_ok()
    );
    // A won't-do item does not count.
    assert!(
        check_close(
            &p,
            &i,
            i.severity,
            Some(&pm),
            &[action(Some("alice"), ActionStatus::WontDo, None)]
        )
        .is_err()
    );
}

#[test]
fn close_policy_applies_by_severity_and_kind() {
    let p = policy();
    let sev3 = inc(Severity::Sev3, Kind::Incident);
    assert!(check_close(&p, &sev3, Severity::Sev3, None, &[]).is_ok());
    assert!(
        check_close(
            &p,
            &inc(Severity::Sev2, Kind::Incident),
            Severity::Sev2,
            None,
            &[]
        )
        .is_err()
    );
    // Once a SEV1, judged as a SEV1 even after a downgrade.
    let e = check_close(&p, &sev3, Severity::Sev1, None, &[])
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("was SEV1 (now SEV3;") && e.contains("a postmortem"),
        "{e}"
    );
    // Security incidents also need their extra sections.
    let i = inc(Severity::Sev2, Kind::Security);
    let mut pm = Postmortem::new(i.id, t(12, 0));
    pm.status = PmStatus::Published;
    pm.sections
        .insert("root-cause".into(), "leaked token".into());
    let e = check_close(
        &p,
        &i,
        i.severity,
        Some(&pm),
        &[action(Some("bob"), ActionStatus::Done, None)],
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("Data exposure") && e.contains("Disclosure"),
        "{e}"
    );
    // Near misses use a lighter template.
    assert!(p.sections_for(Kind::NearMiss).len() < p.sections_for(Kind::Incident).len());
    assert!(
        p.sections_for(Kind::Security)
            .iter()
            .any(|s| s.key == "data-exposure")
    );
}

#[test]
fn overdue_needs_a_past_due_date_and_an_open_status() {
    let today = NaiveDate::from_ymd_opt(2026, 3, 10).unwrap();
    let yesterday = NaiveDate::from_ymd_opt(2026, 3, 9).unwrap();
    assert!(action(None, ActionStatus::Open, Some(yesterday)).overdue(today));
    assert!(action(None, ActionStatus::InProgress, Some(yesterday)).overdue(today));
    assert!(!action(None, ActionStatus::Done, Some(yesterday)).overdue(today));
    assert!(!action(None, ActionStatus::Open, Some(today)).overdue(today));
    assert!(!action(None, ActionStatus::Open, None).overdue(today));
}

#[test]
fn due_dates_parse() {
    let today = NaiveDate::from_ymd_opt(2026, 3, 10).unwrap();
    assert_eq!(
        parse_due("+7d", today).unwrap(),
        NaiveDate::from_ymd_opt(2026, 3, 17)
    );
    assert_eq!(
        parse_due("+2w", today).unwrap(),
        NaiveDate::from_ymd_opt(2026, 3, 24)
    );
    assert_eq!(
        parse_due("2026-04-01", today).unwrap(),
        NaiveDate::from_ymd_opt(2026, 4, 1)
    );
    assert_eq!(parse_due("-", today).unwrap(), None);
    assert!(parse_due("next tuesday", today).is_err());
    assert_eq!("ACT-4".parse::<ActionId>().unwrap(), ActionId(4));
    assert!(parse_section("rootcause").is_ok());
    assert!(
        parse_section("vibes")
            .unwrap_err()
            .to_string()
            .contains("root-cause")
    );
}

#[test]
fn worst_severity_reads_severity_changes_only() {
    let i = inc(Severity::Sev4, Kind::Incident);
    let ev = |field: &str, old: &str, new: &str| Event {
        id: 0,
        incident: i.id,
        at: t(12, 0),
        actor: "alice".into(),
        kind: EventKind::Field,
        field: Some(field.into()),
        old: Some(old.into()),
        new: Some(new.into()),
        text: None,
    };
    assert_eq!(worst_severity(&i, &[]), Severity::Sev4);
    // A priority of P1 is not a severity; a garbled value is ignored.
    let noise = [ev("priority", "P1", "P4"), ev("severity", "SEV?", "SEV4")];
    assert_eq!(worst_severity(&i, &noise), Severity::Sev4);
    let history = [
        ev("severity", "SEV3", "SEV1"),
        ev("severity", "SEV1", "SEV4"),
    ];
    assert_eq!(worst_severity(&i, &history), Severity::Sev1);
}

/// Issue #9 item 7: these panicked (slicing inside `é`, chrono's range,
/// date overflow); item 17: a second sign was read as part of the number.
#[test]
fn hostile_due_dates_are_refused_not_panics() {
    let today = NaiveDate::from_ymd_opt(2026, 3, 10).unwrap();
    for s in [
        "+7é",
        "+é",
        "+d",
        "+",
        "++7d",
        "+-5d",
        "+ 7d",
        "+7 d",
        "+٧d",
        "+7dd",
        "10000-01-01",
        "+10000-01-01",
    ] {
        let e = parse_due(s, today).unwrap_err().to_string();
        assert!(e.contains("invalid due date"), "{s}: {e}");
        assert!(
            e.contains("+7d"),
            "the message shows the accepted forms: {e}"
        );
    }
    for s in [
        "+999999999999d",
        "+1000000000w",
        "+99999999999999999999999d",
        "+3000000w",
        "-0001-01-01",
        "0000-12-31",
    ] {
        let e = parse_due(s, today).unwrap_err().to_string();
        assert!(e.contains("out of range"), "{s}: {e}");
        assert!(e.contains("9999-12-31"), "{s}: {e}");
    }
    // The edges: the last day that can be stored, and a long but sane delay.
    let last = NaiveDate::from_ymd_opt(9999, 12, 31).unwrap();
    let to_last = (last - today).num_days();
    assert_eq!(
        parse_due(&format!("+{to_last}d"), today).unwrap(),
        Some(last)
    );
    assert!(parse_due(&format!("+{}d", to_last + 1), today).is_err());
    assert_eq!(
        parse_due("+0d", today).unwrap(),
        Some(today),
        "zero days is today"
    );
    assert_eq!(
        parse_due(" +07D ", today).unwrap(),
        NaiveDate::from_ymd_opt(2026, 3, 17)
    );
    assert_eq!(parse_due("Tomorrow", today).unwrap(), today.succ_opt());
}

/// Issue #9 item 7: `abcé` sliced at byte 4, inside the `é`.
#[test]
fn non_ascii_ids_are_refused_not_panics() {
    for s in [
        "abcé", "ééé", "acté", "ACT-é", "INC-é", "incé1", "é", "AC", "ACT-+4", "+4", "-4", "٤",
    ] {
        assert!(s.parse::<ActionId>().is_err(), "{s}");
        assert!(s.parse::<IncidentId>().is_err(), "{s}");
    }
    let e = "abcé".parse::<IncidentId>().unwrap_err().to_string();
    assert!(
        e.contains("invalid incident id 'abcé'") && e.contains("INC-42"),
        "{e}"
    );
    let e = "abcé".parse::<ActionId>().unwrap_err().to_string();
    assert!(
        e.contains("invalid action id 'abcé'") && e.contains("ACT-7"),
        "{e}"
    );
    assert_eq!(" act-07 ".parse::<ActionId>().unwrap(), ActionId(7));
    assert_eq!(
        "INC-9223372036854775807".parse::<IncidentId>().unwrap(),
        IncidentId(i64::MAX)
    );
    assert!("INC-9223372036854775808".parse::<IncidentId>().is_err());
}
