//! `field=value` edits of incidents and action items, and the value parsers
//! behind them: never a panic; a refused value changes nothing; an accepted
//! one is stable (applying it, or the value as shown, again changes nothing).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sev::domain::{
    ActionKind, ActionStatus, Field, Impact, Kind, PmStatus, PriorityMatrix, Severity, Status,
    Urgency, parse_section, parse_severity, parse_tags, sample_incident, validate_user,
};
use sev::ops::{parse_action_assignment, parse_assignment};

fuzz_target!(|s: &str| {
    let _ = parse_action_assignment(s);
    let _ = parse_severity(s);
    let _ = parse_section(s);
    let _ = validate_user(s);
    let _ = parse_tags(s);
    let _ = s.parse::<Severity>();
    let _ = s.parse::<Status>();
    let _ = s.parse::<Kind>();
    let _ = s.parse::<Impact>();
    let _ = s.parse::<Urgency>();
    let _ = s.parse::<PmStatus>();
    let _ = s.parse::<ActionKind>();
    let _ = s.parse::<ActionStatus>();
    let Ok(edit) = parse_assignment(s) else {
        return;
    };
    let m = PriorityMatrix::default();
    let now = chrono::DateTime::from_timestamp(1_790_000_000, 0).unwrap();
    let mut inc = sample_incident(1, now);
    let before = inc.clone();
    match edit.field.apply(&mut inc, &edit.value, &m, now) {
        Err(_) => assert_eq!(inc, before, "{s:?}"),
        Ok(_) => {
            let again = edit.field.apply(&mut inc, &edit.value, &m, now).unwrap();
            assert!(again.is_empty(), "{s:?} twice: {again:?}");
            let shown = edit.field.get(&inc).unwrap_or_default();
            let again = edit.field.apply(&mut inc, &shown, &m, now).unwrap();
            assert!(again.is_empty(), "{s:?} shown as {shown:?}: {again:?}");
            // The field's name round-trips too.
            assert_eq!(edit.field.name().parse::<Field>(), Ok(edit.field));
        }
    }
});
