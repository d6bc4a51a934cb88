//! `sev init --shared`: a setgid group directory and a 0660 database,
//! never through a link, never over a directory meant for something else.

use super::*;

/// A group name as `groupadd` accepts it.
pub(super) fn valid_group_name(g: &str) -> bool {
    let mut chars = g.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && g.len() <= 32
        && chars.all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c))
}

pub(super) fn lookup_group(group: &str) -> Result<Group> {
    if group.is_empty() {
        return Err(Error::Usage(
            "--group needs a group name: the Unix group whose members may use the database (e.g. --group sev-oncall)".into(),
        ));
    }
    if !valid_group_name(group) {
        return Err(Error::Usage(format!(
            "'{}' is not a valid group name: use letters, digits, _ - and . (e.g. sev-oncall)",
            sanitize_line(group)
        )));
    }
    let g = Group::from_name(group)
        .map_err(|e| Error::Usage(format!("cannot look up group {group}: {e}")))?
        .ok_or_else(|| {
            Error::Usage(format!(
                "no group '{group}': create it (groupadd {group}) and add each responder (usermod -aG {group} USER)"
            ))
        })?;
    if privileged_group(g.gid.as_raw()) {
        return Err(Error::Usage(format!(
            "group {group} is a privileged or system group: responders would have to join it; create a dedicated one (groupadd sev-oncall) and use --group sev-oncall"
        )));
    }
    Ok(g)
}

/// The first missing ancestor of `dir` (the directory to remove if init
/// fails after creating it), or None when `dir` exists.
pub(super) fn first_missing(dir: &Path) -> Option<PathBuf> {
    let mut missing = None;
    for a in dir.ancestors() {
        if a.as_os_str().is_empty() || fsafe::entry(a) != Entry::Missing {
            break;
        }
        missing = Some(a.to_path_buf());
    }
    missing
}

/// `sev init --shared DIR --group GROUP`: a setgid 2770 directory and a
/// 0660 database (with its -wal/-shm kept), all owned by GROUP. Nothing is
/// followed through a link; on failure a directory it created is removed.
pub fn init_shared(dir: &Path, group: &str) -> Result<PathBuf> {
    // `dir/` or `dir/.` would make every lstat below follow a link `dir`.
    let dir = &fsafe::normalize(dir);
    let g = lookup_group(group)?;
    check_parent(dir)?;
    let created = first_missing(dir);
    let result = init_in(dir, g.gid.as_raw(), group);
    if result.is_err()
        && let Some(top) = created
    {
        let _ = std::fs::remove_dir_all(top);
    }
    result
}

/// The shared directory must sit in a parent only its owner can change:
/// in a parent others may write (and that is not sticky), a member could
/// swap the directory itself for a link between two of init's steps.
pub(super) fn check_parent(dir: &Path) -> Result<()> {
    let parent = dir_of(dir);
    let Ok(m) = std::fs::metadata(parent) else {
        return Ok(()); // created below, by us
    };
    let me = nix::unistd::Uid::effective().as_raw();
    if m.uid() != 0 && m.uid() != me {
        return Err(Error::Usage(format!(
            "{} belongs to {}, who could rename or replace the shared directory inside it: put it in a directory only root can change, e.g. /srv/sev",
            shown(parent),
            crate::access::user_name(m.uid())
        )));
    }
    let open = m.mode() & 0o022 != 0 && m.mode() & 0o1000 == 0;
    if open {
        return Err(Error::Usage(format!(
            "{} is writable by others ({:o}), so the shared directory could be swapped inside it: put it in a directory only root can change, e.g. /srv/sev",
            shown(parent),
            m.mode() & 0o7777
        )));
    }
    Ok(())
}

