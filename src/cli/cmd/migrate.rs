//! `sev migrate --from DB --to DB`: move a team between SQLite and
//! PostgreSQL. Everything recorded is copied in one transaction (ids and
//! event hashes as they were), into an empty target only; both chains are
//! verified, so a copy that would not verify is never reported as done.

use crate::cli::{MigrateArgs, to_json};
use crate::error::{Error, Result};
use crate::store::{Store, locator};

pub(super) fn run(a: &MigrateArgs, json: bool) -> Result<()> {
    for (flag, db) in [("--from", &a.from), ("--to", &a.to)] {
        if locator::is_postgres(db) && locator::has_password(&db.to_string_lossy()) {
            return Err(Error::Usage(format!(
                "{flag} {} holds a password, and every user on this host can read command lines (ps): put it in PGPASSWORD or ~/.pgpass (mode 0600)",
                locator::shown(db)
            )));
        }
    }
    let from = Store::open_existing(&a.from)?;
    checked(&from, "the source")?;
    let dump = from.dump()?;
    let to = Store::open(&a.to)?;
    to.restore(&dump)?;
    let head = checked(&to, "the copy")?;
    let (src, dst) = (locator::shown(&a.from), locator::shown(&a.to));
    if json {
        println!(
            "{}",
            to_json(&serde_json::json!({
                "from": src, "to": dst,
                "incidents": dump.incidents.len(), "events": dump.events.len(),
                "postmortems": dump.postmortems.len(), "action_items": dump.actions.len(),
                "head": head,
            }))
        );
    } else {
        println!(
            "copied {} incidents, {} events, {} postmortems, {} action items from {src} to {dst}; audit trail ok{}",
            dump.incidents.len(),
            dump.events.len(),
            dump.postmortems.len(),
            dump.actions.len(),
            head.map(|h| format!(", head {h}")).unwrap_or_default()
        );
    }
    Ok(())
}

/// Verify a chain; a broken one is exit 6 naming where.
fn checked(s: &Store, what: &str) -> Result<Option<String>> {
    let v = s.verify()?;
    if let Some(b) = v.broken {
        return Err(Error::Check(format!(
            "the audit trail of {what} ({}) breaks at event #{}: {} — nothing copied over it is trusted; run sev verify there",
            locator::shown(s.path()),
            b.event_id,
            b.reason
        )));
    }
    Ok(v.head.map(|(id, h)| format!("{id}:{h}")))
}
