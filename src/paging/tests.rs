//! Escalation timing and the outbox worker, on both backends where the
//! server's clock allows (PostgreSQL stores its own time: the timing tests
//! that move a clock run on SQLite).

use super::Directory;
use super::config::{Paging, Policy, Service, Step, Target};
use super::deliver::{Courier, drain_once};
use super::escalate::tick;
use crate::domain::{EventKind, Incident, IncidentId, Status, sample_incident};
use crate::store::Store;
pub(super) use crate::store::respond::{OutboxQuery, OutboxRow};
use crate::store::testdb::TestDb;
use chrono::{DateTime, Duration, TimeZone, Utc};
use std::collections::BTreeMap;
use std::time::Duration as Std;

struct Table {
    on_call: BTreeMap<String, String>,
}

impl Directory for Table {
    fn on_call(&self, schedule: &str, _at: DateTime<Utc>) -> Option<String> {
        self.on_call.get(schedule).cloned()
    }
    fn contacts(&self, user: &str) -> Vec<(String, String)> {
        if user == "nobody" {
            return vec![];
        }
        vec![("hook".into(), format!("@{user}"))]
    }
    fn render_page(
        &self,
        inc: &Incident,
        user: &str,
        step: usize,
        of: usize,
        previous: Option<&[String]>,
        _now: DateTime<Utc>,
    ) -> (String, String) {
        let after = match previous {
            None => String::new(),
            Some(p) => format!(" (after {})", p.join(", ")),
        };
        (
            format!("{} for {user}", inc.id),
            format!("step {step} of {of}{after}: {}", inc.title),
        )
    }
}

fn table() -> Table {
    let mut on_call = BTreeMap::new();
    on_call.insert("primary".to_string(), "alice".to_string());
    Table { on_call }
}

pub(super) fn paging(second_after: u64, repeat: u32) -> Paging {
    let mut p = Paging::default();
    p.policies.insert(
        "pay".into(),
        Policy {
            name: "pay".into(),
            steps: vec![
                Step {
                    delay: Std::ZERO,
                    targets: vec![Target::Schedule("primary".into())],
                },
                Step {
                    delay: Std::from_secs(second_after),
                    targets: vec![Target::User("bob".into())],
                },
            ],
            repeat,
            repeat_after: Std::from_secs(60),
        },
    );
    p.services.insert(
        "checkout".into(),
        Service {
            escalation: Some("pay".into()),
            stakeholders: vec![],
        },
    );
    p
}

pub(super) fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 28, 12, 0, 0).unwrap()
}

pub(super) fn log(store: &Store, service: Option<&str>, now: DateTime<Utc>) -> IncidentId {
    let mut inc = sample_incident(0, now);
    inc.title = "checkout 500s".into();
    inc.service = service.map(String::from);
    inc.severity = crate::domain::Severity::Sev2;
    store.insert(&inc, "carol").unwrap().id
}

fn pages(store: &Store, id: IncidentId) -> Vec<OutboxRow> {
    let mut v = store
        .outbox(&OutboxQuery {
            incident: Some(id),
            ..Default::default()
        })
        .unwrap();
    v.reverse();
    v
}

fn page_events(store: &Store, id: IncidentId) -> Vec<String> {
    store
        .events(id)
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == EventKind::Page)
        .map(|e| e.text.unwrap_or_default())
        .collect()
}

fn set_status(store: &Store, id: IncidentId, s: Status, now: DateTime<Utc>) {
    store
        .modify(id, "alice", now, |inc, _| {
            let old = inc.status;
            inc.status = s;
            Ok(vec![crate::store::Record::Status {
                old,
                new: s,
                text: None,
            }])
        })
        .unwrap();
}

