//! The store on both backends: list order and its index, unreadable rows
//! and events, dropped connections, and one clock for every stored time.

use super::*;

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
