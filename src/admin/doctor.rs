//! `sev doctor` on a SQLite file: what is at the path, sharing and
//! permissions, the filesystem, access, schema, integrity, the audit trail
//! and the records — read, never written.

use super::files::*;
use super::*;

/// Every check `sev doctor` makes, in order. Never creates, follows or
/// writes anything: the file type is checked before anything is opened,
/// and the contents are read through read-only connections only when the
/// -wal/-shm exist (so not even those are created).
pub fn doctor(db: &Path) -> Vec<Finding> {
    if crate::store::locator::is_postgres(db) {
        return super::doctor_pg::doctor_postgres(db);
    }
    let db = &fsafe::normalize(db);
    let mut out = Vec::new();
    if !locate(db, &mut out) {
        return out;
    }
    let dir = dir_of(db);
    let (Ok(meta), Ok(dmeta)) = (std::fs::metadata(db), std::fs::metadata(dir)) else {
        return out;
    };
    let readable = access(db, AccessFlags::R_OK).is_ok();
    let header = fsafe::sqlite_header(db);
    if readable && !header_is_sev(db, header, &mut out) {
        return out;
    }
    // Files and permissions first, from metadata alone: opening the file
    // (even read-only, as root) lets SQLite give an empty -wal the
    // database's owner and mode, which would hide what was wrong.
    // Shared: a setgid directory, or a group-writable one that is not
    // public like /tmp (a setgid bit lost by accident).
    if fsafe::sharing_group(dir).is_some() {
        shared_checks(db, &meta, &dmeta, &mut out);
    } else {
        personal_checks(db, &meta, &dmeta, &mut out);
    }
    out.push(filesystem(dir));
    let (read, write) = access_check(db, &mut out);
    if !read {
        return out;
    }
    let sidecars_present = sidecars(db).iter().all(|s| fsafe::entry(s) == Entry::File);
    if header.is_some_and(|h| h.wal) && !sidecars_present {
        out.push(finding(
            Level::Warn,
            "schema",
            "contents not inspected: the -wal/-shm files are missing, and doctor creates nothing",
            Some("open sev once as a user who can write it (sev keeps -wal/-shm from then on), then run sev doctor again".into()),
        ));
        return out;
    }
    if let Some(why) = opening_would_change(db, &meta) {
        out.push(finding(
            Level::Warn,
            "schema",
            format!("contents not inspected: {why}"),
            Some("fix the findings above, then run sev doctor again".into()),
        ));
        return out;
    }
    let i = match crate::store::audit::inspect(db) {
        Ok(i) => i,
        Err(e) => {
            out.push(finding(Level::Fail, "schema", e.to_string(), None));
            return out;
        }
    };
    let current = schema_checks(db, &i, &mut out);
    out.push(wal_size(db));
    if current && sidecars_present {
        out.push(audit_trail(db, write));
        out.push(records(db));
    }
    out
}

/// SQLite, on opening, gives an empty -wal the database's mode, and as root
/// gives -wal and -shm the database's owner and group. Doctor must change
/// nothing (least of all the evidence it reports), so it does not open a
/// database whose side files would be changed that way.
pub(super) fn opening_would_change(db: &Path, meta: &std::fs::Metadata) -> Option<String> {
    let me = nix::unistd::Uid::effective().as_raw();
    for (i, side) in sidecars(db).iter().enumerate() {
        let Ok(m) = std::fs::symlink_metadata(side) else {
            continue;
        };
        if me == 0 && (m.uid() != meta.uid() || m.gid() != meta.gid()) {
            return Some(format!(
                "{} belongs to {}:{}, not to the database's {}:{}, and opening it as root would change that",
                shown(side),
                crate::access::user_name(m.uid()),
                group_name(m.gid()),
                crate::access::user_name(meta.uid()),
                group_name(meta.gid())
            ));
        }
        let wal = i == 0;
        if wal
            && m.len() == 0
            && m.mode() & 0o777 != meta.mode() & 0o777
            && (me == 0 || m.uid() == me)
        {
            return Some(format!(
                "{} has mode {:o}, not the database's {:o}, and opening it would change that",
                shown(side),
                m.mode() & 0o777,
                meta.mode() & 0o777
            ));
        }
    }
    None
}

/// From the header alone: is this a SQLite file, and sev's (or new)?
pub(super) fn header_is_sev(
    db: &Path,
    header: Option<fsafe::Header>,
    out: &mut Vec<Finding>,
) -> bool {
    let Some(h) = header else {
        out.push(finding(
            Level::Fail,
            "schema",
            format!("{} is not a SQLite database (no SQLite header)", shown(db)),
            Some(
                "point --db, SEV_DB or database = at the sev database, or restore it from a backup"
                    .into(),
            ),
        ));
        return false;
    };
    let fresh = h.application_id == 0 && h.user_version == 0 && h.schema_cookie == 0;
    if h.application_id as i64 == crate::store::APPLICATION_ID || fresh {
        return true;
    }
    out.push(finding(
        Level::Fail,
        "schema",
        format!(
            "{} is not a sev database (application id {:#x}): sev refuses to open it",
            shown(db),
            h.application_id
        ),
        Some("point --db, SEV_DB or database = at the sev database".into()),
    ));
    false
}

