use super::*;
use crate::clock::{Clock, FixedClock};
use crate::config::Config;
use crate::domain::*;
use crate::ops::{Ctx, Edit};
use chrono::TimeZone;
use testdb::TestDb;

mod copying;
mod creation_times;
mod evidence;
mod one_trip;
mod order_damage_clock;

pub(crate) fn temp_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(&dir.path().join("sev.db")).unwrap();
    (dir, s)
}

fn clock() -> FixedClock {
    FixedClock::at(chrono::Utc.with_ymd_and_hms(2026, 5, 4, 3, 2, 1).unwrap())
}

fn ctx<'a>(store: &'a Store, config: &'a Config, clock: &'a FixedClock, actor: &str) -> Ctx<'a> {
    Ctx {
        store,
        config,
        actor: actor.into(),
        clock,
    }
}

/// A time the store recorded: the caller's clock on SQLite, the server's
/// transaction time on PostgreSQL (one clock for every host).
fn assert_at(
    db: &TestDb,
    got: chrono::DateTime<chrono::Utc>,
    clock_now: chrono::DateTime<chrono::Utc>,
) {
    if db.is_postgres() {
        let off = (got - chrono::Utc::now()).num_seconds().abs();
        assert!(off < 60, "server time expected, got {got}");
    } else {
        assert_eq!(got, clock_now);
    }
}

fn new(title: &str) -> NewIncident {
    NewIncident {
        title: title.into(),
        ..Default::default()
    }
}

#[test]
fn migrates_from_empty_and_reopens() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sev.db");
    let s = Store::open(&path).unwrap();
    assert_eq!(
        s.schema_info().unwrap(),
        (MIGRATIONS.len() as i64, schema::APPLICATION_ID)
    );
    let mode: String = s
        .conn()
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let fk: i64 = s
        .conn()
        .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
        .unwrap();
    assert_eq!(fk, 1);
    drop(s);
    Store::open(&path).unwrap();
}

#[test]
fn refuses_a_newer_schema() {
    for db in TestDb::all() {
        let s = db.open();
        if db.is_postgres() {
            db.psql("UPDATE sev_schema SET version = 99");
        } else {
            s.conn().pragma_update(None, "user_version", 99).unwrap();
        }
        drop(s);
        let e = Store::open(&db.locator).err().unwrap();
        assert!(
            e.to_string().contains(&format!(
                "schema version 99, newer than this sev understands ({}): upgrade sev",
                MIGRATIONS.len()
            )),
            "{}: {e}",
            db.name()
        );
        assert_eq!(e.exit_code(), 5);
    }
}

#[test]
fn refuses_another_applications_database() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.db");
    let c = rusqlite::Connection::open(&path).unwrap();
    c.execute_batch("CREATE TABLE t (x)").unwrap();
    drop(c);
    let e = Store::open(&path).err().unwrap();
    assert!(e.to_string().contains("not a sev database"), "{e}");
}

#[test]
fn create_get_and_created_event() {
    for db in TestDb::all() {
        let s = db.open();
        let cfg = Config::builtin();
        let c = clock();
        let cx = ctx(&s, &cfg, &c, "alice");
        let inc = cx
            .create(&NewIncident {
                title: "Checkout 500s".into(),
                impact: Some(Impact::High),
                urgency: Some(Urgency::High),
                tags: vec!["a".into(), "b".into()],
                ..Default::default()
            })
            .unwrap();
        assert_eq!(inc.id, IncidentId(1));
        let got = s.get(inc.id).unwrap();
        assert_eq!(got, inc);
        assert_eq!(got.priority, Priority::P1);
        assert_eq!(got.reporter, "alice");
        let ev = s.events(inc.id).unwrap();
        assert_eq!(ev.len(), 1);
        assert_eq!(ev[0].kind, EventKind::Created);
        assert_at(&db, ev[0].at, c.now());
        assert!(matches!(
            s.get(IncidentId(99)),
            Err(crate::error::Error::NotFound(_))
        ));
    }
}

