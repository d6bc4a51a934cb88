//! Paging's people and words: the live directory's templates, overrides
//! as stored, stakeholder updates' messages, contacts (both backends where
//! they touch the store).

use super::Directory;
use super::tests::{OutboxQuery, log, paging, t0};
use crate::domain::sample_incident;
use crate::store::testdb::TestDb;
use chrono::Duration;

#[test]
fn the_live_directory_pages_first_and_then_says_it_escalated() {
    let db = TestDb::sqlite();
    let store = db.open();
    let config = crate::config::Config::builtin();
    let dir = super::directory::Live::load(&config, &store, t0()).unwrap();
    let mut inc = sample_incident(7, t0());
    inc.title = "checkout 500s".into();
    let (subject, body) = dir.render_page(&inc, "alice", 1, 2, None, t0());
    assert!(subject.contains("INC-7 checkout 500s"), "{subject}");
    assert!(!subject.contains("escalated"), "{subject}");
    assert!(!body.contains("Not acknowledged"), "{body}");
    let (subject, body) = dir.render_page(&inc, "bob", 2, 2, Some(&["alice".into()]), t0());
    assert!(
        subject.contains("INC-7 escalated (step 2 of 2)"),
        "{subject}"
    );
    assert!(
        body.contains("Not acknowledged by alice; you are next."),
        "{body}"
    );
}

#[test]
fn overrides_are_read_per_schedule_or_all_at_once_on_both_backends() {
    use crate::store::respond::OverrideRow;
    for db in TestDb::all() {
        let store = db.open();
        let at = |h: i64| t0() + Duration::hours(h);
        for (schedule, user, from, until) in [
            ("primary", "carol", 0, 8),
            ("payments", "dave", 1, 3),
            ("primary", "erin", -5, -1), // over before the asked time
        ] {
            let row = OverrideRow {
                id: 0,
                schedule: schedule.into(),
                user: user.into(),
                from: at(from),
                until: at(until),
                created_by: "alice".into(),
                created_at: at(-6),
                removed_by: None,
                removed_at: None,
            };
            store.respond(at(-6), |tx| tx.add_override(&row)).unwrap();
        }
        let users = |rows: Vec<OverrideRow>| -> Vec<(String, String)> {
            rows.into_iter().map(|r| (r.schedule, r.user)).collect()
        };
        let name = db.name();
        assert_eq!(
            users(store.overrides(Some("primary"), at(0)).unwrap()),
            [("primary".to_string(), "carol".to_string())],
            "{name}"
        );
        assert_eq!(
            users(store.overrides(None, at(0)).unwrap()),
            [
                ("primary".to_string(), "carol".to_string()),
                ("payments".to_string(), "dave".to_string())
            ],
            "{name}"
        );
        assert!(store.overrides(Some("nosuch"), at(0)).unwrap().is_empty());
        assert_eq!(store.overrides(None, at(-3)).unwrap().len(), 3, "{name}");
    }
}

#[test]
fn two_updates_in_the_same_second_are_two_messages_and_a_channel_named_twice_one() {
    use super::update::{Update, post};
    for db in TestDb::all() {
        let store = db.open();
        let mut p = paging(60, 0);
        p.update_channels = vec!["hook".into(), "hook".into()];
        p.services.get_mut("checkout").unwrap().stakeholders = vec!["hook".into(), "mail".into()];
        let id = log(&store, Some("checkout"), t0());
        let u = Update {
            status: "investigating".into(),
            impact: "5% of checkouts fail".into(),
            doing: String::new(),
            next_in: None,
        };
        let (_, first) = post(&store, &p, id, "alice", &u, t0()).unwrap();
        assert_eq!(first, ["hook", "mail"], "{}", db.name());
        post(&store, &p, id, "bob", &u, t0()).unwrap();
        let updates = store
            .outbox(&OutboxQuery {
                incident: Some(id),
                ..Default::default()
            })
            .unwrap()
            .into_iter()
            .filter(|r| r.kind == "update")
            .count();
        assert_eq!(updates, 4, "{}", db.name());
    }
}

#[test]
fn a_contact_named_twice_is_one_contact() {
    use crate::notify::{Contact, User};
    use crate::store::respond::ContactRow;
    let mut cfg = crate::config::Config::builtin();
    let hook = || Contact {
        channel: "hook".into(),
        to: "@alice".into(),
    };
    cfg.users.insert(
        "alice".into(),
        User {
            contacts: vec![hook(), hook()],
        },
    );
    let added = ContactRow {
        id: 1,
        user: "alice".into(),
        channel: "hook".into(),
        address: "@alice".into(),
        created_at: t0(),
    };
    let got = super::directory::contacts_of(&cfg, std::slice::from_ref(&added), "alice");
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].id, None, "the config's comes first");
    let other = ContactRow {
        address: "@alice2".into(),
        ..added
    };
    assert_eq!(
        super::directory::contacts_of(&cfg, &[other], "alice").len(),
        2
    );
}
