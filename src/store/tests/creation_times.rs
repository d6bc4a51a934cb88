//! Times given when logging an incident (`sev new --impact-start -10m
//! --detected "5m ago"`) count back from the write's own clock: on
//! PostgreSQL the server's, like the incident's `created_at`.

use super::*;
use crate::ops::GivenTimes;

/// With the client's clock a day off either way, relative times given at
/// creation are the server's time minus the offset on PostgreSQL (exactly
/// `created_at` minus it), and the injected clock's on SQLite. Before,
/// they came from the client: a day early, or refused as after the
/// incident was logged.
#[test]
fn relative_times_at_creation_count_back_from_the_write_clock() {
    for drift in [chrono::Duration::days(1), chrono::Duration::days(-1)] {
        for db in TestDb::all() {
            let s = db.open();
            let cfg = Config::builtin();
            let real = chrono::DateTime::from_timestamp(chrono::Utc::now().timestamp(), 0).unwrap();
            let c = FixedClock::at(real + drift);
            let cx = ctx(&s, &cfg, &c, "alice");
            let given = GivenTimes {
                impact_started: Some("-10m".into()),
                detected: Some("5m ago".into()),
            };
            let inc = cx.create_with_times(&new("drifted"), &given).unwrap();
            let stored = s.get(inc.id).unwrap();
            assert_eq!(stored, inc, "{}", db.name());
            let created = stored.created_at;
            if db.is_postgres() {
                let off = (created - chrono::Utc::now()).num_seconds().abs();
                assert!(off < 60, "created_at {created} is not the server's time");
            } else {
                assert_eq!(created, c.now(), "sqlite keeps the injected clock");
            }
            let minutes = |m| created - chrono::Duration::minutes(m);
            assert_eq!(stored.impact_started_at, Some(minutes(10)), "{}", db.name());
            assert_eq!(stored.detected_at, Some(minutes(5)), "{}", db.name());
        }
    }
}

/// A time that cannot be, refused whole: nothing is logged.
#[test]
fn impossible_times_at_creation_log_nothing() {
    for db in TestDb::all() {
        let s = db.open();
        let (cfg, clock) = (Config::builtin(), clock());
        let cx = ctx(&s, &cfg, &clock, "alice");
        for (start, detected, says) in [
            ("-5m", "-10m", "impact cannot start after it was detected"),
            (
                "ten minutes",
                "-1m",
                "invalid impact_started_at 'ten minutes'",
            ),
            ("-1m", "-1h ago", "invalid detected_at"),
        ] {
            let given = GivenTimes {
                impact_started: Some(start.into()),
                detected: Some(detected.into()),
            };
            let e = cx.create_with_times(&new("never"), &given).unwrap_err();
            assert!(matches!(e, Error::Domain(_)), "{e}");
            assert!(e.to_string().contains(says), "{}: {e}", db.name());
        }
        assert_eq!(s.last_event_id().unwrap(), 0, "{}", db.name());
    }
}
