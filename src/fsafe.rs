//! Files on a shared host, handled as if another group member were hostile.
//!
//! A member of the database's group can replace anything inside the shared
//! directory: the database, its `-wal`/`-shm`, with a symbolic link to a
//! path of their choice. sev therefore never follows a link for those files:
//! it looks with `symlink_metadata`, creates with `O_CREAT|O_EXCL|O_NOFOLLOW`,
//! and changes owner and mode through the descriptor it opened (`fchown`,
//! `fchmod`), never by name.

use crate::error::{Error, Result};
use crate::text::sanitize_line;
use std::fs::{File, Metadata, OpenOptions};
use std::io::ErrorKind;
use std::os::unix::fs::{FileTypeExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// What is at a path, without following a link there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    Missing,
    File,
    Dir,
    /// A symbolic link, with where it points (possibly nowhere).
    Symlink(PathBuf),
    /// A FIFO, device or socket: never a database.
    Special(&'static str),
    /// The path cannot be looked at: a directory on the way denies search.
    Denied,
}

/// Look at `path` without following a final symbolic link.
pub fn entry(path: &Path) -> Entry {
    let path = &normalize(path);
    match std::fs::symlink_metadata(path) {
        Ok(m) => entry_of(path, &m),
        Err(e) if e.kind() == ErrorKind::PermissionDenied => Entry::Denied,
        Err(_) => Entry::Missing,
    }
}

fn entry_of(path: &Path, m: &Metadata) -> Entry {
    let t = m.file_type();
    if t.is_symlink() {
        Entry::Symlink(std::fs::read_link(path).unwrap_or_default())
    } else if t.is_dir() {
        Entry::Dir
    } else if t.is_file() {
        Entry::File
    } else if t.is_fifo() {
        Entry::Special("a FIFO (named pipe)")
    } else if t.is_char_device() {
        Entry::Special("a character device")
    } else if t.is_block_device() {
        Entry::Special("a block device")
    } else if t.is_socket() {
        Entry::Special("a socket")
    } else {
        Entry::Special("not a regular file")
    }
}

/// The database's `-wal` and `-shm` files.
pub fn sidecars(db: &Path) -> [PathBuf; 2] {
    // From the raw bytes: a lossy conversion would look at other names
    // than the ones SQLite opens when the path is not UTF-8.
    let with = |ext: &str| {
        let mut s = db.as_os_str().to_os_string();
        s.push(ext);
        PathBuf::from(s)
    };
    [with("-wal"), with("-shm")]
}

/// The group a directory shares its files with: a setgid directory's, or
/// a group-writable one's that is not public (a setgid bit lost by
/// accident). None for a personal or public directory.
pub fn sharing_group(dir: &Path) -> Option<u32> {
    let m = std::fs::metadata(dir).ok()?;
    let mode = m.mode();
    let shared = mode & 0o2000 != 0 || (mode & 0o020 != 0 && mode & 0o1002 == 0);
    shared.then_some(m.gid())
}

/// procfs, sysfs and friends: kernel files, never a database.
fn kernel_fs(path: &Path) -> bool {
    const KERNEL: [i64; 6] = [
        0x9fa0,      // proc
        0x6265_6572, // sysfs
        0x6462_6720, // debugfs
        0x7472_6163, // tracefs
        0x1cd1,      // devpts
        0x0027_e0eb, // cgroup (v1; cgroup2 below)
    ];
    #[allow(clippy::unnecessary_cast)] // f_type's type differs between C libraries
    nix::sys::statfs::statfs(dir_of(path)).is_ok_and(|st| {
        let t = st.filesystem_type().0 as i64;
        KERNEL.contains(&t) || t == 0x6367_7270 // cgroup2
    })
}

/// The directory a database lives in (`.` for a bare file name).
pub fn dir_of(db: &Path) -> &Path {
    db.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// The path without trailing `/` or `.` components: `dir/` and `dir/.`
/// make the kernel follow a link named `dir`, so every check and every
/// open works on the normalized name.
pub fn normalize(p: &Path) -> PathBuf {
    let n: PathBuf = p.components().collect();
    if n.as_os_str().is_empty() {
        p.to_path_buf()
    } else {
        n
    }
}

/// The name SQLite opens: the parent directories resolved (a host may well
/// have `/home -> /data/home`), the file name itself never followed.
/// SQLite's NOFOLLOW refuses a link anywhere in the path, so it gets this.
pub fn real_path(db: &Path) -> PathBuf {
    let db = normalize(db);
    match (std::fs::canonicalize(dir_of(&db)), db.file_name()) {
        (Ok(dir), Some(name)) => dir.join(name),
        _ => db,
    }
}

fn shown(p: &Path) -> String {
    sanitize_line(&p.display().to_string()).into_owned()
}

/// The refusal for a link where a database file must be.
pub fn symlink_refusal(path: &Path, target: &Path) -> Error {
    Error::Unavailable(format!(
        "refusing to use {}: it is a symbolic link (to {}); sev never follows a link for its database, its -wal/-shm or the shared directory, so nobody can redirect it — point --db/SEV_DB at the real file, or remove the link if you did not make it",
        shown(path),
        shown(target)
    ))
}

/// The message for "nothing there" from a command that only reads.
pub fn missing_refusal(path: &Path) -> Error {
    Error::Unavailable(format!(
        "no database at {}: check --db, SEV_DB or database = in the config (sev doctor shows which it uses); nothing was created — only the TUI, sev new and sev demo start a new database",
        shown(path)
    ))
}

/// The message for an empty file where a database should be: what a
/// deleted-and-recreated or swapped database looks like.
pub fn empty_refusal(path: &Path) -> Error {
    Error::Unavailable(format!(
        "{} is an empty file, not a sev database (deleted and recreated, or swapped?): restore it from a backup — nothing was changed; only the TUI, sev new and sev demo start a new database",
        shown(path)
    ))
}

/// Whether the database at `db` exists and may be opened: a regular file (or
/// nothing, when `Missing` is acceptable to the caller). Links, directories,
/// FIFOs and devices are refused with the reason; so are linked or special
/// `-wal`/`-shm` files.
pub fn check_db(db: &Path) -> Result<bool> {
    let db = &normalize(db);
    if kernel_fs(db) {
        return Err(Error::Unavailable(format!(
            "{} is a kernel file (/proc, /sys), not a database: point --db/SEV_DB at a database file",
            shown(db)
        )));
    }
    let exists = match entry(db) {
        Entry::File => {
            check_regular(db)?;
            true
        }
        Entry::Missing => false,
        Entry::Symlink(t) => return Err(symlink_refusal(db, &t)),
        Entry::Dir => {
            return Err(Error::Unavailable(format!(
                "{} is a directory, not a database file: point --db at a file inside it, e.g. {}",
                shown(db),
                shown(&db.join("sev.db"))
            )));
        }
        Entry::Special(what) => {
            return Err(Error::Unavailable(format!(
                "{} is {what}, not a regular file: point --db/SEV_DB at a database file",
                shown(db)
            )));
        }
        Entry::Denied => {
            return Err(Error::Unavailable(format!(
                "permission denied: you cannot reach {} — a directory on the way is closed to you; ask an admin to add you to the database's group (sev doctor shows how)",
                shown(db)
            )));
        }
    };
    for side in sidecars(db) {
        match entry(&side) {
            Entry::File => check_regular(&side)?,
            Entry::Missing | Entry::Denied => {}
            Entry::Symlink(t) => return Err(symlink_refusal(&side, &t)),
            Entry::Dir | Entry::Special(_) => {
                return Err(Error::Unavailable(format!(
                    "{} is not a regular file, so SQLite cannot use it: remove it (nothing is lost while no sev is running)",
                    shown(&side)
                )));
            }
        }
    }
    Ok(exists)
}

/// A regular file sev may open: one name only (a hard link would let a
/// group member make root change the mode or contents of a file elsewhere,
/// another team's database say), and in a world-writable directory only
/// one of the user's own (anyone could have planted it).
fn check_regular(path: &Path) -> Result<()> {
    let Ok(m) = std::fs::symlink_metadata(path) else {
        return Ok(());
    };
    if m.nlink() > 1 {
        return Err(Error::Unavailable(format!(
            "refusing to use {}: it has {} hard links, so it is also a file somewhere else (someone may have linked another file here) — restore the database from a backup, or copy it to a new name (cp, not ln) and point --db at that",
            shown(path),
            m.nlink()
        )));
    }
    let me = nix::unistd::Uid::effective().as_raw();
    let open_dir = std::fs::metadata(dir_of(path))
        .map(|d| d.mode() & 0o002 != 0)
        .unwrap_or(false);
    if open_dir && m.uid() != me {
        return Err(Error::Unavailable(format!(
            "refusing to use {}: it belongs to another user (uid {}) in a world-writable directory, where anyone could have planted it — keep the database in a directory of your own (or a setgid group directory: sev init --shared)",
            shown(path),
            m.uid()
        )));
    }
    Ok(())
}

/// True when `dir` is a setgid directory: sev's mark of a group-shared one.
pub fn is_shared_dir(dir: &Path) -> bool {
    std::fs::metadata(dir)
        .map(|m| m.mode() & 0o2000 != 0)
        .unwrap_or(false)
}

/// Create the directory for a new personal database: 0700, so nobody else
/// can even list it.
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

/// Create an empty database file that did not exist: never through a link,
/// never over an existing file. 0600 for a personal database, 0660 in a
/// group-shared (setgid) directory. Returns false when another process
/// created it first (which is fine: it is then opened like any existing one).
pub fn create_db_file(db: &Path) -> Result<bool> {
    let shared = is_shared_dir(dir_of(db));
    let f = match OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .custom_flags(nix::libc::O_NOFOLLOW)
        .open(db)
    {
        Ok(f) => f,
        Err(e) if e.kind() == ErrorKind::AlreadyExists => return Ok(false),
        Err(e) => {
            return Err(Error::Unavailable(format!(
                "cannot create the database {}: {e} (set SEV_DB or --db to a writable place)",
                shown(db)
            )));
        }
    };
    if shared {
        f.set_permissions(std::fs::Permissions::from_mode(0o660))
            .map_err(|e| Error::Unavailable(format!("cannot chmod 660 {}: {e}", shown(db))))?;
    }
    Ok(true)
}

/// A write command found an empty file where the database goes: it
/// becomes the new database, with the mode a new one gets (0600, or 0660
/// in a shared directory) if it is the user's own.
pub fn adopt_empty(db: &Path) -> Result<()> {
    let f = OpenOptions::new()
        .read(true)
        .custom_flags(nix::libc::O_NOFOLLOW | nix::libc::O_NONBLOCK)
        .open(db)
        .map_err(|e| Error::Unavailable(format!("cannot open {}: {e}", shown(db))))?;
    let m = f
        .metadata()
        .map_err(|e| Error::Unavailable(format!("cannot look at {}: {e}", shown(db))))?;
    if m.uid() != nix::unistd::Uid::effective().as_raw() || m.len() != 0 || m.nlink() > 1 {
        return Ok(());
    }
    let mode = if is_shared_dir(dir_of(db)) {
        0o660
    } else {
        0o600
    };
    f.set_permissions(std::fs::Permissions::from_mode(mode))
        .map_err(|e| Error::Unavailable(format!("cannot chmod {mode:o} {}: {e}", shown(db))))
}

/// Open an existing regular file without following a link, for changing its
/// owner or mode through the descriptor.
pub fn open_nofollow(path: &Path) -> std::io::Result<File> {
    let f = OpenOptions::new()
        .read(true)
        .custom_flags(nix::libc::O_NOFOLLOW | nix::libc::O_NONBLOCK)
        .open(path)?;
    let m = f.metadata()?;
    if !m.is_file() {
        return Err(std::io::Error::new(
            ErrorKind::InvalidInput,
            "not a regular file",
        ));
    }
    if m.nlink() > 1 {
        return Err(std::io::Error::new(
            ErrorKind::InvalidInput,
            "it has more than one hard link (another file linked here)",
        ));
    }
    Ok(f)
}

/// Open a directory without following a link, for `fchown`/`fchmod`.
pub fn open_dir_nofollow(path: &Path) -> std::io::Result<File> {
    OpenOptions::new()
        .read(true)
        .custom_flags(nix::libc::O_NOFOLLOW | nix::libc::O_DIRECTORY)
        .open(path)
}

/// What a SQLite file's 100-byte header says, read without SQLite (so
/// nothing is opened, created or repaired by looking).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    pub application_id: u32,
    pub user_version: u32,
    /// Non-zero once any table exists.
    pub schema_cookie: u32,
    /// The file is in WAL mode (SQLite opens -wal/-shm for it).
    pub wal: bool,
}

/// The SQLite header of `path`, or None when it is not a SQLite file (or
/// shorter than a header).
pub fn sqlite_header(path: &Path) -> Option<Header> {
    use std::io::Read;
    let mut h = [0u8; 100];
    open_nofollow(path).ok()?.read_exact(&mut h).ok()?;
    if &h[..16] != b"SQLite format 3\0" {
        return None;
    }
    let be = |o: usize| u32::from_be_bytes([h[o], h[o + 1], h[o + 2], h[o + 3]]);
    Some(Header {
        application_id: be(68),
        user_version: be(60),
        schema_cookie: be(40),
        wal: h[18] == 2 || h[19] == 2,
    })
}

/// Give the open file `f` to group `gid` and set `mode`, through its descriptor.
pub fn fchown_fchmod(f: &File, gid: Option<u32>, mode: u32) -> std::io::Result<()> {
    if let Some(g) = gid {
        nix::unistd::fchown(f, None, Some(nix::unistd::Gid::from_raw(g)))
            .map_err(std::io::Error::from)?;
    }
    f.set_permissions(std::fs::Permissions::from_mode(mode))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    #[test]
    fn links_directories_and_fifos_are_refused_by_name() {
        let d = tempfile::tempdir().unwrap();
        let db = d.path().join("sev.db");
        assert!(!check_db(&db).unwrap(), "missing is fine to check");
        symlink(d.path().join("elsewhere"), &db).unwrap();
        let e = check_db(&db).unwrap_err().to_string();
        assert!(
            e.contains("symbolic link") && e.contains("elsewhere"),
            "{e}"
        );

        let dirdb = d.path().join("adir");
        std::fs::create_dir(&dirdb).unwrap();
        let e = check_db(&dirdb).unwrap_err().to_string();
        assert!(e.contains("is a directory"), "{e}");

        let fifo = d.path().join("fifo.db");
        nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::from_bits_truncate(0o600)).unwrap();
        let e = check_db(&fifo).unwrap_err().to_string();
        assert!(e.contains("FIFO"), "{e}");
        let e = check_db(Path::new("/dev/null")).unwrap_err().to_string();
        assert!(e.contains("character device"), "{e}");
    }

    #[test]
    fn a_linked_wal_is_refused() {
        let d = tempfile::tempdir().unwrap();
        let db = d.path().join("sev.db");
        std::fs::write(&db, b"").unwrap();
        symlink("/etc/passwd", d.path().join("sev.db-wal")).unwrap();
        let e = check_db(&db).unwrap_err().to_string();
        assert!(
            e.contains("sev.db-wal") && e.contains("symbolic link"),
            "{e}"
        );
    }

    #[test]
    fn new_personal_files_are_private_and_never_through_a_link() {
        let d = tempfile::tempdir().unwrap();
        let dir = d.path().join("a/b");
        create_private_dir(&dir).unwrap();
        let m = std::fs::metadata(&dir).unwrap().mode() & 0o777;
        assert_eq!(m, 0o700);
        let db = dir.join("sev.db");
        assert!(create_db_file(&db).unwrap());
        assert_eq!(std::fs::metadata(&db).unwrap().mode() & 0o777, 0o600);
        assert!(!create_db_file(&db).unwrap(), "a second creator opens it");

        let target = d.path().join("target");
        let link = dir.join("linked.db");
        symlink(&target, &link).unwrap();
        assert!(!create_db_file(&link).unwrap());
        assert!(!target.exists(), "nothing was created through the link");
    }

    #[test]
    fn hard_links_and_trailing_slashes_do_not_get_through() {
        let d = tempfile::tempdir().unwrap();
        let other = d.path().join("other-team.db");
        std::fs::write(&other, b"theirs").unwrap();
        let db = d.path().join("sev.db");
        std::fs::hard_link(&other, &db).unwrap();
        let e = check_db(&db).unwrap_err().to_string();
        assert!(e.contains("hard links"), "{e}");
        assert!(open_nofollow(&db).is_err());
        std::fs::remove_file(&db).unwrap();
        std::fs::write(&db, b"").unwrap();
        std::fs::hard_link(&other, d.path().join("sev.db-shm")).unwrap();
        let e = check_db(&db).unwrap_err().to_string();
        assert!(e.contains("sev.db-shm") && e.contains("hard links"), "{e}");

        let real = d.path().join("real");
        std::fs::create_dir(&real).unwrap();
        let link = d.path().join("linked");
        symlink(&real, &link).unwrap();
        for p in ["linked/", "linked/.", "linked//"] {
            let p = d.path().join(p);
            assert_eq!(normalize(&p), link, "{p:?}");
            assert!(matches!(entry(&normalize(&p)), Entry::Symlink(_)));
        }
    }

    #[test]
    fn linked_parent_directories_are_resolved_the_file_is_not() {
        let d = tempfile::tempdir().unwrap();
        let real = d.path().join("data-home");
        std::fs::create_dir(&real).unwrap();
        let home = d.path().join("home");
        symlink(&real, &home).unwrap();
        let want = std::fs::canonicalize(&real).unwrap().join("sev.db");
        assert_eq!(real_path(&home.join("sev.db")), want);
    }
}
