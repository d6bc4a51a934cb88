//! Every line of SQL in sev lives under this module.
//!
//! One [`Store`] per process wraps one SQLite connection in WAL mode. Every
//! write is one short `BEGIN IMMEDIATE` transaction that changes the row,
//! bumps its `version` and appends its events, all or nothing.

mod alert_reads;
mod alerts;
pub mod audit;
mod breaches;
mod bulk;
mod close_view;
mod copy;
mod copy_lite;
mod error;
mod incidents;
pub mod intake;
mod links;
pub mod locator;
mod pg;
mod pg_copy;
mod pgcert;
mod pgtls;
mod postmortems;
mod presence;
pub mod respond;
mod respond_lite;
pub mod review;
mod row;
mod schema;
mod search;
#[doc(hidden)]
pub mod testdb;
mod timeline;
mod types;

pub use breaches::{NewBreach, Reopen};
pub use bulk::BatchItem;
pub use close_view::TxView;
pub use copy::{Copied, Progress};
pub use error::{Partial, Unreadable, unreadable_error};
pub use incidents::{ListQuery, ORDER, Scope};
pub use intake::{
    AlertCounts, AlertQuery, AlertRow, Beat, GroupRow, IntakeState, IntakeTx, Window,
};
pub use links::{LinkEvent, LinkKind, LinkRow, NewLink};
pub use pg::Health;
pub use pgcert::ClientCert;
pub use postmortems::ActionQuery;
pub use presence::{EXPIRY, Presence};
pub use schema::{APPLICATION_ID, EVENT_TRIGGERS, MIGRATIONS};
pub use search::{ListKey, SearchDelta, SearchRef, SearchRow};
pub use timeline::Record;

pub(crate) use error::db_error;
pub use facade::{Store, use_password_file};
mod facade;
use error::{access_reason, shown};

