//! Running sev for a team on one jump host: `sev init --shared` sets up a
//! group-shared database, `sev doctor` explains (and says how to fix) every
//! permission, filesystem and integrity problem it finds.

use crate::error::{Error, Result};
use nix::sys::stat::{Mode, umask};
use nix::unistd::{AccessFlags, Gid, Group, access, chown};
use serde::Serialize;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Ok,
    Warn,
    Fail,
}

/// One check's result; `fix` is a command that fixes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub level: Level,
    pub check: String,
    pub detail: String,
    pub fix: Option<String>,
}

fn finding(level: Level, check: &str, detail: impl Into<String>, fix: Option<String>) -> Finding {
    Finding {
        level,
        check: check.into(),
        detail: detail.into(),
        fix,
    }
}

fn group_name(gid: u32) -> String {
    Group::from_gid(Gid::from_raw(gid))
        .ok()
        .flatten()
        .map(|g| g.name)
        .unwrap_or_else(|| gid.to_string())
}

fn q(p: &Path) -> String {
    let s = p.display().to_string();
    if s.chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-".contains(c))
    {
        s
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// Filesystems on which SQLite's WAL (shared memory) does not work.
fn network_fs(magic: i64) -> Option<&'static str> {
    Some(match magic {
        0x6969 => "NFS",
        0x517B => "SMB",
        0xFF53_4D42 => "CIFS",
        0xFE53_4D42 => "SMB2",
        0x6573_5546 => "FUSE",
        0x00C3_6400 => "Ceph",
        0x0102_1997 => "9P",
        0x0BD0_0BD0 => "Lustre",
        _ => return None,
    })
}

/// `sev init --shared DIR --group GROUP`
pub fn init_shared(dir: &Path, group: &str) -> Result<PathBuf> {
    let g = Group::from_name(group)
        .map_err(|e| Error::Usage(format!("cannot look up group {group}: {e}")))?
        .ok_or_else(|| {
            Error::Usage(format!(
                "no group '{group}': create it (groupadd {group}) and add each responder (usermod -aG {group} USER)"
            ))
        })?;
    let io = |what: String| move |e: std::io::Error| Error::Usage(format!("{what}: {e}"));
    let nix_io = |what: String| move |e: nix::Error| Error::Usage(format!("{what}: {e}"));
    std::fs::create_dir_all(dir).map_err(io(format!("cannot create {}", dir.display())))?;
    chown(dir, None, Some(g.gid)).map_err(nix_io(format!(
        "cannot give {} to group {group} (run as root or its owner)",
        dir.display()
    )))?;
    // rwx for owner and group, nothing for others, setgid so -wal/-shm and
    // any new file take the group; not sticky, so members can replace them.
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o2770))
        .map_err(io(format!("cannot chmod 2770 {}", dir.display())))?;
    let db = dir.join("sev.db");
    let old = umask(Mode::from_bits_truncate(0o007));
    let opened = crate::store::Store::open(&db);
    umask(old);
    drop(opened?);
    for f in [
        db.clone(),
        PathBuf::from(format!("{}-wal", db.display())),
        PathBuf::from(format!("{}-shm", db.display())),
    ] {
        if f.exists() {
            chown(&f, None, Some(g.gid)).map_err(nix_io(format!(
                "cannot give {} to group {group}",
                f.display()
            )))?;
            std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o660))
                .map_err(io(format!("cannot chmod 660 {}", f.display())))?;
        }
    }
    Ok(db)
}

