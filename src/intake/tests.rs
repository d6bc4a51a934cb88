//! The alert → incident rules on both backends, with hand-built batches
//! (the parsers have their own contract tests over the real bodies).

use super::apply::{Change, apply_batch};
use super::config::{Integration, WhenResolved};
use super::model::{AlertIn, Batch, Source, State};
use crate::config::Config;
use crate::domain::{EventKind, IncidentId, Status};
use crate::store::testdb::TestDb;
use crate::store::{AlertQuery, Scope, Store, Window};
use chrono::{DateTime, Duration, TimeZone, Utc};
use std::collections::BTreeMap;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 28, 3, 0, 0).unwrap()
}

fn alert(key: &str, state: State, labels: &[(&str, &str)]) -> AlertIn {
    AlertIn {
        key: key.into(),
        state,
        summary: format!("KubePodCrashLooping: pod {key} restarts"),
        severity: Some("critical".into()),
        labels: labels
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        annotations: BTreeMap::new(),
        links: vec![],
        starts_at: Some(t0() - Duration::minutes(5)),
        ends_at: None,
    }
}

fn am(group: &str, alerts: Vec<AlertIn>) -> Batch {
    Batch {
        group: Some(group.into()),
        alerts,
        ..Batch::new(Source::Alertmanager)
    }
}

fn am_integ() -> Integration {
    Integration::named("prod-am", Source::Alertmanager)
}

fn open_incidents(s: &Store) -> Vec<crate::domain::Incident> {
    s.list(&crate::store::ListQuery {
        scope: Scope::All,
        ..Default::default()
    })
    .unwrap()
    .rows
}

fn firing(k: &str) -> AlertIn {
    alert(k, State::Firing, &[("service", "checkout")])
}

fn resolved(k: &str) -> AlertIn {
    alert(k, State::Resolved, &[("service", "checkout")])
}