#[test]
fn every_change_bumps_version_and_appends_events_atomically() {
    for db in TestDb::all() {
        let s = db.open();
        let cfg = Config::builtin();
        let c = clock();
        let cx = ctx(&s, &cfg, &c, "bob");
        let inc = cx.create(&new("x")).unwrap();
        let after = cx
            .set(inc.id, &[Edit::new(Field::Impact, "high")], None)
            .unwrap();
        assert_eq!(after.version, 2);
        assert_eq!(s.get(inc.id).unwrap().priority, Priority::P2);
        let ev = s.events(inc.id).unwrap();
        assert_eq!(ev.len(), 3, "created + impact + priority");
        assert_eq!(
            (ev[2].field.as_deref(), ev[2].new.as_deref()),
            (Some("priority"), Some("P2"))
        );

        // A failing edit in the middle of a batch writes nothing at all.
        let e = cx
            .set(
                inc.id,
                &[
                    Edit::new(Field::Assignee, "carol"),
                    Edit::new(Field::Severity, "SEV9"),
                ],
                None,
            )
            .unwrap_err();
        assert_eq!(e.exit_code(), 2);
        let now = s.get(inc.id).unwrap();
        assert_eq!((now.assignee, now.version), (None, 2));
        assert_eq!(s.events(inc.id).unwrap().len(), 3);
    }
}

#[test]
fn stale_edit_of_same_field_is_a_conflict_naming_both_values() {
    for db in TestDb::all() {
        let s = db.open();
        let cfg = Config::builtin();
        let c = clock();
        let alice = ctx(&s, &cfg, &c, "alice");
        let inc = alice.create(&new("x")).unwrap();
        // Both read version 1; alice saves first.
        alice
            .set(
                inc.id,
                &[Edit::new(Field::Severity, "SEV1").seen(&inc)],
                None,
            )
            .unwrap();
        let bob = ctx(&s, &cfg, &c, "bob");
        let e = bob
            .set(
                inc.id,
                &[Edit::new(Field::Severity, "SEV4").seen(&inc)],
                None,
            )
            .unwrap_err();
        let crate::error::Error::Conflict(cf) = &e else {
            panic!("{e}")
        };
        assert_eq!(
            (cf.stored.as_deref(), cf.attempted.as_deref()),
            (Some("SEV1"), Some("SEV4"))
        );
        assert_eq!(e.exit_code(), 4);
        assert!(
            e.to_string().contains("'SEV1'") && e.to_string().contains("'SEV4'"),
            "{e}"
        );
        assert_eq!(s.get(inc.id).unwrap().severity, Severity::Sev1);
        // A different field on the same stale read merges cleanly.
        bob.set(inc.id, &[Edit::new(Field::Service, "api").seen(&inc)], None)
            .unwrap();
        // Strict version check (scripts) refuses any staleness.
        let e = bob
            .set(inc.id, &[Edit::new(Field::Category, "dns")], Some(1))
            .unwrap_err();
        assert_eq!(e.exit_code(), 4);
    }
}

#[test]
fn stale_transition_is_a_conflict() {
    for db in TestDb::all() {
        let s = db.open();
        let cfg = Config::builtin();
        let c = clock();
        let cx = ctx(&s, &cfg, &c, "alice");
        let inc = cx.create(&new("x")).unwrap();
        cx.acknowledge(inc.id, Some(Status::Triage)).unwrap();
        let e = cx
            .transition(
                inc.id,
                &Transition::Cancel {
                    reason: "dup".into(),
                },
                Some(Status::Triage),
            )
            .unwrap_err();
        assert_eq!(e.exit_code(), 4, "{e}");
        assert_eq!(s.get(inc.id).unwrap().status, Status::Acknowledged);
    }
}

