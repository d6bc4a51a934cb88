//! Store work off the async threads. The store is synchronous (rusqlite,
//! and the sync `postgres` crate, which panics when it is driven from
//! inside a tokio worker): every call runs on a blocking thread, with one
//! `Store` per thread, opened on first use and dropped after a store error
//! (or a panic) so the next call opens a fresh one.

use crate::config::Config;
use crate::error::Error;
use crate::intake::apply::{IngestError, Outcome, Prepared};
use crate::store::Store;
use chrono::{DateTime, Utc};
use std::cell::RefCell;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

thread_local! {
    static STORE: RefCell<Option<Store>> = const { RefCell::new(None) };
}

/// The database the workers use.
pub struct Db {
    pub path: PathBuf,
    /// Bodies waiting for the write turn (see [`apply_combined`]).
    waiting: Mutex<Vec<Job>>,
    /// Both backends have one writer at a time (SQLite's lock; sev's
    /// write lock on PostgreSQL), so this process's writers queue here, in
    /// order: on SQLite a writer that finds the lock taken would sleep in
    /// steps of up to 100 ms; on PostgreSQL each would hold a connection
    /// in an open transaction waiting for the lock, and on a small host
    /// the waiters' wake-ups slow the one writer down (8 senders at once:
    /// p99 from 77 to 44 ms in `benches/intake.rs`). Only other processes
    /// meet the database's own wait.
    write_turn: Mutex<()>,
}

impl Db {
    pub fn new(path: PathBuf) -> Db {
        Db {
            path,
            waiting: Mutex::new(Vec::new()),
            write_turn: Mutex::new(()),
        }
    }
}

/// Run `f` with this blocking thread's store; `write` when it writes.
pub async fn with_store<T, F>(db: Arc<Db>, write: bool, f: F) -> Result<T, IngestError>
where
    T: Send + 'static,
    F: FnOnce(&Store) -> Result<T, IngestError> + Send + 'static,
{
    let job = move || {
        STORE.with(|cell| {
            let store = match cell.borrow_mut().take() {
                Some(s) => s,
                None => Store::open_existing(&db.path)?,
            };
            let _turn = write.then(|| db.write_turn.lock().unwrap_or_else(|p| p.into_inner()));
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&store)));
            match r {
                Ok(r) => {
                    if !matches!(r, Err(IngestError::Store(_))) {
                        *cell.borrow_mut() = Some(store);
                    }
                    r
                }
                Err(p) => Err(IngestError::Store(Error::Internal(
                    crate::cli::crash_report(p.as_ref(), None, "the request was not applied"),
                ))),
            }
        })
    };
    match tokio::task::spawn_blocking(job).await {
        Ok(r) => r,
        Err(e) => Err(IngestError::Store(Error::Internal(format!(
            "the database thread stopped: {e}"
        )))),
    }
}

type Answer = Result<Outcome, IngestError>;

/// One body waiting to be applied, and where its answer goes.
struct Job {
    config: Arc<Config>,
    body: Prepared,
    now: DateTime<Utc>,
    answer: Arc<Mutex<Option<Answer>>>,
}

/// Most bodies one transaction applies.
const MOST_TOGETHER: usize = 64;

/// Apply a prepared body, together with the bodies that wait for the write
/// turn at the same time: whoever gets the turn applies every waiting body
/// in one transaction (one lock, one commit — on PostgreSQL the round
/// trips and the WAL flush that 8 senders at once would otherwise queue
/// for one by one) and hands each its own outcome. If that transaction
/// fails, each body is applied alone, so one body that cannot be stored
/// fails only its own request. Answers are given after the commit.
pub async fn apply_combined(
    db: Arc<Db>,
    config: Arc<Config>,
    body: Prepared,
    now: DateTime<Utc>,
) -> Answer {
    let answer = Arc::new(Mutex::new(None));
    let mine = answer.clone();
    let job = move || {
        lock(&db.waiting).push(Job {
            config,
            body,
            now,
            answer,
        });
        let _turn = lock(&db.write_turn);
        if let Some(a) = lock(&mine).take() {
            // Applied with an earlier turn holder's bodies.
            return a;
        }
        let jobs: Vec<Job> = {
            let mut w = lock(&db.waiting);
            let n = w.len().min(MOST_TOGETHER);
            w.drain(..n).collect()
        };
        STORE.with(|cell| {
            let store = match cell.borrow_mut().take() {
                Some(s) => s,
                None => match Store::open_existing(&db.path) {
                    Ok(s) => s,
                    Err(e) => {
                        let why = e.to_string();
                        for j in &jobs {
                            *lock(&j.answer) =
                                Some(Err(IngestError::Store(Error::Unavailable(why.clone()))));
                        }
                        return;
                    }
                },
            };
            let healthy = apply_jobs(&store, &jobs);
            if healthy {
                *cell.borrow_mut() = Some(store);
            }
        });
        lock(&mine).take().unwrap_or_else(|| {
            Err(IngestError::Store(Error::Internal(
                "the body was not applied: another body took its place in the queue".into(),
            )))
        })
    };
    match tokio::task::spawn_blocking(job).await {
        Ok(r) => r,
        Err(e) => Err(IngestError::Store(Error::Internal(format!(
            "the database thread stopped: {e}"
        )))),
    }
}

