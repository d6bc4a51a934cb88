//! Issue 10 fix 10 from the `:` line: impact start and detection times.

use super::*;
use crate::clock::Clock;

#[test]
fn colon_set_records_impact_start_and_detection() {
    let mut h = seeded();
    let id = h.app.list.selected_id().unwrap();
    h.keys(":");
    h.type_text("set impact_started_at=-20m detected_at=-5m");
    h.keys("enter");
    let inc = h.app.store.get(id).unwrap();
    assert_eq!(
        inc.impact_started_at,
        Some(h.clock.now() - chrono::Duration::minutes(20)),
        "{}",
        h.message()
    );
    assert_eq!(
        inc.detected_at,
        Some(h.clock.now() - chrono::Duration::minutes(5))
    );
    // A time in the future is refused with the reason, and nothing changes.
    h.keys(":");
    h.type_text("set detected_at=+1h");
    h.keys("enter");
    assert!(h.message().contains("detected_at"), "{}", h.message());
    h.app.run_command("detected_at 2999-01-01T00:00:00Z");
    assert!(h.message().contains("in the future"), "{}", h.message());
    assert_eq!(h.app.store.get(id).unwrap().version, inc.version);
}
