//! What `sev doctor` learns from the path and metadata alone, before it
//! opens anything: what is there, sharing, the filesystem and access.

use super::*;

/// Is there a regular database file at `db`? Explains what is there instead.
pub(super) fn locate(db: &Path, out: &mut Vec<Finding>) -> bool {
    let dir = dir_of(db);
    let fail = |detail: String, fix: Option<String>| finding(Level::Fail, "database", detail, fix);
    match fsafe::entry(db) {
        Entry::File => {
            if let Err(e) = fsafe::check_db(db) {
                out.push(fail(e.to_string(), None));
                return false;
            }
            if std::fs::metadata(db).is_ok_and(|m| m.len() == 0) {
                out.push(fail(
                    format!(
                        "{} is an empty file, not a sev database (deleted and recreated, or swapped?)",
                        shown(db)
                    ),
                    Some("restore the database from a backup; sev verify --expect catches a swap".into()),
                ));
                return false;
            }
        }
        Entry::Symlink(t) => {
            out.push(fail(
                format!(
                    "{} is a symbolic link to {}: sev refuses to follow it — a link here can make sev (or root running it) create or change a file elsewhere",
                    shown(db),
                    shown(&t)
                ),
                Some(format!(
                    "ls -l {}; remove the link (rm {}) unless someone you trust made it, and restore the real database from a backup",
                    quote(db),
                    quote(db)
                )),
            ));
            return false;
        }
        Entry::Dir => {
            out.push(fail(
                format!("{} is a directory, not a database file", shown(db)),
                Some(format!("--db {}", quote(&db.join("sev.db")))),
            ));
            return false;
        }
        Entry::Special(what) => {
            out.push(fail(
                format!("{} is {what}, not a database file", shown(db)),
                Some("point --db/SEV_DB at the database file".into()),
            ));
            return false;
        }
        Entry::Denied => {
            out.push(denied(db));
            return false;
        }
        Entry::Missing => {
            out.push(missing(db, dir));
            return false;
        }
    }
    for s in sidecars(db) {
        if let Entry::Symlink(t) = fsafe::entry(&s) {
            out.push(finding(
                Level::Fail,
                "wal/shm file",
                format!(
                    "{} is a symbolic link to {}: sev refuses to open the database through it",
                    shown(&s),
                    shown(&t)
                ),
                Some(format!(
                    "rm {}   # while no sev is running; find out who planted it",
                    quote(&s)
                )),
            ));
        }
    }
    true
}

/// A directory on the way closes the path to this user.
pub(super) fn denied(db: &Path) -> Finding {
    let me = crate::identity::current_user();
    let blocked = db
        .ancestors()
        .skip(1)
        .filter(|a| !a.as_os_str().is_empty())
        .filter(|a| access(*a, AccessFlags::X_OK).is_err())
        .last()
        .map(Path::to_path_buf);
    let (detail, fix) = match blocked
        .as_deref()
        .and_then(|b| std::fs::metadata(b).ok().map(|m| (b, m)))
    {
        Some((b, m)) => (
            format!(
                "{me} cannot reach {}: {} (group {}) is closed to you — the database may well be there",
                shown(db),
                shown(b),
                group_name(m.gid())
            ),
            Some(join_fix(m.gid(), &me, b)),
        ),
        None => (
            format!("{me} cannot reach {}: permission denied", shown(db)),
            None,
        ),
    };
    finding(Level::Fail, "access", detail, fix)
}

/// Nothing at `db`: point out a likely typo (other databases beside it)
/// before suggesting to create one.
pub(super) fn missing(db: &Path, dir: &Path) -> Finding {
    if fsafe::entry(dir) != Entry::Dir {
        return finding(
            Level::Fail,
            "database",
            format!(
                "no database at {}: the directory {} does not exist (a typo in --db, SEV_DB or database = ?)",
                shown(db),
                shown(dir)
            ),
            Some(
                "check the path; to set up a team database: sev init --shared DIR --group GROUP"
                    .into(),
            ),
        );
    }
    let mut others: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "db") && fsafe::entry(p) == Entry::File)
        .collect();
    others.sort();
    if let Some(first) = others.first() {
        let names: Vec<String> = others.iter().take(5).map(|p| shown(p)).collect();
        return finding(
            Level::Fail,
            "database",
            format!(
                "no database at {}; beside it: {} — a typo in --db, SEV_DB or database = ?",
                shown(db),
                names.join(", ")
            ),
            Some(format!(
                "--db {}   # or fix database = in the config",
                quote(first)
            )),
        );
    }
    let d = std::fs::metadata(dir).ok();
    let fix = match d {
        Some(m) if m.mode() & 0o2000 != 0 && !privileged_group(m.gid()) => format!(
            "sev init --shared {} --group {}",
            quote(dir),
            group_name(m.gid())
        ),
        _ => format!(
            "sev new ... creates a personal database there; for a team: sev init --shared {} --group GROUP",
            quote(dir)
        ),
    };
    finding(
        Level::Fail,
        "database",
        format!("no database at {}", shown(db)),
        Some(fix),
    )
}

