//! `sev serve`: the long-running receiver for alerts.
//!
//! HTTP/1 (hyper) with axum's router and tower's limits, on a TCP address
//! or a Unix socket. Each request is authenticated from its headers
//! ([`auth`]), its body read within the limits ([`body`]), applied in one
//! transaction on a database thread ([`worker`]) by the same
//! `intake::apply::ingest` as `sev ingest`, and answered only after the
//! commit ([`endpoints`], [`answer`]). Every 5 s the timed work runs
//! (`intake::timers::tick`); escalations and the outbox run on a thread of
//! their own (`paging::worker`). SIGTERM or SIGINT: stop accepting, answer
//! what is in flight, exit 0.

mod answer;
mod auth;
mod body;
mod conn;
mod endpoints;
mod listen;
mod worker;

pub use listen::Listen;

use crate::clock::SystemClock;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::text::sanitize_line;
use std::io::Write;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// How often the timed work runs.
const TICK: Duration = Duration::from_secs(5);
/// Database threads: enough to overlap reads, parsing and PostgreSQL round
/// trips; SQLite writes take turns anyway.
const DB_THREADS: usize = 8;
/// After the stop signal, how long requests in flight may take.
const DRAIN: Duration = Duration::from_secs(30);

/// One line on stderr (the request log, warnings). A closed stderr is no
/// reason to stop receiving alerts.
pub(crate) fn say(line: &str) {
    if cfg!(test) {
        eprintln!("{line}"); // captured by the test harness
    } else {
        let _ = writeln!(std::io::stderr().lock(), "{line}");
    }
}

/// Run until SIGTERM/SIGINT. The first line on stderr is `listening on
/// ADDR` (with the port chosen, for port 0).
pub fn run(config: Config, listen: Listen) -> Result<()> {
    let (keys, warnings) = auth::Keys::load(&config.alerts)?;
    // The database must exist and be sev's, at the schema this binary
    // writes: checked (and migrated) once here, so a wrong --db stops now.
    drop(crate::store::Store::open_existing(&config.database)?);
    let bound = listen::bind(&listen)?;
    say(&format!("listening on {}", bound.shown()));
    if !listen.is_local() {
        say(&format!(
            "warning: {} is reachable from other hosts and this is plain HTTP: TLS belongs to a reverse proxy in front of sev serve (let it listen on 127.0.0.1 or a unix: socket)",
            bound.shown()
        ));
    }
    for w in &warnings {
        say(&format!("warning: {w}"));
    }
    let a = &config.alerts;
    let names: Vec<String> = a
        .integrations
        .iter()
        .map(|i| format!("{} ({})", sanitize_line(&i.name), i.source))
        .collect();
    say(&format!(
        "database {}; integrations: {}; body limit {} bytes, read timeout {} s, {} requests at a time",
        crate::store::locator::shown(&config.database),
        if names.is_empty() {
            "none configured".to_string()
        } else {
            names.join(", ")
        },
        a.max_body_bytes,
        a.read_timeout.as_secs_f64(),
        a.max_concurrent
    ));
    let header_timeout = a.read_timeout;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .thread_name("sev-serve")
        .max_blocking_threads(DB_THREADS)
        .thread_keep_alive(Duration::from_secs(600))
        .enable_all()
        .build()
        .map_err(|e| Error::Internal(format!("cannot start the server's threads: {e}")))?;
    let shared = Arc::new(endpoints::Shared {
        db: Arc::new(worker::Db::new(config.database.clone())),
        config: Arc::new(config),
        keys,
        clock: Arc::new(SystemClock),
    });
    // Paging (escalations, the outbox) on a thread of its own: sending is
    // blocking I/O and must not hold the receiver's threads.
    let stop_paging = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let paging = {
        let w = crate::paging::worker::Worker {
            db: shared.config.database.clone(),
            config: shared.config.clone(),
            holder: holder(),
            clock: Arc::new(SystemClock),
            stop: stop_paging.clone(),
            say,
        };
        std::thread::Builder::new()
            .name("sev-paging".into())
            .spawn(move || w.run())
            .map_err(|e| Error::Internal(format!("cannot start the paging thread: {e}")))?
    };
    let result = rt.block_on(async move {
        let (stop_tx, stop_rx) = watch::channel(false);
        let signals = tokio::spawn(wait_for_signal(stop_tx));
        let timers = tokio::spawn(timers(shared.clone(), stop_rx.clone()));
        let app = endpoints::router(shared);
        let served = conn::serve(bound, app, stop_rx, header_timeout, DRAIN).await;
        signals.abort();
        let _ = timers.await;
        served
    });
    // Database work already started (a client that hung up mid-request)
    // still commits before the process ends.
    rt.shutdown_timeout(DRAIN);
    stop_paging.store(true, std::sync::atomic::Ordering::Relaxed);
    let _ = paging.join();
    result.map_err(|e| Error::Unavailable(format!("the server stopped: {e}")))?;
    say("stopped");
    Ok(())
}

async fn wait_for_signal(stop: watch::Sender<bool>) {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut term), Ok(mut int)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        say("warning: cannot watch SIGTERM/SIGINT; stop sev serve with SIGKILL");
        return std::future::pending().await;
    };
    let name = tokio::select! {
        _ = term.recv() => "SIGTERM",
        _ = int.recv() => "SIGINT",
    };
    say(&format!(
        "{name}: no new connections; answering the requests in flight"
    ));
    let _ = stop.send(true);
}

/// Every [`TICK`]: heartbeats gone silent, maintenance windows ended,
/// quiet alerts resolved — on a database thread, one round at a time.
/// This process as a lease holder: host:pid.
fn holder() -> String {
    format!(
        "{}:{}",
        nix::unistd::gethostname()
            .map(|h| h.to_string_lossy().into_owned())
            .unwrap_or_else(|_| "localhost".into()),
        std::process::id()
    )
}

async fn timers(s: Arc<endpoints::Shared>, mut stop: watch::Receiver<bool>) {
    let holder = holder();
    let mut every = tokio::time::interval(TICK);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = every.tick() => {}
            _ = stop.wait_for(|s| *s) => return,
        }
        let config = s.config.clone();
        let now = s.clock.now();
        let h = holder.clone();
        let r = worker::with_store(s.db.clone(), true, move |st| {
            crate::intake::timers::tick(st, &config, &h, now)
        })
        .await;
        match r {
            Ok(o) if o.incidents.is_empty() && o.alerts_resolved == 0 => {}
            Ok(o) => say(&format!(
                "timers: {} incident(s) changed, {} alert(s) resolved",
                o.incidents.len(),
                o.alerts_resolved
            )),
            Err(e) => say(&format!("timers: {}", answer::clean(&e.to_string()))),
        }
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_intake;
