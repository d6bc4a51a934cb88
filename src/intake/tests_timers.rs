//! Timed work: heartbeats, maintenance replay, quiet resolves, the lease.
//! On PostgreSQL times come from the server, so there the test waits for
//! real seconds; on SQLite the injected clock moves.

use super::apply::{Change, apply_batch};
use super::config::Integration;
use super::model::{AlertIn, Batch, Source, State};
use super::timers::{beat, tick};
use crate::config::Config;
use crate::domain::Status;
use crate::store::testdb::TestDb;
use crate::store::{AlertQuery, Window};
use chrono::{DateTime, Duration, TimeZone, Utc};
use std::collections::BTreeMap;

struct Time {
    pg: bool,
    at: DateTime<Utc>,
}

impl Time {
    fn new(db: &TestDb) -> Time {
        Time {
            pg: db.is_postgres(),
            at: if db.is_postgres() {
                Utc::now()
            } else {
                Utc.with_ymd_and_hms(2026, 11, 28, 3, 0, 0).unwrap()
            },
        }
    }
    /// Let `secs` pass.
    fn pass(&mut self, secs: i64) -> DateTime<Utc> {
        if self.pg {
            std::thread::sleep(std::time::Duration::from_millis(secs as u64 * 1000 + 100));
            self.at = Utc::now();
        } else {
            self.at += Duration::seconds(secs);
        }
        self.at
    }
}

fn with_integration(i: Integration) -> Config {
    let mut cfg = Config::builtin();
    cfg.alerts.integrations.push(i);
    cfg
}

#[test]
fn a_silent_heartbeat_opens_an_incident_and_the_next_beat_mitigates_it() {
    for db in TestDb::all() {
        let s = db.open();
        // Seconds of slack: on PostgreSQL the server's clock runs while a
        // loaded machine runs the test.
        let cfg = with_integration(Integration {
            heartbeat: Some(std::time::Duration::from_secs(3)),
            ..Integration::named("prom", Source::Alertmanager)
        });
        let mut t = Time::new(&db);
        // The first look starts the count; nothing opens yet.
        let o = tick(&s, &cfg, "host:1", t.at).unwrap();
        assert!(o.incidents.is_empty(), "{}", db.name());
        let o = tick(&s, &cfg, "host:1", t.pass(4)).unwrap();
        assert_eq!(o.incidents.len(), 1, "{}: silent after 4s", db.name());
        let id = o.incidents[0].id;
        let inc = s.get(id).unwrap();
        assert!(
            inc.title.starts_with("monitoring for prom is silent"),
            "{}",
            inc.title
        );
        // Ticking again does not open a second one.
        assert!(
            tick(&s, &cfg, "host:1", t.pass(0))
                .unwrap()
                .incidents
                .is_empty()
        );
        // A beat: the alert resolves, the incident is mitigated.
        let o = beat(&s, &cfg, "prom", t.pass(0)).unwrap();
        assert_eq!(o.incidents[0].change, Change::Mitigated);
        assert_eq!(s.get(id).unwrap().status, Status::Mitigated);
        // Another tick right after a beat: quiet.
        assert!(
            tick(&s, &cfg, "host:1", t.pass(0))
                .unwrap()
                .incidents
                .is_empty()
        );
        // A heartbeat for an integration that expects none is refused.
        assert!(beat(&s, &cfg, "nope", t.at).is_err());
    }
}

#[test]
fn only_the_lease_holder_does_timed_work() {
    for db in TestDb::all() {
        let s = db.open();
        let cfg = with_integration(Integration {
            heartbeat: Some(std::time::Duration::from_secs(1)),
            ..Integration::named("prom", Source::Alertmanager)
        });
        let mut t = Time::new(&db);
        tick(&s, &cfg, "a:1", t.at).unwrap();
        let o = tick(&s, &cfg, "b:2", t.pass(2)).unwrap();
        assert!(
            o.incidents.is_empty(),
            "{}: b does not hold the lease",
            db.name()
        );
        let o = tick(&s, &cfg, "a:1", t.pass(0)).unwrap();
        assert_eq!(o.incidents.len(), 1);
    }
}

