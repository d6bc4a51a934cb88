//! `sev run ID -- CMD ARGS…`: run a command as evidence (see
//! [`crate::evidence`]) and record it on the incident's timeline; exit
//! with the command's exit code.

use super::Env;
use crate::cli::{RunArgs, parse_id, to_json};
use crate::error::{Error, Result};
use crate::evidence::{self, Sinks};
use crate::text::sanitize_line;
use std::io::Write;

pub(super) fn run(env: &Env<'_>, a: &RunArgs) -> Result<()> {
    let id = parse_id(&a.id)?;
    // Refuse before anything runs: a wrong id, a read-only session.
    env.store().get(id)?;
    if env.store().is_read_only() {
        return Err(Error::Usage(format!(
            "read-only session: the run could not be recorded on {id}, so it was not started"
        )));
    }
    // A reader that closes our stdout (`| head`) ends the display, not
    // sev: the run is still recorded. (The command starts with the
    // default SIGPIPE action again: std resets it when spawning.)
    ignore_sigpipe();
    let sinks = if env.json {
        Sinks {
            out: Box::new(std::io::stderr()),
            err: Box::new(std::io::stderr()),
        }
    } else {
        Sinks::terminal()
    };
    let ev = match evidence::run(
        &a.command,
        env.cx.config.evidence.max_output,
        env.cx.clock,
        sinks,
    ) {
        Ok(ev) => ev,
        Err(e) => {
            eprintln!("sev: {}", sanitize_line(&e.to_string()));
            finish(e.exit_code());
        }
    };
    let headline = sanitize_line(&ev.headline()).into_owned();
    let recorded = match env.cx.record_evidence(id, &ev) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("sev: {id}: {headline}, but the run was NOT recorded:");
            return Err(e);
        }
    };
    if env.json {
        let mut v = ev.json();
        v["ref"] = id.to_string().into();
        v["event_id"] = recorded.id.into();
        crate::outln!("{}", to_json(&v));
    }
    let kept = if ev.omitted > 0 {
        format!(
            " (output {} bytes: first and last {} kept)",
            ev.output_bytes,
            ev.head.len() + ev.tail.len()
        )
    } else {
        String::new()
    };
    eprintln!("sev: {id}: recorded — {headline}{kept}");
    finish(ev.exit.shell_code());
}

/// Exit with `code` (as a shell would pass it on: 0–255) once everything
/// written is out.
fn finish(code: i32) -> ! {
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
    let code = if (0..=255).contains(&code) { code } else { 1 };
    std::process::exit(code)
}

fn ignore_sigpipe() {
    use nix::sys::signal::{SigHandler, Signal, signal};
    // SAFETY: SIG_IGN installs no Rust code as a handler.
    let _ = unsafe { signal(Signal::SIGPIPE, SigHandler::SigIgn) };
}
