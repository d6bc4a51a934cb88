use super::*;
use crate::clock::{Clock, FixedClock};
use crate::config::Config;
use crate::domain::*;
use crate::ops::{Ctx, Edit};
use chrono::TimeZone;
use testdb::TestDb;

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
            e.to_string()
                .contains("schema version 99, newer than this sev understands (6): upgrade sev"),
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

fn plan(s: &Store, sql: &str) -> String {
    let plan: Vec<String> = s
        .conn()
        .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
        .unwrap()
        .query_map([], |r| r.get::<_, String>(3))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    plan.join("; ")
}

#[test]
fn list_query_uses_the_index() {
    let (_d, s) = temp_store();
    for w in ["WHERE attention < 2", ""] {
        let plan = plan(&s, &format!("SELECT id FROM incidents {w} {ORDER}"));
        assert!(plan.contains("incidents_attention"), "{plan}");
        assert!(
            !plan.contains("TEMP B-TREE"),
            "list order must come from the index: {plan}"
        );
    }
}

/// Issue 10 fix 2: the worst fire is on top. Active (triage, acknowledged,
/// investigating) before mitigated before finished; then severity, then
/// priority, then the oldest.
#[test]
fn default_order_puts_what_needs_a_responder_first() {
    for db in TestDb::all() {
        let s = db.open();
        let cfg = Config::builtin();
        let c = clock();
        let cx = ctx(&s, &cfg, &c, "alice");
        let make = |title: &str, sev: Severity, impact: Impact, to: &[Status]| {
            let i = cx
                .create(&NewIncident {
                    severity: Some(sev),
                    impact: Some(impact),
                    urgency: Some(Urgency::Medium),
                    ..new(title)
                })
                .unwrap();
            for st in to {
                let t = match st {
                    Status::Resolved => Transition::Resolve {
                        summary: "fixed".into(),
                    },
                    s => Transition::To(*s),
                };
                cx.transition(i.id, &t, None).unwrap();
            }
            c.advance(chrono::Duration::minutes(1));
            i.id
        };
        use Status::*;
        let mitigated_a = make(
            "mitigated sev2 old",
            Severity::Sev2,
            Impact::High,
            &[Acknowledged, Mitigated],
        );
        let mitigated_b = make(
            "mitigated sev2 new",
            Severity::Sev2,
            Impact::High,
            &[Acknowledged, Mitigated],
        );
        let resolved = make("resolved sev1", Severity::Sev1, Impact::High, &[Resolved]);
        let triage_low = make("triage sev3 low", Severity::Sev3, Impact::Low, &[]);
        let triage_high = make("triage sev3 high", Severity::Sev3, Impact::High, &[]);
        let investigating = make(
            "investigating sev1",
            Severity::Sev1,
            Impact::Low,
            &[Acknowledged, Investigating],
        );
        let triage_old = make("triage sev3 high later", Severity::Sev3, Impact::High, &[]);
        let all = ListQuery {
            scope: Scope::All,
            ..Default::default()
        };
        let expected = vec![
            investigating,
            triage_high,
            triage_old,
            triage_low,
            mitigated_a,
            mitigated_b,
            resolved,
        ];
        let got: Vec<IncidentId> = s.list(&all).unwrap().rows.iter().map(|i| i.id).collect();
        assert_eq!(got, expected);
        assert_eq!(s.list_ids(&all).unwrap(), expected);
        let open: Vec<IncidentId> = s.list_ids(&ListQuery::default()).unwrap();
        assert_eq!(open, expected[..6].to_vec());
        let searched: Vec<IncidentId> = s
            .search_rows(&all)
            .unwrap()
            .rows
            .iter()
            .map(|r| r.id)
            .collect();
        assert_eq!(searched, expected, "search ranks ties in list order");
    }
}

#[test]
fn an_unknown_event_kind_is_an_error_naming_the_event() {
    for db in TestDb::all() {
        let s = db.open();
        let (config, clock) = (Config::builtin(), clock());
        let c = ctx(&s, &config, &clock, "alice");
        let id = c.create(&new("db down")).unwrap().id;
        corrupt(
            &s,
            &format!(
                "INSERT INTO events (id, incident_id, at, actor, kind, text) VALUES (99, {}, 0, 'x', 'escalated', 'page')",
                id.0
            ),
        );
        let e = s.events(id).unwrap_err();
        assert_eq!(e.exit_code(), crate::error::exit::UNAVAILABLE);
        assert_eq!(
            e.to_string(),
            format!(
                "event #99 of {id} is unreadable: its kind is bad: 'escalated' is not an event kind this sev knows — restore a backup or run sev doctor"
            )
        );
    }
}

