//! `sev route test [--source S] [--integration NAME] [--at TIME] FILE`:
//! parse a body exactly as the intake would, run each alert through the
//! `[[routes]]` rules and print every rule tried, which matched and why,
//! and the incident the alert would open. Reads the config only: no
//! database is opened and nothing is written. Maintenance windows live in
//! the database and are not consulted.

use crate::cli::{RouteCommand, RouteTestArgs, to_json};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::intake::config::Integration;
use crate::intake::model::{AlertIn, Batch, Source, State};
use crate::intake::route::{Preview, Routed, Trial, preview, route_with};
use crate::text::{sanitize_line, truncate};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::io::Read;

pub(super) fn run(config: &Config, c: &RouteCommand, json: bool) -> Result<()> {
    let RouteCommand::Test(a) = c;
    test(config, a, json)
}

#[derive(Serialize)]
struct Report<'a> {
    source: Source,
    integration: &'a str,
    at: String,
    rules: usize,
    truncated: u64,
    alerts: Vec<AlertReport<'a>>,
}

#[derive(Serialize)]
struct AlertReport<'a> {
    key: &'a str,
    state: State,
    summary: &'a str,
    labels: &'a std::collections::BTreeMap<String, String>,
    trials: Vec<Trial>,
    /// Rules after the last one tried (a match without `continue`).
    not_tried: usize,
    routed: Routed,
    /// The incident a firing alert opens when its group has none yet; none
    /// when suppressed or not firing.
    incident: Option<Preview>,
    /// An earlier alert of this body (1-based) in the same group: this one
    /// joins the incident that one opens, and what its own rules set does
    /// not apply (one incident per group).
    joins: Option<usize>,
}

fn test(config: &Config, a: &RouteTestArgs, json: bool) -> Result<()> {
    let now = match &a.at {
        Some(t) => DateTime::parse_from_rfc3339(t.trim())
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| {
                Error::Usage(format!(
                    "--at '{t}': {e}; write a time like 2026-01-07T09:00:00Z"
                ))
            })?,
        None => Utc::now(),
    };
    let integ = pick_integration(config, a)?;
    let body = read_body(&a.file, config.alerts.max_body_bytes)?;
    let batch = crate::intake::parse::parse(integ.source, &body, &integ, now).map_err(|e| {
        Error::Usage(format!(
            "{}: not a valid {} body: {e}",
            a.file.display(),
            integ.source
        ))
    })?;
    let routes = &config.alerts.routes;
    let mut groups: std::collections::HashMap<String, usize> = Default::default();
    let alerts: Vec<AlertReport<'_>> = batch
        .alerts
        .iter()
        .enumerate()
        .map(|(n, alert)| {
            let (routed, trials) = route_with(routes, Some(&integ.name), &batch, alert, now);
            let incident = (alert.state == State::Firing && routed.suppressed_by.is_none())
                .then(|| preview(config, &integ, &batch, alert, &routed, now));
            let joins = incident.as_ref().and_then(|p| {
                groups.get(&p.group).copied().or_else(|| {
                    groups.insert(p.group.clone(), n + 1);
                    None
                })
            });
            AlertReport {
                joins,
                key: &alert.key,
                state: alert.state,
                summary: &alert.summary,
                labels: &alert.labels,
                not_tried: routes.len() - trials.len(),
                trials,
                routed,
                incident,
            }
        })
        .collect();
    let report = Report {
        source: batch.source,
        integration: &integ.name,
        at: crate::clock::rfc3339(now),
        rules: routes.len(),
        truncated: batch.truncated,
        alerts,
    };
    if json {
        crate::outln!("{}", to_json(&report));
    } else {
        print_text(&report, &batch);
    }
    Ok(())
}

/// The integration the body comes through: `--integration`, the NAME of
/// `--source generic:NAME`, the only one configured for the source, or
/// one with every default named after the source.
fn pick_integration(config: &Config, a: &RouteTestArgs) -> Result<Integration> {
    let configured = &config.alerts.integrations;
    let names = || {
        let n: Vec<&str> = configured.iter().map(|i| i.name.as_str()).collect();
        if n.is_empty() {
            "none are configured".to_string()
        } else {
            format!("configured: {}", n.join(", "))
        }
    };
    let (source, generic_name) = match a.source.as_deref().map(str::trim) {
        None => (None, None),
        Some(s) => match s.split_once(':') {
            Some(("generic", n)) => (Some(Source::Generic), Some(n.to_string())),
            _ => match Source::parse(s) {
                Some(Source::Heartbeat) | None => {
                    return Err(Error::Usage(format!(
                        "--source '{s}': expected alertmanager, grafana, pagerduty or generic:NAME"
                    )));
                }
                Some(Source::Generic) => {
                    return Err(Error::Usage(
                        "--source generic needs the integration's name: generic:NAME".into(),
                    ));
                }
                Some(src) => (Some(src), None),
            },
        },
    };
    let name = match (&a.integration, &generic_name) {
        (Some(i), Some(g)) if i != g => {
            return Err(Error::Usage(format!(
                "--integration {i} and --source generic:{g} name two integrations: give one"
            )));
        }
        (Some(i), _) => Some(i.clone()),
        (None, g) => g.clone(),
    };
    if let Some(n) = name {
        let i = config.alerts.integration(&n).ok_or_else(|| {
            Error::Usage(format!(
                "no integration named '{n}' in the config ({}): add an [[integrations]] entry or check the name",
                names()
            ))
        })?;
        if let Some(s) = source
            && s != i.source
        {
            return Err(Error::Usage(format!(
                "integration '{n}' takes {} bodies, not {s}: drop --source or pick another integration",
                i.source
            )));
        }
        return Ok(i.clone());
    }
    let mut matching: Vec<&Integration> = configured
        .iter()
        .filter(|i| source.is_none_or(|s| s == i.source))
        .collect();
    if source.is_none() && matching.len() > 1 {
        // Without --source the body is read as Alertmanager's: only those
        // integrations could take it.
        matching.retain(|i| i.source == Source::Alertmanager);
    }
    match (source, matching.as_slice()) {
        (_, [one]) => Ok((*one).clone()),
        (Some(s), []) => Ok(Integration::named(s.as_str(), s)),
        (None, []) => Ok(Integration::named("alertmanager", Source::Alertmanager)),
        (_, many) => {
            let n: Vec<&str> = many.iter().map(|i| i.name.as_str()).collect();
            Err(Error::Usage(format!(
                "{} integrations could take this body ({}): pick one with --integration NAME",
                many.len(),
                n.join(", ")
            )))
        }
    }
}

