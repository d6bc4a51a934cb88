//! `sev list`: incidents in the default order (what needs a responder
//! first), filtered; `--breached` and `--breaching-within` filter by the
//! response clocks (see `crate::respond`).

use super::Env;
use crate::cli::{ClockFilter, ListArgs, incident_json, output, term_width, to_json};
use crate::domain::{Incident, IncidentId};
use crate::error::{Error, Result};
use crate::respond::Clocks;
use crate::store::{ListQuery, Partial, Scope};
use std::collections::HashMap;
use std::io::IsTerminal;

fn query(env: &Env<'_>, a: &ListArgs) -> Result<ListQuery> {
    Ok(ListQuery {
        limit: (a.limit > 0).then_some(a.limit),
        ..super::bulk::query(env, &a.filters)?
    })
}

/// The clocks of `rows` at the command's `now`.
pub(super) fn clocks(env: &Env<'_>, rows: &[Incident]) -> Result<HashMap<IncidentId, Clocks>> {
    let hours = env.cx.config.hours.in_zone_of(env.cx.clock.zone());
    crate::respond::clocks_of(
        env.store(),
        &env.cx.config.response,
        &hours,
        rows,
        env.cx.clock.now(),
    )
}

/// An incident's JSON with its `clocks`.
pub(super) fn json_with_clocks(
    i: &Incident,
    events: Option<&[crate::domain::Event]>,
    c: Option<&Clocks>,
) -> Result<serde_json::Value> {
    let mut v = serde_json::to_value(incident_json(i, events))
        .map_err(|e| Error::Internal(e.to_string()))?;
    v["clocks"] = c
        .map(crate::respond::targets_show::json)
        .unwrap_or_default();
    Ok(v)
}

/// Rows the clock filter keeps, and how many matched before the limit.
/// Running clocks belong to open incidents only, so `--breaching-within`
/// reads open ones (the list index's range); `--breached` reads what the
/// other filters select (open ones unless told otherwise).
fn by_clocks(
    env: &Env<'_>,
    f: &ClockFilter,
    q: &ListQuery,
) -> Result<(Partial<Incident>, HashMap<IncidentId, Clocks>, usize)> {
    let within = f
        .breaching_within
        .as_deref()
        .map(|s| {
            crate::intake::config_file::parse_duration(s)
                .map(|d| chrono::Duration::seconds(d.as_secs() as i64))
                .map_err(|e| Error::Usage(format!("--breaching-within: {e}")))
        })
        .transpose()?;
    let mut wide = ListQuery {
        limit: None,
        offset: 0,
        ..q.clone()
    };
    if within.is_some() && wide.scope == Scope::All {
        wide.scope = Scope::Open;
    }
    let mut listed = env.store().list(&wide)?;
    let clocks = clocks(env, &listed.rows)?;
    let now = env.cx.clock.now();
    listed.rows.retain(|i| {
        clocks.get(&i.id).is_some_and(|c| {
            (!f.breached || c.breached()) && within.is_none_or(|d| c.breaching_within(d, now))
        })
    });
    let total = listed.rows.len();
    listed.rows = listed
        .rows
        .into_iter()
        .skip(q.offset)
        .take(q.limit.unwrap_or(usize::MAX))
        .collect();
    Ok((listed, clocks, total))
}

pub(super) fn run(env: &Env<'_>, a: ListArgs) -> Result<()> {
    let q = query(env, &a)?;
    let (listed, clocks, total) = if a.clocks.any() {
        let (l, c, t) = by_clocks(env, &a.clocks, &q)?;
        (l, Some(c), Some(t))
    } else {
        (env.store().list(&q)?, None, None)
    };
    let rows = &listed.rows;
    if env.json {
        let clocks = match clocks {
            Some(c) => c,
            None => self::clocks(env, rows)?,
        };
        let v = rows
            .iter()
            .map(|i| json_with_clocks(i, None, clocks.get(&i.id)))
            .collect::<Result<Vec<_>>>()?;
        crate::outln!("{}", to_json(&v));
    } else {
        for line in super::maintenance::banner(env)? {
            crate::outln!("{line}");
        }
        crate::out!("{}", output::table(rows, env.cx.clock.now(), term_width()));
        if std::io::stdout().is_terminal() {
            footer(env, &q, rows.len(), total)?;
        }
    }
    // The readable rows are out; now name the ones that are not.
    listed.check()
}

/// On a terminal: say when rows were left out, or that none matched.
fn footer(env: &Env<'_>, q: &ListQuery, shown: usize, total: Option<usize>) -> Result<()> {
    let total = match total {
        Some(t) => t,
        None => env.store().count(&ListQuery {
            limit: None,
            ..q.clone()
        })?,
    };
    if total > shown {
        crate::outln!("({shown} of {total} shown: raise --limit, or 0 for all)");
    } else if total == 0 {
        crate::outln!(
            "(no incidents match{})",
            if matches!(q.scope, Scope::Open) {
                "; --all includes finished ones"
            } else {
                ""
            }
        );
    }
    Ok(())
}
