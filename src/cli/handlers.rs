//! The longer subcommands: postmortem export and editing, doctor, demo.

use super::{Ctx, DemoArgs, PostmortemArgs, parse_id, show_path, to_json};
use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::store::{ListQuery, Scope, Store};
use crate::text::sanitize_line;
use std::io::{IsTerminal, Read};

pub(super) fn doctor(db: &std::path::Path, json: bool) -> Result<()> {
    use crate::admin::Level;
    let findings = crate::admin::doctor(db);
    if json {
        println!("{}", to_json(&findings));
    } else {
        for f in &findings {
            let tag = match f.level {
                Level::Ok => "ok  ",
                Level::Warn => "WARN",
                Level::Fail => "FAIL",
            };
            println!("{tag} {:<14} {}", f.check, sanitize_line(&f.detail));
            if let Some(fix) = &f.fix {
                println!("     {:<14} fix: {}", "", sanitize_line(fix));
            }
        }
    }
    let bad = findings.iter().filter(|f| f.level != Level::Ok).count();
    if bad > 0 {
        return Err(Error::Check(format!(
            "sev doctor found {bad} problem(s) with {}: run the fixes above",
            db.display()
        )));
    }
    Ok(())
}

pub(super) fn postmortem(cx: &Ctx<'_>, a: PostmortemArgs) -> Result<()> {
    let id = parse_id(&a.id)?;
    let editing = a.section.is_some() || a.owner.is_some() || a.status.is_some();
    if editing {
        if let Some(sec) = &a.section {
            let section = crate::domain::parse_section(sec)?;
            let text = match a.text {
                _ if a.clear => String::new(),
                Some(t) => t,
                None if std::io::stdin().is_terminal() => {
                    let current = cx
                        .store
                        .postmortem(id)?
                        .and_then(|p| p.text(section.key).map(str::to_string));
                    crate::editor::edit(&current.unwrap_or_default(), ".md")?.ok_or_else(|| {
                        Error::Usage("the editor exited with an error; nothing was changed".into())
                    })?
                }
                None => {
                    let mut s = String::new();
                    std::io::stdin().read_to_string(&mut s).map_err(|e| {
                        Error::Usage(format!("cannot read the section from stdin: {e}"))
                    })?;
                    s
                }
            };
            if !a.clear && text.trim().is_empty() {
                return Err(Error::Usage(format!(
                    "the text for the {} section is empty: nothing was changed — give the text (--text, stdin or $EDITOR), or pass --clear to empty the section",
                    section.key
                )));
            }
            let (_, done) = cx.write_section(id, section.key, &text)?;
            println!("{}", done.describe(id, section.key));
        }
        if let Some(o) = &a.owner {
            cx.set_pm_owner(id, o)?;
            println!("{id}: postmortem owner {}", sanitize_line(o));
        }
        if let Some(s) = &a.status {
            let st = s.parse::<crate::domain::PmStatus>()?;
            cx.set_pm_status(id, st)?;
            println!("{id}: postmortem {st}");
        }
        return Ok(());
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
                    path.display()
                ))
            })?;
            println!("{id}: postmortem written to {}", show_path(&path));
        }
        None => print!("{out}"),
    }
    Ok(())
}

pub(super) fn demo(store: &Store, clock: &dyn Clock, a: DemoArgs, json: bool) -> Result<()> {
    let existing = store.count(&ListQuery {
        scope: Scope::All,
        ..Default::default()
    })?;
    if existing > 0 && !a.append {
        return Err(Error::Usage(format!(
            "{} already has {existing} incidents: pass --append to add more, or --db NEW_PATH for a fresh demo database",
            store.path().display()
        )));
    }
    let generator = crate::demo::Generator::new(a.count, a.seed, clock.now());
    let show_bar = a.count >= 5000 && std::io::stderr().is_terminal();
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(a.count as u64),
        if show_bar {
            indicatif::ProgressDrawTarget::stderr()
        } else {
            indicatif::ProgressDrawTarget::hidden()
        },
    );
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{msg} [{bar:40}] {pos}/{len} ({per_sec}, {eta} left)",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message("generating incidents");
    let mut batch = Vec::with_capacity(2000);
    let start = std::time::Instant::now();
    for item in generator {
        batch.push(item);
        if batch.len() == 2000 {
            store.insert_batch(&batch)?;
            bar.inc(batch.len() as u64);
            batch.clear();
        }
    }
    store.insert_batch(&batch)?;
    bar.inc(batch.len() as u64);
    bar.finish_and_clear();
    let secs = start.elapsed().as_secs_f64();
    if json {
        println!(
            "{}",
            to_json(
                &serde_json::json!({"created": a.count, "database": store.path(), "seconds": secs})
            )
        );
    } else {
        println!(
            "created {} demo incidents in {} ({:.1}s) — open it with: sev --db {}",
            a.count,
            show_path(store.path()),
            secs,
            shell_word(&store.path().display().to_string())
        );
    }
    Ok(())
}

/// A word to paste into a shell: as is when it is plain, otherwise quoted
/// with `$'…'` escapes so it is both terminal-safe and exact.
fn shell_word(s: &str) -> String {
    let plain = |c: char| c.is_alphanumeric() || "/._-+,:@%=".contains(c);
    if !s.is_empty() && s.chars().all(|c| plain(c) && !crate::text::is_invisible(c)) {
        return s.to_string();
    }
    let mut out = String::from("$'");
    for c in s.chars() {
        match c {
            '\'' => out.push_str("\\'"),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() || crate::text::is_invisible(c) => {
                if (c as u32) <= 0xFFFF {
                    out.push_str(&format!("\\u{:04X}", c as u32));
                } else {
                    out.push_str(&format!("\\U{:08X}", c as u32));
                }
            }
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn shell_words_are_exact_and_terminal_safe() {
        assert_eq!(super::shell_word("/tmp/demo.db"), "/tmp/demo.db");
        assert_eq!(
            super::shell_word("/tmp/a b\u{1b}]0;x\u{7}'\u{2028}.db"),
            "$'/tmp/a b\\u001B]0;x\\u0007\\'\\u2028.db'"
        );
        assert!(crate::text::is_clean(&super::shell_word("\u{E0041}\u{9b}")));
    }
}
