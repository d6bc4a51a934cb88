//! Who may read and write the database files, and — when someone may not —
//! the real reason in words with the fix. Shared by the store's error
//! messages and `sev doctor`, so both say the same thing.

use crate::fsafe::{dir_of, sidecars};
use crate::text::sanitize_line;
use nix::unistd::{AccessFlags, Gid, Group, Uid, User, access};
use std::os::unix::fs::MetadataExt;
use std::path::Path;

/// A group's name, or its number when it has none.
pub fn group_name(gid: u32) -> String {
    Group::from_gid(Gid::from_raw(gid))
        .ok()
        .flatten()
        .map(|g| g.name)
        .unwrap_or_else(|| gid.to_string())
}

pub fn user_name(uid: u32) -> String {
    User::from_uid(Uid::from_raw(uid))
        .ok()
        .flatten()
        .map(|u| u.name)
        .unwrap_or_else(|| uid.to_string())
}

/// Groups nobody should be added to just to use sev: root and the admin
/// groups, and every system group (gid below 1000, or nogroup and friends).
pub fn privileged_group(gid: u32) -> bool {
    const ADMIN: [&str; 10] = [
        "root", "wheel", "sudo", "adm", "admin", "shadow", "disk", "docker", "lxd", "staff",
    ];
    !(1000..60_000).contains(&gid) || ADMIN.contains(&group_name(gid).as_str())
}

/// The command an admin runs to let `who` use a database of group `gid`, or
/// the advice to re-share it when that group must not be joined.
pub fn join_fix(gid: u32, who: &str, dir: &Path) -> String {
    if privileged_group(gid) {
        format!(
            "groupadd sev-oncall && sev init --shared {} --group sev-oncall   # a dedicated group; never add people to {}",
            quote(dir),
            group_name(gid)
        )
    } else {
        format!(
            "usermod -aG {} {who}   # then log in again",
            group_name(gid)
        )
    }
}

/// A path quoted for a shell command line, made safe for a terminal.
pub fn quote(p: &Path) -> String {
    let s = sanitize_line(&p.display().to_string()).into_owned();
    if s.chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-".contains(c))
    {
        s
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

fn in_group(gid: u32) -> bool {
    if Gid::effective().as_raw() == gid {
        return true;
    }
    nix::unistd::getgroups()
        .map(|gs| gs.iter().any(|g| g.as_raw() == gid))
        .unwrap_or(false)
}

/// What stands between the user and the database, and the fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub why: String,
    pub fix: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} — fix: {}", self.why, self.fix)
    }
}

/// Why the current user cannot read (or, with `write`, write) the database
/// at `db`: the first file or directory in the way, its owner, group and
/// mode, and what an admin must do. None when nothing is in the way.
///
/// The group that matters is the sharing group — the shared directory's —
/// so a file planted or created with another group is fixed (chgrp, or
/// removed), and nobody is ever told to join that file's group.
pub fn problem(db: &Path, write: bool) -> Option<Problem> {
    let dir = dir_of(db);
    let me = crate::identity::current_user();
    let sharing = crate::fsafe::sharing_group(dir);
    let dir_flags = if write {
        AccessFlags::W_OK | AccessFlags::X_OK
    } else {
        AccessFlags::X_OK
    };
    let rw = if write {
        AccessFlags::R_OK | AccessFlags::W_OK
    } else {
        AccessFlags::R_OK
    };
    let mut checks = vec![(dir.to_path_buf(), dir_flags), (db.to_path_buf(), rw)];
    for s in sidecars(db) {
        if std::fs::symlink_metadata(&s).is_ok() {
            checks.push((s, rw));
        }
    }
    let verb = if write { "write" } else { "read" };
    for (path, flags) in checks {
        if access(&path, flags).is_ok() {
            continue;
        }
        let Ok(m) = std::fs::metadata(&path) else {
            continue;
        };
        let (uid, mode) = (m.uid(), m.mode() & 0o7777);
        let what = format!(
            "{} (owner {}, group {}, mode {mode:o})",
            quote(&path),
            user_name(uid),
            group_name(m.gid())
        );
        let sidecar = path != db && !m.is_dir();
        if let Some(sg) = sharing
            && !m.is_dir()
            && m.gid() != sg
        {
            let or_remove = if sidecar {
                " (or remove it while no sev is running)"
            } else {
                ""
            };
            return Some(Problem {
                why: format!(
                    "you cannot {verb} {what}: it should belong to {}, the group of its shared directory",
                    group_name(sg)
                ),
                fix: format!(
                    "chgrp {} {f} && chmod 660 {f}   # as root{or_remove}",
                    group_name(sg),
                    f = quote(&path)
                ),
            });
        }
        let group = sharing.unwrap_or(m.gid());
        if uid == Uid::effective().as_raw() || in_group(group) {
            let need = if m.is_dir() { "2770" } else { "660" };
            let by = if uid != Uid::effective().as_raw() && sidecar {
                format!("   # as {} or root", user_name(uid))
            } else {
                "   # as root".to_string()
            };
            return Some(Problem {
                why: format!("you are in its group, but {what} does not let the group {verb} it"),
                fix: format!("chmod {need} {}{by}", quote(&path)),
            });
        }
        return Some(Problem {
            why: format!("you ({me}) cannot {verb} {what}"),
            fix: join_fix(group, &me, dir),
        });
    }
    None
}

#[cfg(test)]
mod tests {
    #[test]
    fn root_and_system_groups_are_privileged() {
        assert!(super::privileged_group(0));
        assert!(super::privileged_group(4));
        assert!(super::privileged_group(65_534));
        let fix = super::join_fix(0, "alice", std::path::Path::new("/srv/sev"));
        assert!(!fix.contains("usermod"), "{fix}");
        assert!(fix.contains("sev init --shared /srv/sev --group"), "{fix}");
    }
}
