//! Store work off the async threads. The store is synchronous (rusqlite,
//! and the sync `postgres` crate, which panics when it is driven from
//! inside a tokio worker): every call runs on a blocking thread, with one
//! `Store` per thread, opened on first use and dropped after a store error
//! (or a panic) so the next call opens a fresh one.

use crate::error::Error;
use crate::intake::apply::IngestError;
use crate::store::Store;
use std::cell::RefCell;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

thread_local! {
    static STORE: RefCell<Option<Store>> = const { RefCell::new(None) };
}

/// The database the workers use.
pub struct Db {
    pub path: PathBuf,
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
