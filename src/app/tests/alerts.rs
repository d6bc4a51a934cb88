//! Alerts in the TUI: an incident's alerts in the detail pane, maintenance
//! windows and storms in the header, the cue when alerts open an incident.

use super::Harness;
use crate::clock::Clock;
use crate::intake::config::Integration;
use crate::intake::model::{AlertIn, Batch, Link, Source, State};
use crate::store::Window;
use crate::ui::tests::screen;
use std::collections::BTreeMap;

fn alert(key: &str, state: State) -> AlertIn {
    let mut labels = BTreeMap::new();
    labels.insert("alertname".to_string(), "KubePodCrashLooping".to_string());
    labels.insert("pod".to_string(), format!("api-{key}"));
    labels.insert("service".to_string(), "checkout".to_string());
    AlertIn {
        key: key.into(),
        state,
        summary: format!("KubePodCrashLooping: api-{key} restarts \u{1b}[31mred"),
        severity: Some("critical".into()),
        labels,
        annotations: BTreeMap::new(),
        links: vec![Link {
            label: "runbook".into(),
            url: "https://runbooks.example/crashloop".into(),
        }],
        starts_at: None,
        ends_at: None,
    }
}

fn ingest(h: &mut Harness, group: &str, alerts: Vec<AlertIn>) {
    let b = Batch {
        group: Some(group.into()),
        alerts,
        ..Batch::new(Source::Alertmanager)
    };
    let integ = Integration::named("prod", Source::Alertmanager);
    // As `sev serve` would: another connection.
    crate::intake::apply::apply_batch(&h.other(), &h.app.config, &integ, &b, "{}", h.clock.now())
        .unwrap();
}

#[test]
fn a_list_row_counts_its_incidents_alerts_live() {
    let mut h = Harness::new();
    ingest(
        &mut h,
        "g",
        vec![alert("1", State::Firing), alert("2", State::Firing)],
    );
    h.app.reload().unwrap();
    // Beside the detail pane the title column is narrow: open of all.
    h.app.resize(120, 40);
    let s = screen(&h.app, 120, 40);
    assert!(s.contains("KubePodCrashLo… (2/2)"), "{s}");
    h.app.resize(240, 40);
    let s = screen(&h.app, 240, 40);
    assert!(s.contains("restarts ^[[31mred (2 alerts)"), "{s}");
    // Another process resolves one and adds one: the row follows.
    ingest(
        &mut h,
        "g",
        vec![alert("1", State::Resolved), alert("3", State::Firing)],
    );
    h.app.tick();
    let s = screen(&h.app, 240, 40);
    assert!(s.contains("(3 alerts · 1 resolved)"), "{s}");
    h.app.resize(120, 40);
    let s = screen(&h.app, 120, 40);
    assert!(s.contains("(2/3)"), "{s}");
}

#[test]
fn the_detail_pane_lists_an_incidents_alerts_as_text() {
    let mut h = Harness::new();
    ingest(
        &mut h,
        "g",
        vec![alert("1", State::Firing), alert("2", State::Firing)],
    );
    ingest(
        &mut h,
        "g",
        vec![alert("1", State::Resolved), alert("2", State::Firing)],
    );
    h.app.reload().unwrap();
    h.app.resize(120, 40);
    h.keys("enter");
    let s = screen(&h.app, 120, 40);
    assert!(s.contains("── Alerts (2 · 1 firing · 1 resolved)"), "{s}");
    assert!(
        s.contains("FIRING     ×2    KubePodCrashLooping: api-2"),
        "{s}"
    );
    assert!(
        s.contains("resolved   ×2    KubePodCrashLooping: api-1"),
        "{s}"
    );
    assert!(s.contains("pod=api-2 service=checkout"), "{s}");
    assert!(s.contains("runbook:"), "{s}");
    assert!(s.contains("https://runbooks.example/crash"), "{s}");
    assert!(
        !s.contains('\u{1b}'),
        "escape sequences never reach the screen"
    );
}

#[test]
fn the_header_shows_maintenance_and_storms() {
    let mut h = Harness::new();
    let now = h.clock.now();
    h.app
        .store
        .add_window(&Window {
            id: 0,
            matchers: "service=\"search\"".into(),
            starts_at: now,
            ends_at: now + chrono::Duration::hours(2),
            reason: "reindex".into(),
            created_by: "bob".into(),
            created_at: now,
            ended_by: None,
            replayed: false,
        })
        .unwrap();
    let integ = Integration {
        storm_per_minute: 2,
        ..Integration::named("prod", Source::Alertmanager)
    };
    for n in 0..4 {
        let b = Batch {
            group: Some(format!("g{n}")),
            alerts: vec![alert(&n.to_string(), State::Firing)],
            ..Batch::new(Source::Alertmanager)
        };
        crate::intake::apply::apply_batch(&h.app.store, &h.app.config, &integ, &b, "{}", now)
            .unwrap();
    }
    h.app.reload().unwrap();
    h.app.resize(160, 30);
    let s = screen(&h.app, 160, 30);
    let header = s.lines().next().unwrap();
    // The storm first; the window named short beside it so neither is cut.
    assert!(
        header.contains("STORM INC-3: 2 alerts │ MAINT until 05:00"),
        "{header}"
    );
    // Without a storm the window says what it holds.
    h.app.intake.storms.clear();
    let s = screen(&h.app, 160, 30);
    let header = s.lines().next().unwrap();
    assert!(
        header.contains("MAINT until 05:00: service=\"search\""),
        "{header}"
    );
}

