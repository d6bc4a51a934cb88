//! `sev alerts`: alerts, newest first (of one incident, or all).

use super::Env;
use crate::cli::args_intake::AlertsArgs;
use crate::cli::to_json;
use crate::clock;
use crate::error::Result;
use crate::store::{AlertQuery, AlertRow};
use crate::text::{sanitize_line, truncate};

/// The stable JSON shape of an alert (README documents it).
#[derive(serde::Serialize)]
pub(crate) struct AlertJson<'a> {
    pub id: i64,
    pub incident: Option<String>,
    pub source: &'a str,
    pub integration: &'a str,
    pub key: &'a str,
    pub group: &'a str,
    pub status: &'a str,
    pub suppressed: Option<&'a str>,
    pub summary: &'a str,
    pub severity: Option<&'a str>,
    pub labels: &'a std::collections::BTreeMap<String, String>,
    pub annotations: &'a std::collections::BTreeMap<String, String>,
    pub links: &'a [crate::intake::model::Link],
    pub starts_at: Option<String>,
    pub ends_at: Option<String>,
    pub first_received: String,
    pub last_received: String,
    pub count: i64,
}

pub(crate) fn alert_json(a: &AlertRow) -> AlertJson<'_> {
    AlertJson {
        id: a.id,
        incident: a.incident.map(|i| i.to_string()),
        source: &a.source,
        integration: &a.integration,
        key: &a.key,
        group: &a.group,
        status: &a.status,
        suppressed: a.suppressed.as_deref(),
        summary: &a.summary,
        severity: a.severity.as_deref(),
        labels: &a.labels,
        annotations: &a.annotations,
        links: &a.links,
        starts_at: a.starts_at.map(clock::rfc3339),
        ends_at: a.ends_at.map(clock::rfc3339),
        first_received: clock::rfc3339(a.first_received),
        last_received: clock::rfc3339(a.last_received),
        count: a.receipts,
    }
}

/// One line per alert for a terminal.
pub(crate) fn alert_line(a: &AlertRow, now: chrono::DateTime<chrono::Utc>, width: usize) -> String {
    let state = match (&a.suppressed, a.status.as_str()) {
        (Some(_), "resolved") => "resolved",
        (Some(_), _) => "SUPPRESSED",
        (None, "firing") => "FIRING",
        (None, "acknowledged") => "ACKED",
        (None, s) => s,
    };
    let inc = a
        .incident
        .map(|i| i.to_string())
        .unwrap_or_else(|| "—".into());
    let head = format!(
        "{:<7} {:<10} {:<9} ×{:<4} {:>4} ",
        a.id,
        state,
        inc,
        a.receipts,
        clock::age(a.last_received, now)
    );
    let rest = width.saturating_sub(head.chars().count()).max(20);
    format!("{head}{}", truncate(&sanitize_line(&a.summary), rest))
}

pub(super) fn run(env: &Env<'_>, a: &AlertsArgs) -> Result<()> {
    let incident = a.id.as_deref().map(|s| s.parse()).transpose()?;
    if let Some(id) = incident {
        env.store().get(id)?;
    }
    let rows = env.store().alerts(&AlertQuery {
        incident,
        open_only: a.firing,
        suppressed_only: a.suppressed,
        limit: Some(a.limit),
    })?;
    if env.json {
        let v: Vec<AlertJson<'_>> = rows.iter().map(alert_json).collect();
        crate::outln!("{}", to_json(&v));
        return Ok(());
    }
    if rows.is_empty() {
        crate::outln!("no alerts");
        return Ok(());
    }
    let now = env.cx.clock.now();
    let width = crate::cli::term_width();
    crate::outln!(
        "{:<7} {:<10} {:<9} {:<5} {:>4} SUMMARY",
        "ALERT",
        "STATE",
        "INCIDENT",
        "COUNT",
        "LAST"
    );
    for r in &rows {
        crate::outln!("{}", alert_line(r, now, width));
    }
    Ok(())
}