/// Apply `jobs` together, or one by one if that fails; every job gets an
/// answer. False when the store should be reopened.
fn apply_jobs(store: &Store, jobs: &[Job]) -> bool {
    let together = || {
        let refs: Vec<(&Config, &Prepared)> = jobs.iter().map(|j| (&*j.config, &j.body)).collect();
        crate::intake::apply::apply_many(store, &refs, jobs[0].now)
    };
    if jobs.len() > 1
        && let Ok(Ok(outcomes)) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(together))
    {
        for (j, o) in jobs.iter().zip(outcomes) {
            *lock(&j.answer) = Some(Ok(o));
        }
        return true;
    }
    let mut healthy = true;
    for j in jobs {
        let one = || {
            store.intake(j.now, |tx| {
                crate::intake::apply::apply_in(tx, &j.config, &j.body)
            })
        };
        let a = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(one)) {
            Ok(Ok(o)) => Ok(o),
            Ok(Err(e)) => {
                healthy = false;
                Err(IngestError::Store(e))
            }
            Err(p) => {
                healthy = false;
                Err(IngestError::Store(Error::Internal(
                    crate::cli::crash_report(p.as_ref(), None, "the request was not applied"),
                )))
            }
        };
        *lock(&j.answer) = Some(a);
    }
    healthy
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::intake::model::Source;
    use crate::store::testdb::TestDb;

    fn trigger(key: &str) -> Vec<u8> {
        serde_json::to_vec(&serde_json::json!({
            "routing_key": "0123456789abcdef0123456789abcdef", "event_action": "trigger", "dedup_key": key,
            "payload": {"summary": format!("disk full on {key}"), "source": "h", "severity": "error"}
        }))
        .unwrap()
    }

    fn job(cfg: &Arc<Config>, key: &str, now: DateTime<Utc>) -> Job {
        Job {
            config: cfg.clone(),
            body: crate::intake::apply::prepare(cfg, "pd", Source::Pagerduty, &trigger(key), now)
                .unwrap(),
            now,
            answer: Arc::new(Mutex::new(None)),
        }
    }

    #[test]
    fn bodies_applied_together_each_get_their_own_outcome() {
        for db in TestDb::all() {
            let store = db.open();
            let cfg = Arc::new(Config::builtin());
            let now = Utc::now();
            let jobs: Vec<Job> = ["a", "b", "c"].iter().map(|k| job(&cfg, k, now)).collect();
            assert!(apply_jobs(&store, &jobs));
            let keys: Vec<Option<String>> = jobs
                .iter()
                .map(|j| lock(&j.answer).take().unwrap().unwrap().dedup_key)
                .collect();
            assert_eq!(
                keys,
                ["a", "b", "c"].map(|k| Some(k.to_string())),
                "{}",
                db.name()
            );
            let stored = store.alerts(&Default::default()).unwrap().len();
            assert_eq!(stored, 3, "{}", db.name());
        }
    }

    #[test]
    fn a_body_that_cannot_be_stored_fails_only_its_own_request() {
        // PostgreSQL refuses a NUL in text (the parsers refuse it first; it
        // is put in here to make one body of three fail in the store).
        let Some(db) = TestDb::postgres() else { return };
        let store = db.open();
        let cfg = Arc::new(Config::builtin());
        let now = Utc::now();
        let mut jobs: Vec<Job> = ["a", "b", "c"].iter().map(|k| job(&cfg, k, now)).collect();
        jobs[1].body.batch.alerts[0].summary = "poison \0".into();
        apply_jobs(&store, &jobs);
        let answers: Vec<bool> = jobs
            .iter()
            .map(|j| lock(&j.answer).take().unwrap().is_ok())
            .collect();
        assert_eq!(answers, [true, false, true]);
        let store = db.open();
        let mut keys: Vec<String> = store
            .alerts(&Default::default())
            .unwrap()
            .into_iter()
            .map(|a| a.key)
            .collect();
        keys.sort();
        assert_eq!(keys, ["a", "c"], "the other two are stored, once each");
    }
}
