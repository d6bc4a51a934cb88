//! Routing over hand-built batches: first match, continue, suppress, time
//! windows, what matchers read, and the incident preview.

use super::*;
use crate::intake::matcher::parse_matchers;
use crate::intake::model::{Source, State};
use chrono::TimeZone;
use std::collections::BTreeMap;

fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn alert(pairs: &[(&str, &str)]) -> AlertIn {
    AlertIn {
        key: "fp1".into(),
        state: State::Firing,
        summary: "HighErrorRate: checkout 5xx above 5%".into(),
        severity: Some("critical".into()),
        labels: labels(pairs),
        annotations: BTreeMap::new(),
        links: Vec::new(),
        starts_at: None,
        ends_at: None,
    }
}

fn batch(a: &AlertIn) -> Batch {
    let mut b = Batch::new(Source::Alertmanager);
    b.group = Some("{}:{alertname=\"HighErrorRate\"}".into());
    b.common_labels = labels(&[("cluster", "eu-1")]);
    b.alerts.push(a.clone());
    b
}

fn rule(name: &str, matchers: &str) -> Route {
    Route {
        at: format!("t.toml:{}:1", name.len()),
        name: Some(name.into()),
        matchers: parse_matchers(matchers).unwrap(),
        when: None,
        set: Actions::default(),
        suppress: false,
        continue_matching: false,
    }
}

fn now() -> DateTime<Utc> {
    // A Wednesday, 10:00 in Berlin.
    Utc.with_ymd_and_hms(2026, 1, 7, 9, 0, 0).unwrap()
}