use crate::error::{Error, Result};
use crate::fsafe;
use rusqlite::{Connection, OpenFlags, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The SQLite backend: one connection to one file.
pub(crate) struct Lite {
    conn: Connection,
    path: PathBuf,
    read_only: bool,
}

impl Lite {
    /// Open (creating if needed) and migrate the database at `path`.
    ///
    /// A new personal database is created 0600 in a 0700 directory; in a
    /// setgid (group-shared) directory it is created 0660. Never through a
    /// symbolic link: see [`crate::fsafe`].
    pub fn open(path: &Path) -> Result<Lite> {
        Lite::open_rw(path, true)
    }

    /// Open and migrate an existing database; a missing one is an error
    /// ("no database at PATH"), never created. For commands that only read.
    pub fn open_existing(path: &Path) -> Result<Lite> {
        Lite::open_rw(path, false)
    }

    fn open_rw(path: &Path, create: bool) -> Result<Lite> {
        let path = &fsafe::normalize(path);
        if !fsafe::check_db(path)? {
            if !create {
                return Err(fsafe::missing_refusal(path));
            }
            let dir = fsafe::dir_of(path);
            if fsafe::entry(dir) == fsafe::Entry::Missing {
                fsafe::create_private_dir(dir).map_err(|e| {
                    Error::Unavailable(format!(
                        "cannot create directory {} for the database: {e} (set SEV_DB or --db to a writable place)",
                        shown(dir)
                    ))
                })?;
            }
            fsafe::create_db_file(path)?;
        } else if std::fs::metadata(path).is_ok_and(|m| m.len() == 0) {
            // A read never turns an empty (swapped, recreated) file into a
            // fresh database that then passes `verify`; a write adopts it
            // with the mode a new one would get.
            if !create {
                return Err(fsafe::empty_refusal(path));
            }
            fsafe::adopt_empty(path)?;
        }
        // NOFOLLOW: SQLite refuses a link even if one is planted after the
        // check above; it opens -wal/-shm with O_NOFOLLOW itself. It also
        // refuses links in parent directories, so it gets them resolved.
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_NOFOLLOW;
        let conn = Connection::open_with_flags(fsafe::real_path(path), flags)
            .map_err(|e| db_error(path, e))?;
        let store = Lite {
            conn,
            path: path.to_path_buf(),
            read_only: false,
        };
        // Before anything writes (WAL mode is written into the file): is
        // this sev's file, or a new empty one?
        store.refuse_foreign(create)?;
        store.configure()?;
        store.migrate()?;
        Ok(store)
    }

    /// Refuse, before changing anything in it, a file that is not a sev
    /// database: another application's (an application id, a
    /// user_version or tables of its own), or — for a command that only
    /// reads — any file that sev has not made its own yet.
    fn refuse_foreign(&self, create: bool) -> Result<()> {
        let (version, app_id) = self.schema_info()?;
        if app_id == schema::APPLICATION_ID {
            return Ok(());
        }
        let tables: i64 = self
            .conn
            .query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))
            .map_err(|e| self.err(e))?;
        let fresh = app_id == 0 && version == 0 && tables == 0;
        if fresh && create {
            return Ok(());
        }
        let what = if fresh {
            "an empty SQLite file, not a sev database (swapped?)".to_string()
        } else {
            format!(
                "not a sev database (application id {app_id:#x}, user_version {version}, {tables} tables: another application's file)"
            )
        };
        Err(Error::Unavailable(format!(
            "{} is {what}: point SEV_DB/--db at the sev database, or restore it from a backup — nothing in it was changed",
            shown(&self.path)
        )))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Open for reading, and writing if this user may; a user with read
    /// access only gets a read-only store (browse, search, export). With
    /// `create`, a missing database is created (the TUI and write
    /// commands); without, it is "no database at PATH" (read commands).
    pub fn open_for_user(path: &Path, create: bool) -> Result<Lite> {
        use nix::unistd::{AccessFlags, access};
        let path = &fsafe::normalize(path);
        let exists = fsafe::check_db(path)?;
        let dir = fsafe::dir_of(path);
        if !exists {
            if access(dir, AccessFlags::X_OK).is_err() && dir.exists() {
                return Err(Error::Unavailable(format!(
                    "permission denied: you cannot look into {}: {}",
                    shown(dir),
                    access_reason(path)
                )));
            }
            return Lite::open_rw(path, create);
        }
        if access(path, AccessFlags::R_OK).is_err() {
            return Err(Error::Unavailable(format!(
                "permission denied: you cannot read {}: {}",
                shown(path),
                crate::access::problem(path, false)
                    .map(|p| p.to_string())
                    .unwrap_or_else(|| "sev doctor shows why".into())
            )));
        }
        match crate::access::problem(path, true) {
            None => Lite::open_rw(path, create),
            Some(why) => Lite::read_only_because(path, Some(&why.to_string())),
        }
    }

    /// A read-only connection: never migrates, never writes. Refuses rather
    /// than showing stale data when the WAL index cannot be read, and never
    /// creates `-wal`/`-shm`: made by a reader they would carry the reader's
    /// owner and the read-only mode, and lock writers out later.
    pub fn open_read_only(path: &Path) -> Result<Lite> {
        Lite::read_only_because(path, None)
    }

    /// [`Store::open_read_only`], saying why the user may only read.
    fn read_only_because(path: &Path, why: Option<&str>) -> Result<Lite> {
        let path = &fsafe::normalize(path);
        if !fsafe::check_db(path)? {
            return Err(fsafe::missing_refusal(path));
        }
        if std::fs::metadata(path).is_ok_and(|m| m.len() == 0) {
            return Err(fsafe::empty_refusal(path));
        }
        let missing: Vec<String> = fsafe::sidecars(path)
            .iter()
            .filter(|s| fsafe::entry(s) == fsafe::Entry::Missing)
            .map(|s| shown(s))
            .collect();
        if !missing.is_empty() {
            let reason = why
                .map(|w| format!(" (read-only for you: {w})"))
                .unwrap_or_default();
            return Err(Error::Unavailable(format!(
                "cannot read {}{reason} yet: {} missing, and a read-only user must not create {} (they would lock writers out) — someone who can write it should open sev once; sev keeps them from then on",
                shown(path),
                missing.join(" and "),
                if missing.len() == 1 { "it" } else { "them" }
            )));
        }
        let conn = Connection::open_with_flags(
            fsafe::real_path(path),
            OpenFlags::SQLITE_OPEN_READ_ONLY
                | OpenFlags::SQLITE_OPEN_NO_MUTEX
                | OpenFlags::SQLITE_OPEN_NOFOLLOW,
        )
        .map_err(|e| db_error(path, e))?;
        let store = Lite {
            conn,
            path: path.to_path_buf(),
            read_only: true,
        };
        store
            .conn
            .busy_timeout(Duration::from_secs(5))
            .map_err(|e| store.err(e))?;
        let unreadable = || {
            Error::Unavailable(format!(
                "cannot read {} read-only: its -wal/-shm files are unreadable for you and you may not repair them — someone who can write it should open sev once (sev doctor explains)",
                shown(path)
            ))
        };
        let (version, app_id) = store.schema_info().map_err(|_| unreadable())?;
        store.check_app_id(app_id)?;
        let known = MIGRATIONS.len() as i64;
        if version != known {
            return Err(Error::Unavailable(format!(
                "{} has schema version {version} and this sev needs {known}; you can only read it, so someone who can write it must open it with this sev first",
                shown(path)
            )));
        }
        Ok(store)
    }

    /// True when this user may only read.
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    fn err(&self, e: rusqlite::Error) -> Error {
        db_error(&self.path, e)
    }

    fn configure(&self) -> Result<()> {
        self.conn
            .busy_timeout(Duration::from_secs(5))
            .map_err(|e| self.err(e))?;
        // WAL: readers never block the writer and vice versa.
        let mode: String = self
            .conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .map_err(|e| self.err(e))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(Error::Unavailable(format!(
                "database {} cannot use WAL mode (got '{mode}'): put it on a local disk, not a network filesystem",
                self.path.display()
            )));
        }
        // Keep -wal/-shm when the last connection closes: made by a writer
        // (with the database's owner, group and mode), they are then always
        // there for read-only users, who must never create them.
        self.persist_wal()?;
        // FULL: an incident record acknowledged to the user survives power loss.
        self.conn
            .execute_batch("PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;")
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    fn persist_wal(&self) -> Result<()> {
        let mut on: std::ffi::c_int = 1;
        // SAFETY: the handle is this open connection's; "main" is a valid
        // NUL-terminated schema name; PERSIST_WAL reads and writes one int
        // through the pointer, which lives across the call.
        let rc = unsafe {
            rusqlite::ffi::sqlite3_file_control(
                self.conn.handle(),
                c"main".as_ptr(),
                rusqlite::ffi::SQLITE_FCNTL_PERSIST_WAL,
                (&raw mut on).cast(),
            )
        };
        if rc != rusqlite::ffi::SQLITE_OK {
            return Err(Error::Internal(format!(
                "database {}: cannot keep its WAL files (SQLite code {rc})",
                shown(&self.path)
            )));
        }
        // And keep them small: emptied after a checkpoint and on the last close.
        self.conn
            .execute_batch("PRAGMA journal_size_limit = 4194304;")
            .map_err(|e| self.err(e))
    }

    fn migrate(&self) -> Result<()> {
        let known = MIGRATIONS.len() as i64;
        let (version, app_id) = self.schema_info()?;
        if version > known {
            return Err(Error::Unavailable(format!(
                "database {} has schema version {version}, newer than this sev understands ({known}): upgrade sev",
                self.path.display()
            )));
        }
        if version == known {
            return self.check_app_id(app_id);
        }
        let tx = self.write_tx()?;
        // Re-read inside the write lock: another process may have migrated.
        let (version, app_id) = schema_info(&tx).map_err(|e| self.err(e))?;
        if version == 0 {
            let tables: i64 = tx
                .query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))
                .map_err(|e| self.err(e))?;
            if tables > 0 && app_id != schema::APPLICATION_ID {
                return Err(Error::Unavailable(format!(
                    "{} already holds another application's tables: it is not a sev database (point SEV_DB/--db elsewhere)",
                    self.path.display()
                )));
            }
        } else {
            self.check_app_id(app_id)?;
        }
        for (i, step) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            match step {
                schema::Step::Sql(sql) => tx.execute_batch(sql),
                schema::Step::Rust(f) => f(&tx),
            }
            .map_err(|e| self.err(e))?;
            tx.pragma_update(None, "user_version", i as i64 + 1)
                .map_err(|e| self.err(e))?;
        }
        tx.pragma_update(None, "application_id", schema::APPLICATION_ID)
            .map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))
    }

    fn check_app_id(&self, app_id: i64) -> Result<()> {
        if app_id != schema::APPLICATION_ID {
            return Err(Error::Unavailable(format!(
                "{} is not a sev database (application id {app_id:#x}): point SEV_DB/--db at a sev database",
                self.path.display()
            )));
        }
        Ok(())
    }

    /// (user_version, application_id)
    pub fn schema_info(&self) -> Result<(i64, i64)> {
        schema_info(&self.conn).map_err(|e| self.err(e))
    }

    /// A write transaction that takes the write lock up front, so it waits
    /// (busy_timeout) instead of failing with SQLITE_BUSY_SNAPSHOT later.
    fn write_tx(&self) -> Result<rusqlite::Transaction<'_>> {
        // `Transaction::new_unchecked` lets us start one on a shared `&Connection`.
        rusqlite::Transaction::new_unchecked(&self.conn, TransactionBehavior::Immediate)
            .map_err(|e| self.err(e))
    }

    /// Changes whenever another connection commits. Costs microseconds:
    /// poll it to know when to reload what is on screen.
    pub fn data_version(&self) -> Result<i64> {
        self.conn
            .query_row("PRAGMA data_version", [], |r| r.get(0))
            .map_err(|e| self.err(e))
    }

    /// Raw access for tests and diagnostics inside the crate.
    #[doc(hidden)]
    pub fn conn(&self) -> &Connection {
        &self.conn
    }
}

fn schema_info(c: &Connection) -> rusqlite::Result<(i64, i64)> {
    let v = c.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let a = c.query_row("PRAGMA application_id", [], |r| r.get(0))?;
    Ok((v, a))
}

#[cfg(test)]
mod tests;