fn firing(key: &str, service: &str) -> AlertIn {
    let mut labels = BTreeMap::new();
    labels.insert("service".to_string(), service.to_string());
    AlertIn {
        key: key.into(),
        state: State::Firing,
        summary: format!("{key} down"),
        severity: Some("warning".into()),
        labels,
        annotations: BTreeMap::new(),
        links: vec![],
        starts_at: None,
        ends_at: None,
    }
}

#[test]
fn alerts_suppressed_by_a_window_open_their_incident_when_it_ends() {
    for db in TestDb::all() {
        let s = db.open();
        let cfg = Config::builtin();
        let integ = Integration::named("am", Source::Alertmanager);
        let mut t = Time::new(&db);
        let w = s
            .add_window(&Window {
                id: 0,
                matchers: "service=\"checkout\"".into(),
                starts_at: t.at - Duration::minutes(1),
                ends_at: t.at + Duration::seconds(3),
                reason: "deploy".into(),
                created_by: "alice".into(),
                created_at: t.at,
                ended_by: None,
                replayed: false,
            })
            .unwrap();
        let b = Batch {
            group: Some("g".into()),
            alerts: vec![firing("k1", "checkout"), firing("k2", "checkout")],
            ..Batch::new(Source::Alertmanager)
        };
        let o = apply_batch(&s, &cfg, &integ, &b, "{}", t.at).unwrap();
        assert_eq!(
            (o.alerts_suppressed, o.incidents.len()),
            (2, 0),
            "{}",
            db.name()
        );
        // One of them resolves during the window: it must not come back.
        let mut r = firing("k2", "checkout");
        r.state = State::Resolved;
        let b2 = Batch {
            group: Some("g".into()),
            alerts: vec![r],
            ..Batch::new(Source::Alertmanager)
        };
        assert_eq!(
            apply_batch(&s, &cfg, &integ, &b2, "{}", t.at)
                .unwrap()
                .alerts_resolved,
            1
        );
        // Nothing replays while the window is in force.
        assert!(tick(&s, &cfg, "h:1", t.at).unwrap().incidents.is_empty());
        let o = tick(&s, &cfg, "h:1", t.pass(4)).unwrap();
        assert_eq!(
            o.incidents.len(),
            1,
            "{}: the still-firing alert opens its incident",
            db.name()
        );
        assert_eq!(o.alerts_new, 1);
        let id = o.incidents[0].id;
        let alerts = s
            .alerts(&AlertQuery {
                incident: Some(id),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(alerts.len(), 1);
        assert_eq!(alerts[0].key, "k1");
        assert_eq!(alerts[0].suppressed, None);
        // Replayed once only.
        assert!(
            tick(&s, &cfg, "h:1", t.pass(0))
                .unwrap()
                .incidents
                .is_empty()
        );
        let ws = s.windows(t.at, true).unwrap();
        assert!(ws.iter().find(|x| x.id == w.id).unwrap().replayed);
    }
}

#[test]
fn alerts_of_a_sender_that_never_resolves_resolve_after_quiet() {
    for db in TestDb::all() {
        let s = db.open();
        let integ = Integration {
            resolve_after_quiet: Some(std::time::Duration::from_secs(3)),
            ..Integration::named("zbx", Source::Alertmanager)
        };
        let cfg = with_integration(integ.clone());
        let mut t = Time::new(&db);
        let b = Batch {
            group: Some("g".into()),
            alerts: vec![firing("k", "db")],
            ..Batch::new(Source::Alertmanager)
        };
        let id = apply_batch(&s, &cfg, &integ, &b, "{}", t.at)
            .unwrap()
            .incidents[0]
            .id;
        assert!(
            tick(&s, &cfg, "h:1", t.at).unwrap().incidents.is_empty(),
            "{}",
            db.name()
        );
        let o = tick(&s, &cfg, "h:1", t.pass(4)).unwrap();
        assert_eq!(o.alerts_resolved, 1, "{}", db.name());
        assert_eq!(s.get(id).unwrap().status, Status::Mitigated);
    }
}
