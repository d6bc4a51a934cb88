//! The one place where what the database says becomes sev's [`Error`]:
//! SQLite failures (busy, read-only, full, corrupt, cannot open) and rows
//! that cannot be decoded, named by what they are.

use crate::domain::IncidentId;
use crate::error::Error;
use crate::fsafe;
use rusqlite::{ErrorCode, Row};
use std::path::Path;

/// What to do about a row sev cannot read.
const FIX: &str = "restore a backup or run sev doctor";

pub(crate) fn shown(p: &Path) -> String {
    crate::text::sanitize_line(&p.display().to_string()).into_owned()
}

/// Why the user may not use the file, or the generic pointer to doctor.
pub(crate) fn access_reason(path: &Path) -> String {
    crate::access::problem(path, true)
        .map(|p| p.to_string())
        .unwrap_or_else(|| "sev doctor shows why and how to fix it".into())
}

/// Turn a SQLite failure into a message that says what to do.
pub(crate) fn db_error(path: &Path, e: rusqlite::Error) -> Error {
    let p = shown(path);
    match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy) | Some(ErrorCode::DatabaseLocked) => Error::Unavailable(
            format!("database {p} is busy (another sev is writing); nothing was saved — try again"),
        ),
        Some(ErrorCode::ReadOnly) => Error::Unavailable(format!(
            "database {p} is read-only for you; nothing was saved: {}",
            access_reason(path)
        )),
        Some(ErrorCode::CannotOpen) | Some(ErrorCode::PermissionDenied) => cannot_open(path),
        Some(ErrorCode::DatabaseCorrupt) | Some(ErrorCode::NotADatabase) => {
            Error::Unavailable(format!(
                "{p} is not a sev database or is corrupt: point SEV_DB/--db at the right file, or restore a backup"
            ))
        }
        Some(ErrorCode::DiskFull) => Error::Unavailable(format!(
            "database {p} is full (disk or size limit); nothing was saved — free space and try again"
        )),
        Some(ErrorCode::SystemIoFailure) => io_error(path, &e),
        _ if is_decode(&e) => Error::Unavailable(format!(
            "database {p} holds a value sev cannot read ({}) — {FIX}",
            crate::text::sanitize_line(&e.to_string())
        )),
        _ => Error::Internal(format!("database {p}: {e}")),
    }
}

fn cannot_open(path: &Path) -> Error {
    let p = shown(path);
    match crate::access::problem(path, false) {
        Some(why) => Error::Unavailable(format!("permission denied on database {p}: {why}")),
        None => Error::Unavailable(format!(
            "cannot open database {p}: check the path, that it is a regular file and that its directory exists and is writable (sev doctor)"
        )),
    }
}

/// SQLITE_IOERR: say which cause, when it can be told (a full disk is the
/// usual one: SQLite cannot create or grow the -shm even to read).
fn io_error(path: &Path, e: &rusqlite::Error) -> Error {
    let p = shown(path);
    let dir = fsafe::dir_of(path);
    let full = nix::sys::statvfs::statvfs(dir)
        .map(|v| v.blocks_available() == 0)
        .unwrap_or(false);
    if full {
        return Error::Unavailable(format!(
            "no space left on the disk holding {p}: SQLite cannot create or grow its -wal/-shm files; nothing was saved — free space (df -h {}) and try again",
            shown(dir)
        ));
    }
    if let fsafe::Entry::Special(what) = fsafe::entry(path) {
        return Error::Unavailable(format!(
            "{p} is {what}, not a regular file: point --db/SEV_DB at a database file"
        ));
    }
    Error::Unavailable(format!(
        "disk I/O error on database {p} ({}): check the disk (dmesg, df -h) and run sev doctor",
        crate::text::sanitize_line(&e.to_string())
    ))
}

/// A column held a value sev cannot turn into what it stands for (as
/// opposed to SQLite itself failing).
pub(crate) fn is_decode(e: &rusqlite::Error) -> bool {
    use rusqlite::Error as E;
    matches!(
        e,
        E::FromSqlConversionFailure(..)
            | E::InvalidColumnType(..)
            | E::IntegralValueOutOfRange(..)
            | E::Utf8Error(..)
    )
}

