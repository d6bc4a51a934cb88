//! PostgreSQL failures turned into sev's errors, with the fix.

use super::*;

/// A failure to connect, with what to do; never the password.
pub(super) fn connect_error(
    shown: &str,
    tls: &crate::store::pgtls::Tls,
    e: &postgres::Error,
) -> Error {
    if crate::store::pgtls::is_tls_error(e) {
        return crate::store::pgtls::tls_error(shown, tls, e);
    }
    if let Some(refused) = crate::store::pgtls::certificate_alert(shown, tls, e) {
        return refused;
    }
    if let Some(db) = e.as_db_error() {
        let msg = crate::text::sanitize_line(db.message()).into_owned();
        if db.code().code() == "28000" && msg.contains("certificate") {
            return Error::Unavailable(crate::store::pgtls::client_cert_refused(shown, tls, &msg));
        }
        return match db.code().code() {
            "28P01" | "28000" => Error::Unavailable(format!(
                "PostgreSQL at {shown} refused the login ({msg}): set the password in PGPASSWORD or ~/.pgpass (mode 0600), never on the command line"
            )),
            "3D000" => Error::Unavailable(format!(
                "PostgreSQL at {shown}: {msg} — create it (createdb) or fix the database name in the URL"
            )),
            _ => Error::Unavailable(format!("PostgreSQL at {shown}: {msg}")),
        };
    }
    Error::Unavailable(format!(
        "cannot reach PostgreSQL at {shown} ({}): check that the server runs and the host and port are right (sev doctor)",
        crate::text::sanitize_line(&e.to_string())
    ))
}

/// What the server said, as sev's error.
pub(super) fn pg_error(shown: &str, e: &postgres::Error) -> Error {
    if let Some(db) = e.as_db_error() {
        let msg = crate::text::sanitize_line(db.message()).into_owned();
        return match db.code().code() {
            "40001" | "40P01" | "55P03" => Error::Unavailable(format!(
                "database {shown} is busy (another sev is writing); nothing was saved — try again"
            )),
            "42501" => Error::Unavailable(format!(
                "permission denied on database {shown}: {msg}; nothing was saved — ask the database owner for the grants in README"
            )),
            c if c.starts_with("08") || c.starts_with("57") => Error::Unavailable(format!(
                "lost the connection to PostgreSQL at {shown} ({msg}); nothing was saved — try again"
            )),
            "53100" => Error::Unavailable(format!(
                "database {shown} is full; nothing was saved — free space and try again"
            )),
            _ => Error::Internal(format!("database {shown}: {msg}")),
        };
    }
    if e.is_closed() {
        return Error::Unavailable(format!(
            "lost the connection to PostgreSQL at {shown}; nothing was saved — try again"
        ));
    }
    Error::Internal(format!(
        "database {shown}: {}",
        crate::text::sanitize_line(&e.to_string())
    ))
}
