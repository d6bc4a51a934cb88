//! The command line: clap subcommands, each a thin call into `ops`/`store`.

mod args;
mod args_intake;
mod args_learn;
mod args_pm;
mod args_respond;
mod args_respond_sla;
mod args_run;
mod cmd;
pub mod out;
mod output;

pub use args::*;
pub use args_intake::*;
pub use args_learn::*;
pub use args_pm::*;
pub use args_respond_sla::*;
pub use args_run::*;
pub use cmd::run;

pub use output::{incident_json, to_json};

use crate::domain::IncidentId;
use crate::error::{Error, Result, exit};
use crate::text::sanitize_line;
use clap::Parser;
use std::io::IsTerminal;

/// Run the CLI; returns the process exit code.
pub fn main() -> i32 {
    install_panic_hook();
    out::default_sigpipe();
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => return print_clap_error(&e),
    };
    match run(cli) {
        Ok(()) => exit::OK,
        Err(e) => {
            eprintln!("sev: {}", sanitize_line(&e.to_string()));
            e.exit_code()
        }
    }
}

/// Print what clap has to say (an error, or --help/--version) through the
/// sanitizer: its messages quote the offending argument, which may hold
/// escape sequences. Errors go to stderr with exit 2; help and version go
/// to stdout with exit 0, as clap does.
fn print_clap_error(e: &clap::Error) -> i32 {
    use std::io::Write;
    let text = clap_message(e);
    if e.use_stderr() {
        let _ = std::io::stderr().write_all(text.as_bytes());
        exit::USAGE
    } else {
        let _ = std::io::stdout().write_all(text.as_bytes());
        exit::OK
    }
}

/// clap's message as plain text, safe for a terminal.
pub fn clap_message(e: &clap::Error) -> String {
    crate::text::sanitize(&e.render().to_string()).into_owned()
}

/// Replace the default panic hook, which prints the message raw (a panic
/// message can quote input or incident text), with one that sanitizes it.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        eprintln!(
            "{}",
            crash_report(info.payload(), info.location(), "please report this")
        );
        let bt = std::backtrace::Backtrace::capture();
        if bt.status() == std::backtrace::BacktraceStatus::Captured {
            eprintln!("{bt}");
        }
    }));
}

/// The one-line crash message, sanitized: `sev crashed at FILE:LINE: MSG — TAIL`.
pub fn crash_report(
    payload: &(dyn std::any::Any + Send),
    location: Option<&std::panic::Location<'_>>,
    tail: &str,
) -> String {
    let msg = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into());
    let at = location
        .map(|l| format!(" at {}:{}", l.file(), l.line()))
        .unwrap_or_default();
    sanitize_line(&format!("sev crashed{at}: {msg} — {tail}")).into_owned()
}

/// A path as it may be shown on a terminal.
pub fn show_path(p: &std::path::Path) -> String {
    sanitize_line(&p.display().to_string()).into_owned()
}

/// A TOML basic string that reads back as exactly `s`, with everything the
/// sanitizer would change written as an escape, so it can be shown on a
/// terminal and pasted into a config file.
pub fn toml_string(s: &str) -> String {
    format!("\"{}\"", escape_unseen(s, '"'))
}

/// `s` with backslash, `quote` and every character the sanitizer would
/// change written as the escapes `\\`, `\"` (or `\'`), `\uXXXX`, `\UXXXXXXXX`: the
/// body of a TOML basic string or of a shell `$'…'` word, exact and safe to
/// show on a terminal.
pub(crate) fn escape_unseen(s: &str, quote: char) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
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
    out
}

fn parse_id(s: &str) -> Result<IncidentId> {
    Ok(s.parse::<IncidentId>()?)
}

fn parse_opt<T: std::str::FromStr<Err = crate::domain::DomainError>>(
    o: &Option<String>,
) -> Result<Option<T>> {
    o.as_deref()
        .map(|s| s.parse::<T>().map_err(Error::from))
        .transpose()
}

pub(crate) fn term_width() -> usize {
    if std::io::stdout().is_terminal()
        && let Ok((w, _)) = ratatui::crossterm::terminal::size()
    {
        return w as usize;
    }
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(120)
}
