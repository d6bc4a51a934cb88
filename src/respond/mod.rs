//! Responding on time: response targets (SLA clocks) per priority, and
//! the breaches recorded on the timeline. See [`targets`].

pub mod targets;
pub mod targets_config;
mod targets_hours;
pub mod targets_show;
#[cfg(test)]
mod targets_tests;

pub use targets::{Clock, ClockKind, Clocks, Cycle, State, Target, Targets, reopen_in};

use crate::calendar::Hours;
use crate::domain::{Incident, IncidentId};
use crate::error::Result;
use crate::store::{ListQuery, NewBreach, Store};
use chrono::{DateTime, Utc};
use std::collections::HashMap;

/// Who the breach events are by.
pub const ACTOR: &str = "sev";

/// The clocks of each of `incidents` (one read: their reopens).
pub fn clocks_of(
    store: &Store,
    targets: &Targets,
    hours: &Hours,
    incidents: &[Incident],
    now: DateTime<Utc>,
) -> Result<HashMap<IncidentId, Clocks>> {
    let ids: Vec<IncidentId> = incidents.iter().map(|i| i.id).collect();
    let reopens = store.reopens(&ids)?;
    Ok(incidents
        .iter()
        .map(|i| (i.id, targets.clocks(i, reopens.get(&i.id), hours, now)))
        .collect())
}

/// The timeline text of a breach: "acknowledge target 5m breached (P1)".
pub fn breach_text(inc: &Incident, c: &Clock) -> String {
    let t = crate::intake::config_file::show_duration(c.target.to_std().unwrap_or_default());
    let cal = if c.business_hours {
        " (business hours)"
    } else {
        ""
    };
    format!(
        "{} target {t}{cal} breached ({})",
        c.kind.as_str(),
        inc.priority
    )
}

/// Record each missed target of the open incidents on its timeline: one
/// `breach` event per clock per cycle (a reopened incident can breach
/// again). Idempotent: a second call at the same `now` writes nothing.
/// `hours` as the reader sees them (`Hours::in_zone_of`). How many were
/// written. `sev serve` calls this on its tick.
pub fn record_breaches(
    store: &Store,
    targets: &Targets,
    hours: &Hours,
    now: DateTime<Utc>,
) -> Result<usize> {
    record_breaches_remembering(store, targets, hours, now, &mut Recorded::default())
}

/// Breaches a long-running caller has already seen recorded (or found
/// recorded): by incident, clock, cycle and the version judged. A tick
/// over thousands of open incidents that missed their targets long ago
/// then asks the database only about what is new.
#[derive(Debug, Default)]
pub struct Recorded(std::collections::HashSet<(IncidentId, &'static str, i64, i64)>);

/// [`record_breaches`], skipping what `seen` says is recorded already.
pub fn record_breaches_remembering(
    store: &Store,
    targets: &Targets,
    hours: &Hours,
    now: DateTime<Utc>,
    seen: &mut Recorded,
) -> Result<usize> {
    let open = store.list(&ListQuery::default())?.rows;
    let clocks = clocks_of(store, targets, hours, &open, now)?;
    let mut list = Vec::new();
    for i in &open {
        let Some(c) = clocks.get(&i.id) else { continue };
        for k in c.iter().filter(|k| k.is_breached()) {
            let key = (i.id, k.kind.as_str(), c.cycle.reopen_event, i.version);
            if seen.0.contains(&key) {
                continue;
            }
            list.push(NewBreach {
                incident: i.id,
                version: i.version,
                clock: k.kind.as_str(),
                after_event: c.cycle.reopen_event,
                text: breach_text(i, k),
            });
        }
    }
    if list.is_empty() {
        return Ok(0);
    }
    let n = store.record_breaches(&list, ACTOR, now)?;
    // Written now, or found written: either way there is nothing more to
    // write for these (a stale version is another key next time).
    seen.0.extend(
        list.iter()
            .map(|b| (b.incident, b.clock, b.after_event, b.version)),
    );
    Ok(n)
}
