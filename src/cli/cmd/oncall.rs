//! `sev oncall`: who is on call now and next on each schedule of the
//! config (rotations, layers) with the overrides stored in the database;
//! adding and removing overrides; the schedule as iCalendar.

use super::Env;
use super::maintenance::parse_time;
use crate::cli::args_respond::{OncallArgs, OncallCommand, OncallExport, OverrideAdd};
use crate::cli::to_json;
use crate::error::{Error, Result};
use crate::oncall::{Override, Schedule, Shift};
use crate::paging::directory::to_override;
use crate::store::respond::OverrideRow;
use crate::text::sanitize_line;
use chrono::{DateTime, Duration, Utc};

pub(super) fn run(env: &Env<'_>, a: OncallArgs) -> Result<()> {
    match a.command {
        Some(OncallCommand::Override(o)) => add(env, &o),
        Some(OncallCommand::Overrides(l)) => list_overrides(env, l.schedule.as_deref()),
        Some(OncallCommand::RemoveOverride(r)) => {
            let by = env.cx.actor.clone();
            let gone = env
                .store()
                .respond(env.cx.clock.now(), |tx| tx.remove_override(r.id, &by))?;
            if !gone {
                return Err(Error::NotFound(format!(
                    "no override #{} in force: sev oncall overrides lists them",
                    r.id
                )));
            }
            crate::outln!("override #{} removed", r.id);
            Ok(())
        }
        Some(OncallCommand::Export(x)) => export(env, &x),
        None => now_and_next(env, a.schedule.as_deref(), a.at.as_deref()),
    }
}

fn schedule<'a>(env: &'a Env<'_>, name: &str) -> Result<&'a Schedule> {
    env.cx.config.schedules.get(name.trim()).ok_or_else(|| {
        let names: Vec<&str> = env.cx.config.schedules.names().collect();
        Error::Usage(format!(
            "no schedule named '{}': {}",
            sanitize_line(name),
            if names.is_empty() {
                "define one as [schedules.NAME] in the config (see README: on-call schedules)"
                    .to_string()
            } else {
                format!("the schedules are {}", names.join(", "))
            }
        ))
    })
}

fn overrides(env: &Env<'_>, name: &str, since: DateTime<Utc>) -> Result<Vec<Override>> {
    Ok(env
        .store()
        .overrides(Some(name), since)?
        .iter()
        .map(to_override)
        .collect())
}

fn shift_json(s: &Option<Shift>) -> serde_json::Value {
    match s {
        None => serde_json::Value::Null,
        Some(s) => serde_json::json!({
            "user": s.user, "from": crate::clock::rfc3339(s.from),
            "until": crate::clock::rfc3339(s.until), "layer": s.layer, "override": s.by_override,
        }),
    }
}

fn now_and_next(env: &Env<'_>, one: Option<&str>, at: Option<&str>) -> Result<()> {
    let now = env.cx.clock.now();
    let at = match at {
        Some(t) => parse_time("at", t, now)?,
        None => now,
    };
    let names: Vec<String> = match one {
        Some(n) => vec![schedule(env, n)?.name.clone()],
        None => env.cx.config.schedules.names().map(String::from).collect(),
    };
    if names.is_empty() {
        return Err(Error::Usage(
            "no on-call schedules: define one as [schedules.NAME] in the config (see README: on-call schedules)".into(),
        ));
    }
    // Every schedule's overrides in one query (a round trip is most of
    // what this command costs on PostgreSQL).
    // (A schedule reads only its own out of them.)
    let ovr: Vec<Override> = env
        .store()
        .overrides(one.map(|_| names[0].as_str()), at)?
        .iter()
        .map(to_override)
        .collect();
    let mut out = Vec::new();
    for n in &names {
        let s = schedule(env, n)?;
        let cur = s.on_call(at, &ovr);
        let next = s.next(at, &ovr);
        out.push((n.clone(), cur, next));
    }
    if env.json {
        let v: Vec<serde_json::Value> = out
            .iter()
            .map(|(n, c, x)| {
                serde_json::json!({ "schedule": n, "at": crate::clock::rfc3339(at),
                    "now": shift_json(c), "next": shift_json(x) })
            })
            .collect();
        crate::outln!("{}", to_json(&v));
        return Ok(());
    }
    let local = |t: DateTime<Utc>| env.cx.clock.local_zoned(t);
    for (n, cur, next) in &out {
        let who = match cur {
            Some(s) => format!(
                "{}{} until {}",
                sanitize_line(&s.user),
                if s.by_override { " (override)" } else { "" },
                local(s.until)
            ),
            None => "nobody on call".to_string(),
        };
        let then = match next {
            Some(s) => format!("; next {} from {}", sanitize_line(&s.user), local(s.from)),
            None => String::new(),
        };
        crate::outln!("{}: {who}{then}", sanitize_line(n));
    }
    Ok(())
}

