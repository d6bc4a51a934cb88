//! Several incidents at once: the references a verb is given
//! (`sev ack 12 INC-13 14`), or every incident the list's filters select
//! with `--all-matching` (`sev ack --service checkout --all-matching`).
//!
//! Each incident is its own change — its own transaction, its own
//! timeline events — and gets one line: what changed, or `refused:` and
//! why. Nothing asks per incident. The exit code is 0 when every one
//! succeeded, else the first refusal's (2 validation, 3 not found, 4
//! conflict, 5 database unavailable), whose message is also the one line
//! on stderr. One reference alone behaves exactly as before: the change,
//! or the error and its exit code.

use super::Env;
use crate::cli::{Filters, Select, incident_json, output, parse_opt, to_json};
use crate::domain::{Incident, IncidentId, Priority, Status};
use crate::error::{Error, Result};
use crate::store::{ListQuery, Scope};
use crate::text::sanitize_line;
use std::io::IsTerminal;

/// Which incidents a command changes.
pub(super) enum Targets {
    /// One reference: the command behaves as it always has.
    One(IncidentId),
    /// Several references, or --all-matching (even when it matched one).
    Many(Vec<IncidentId>),
}

impl Targets {
    pub fn is_many(&self) -> bool {
        matches!(self, Targets::Many(_))
    }
}

/// The list query the filters mean, exactly as `sev list` builds it
/// (without a limit).
pub(super) fn query(env: &Env<'_>, f: &Filters) -> Result<ListQuery> {
    let scope = match (&f.status, f.all) {
        (Some(s), _) if s.eq_ignore_ascii_case("open") => Scope::Open,
        (Some(s), _) if s.eq_ignore_ascii_case("all") => Scope::All,
        (Some(s), _) => Scope::Status(s.parse::<Status>()?),
        (None, true) => Scope::All,
        (None, false) => Scope::Open,
    };
    Ok(ListQuery {
        scope,
        severity: f
            .severity
            .as_deref()
            .map(crate::domain::parse_severity)
            .transpose()?,
        priority: parse_opt::<Priority>(&f.priority)?,
        service: f.service.clone(),
        assignee: if f.mine {
            Some(env.cx.me().to_string())
        } else {
            f.assignee.clone()
        },
        search: f.search.clone(),
        only: None,
        limit: None,
        offset: 0,
    })
}

