//! Evidence: a command run for an incident (`sev run ID -- CMD…`, `:run`)
//! and what it printed, kept on the timeline as one `evidence` event.
//!
//! The event's `text` is the record as JSON, written in printable ASCII
//! only (every other character as a `\uXXXX` escape), so the stored text
//! is safe in every export and on every terminal as it is, and PostgreSQL
//! takes it (no NUL). Output is kept raw: as a JSON string when it is
//! UTF-8, else base64 (`output_b64`); past the configured size only its
//! head and tail are kept, and the record says how much was left out.
//! Display sanitizes it ([`crate::text`]).

pub(crate) mod b64;
pub mod words;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// How the command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Code(i32),
    /// Killed by this signal (no exit code).
    Signal(i32),
}

impl Exit {
    /// The exit code a shell would report: 128 + the signal when killed.
    pub fn shell_code(self) -> i32 {
        match self {
            Exit::Code(c) => c,
            Exit::Signal(s) => 128 + s,
        }
    }

    pub fn describe(self) -> String {
        match self {
            Exit::Code(c) => format!("exit {c}"),
            Exit::Signal(s) => format!("killed by {}", signal_name(s)),
        }
    }
}

/// `SIGINT` for 2; `signal 77` for what has no common name.
pub fn signal_name(s: i32) -> String {
    let name = match s {
        1 => "SIGHUP",
        2 => "SIGINT",
        3 => "SIGQUIT",
        4 => "SIGILL",
        6 => "SIGABRT",
        7 => "SIGBUS",
        8 => "SIGFPE",
        9 => "SIGKILL",
        10 => "SIGUSR1",
        11 => "SIGSEGV",
        12 => "SIGUSR2",
        13 => "SIGPIPE",
        14 => "SIGALRM",
        15 => "SIGTERM",
        _ => return format!("signal {s}"),
    };
    name.to_string()
}

/// One recorded run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    pub argv: Vec<String>,
    pub started_at: DateTime<Utc>,
    pub duration_ms: u64,
    pub exit: Exit,
    /// Everything the command printed (stdout and stderr, as they came).
    pub output_bytes: u64,
    /// The start of the output (all of it when nothing was left out).
    pub head: Vec<u8>,
    /// The end of the output, when the middle was left out.
    pub tail: Vec<u8>,
    /// Bytes left out between `head` and `tail`.
    pub omitted: u64,
}

/// The stored shape (see the module doc). Field names are stable.
#[derive(Serialize, Deserialize)]
struct Wire {
    v: u32,
    argv: Vec<String>,
    started_at: String,
    duration_ms: u64,
    exit_code: Option<i32>,
    signal: Option<i32>,
    output_bytes: u64,
    omitted_bytes: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    output: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    output_b64: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tail: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tail_b64: Option<String>,
}

/// Bytes as (text, base64): text when they are UTF-8.
fn split_raw(b: &[u8]) -> (Option<String>, Option<String>) {
    match std::str::from_utf8(b) {
        Ok(s) => (Some(s.to_string()), None),
        Err(_) => (None, Some(b64::encode(b))),
    }
}

fn join_raw(text: Option<String>, b64: Option<String>) -> Option<Vec<u8>> {
    match (text, b64) {
        (Some(t), None) => Some(t.into_bytes()),
        (None, Some(b)) => b64::decode(&b),
        (None, None) => Some(Vec::new()),
        (Some(_), Some(_)) => None,
    }
}

