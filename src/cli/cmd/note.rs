//! `sev note ID [TEXT]`: add a note (text from arguments, stdin or $EDITOR).

use super::Env;
use crate::cli::{NoteArgs, incident_json, parse_id, to_json};
use crate::domain::IncidentId;
use crate::error::{Error, Result};
use std::io::{IsTerminal, Read};

fn text(env: &Env<'_>, id: IncidentId, a: &NoteArgs) -> Result<String> {
    if !a.text.is_empty() {
        return Ok(a.text.join(" "));
    }
    if std::io::stdin().is_terminal() {
        env.store().get(id)?; // fail before opening an editor on a wrong id
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
    let id = parse_id(&a.id)?;
    let ev = env.cx.note(id, &text(env, id, a)?)?;
    if env.json {
        let inc = env.store().get(id)?;
        let evs = [ev];
        crate::outln!("{}", to_json(&incident_json(&inc, Some(&evs))));
    } else {
        crate::outln!("{id}: note added");
    }
    Ok(())
}