/// The incidents named by `refs`, or selected by `sel`: never both, and
/// never --all-matching without a filter.
pub(super) fn targets(env: &Env<'_>, refs: &[String], sel: &Select) -> Result<Targets> {
    if sel.all_matching {
        if !refs.is_empty() {
            return Err(Error::Usage(format!(
                "name incidents ({}) or select them with --all-matching, not both",
                sanitize_line(&refs.join(" "))
            )));
        }
        if !sel.filters.any() {
            return Err(Error::Usage(
                "--all-matching needs a filter: name one (--service checkout, --status triage, --severity SEV3, --mine …), or use --all explicitly for every incident"
                    .into(),
            ));
        }
        let ids = env.store().list_ids(&query(env, &sel.filters)?)?;
        return Ok(Targets::Many(ids));
    }
    if sel.filters.any() {
        return Err(Error::Usage(
            "filters select incidents only with --all-matching: add it (sev list with the same filters shows which incidents they are)"
                .into(),
        ));
    }
    let mut ids: Vec<IncidentId> = Vec::with_capacity(refs.len());
    for r in refs {
        let id = r.parse::<IncidentId>()?;
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    match (refs.len(), ids.as_slice()) {
        (0, _) => Err(Error::Usage(
            "name an incident (42 or INC-42), several, or select them with the list's filters and --all-matching"
                .into(),
        )),
        (1, [id]) => Ok(Targets::One(*id)),
        _ => Ok(Targets::Many(ids)),
    }
}

/// What one incident's change did: a line for people, a value for --json.
pub(super) struct Done {
    pub text: String,
    pub json: serde_json::Value,
}

/// A change to an incident, shown as what changed (before → after).
pub(super) fn changed(before: &Incident, after: &Incident) -> Done {
    Done {
        text: output::changes(before, after),
        json: serde_json::to_value(incident_json(after, None)).unwrap_or_default(),
    }
}

/// Run a state change on each target: one transaction each.
pub(super) fn change(
    env: &Env<'_>,
    t: Targets,
    f: impl Fn(IncidentId) -> Result<Incident>,
) -> Result<()> {
    each(env, t, |id| {
        let before = env.store().get(id)?;
        let after = f(id)?;
        Ok(changed(&before, &after))
    })
}

/// Run `f` on each target and print the outcome: for one, as a single
/// command always has (an error is the command's); for several, one line
/// (or one JSON object) per incident, and the first refusal's error last.
pub(super) fn each(
    env: &Env<'_>,
    t: Targets,
    mut f: impl FnMut(IncidentId) -> Result<Done>,
) -> Result<()> {
    let ids = match t {
        Targets::One(id) => {
            let done = f(id)?;
            if env.json {
                crate::outln!("{}", to_json(&done.json));
            } else {
                crate::outln!("{}", done.text);
            }
            return Ok(());
        }
        Targets::Many(ids) => ids,
    };
    if ids.is_empty() {
        return nothing(env);
    }
    let mut results = Vec::with_capacity(ids.len());
    let mut first: Option<Error> = None;
    let (mut ok, mut refused) = (0usize, 0usize);
    let mut gone = false;
    for (n, id) in ids.iter().enumerate() {
        // The database went away: the rest are not tried, and say so.
        if gone {
            let why = "not tried: the database is unavailable";
            for rest in &ids[n..] {
                refused += 1;
                refusal(
                    env,
                    &mut results,
                    *rest,
                    why,
                    crate::error::exit::UNAVAILABLE,
                );
            }
            break;
        }
        match f(*id) {
            Ok(done) => {
                ok += 1;
                if env.json {
                    results.push(success(*id, done.json));
                } else {
                    crate::outln!("{}", done.text);
                }
            }
            Err(e) => {
                refused += 1;
                refusal(env, &mut results, *id, &e.to_string(), e.exit_code());
                gone = matches!(e, Error::Unavailable(_));
                first.get_or_insert(e);
            }
        }
    }
    if env.json {
        crate::outln!("{}", to_json(&results));
    } else if std::io::stdout().is_terminal() {
        crate::outln!("({ok} changed, {refused} refused)");
    }
    match first {
        None => Ok(()),
        Some(e) => Err(e),
    }
}

/// One success in --json: `{ref, id, ok, incident}`, with a command's
/// own fields when its result is more than the incident (merge's
/// `{into, alerts_moved, incident, …}`).
fn success(id: IncidentId, json: serde_json::Value) -> serde_json::Value {
    let mut out = serde_json::json!({ "ref": id.to_string(), "id": id.0, "ok": true });
    match json {
        serde_json::Value::Object(fields) if fields.contains_key("incident") => {
            for (k, v) in fields {
                out[k] = v;
            }
        }
        incident => out["incident"] = incident,
    }
    out
}

/// --all-matching matched nothing: not an error (the work is done).
pub(super) fn nothing(env: &Env<'_>) -> Result<()> {
    if env.json {
        crate::outln!("[]");
    }
    eprintln!("sev: no incidents match these filters; nothing changed");
    Ok(())
}

/// A refusal: a line, or a JSON object with the reason and exit code.
fn refusal(
    env: &Env<'_>,
    results: &mut Vec<serde_json::Value>,
    id: IncidentId,
    why: &str,
    code: i32,
) {
    if env.json {
        results.push(serde_json::json!({
            "ref": id.to_string(), "id": id.0, "ok": false, "error": why, "exit_code": code,
        }));
    } else {
        crate::outln!("{id}: refused: {}", sanitize_line(why));
    }
}