#[test]
fn an_alert_incident_landing_in_view_is_announced_once() {
    let mut h = Harness::new();
    h.seed(&[("typed by a person", crate::domain::Severity::Sev3)]);
    h.app.config.alerts.bell = true;
    assert!(h.message().is_empty());
    ingest(&mut h, "g", vec![alert("1", State::Firing)]);
    h.app.tick();
    assert!(
        h.message()
            .starts_with("new alert incident INC-2: KubePodCrashLooping"),
        "{}",
        h.message()
    );
    assert!(h.app.bell, "the bell rings when configured");
    h.app.bell = false;
    // A later change to the same incident is not announced again.
    ingest(&mut h, "g", vec![alert("2", State::Firing)]);
    h.app.tick();
    assert!(!h.app.bell);
}

#[test]
fn resolving_while_alerts_fire_asks_first_and_no_keeps_the_summary() {
    use crate::app::View;
    use crate::app::dialog::Dialog;
    use crate::domain::Status;
    let mut h = Harness::new();
    ingest(
        &mut h,
        "g",
        vec![alert("1", State::Firing), alert("2", State::Firing)],
    );
    h.app.reload().unwrap();
    let id = h.app.list.selected_id().unwrap();
    h.keys("r");
    h.type_text("Rolled back the deploy");
    h.keys("ctrl-s");
    let View::Confirm(c) = h.app.top() else {
        panic!("a question, not: {}", h.message())
    };
    assert_eq!(c.title, format!("Resolve {id} while 2 alerts still fire?"));
    assert_eq!(h.app.store.get(id).unwrap().status, Status::Triage);
    // No: back in the dialog, with what was typed.
    h.keys("n");
    let View::Dialog(Dialog::Prompt(p)) = h.app.top() else {
        panic!("the summary dialog again")
    };
    assert_eq!(p.text(), "Rolled back the deploy");
    assert_eq!(h.app.store.get(id).unwrap().status, Status::Triage);
    // Yes: resolved, both the question and the dialog gone, and recorded.
    h.keys("ctrl-s");
    h.keys("y");
    assert_eq!(h.app.stack.len(), 1, "{}", h.message());
    let inc = h.app.store.get(id).unwrap();
    assert_eq!(inc.status, Status::Resolved);
    assert_eq!(inc.resolution.as_deref(), Some("Rolled back the deploy"));
    let events = h.app.store.events(id).unwrap();
    let last = events.last().unwrap().text.clone().unwrap_or_default();
    assert!(
        last.contains("resolved while 2 alerts still fired, confirmed by"),
        "{last}"
    );
}

#[test]
fn a_window_added_elsewhere_shows_in_the_header_without_a_keypress() {
    let mut h = Harness::new();
    ingest(&mut h, "g", vec![alert("1", State::Firing)]);
    h.app.reload().unwrap();
    let now = h.clock.now();
    let w = h
        .other()
        .add_window(&Window {
            id: 0,
            matchers: "service=\"checkout\"".into(),
            starts_at: now - chrono::Duration::minutes(1),
            ends_at: now + chrono::Duration::hours(1),
            reason: "db upgrade".into(),
            created_by: "bob".into(),
            created_at: now,
            ended_by: None,
            replayed: false,
        })
        .unwrap();
    h.app.tick();
    let s = screen(&h.app, 120, 30);
    assert!(s.lines().next().unwrap().contains("MAINT until"), "{s}");
    h.other().end_window(w.id, "bob", now).unwrap();
    h.app.tick();
    let s = screen(&h.app, 120, 30);
    assert!(!s.lines().next().unwrap().contains("MAINT"), "{s}");
}

#[test]
fn an_incident_resolved_while_its_alerts_fire_says_so_in_its_row() {
    let mut h = Harness::new();
    ingest(
        &mut h,
        "g",
        vec![alert("1", State::Firing), alert("2", State::Firing)],
    );
    h.app.reload().unwrap();
    let id = h.app.list.selected_id().unwrap();
    let fix = crate::domain::Transition::Resolve {
        summary: "rolled back".into(),
    };
    h.app.ctx().transition_forced(id, &fix, None, true).unwrap();
    h.app.list.facets.scope = crate::store::Scope::All;
    h.app.reload().unwrap();
    let s = screen(&h.app, 120, 30);
    assert!(s.contains("(2 still firing)"), "{s}");
}
