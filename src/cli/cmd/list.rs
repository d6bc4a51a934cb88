//! `sev list`: incidents in the default order (what needs a responder
//! first), filtered.

use super::Env;
use crate::cli::{ListArgs, incident_json, output, term_width, to_json};
use crate::error::Result;
use crate::store::{ListQuery, Scope};
use std::io::IsTerminal;

fn query(env: &Env<'_>, a: ListArgs) -> Result<ListQuery> {
    Ok(ListQuery {
        limit: (a.limit > 0).then_some(a.limit),
        ..super::bulk::query(env, &a.filters)?
    })
}

pub(super) fn run(env: &Env<'_>, a: ListArgs) -> Result<()> {
    let q = query(env, a)?;
    let listed = env.store().list(&q)?;
    let rows = &listed.rows;
    if env.json {
        let v: Vec<_> = rows.iter().map(|i| incident_json(i, None)).collect();
        crate::outln!("{}", to_json(&v));
    } else {
        for line in super::maintenance::banner(env)? {
            crate::outln!("{line}");
        }
        crate::out!("{}", output::table(rows, env.cx.clock.now(), term_width()));
        if std::io::stdout().is_terminal() {
            footer(env, &q, rows.len())?;
        }
    }
    // The readable rows are out; now name the ones that are not.
    listed.check()
}

/// On a terminal: say when rows were left out, or that none matched.
fn footer(env: &Env<'_>, q: &ListQuery, shown: usize) -> Result<()> {
    let total = env.store().count(&ListQuery {
        limit: None,
        ..q.clone()
    })?;
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
