//! `sev link A B [--note TEXT]`: record that two incidents are related.
//! The link is one row, read from both sides; each side's timeline gets
//! an event. `sev show` lists an incident's links (see [`describe`]).

use super::Env;
use crate::cli::{LinkArgs, parse_id, to_json};
use crate::domain::IncidentId;
use crate::error::Result;
use crate::store::LinkRow;
use crate::text::sanitize_line;

pub(super) fn run(env: &Env<'_>, a: &LinkArgs) -> Result<()> {
    let (x, y) = (parse_id(&a.a)?, parse_id(&a.b)?);
    let new = env.cx.link(x, y, a.note.as_deref())?;
    if env.json {
        crate::outln!(
            "{}",
            to_json(&serde_json::json!({
                "a": x.to_string(), "b": y.to_string(), "kind": "related", "new": new,
            }))
        );
    } else if new {
        crate::outln!("{x} and {y} linked (related)");
    } else {
        crate::outln!("{x} and {y} were already linked; nothing written");
    }
    Ok(())
}

/// An incident's links for `sev show`: (relation, other, line).
pub(super) fn describe(id: IncidentId, links: &[LinkRow]) -> Vec<String> {
    links
        .iter()
        .map(|l| {
            let (other, relation) = l.seen_from(id);
            let label = match relation {
                "duplicate-of" => "duplicate of",
                r => r,
            };
            let note = l
                .note
                .as_deref()
                .map(|n| format!(" — {}", sanitize_line(n)))
                .unwrap_or_default();
            format!("{label}: {other}{note}")
        })
        .collect()
}

/// An incident's links for `sev show --json`.
pub(super) fn json(id: IncidentId, links: &[LinkRow]) -> serde_json::Value {
    links
        .iter()
        .map(|l| {
            let (other, relation) = l.seen_from(id);
            serde_json::json!({
                "ref": other.to_string(),
                "id": other.0,
                "relation": relation,
                "at": crate::clock::rfc3339(l.at),
                "actor": l.actor,
                "note": l.note,
            })
        })
        .collect()
}