#[test]
fn acknowledge_assigns_and_notes_do_not_bump_version() {
    for db in TestDb::all() {
        let s = db.open();
        let cfg = Config::builtin();
        let c = clock();
        let cx = ctx(&s, &cfg, &c, "alice");
        let inc = cx.create(&new("x")).unwrap();
        let a = cx.acknowledge(inc.id, None).unwrap();
        assert_eq!(a.assignee.as_deref(), Some("alice"));
        assert_at(&db, a.acknowledged_at.unwrap(), c.now());
        cx.note(inc.id, "looking at dashboards").unwrap();
        assert_eq!(s.get(inc.id).unwrap().version, a.version);
        assert!(cx.note(inc.id, "   ").is_err());
        assert!(matches!(
            cx.note(IncidentId(5), "x"),
            Err(crate::error::Error::NotFound(_))
        ));
    }
}

#[test]
fn events_are_append_only() {
    for db in TestDb::all() {
        let s = db.open();
        let cfg = Config::builtin();
        let c = clock();
        let cx = ctx(&s, &cfg, &c, "alice");
        let inc = cx.create(&new("x")).unwrap();
        let e = s.exec_raw("UPDATE events SET text = 'forged'").unwrap_err();
        assert!(e.to_string().contains("append-only"), "{}: {e}", db.name());
        assert!(s.exec_raw("DELETE FROM events").is_err());
        if db.is_postgres() {
            assert!(s.exec_raw("TRUNCATE events CASCADE").is_err());
        }
        assert_eq!(s.events(inc.id).unwrap()[0].text.as_deref(), Some("x"));
    }
}

