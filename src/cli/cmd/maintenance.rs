//! `sev maintenance add|list|end`: windows that silence matching alerts.
//! During a window a matching new alert is recorded as suppressed and opens
//! nothing; resolves always pass; when it ends (on time or by `end`),
//! `sev serve` lets alerts that still fire open their incidents.

use super::Env;
use crate::cli::args_intake::{MaintenanceAdd, MaintenanceCommand};
use crate::cli::to_json;
use crate::error::{Error, Result};
use crate::store::Window;
use crate::text::sanitize_line;
use chrono::{DateTime, Duration, Utc};

/// The longest window: a week-long silence is a decision, a year is a typo.
const LONGEST_DAYS: i64 = 31;

/// `now`, `+30m` / `-5m` (relative to `base`), or RFC 3339.
pub(crate) fn parse_time(flag: &str, v: &str, base: DateTime<Utc>) -> Result<DateTime<Utc>> {
    let t = v.trim();
    let bad = |why: &str| {
        Error::Usage(format!(
            "--{flag} {}: {why} — write now, +2h, +30m, +1d, or an RFC 3339 time like 2026-11-28T14:00:00Z",
            sanitize_line(t)
        ))
    };
    if t.eq_ignore_ascii_case("now") {
        return Ok(base);
    }
    if let Some((sign, rel)) = t
        .strip_prefix('+')
        .map(|r| (1, r))
        .or_else(|| t.strip_prefix('-').map(|r| (-1, r)))
    {
        let split = rel.find(|c: char| !c.is_ascii_digit()).unwrap_or(rel.len());
        let (n, unit) = rel.split_at(split);
        let n: i64 = n.parse().map_err(|_| bad("not a number"))?;
        let secs = match unit {
            "s" => 1,
            "m" => 60,
            "h" => 3600,
            "d" => 86_400,
            "w" => 604_800,
            _ => return Err(bad("the unit must be s, m, h, d or w")),
        };
        return n
            .checked_mul(secs * sign)
            .and_then(Duration::try_seconds)
            .and_then(|d| base.checked_add_signed(d))
            .ok_or_else(|| bad("too far"));
    }
    DateTime::parse_from_rfc3339(t)
        .map(|d| d.with_timezone(&Utc))
        .map_err(|_| bad("not a time"))
}

pub(super) fn run(env: &Env<'_>, c: MaintenanceCommand) -> Result<()> {
    match c {
        MaintenanceCommand::Add(a) => add(env, &a),
        MaintenanceCommand::List(l) => list(env, l.all),
        MaintenanceCommand::End(e) => {
            let w = env
                .store()
                .end_window(e.id, &env.cx.actor, env.cx.clock.now())?;
            if env.json {
                crate::outln!("{}", to_json(&w));
            } else {
                crate::outln!(
                    "maintenance #{} ended at {}: alerts it held that still fire open their incidents at sev serve's next round",
                    w.id,
                    env.cx.clock.local(w.ends_at)
                );
            }
            Ok(())
        }
    }
}

fn add(env: &Env<'_>, a: &MaintenanceAdd) -> Result<()> {
    let now = env.cx.clock.now();
    crate::intake::matcher::parse_matchers(&a.matchers).map_err(|e| {
        Error::Usage(format!(
            "--match {}: {}",
            sanitize_line(&a.matchers),
            sanitize_line(&e)
        ))
    })?;
    let reason = crate::text::fold_lines(a.reason.trim()).into_owned();
    if reason.is_empty() {
        return Err(Error::Usage(
            "--reason is empty: say why alerts are silenced (it shows on every suppressed alert)"
                .into(),
        ));
    }
    let from = parse_time("from", &a.from, now)?;
    let until = parse_time("until", &a.until, from)?;
    if until <= from {
        return Err(Error::Usage(format!(
            "--until {} is not after --from {}: a window must end after it starts",
            sanitize_line(&a.until),
            sanitize_line(&a.from)
        )));
    }
    if until <= now {
        return Err(Error::Usage(
            "that window is already over: give an --until in the future".into(),
        ));
    }
    if until - from > Duration::days(LONGEST_DAYS) {
        return Err(Error::Usage(format!(
            "a window of more than {LONGEST_DAYS} days silences too much: end it sooner (--until)"
        )));
    }
    let w = env.store().add_window(&Window {
        id: 0,
        matchers: a.matchers.trim().to_string(),
        starts_at: from,
        ends_at: until,
        reason,
        created_by: env.cx.actor.clone(),
        created_at: now,
        ended_by: None,
        replayed: false,
    })?;
    if env.json {
        crate::outln!("{}", to_json(&w));
    } else {
        crate::outln!(
            "maintenance #{}: {} from {} until {} — {}",
            w.id,
            sanitize_line(&w.matchers),
            env.cx.clock.local(w.starts_at),
            env.cx.clock.local(w.ends_at),
            sanitize_line(&w.reason)
        );
    }
    Ok(())
}

/// `active`, `scheduled` or `ended` at `now`.
pub(crate) fn state(w: &Window, now: DateTime<Utc>) -> &'static str {
    if w.ends_at <= now {
        "ended"
    } else if w.starts_at > now {
        "scheduled"
    } else {
        "active"
    }
}

fn list(env: &Env<'_>, all: bool) -> Result<()> {
    let now = env.cx.clock.now();
    let ws = env.store().windows(now, all)?;
    if env.json {
        let v: Vec<serde_json::Value> = ws
            .iter()
            .map(|w| {
                let mut j = serde_json::to_value(w).unwrap_or_default();
                j["state"] = state(w, now).into();
                j
            })
            .collect();
        crate::outln!("{}", to_json(&v));
        return Ok(());
    }
    if ws.is_empty() {
        crate::outln!(
            "no maintenance windows{}",
            if all { "" } else { " in force or to come" }
        );
        return Ok(());
    }
    crate::outln!(
        "{:<5} {:<9} {:<16} {:<16} MATCH — REASON",
        "ID",
        "STATE",
        "FROM",
        "UNTIL"
    );
    for w in &ws {
        crate::outln!(
            "{:<5} {:<9} {:<16} {:<16} {} — {}",
            w.id,
            state(w, now),
            env.cx.clock.local(w.starts_at),
            env.cx.clock.local(w.ends_at),
            sanitize_line(&w.matchers),
            sanitize_line(&w.reason)
        );
    }
    Ok(())
}

/// One line per window in force now, for the top of `sev list`.
pub(super) fn banner(env: &Env<'_>) -> Result<Vec<String>> {
    let now = env.cx.clock.now();
    Ok(env
        .store()
        .windows(now, false)?
        .iter()
        .filter(|w| state(w, now) == "active")
        .map(|w| {
            format!(
                "maintenance #{} until {}: {} — {}",
                w.id,
                env.cx.clock.local(w.ends_at),
                sanitize_line(&w.matchers),
                sanitize_line(&w.reason)
            )
        })
        .collect())
}
