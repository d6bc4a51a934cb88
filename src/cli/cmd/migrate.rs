//! `sev migrate --from DB --to DB`: move a team between SQLite and
//! PostgreSQL. Everything recorded is streamed table by table into an
//! empty target in one transaction (ids and event hashes as they were);
//! the source's chain is checked as it is read and the copy's before it
//! commits, so a copy that would not verify is never committed.

use crate::cli::{MigrateArgs, to_json};
use crate::error::{Error, Result};
use crate::store::{Copied, Progress, Store, locator};
use std::io::IsTerminal;
use std::path::Path;
use std::time::{Duration, Instant};

pub(super) fn run(a: &MigrateArgs, json: bool) -> Result<()> {
    for (flag, db) in [("--from", &a.from), ("--to", &a.to)] {
        if locator::is_postgres(db) && locator::has_password(&db.to_string_lossy()) {
            return Err(Error::Usage(format!(
                "{flag} {} holds a password, and every user on this host can read command lines (ps): put it in PGPASSWORD or ~/.pgpass (mode 0600)",
                locator::shown(db)
            )));
        }
    }
    let from = Store::open_existing(&a.from)?;
    // A new file made for the copy is removed again if the copy fails.
    let made = !locator::is_postgres(&a.to) && std::fs::symlink_metadata(&a.to).is_err();
    let copied = Store::open(&a.to).and_then(|to| from.copy_into(&to, &mut Bar::new()));
    let copied = match copied {
        Ok(c) => c,
        Err(e) => {
            if made {
                remove_new_file(&a.to);
            }
            return Err(e);
        }
    };
    report(a, &copied, json);
    Ok(())
}

fn remove_new_file(db: &Path) {
    for ext in ["", "-wal", "-shm", "-journal"] {
        let mut p = db.as_os_str().to_owned();
        p.push(ext);
        let _ = std::fs::remove_file(&p);
    }
}

fn report(a: &MigrateArgs, c: &Copied, json: bool) {
    let (src, dst) = (locator::shown(&a.from), locator::shown(&a.to));
    let head = c.head.as_ref().map(|(id, h)| format!("{id}:{h}"));
    if json {
        let tables: serde_json::Map<String, serde_json::Value> = c
            .rows
            .iter()
            .map(|(t, n)| (t.to_string(), (*n).into()))
            .collect();
        crate::outln!(
            "{}",
            to_json(&serde_json::json!({
                "from": src, "to": dst,
                "incidents": c.rows_of("incidents"), "events": c.rows_of("events"),
                "postmortems": c.rows_of("postmortems"), "action_items": c.rows_of("action_items"),
                "tables": tables,
                "head": head,
            }))
        );
        return;
    }
    let main = ["incidents", "events", "postmortems", "action_items"];
    let more: Vec<String> = c
        .rows
        .iter()
        .filter(|(t, n)| *n > 0 && !main.contains(t))
        .map(|(t, n)| format!("{n} {}", t.replace('_', " ")))
        .collect();
    let more = if more.is_empty() {
        String::new()
    } else {
        format!(" (and {})", more.join(", "))
    };
    crate::outln!(
        "copied {} incidents, {} events, {} postmortems, {} action items{more} from {src} to {dst}; audit trail ok{}",
        c.rows_of("incidents"),
        c.rows_of("events"),
        c.rows_of("postmortems"),
        c.rows_of("action_items"),
        head.map(|h| format!(", head {h}")).unwrap_or_default()
    );
}

/// A progress bar on a terminal's stderr, shown once the copy has taken
/// more than a second (a small copy prints nothing but its result).
struct Bar {
    bar: indicatif::ProgressBar,
    started: Instant,
    shown: bool,
    terminal: bool,
}

impl Bar {
    fn new() -> Bar {
        let bar =
            indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::hidden());
        if let Ok(style) =
            indicatif::ProgressStyle::with_template("{msg:32} [{bar:40}] {percent}% ({eta} left)")
        {
            bar.set_style(style.progress_chars("=> "));
        }
        Bar {
            bar,
            started: Instant::now(),
            shown: false,
            terminal: std::io::stderr().is_terminal(),
        }
    }
}

impl Progress for Bar {
    fn start(&mut self, rows: u64) {
        self.bar.set_length(rows);
    }

    fn stage(&mut self, what: &str) {
        self.bar
            .set_message(format!("copying {}", what.replace('_', " ")));
        if what.starts_with("checking") {
            self.bar.set_message(what.to_string());
        }
    }

    fn advance(&mut self, rows: u64) {
        self.bar.inc(rows);
        if !self.shown && self.terminal && self.started.elapsed() > Duration::from_secs(1) {
            self.shown = true;
            self.bar
                .set_draw_target(indicatif::ProgressDrawTarget::stderr());
        }
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}