#[test]
fn steps_page_on_time_and_acknowledging_stops_them() {
    let db = TestDb::sqlite();
    let store = db.open();
    let p = paging(600, 0);
    let dir = table();
    let id = log(&store, Some("checkout"), t0());
    let other = log(&store, Some("search"), t0());
    let t = tick(&store, &p, &dir, t0()).unwrap();
    assert_eq!((t.started, t.steps, t.queued), (1, 1, 1), "{t:?}");
    let rows = pages(&store, id);
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (rows[0].recipient.as_str(), rows[0].address.as_str()),
        ("alice", "@alice")
    );
    assert!(pages(&store, other).is_empty(), "no policy for search");
    // Nothing more until step 2 is due.
    let t = tick(&store, &p, &dir, t0() + Duration::seconds(599)).unwrap();
    assert_eq!(t.steps, 0);
    let t = tick(&store, &p, &dir, t0() + Duration::seconds(600)).unwrap();
    assert_eq!(t.steps, 1);
    let rows = pages(&store, id);
    assert_eq!(rows[1].recipient, "bob");
    assert_ne!(rows[0].idem_key, rows[1].idem_key);
    // The second step's page says whom it follows; the first's does not.
    assert!(
        rows[0].body.starts_with("step 1 of 2: "),
        "{}",
        rows[0].body
    );
    assert!(
        rows[1].body.starts_with("step 2 of 2 (after alice): "),
        "{}",
        rows[1].body
    );
    // Exhausted after the last step: no more pages however long it waits.
    let t = tick(&store, &p, &dir, t0() + Duration::hours(5)).unwrap();
    assert_eq!(t.steps, 0);
    let ev = page_events(&store, id);
    assert!(ev[0].starts_with("escalating by policy pay"), "{ev:?}");
    assert!(
        ev[1].contains("paged alice via hook (step 1 of 2; step 2 in 10m"),
        "{ev:?}"
    );
    assert!(
        ev[2].contains("paged bob via hook (step 2 of 2; last step"),
        "{ev:?}"
    );
    // Acknowledged: the escalation stops, once.
    set_status(&store, id, Status::Acknowledged, t0() + Duration::hours(6));
    let t = tick(&store, &p, &dir, t0() + Duration::hours(6)).unwrap();
    assert_eq!(t.stopped, 0, "an exhausted escalation has nothing to stop");
    let id2 = log(&store, Some("checkout"), t0() + Duration::hours(7));
    tick(&store, &p, &dir, t0() + Duration::hours(7)).unwrap();
    set_status(&store, id2, Status::Acknowledged, t0() + Duration::hours(7));
    let t = tick(&store, &p, &dir, t0() + Duration::hours(7)).unwrap();
    assert_eq!(t.stopped, 1);
    let t = tick(&store, &p, &dir, t0() + Duration::hours(8)).unwrap();
    assert_eq!((t.stopped, t.steps), (0, 0));
    assert_eq!(pages(&store, id2).len(), 1, "step 2 never ran");
    assert!(
        page_events(&store, id2)
            .last()
            .unwrap()
            .starts_with("escalation stopped: acknowledged")
    );
}

#[test]
fn repeat_runs_the_steps_again_and_resolving_cancels_pending_pages() {
    let db = TestDb::sqlite();
    let store = db.open();
    let p = paging(60, 1);
    let dir = table();
    let id = log(&store, Some("checkout"), t0());
    for s in [0, 60, 60, 120, 180, 240] {
        tick(&store, &p, &dir, t0() + Duration::seconds(s)).unwrap();
    }
    let who: Vec<String> = pages(&store, id).into_iter().map(|r| r.recipient).collect();
    assert_eq!(
        who,
        ["alice", "bob", "alice", "bob"],
        "two rounds, then done"
    );
    // Each page after the first names whom it follows; a new round
    // follows the last step.
    let bodies: Vec<String> = pages(&store, id).into_iter().map(|r| r.body).collect();
    assert!(bodies[0].starts_with("step 1 of 2: "), "{bodies:?}");
    assert!(
        bodies[1].starts_with("step 2 of 2 (after alice): "),
        "{bodies:?}"
    );
    assert!(
        bodies[2].starts_with("step 1 of 2 (after bob): "),
        "{bodies:?}"
    );
    assert!(
        bodies[3].starts_with("step 2 of 2 (after alice): "),
        "{bodies:?}"
    );
    // Resolving cancels what was not delivered yet.
    set_status(&store, id, Status::Resolved, t0() + Duration::seconds(300));
    let t = tick(&store, &p, &dir, t0() + Duration::seconds(300)).unwrap();
    assert_eq!(t.stopped, 0, "exhausted already");
    let id2 = log(&store, Some("checkout"), t0() + Duration::seconds(400));
    tick(&store, &p, &dir, t0() + Duration::seconds(400)).unwrap();
    set_status(&store, id2, Status::Resolved, t0() + Duration::seconds(401));
    tick(&store, &p, &dir, t0() + Duration::seconds(401)).unwrap();
    let rows = pages(&store, id2);
    assert_eq!(rows[0].state, "cancelled");
    let ev = page_events(&store, id2);
    assert_eq!(
        ev.last().unwrap(),
        "escalation cancelled: the incident is resolved (1 page not sent)"
    );
}

