//! `sev search`: fuzzy search like the TUI's `/`, best matches first.

use super::Env;
use crate::cli::{SearchArgs, incident_json, output, term_width, to_json};
use crate::domain::IncidentId;
use crate::error::Result;
use crate::store::{ListQuery, Partial, Scope};
use std::io::IsTerminal;

pub(super) fn run(env: &Env<'_>, a: SearchArgs) -> Result<()> {
    let store = env.store();
    let scope = if a.open { Scope::Open } else { Scope::All };
    let (corpus, mut bad) = crate::search::Corpus::load(
        store,
        &ListQuery {
            scope,
            ..Default::default()
        },
    )?;
    let hits = crate::search::rank(&corpus, &a.query.join(" "), None);
    let take = if a.limit == 0 {
        hits.len()
    } else {
        a.limit.min(hits.len())
    };
    let ids: Vec<IncidentId> = hits[..take].iter().map(|(i, _)| corpus.id(*i)).collect();
    let Partial {
        rows: found,
        unreadable,
    } = store.get_many(&ids)?;
    bad.extend(unreadable);
    bad.dedup_by_key(|u| u.id);
    if env.json {
        let v: Vec<_> = found.iter().map(|i| incident_json(i, None)).collect();
        crate::outln!("{}", to_json(&v));
    } else {
        crate::out!(
            "{}",
            output::table(&found, env.cx.clock.now(), term_width())
        );
        if std::io::stdout().is_terminal() && hits.len() > take {
            crate::outln!(
                "({take} of {} matches shown: raise --limit, or 0 for all)",
                hits.len()
            );
        }
    }
    match crate::store::unreadable_error(&bad) {
        Some(e) => Err(e),
        None => Ok(()),
    }
}
