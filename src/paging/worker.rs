//! The paging thread of `sev serve`: while it holds the `paging` lease it
//! runs the escalation tick every [`TICK`], records response-target
//! breaches every [`BREACHES`], and drains the outbox, on its own connection, outside the
//! async runtime (sending is blocking I/O).

use super::deliver::{self, Courier, drain_once};
use super::directory::{ChannelCourier, Live};
use super::escalate;
use crate::clock::Clock;
use crate::config::Config;
use crate::store::Store;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// How often escalations are checked.
pub const TICK: Duration = Duration::from_secs(2);
/// How often missed response targets are looked for (a pass reads every
/// open incident: ~90 ms at 10k open): a breach is on the timeline within
/// this long of its due time.
pub const BREACHES: Duration = Duration::from_secs(15);
/// How long an idle worker sleeps between looks at the outbox.
const IDLE: Duration = Duration::from_millis(500);

pub struct Worker {
    pub db: PathBuf,
    pub config: Arc<Config>,
    pub holder: String,
    pub clock: Arc<dyn Clock + Send + Sync>,
    pub stop: Arc<AtomicBool>,
    /// Where to report (sev serve's log).
    pub say: fn(&str),
}

impl Worker {
    /// Run until `stop` is set.
    pub fn run(self) {
        let mut courier = ChannelCourier::new(&self.config);
        let mut store: Option<Store> = None;
        let mut held = false;
        let mut last_tick: Option<Instant> = None;
        let mut last_error = String::new();
        let mut breaches = crate::respond::Recorded::default();
        let mut last_breaches: Option<Instant> = None;
        while !self.stop.load(Ordering::Relaxed) {
            let r = (|| -> crate::error::Result<bool> {
                let st = match &store {
                    Some(s) => s,
                    None => store.insert(Store::open_existing(&self.db)?),
                };
                let now = self.clock.now();
                if last_tick.is_none_or(|t| t.elapsed() >= TICK) {
                    last_tick = Some(Instant::now());
                    let was = held;
                    if !deliver::take_lease(st, &self.holder, now, &mut held)? {
                        if was {
                            (self.say)("paging: another sev serve holds the paging lease now");
                        }
                        return Ok(false);
                    }
                    if !was {
                        (self.say)(&format!(
                            "paging: this process pages and delivers ({})",
                            self.holder
                        ));
                    }
                    let dir = Live::load(&self.config, st, now)?;
                    let mut t = escalate::tick(st, &self.config.paging, &dir, now)?;
                    while t.more && !self.stop.load(Ordering::Relaxed) {
                        let more = escalate::tick(st, &self.config.paging, &dir, self.clock.now())?;
                        t.started += more.started;
                        t.stopped += more.stopped;
                        t.steps += more.steps;
                        t.queued += more.queued;
                        t.more = more.more;
                    }
                    let mut n = 0;
                    if last_breaches.is_none_or(|t: Instant| t.elapsed() >= BREACHES) {
                        last_breaches = Some(Instant::now());
                        let hours = self.config.hours.in_zone_of(self.clock.zone());
                        n = crate::respond::record_breaches_remembering(
                            st,
                            &self.config.response,
                            &hours,
                            now,
                            &mut breaches,
                        )?;
                    }
                    if n > 0 {
                        (self.say)(&format!("response targets: {n} breach(es) recorded"));
                    }
                    if t != Default::default() {
                        (self.say)(&format!(
                            "paging: {} escalation(s) started, {} stopped, {} step(s) run, {} page(s) queued",
                            t.started, t.stopped, t.steps, t.queued
                        ));
                    }
                }
                if !held {
                    return Ok(false);
                }
                let d = drain_once(st, &mut courier as &mut dyn Courier, || self.clock.now())?;
                if d.total() > 0 {
                    (self.say)(&format!(
                        "outbox: {} delivered, {} to retry, {} failed, {} cancelled",
                        d.delivered, d.retried, d.failed, d.cancelled
                    ));
                }
                Ok(d.total() == deliver::BATCH)
            })();
            match r {
                Ok(true) => continue,
                Ok(false) => last_error.clear(),
                Err(e) => {
                    let msg = crate::text::sanitize_line(&e.to_string()).into_owned();
                    if msg != last_error {
                        (self.say)(&format!("paging: {msg}"));
                        last_error = msg;
                    }
                    store = None;
                    held = false;
                }
            }
            std::thread::sleep(IDLE);
        }
    }
}
