//! Running a command as evidence for an incident: `sev run ID -- CMD…`
//! and the TUI's `:run`. The command runs directly (no shell unless the
//! person writes `sh -c …`), its stdout and stderr are shown live,
//! sanitized ([`live`]), and kept — head and tail past
//! `[evidence] max_output` ([`Capture`]) — for one timeline event written
//! after it finished (never a transaction held while it runs).
//!
//! Signals: the child stays in sev's process group, so Ctrl-C and Ctrl-\
//! on the terminal reach it directly; sev itself survives them (a handler,
//! not SIG_IGN, so the child starts with the default action) and records
//! the run with the signal that ended it. SIGTERM and SIGHUP sent to sev
//! are passed on to the child.

pub mod config;
pub mod live;

use crate::clock::Clock;
pub use crate::domain::evidence::{Capture, Evidence, Exit};
use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long to wait for the output pipes to close after the command
/// exited (a background process it started may hold them open).
const DRAIN: Duration = Duration::from_millis(500);

/// The command could not be started: nothing ran, nothing is recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LaunchError {
    /// No such program (exit 127, as a shell says).
    NotFound(String),
    /// It is there but cannot be run: permission, not executable (126).
    CannotRun { program: String, reason: String },
    /// Nothing to run.
    Empty,
}

impl LaunchError {
    pub fn exit_code(&self) -> i32 {
        match self {
            LaunchError::NotFound(_) => 127,
            LaunchError::CannotRun { .. } => 126,
            LaunchError::Empty => crate::error::exit::USAGE,
        }
    }
}

impl std::fmt::Display for LaunchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let q = |p: &str| crate::domain::evidence::words::quote(p);
        match self {
            LaunchError::NotFound(p) => write!(
                f,
                "command not found: {} (not in PATH; sev runs it without a shell — write `sh -c '…'` for shell syntax); nothing was recorded",
                q(p)
            ),
            LaunchError::CannotRun { program, reason } => write!(
                f,
                "cannot run {}: {reason}; nothing was recorded",
                q(program)
            ),
            LaunchError::Empty => write!(f, "no command given: sev run ID -- CMD ARGS…"),
        }
    }
}

/// Where the live output goes.
pub struct Sinks {
    pub out: Box<dyn Write + Send>,
    pub err: Box<dyn Write + Send>,
}

impl Sinks {
    /// The terminal (this process's stdout and stderr).
    pub fn terminal() -> Sinks {
        Sinks {
            out: Box::new(std::io::stdout()),
            err: Box::new(std::io::stderr()),
        }
    }
}

/// Keep sev alive through the terminal's Ctrl-C and Ctrl-\ (they reach
/// the command too, which decides). Installed once per process.
fn survive_interrupts() {
    static ONCE: std::sync::OnceLock<()> = std::sync::OnceLock::new();
    ONCE.get_or_init(|| {
        use signal_hook::consts::{SIGINT, SIGQUIT};
        let seen = Arc::new(AtomicBool::new(false));
        let _ = signal_hook::flag::register(SIGINT, seen.clone());
        let _ = signal_hook::flag::register(SIGQUIT, seen);
    });
}

/// Run `argv` to its end, showing its output on `sinks` and keeping it for
/// the record (at most `max_output` bytes: head and tail).
pub fn run(
    argv: &[String],
    max_output: usize,
    clock: &dyn Clock,
    sinks: Sinks,
) -> Result<Evidence, LaunchError> {
    let Some(program) = argv.first() else {
        return Err(LaunchError::Empty);
    };
    survive_interrupts();
    let started_at = clock.now();
    let t0 = Instant::now();
    let mut child = Command::new(program)
        .args(&argv[1..])
        .stdin(Stdio::inherit())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => LaunchError::NotFound(program.clone()),
            _ => LaunchError::CannotRun {
                program: program.clone(),
                reason: e.to_string(),
            },
        })?;
    let forward = forward_signals(child.id());
    let capture = Arc::new(Mutex::new(Capture::new(max_output)));
    let stop = Arc::new(AtomicBool::new(false));
    let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
    let mut readers = 0;
    if let Some(p) = child.stdout.take() {
        readers += 1;
        pump(p, sinks.out, capture.clone(), stop.clone(), done_tx.clone());
    }
    if let Some(p) = child.stderr.take() {
        readers += 1;
        pump(p, sinks.err, capture.clone(), stop.clone(), done_tx.clone());
    }
    drop(done_tx);
    let status = child.wait();
    let duration = t0.elapsed();
    if let Some(h) = forward {
        h.close();
    }
    let deadline = Instant::now() + DRAIN;
    for _ in 0..readers {
        let left = deadline.saturating_duration_since(Instant::now());
        if done_rx.recv_timeout(left).is_err() {
            break;
        }
    }
    // Readers still blocked (a background process holds the pipe) keep
    // reading, but neither show nor keep anything more.
    stop.store(true, Ordering::SeqCst);
    let cap = capture
        .lock()
        .map(|c| c.clone())
        .unwrap_or_else(|p| p.into_inner().clone());
    let exit = match status {
        Ok(s) => {
            use std::os::unix::process::ExitStatusExt;
            match (s.code(), s.signal()) {
                (Some(c), _) => Exit::Code(c),
                (None, Some(sig)) => Exit::Signal(sig),
                (None, None) => Exit::Code(-1),
            }
        }
        Err(_) => Exit::Code(-1),
    };
    let output_bytes = cap.total();
    let (head, tail, omitted) = cap.finish();
    Ok(Evidence {
        argv: argv.to_vec(),
        started_at,
        duration_ms: u64::try_from(duration.as_millis()).unwrap_or(u64::MAX),
        exit,
        output_bytes,
        head,
        tail,
        omitted,
    })
}

/// One output pipe: read, keep, show (sanitized) until it closes.
fn pump(
    mut pipe: impl Read + Send + 'static,
    mut sink: Box<dyn Write + Send>,
    capture: Arc<Mutex<Capture>>,
    stop: Arc<AtomicBool>,
    done: std::sync::mpsc::Sender<()>,
) {
    std::thread::spawn(move || {
        let mut live = live::Live::default();
        let mut show = true;
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            let n = match pipe.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(_) => break,
            };
            if stop.load(Ordering::SeqCst) {
                continue;
            }
            if let Ok(mut c) = capture.lock() {
                c.push(&buf[..n]);
            }
            let text = live.feed(&buf[..n]);
            // A closed stdout (`| head`) stops the display, not the record.
            if show && !text.is_empty() {
                show = sink
                    .write_all(text.as_bytes())
                    .and_then(|_| sink.flush())
                    .is_ok();
            }
        }
        if show && !stop.load(Ordering::SeqCst) {
            let _ = sink
                .write_all(live.finish().as_bytes())
                .and_then(|_| sink.flush());
        }
        let _ = done.send(());
    });
}

/// Pass SIGTERM and SIGHUP sent to sev on to the command while it runs.
fn forward_signals(pid: u32) -> Option<signal_hook::iterator::Handle> {
    use signal_hook::consts::{SIGHUP, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGHUP]).ok()?;
    let handle = signals.handle();
    std::thread::spawn(move || {
        for sig in signals.forever() {
            if let (Ok(pid), Ok(sig)) =
                (i32::try_from(pid), nix::sys::signal::Signal::try_from(sig))
            {
                let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), sig);
            }
        }
    });
    Some(handle)
}

#[cfg(test)]
mod tests;