#[test]
fn each_person_is_paged_once_a_step_and_never_named_to_themselves() {
    let db = TestDb::sqlite();
    let store = db.open();
    let mut p = paging(60, 0);
    let pay = p.policies.get_mut("pay").unwrap();
    pay.steps[0].targets.push(Target::User("nobody".into()));
    pay.steps[0].targets.push(Target::User("dave".into()));
    pay.steps[0].targets.push(Target::User("alice".into())); // primary's too
    pay.steps[1].targets = vec![Target::User("alice".into()), Target::User("bob".into())];
    let dir = table();
    let id = log(&store, Some("checkout"), t0());
    // alice is on call for primary and named too: paged once, said once.
    tick(&store, &p, &dir, t0()).unwrap();
    let rows = pages(&store, id);
    let first: Vec<&str> = rows.iter().map(|r| r.recipient.as_str()).collect();
    assert_eq!(first, ["alice", "dave"], "{rows:?}");
    let ev = page_events(&store, id);
    assert_eq!(ev[1].matches("paged alice").count(), 1, "{ev:?}");
    tick(&store, &p, &dir, t0() + Duration::seconds(60)).unwrap();
    let rows = pages(&store, id);
    let body = |who: &str, step: &str| {
        rows.iter()
            .find(|r| r.recipient == who && r.body.starts_with(step))
            .map(|r| r.body.clone())
            .unwrap_or_else(|| panic!("no {step} page to {who}: {rows:?}"))
    };
    assert!(body("alice", "step 2").starts_with("step 2 of 2 (after dave): "));
    assert!(body("bob", "step 2").starts_with("step 2 of 2 (after alice, dave): "));
}

#[test]
fn a_reopened_incident_escalates_again_and_gaps_are_said() {
    let db = TestDb::sqlite();
    let store = db.open();
    let mut p = paging(60, 0);
    p.policies.get_mut("pay").unwrap().steps[0]
        .targets
        .push(Target::User("nobody".into()));
    p.policies.get_mut("pay").unwrap().steps[0]
        .targets
        .push(Target::Schedule("empty".into()));
    let dir = table();
    let id = log(&store, Some("checkout"), t0());
    tick(&store, &p, &dir, t0()).unwrap();
    let ev = page_events(&store, id);
    assert!(ev[1].contains("nobody has no contact method"), "{ev:?}");
    assert!(
        ev[1].contains("schedule empty has nobody on call"),
        "{ev:?}"
    );
    set_status(
        &store,
        id,
        Status::Acknowledged,
        t0() + Duration::seconds(10),
    );
    tick(&store, &p, &dir, t0() + Duration::seconds(10)).unwrap();
    set_status(&store, id, Status::Triage, t0() + Duration::seconds(20));
    let t = tick(&store, &p, &dir, t0() + Duration::seconds(20)).unwrap();
    assert_eq!((t.started, t.steps), (1, 1));
    assert!(
        page_events(&store, id)
            .iter()
            .any(|e| e.starts_with("escalating again"))
    );
}

#[test]
fn a_tag_set_by_a_routing_rule_picks_the_policy() {
    let db = TestDb::sqlite();
    let store = db.open();
    let mut p = paging(600, 0);
    p.policies.insert(
        "dba".into(),
        Policy {
            name: "dba".into(),
            steps: vec![Step {
                delay: Std::ZERO,
                targets: vec![Target::User("dana".into())],
            }],
            repeat: 0,
            repeat_after: Std::from_secs(60),
        },
    );
    let mut inc = sample_incident(0, t0());
    inc.title = "replication lag".into();
    inc.severity = crate::domain::Severity::Sev2;
    inc.tags = vec!["alert".into(), "escalation:dba".into()];
    let id = store.insert(&inc, "alertmanager:prod").unwrap().id;
    tick(&store, &p, &table(), t0()).unwrap();
    let who: Vec<String> = pages(&store, id).into_iter().map(|r| r.recipient).collect();
    assert_eq!(who, ["dana"], "no service, the tag's policy");
    assert!(page_events(&store, id)[0].starts_with("escalating by policy dba"));
}

#[test]
fn severities_that_do_not_page_are_left_alone() {
    let db = TestDb::sqlite();
    let store = db.open();
    let mut p = paging(60, 0);
    p.severities = vec![crate::domain::Severity::Sev1];
    let id = log(&store, Some("checkout"), t0());
    let t = tick(&store, &p, &table(), t0()).unwrap();
    assert_eq!(t.started, 0);
    assert!(pages(&store, id).is_empty());
}

/// A receiver that fails the first `fail` sends, then takes everything.
struct Flaky {
    fail: usize,
    seen: Vec<String>,
    retryable: bool,
}