#[test]
fn first_match_wins_and_later_rules_are_not_tried() {
    let a = alert(&[("service", "checkout"), ("team", "payments")]);
    let mut r1 = rule("db", r#"service="database""#);
    r1.set.severity = Some(Severity::Sev1);
    let mut r2 = rule("checkout", r#"service="checkout", team=~"pay.*""#);
    r2.set.service = Some("checkout".into());
    r2.set.assignee = Some("alice".into());
    let mut r3 = rule("catch-all", "");
    r3.set.assignee = Some("oncall".into());
    let (routed, trials) = route(&[r1, r2, r3], &batch(&a), &a, now());
    assert_eq!(routed.service.as_deref(), Some("checkout"));
    assert_eq!(routed.assignee.as_deref(), Some("alice"));
    assert_eq!(routed.severity, None);
    assert_eq!(trials.len(), 2, "{trials:#?}");
    assert_eq!(trials[0].rule, "db (t.toml:2:1)");
    assert!(!trials[0].matched);
    assert_eq!(
        trials[0].why,
        r#"service="database" failed: service is "checkout""#
    );
    assert!(trials[1].matched);
    assert_eq!(trials[1].why, "all 2 matchers matched");
}

#[test]
fn continue_merges_earlier_values_first_and_adds_tags() {
    let a = alert(&[("service", "checkout")]);
    let mut r1 = rule("team", r#"service="checkout""#);
    r1.continue_matching = true;
    r1.set.assignee = Some("alice".into());
    r1.set.tags = vec!["payments".into()];
    let mut r2 = rule("critical", r#"severity="critical""#);
    r2.continue_matching = true;
    r2.set.severity = Some(Severity::Sev1);
    r2.set.assignee = Some("oncall".into());
    r2.set.tags = vec!["paging".into(), "payments".into()];
    let mut r3 = rule("never", r#"service="other""#);
    r3.set.service = Some("other".into());
    let mut r4 = rule("last", "");
    r4.set.impact = Some(Impact::High);
    let (routed, trials) = route(&[r1, r2, r3, r4], &batch(&a), &a, now());
    assert_eq!(
        routed.assignee.as_deref(),
        Some("alice"),
        "earlier rule wins"
    );
    assert_eq!(routed.severity, Some(Severity::Sev1));
    assert_eq!(routed.tags, vec!["payments", "paging"]);
    assert_eq!(routed.service, None);
    assert_eq!(routed.impact, Some(Impact::High));
    let matched: Vec<bool> = trials.iter().map(|t| t.matched).collect();
    assert_eq!(matched, vec![true, true, false, true]);
    assert_eq!(trials[3].why, "no matchers: matches every alert");
}

#[test]
fn suppress_records_the_rule_and_stops() {
    let a = alert(&[("env", "staging")]);
    let mut r1 = rule("staging is quiet", r#"env="staging""#);
    r1.suppress = true;
    let mut r2 = rule("all", "");
    r2.set.service = Some("x".into());
    let (routed, trials) = route(&[r1, r2.clone()], &batch(&a), &a, now());
    assert_eq!(
        routed.suppressed_by.as_deref(),
        Some("staging is quiet (t.toml:16:1)")
    );
    assert_eq!(routed.service, None);
    assert_eq!(trials.len(), 1);
    let prod = alert(&[("env", "prod")]);
    let mut r1 = rule("staging is quiet", r#"env="staging""#);
    r1.suppress = true;
    let (routed, _) = route(&[r1, r2], &batch(&prod), &prod, now());
    assert_eq!(routed.suppressed_by, None);
    assert_eq!(routed.service.as_deref(), Some("x"));
}

#[test]
fn time_windows_gate_a_rule_in_their_zone() {
    let a = alert(&[("service", "checkout")]);
    let days = vec!["mon-fri".to_string()];
    let mut office = rule("office hours", r#"service="checkout""#);
    office.when = Some(Window::parse(&days, Some("09:00-17:00"), Some("Europe/Berlin")).unwrap());
    office.set.assignee = Some("team".into());
    let mut night = rule("otherwise", "");
    night.set.assignee = Some("oncall".into());
    let routes = [office, night];
    let at = |y, mo, d, h, mi| Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap();
    let who = |t| route(&routes, &batch(&a), &a, t).0.assignee.unwrap();
    // Wednesday 2026-01-07: Berlin is UTC+1.
    assert_eq!(who(at(2026, 1, 7, 7, 59)), "oncall", "08:59 Berlin");
    assert_eq!(who(at(2026, 1, 7, 8, 0)), "team", "09:00 Berlin");
    assert_eq!(who(at(2026, 1, 7, 15, 59)), "team", "16:59 Berlin");
    assert_eq!(who(at(2026, 1, 7, 16, 0)), "oncall", "17:00 Berlin");
    // Friday 16:30 UTC in July is 18:30 CEST; Friday 08:00 UTC is 10:00.
    assert_eq!(who(at(2026, 7, 10, 8, 0)), "team");
    assert_eq!(who(at(2026, 7, 10, 15, 30)), "oncall");
    // Saturday 10:00 Berlin.
    assert_eq!(who(at(2026, 1, 10, 9, 0)), "oncall");
    let (_, trials) = route(&routes, &batch(&a), &a, at(2026, 1, 10, 9, 0));
    assert_eq!(
        trials[0].why,
        "outside its time window: sat 10:00 Europe/Berlin is not on mon-fri"
    );
    let (_, trials) = route(&routes, &batch(&a), &a, at(2026, 1, 7, 9, 0));
    assert_eq!(
        trials[0].why,
        "all 1 matchers matched, inside mon-fri 09:00-17:00 Europe/Berlin"
    );
}

#[test]
fn matchers_read_labels_common_labels_then_fields() {
    let a = alert(&[("service", "checkout"), ("source", "spoofed")]);
    let b = batch(&a);
    let yes = |text: &str, integ: Option<&str>| {
        let r = rule("r", text);
        route_with(&[r], integ, &b, &a, now()).1[0].matched
    };
    assert!(yes(r#"cluster="eu-1""#, None), "a common label");
    assert!(yes(r#"severity="critical""#, None), "the severity field");
    assert!(
        yes(r#"summary=~"HighErrorRate:.*""#, None),
        "the summary field"
    );
    assert!(
        yes(r#"source="alertmanager""#, None),
        "source is sev's, not a label"
    );
    assert!(!yes(r#"source="spoofed""#, None));
    assert!(yes(r#"integration="prod""#, Some("prod")));
    assert!(!yes(r#"integration="prod""#, None));
    assert!(yes(r#"integration="""#, None));
    // A label named severity wins over the field.
    let a2 = alert(&[("severity", "page")]);
    let r = rule("r", r#"severity="page""#);
    assert!(route(&[r], &batch(&a2), &a2, now()).1[0].matched);
    let r = rule("r", r#"team="db""#);
    assert_eq!(
        route(&[r], &b, &a, now()).1[0].why,
        r#"team="db" failed: team is absent"#
    );
}

#[test]
fn preview_takes_route_then_integration_then_defaults() {
    let cfg = crate::config::Config::builtin();
    let a = alert(&[("alertname", "HighErrorRate"), ("env", "prod")]);
    let b = batch(&a);
    let mut integ = Integration::named("prod", Source::Alertmanager);
    integ.service = Some("shop".into());
    let p = preview(&cfg, &integ, &b, &a, &Routed::default(), now());
    assert_eq!(p.service.as_deref(), Some("shop"));
    assert_eq!(p.severity, Severity::Sev2, "critical maps to SEV2");
    assert_eq!(p.priority, Priority::P3, "medium x medium");
    assert_eq!(p.group, "{}:{alertname=\"HighErrorRate\"}");
    let routed = Routed {
        service: Some("checkout".into()),
        severity: Some(Severity::Sev1),
        impact: Some(Impact::High),
        urgency: Some(Urgency::High),
        group_by: Some(vec!["alertname".into(), "env".into(), "zone".into()]),
        ..Routed::default()
    };
    let p = preview(&cfg, &integ, &b, &a, &routed, now());
    assert_eq!(p.service.as_deref(), Some("checkout"));
    assert_eq!(p.severity, Severity::Sev1);
    assert_eq!(p.priority, Priority::P1);
    assert_eq!(
        p.group,
        r#"by:{alertname="HighErrorRate",env="prod",zone=""}"#
    );
    assert_eq!(p.title, a.summary);
    assert_eq!(p.tags, vec!["alert"]);
    // Without a route or an integration service, the alert's service label.
    integ.service = None;
    let a = alert(&[("service", "payments")]);
    let p = preview(&cfg, &integ, &batch(&a), &a, &Routed::default(), now());
    assert_eq!(p.service.as_deref(), Some("payments"));
}