/// A shared database: setgid directory, 0660 files, one group, and that
/// group not a privileged one.
pub(super) fn shared_checks(
    db: &Path,
    meta: &std::fs::Metadata,
    dmeta: &std::fs::Metadata,
    out: &mut Vec<Finding>,
) {
    let dir = dir_of(db);
    let dmode = dmeta.mode() & 0o7777;
    let dgroup = dmeta.gid();
    let gname = group_name(dgroup);
    let mut problems: Vec<String> = Vec::new();
    let mut fixes = Vec::new();
    if privileged_group(dgroup) {
        problems.push(format!(
            "shared through {gname}, a privileged group (never add responders to it)"
        ));
        fixes.push(format!(
            "groupadd sev-oncall && sev init --shared {} --group sev-oncall",
            quote(dir)
        ));
    }
    if dmode & 0o2000 == 0 {
        problems.push("not setgid (new -wal/-shm files get each user's own group, others then cannot open them)".into());
        fixes.push(format!("chmod g+s {}", quote(dir)));
    }
    if dmode & 0o1000 != 0 {
        problems.push("sticky (members cannot remove each other's -wal/-shm)".into());
        fixes.push(format!("chmod -t {}", quote(dir)));
    }
    if dmode & 0o070 != 0o070 {
        problems.push("not rwx for the group".into());
        fixes.push(format!("chmod g+rwx {}", quote(dir)));
    }
    if dmode & 0o007 != 0 {
        problems.push("open to users outside the group".into());
        fixes.push(format!("chmod o-rwx {}", quote(dir)));
    }
    out.push(if problems.is_empty() {
        finding(
            Level::Ok,
            "directory",
            format!("{} is {dmode:o}, group {gname}, setgid", shown(dir)),
            None,
        )
    } else {
        finding(
            Level::Fail,
            "directory",
            format!(
                "{} ({dmode:o}, group {gname}) is {}",
                shown(dir),
                problems.join("; ")
            ),
            Some(fixes.join(" && ")),
        )
    });
    let mut files = vec![(db.to_path_buf(), meta.clone(), "database file")];
    for s in sidecars(db) {
        if fsafe::entry(&s) == Entry::File
            && let Ok(m) = std::fs::metadata(&s)
        {
            files.push((s, m, "wal/shm file"));
        }
    }
    for (f, m, check) in files {
        out.push(shared_file(&f, &m, check, dgroup));
    }
}

pub(super) fn shared_file(f: &Path, m: &std::fs::Metadata, check: &str, dgroup: u32) -> Finding {
    let gname = group_name(dgroup);
    let fm = m.mode() & 0o777;
    let mut fixes = Vec::new();
    let mut problems = Vec::new();
    if fm & 0o060 != 0o060 {
        problems.push(format!("mode {fm:o}: the group cannot read and write"));
        fixes.push(format!("chmod 660 {}", quote(f)));
    } else if fm & 0o007 != 0 {
        problems.push(format!("mode {fm:o}: users outside the group can read it"));
        fixes.push(format!("chmod 660 {}", quote(f)));
    }
    if m.gid() != dgroup {
        problems.push(format!("group {} instead of {gname}", group_name(m.gid())));
        fixes.push(format!("chgrp {gname} {}", quote(f)));
    }
    if problems.is_empty() {
        finding(
            Level::Ok,
            check,
            format!("{} is {fm:o}, group {gname}", shown(f)),
            None,
        )
    } else {
        finding(
            Level::Fail,
            check,
            format!("{}: {}", shown(f), problems.join("; ")),
            Some(fixes.join(" && ")),
        )
    }
}