#[test]
fn an_unreadable_postmortem_is_an_error_not_an_empty_one() {
    for db in TestDb::all() {
        let s = db.open();
        let (config, clock) = (Config::builtin(), clock());
        let c = ctx(&s, &config, &clock, "alice");
        let id = c.create(&new("db down")).unwrap().id;
        c.set_section(id, "summary", "it broke").unwrap();
        corrupt(
            &s,
            &format!(
                "UPDATE postmortems SET sections = '{{\"summary\": ' WHERE incident_id = {}",
                id.0
            ),
        );
        let e = s.postmortem(id).unwrap_err();
        assert_eq!(e.exit_code(), crate::error::exit::UNAVAILABLE);
        let msg = e.to_string();
        assert!(
            msg.starts_with(&format!(
                "the postmortem of {id} is unreadable: its sections is bad: not a JSON object"
            )),
            "{msg}"
        );
        // Writing over it is refused too: it would lose what is there.
        assert!(c.set_section(id, "summary", "new").is_err());
        c.add_action(
            id,
            &crate::ops::NewAction {
                description: "fix it".into(),
                ..Default::default()
            },
        )
        .unwrap();
        corrupt(&s, "UPDATE action_items SET status = 'someday'");
        let e = s.actions(&ActionQuery::default()).unwrap_err().to_string();
        assert!(
            e.starts_with(&format!(
                "action item ACT-1 (of {id}) is unreadable: its status is bad: 'someday'"
            )),
            "{e}"
        );
    }
}

#[test]
fn disk_io_errors_are_unavailable_not_internal() {
    // Issue 9 item 14: SQLITE_IOERR (e.g. the -shm cannot be created on a
    // full disk) was exit 1 "disk I/O error"; it is exit 5 with the cause.
    let e = rusqlite::Error::SqliteFailure(
        rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_IOERR_SHMOPEN),
        None,
    );
    let dir = tempfile::tempdir().unwrap();
    let err = super::db_error(&dir.path().join("sev.db"), e);
    assert_eq!(err.exit_code(), crate::error::exit::UNAVAILABLE, "{err}");
    assert!(err.to_string().contains("disk I/O error"), "{err}");
}

/// Corrupt a row the way a broken disk or a hand edit would.
fn corrupt(s: &Store, sql: &str) {
    s.exec_raw(sql).unwrap();
}

#[test]
fn one_corrupt_row_does_not_hide_the_others() {
    let (_d, s) = temp_store();
    let (config, clock) = (Config::builtin(), clock());
    let c = ctx(&s, &config, &clock, "alice");
    let ids: Vec<IncidentId> = ["first", "second", "third"]
        .iter()
        .map(|t| c.create(&new(t)).unwrap().id)
        .collect();
    corrupt(
        &s,
        &format!(
            "UPDATE incidents SET title = CAST(x'6f6bff' AS TEXT) WHERE id = {}",
            ids[1].0
        ),
    );
    corrupt(
        &s,
        &format!(
            "UPDATE incidents SET status = 'bogus' WHERE id = {}",
            ids[2].0
        ),
    );
    let all = ListQuery {
        scope: Scope::All,
        ..Default::default()
    };
    let listed = s.list(&all).unwrap();
    assert_eq!(
        listed.rows.iter().map(|i| i.id).collect::<Vec<_>>(),
        vec![ids[0]]
    );
    assert_eq!(
        listed
            .unreadable
            .iter()
            .map(|u| u.id)
            .collect::<Vec<_>>()
            .len(),
        2
    );
    let msg = listed.check().unwrap_err();
    assert_eq!(msg.exit_code(), crate::error::exit::UNAVAILABLE);
    let e = s.get(ids[1]).unwrap_err();
    assert_eq!(e.exit_code(), crate::error::exit::UNAVAILABLE);
    assert_eq!(
        e.to_string(),
        format!(
            "{} is unreadable: its title is not valid UTF-8 text — restore a backup or run sev doctor",
            ids[1]
        )
    );
    let e = s.get(ids[2]).unwrap_err().to_string();
    assert!(e.contains("its status is bad: 'bogus'"), "{e}");
    let many = s.get_many(&ids).unwrap();
    assert_eq!(many.rows.len(), 1);
    assert_eq!(many.unreadable[0].id, ids[1]);
    let search = s.search_rows(&all).unwrap();
    assert_eq!(search.rows.len(), 2, "only the title is needed to search");
    assert_eq!(search.unreadable.len(), 1);
    // Changing an unreadable row is refused the same way, writing nothing.
    let e = c
        .set(ids[1], &[Edit::new(Field::Assignee, "bob")], None)
        .unwrap_err();
    assert_eq!(e.exit_code(), crate::error::exit::UNAVAILABLE);
}

