//! `sev note ID [TEXT]`: add a note (text from arguments, stdin or
//! $EDITOR). Several incidents: `sev note 12 13 -m TEXT`, or
//! `sev note --service x --all-matching TEXT`; the text is read once.

use super::Env;
use super::bulk::{self, Done, Targets};
use crate::cli::{NoteArgs, incident_json};
use crate::error::{Error, Result};
use std::io::{IsTerminal, Read};

/// The note: given, or read once from stdin or $EDITOR.
fn text(env: &Env<'_>, t: &Targets, given: Option<String>) -> Result<String> {
    if let Some(g) = given.filter(|g| !g.is_empty()) {
        return Ok(g);
    }
    if std::io::stdin().is_terminal() {
        if let Targets::One(id) = t {
            env.store().get(*id)?; // fail before opening an editor on a wrong id
        }
        return crate::editor::edit("", ".md")?.ok_or_else(|| {
            Error::Usage("the editor exited with an error; no note was added".into())
        });
    }
    let mut s = String::new();
    std::io::stdin()
        .read_to_string(&mut s)
        .map_err(|e| Error::Usage(format!("cannot read the note from stdin: {e}")))?;
    Ok(s)
}

pub(super) fn run(env: &Env<'_>, a: &NoteArgs) -> Result<()> {
    // Without --message or --all-matching: the first word is the incident
    // and the rest is the note, as always.
    let (refs, words) = if a.message.is_some() || a.select.all_matching {
        if a.message.is_some() {
            (&a.items[..], &[][..])
        } else {
            (&[][..], &a.items[..])
        }
    } else {
        a.items.split_at(a.items.len().min(1))
    };
    let t = bulk::targets(env, refs, &a.select)?;
    if let Targets::Many(ids) = &t
        && ids.is_empty()
    {
        return bulk::nothing(env);
    }
    let given = a.message.clone().or_else(|| {
        let w = words.join(" ");
        (!w.is_empty()).then_some(w)
    });
    let note = text(env, &t, given)?;
    if note.trim().is_empty() {
        return Err(Error::Usage(
            "the note is empty: write what happened or what you found".into(),
        ));
    }
    bulk::each(env, t, |id| {
        let ev = env.cx.note(id, &note)?;
        let inc = env.store().get(id)?;
        let evs = [ev];
        Ok(Done {
            text: format!("{id}: note added"),
            json: serde_json::to_value(incident_json(&inc, Some(&evs))).unwrap_or_default(),
        })
    })
}
