//! `[schedules.NAME]` as written, and how it lays over [`Schedules`]:
//! a later file's `[schedules.NAME]` replaces that schedule whole. Every
//! mistake is a [`ConfigError`] at the value's file, line and column.

use super::{Active, Layer, Schedule, Schedules, ShiftLen};
use crate::config::ConfigError;
use crate::intake::tz::Tz;
use chrono::NaiveDate;
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

type S = Spanned<String>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleFile {
    time_zone: Option<S>,
    layers: Option<Vec<LayerFile>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LayerFile {
    name: Option<S>,
    members: Spanned<Vec<S>>,
    shift: S,
    handoff: S,
    start: S,
    active: Option<S>,
}

type Cx<'a> = crate::config::ConfigText<'a>;

/// Lay one file's `[schedules]` over `c`.
pub fn apply(
    map: Option<&BTreeMap<S, ScheduleFile>>,
    c: &mut Schedules,
    text: &str,
    name: &str,
) -> Result<(), ConfigError> {
    let cx = Cx { text, name };
    for (key, f) in map.into_iter().flatten() {
        let s = schedule(key, f, &cx)?;
        c.map.insert(s.name.clone(), s);
    }
    Ok(())
}

/// 1 to 64 letters, digits, `_`, `.` or `-`: it goes into commands,
/// file names and calendar UIDs.
fn valid_name(n: &str) -> bool {
    !n.is_empty()
        && n.len() <= 64
        && n.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b))
}

fn schedule(key: &S, f: &ScheduleFile, cx: &Cx<'_>) -> Result<Schedule, ConfigError> {
    let name = key.get_ref().clone();
    if !valid_name(&name) {
        return Err(cx.err(
            key,
            format!("bad schedule name '{name}': use 1 to 64 letters, digits, '_', '.' or '-'"),
        ));
    }
    let tz = match &f.time_zone {
        Some(z) => Tz::parse(z.get_ref()).map_err(|e| cx.err(z, e))?,
        None => Tz::Clock(crate::clock::Zone::UTC),
    };
    let layers = f
        .layers
        .iter()
        .flatten()
        .map(|l| layer(l, cx))
        .collect::<Result<Vec<_>, _>>()?;
    if layers.is_empty() {
        return Err(cx.err(
            key,
            format!("schedule '{name}' has no layers: add a [[schedules.{name}.layers]] with members, shift, handoff and start"),
        ));
    }
    Ok(Schedule { name, tz, layers })
}

fn layer(f: &LayerFile, cx: &Cx<'_>) -> Result<Layer, ConfigError> {
    let name = match &f.name {
        Some(n) if n.get_ref().trim().is_empty() || n.get_ref().chars().any(char::is_control) => {
            return Err(cx.err(
                n,
                "a layer name must not be empty or hold control characters",
            ));
        }
        Some(n) => Some(n.get_ref().trim().to_string()),
        None => None,
    };
    let mut members = Vec::new();
    for m in f.members.get_ref() {
        let v = m.get_ref().trim();
        if v.is_empty() || v.chars().any(char::is_control) {
            return Err(cx.err(
                m,
                "a member must be a user name (not empty, no control characters)",
            ));
        }
        members.push(v.to_string());
    }
    if members.is_empty() {
        return Err(cx.err(
            &f.members,
            "members is empty: list who takes turns, like [\"alice\", \"bob\"]",
        ));
    }
    let shift = ShiftLen::parse(f.shift.get_ref()).map_err(|e| cx.err(&f.shift, e))?;
    let handoff = parse_handoff(f.handoff.get_ref()).map_err(|e| cx.err(&f.handoff, e))?;
    let start = NaiveDate::parse_from_str(f.start.get_ref().trim(), "%Y-%m-%d").map_err(|_| {
        cx.err(
            &f.start,
            format!(
                "bad start '{}': write the local date of the first handoff, like 2026-11-02",
                f.start.get_ref()
            ),
        )
    })?;
    let active = f
        .active
        .as_ref()
        .map(|a| Active::parse(a.get_ref()).map_err(|e| cx.err(a, e)))
        .transpose()?;
    Ok(Layer {
        name,
        members,
        shift,
        handoff,
        start,
        active,
    })
}

/// `HH:MM`, 00:00 to 23:59: minutes after midnight.
pub fn parse_handoff(s: &str) -> Result<u16, String> {
    let bad = || format!("bad handoff '{s}': write a local time like 09:00 (00:00 to 23:59)");
    let (h, m) = s.trim().split_once(':').ok_or_else(bad)?;
    let ok = |x: &str| x.len() == 2 && x.bytes().all(|b| b.is_ascii_digit());
    if !ok(h) || !ok(m) {
        return Err(bad());
    }
    let (h, m): (u16, u16) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if h > 23 || m > 59 {
        return Err(bad());
    }
    Ok(h * 60 + m)
}
