//! Running sev for a team on one jump host: `sev init --shared` sets up a
//! group-shared database, `sev doctor` explains (and says how to fix) every
//! permission, filesystem and integrity problem it finds.
//!
//! Both run as root on a directory that group members can write, so both
//! treat every name in it as possibly planted: nothing is followed through a
//! symbolic link, modes and owners are changed through opened descriptors,
//! and no fix ever suggests joining a privileged group.

use crate::access::{group_name, join_fix, privileged_group, quote};
use crate::error::{Error, Result};
use crate::fsafe::{self, Entry, dir_of, sidecars};
use crate::text::sanitize_line;
use nix::unistd::{AccessFlags, Group, access};
use serde::Serialize;
use std::os::unix::fs::MetadataExt;
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

fn shown(p: &Path) -> String {
    sanitize_line(&p.display().to_string()).into_owned()
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

/// A group name as `groupadd` accepts it.
fn valid_group_name(g: &str) -> bool {
    let mut chars = g.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && g.len() <= 32
        && chars.all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c))
}

fn lookup_group(group: &str) -> Result<Group> {
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
fn first_missing(dir: &Path) -> Option<PathBuf> {
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
fn check_parent(dir: &Path) -> Result<()> {
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
fn check_existing(dir: &Path) -> Result<()> {
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
fn check_existing_db(db: &Path) -> Result<()> {
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

fn init_in(dir: &Path, gid: u32, group: &str) -> Result<PathBuf> {
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

/// Every check `sev doctor` makes, in order. Never creates, follows or
/// writes anything: the file type is checked before anything is opened,
/// and the contents are read through read-only connections only when the
/// -wal/-shm exist (so not even those are created).
pub fn doctor(db: &Path) -> Vec<Finding> {
    if crate::store::locator::is_postgres(db) {
        return doctor_postgres(db);
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
fn opening_would_change(db: &Path, meta: &std::fs::Metadata) -> Option<String> {
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
fn header_is_sev(db: &Path, header: Option<fsafe::Header>, out: &mut Vec<Finding>) -> bool {
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

/// Is there a regular database file at `db`? Explains what is there instead.
fn locate(db: &Path, out: &mut Vec<Finding>) -> bool {
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
fn denied(db: &Path) -> Finding {
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
fn missing(db: &Path, dir: &Path) -> Finding {
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
fn shared_checks(
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

fn shared_file(f: &Path, m: &std::fs::Metadata, check: &str, dgroup: u32) -> Finding {
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
fn personal_checks(
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
fn sharing_fix(
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

fn filesystem(dir: &Path) -> Finding {
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
fn access_check(db: &Path, out: &mut Vec<Finding>) -> (bool, bool) {
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

/// Schema version, integrity and the append-only triggers. True when the
/// schema is this sev's, so the contents can be checked further.
fn schema_checks(db: &Path, i: &crate::store::audit::Inspection, out: &mut Vec<Finding>) -> bool {
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
fn append_only(have: &[String]) -> Finding {
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

fn wal_size(db: &Path) -> Finding {
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

/// `sev doctor` on a PostgreSQL URL: reachability, TLS, schema version,
/// the role's privileges, the append-only triggers, the records and the
/// audit chain. Never shows the password.
fn doctor_postgres(db: &Path) -> Vec<Finding> {
    let shown = crate::store::locator::shown(db);
    let mut out = Vec::new();
    let store = match crate::store::Store::open_existing(db) {
        Ok(s) => s,
        Err(e) => {
            out.push(finding(
                Level::Fail,
                "server",
                e.to_string(),
                Some("check the URL, that the server runs, and PGPASSWORD or ~/.pgpass".into()),
            ));
            return out;
        }
    };
    let Some(Ok(h)) = store.postgres_health() else {
        out.push(finding(
            Level::Fail,
            "server",
            format!("{shown}: cannot read the server's state"),
            None,
        ));
        return out;
    };
    out.push(finding(
        Level::Ok,
        "server",
        format!(
            "{shown} reachable (PostgreSQL {}, role {})",
            h.server_version, h.role
        ),
        None,
    ));
    let local = ["127.0.0.1", "localhost", "::1", "[::1]"]
        .iter()
        .any(|h| shown.contains(&format!("@{h}")) || shown.contains(&format!("//{h}")));
    out.push(if h.tls && h.tls_verified {
        finding(
            Level::Ok,
            "tls",
            format!(
                "the connection is encrypted (TLS, sslmode={}, the server's certificate verified)",
                h.tls_mode
            ),
            None,
        )
    } else if h.tls {
        finding(
            if local { Level::Ok } else { Level::Warn },
            "tls",
            format!(
                "the connection is encrypted (TLS, sslmode={}), the server's certificate not verified",
                h.tls_mode
            ),
            (!local).then(|| {
                "add sslmode=verify-full&sslrootcert=/path/to/ca.crt to the URL so no one can pose as the server".into()
            }),
        )
    } else if local {
        finding(
            Level::Ok,
            "tls",
            format!("not encrypted (sslmode={}, a local server)", h.tls_mode),
            None,
        )
    } else {
        finding(
            Level::Warn,
            "tls",
            format!(
                "the connection to a remote server is not encrypted (sslmode={})",
                h.tls_mode
            ),
            Some("add sslmode=verify-full&sslrootcert=/path/to/ca.crt to the URL (the server needs ssl=on), or reach it through an SSH tunnel".into()),
        )
    });
    let known = crate::store::MIGRATIONS.len() as i64;
    out.push(match store.schema_info() {
        Ok((v, app)) if v == known && app == crate::store::APPLICATION_ID => {
            finding(Level::Ok, "schema", format!("version {v}"), None)
        }
        Ok((v, _)) => finding(
            Level::Fail,
            "schema",
            format!("version {v}, this sev needs {known}"),
            Some("open it once with this sev (any write command) or upgrade sev".into()),
        ),
        Err(e) => finding(Level::Fail, "schema", e.to_string(), None),
    });
    out.push(if h.can_write {
        finding(
            Level::Ok,
            "privileges",
            format!("role {} can write incidents", h.role),
            None,
        )
    } else {
        finding(
            Level::Warn,
            "privileges",
            format!("role {} cannot write incidents (read-only use)", h.role),
            Some("grant the role the writer privileges in README (Running on PostgreSQL)".into()),
        )
    });
    out.push(if h.can_alter_events {
        finding(
            Level::Warn,
            "events",
            format!("role {} could change or remove timeline events (owner, superuser or UPDATE/DELETE)", h.role),
            Some("connect as a least-privilege role: README, Running on PostgreSQL".into()),
        )
    } else {
        finding(Level::Ok, "events", format!("role {} cannot alter events", h.role), None)
    });
    let missing: Vec<&str> = ["events_no_delete", "events_no_update"]
        .into_iter()
        .filter(|t| !h.event_triggers.iter().any(|x| x == t))
        .collect();
    out.push(if missing.is_empty() {
        finding(Level::Ok, "append-only", "events triggers enabled", None)
    } else {
        finding(
            Level::Fail,
            "append-only",
            format!(
                "trigger(s) {} missing or disabled: events can be changed",
                missing.join(", ")
            ),
            Some("ALTER TABLE events ENABLE TRIGGER ALL; then sev verify".into()),
        )
    });
    out.push(match store.verify() {
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
                Some("compare with a backup; `sev verify` shows the same finding".into()),
            ),
        },
        Err(e) => finding(Level::Fail, "audit trail", e.to_string(), None),
    });
    out
}

/// The hash chain, through a read-only connection (doctor never writes).
fn audit_trail(db: &Path, write: bool) -> Finding {
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
fn records(db: &Path) -> Finding {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_names_are_checked_before_use() {
        for bad in ["", "-x", "a b", "a\u{1b}]0;x\u{7}"] {
            let e = lookup_group(bad).unwrap_err().to_string();
            assert!(!e.contains('\u{1b}'), "{e}");
            assert!(e.contains("group"), "{e}");
        }
        let e = lookup_group("root").unwrap_err().to_string();
        assert!(e.contains("privileged"), "{e}");
    }

    #[test]
    fn a_failed_init_removes_the_directory_it_made() {
        let d = tempfile::tempdir().unwrap();
        let target = d.path().join("new/shared");
        // No such group: fails before creating anything.
        assert!(init_shared(&target, "no-such-group-sev").is_err());
        assert!(!d.path().join("new").exists());
        assert_eq!(first_missing(&target), Some(d.path().join("new")));
    }

    #[test]
    fn doctor_names_what_is_there_instead_of_a_database() {
        let d = tempfile::tempdir().unwrap();
        let link = d.path().join("sev.db");
        std::os::unix::fs::symlink(d.path().join("planted"), &link).unwrap();
        let f = doctor(&link);
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(f[0].detail.contains("symbolic link"), "{f:?}");
        assert!(!f[0].fix.as_deref().unwrap_or("").contains("init"), "{f:?}");

        let fifo = d.path().join("fifo.db");
        nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::from_bits_truncate(0o600)).unwrap();
        let f = doctor(&fifo); // must not hang
        assert!(f[0].detail.contains("FIFO"), "{f:?}");

        let f = doctor(d.path());
        assert!(f[0].detail.contains("is a directory"), "{f:?}");

        let typo = d.path().join("sev.dbb");
        std::fs::write(d.path().join("team.db"), b"").unwrap();
        let f = doctor(&typo);
        assert!(f[0].detail.contains("team.db"), "{f:?}");
        assert!(!d.path().join("sev.dbb").exists());
    }
}
