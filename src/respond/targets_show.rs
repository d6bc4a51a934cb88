//! Clocks for people and programs: the list's compact cell, the detail's
//! lines and the JSON of `sev list --json` / `sev show --json`.

use super::targets::{Clock, Clocks, State};
use crate::clock::{self, Zone};
use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

/// How a cell is drawn; the text reads the same without colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Running,
    Met,
    Breached,
}

/// Cells the compact cell takes at most ("!99d").
pub const CELL_W: usize = 4;

/// "<1m", "12m", "3h", "5d" (at most "99d").
fn compact(d: Duration) -> String {
    let s = d.num_seconds().max(0);
    match s {
        0..60 => "<1m".into(),
        60..3600 => format!("{}m", s / 60),
        3600..86400 => format!("{}h", s / 3600),
        _ => format!("{}d", (s / 86400).min(99)),
    }
}

/// The list's cell: the running clock due first — "4m" left or "!12m"
/// breached — else "✓" when every clock was met, "!✓" when one was met
/// late; `None` when there is nothing to show (no targets, cancelled).
pub fn cell(c: &Clocks) -> Option<(String, Tone)> {
    if let Some(next) = c.next() {
        return Some(match next.state {
            State::Breached { by } => (format!("!{}", compact(by)), Tone::Breached),
            State::Running { left } => (compact(left), Tone::Running),
            _ => unreachable!("next() is a running clock"),
        });
    }
    let stopped: Vec<&Clock> = c
        .iter()
        .filter(|k| !matches!(k.state, State::Cancelled))
        .collect();
    if stopped.is_empty() {
        None
    } else if stopped.iter().any(|k| k.is_breached()) {
        Some(("!✓".into(), Tone::Breached))
    } else {
        Some(("✓".into(), Tone::Met))
    }
}

/// "14:30" today, else "Mon 23 Nov 09:50", in `zone`.
pub(crate) fn when(t: DateTime<Utc>, now: DateTime<Utc>, zone: Zone) -> String {
    let (lt, ln) = (zone.at(t), zone.at(now));
    if lt.date_naive() == ln.date_naive() {
        lt.format("%H:%M").to_string()
    } else {
        lt.format("%a %d %b %H:%M").to_string()
    }
}

fn target(c: &Clock) -> String {
    let t = crate::intake::config_file::show_duration(c.target.to_std().unwrap_or_default());
    if c.business_hours {
        format!("target {t} business hours")
    } else {
        format!("target {t}")
    }
}

/// One clock on one line: "acknowledge: met in 3m 10s (target 5m)",
/// "resolve: 1h 12m left (due 14:30)", "resolve: BREACHED 20m ago (…)".
pub fn line(c: &Clock, now: DateTime<Utc>, zone: Zone) -> String {
    let d = |d: Duration| clock::duration(d.num_seconds());
    let name = c.kind.as_str();
    let due = when(c.due, now, zone);
    let counted = if c.business_hours {
        " business time"
    } else {
        ""
    };
    match c.state {
        State::Running { left } => {
            format!(
                "{name}: {}{counted} left (due {due}, {})",
                d(left),
                target(c)
            )
        }
        State::Breached { by } if c.business_hours => {
            format!(
                "{name}: BREACHED, over by {}{counted} (due {due}, {})",
                d(by),
                target(c)
            )
        }
        State::Breached { by } => {
            format!("{name}: BREACHED {} ago (due {due}, {})", d(by), target(c))
        }
        State::Met { took, .. } => format!("{name}: met in {}{counted} ({})", d(took), target(c)),
        State::MetLate { took, by, .. } => format!(
            "{name}: met LATE in {}{counted}, {} over ({})",
            d(took),
            d(by),
            target(c)
        ),
        State::Cancelled => format!(
            "{name}: stopped, the incident was cancelled ({})",
            target(c)
        ),
    }
}

fn clock_json(c: &Clock) -> Value {
    let t = clock::rfc3339;
    let mut v = json!({
        "target_seconds": c.target.num_seconds(),
        "business_hours": c.business_hours,
        "started_at": t(c.start),
        "due_at": t(c.due),
        "state": c.state.name(),
        "breached": c.is_breached(),
    });
    match c.state {
        State::Running { left } => v["left_seconds"] = json!(left.num_seconds()),
        State::Breached { by } => v["over_seconds"] = json!(by.num_seconds()),
        State::Met { at, took } => {
            v["met_at"] = json!(t(at));
            v["took_seconds"] = json!(took.num_seconds());
        }
        State::MetLate { at, took, by } => {
            v["met_at"] = json!(t(at));
            v["took_seconds"] = json!(took.num_seconds());
            v["over_seconds"] = json!(by.num_seconds());
        }
        State::Cancelled => {}
    }
    v
}

/// `{"acknowledge": {…}, "resolve": {…}}` (a clock without a target is
/// left out), for the `clocks` key of an incident's JSON.
pub fn json(c: &Clocks) -> Value {
    let mut m = serde_json::Map::new();
    for k in c.iter() {
        m.insert(k.kind.as_str().into(), clock_json(k));
    }
    Value::Object(m)
}