/// JSON with every character outside printable ASCII escaped: serde_json
/// escapes controls below 0x20 already; DEL and non-ASCII (which only
/// occur inside strings) are escaped here, as UTF-16 for JSON.
fn ascii_json(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if c.is_ascii() && c != '\u{7f}' {
            out.push(c);
        } else {
            let mut buf = [0u16; 2];
            for unit in c.encode_utf16(&mut buf) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    out
}

impl Evidence {
    /// The event text: ASCII JSON.
    pub fn to_text(&self) -> String {
        let (output, output_b64) = split_raw(&self.head);
        let (tail, tail_b64) = if self.omitted > 0 || !self.tail.is_empty() {
            split_raw(&self.tail)
        } else {
            (None, None)
        };
        let (exit_code, signal) = match self.exit {
            Exit::Code(c) => (Some(c), None),
            Exit::Signal(s) => (None, Some(s)),
        };
        let w = Wire {
            v: 1,
            argv: self.argv.clone(),
            started_at: crate::clock::rfc3339(self.started_at),
            duration_ms: self.duration_ms,
            exit_code,
            signal,
            output_bytes: self.output_bytes,
            omitted_bytes: self.omitted,
            output,
            output_b64,
            tail,
            tail_b64,
        };
        ascii_json(&serde_json::to_string(&w).unwrap_or_default())
    }

    /// The record in an event's text; `None` when it is not one sev wrote.
    pub fn from_text(text: &str) -> Option<Evidence> {
        let w: Wire = serde_json::from_str(text).ok()?;
        let exit = match (w.exit_code, w.signal) {
            (Some(c), None) => Exit::Code(c),
            (None, Some(s)) => Exit::Signal(s),
            _ => return None,
        };
        Some(Evidence {
            argv: w.argv,
            started_at: DateTime::parse_from_rfc3339(&w.started_at)
                .ok()?
                .with_timezone(&Utc),
            duration_ms: w.duration_ms,
            exit,
            output_bytes: w.output_bytes,
            head: join_raw(w.output, w.output_b64)?,
            tail: join_raw(w.tail, w.tail_b64)?,
            omitted: w.omitted_bytes,
        })
    }

    /// The command line, quoted as a shell would read it back.
    pub fn command_line(&self) -> String {
        words::command_line(&self.argv)
    }

    /// "1.2s", "350ms", "3m 05s".
    pub fn duration(&self) -> String {
        let ms = self.duration_ms;
        if ms < 1000 {
            format!("{ms}ms")
        } else if ms < 60_000 {
            format!("{:.1}s", ms as f64 / 1000.0)
        } else {
            crate::clock::duration((ms / 1000) as i64)
        }
    }

    /// "ran `df -h` · exit 0 · 1.2s" (unsanitized).
    pub fn headline(&self) -> String {
        format!(
            "ran {} · {} · {}",
            self.command_line(),
            self.exit.describe(),
            self.duration()
        )
    }

    /// The output as text (unsanitized): invalid UTF-8 as U+FFFD, CRLF as
    /// LF, and the marker where the middle was left out.
    pub fn output_text(&self) -> String {
        let mut s = String::from_utf8_lossy(&self.head).into_owned();
        if self.omitted > 0 {
            if !s.is_empty() && !s.ends_with('\n') {
                s.push('\n');
            }
            s.push_str(&format!("… {} bytes omitted …\n", self.omitted));
            s.push_str(&String::from_utf8_lossy(&self.tail));
        }
        s.replace("\r\n", "\n")
    }

    /// At most `max` lines of output: the first and last ones, with a
    /// line saying how many are between (for the TUI's detail pane).
    pub fn output_preview(&self, max: usize) -> Vec<String> {
        let text = self.output_text();
        let lines: Vec<&str> = text.lines().collect();
        if lines.len() <= max {
            return lines.into_iter().map(str::to_string).collect();
        }
        let keep = max.saturating_sub(1);
        let first = keep.div_ceil(2);
        let last = keep - first;
        let mut out: Vec<String> = lines[..first].iter().map(|l| l.to_string()).collect();
        out.push(format!(
            "… {} more lines (sev show) …",
            lines.len() - first - last
        ));
        out.extend(lines[lines.len() - last..].iter().map(|l| l.to_string()));
        out
    }

    /// The structured fields for `--json` (output as text, marker-free:
    /// `output` is the head, `tail` the end when `omitted_bytes` > 0).
    pub fn json(&self) -> serde_json::Value {
        let (code, signal) = match self.exit {
            Exit::Code(c) => (Some(c), None),
            Exit::Signal(s) => (None, Some(s)),
        };
        let mut v = serde_json::json!({
            "command": self.command_line(),
            "argv": self.argv,
            "started_at": crate::clock::rfc3339(self.started_at),
            "duration_ms": self.duration_ms,
            "exit_code": code,
            "signal": signal.map(signal_name),
            "output_bytes": self.output_bytes,
            "omitted_bytes": self.omitted,
            "output": String::from_utf8_lossy(&self.head),
        });
        if self.omitted > 0 || !self.tail.is_empty() {
            v["tail"] = String::from_utf8_lossy(&self.tail).into_owned().into();
        }
        v
    }
}

/// The output kept while a command runs: the first half of `max` bytes
/// and a ring of the last half, so memory stays bounded whatever it prints.
#[derive(Debug, Clone)]
pub struct Capture {
    max: usize,
    head: Vec<u8>,
    tail: VecDeque<u8>,
    total: u64,
}

impl Capture {
    pub fn new(max: usize) -> Capture {
        Capture {
            max,
            head: Vec::new(),
            tail: VecDeque::new(),
            total: 0,
        }
    }

    pub fn push(&mut self, mut b: &[u8]) {
        self.total += b.len() as u64;
        let head_cap = self.max.div_ceil(2);
        let tail_cap = self.max / 2;
        let room = head_cap.saturating_sub(self.head.len());
        let n = room.min(b.len());
        self.head.extend_from_slice(&b[..n]);
        b = &b[n..];
        if b.len() >= tail_cap {
            self.tail.clear();
            self.tail.extend(&b[b.len() - tail_cap..]);
        } else {
            let over = (self.tail.len() + b.len()).saturating_sub(tail_cap);
            self.tail.drain(..over);
            self.tail.extend(b);
        }
    }

    pub fn total(&self) -> u64 {
        self.total
    }

    /// (head, tail, omitted). All of the output in `head` when it fit;
    /// otherwise the cuts move to character boundaries (the bytes of a
    /// character cut in two count as omitted).
    pub fn finish(self) -> (Vec<u8>, Vec<u8>, u64) {
        let mut head = self.head;
        let mut tail: Vec<u8> = self.tail.into();
        let kept = (head.len() + tail.len()) as u64;
        if kept == self.total {
            head.extend_from_slice(&tail);
            return (head, Vec::new(), 0);
        }
        // A cut inside a UTF-8 sequence: drop its pieces.
        let cont = |b: u8| b & 0xC0 == 0x80;
        let lead_len = |b: u8| match b {
            0xC0..=0xDF => 2,
            0xE0..=0xEF => 3,
            0xF0..=0xF7 => 4,
            _ => 1,
        };
        if let Some(start) = (0..head.len())
            .rev()
            .take(4)
            .find(|&i| !cont(head[i]))
            .filter(|&i| i + lead_len(head[i]) > head.len())
        {
            head.truncate(start);
        }
        let skip = tail.iter().take(3).take_while(|&&b| cont(b)).count();
        tail.drain(..skip);
        let omitted = self.total - (head.len() + tail.len()) as u64;
        (head, tail, omitted)
    }
}

#[cfg(test)]
mod tests;