/// A personal database (not in a setgid directory): only its owner
/// should be able to read or write it.
pub(super) fn personal_checks(
    db: &Path,
    meta: &std::fs::Metadata,
    dmeta: &std::fs::Metadata,
    out: &mut Vec<Finding>,
) {
    let mode = meta.mode() & 0o777;
    let me = nix::unistd::Uid::effective().as_raw();
    let owner = if meta.uid() == me {
        "your".to_string()
    } else {
        format!("{}'s", crate::access::user_name(meta.uid()))
    };
    let mut open: Vec<PathBuf> = Vec::new();
    let mut worst = 0;
    for p in std::iter::once(db.to_path_buf()).chain(sidecars(db)) {
        if let Ok(m) = std::fs::symlink_metadata(&p)
            && m.mode() & 0o066 != 0
        {
            worst |= m.mode() & 0o066;
            open.push(p);
        }
    }
    if open.is_empty() {
        out.push(finding(
            Level::Ok,
            "sharing",
            format!(
                "{} is {owner} personal database ({mode:o}): only its owner can use it",
                shown(db)
            ),
            None,
        ));
        return;
    }
    let who = if worst & 0o006 != 0 {
        "every local user"
    } else {
        "its group"
    };
    let fix = sharing_fix(db, &open, meta, dmeta);
    out.push(finding(
        if worst & 0o022 != 0 {
            Level::Fail
        } else {
            Level::Warn
        },
        "sharing",
        format!(
            "{} is {owner} personal database, but {who} can {} it (mode {mode:o}): its incidents may be security incidents; to share it with a team use sev init --shared in a new directory",
            shown(db),
            if worst & 0o022 != 0 { "change" } else { "read" }
        ),
        Some(fix),
    ));
}

/// The chmod that makes a personal database private again.
pub(super) fn sharing_fix(
    db: &Path,
    open: &[PathBuf],
    meta: &std::fs::Metadata,
    dmeta: &std::fs::Metadata,
) -> String {
    let me = nix::unistd::Uid::effective().as_raw();
    let names: Vec<String> = open.iter().map(|p| quote(p)).collect();
    // chmod 700 only a directory that is the user's own and not shared
    // with anyone by design (never /tmp, never a system directory).
    let dir = dir_of(db);
    let own_dir = dmeta.uid() == me && dmeta.mode() & 0o1000 == 0 && dmeta.uid() != 0;
    let by = if meta.uid() == me {
        String::new()
    } else {
        format!(" as {} or root;", crate::access::user_name(meta.uid()))
    };
    if own_dir {
        format!(
            "chmod 600 {} && chmod 700 {}{}",
            names.join(" "),
            quote(dir),
            if by.is_empty() {
                String::new()
            } else {
                format!("   #{by}")
            }
        )
    } else {
        format!(
            "chmod 600 {}   #{by} and keep it in a private directory of your own (mkdir -m 700), not {}",
            names.join(" "),
            quote(dir)
        )
    }
}

pub(super) fn filesystem(dir: &Path) -> Finding {
    match nix::sys::statfs::statfs(dir) {
        // f_type's integer type differs between C libraries.
        #[allow(clippy::unnecessary_cast)]
        Ok(st) => match network_fs(st.filesystem_type().0 as i64) {
            Some(kind) => finding(
                Level::Fail,
                "filesystem",
                format!("{} is on {kind}: SQLite's WAL mode needs a local disk (locks and shared memory fail over the network)", shown(dir)),
                Some("move the database to a local disk (e.g. sev init --shared /srv/sev --group GROUP) and point database = at it".into()),
            ),
            None => finding(Level::Ok, "filesystem", "local filesystem", None),
        },
        Err(e) => finding(Level::Warn, "filesystem", format!("cannot tell the filesystem type: {e}"), None),
    }
}

/// Can this user read, and write, the database and its -wal/-shm? The
/// fix comes from the same diagnosis as the store's error messages.
pub(super) fn access_check(db: &Path, out: &mut Vec<Finding>) -> (bool, bool) {
    let me = crate::identity::current_user();
    let read = access(db, AccessFlags::R_OK).is_ok();
    let write_problem = crate::access::problem(db, true);
    let write = write_problem.is_none();
    out.push(match (read, write_problem) {
        (true, None) => finding(
            Level::Ok,
            "access",
            format!("{me} can read and write the database and its -wal/-shm"),
            None,
        ),
        (true, Some(p)) => finding(
            Level::Warn,
            "access",
            format!("{me} can only read (sev opens read-only): {}", p.why),
            Some(p.fix),
        ),
        (false, _) => match crate::access::problem(db, false) {
            Some(p) => finding(Level::Fail, "access", p.why, Some(p.fix)),
            None => finding(
                Level::Fail,
                "access",
                format!("{me} cannot read {}", shown(db)),
                None,
            ),
        },
    });
    (read, write)
}