#[test]
fn two_connections_see_each_others_commits_via_data_version() {
    for db in TestDb::all() {
        let a = db.open();
        let b = db.open();
        let cfg = Config::builtin();
        let c = clock();
        let before = b.data_version().unwrap();
        let inc = ctx(&a, &cfg, &c, "alice").create(&new("from a")).unwrap();
        // SQLite: at once; PostgreSQL: the NOTIFY arrives within a second.
        let t = std::time::Instant::now();
        while b.data_version().unwrap() == before {
            assert!(t.elapsed().as_secs() < 1, "{}: no change seen", db.name());
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        assert_eq!(b.get(inc.id).unwrap().title, "from a");
        ctx(&b, &cfg, &c, "bob").note(inc.id, "from b").unwrap();
        assert_eq!(a.events(inc.id).unwrap().len(), 2);
    }
}

#[test]
fn list_filters_and_orders() {
    for db in TestDb::all() {
        let s = db.open();
        let cfg = Config::builtin();
        let c = clock();
        let cx = ctx(&s, &cfg, &c, "alice");
        let low = cx
            .create(&NewIncident {
                impact: Some(Impact::Low),
                urgency: Some(Urgency::Low),
                ..new("low one")
            })
            .unwrap();
        c.advance(chrono::Duration::minutes(1));
        let high = cx
            .create(&NewIncident {
                impact: Some(Impact::High),
                service: Some("api".into()),
                ..new("High 100% one")
            })
            .unwrap();
        c.advance(chrono::Duration::minutes(1));
        let done = cx.create(&new("done")).unwrap();
        cx.transition(
            done.id,
            &Transition::Resolve {
                summary: "ok".into(),
            },
            None,
        )
        .unwrap();

        let ids = |q: &ListQuery| {
            s.list(q)
                .unwrap()
                .rows
                .into_iter()
                .map(|i| i.id)
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(&ListQuery::default()), vec![high.id, low.id]);
        assert_eq!(
            ids(&ListQuery {
                scope: Scope::All,
                ..Default::default()
            }),
            vec![high.id, low.id, done.id]
        );
        assert_eq!(
            ids(&ListQuery {
                scope: Scope::Status(Status::Resolved),
                ..Default::default()
            }),
            vec![done.id]
        );
        assert_eq!(
            ids(&ListQuery {
                service: Some("api".into()),
                ..Default::default()
            }),
            vec![high.id]
        );
        assert_eq!(
            ids(&ListQuery {
                search: Some("LOW".into()),
                ..Default::default()
            }),
            vec![low.id]
        );
        assert_eq!(
            ids(&ListQuery {
                search: Some("100%".into()),
                ..Default::default()
            }),
            vec![high.id]
        );
        assert_eq!(
            ids(&ListQuery {
                search: Some("INC-1".into()),
                ..Default::default()
            }),
            vec![low.id]
        );
        assert_eq!(
            ids(&ListQuery {
                limit: Some(1),
                ..Default::default()
            }),
            vec![high.id]
        );
        assert_eq!(
            s.count(&ListQuery {
                scope: Scope::All,
                ..Default::default()
            })
            .unwrap(),
            3
        );
        assert_eq!(
            s.list_ids(&ListQuery::default()).unwrap(),
            vec![high.id, low.id]
        );
        let many = s.get_many(&[done.id, low.id, IncidentId(77)]).unwrap();
        assert_eq!(
            many.rows.iter().map(|i| i.id).collect::<Vec<_>>(),
            vec![done.id, low.id]
        );
    }
}

/// Schema 8 gave action items a done time: items done before it take the
/// time their timeline recorded; done later, the time they were marked.
#[test]
fn step_8_backfills_when_action_items_were_done_from_the_timeline() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sev.db");
    let s = Store::open(&path).unwrap();
    let clock = crate::clock::FixedClock::at(
        chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 11, 2, 9, 0, 0).unwrap(),
    );
    let config = crate::config::Config::builtin();
    let cx = crate::ops::Ctx {
        store: &s,
        config: &config,
        actor: "alice".into(),
        clock: &clock,
    };
    let inc = cx.create(&new("disk full")).unwrap();
    let a = cx
        .add_action(
            inc.id,
            &crate::ops::NewAction {
                description: "alert on disk".into(),
                ..Default::default()
            },
        )
        .unwrap();
    clock.advance(chrono::Duration::hours(5));
    let done = cx.action_done(a.id).unwrap();
    assert_eq!(done.done_at, Some(clock.now()));
    // As a database from before step 8: no column, then the step again.
    s.conn()
        .execute_batch(
            "DROP INDEX action_items_done; ALTER TABLE action_items DROP COLUMN done_at;
             DROP INDEX alerts_received; DROP INDEX incidents_created;
             DROP TABLE outbox; DROP TABLE escalations; DROP TABLE oncall_overrides;
             DROP TABLE contacts; PRAGMA user_version = 7;",
        )
        .unwrap();
    drop(s);
    let s = Store::open(&path).unwrap();
    assert_eq!(s.action(a.id).unwrap().done_at, Some(clock.now()));
}

/// The metrics view's slim read gives each incident's classification and
/// times exactly as the full read does, on both backends.
#[test]
fn incident_times_match_the_full_rows() {
    for db in TestDb::all() {
        let s = db.open();
        let t0 = chrono::Utc::now() - chrono::Duration::days(3);
        let items: Vec<_> = crate::demo::Generator::new(60, 3, t0).collect();
        s.insert_batch(&items).unwrap();
        let (since, until) = (
            t0 - chrono::Duration::days(400),
            t0 + chrono::Duration::days(1),
        );
        let full = s.incidents_logged(since, until).unwrap().rows;
        let slim = s.incident_times(since, until).unwrap().rows;
        assert!(full.len() > 10, "{}", db.name());
        assert_eq!(full.len(), slim.len(), "{}", db.name());
        for (f, l) in full.iter().zip(&slim) {
            let key = |i: &Incident| {
                (
                    i.id,
                    i.kind,
                    i.status,
                    i.severity,
                    i.priority,
                    i.created_at,
                    [
                        i.impact_started_at,
                        i.detected_at,
                        i.acknowledged_at,
                        i.mitigated_at,
                        i.resolved_at,
                    ],
                    i.category.clone(),
                    i.service.clone(),
                )
            };
            assert_eq!(key(f), key(l), "{}", db.name());
        }
    }
}