#[test]
fn an_alertmanager_group_lifecycle_feeds_one_incident() {
    for db in TestDb::all() {
        let s = db.open();
        let cfg = Config::builtin();
        let integ = am_integ();
        let g = "{}:{alertname=\"KubePodCrashLooping\"}";
        let apply = |b: &Batch, min: i64| {
            apply_batch(&s, &cfg, &integ, b, "{}", t0() + Duration::minutes(min)).unwrap()
        };
        // First notification: three alerts, one incident.
        let o = apply(&am(g, vec![firing("a1"), firing("a2"), firing("a3")]), 0);
        assert_eq!((o.alerts_new, o.alerts_updated), (3, 0), "{}", db.name());
        assert_eq!(o.incidents.len(), 1);
        assert_eq!(o.incidents[0].change, Change::Created);
        let id = o.incidents[0].id;
        let inc = s.get(id).unwrap();
        assert_eq!(
            inc.severity,
            crate::domain::Severity::Sev2,
            "critical → SEV2"
        );
        assert_eq!(inc.service.as_deref(), Some("checkout"));
        assert_eq!(inc.reporter, "alertmanager:prod-am");
        assert!(inc.tags.contains(&"alert".to_string()));
        // The group repeats all and adds a fourth: one incident still.
        let o = apply(
            &am(
                g,
                vec![firing("a1"), firing("a2"), firing("a3"), firing("a4")],
            ),
            1,
        );
        assert_eq!((o.alerts_new, o.alerts_updated), (1, 3));
        assert_eq!(o.incidents[0].id, id);
        // Absence resolves nothing: a snapshot listing only a2.
        let o = apply(&am(g, vec![firing("a2")]), 2);
        assert_eq!((o.alerts_new, o.alerts_resolved), (0, 0));
        // One resolved: the incident stays open.
        let o = apply(
            &am(
                g,
                vec![resolved("a1"), firing("a2"), firing("a3"), firing("a4")],
            ),
            3,
        );
        assert_eq!(o.alerts_resolved, 1);
        assert_eq!(s.get(id).unwrap().status, Status::Triage);
        let c = s.alert_counts(&[id]).unwrap()[&id];
        assert_eq!((c.total, c.firing, c.resolved), (4, 3, 1));
        // All resolved (a1 no longer listed): mitigated, by the integration.
        let o = apply(
            &am(g, vec![resolved("a2"), resolved("a3"), resolved("a4")]),
            4,
        );
        assert_eq!(o.alerts_resolved, 3);
        assert_eq!(o.incidents[0].change, Change::Mitigated);
        let inc = s.get(id).unwrap();
        assert_eq!(inc.status, Status::Mitigated);
        let ev = s.events(id).unwrap();
        let last = ev.last().unwrap();
        assert_eq!(last.kind, EventKind::Status);
        assert_eq!(last.actor, "alertmanager:prod-am");
        // Re-fire: a new alert row for the same key, the same incident,
        // back to investigating, counted as a flap.
        let o = apply(&am(g, vec![firing("a2")]), 10);
        assert_eq!(o.alerts_new, 1);
        assert_eq!(o.incidents[0].id, id);
        assert_eq!(o.incidents[0].change, Change::Reopened);
        assert_eq!(s.get(id).unwrap().status, Status::Investigating);
        let all = s
            .alerts(&AlertQuery {
                incident: Some(id),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(all.len(), 5, "a resolved key opens a new alert");
        assert_eq!(all.iter().filter(|a| a.key == "a2").count(), 2);
        assert!(
            s.events(id)
                .unwrap()
                .iter()
                .any(|e| e.text.as_deref().is_some_and(|t| t.contains("flap 1"))),
            "the flap is on the timeline"
        );
        assert_eq!(open_incidents(&s).len(), 1);
        assert!(s.verify().unwrap().broken.is_none(), "the chain verifies");
    }
}

#[test]
fn never_deduplicates_on_the_summary() {
    for db in TestDb::all() {
        let s = db.open();
        let cfg = Config::builtin();
        let integ = am_integ();
        let mut a = firing("k1");
        let mut b = firing("k2");
        a.summary = "disk full".into();
        b.summary = "disk full".into();
        let o = apply_batch(&s, &cfg, &integ, &am("g", vec![a, b]), "{}", t0()).unwrap();
        assert_eq!(o.alerts_new, 2, "{}", db.name());
        assert_eq!(s.alerts(&AlertQuery::default()).unwrap().len(), 2);
    }
}

fn pd(action: State, key: &str) -> Batch {
    let mut a = alert(key, action, &[("source", "db-7")]);
    a.summary = "replication lag high".into();
    a.severity = Some("error".into());
    Batch {
        group: Some(key.into()),
        routing_key: Some("R0UT1NGKEY".into()),
        alerts: vec![a],
        ..Batch::new(Source::Pagerduty)
    }
}

#[test]
fn pagerduty_trigger_acknowledge_resolve_retrigger() {
    for db in TestDb::all() {
        let s = db.open();
        let cfg = Config::builtin();
        let integ = Integration::named("pd", Source::Pagerduty);
        let run = |b: &Batch, m: i64| {
            apply_batch(&s, &cfg, &integ, b, "{}", t0() + Duration::minutes(m)).unwrap()
        };
        let o = run(&pd(State::Firing, "srv/db-7"), 0);
        assert_eq!(o.dedup_key.as_deref(), Some("srv/db-7"));
        let id = o.incidents[0].id;
        assert_eq!(s.get(id).unwrap().severity, crate::domain::Severity::Sev3);
        // A second trigger with the same key is the same alert.
        let o = run(&pd(State::Firing, "srv/db-7"), 1);
        assert_eq!((o.alerts_new, o.alerts_updated), (0, 1), "{}", db.name());
        let o = run(&pd(State::Acknowledged, "srv/db-7"), 2);
        assert_eq!(o.incidents[0].change, Change::Acknowledged);
        assert_eq!(s.get(id).unwrap().status, Status::Acknowledged);
        let o = run(&pd(State::Resolved, "srv/db-7"), 3);
        assert_eq!(o.alerts_resolved, 1);
        assert_eq!(s.get(id).unwrap().status, Status::Mitigated);
        // Resolving again: no open alert with that key, nothing changes.
        let o = run(&pd(State::Resolved, "srv/db-7"), 4);
        assert_eq!((o.alerts_resolved, o.incidents.len()), (0, 0));
        // A trigger after the resolve opens a new alert.
        let o = run(&pd(State::Firing, "srv/db-7"), 5);
        assert_eq!(o.alerts_new, 1);
        assert_eq!(s.alerts(&AlertQuery::default()).unwrap().len(), 2);
    }
}

#[test]
fn resolve_policy_and_the_reopen_window() {
    // SQLite only: the window is measured on the injected clock (PostgreSQL
    // uses the server's).
    let db = TestDb::sqlite();
    let s = db.open();
    let cfg = Config::builtin();
    let integ = Integration {
        when_resolved: WhenResolved::Resolve,
        ..Integration::named("pd", Source::Pagerduty)
    };
    let run = |b: &Batch, m: i64| {
        apply_batch(&s, &cfg, &integ, b, "{}", t0() + Duration::minutes(m)).unwrap()
    };
    let id = run(&pd(State::Firing, "k"), 0).incidents[0].id;
    run(&pd(State::Resolved, "k"), 1);
    let inc = s.get(id).unwrap();
    assert_eq!(inc.status, Status::Resolved);
    assert_eq!(
        inc.resolution.as_deref(),
        Some("every alert resolved at the source")
    );
    // Within 30 minutes: the same incident, reopened.
    let o = run(&pd(State::Firing, "k"), 20);
    assert_eq!(
        (o.incidents[0].id, o.incidents[0].change),
        (id, Change::Reopened)
    );
    assert_eq!(s.get(id).unwrap().status, Status::Investigating);
    run(&pd(State::Resolved, "k"), 21);
    // Past the window: a new incident.
    let o = run(&pd(State::Firing, "k"), 60);
    assert_ne!(o.incidents[0].id, id);
    assert_eq!(o.incidents[0].change, Change::Created);
}

#[test]
fn a_maintenance_window_suppresses_new_alerts_but_never_resolves() {
    for db in TestDb::all() {
        let s = db.open();
        let cfg = Config::builtin();
        let integ = am_integ();
        // An alert firing before the window keeps its incident.
        let before =
            apply_batch(&s, &cfg, &integ, &am("g1", vec![firing("old")]), "{}", t0()).unwrap();
        let id = before.incidents[0].id;
        let now = if db.is_postgres() { Utc::now() } else { t0() };
        s.add_window(&Window {
            id: 0,
            matchers: "service=\"checkout\"".into(),
            starts_at: now - Duration::minutes(1),
            ends_at: now + Duration::hours(1),
            reason: "db upgrade".into(),
            created_by: "alice".into(),
            created_at: now,
            ended_by: None,
            replayed: false,
        })
        .unwrap();
        let o = apply_batch(&s, &cfg, &integ, &am("g2", vec![firing("new")]), "{}", t0()).unwrap();
        assert_eq!(
            (o.alerts_suppressed, o.incidents.len()),
            (1, 0),
            "{}",
            db.name()
        );
        let sup = s
            .alerts(&AlertQuery {
                suppressed_only: true,
                ..Default::default()
            })
            .unwrap();
        assert_eq!(sup[0].suppressed.as_deref(), Some("maintenance #1"));
        // Another service is not in the window.
        let other = alert("x", State::Firing, &[("service", "search")]);
        let o = apply_batch(&s, &cfg, &integ, &am("g3", vec![other]), "{}", t0()).unwrap();
        assert_eq!(o.incidents.len(), 1);
        // The service a window matches is the one the incident would get:
        // here the integration's, whatever the label says.
        let mut to_checkout = Integration::named("checkout-am", Source::Alertmanager);
        to_checkout.service = Some("checkout".into());
        let labelled = alert("y", State::Firing, &[("service", "search")]);
        let o = apply_batch(
            &s,
            &cfg,
            &to_checkout,
            &am("g4", vec![labelled]),
            "{}",
            t0(),
        )
        .unwrap();
        assert_eq!(
            (o.alerts_suppressed, o.incidents.len()),
            (1, 0),
            "{}",
            db.name()
        );
        // Resolves always pass.
        let o = apply_batch(
            &s,
            &cfg,
            &integ,
            &am("g1", vec![resolved("old")]),
            "{}",
            t0(),
        )
        .unwrap();
        assert_eq!(o.alerts_resolved, 1);
        assert_eq!(s.get(id).unwrap().status, Status::Mitigated);
    }
}

#[test]
fn a_storm_of_new_groups_joins_one_storm_incident() {
    for db in TestDb::all() {
        let s = db.open();
        let cfg = Config::builtin();
        let integ = Integration {
            storm_per_minute: 3,
            ..am_integ()
        };
        let mut ids = Vec::new();
        for n in 0..8 {
            let o = apply_batch(
                &s,
                &cfg,
                &integ,
                &am(&format!("g{n}"), vec![firing(&format!("k{n}"))]),
                "{}",
                t0(),
            )
            .unwrap();
            ids.push(o.incidents[0].id);
        }
        let distinct: std::collections::BTreeSet<IncidentId> = ids.iter().copied().collect();
        assert_eq!(
            distinct.len(),
            4,
            "{}: 3 incidents, then one storm: {ids:?}",
            db.name()
        );
        let storm = s.get(ids[7]).unwrap();
        assert!(
            storm.title.starts_with("Alert storm from prod-am"),
            "{}",
            storm.title
        );
        assert!(storm.tags.contains(&"storm".to_string()));
        let c = s.alert_counts(&[storm.id]).unwrap()[&storm.id];
        assert_eq!(c.total, 5);
        // A group in the storm keeps feeding the storm incident.
        let o = apply_batch(&s, &cfg, &integ, &am("g6", vec![firing("k6b")]), "{}", t0()).unwrap();
        assert_eq!(o.incidents[0].id, storm.id);
    }
}

#[test]
fn group_by_labels_override_the_senders_group() {
    for db in TestDb::all() {
        let s = db.open();
        let cfg = Config::builtin();
        let integ = Integration {
            group_by: Some(vec!["service".into()]),
            ..am_integ()
        };
        let a = alert("1", State::Firing, &[("service", "checkout")]);
        let b = alert("2", State::Firing, &[("service", "search")]);
        let c = alert("3", State::Firing, &[("service", "checkout")]);
        let o = apply_batch(&s, &cfg, &integ, &am("one-group", vec![a, b]), "{}", t0()).unwrap();
        assert_eq!(o.incidents.len(), 2, "{}", db.name());
        let o2 = apply_batch(&s, &cfg, &integ, &am("other-group", vec![c]), "{}", t0()).unwrap();
        let checkout = o
            .incidents
            .iter()
            .find(|c| s.get(c.id).unwrap().service.as_deref() == Some("checkout"))
            .unwrap();
        assert_eq!(o2.incidents[0].id, checkout.id);
    }
}

#[test]
fn a_key_named_twice_in_one_body_is_one_alert_and_a_refire_opens_a_second() {
    for db in TestDb::all() {
        let s = db.open();
        let cfg = Config::builtin();
        let integ = am_integ();
        // The same key twice: one alert, received twice.
        let b = am("g", vec![firing("a"), firing("a"), firing("b")]);
        let out = apply_batch(&s, &cfg, &integ, &b, "{}", t0()).unwrap();
        assert_eq!(
            (out.alerts_new, out.alerts_updated),
            (2, 1),
            "{}",
            db.name()
        );
        let all = s.alerts(&AlertQuery::default()).unwrap();
        assert_eq!(all.len(), 2, "{}", db.name());
        let a = all.iter().find(|r| r.key == "a").unwrap();
        assert_eq!(a.receipts, 2, "{}", db.name());
        // Resolved and fired again in one body: the first occurrence
        // closes, the key opens a new alert (the open-key index holds).
        let b = am("g", vec![resolved("a"), firing("a")]);
        let out = apply_batch(&s, &cfg, &integ, &b, "{}", t0()).unwrap();
        assert_eq!(
            (out.alerts_resolved, out.alerts_new),
            (1, 1),
            "{}",
            db.name()
        );
        let a: Vec<_> = s
            .alerts(&AlertQuery::default())
            .unwrap()
            .into_iter()
            .filter(|r| r.key == "a")
            .collect();
        assert_eq!(a.len(), 2, "{}", db.name());
        assert_eq!(a.iter().filter(|r| r.is_open()).count(), 1, "{}", db.name());
        assert_eq!(
            open_incidents(&s).len(),
            1,
            "{}: one group, one incident",
            db.name()
        );
    }
}

#[test]
fn a_person_resolving_while_alerts_fire_must_force_it_and_it_is_recorded() {
    for db in TestDb::all() {
        let s = db.open();
        let cfg = Config::builtin();
        let integ = am_integ();
        let b = am("g", vec![firing("a"), firing("b")]);
        let out = apply_batch(&s, &cfg, &integ, &b, "{}", t0()).unwrap();
        let id = out.incidents[0].id;
        let clock = crate::clock::FixedClock::at(t0());
        let cx = crate::ops::Ctx {
            store: &s,
            config: &cfg,
            actor: "alice".into(),
            clock: &clock,
        };
        let fix = crate::domain::Transition::Resolve {
            summary: "rolled back".into(),
        };
        let e = cx.transition(id, &fix, None).unwrap_err().to_string();
        assert!(e.contains("2 alerts still firing"), "{}: {e}", db.name());
        assert!(e.contains("--force"), "{e}");
        assert_eq!(s.get(id).unwrap().status, Status::Triage, "{}", db.name());
        let inc = cx.transition_forced(id, &fix, None, true).unwrap();
        assert_eq!(inc.status, Status::Resolved);
        let last = s.events(id).unwrap().pop().unwrap();
        assert_eq!(
            last.text.as_deref(),
            Some("rolled back (resolved while 2 alerts still fired, confirmed by alice)"),
            "{}",
            db.name()
        );
        // With every alert resolved there is nothing to confirm.
        let b = am("g2", vec![firing("c")]);
        let id2 = apply_batch(&s, &cfg, &integ, &b, "{}", t0())
            .unwrap()
            .incidents[0]
            .id;
        let b = am("g2", vec![resolved("c")]);
        apply_batch(&s, &cfg, &integ, &b, "{}", t0()).unwrap();
        cx.transition(id2, &fix, None).unwrap();
    }
}