/// An existing directory is taken over only if it is plainly meant for
/// sev: owned by whoever runs init, not sticky or open to everyone (not
/// /tmp), and holding nothing but a sev database (not /etc, not a home).
pub(super) fn check_existing(dir: &Path) -> Result<()> {
    let m = std::fs::metadata(dir)
        .map_err(|e| Error::Usage(format!("cannot look at {}: {e}", shown(dir))))?;
    let me = nix::unistd::Uid::effective().as_raw();
    let refuse = |why: String| {
        Err(Error::Usage(format!(
            "{} {why}: sev init --shared sets up a directory of its own — give a new path, e.g. /srv/sev",
            shown(dir)
        )))
    };
    if m.uid() != me {
        return refuse(format!(
            "belongs to {}, not to you",
            crate::access::user_name(m.uid())
        ));
    }
    if m.mode() & 0o1002 != 0 {
        return refuse(format!(
            "is a public directory (mode {:o})",
            m.mode() & 0o7777
        ));
    }
    const OURS: [&str; 3] = ["sev.db", "sev.db-wal", "sev.db-shm"];
    let others: Vec<String> = std::fs::read_dir(dir)
        .map_err(|e| Error::Usage(format!("cannot list {}: {e}", shown(dir))))?
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !OURS.contains(&n.as_str()))
        .take(3)
        .collect();
    if !others.is_empty() {
        return refuse(format!(
            "already holds other files ({})",
            sanitize_line(&others.join(", "))
        ));
    }
    Ok(())
}

/// A database already in the directory must be usable as it is (one name,
/// no links, sev's or empty) before init changes anything.
pub(super) fn check_existing_db(db: &Path) -> Result<()> {
    if !fsafe::check_db(db)? {
        return Ok(());
    }
    let len = std::fs::metadata(db).map(|m| m.len()).unwrap_or(0);
    match fsafe::sqlite_header(db) {
        _ if len == 0 => Ok(()),
        // A WAL file may hold its application id in the -wal still.
        Some(h) if h.application_id as i64 == crate::store::APPLICATION_ID || h.wal => Ok(()),
        _ => Err(Error::Unavailable(format!(
            "{} is not a sev database: move it away before sev init --shared (nothing was changed)",
            shown(db)
        ))),
    }
}

pub(super) fn init_in(dir: &Path, gid: u32, group: &str) -> Result<PathBuf> {
    let io = |what: String| move |e: std::io::Error| Error::Usage(format!("{what}: {e}"));
    match fsafe::entry(dir) {
        Entry::Dir => {
            check_existing(dir)?;
            check_existing_db(&dir.join("sev.db"))?;
        }
        Entry::Missing => {
            std::fs::create_dir_all(dir).map_err(io(format!("cannot create {}", shown(dir))))?
        }
        Entry::Symlink(t) => return Err(fsafe::symlink_refusal(dir, &t)),
        _ => {
            return Err(Error::Usage(format!(
                "{} exists and is not a directory: choose another path for --shared",
                shown(dir)
            )));
        }
    }
    let d = fsafe::open_dir_nofollow(dir).map_err(io(format!(
        "cannot open {} (it must be a real directory, not a link)",
        shown(dir)
    )))?;
    // rwx for owner and group, nothing for others, setgid so -wal/-shm and
    // any new file take the group; not sticky, so members can replace them.
    fsafe::fchown_fchmod(&d, Some(gid), 0o2770).map_err(io(format!(
        "cannot give {} to group {group} with mode 2770 (run as root or its owner)",
        shown(dir)
    )))?;
    let db = dir.join("sev.db");
    drop(crate::store::Store::open(&db)?);
    let mut files = vec![db.clone()];
    files.extend(sidecars(&db));
    for f in files {
        if fsafe::entry(&f) == Entry::Missing {
            continue;
        }
        let fd = fsafe::open_nofollow(&f).map_err(io(format!(
            "refusing to touch {} (it must be a regular file, not a link)",
            shown(&f)
        )))?;
        fsafe::fchown_fchmod(&fd, Some(gid), 0o660).map_err(io(format!(
            "cannot give {} to group {group} with mode 660",
            shown(&f)
        )))?;
    }
    Ok(db)
}
