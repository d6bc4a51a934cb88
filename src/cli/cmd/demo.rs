//! `sev demo`: fill a database with realistic sample incidents.

use super::Env;
use crate::cli::{DemoArgs, show_path, to_json};
use crate::error::{Error, Result};
use crate::store::{ListQuery, Scope};
use std::io::IsTerminal;

pub(super) fn run(env: &Env<'_>, a: DemoArgs) -> Result<()> {
    let (store, json) = (env.store(), env.json);
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
    let generator = crate::demo::Generator::new(a.count, a.seed, env.cx.clock.now());
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
        crate::outln!(
            "{}",
            to_json(
                &serde_json::json!({"created": a.count, "database": store.path(), "seconds": secs})
            )
        );
    } else {
        crate::outln!(
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
    format!("$'{}'", crate::cli::escape_unseen(s, '\''))
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