/// Schema version, integrity and the append-only triggers. True when the
/// schema is this sev's, so the contents can be checked further.
pub(super) fn schema_checks(
    db: &Path,
    i: &crate::store::audit::Inspection,
    out: &mut Vec<Finding>,
) -> bool {
    let known = crate::store::MIGRATIONS.len() as i64;
    out.push(if i.user_version > known {
        finding(
            Level::Fail,
            "schema",
            format!(
                "version {} is newer than this sev ({known})",
                i.user_version
            ),
            Some("upgrade sev".into()),
        )
    } else if i.user_version < known {
        finding(
            Level::Ok,
            "schema",
            format!(
                "version {} (sev upgrades it to {known} on the next write)",
                i.user_version
            ),
            None,
        )
    } else {
        finding(Level::Ok, "schema", format!("version {known}"), None)
    });
    out.push(if i.integrity == ["ok"] {
        finding(Level::Ok, "integrity", "PRAGMA integrity_check: ok", None)
    } else {
        finding(
            Level::Fail,
            "integrity",
            format!("PRAGMA integrity_check: {}", i.integrity.join("; ")),
            Some(format!(
                "restore from a backup, or: sqlite3 {} .recover > recovered.sql",
                quote(db)
            )),
        )
    });
    if i.user_version >= 3 {
        out.push(append_only(&i.event_triggers));
    }
    i.user_version == known
}

/// The triggers that keep the timeline append-only are all there.
pub(super) fn append_only(have: &[String]) -> Finding {
    let missing: Vec<&str> = crate::store::EVENT_TRIGGERS
        .iter()
        .copied()
        .filter(|t| !have.iter().any(|h| h == t))
        .collect();
    if missing.is_empty() {
        return finding(
            Level::Ok,
            "append-only",
            "the events table refuses UPDATE and DELETE",
            None,
        );
    }
    finding(
        Level::Fail,
        "append-only",
        format!(
            "trigger(s) {} missing: timeline events can be changed or deleted without sev",
            missing.join(", ")
        ),
        Some("someone with write access removed them: run sev verify, compare with a backup, and restore".into()),
    )
}

pub(super) fn wal_size(db: &Path) -> Finding {
    let [wal, _] = sidecars(db);
    let size = std::fs::symlink_metadata(&wal)
        .map(|m| m.len())
        .unwrap_or(0);
    if size > 64 << 20 {
        finding(
            Level::Warn,
            "wal size",
            format!(
                "{} MB: a long-lived reader may be blocking checkpoints",
                size >> 20
            ),
            Some(format!(
                "sqlite3 {} 'PRAGMA wal_checkpoint(TRUNCATE)'   # when the long reader has exited",
                quote(db)
            )),
        )
    } else {
        finding(Level::Ok, "wal size", format!("{} KB", size >> 10), None)
    }
}

/// The hash chain, through a read-only connection (doctor never writes).
pub(super) fn audit_trail(db: &Path, write: bool) -> Finding {
    let store = match crate::store::Store::open_read_only(db) {
        Ok(s) => s,
        Err(e) => return finding(Level::Fail, "audit trail", e.to_string(), None),
    };
    match store.verify() {
        Ok(v) => match v.broken {
            None => finding(
                Level::Ok,
                "audit trail",
                format!("{} events, hash chain intact", v.events),
                None,
            ),
            Some(b) => finding(
                Level::Fail,
                "audit trail",
                format!("event #{} (INC-{}): {}", b.event_id, b.incident, b.reason),
                Some(if write {
                    "compare with a backup; `sev verify` shows the same finding".into()
                } else {
                    "tell an admin; `sev verify` shows the same finding".into()
                }),
            ),
        },
        Err(e) => finding(Level::Fail, "audit trail", e.to_string(), None),
    }
}

/// Every incident row decodes (a bad disk or a hand edit can leave text
/// that is not UTF-8, or a state sev does not know).
pub(super) fn records(db: &Path) -> Finding {
    let store = match crate::store::Store::open_read_only(db) {
        Ok(s) => s,
        Err(e) => return finding(Level::Fail, "records", e.to_string(), None),
    };
    let all = crate::store::ListQuery {
        scope: crate::store::Scope::All,
        ..Default::default()
    };
    match store.list(&all) {
        Ok(p) if p.unreadable.is_empty() => finding(
            Level::Ok,
            "records",
            format!("{} incidents, all readable", p.rows.len()),
            None,
        ),
        Ok(p) => {
            let names: Vec<String> = p.unreadable.iter().take(5).map(|u| u.to_string()).collect();
            finding(
                Level::Fail,
                "records",
                format!(
                    "{} of {} incidents cannot be read: {}",
                    p.unreadable.len(),
                    p.rows.len() + p.unreadable.len(),
                    names.join("; ")
                ),
                Some(format!(
                    "restore {} from a backup (sev list still shows the readable ones)",
                    quote(db)
                )),
            )
        }
        Err(e) => finding(Level::Fail, "records", e.to_string(), None),
    }
}