/// PostgreSQL: a connection the server drops is said once ("lost the
/// connection"), then re-made; what changed meanwhile moves the version.
#[test]
fn a_dropped_postgres_connection_is_said_and_remade() {
    let Some(db) = TestDb::postgres() else { return };
    let a = db.open();
    let cfg = Config::builtin();
    let c = clock();
    let inc = ctx(&a, &cfg, &c, "alice").create(&new("x")).unwrap();
    let before = a.data_version().unwrap();
    let pid = a.pg_backend_pid().unwrap();
    db.psql(&format!("SELECT pg_terminate_backend({pid})"));
    let t = std::time::Instant::now();
    let e = loop {
        match a.data_version() {
            Err(e) => break e,
            Ok(_) => assert!(t.elapsed().as_secs() < 1, "the drop is not noticed"),
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    };
    assert_eq!(e.exit_code(), crate::error::exit::UNAVAILABLE);
    assert!(e.to_string().contains("lost the connection"), "{e}");
    let after = a.data_version().unwrap();
    assert_ne!(after, before, "a reconnect makes the screen reload");
    assert_eq!(a.get(inc.id).unwrap().title, "x");
}

/// PostgreSQL: a database holding another application's tables is not
/// taken over, and a read never creates sev's schema.
#[test]
fn postgres_refuses_another_applications_database() {
    let Some(db) = TestDb::postgres() else { return };
    let e = Store::open_existing(&db.locator).err().unwrap();
    assert_eq!(e.exit_code(), crate::error::exit::NOT_FOUND, "{e}");
    db.psql("CREATE TABLE accounts (id int)");
    let e = Store::open(&db.locator).err().unwrap();
    assert!(
        e.to_string().contains("another application's tables"),
        "{e}"
    );
    assert_eq!(e.exit_code(), crate::error::exit::UNAVAILABLE);
}

/// A URL with a password: shown masked everywhere (`path()`), kept as given
/// only to open more connections in this process (`locator()`, which the
/// search worker and the hang-up handler use; with the masked one they
/// would log in with "***").
#[test]
fn postgres_path_is_masked_and_locator_reopens() {
    let Some(db) = TestDb::postgres() else { return };
    let url = db
        .locator
        .to_str()
        .unwrap()
        .replacen("://root@", "://root:pw-9f3@", 1);
    let s = Store::open(std::path::Path::new(&url)).unwrap();
    assert!(!s.path().to_str().unwrap().contains("pw-9f3"));
    assert!(s.path().to_str().unwrap().contains("root:***@"));
    assert_eq!(s.locator().to_str().unwrap(), url);
    Store::open_for_user(s.locator(), false).unwrap();
}

/// One clock: on PostgreSQL every time a write stores — the events' and the
/// incident's own (acknowledged_at, mitigated_at, resolved_at,
/// `detected_at=now`, a postmortem's published_at) — is the server's, even
/// when the client's clock is a day ahead or behind, so the incident's
/// times always equal its timeline's. SQLite keeps the injected clock.
#[test]
fn stored_times_come_from_one_clock_however_far_the_client_drifts() {
    use crate::domain::PmStatus;
    for drift in [chrono::Duration::days(1), chrono::Duration::days(-1)] {
        for db in TestDb::all() {
            let s = db.open();
            let cfg = Config::builtin();
            // Whole seconds, as stored.
            let at = chrono::DateTime::from_timestamp(chrono::Utc::now().timestamp(), 0).unwrap();
            let c = FixedClock::at(at + drift);
            let client = c.now();
            let cx = ctx(&s, &cfg, &c, "alice");
            let inc = cx.create(&new("clock drift")).unwrap();
            cx.acknowledge(inc.id, None).unwrap();
            cx.transition(inc.id, &Transition::To(Status::Mitigated), None)
                .unwrap();
            cx.set(inc.id, &[Edit::new(Field::DetectedAt, "now")], None)
                .unwrap();
            let done = cx
                .transition(
                    inc.id,
                    &Transition::Resolve {
                        summary: "rolled back".into(),
                    },
                    None,
                )
                .unwrap();
            cx.write_section(inc.id, "summary", "what happened")
                .unwrap();
            let pm = cx.set_pm_status(inc.id, PmStatus::Published).unwrap();
            let events = s.events(inc.id).unwrap();
            let status_at = |st: &str| {
                events
                    .iter()
                    .find(|e| e.kind == EventKind::Status && e.new.as_deref() == Some(st))
                    .unwrap_or_else(|| panic!("no move to {st}: {events:?}"))
                    .at
            };
            let stored = [
                ("created_at", done.created_at, events[0].at),
                (
                    "acknowledged_at",
                    done.acknowledged_at.unwrap(),
                    status_at("acknowledged"),
                ),
                (
                    "mitigated_at",
                    done.mitigated_at.unwrap(),
                    status_at("mitigated"),
                ),
                (
                    "resolved_at",
                    done.resolved_at.unwrap(),
                    status_at("resolved"),
                ),
            ];
            let got = s.get(inc.id).unwrap();
            assert_eq!(got.resolved_at, done.resolved_at, "{}", db.name());
            for (what, t, event_at) in stored {
                assert_eq!(t, event_at, "{what} vs its event on {}", db.name());
            }
            let times = stored.iter().map(|(w, t, _)| (*w, *t)).chain([
                ("detected_at", got.detected_at.unwrap()),
                ("published_at", pm.published_at.unwrap()),
                ("updated_at", got.updated_at),
            ]);
            for (what, t) in times {
                if db.is_postgres() {
                    // Same host here, so the server's clock is this one's.
                    let off = (t - chrono::Utc::now()).num_seconds().abs();
                    assert!(
                        off < 60,
                        "{what} {t} is not the server's time (client says {client}, drift {drift})"
                    );
                } else {
                    assert_eq!(t, client, "{what} on sqlite is the injected clock's");
                }
            }
        }
    }
}