/// Every check `sev doctor` makes, in order.
pub fn doctor(db: &Path) -> Vec<Finding> {
    let mut out = Vec::new();
    let dir = db
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf();
    let Ok(meta) = std::fs::metadata(db) else {
        out.push(finding(
            Level::Fail,
            "database",
            format!("no database at {}", db.display()),
            Some(format!(
                "sev init --shared {} --group GROUP   # or set SEV_DB / database = in the config",
                q(&dir)
            )),
        ));
        return out;
    };
    let dmeta = std::fs::metadata(&dir).ok();
    let mode = meta.mode() & 0o7777;
    let dmode = dmeta.as_ref().map(|m| m.mode() & 0o7777).unwrap_or(0);
    let shared = mode & 0o060 != 0 || dmode & 0o2000 != 0;
    let dgroup = dmeta.as_ref().map(|m| m.gid()).unwrap_or(0);

    if shared {
        let gname = group_name(dgroup);
        let mut problems = Vec::new();
        let mut fixes = Vec::new();
        if dmode & 0o2000 == 0 {
            problems.push("not setgid (new -wal/-shm files get each user's own group, others then cannot open them)");
            fixes.push(format!("chmod g+s {}", q(&dir)));
        }
        if dmode & 0o1000 != 0 {
            problems.push("sticky (members cannot remove each other's -wal/-shm)");
            fixes.push(format!("chmod -t {}", q(&dir)));
        }
        if dmode & 0o070 != 0o070 {
            problems.push("not rwx for the group");
            fixes.push(format!("chmod g+rwx {}", q(&dir)));
        }
        if dmode & 0o007 != 0 {
            problems.push("open to users outside the group");
            fixes.push(format!("chmod o-rwx {}", q(&dir)));
        }
        out.push(if problems.is_empty() {
            finding(
                Level::Ok,
                "directory",
                format!("{} is {:o}, group {gname}, setgid", dir.display(), dmode),
                None,
            )
        } else {
            finding(
                Level::Fail,
                "directory",
                format!(
                    "{} ({:o}, group {gname}) is {}",
                    dir.display(),
                    dmode,
                    problems.join("; ")
                ),
                Some(fixes.join(" && ")),
            )
        });
        let mut files = vec![(db.to_path_buf(), true)];
        for ext in ["-wal", "-shm"] {
            let p = PathBuf::from(format!("{}{ext}", db.display()));
            if p.exists() {
                files.push((p, false));
            }
        }
        for (f, main) in files {
            let Ok(m) = std::fs::metadata(&f) else {
                continue;
            };
            let fm = m.mode() & 0o777;
            let check = if main {
                "database file"
            } else {
                "wal/shm file"
            };
            let mut fixes = Vec::new();
            let mut problems = Vec::new();
            if fm & 0o060 != 0o060 {
                problems.push(format!("mode {fm:o}: the group cannot read and write"));
                fixes.push(format!("chmod 660 {}", q(&f)));
            } else if fm & 0o007 != 0 {
                problems.push(format!("mode {fm:o}: users outside the group can read it"));
                fixes.push(format!("chmod 660 {}", q(&f)));
            }
            if m.gid() != dgroup {
                problems.push(format!("group {} instead of {gname}", group_name(m.gid())));
                fixes.push(format!("chgrp {gname} {}", q(&f)));
            }
            out.push(if problems.is_empty() {
                finding(
                    Level::Ok,
                    check,
                    format!("{} is {fm:o}, group {gname}", f.display()),
                    None,
                )
            } else {
                finding(
                    Level::Fail,
                    check,
                    format!("{}: {}", f.display(), problems.join("; ")),
                    Some(fixes.join(" && ")),
                )
            });
        }
    } else {
        out.push(finding(
            Level::Ok,
            "sharing",
            format!(
                "{} is a personal database ({:o}): only you can use it",
                db.display(),
                mode
            ),
            None,
        ));
    }

    match nix::sys::statfs::statfs(&dir) {
        // f_type's integer type differs between C libraries.
        #[allow(clippy::unnecessary_cast)]
        Ok(st) => match network_fs(st.filesystem_type().0 as i64) {
            Some(kind) => out.push(finding(
                Level::Fail,
                "filesystem",
                format!("{} is on {kind}: SQLite's WAL mode needs a local disk (locks and shared memory fail over the network)", dir.display()),
                Some("move the database to a local disk (e.g. sev init --shared /srv/sev --group GROUP) and point database = at it".into()),
            )),
            None => out.push(finding(Level::Ok, "filesystem", "local filesystem", None)),
        },
        Err(e) => out.push(finding(Level::Warn, "filesystem", format!("cannot tell the filesystem type: {e}"), None)),
    }

    let can = |p: &Path, f: AccessFlags| access(p, f).is_ok();
    let read = can(db, AccessFlags::R_OK);
    let write = can(db, AccessFlags::W_OK) && can(&dir, AccessFlags::W_OK | AccessFlags::X_OK);
    let me = crate::identity::current_user();
    out.push(match (read, write) {
        (true, true) => finding(
            Level::Ok,
            "access",
            format!("{me} can read and write"),
            None,
        ),
        (true, false) => finding(
            Level::Warn,
            "access",
            format!("{me} can only read: sev opens read-only for you"),
            Some(format!(
                "usermod -aG {} {me}   # then log in again",
                group_name(dgroup)
            )),
        ),
        _ => finding(
            Level::Fail,
            "access",
            format!("{me} cannot read {}", db.display()),
            Some(format!(
                "usermod -aG {} {me}   # then log in again",
                group_name(dgroup)
            )),
        ),
    });
    if !read {
        return out;
    }

    match crate::store::audit::inspect(db) {
        Ok(i) => {
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
                        q(db)
                    )),
                )
            });
        }
        Err(e) => out.push(finding(Level::Fail, "schema", e.to_string(), None)),
    }
    let wal = PathBuf::from(format!("{}-wal", db.display()));
    let wal_size = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
    out.push(if wal_size > 64 << 20 {
        finding(
            Level::Warn,
            "wal size",
            format!(
                "{} MB: a long-lived reader may be blocking checkpoints",
                wal_size >> 20
            ),
            Some(format!(
                "sqlite3 {} 'PRAGMA wal_checkpoint(TRUNCATE)'   # when the long reader has exited",
                q(db)
            )),
        )
    } else {
        finding(
            Level::Ok,
            "wal size",
            format!("{} KB", wal_size >> 10),
            None,
        )
    });
    if write && let Ok(store) = crate::store::Store::open(db) {
        match store.verify() {
            Ok(v) => out.push(match v.broken {
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
                    Some("compare with a backup; `sev verify` shows the same finding".into()),
                ),
            }),
            Err(e) => out.push(finding(Level::Fail, "audit trail", e.to_string(), None)),
        }
    }
    out
}