impl Courier for Flaky {
    fn send(&mut self, row: &OutboxRow) -> Result<String, (String, bool)> {
        self.seen.push(row.idem_key.clone());
        if self.fail > 0 {
            self.fail -= 1;
            return Err(("HTTP 503".into(), self.retryable));
        }
        Ok("HTTP 200".into())
    }
}

#[test]
fn the_worker_retries_then_delivers_once_on_both_backends() {
    for db in TestDb::all() {
        let store = db.open();
        let p = paging(600, 0);
        let id = log(&store, Some("checkout"), Utc::now());
        tick(&store, &p, &table(), Utc::now()).unwrap();
        let mut c = Flaky {
            fail: 1,
            seen: vec![],
            retryable: true,
        };
        let d = drain_once(&store, &mut c, Utc::now).unwrap();
        assert_eq!(d.retried, 1, "{}", db.name());
        // Not due again yet: nothing is sent.
        let d = drain_once(&store, &mut c, Utc::now).unwrap();
        assert_eq!(d.total(), 0, "{}", db.name());
        // Later, it is.
        let d = drain_once(&store, &mut c, || Utc::now() + Duration::minutes(1)).unwrap();
        assert_eq!(d.delivered, 1, "{}", db.name());
        let d = drain_once(&store, &mut c, || Utc::now() + Duration::minutes(5)).unwrap();
        assert_eq!(d.total(), 0, "delivered once: {}", db.name());
        assert_eq!(c.seen.len(), 2);
        assert_eq!(c.seen[0], c.seen[1], "the same idempotency key on a retry");
        let row = &pages(&store, id)[0];
        assert_eq!((row.state.as_str(), row.attempts), ("delivered", 2));
        assert_eq!(store.outbox_counts().unwrap().pending, 0);
    }
}

#[test]
fn a_refused_page_fails_visibly_and_can_be_retried() {
    for db in TestDb::all() {
        let store = db.open();
        let p = paging(600, 0);
        let id = log(&store, Some("checkout"), Utc::now());
        tick(&store, &p, &table(), Utc::now()).unwrap();
        let mut c = Flaky {
            fail: 1,
            seen: vec![],
            retryable: false,
        };
        let d = drain_once(&store, &mut c, Utc::now).unwrap();
        assert_eq!(d.failed, 1, "{}", db.name());
        assert_eq!(store.outbox_counts().unwrap().failed, 1);
        let ev = page_events(&store, id);
        assert!(ev.last().unwrap().contains("FAILED, refused"), "{ev:?}");
        let row = pages(&store, id).remove(0);
        assert_eq!(row.detail.as_deref(), Some("HTTP 503"));
        assert!(
            store
                .retry_outbox(row.id, Utc::now(), Utc::now() + Duration::hours(1))
                .unwrap()
        );
        let d = drain_once(&store, &mut c, || Utc::now() + Duration::seconds(2)).unwrap();
        assert_eq!(d.delivered, 1, "{}", db.name());
        assert!(!store.retry_outbox(row.id, Utc::now(), Utc::now()).unwrap());
    }
}

#[test]
fn a_page_acknowledged_before_sending_is_cancelled_not_sent() {
    for db in TestDb::all() {
        let store = db.open();
        let p = paging(600, 0);
        let id = log(&store, Some("checkout"), Utc::now());
        tick(&store, &p, &table(), Utc::now()).unwrap();
        set_status(&store, id, Status::Acknowledged, Utc::now());
        let mut c = Flaky {
            fail: 0,
            seen: vec![],
            retryable: true,
        };
        let d = drain_once(&store, &mut c, Utc::now).unwrap();
        assert_eq!((d.cancelled, c.seen.len()), (1, 0), "{}", db.name());
    }
}

#[test]
fn a_storm_is_escalated_in_bounded_ticks() {
    let db = TestDb::sqlite();
    let store = db.open();
    let p = paging(600, 0);
    for _ in 0..(super::escalate::MOST + 5) {
        log(&store, Some("checkout"), t0());
    }
    let t = tick(&store, &p, &table(), t0()).unwrap();
    assert_eq!(t.started, super::escalate::MOST);
    assert!(t.more);
    assert_eq!(
        t.steps,
        super::escalate::MOST,
        "the ones it started page at once"
    );
    let t = tick(&store, &p, &table(), t0()).unwrap();
    assert_eq!((t.started, t.steps, t.more), (5, 5, false));
    let queued = store
        .outbox(&OutboxQuery {
            limit: 1000,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        queued.len(),
        super::escalate::MOST + 5,
        "every one paged once"
    );
}
