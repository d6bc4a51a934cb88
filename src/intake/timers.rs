//! The intake's timed work, run by `sev serve` every few seconds by the one
//! instance holding the timer lease: heartbeats that went silent open
//! their incident, maintenance windows that ended let still-firing alerts
//! open theirs, quiet alerts of `resolve_after_quiet` senders resolve.

use super::apply::{IngestError, Outcome};
use crate::store::Store;
use chrono::{DateTime, Utc};

/// Record a heartbeat from integration `name` (`POST /heartbeat/NAME`);
/// closes a "monitoring is silent" incident per the integration's policy.
pub fn beat(
    _store: &Store,
    _cfg: &crate::config::Config,
    name: &str,
    _now: DateTime<Utc>,
) -> Result<Outcome, IngestError> {
    Err(IngestError::Unknown(format!("no heartbeat named {name}")))
}

/// One round of timed work. `holder` names this process (host:pid); only
/// the holder of the lease does anything, so two `sev serve` never both
/// open the same incident. Returns what changed.
pub fn tick(
    _store: &Store,
    _cfg: &crate::config::Config,
    _holder: &str,
    _now: DateTime<Utc>,
) -> Result<Outcome, IngestError> {
    Ok(Outcome::default())
}
