//! `sev show`: one incident with its links, its whole timeline and its alerts.

use super::{Env, link};
use crate::cli::{IdArg, output, parse_id, to_json};
use crate::error::Result;

/// Alerts in `show --json` (newest first); `sev alerts ID` has them all.
const SHOWN_ALERTS: usize = 500;
/// Alerts in the text record.
const SHOWN_TEXT: usize = 20;

pub(super) fn run(env: &Env<'_>, a: &IdArg) -> Result<()> {
    let id = parse_id(&a.id)?;
    let inc = env.store().get(id)?;
    let events = env.store().events(id)?;
    let links = env.store().links(id)?;
    let alerts = env.store().alerts(&crate::store::AlertQuery {
        incident: Some(id),
        limit: Some(SHOWN_ALERTS),
        ..Default::default()
    })?;
    let now = env.cx.clock.now();
    let zone = env.cx.clock.zone();
    let clocks = env.cx.config.response.clocks(
        &inc,
        crate::respond::reopen_in(&events).as_ref(),
        &env.cx.config.hours.in_zone_of(zone),
        now,
    );
    if env.json {
        let mut v = super::list::json_with_clocks(&inc, Some(&events), Some(&clocks))?;
        v["alerts"] = alerts
            .iter()
            .map(|a| serde_json::to_value(super::alerts::alert_json(a)).unwrap_or_default())
            .collect();
        v["links"] = link::json(id, &links);
        crate::outln!("{}", to_json(&v));
    } else {
        let name = &env.cx.config.severity(inc.severity).name;
        let related = link::describe(id, &links);
        let response: Vec<String> = clocks
            .iter()
            .map(|c| crate::respond::targets_show::line(c, now, zone))
            .collect();
        crate::out!(
            "{}",
            output::record(&inc, &events, &related, &response, name, env.cx.clock)
        );
        if !alerts.is_empty() {
            let c = env
                .store()
                .alert_counts(&[id])?
                .remove(&id)
                .unwrap_or_default();
            crate::outln!(
                "\nAlerts: {} · {} firing · {} resolved{}",
                c.total,
                c.open(),
                c.resolved,
                if c.total as usize > alerts.len() {
                    format!(" (newest {} shown: sev alerts {id})", alerts.len())
                } else {
                    String::new()
                }
            );
            let width = crate::cli::term_width();
            for a in alerts.iter().take(SHOWN_TEXT) {
                crate::outln!(
                    "  {}",
                    super::alerts::alert_line(a, now, width.saturating_sub(2))
                );
            }
        }
    }
    Ok(())
}
