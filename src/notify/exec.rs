//! Exec channel: run a program (argv, never a shell) with the message as
//! JSON on stdin and a few `SEV_*` variables; kill its whole process group
//! at the timeout; keep the head of its output.

use super::{Delivered, DeliveryError, Exec, Message, head};
use std::io::{Read, Write};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The most of stdout + stderr kept.
pub(super) const OUTPUT_MAX: usize = 4096;
/// The longest value put in one environment variable.
const ENV_MAX: usize = 1024;

pub(super) fn deliver(e: &Exec, msg: &Message) -> Result<Delivered, DeliveryError> {
    let json = serde_json::to_vec(msg).unwrap_or_default();
    let incident = msg
        .incident
        .as_ref()
        .map(|i| i.reference.as_str())
        .unwrap_or("");
    let id = msg.id.to_string();
    let env = [
        ("SEV_MESSAGE_ID", id.as_str()),
        ("SEV_IDEMPOTENCY_KEY", msg.idempotency_key.as_str()),
        ("SEV_KIND", msg.kind.as_str()),
        ("SEV_TO", msg.to.as_str()),
        ("SEV_INCIDENT", incident),
        ("SEV_SUBJECT", msg.subject.as_str()),
    ];
    // Any non-zero exit may be passing trouble (the pager API was down):
    // the worker tries again.
    run(&e.command, &env, &json, e.timeout)?.verdict(|_| true)
}

/// How a run ended.
#[derive(Debug)]
pub(super) struct Outcome {
    pub program: String,
    /// The exit code, or `None` when a signal ended the program.
    pub code: Option<i32>,
    pub signal: Option<i32>,
    pub timed_out: Option<Duration>,
    /// The first [`OUTPUT_MAX`] bytes of stdout and stderr, interleaved.
    pub output: String,
}

impl Outcome {
    fn describe(&self) -> String {
        let what = match (self.timed_out, self.code, self.signal) {
            (Some(t), _, _) => format!(
                "{} did not finish within the timeout ({}s); its process group was killed",
                self.program,
                t.as_secs_f64()
            ),
            (None, Some(c), _) => format!("exit {c}"),
            (None, None, Some(s)) => format!("killed by signal {s}"),
            (None, None, None) => "ended".to_string(),
        };
        let out = self.output.trim_end();
        if out.is_empty() {
            what
        } else {
            format!("{what}\n{out}")
        }
    }

    /// Exit 0 is delivered; otherwise an error, retryable unless
    /// `retryable(code)` says no for that exit code.
    pub(super) fn verdict(
        &self,
        retryable: impl Fn(i32) -> bool,
    ) -> Result<Delivered, DeliveryError> {
        let detail = self.describe();
        match (self.timed_out, self.code) {
            (None, Some(0)) => Ok(Delivered { detail }),
            (None, Some(c)) if !retryable(c) => Err(DeliveryError::fatal(detail)),
            _ => Err(DeliveryError::retry(detail)),
        }
    }
}

/// Run `argv` with `env` added, `stdin` written to it, within `timeout`.
pub(super) fn run(
    argv: &[String],
    env: &[(&str, &str)],
    stdin: &[u8],
    timeout: Duration,
) -> Result<Outcome, DeliveryError> {
    let deadline = Instant::now() + timeout;
    let Some((program, args)) = argv.split_first() else {
        return Err(DeliveryError::fatal("the command is empty"));
    };
    let shown = crate::text::sanitize_line(program).into_owned();
    let (reader, writer) =
        std::io::pipe().map_err(|e| DeliveryError::retry(format!("cannot make a pipe: {e}")))?;
    let writer2 = writer
        .try_clone()
        .map_err(|e| DeliveryError::retry(format!("cannot make a pipe: {e}")))?;
    let mut cmd = Command::new(program);
    cmd.args(args)
        .stdin(Stdio::piped())
        .stdout(writer)
        .stderr(writer2)
        // Its own process group, so the timeout kills what it started too.
        .process_group(0);
    for (k, v) in env {
        cmd.env(k, env_value(v));
    }
    let spawned = cmd.spawn();
    // The parent's ends of the output pipe must close, or EOF never comes.
    drop(cmd);
    let mut child = spawned.map_err(|e| {
        let msg = format!("cannot run {shown}: {e}");
        match e.kind() {
            std::io::ErrorKind::NotFound | std::io::ErrorKind::PermissionDenied => {
                DeliveryError::fatal(format!(
                    "{msg} (check the channel's command: an absolute path to an executable)"
                ))
            }
            _ => DeliveryError::retry(msg),
        }
    })?;
    let pgid = nix::unistd::Pid::from_raw(child.id() as i32);

    // stdin on its own thread: a program that never reads it must not
    // block us (the write then fails with EPIPE once it exits).
    if let Some(mut input) = child.stdin.take() {
        let data = stdin.to_vec();
        std::thread::spawn(move || {
            let _ = input.write_all(&data);
        });
    }
    let output = Arc::new(Mutex::new(Vec::with_capacity(1024)));
    let (eof_tx, eof_rx) = mpsc::channel::<()>();
    {
        let output = Arc::clone(&output);
        std::thread::spawn(move || read_head(reader, &output, eof_tx));
    }
    let (exit_tx, exit_rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = exit_tx.send(child.wait());
    });

    let left = || deadline.saturating_duration_since(Instant::now());
    let kill = || {
        let _ = nix::sys::signal::killpg(pgid, nix::sys::signal::Signal::SIGKILL);
    };
    let status = match exit_rx.recv_timeout(left()) {
        Ok(Ok(s)) => Some(s),
        Ok(Err(e)) => {
            kill();
            return Err(DeliveryError::retry(format!("waiting for {shown}: {e}")));
        }
        Err(_) => {
            kill();
            None
        }
    };
    // A process it left behind may hold the output open: wait for the end
    // of the output only until the deadline, then kill the group.
    if eof_rx.recv_timeout(left()).is_err() {
        kill();
        let _ = eof_rx.recv_timeout(Duration::from_millis(200));
    }
    let output = output.lock().unwrap_or_else(|p| p.into_inner());
    let text = String::from_utf8_lossy(&output);
    Ok(Outcome {
        program: shown,
        code: status.and_then(|s| s.code()),
        signal: status.and_then(|s| s.signal()),
        timed_out: status.is_none().then_some(timeout),
        output: head(&text, OUTPUT_MAX).to_string(),
    })
}

/// Keep the first [`OUTPUT_MAX`] bytes, drain the rest (so the program
/// never blocks on a full pipe), say when the pipe is closed.
fn read_head(mut r: std::io::PipeReader, out: &Mutex<Vec<u8>>, eof: mpsc::Sender<()>) {
    let mut buf = [0u8; 8192];
    loop {
        match r.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                let mut o = out.lock().unwrap_or_else(|p| p.into_inner());
                let room = OUTPUT_MAX.saturating_sub(o.len());
                o.extend_from_slice(&buf[..n.min(room)]);
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => break,
        }
    }
    let _ = eof.send(());
}

/// An environment value: no NUL (it cannot be passed), no longer than
/// [`ENV_MAX`] bytes.
fn env_value(v: &str) -> String {
    head(v, ENV_MAX).replace('\0', "")
}
