//! The metrics view from the keyboard: it opens without waiting for its
//! figures, draws bars, lines and measures at 80×24 and 120×40, changes
//! period, and Enter lists exactly the incidents behind a bar or a row.

use super::*;
use crate::app::metrics::MetricsView;
use crate::ui::tests::screen;
use chrono::Duration;

fn demo(n: usize) -> Harness {
    let mut h = Harness::new();
    let items: Vec<_> = crate::demo::Generator::new(n, 7, t0()).collect();
    h.app.store.insert_batch(&items).unwrap();
    h.app.reload().unwrap();
    h
}

fn view(h: &Harness) -> &MetricsView {
    match h.app.top() {
        View::Metrics(v) => v,
        _ => panic!("not the metrics view: {}", h.message()),
    }
}

/// Every incident as `sev list --all` has it.
fn everything(h: &Harness) -> Vec<Incident> {
    h.app
        .store
        .list(&crate::store::ListQuery {
            scope: crate::store::Scope::All,
            ..Default::default()
        })
        .unwrap()
        .rows
}

fn listed(h: &Harness) -> Vec<IncidentId> {
    let mut ids = h.app.list.ids.clone();
    ids.sort();
    ids
}

#[test]
fn opens_at_once_then_draws_its_figures_at_80x24_and_120x40() {
    let mut h = demo(200);
    h.keys("R");
    // The key returned before the figures: the view says so.
    assert!(view(&h).data.is_none());
    let first = screen(&h.app, 80, 24);
    assert!(first.contains("computing the last 30 days"), "{first}");
    h.app.wait_for_metrics();
    assert!(view(&h).data.is_some());
    h.app.resize(80, 24);
    insta::assert_snapshot!("metrics_80x24", screen(&h.app, 80, 24));
    h.keys("p p");
    h.app.wait_for_metrics();
    h.app.resize(120, 40);
    insta::assert_snapshot!("metrics_365d_120x40", screen(&h.app, 120, 40));
}

#[test]
fn enter_on_a_bar_lists_exactly_its_incidents() {
    let mut h = demo(300);
    h.keys("R");
    h.app.wait_for_metrics();
    // One bar to the left (the week before this one), SEV3 only.
    h.keys("h s s s");
    let v = view(&h);
    let d = v.data.clone().unwrap();
    let key = d.keys[v.bar].clone();
    assert_eq!(v.severity, Some(Severity::Sev3));
    h.keys("enter");
    assert!(matches!(h.app.top(), View::List), "{}", h.message());
    // Worked out from the list: SEV3, not cancelled, logged in that ISO
    // week (UTC, the test clock's zone) and in the last 30 days.
    let since = t0() - Duration::days(30);
    let mut want: Vec<IncidentId> = everything(&h)
        .into_iter()
        .filter(|i| {
            i.severity == Severity::Sev3
                && i.status != Status::Cancelled
                && i.created_at >= since
                && crate::metrics::week_key(i.created_at.fixed_offset()) == key
        })
        .map(|i| i.id)
        .collect();
    want.sort();
    assert!(!want.is_empty());
    assert_eq!(listed(&h), want);
    let header = screen(&h.app, 80, 24);
    assert!(
        header.contains(&format!("metrics: SEV3 · week {key}")),
        "{header}"
    );
    // Esc gives the list as it was back; R opens the metrics as they were,
    // on the same bar.
    h.keys("esc");
    assert!(h.app.list.facets.drill.is_none());
    assert_eq!(h.app.list.facets, Default::default());
    h.keys("R");
    h.app.wait_for_metrics();
    let v = view(&h);
    assert_eq!(v.severity, Some(Severity::Sev3));
    assert_eq!(v.data.as_ref().unwrap().keys[v.bar], key);
}

#[test]
fn enter_on_a_measure_lists_the_incidents_it_was_computed_from() {
    let mut h = demo(300);
    h.keys("R");
    h.keys("p"); // 90 days
    h.app.wait_for_metrics();
    assert_eq!(view(&h).days(), 90);
    assert_eq!(view(&h).data.as_ref().unwrap().bucket, "week");
    // The first j moves the focus to the measures, two more: time to mitigate.
    h.keys("j");
    assert!(view(&h).table);
    assert_eq!(view(&h).row, 0);
    h.keys("j j");
    assert!(view(&h).table);
    let n = view(&h).data.as_ref().unwrap().report.total.measures[2].1.n;
    let shown_since = view(&h).data.as_ref().unwrap().since;
    h.keys("enter");
    // From the Monday of the week 90 days back (whole weeks), in UTC.
    let utc = crate::calendar::Hours {
        tz: crate::intake::tz::Tz::Clock(crate::clock::Zone::UTC),
        ..Default::default()
    };
    let since = crate::metrics::series::bucket_start("week", t0() - Duration::days(90), &utc);
    assert_eq!(shown_since, since);
    let mut want: Vec<IncidentId> = everything(&h)
        .into_iter()
        .filter(|i| {
            i.status != Status::Cancelled
                && i.created_at >= since
                && i.mitigated_at.is_some_and(|m| m >= i.created_at)
        })
        .map(|i| i.id)
        .collect();
    want.sort();
    assert_eq!(want.len(), n);
    assert_eq!(listed(&h), want);
}

#[test]
fn new_incidents_elsewhere_update_the_figures() {
    let mut h = demo(50);
    h.keys("R");
    h.app.wait_for_metrics();
    let before = view(&h).data.as_ref().unwrap().report.incidents;
    h.responder()
        .ctx("bob")
        .create(&crate::domain::NewIncident {
            title: "Checkout down".into(),
            ..Default::default()
        })
        .unwrap();
    h.clock.advance(Duration::seconds(1));
    h.app.tick();
    h.app.wait_for_metrics();
    assert_eq!(view(&h).data.as_ref().unwrap().report.incidents, before + 1);
}
