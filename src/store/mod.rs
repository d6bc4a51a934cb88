//! Every line of SQL in sev lives under this module.
//!
//! One [`Store`] per process wraps one SQLite connection in WAL mode. Every
//! write is one short `BEGIN IMMEDIATE` transaction that changes the row,
//! bumps its `version` and appends its events, all or nothing.

pub mod audit;
mod incidents;
mod postmortems;
mod presence;
mod row;
mod schema;

pub use incidents::{
    BatchItem, ListQuery, Partial, Record, Scope, SearchRow, TxView, unreadable_error,
};
pub use postmortems::ActionQuery;
pub use presence::{EXPIRY, Presence};
pub use row::Unreadable;
pub use schema::MIGRATIONS;

use crate::error::{Error, Result};
use rusqlite::{Connection, ErrorCode, OpenFlags, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::time::Duration;

pub struct Store {
    conn: Connection,
    path: PathBuf,
    read_only: bool,
}

/// Turn a SQLite failure into a message that says what to do.
pub(crate) fn db_error(path: &Path, e: rusqlite::Error) -> Error {
    let p = path.display();
    match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy) | Some(ErrorCode::DatabaseLocked) => Error::Unavailable(
            format!("database {p} is busy (another sev is writing); nothing was saved — try again"),
        ),
        Some(ErrorCode::ReadOnly) => Error::Unavailable(format!(
            "database {p} is read-only for you; nothing was saved — ask an admin to add you to its group (sev doctor shows how)"
        )),
        Some(ErrorCode::CannotOpen) => Error::Unavailable(format!(
            "cannot open database {p}: check the path and that its directory exists and is writable (set SEV_DB or --db)"
        )),
        Some(ErrorCode::PermissionDenied) => Error::Unavailable(format!(
            "permission denied on database {p}: ask an admin to add you to its group (sev doctor shows how)"
        )),
        Some(ErrorCode::DatabaseCorrupt) | Some(ErrorCode::NotADatabase) => {
            Error::Unavailable(format!(
                "{p} is not a sev database or is corrupt: point SEV_DB/--db at the right file, or restore a backup"
            ))
        }
        Some(ErrorCode::DiskFull) => Error::Unavailable(format!(
            "database {p} is full (disk or size limit); nothing was saved — free space and try again"
        )),
        _ => Error::Internal(format!("database {p}: {e}")),
    }
}

impl Store {
    /// Open (creating if needed) and migrate the database at `path`.
    pub fn open(path: &Path) -> Result<Store> {
        if let Some(dir) = path.parent()
            && !dir.as_os_str().is_empty()
            && !dir.exists()
        {
            std::fs::create_dir_all(dir).map_err(|e| {
                Error::Unavailable(format!(
                    "cannot create directory {} for the database: {e} (set SEV_DB or --db to a writable place)",
                    dir.display()
                ))
            })?;
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI;
        let conn = Connection::open_with_flags(path, flags).map_err(|e| db_error(path, e))?;
        let store = Store {
            conn,
            path: path.to_path_buf(),
            read_only: false,
        };
        store.configure()?;
        store.migrate()?;
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Open for reading, and writing if this user may; a user with read
    /// access only gets a read-only store (browse, search, export).
    pub fn open_for_user(path: &Path) -> Result<Store> {
        use nix::unistd::{AccessFlags, access};
        let dir = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let denied = |what: &Path| {
            Error::Unavailable(format!(
                "permission denied: you cannot read {} — ask an admin to add you to its group (sev doctor shows how)",
                what.display()
            ))
        };
        match std::fs::metadata(path) {
            Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => return Err(denied(path)),
            Err(_) if std::fs::metadata(dir).is_ok() && access(dir, AccessFlags::X_OK).is_err() => {
                return Err(denied(dir));
            }
            _ => {}
        }
        let readable = access(path, AccessFlags::R_OK).is_ok();
        let writable =
            access(path, AccessFlags::W_OK).is_ok() && access(dir, AccessFlags::W_OK).is_ok();
        if !path.exists() || writable {
            return Store::open(path);
        }
        if !readable {
            return Err(Error::Unavailable(format!(
                "permission denied: you cannot read {} — ask an admin to add you to its group (sev doctor shows how)",
                path.display()
            )));
        }
        Store::open_read_only(path)
    }

    /// A read-only connection: never migrates, never writes. Refuses rather
    /// than showing stale data when the WAL index cannot be read.
    pub fn open_read_only(path: &Path) -> Result<Store> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| db_error(path, e))?;
        let store = Store {
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
                "cannot read {} read-only: its -wal/-shm files are missing or unreadable and you may not create them — someone who can write it should open sev once (sev doctor explains)",
                path.display()
            ))
        };
        let (version, app_id) = store.schema_info().map_err(|_| unreadable())?;
        store.check_app_id(app_id)?;
        let known = MIGRATIONS.len() as i64;
        if version != known {
            return Err(Error::Unavailable(format!(
                "{} has schema version {version} and this sev needs {known}; you can only read it, so someone who can write it must open it with this sev first",
                path.display()
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
        // FULL: an incident record acknowledged to the user survives power loss.
        self.conn
            .execute_batch("PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;")
            .map_err(|e| self.err(e))?;
        Ok(())
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
