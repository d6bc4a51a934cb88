//! The outbox delivery worker. One per database at a time: it holds the
//! `paging` lease (renewed while it works; another `sev serve` takes over
//! within [`LEASE`] of this one dying), so two receivers on two hosts
//! never both page.
//!
//! Each round claims the due rows (`sending`, one more attempt), sends
//! them without any transaction open, and records the outcomes in one
//! short transaction. A page whose incident left triage meanwhile is
//! cancelled, not sent. A failed attempt is retried with exponential
//! backoff and jitter until the row's `give_up_at`; then it is `failed`
//! (shown in the TUI header and `sev outbox --failed`, retried by `sev
//! outbox retry ID`) and the incident's timeline says so.
//!
//! Delivery is at least once: a worker that dies after sending and before
//! recording leaves the row `sending`; the next lease holder sends it
//! again, with the same idempotency key. A restart never re-sends a row
//! recorded as delivered.

use super::escalate;
use crate::domain::{IncidentId, Status};
use crate::error::Result;
use crate::store::Store;
use crate::store::respond::{Attempt, OutboxRow};
use chrono::{DateTime, Duration, Utc};

/// The lease's name and length.
pub const LEASE_NAME: &str = "paging";
pub const LEASE: Duration = Duration::seconds(30);
/// Most rows one round claims.
pub const BATCH: usize = 200;

/// Sends one notification: `Ok(detail)` when the receiver took it;
/// `Err((error, retryable))` otherwise.
pub trait Courier {
    fn send(&mut self, row: &OutboxRow) -> std::result::Result<String, (String, bool)>;
}

/// What a round did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Drained {
    pub delivered: usize,
    pub retried: usize,
    pub failed: usize,
    pub cancelled: usize,
}

impl Drained {
    pub fn total(&self) -> usize {
        self.delivered + self.retried + self.failed + self.cancelled
    }
}

/// Backoff before attempt `attempts + 1`: 5 s doubling to 10 min, ± 20 %.
pub fn backoff(attempts: i64) -> Duration {
    let base = 5i64.saturating_mul(1i64 << attempts.clamp(1, 10).saturating_sub(1));
    let base = base.min(600) * 1000;
    let jitter = fastrand::i64(-(base / 5)..=(base / 5));
    Duration::milliseconds(base + jitter)
}

/// Take or renew the lease; true when this holder has it. `fresh` is set
/// when it was not this holder's before (rows a previous holder left
/// `sending` then go back to pending).
pub fn take_lease(
    store: &Store,
    holder: &str,
    now: DateTime<Utc>,
    held: &mut bool,
) -> Result<bool> {
    let got = store.respond(now, |tx| {
        let until = tx.now() + LEASE;
        // A holder on this host whose process is gone (a crash, kill -9)
        // gives the lease up at once: a restart resumes delivery without
        // waiting for the lease to run out.
        if let Some(h) = tx.lease_holder(LEASE_NAME)?
            && h != holder
            && dead_here(&h)
        {
            tx.drop_lease(LEASE_NAME, &h)?;
        }
        tx.take_lease(LEASE_NAME, holder, until)
    })?;
    if got && !*held {
        store.reset_sending(now)?;
    }
    *held = got;
    Ok(got)
}

/// Whether `holder` (`host:pid`) is a process of this host that is gone.
fn dead_here(holder: &str) -> bool {
    let Some((host, pid)) = holder.rsplit_once(':') else {
        return false;
    };
    let here = nix::unistd::gethostname()
        .map(|h| h.to_string_lossy().into_owned())
        .unwrap_or_default();
    let Ok(pid) = pid.parse::<i32>() else {
        return false;
    };
    host == here
        && pid > 0
        && nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), None)
            == Err(nix::errno::Errno::ESRCH)
}

fn moot(row: &OutboxRow, status: Option<Status>) -> Option<String> {
    if row.kind != "page" {
        return None;
    }
    match status {
        Some(Status::Triage) | None => None,
        Some(s) if s.is_open() => Some("acknowledged before it was sent".into()),
        Some(s) => Some(format!("the incident is {} before it was sent", s.as_str())),
    }
}

/// One round: claim, send, record. Call only while holding the lease.
pub fn drain_once(
    store: &Store,
    courier: &mut dyn Courier,
    now: impl Fn() -> DateTime<Utc>,
) -> Result<Drained> {
    let claimed = store.claim_outbox(now(), BATCH)?;
    let mut out = Drained::default();
    let mut done = Vec::with_capacity(claimed.len());
    let mut gave_up: Vec<(IncidentId, String)> = Vec::new();
    for (row, status) in &claimed {
        let a = if let Some(why) = moot(row, *status) {
            out.cancelled += 1;
            Attempt::Cancelled { why }
        } else {
            match courier.send(row) {
                Ok(detail) => {
                    out.delivered += 1;
                    Attempt::Delivered { detail }
                }
                Err((error, retryable)) => {
                    let t = now();
                    let next_at = t + backoff(row.attempts);
                    if retryable && next_at < row.give_up_at {
                        out.retried += 1;
                        Attempt::Retry { next_at, error }
                    } else {
                        out.failed += 1;
                        if let Some(i) = row.incident {
                            gave_up.push((i, failure_text(row, &error, retryable)));
                        }
                        Attempt::Failed { error }
                    }
                }
            }
        };
        done.push((row.id, a));
    }
    if !done.is_empty() {
        store.finish_outbox(&done, now())?;
    }
    if !gave_up.is_empty() {
        store.respond(now(), |tx| {
            let t = tx.now();
            for (id, text) in &gave_up {
                tx.append_event(&escalate::event(*id, t, text.clone()))?;
            }
            Ok(())
        })?;
    }
    Ok(out)
}

fn failure_text(row: &OutboxRow, error: &str, retryable: bool) -> String {
    let to = if row.recipient.is_empty() {
        String::new()
    } else {
        format!(" to {}", row.recipient)
    };
    let tries = if row.attempts == 1 {
        "1 attempt".to_string()
    } else {
        format!("{} attempts", row.attempts)
    };
    let why = if retryable {
        format!("gave up after {tries}")
    } else {
        format!("refused ({tries})")
    };
    format!(
        "{} {}{to} via {} FAILED, {why}: {} — sev outbox retry {}",
        row.kind,
        row.idem_key,
        row.channel,
        crate::text::sanitize_line(error),
        row.id
    )
}