/// The body from FILE or stdin (`-`), refused over `max_body_bytes` as
/// the intake refuses it.
fn read_body(file: &std::path::Path, limit: usize) -> Result<Vec<u8>> {
    let shown = file.display().to_string();
    let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    let mut buf = Vec::new();
    let r = if shown == "-" {
        std::io::stdin().lock().take(cap).read_to_end(&mut buf)
    } else {
        std::fs::File::open(file).and_then(|f| f.take(cap).read_to_end(&mut buf))
    };
    r.map_err(|e| Error::Usage(format!("cannot read {shown}: {e}")))?;
    if buf.len() > limit {
        return Err(Error::Usage(format!(
            "{shown} is over {limit} bytes, the intake's limit ([alerts] max_body_bytes)"
        )));
    }
    Ok(buf)
}

fn line(s: &str, width: usize) -> String {
    truncate(&sanitize_line(s), width)
}

fn print_text(r: &Report<'_>, batch: &Batch) {
    let group = batch
        .group
        .as_deref()
        .map(|g| format!(", group {}", line(g, 160)));
    crate::outln!(
        "{} body through integration {}: {} alert{}{}; {} rule{}, routed at {}",
        r.source,
        line(r.integration, 64),
        r.alerts.len(),
        if r.alerts.len() == 1 { "" } else { "s" },
        group.unwrap_or_default(),
        r.rules,
        if r.rules == 1 { "" } else { "s" },
        r.at
    );
    if r.truncated > 0 {
        crate::outln!(
            "  ({} more alerts were left out by the sender: max_alerts)",
            r.truncated
        );
    }
    for (n, a) in r.alerts.iter().enumerate() {
        alert_text(n, r.alerts.len(), a, batch.alerts.get(n));
    }
}

fn alert_text(n: usize, of: usize, a: &AlertReport<'_>, alert: Option<&AlertIn>) {
    crate::outln!();
    crate::outln!(
        "alert {} of {of} [{}] {}",
        n + 1,
        a.state.as_str(),
        line(a.summary, 100)
    );
    let labels: Vec<String> = a.labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
    crate::outln!(
        "  key {}  labels {}",
        line(a.key, 40),
        line(&labels.join(", "), 160)
    );
    if let Some(sev) = alert.and_then(|x| x.severity.as_deref()) {
        crate::outln!("  source severity {}", line(sev, 40));
    }
    for t in &a.trials {
        crate::outln!(
            "  rule {}: {} — {}",
            line(&t.rule, 100),
            if t.matched { "MATCHED" } else { "no" },
            line(&t.why, 200)
        );
    }
    if a.trials.is_empty() && a.not_tried == 0 {
        crate::outln!("  no [[routes]] configured: the defaults apply");
    } else if a.not_tried > 0 {
        crate::outln!(
            "  ({} later rule{} not tried: the last match has no continue = true)",
            a.not_tried,
            if a.not_tried == 1 { "" } else { "s" }
        );
    } else if !a.trials.iter().any(|t| t.matched) {
        crate::outln!("  no rule matched: the defaults apply");
    }
    if let Some(by) = &a.routed.suppressed_by {
        crate::outln!(
            "  => suppressed by {}: the alert is recorded, no incident opens",
            line(by, 100)
        );
        return;
    }
    let Some(p) = &a.incident else {
        crate::outln!(
            "  => {}: opens nothing (updates the incident of its group, if any)",
            a.state.as_str()
        );
        return;
    };
    if let Some(first) = a.joins {
        crate::outln!(
            "  => joins the incident alert {first} opens (same group {}): one incident per group, so what the rules set for this alert does not apply",
            line(&p.group, 160)
        );
        return;
    }
    let opt = |o: &Option<String>| o.as_deref().map(|s| line(s, 40)).unwrap_or("-".into());
    crate::outln!(
        "  => new incident \"{}\" (if its group has an open one, the alert joins that instead)",
        line(&p.title, 100)
    );
    crate::outln!(
        "     service {} · {} · {} (impact {}, urgency {}) · assignee {} · commander {}",
        opt(&p.service),
        p.severity,
        p.priority,
        p.impact,
        p.urgency,
        opt(&p.assignee),
        opt(&p.commander)
    );
    if p.category.is_some() || !p.tags.is_empty() {
        crate::outln!(
            "     category {} · tags {}",
            opt(&p.category),
            line(&p.tags.join(", "), 100)
        );
    }
    crate::outln!("     group {}", line(&p.group, 160));
}