/// Why a column could not be decoded, in words, naming the column.
pub fn describe(e: &rusqlite::Error, r: &Row<'_>) -> String {
    use rusqlite::Error as E;
    let name = |i: usize| {
        r.as_ref()
            .column_name(i)
            .map(|n| n.replace('_', " "))
            .unwrap_or_else(|_| "a column".into())
    };
    match e {
        E::FromSqlConversionFailure(i, _, err) if err.is::<std::str::Utf8Error>() => {
            format!("its {} is not valid UTF-8 text", name(*i))
        }
        E::FromSqlConversionFailure(i, _, err) => format!("its {} is bad: {err}", name(*i)),
        E::Utf8Error(_) => "a text column is not valid UTF-8".into(),
        E::InvalidColumnType(i, _, ty) => {
            let ty = match ty {
                rusqlite::types::Type::Blob => "BLOB (binary)",
                rusqlite::types::Type::Integer => "integer",
                rusqlite::types::Type::Real => "real number",
                rusqlite::types::Type::Text => "text",
                rusqlite::types::Type::Null => "NULL",
            };
            format!(
                "its {} holds a {ty} value, which sev never writes there",
                name(*i)
            )
        }
        E::IntegralValueOutOfRange(i, v) => {
            format!("its {} holds {v}, which is out of range", name(*i))
        }
        other => other.to_string(),
    }
}

/// Decode one row with `f`. A value sev cannot read becomes `Ok(Err(…))`
/// naming the row (`what`, e.g. "event #12 of INC-3") and the column;
/// SQLite's own failures stay the outer `Err`.
pub(crate) fn decode<T>(
    r: &Row<'_>,
    what: impl FnOnce(&Row<'_>) -> String,
    f: impl FnOnce(&Row<'_>) -> rusqlite::Result<T>,
) -> rusqlite::Result<Result<T, Error>> {
    match f(r) {
        Ok(v) => Ok(Ok(v)),
        Err(e) if is_decode(&e) => Ok(Err(Error::Unavailable(format!(
            "{} is unreadable: {} — {FIX}",
            what(r),
            describe(&e, r)
        )))),
        Err(e) => Err(e),
    }
}

/// An incident row that cannot be turned into an incident (a corrupt or
/// hand-edited database). The id is always readable: it is the rowid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    pub id: IncidentId,
    /// What is wrong with it, e.g. "its title is not valid UTF-8".
    pub reason: String,
}

impl std::fmt::Display for Unreadable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.id, self.reason)
    }
}

/// Rows that could be read, and the ones that could not: one corrupt row
/// must not hide the rest.
#[derive(Debug, Clone, PartialEq)]
pub struct Partial<T> {
    pub rows: Vec<T>,
    pub unreadable: Vec<Unreadable>,
}

impl<T> Partial<T> {
    /// `Err` (exit 5) naming the rows that could not be read, if any.
    pub fn check(&self) -> crate::error::Result<()> {
        match unreadable_error(&self.unreadable) {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

/// "INC-2 is unreadable: its title is not valid UTF-8 — restore a backup or
/// run sev doctor" (several are listed, up to a few).
pub fn unreadable_error(bad: &[Unreadable]) -> Option<Error> {
    match bad {
        [] => None,
        [one] => Some(Error::Unavailable(format!(
            "{} is unreadable: {} — {FIX}",
            one.id, one.reason
        ))),
        many => {
            let shown: Vec<String> = many.iter().take(3).map(|u| u.to_string()).collect();
            let more = if many.len() > 3 {
                format!("; and {} more", many.len() - 3)
            } else {
                String::new()
            };
            Some(Error::Unavailable(format!(
                "{} incidents are unreadable ({}{more}) — {FIX}",
                many.len(),
                shown.join("; ")
            )))
        }
    }
}

pub(crate) fn not_found(id: IncidentId) -> Error {
    Error::NotFound(format!(
        "no incident {id}: list incidents with `sev list --all`"
    ))
}

pub(crate) fn action_not_found(id: crate::domain::ActionId) -> Error {
    Error::NotFound(format!("no action item {id}: list them with `sev actions`"))
}
