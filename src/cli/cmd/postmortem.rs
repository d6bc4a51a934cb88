//! `sev postmortem ID`: export (Markdown or JSON), or edit a section, the
//! owner or the status.

use super::Env;
use crate::cli::{PostmortemArgs, parse_id, show_path};
use crate::domain::IncidentId;
use crate::error::{Error, Result};
use crate::ops::Ctx;
use crate::text::sanitize_line;
use std::io::{IsTerminal, Read};

/// The section text: --text, --clear, $EDITOR on a terminal, or stdin.
fn section_text(cx: &Ctx<'_>, id: IncidentId, key: &str, a: &PostmortemArgs) -> Result<String> {
    let text = match &a.text {
        _ if a.clear => String::new(),
        Some(t) => t.clone(),
        None if std::io::stdin().is_terminal() => {
            let current = cx
                .store
                .postmortem(id)?
                .and_then(|p| p.text(key).map(str::to_string));
            crate::editor::edit(&current.unwrap_or_default(), ".md")?.ok_or_else(|| {
                Error::Usage("the editor exited with an error; nothing was changed".into())
            })?
        }
        None => {
            let mut s = String::new();
            std::io::stdin()
                .read_to_string(&mut s)
                .map_err(|e| Error::Usage(format!("cannot read the section from stdin: {e}")))?;
            s
        }
    };
    if !a.clear && text.trim().is_empty() {
        return Err(Error::Usage(format!(
            "the text for the {key} section is empty: nothing was changed — give the text (--text, stdin or $EDITOR), or pass --clear to empty the section"
        )));
    }
    Ok(text)
}

/// --section, --owner, --status: change the postmortem.
fn edit(cx: &Ctx<'_>, id: IncidentId, a: &PostmortemArgs) -> Result<()> {
    if let Some(sec) = &a.section {
        let section = crate::domain::parse_section(sec)?;
        let text = section_text(cx, id, section.key, a)?;
        let (_, done) = cx.write_section(id, section.key, &text)?;
        crate::outln!("{}", done.describe(id, section.key));
    }
    if let Some(o) = &a.owner {
        cx.set_pm_owner(id, o)?;
        crate::outln!("{id}: postmortem owner {}", sanitize_line(o));
    }
    if let Some(s) = &a.status {
        let st = s.parse::<crate::domain::PmStatus>()?;
        cx.set_pm_status(id, st)?;
        crate::outln!("{id}: postmortem {st}");
    }
    Ok(())
}

pub(super) fn run(env: &Env<'_>, a: PostmortemArgs) -> Result<()> {
    let cx = &env.cx;
    let id = parse_id(&a.id)?;
    if a.section.is_some() || a.owner.is_some() || a.status.is_some() {
        return edit(cx, id, &a);
    }
    let view = cx.postmortem_view(id)?;
    let out = if a.format == "json" {
        crate::export::json(&view, cx.config)
    } else {
        crate::export::markdown(&view, cx.config)?
    };
    match a.output {
        Some(path) => {
            std::fs::write(&path, out).map_err(|e| {
                Error::Usage(format!(
                    "cannot write {}: {e} (choose another --output path)",
                    show_path(&path)
                ))
            })?;
            crate::outln!("{id}: postmortem written to {}", show_path(&path));
        }
        None => crate::out!("{out}"),
    }
    Ok(())
}