fn add(env: &Env<'_>, o: &OverrideAdd) -> Result<()> {
    let now = env.cx.clock.now();
    let s = schedule(env, &o.schedule)?;
    let from = parse_time("from", &o.from, now)?;
    let until = parse_time("until", &o.until, from)?;
    if until <= from {
        return Err(Error::Usage(
            "--until must be after --from: an override covers a time span".into(),
        ));
    }
    if until - from > Duration::days(90) {
        return Err(Error::Usage(
            "an override over 90 days is a change of the rotation: edit [schedules] in the config"
                .into(),
        ));
    }
    if until <= now {
        return Err(Error::Usage(
            "that override would end before now: give a --until in the future".into(),
        ));
    }
    let user = o.user.trim();
    if user.is_empty() || user.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(Error::Usage(
            "--user must be a user name (no spaces or control characters)".into(),
        ));
    }
    let row = OverrideRow {
        id: 0,
        schedule: s.name.clone(),
        user: user.to_string(),
        from,
        until,
        created_by: env.cx.actor.clone(),
        created_at: now,
        removed_by: None,
        removed_at: None,
    };
    let id = env.store().respond(now, |tx| tx.add_override(&row))?;
    if env.json {
        crate::outln!("{}", to_json(&OverrideRow { id, ..row }));
    } else {
        crate::outln!(
            "override #{id}: {} is on call on {} from {} until {}",
            sanitize_line(user),
            s.name,
            env.cx.clock.local_zoned(from),
            env.cx.clock.local_zoned(until)
        );
    }
    Ok(())
}

fn list_overrides(env: &Env<'_>, one: Option<&str>) -> Result<()> {
    let now = env.cx.clock.now();
    let rows = env.store().overrides(one, now)?;
    if env.json {
        crate::outln!("{}", to_json(&rows));
        return Ok(());
    }
    if rows.is_empty() {
        crate::outln!("no overrides in force or to come");
    }
    for r in &rows {
        crate::outln!(
            "#{:<4} {:<12} {:<12} {} → {}  (by {})",
            r.id,
            sanitize_line(&r.schedule),
            sanitize_line(&r.user),
            env.cx.clock.local_zoned(r.from),
            env.cx.clock.local_zoned(r.until),
            sanitize_line(&r.created_by)
        );
    }
    Ok(())
}

fn export(env: &Env<'_>, x: &OncallExport) -> Result<()> {
    let s = schedule(env, &x.schedule)?;
    let now = env.cx.clock.now();
    let until = now + Duration::days(i64::from(x.days.clamp(1, 366)));
    let ovr = overrides(env, &s.name, now)?;
    let ics = s.ics(&s.name, now, until, &ovr, now);
    match &x.output {
        Some(path) => {
            std::fs::write(path, ics.as_bytes())
                .map_err(|e| Error::Usage(format!("cannot write {}: {e}", path.display())))?;
            crate::outln!("{} written ({} days of {})", path.display(), x.days, s.name);
        }
        None => crate::out!("{ics}"),
    }
    Ok(())
}
