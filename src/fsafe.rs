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
    let s = db.as_os_str().to_string_lossy();
    [
        PathBuf::from(format!("{s}-wal")),
        PathBuf::from(format!("{s}-shm")),
    ]
}

/// The directory a database lives in (`.` for a bare file name).
pub fn dir_of(db: &Path) -> &Path {
    db.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
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
        "no database at {}: check --db, SEV_DB or database = in the config (sev doctor shows which it uses); this command only reads, so it creates nothing — the TUI or a write command such as sev new creates a database",
        shown(path)
    ))
}

/// Whether the database at `db` exists and may be opened: a regular file (or
/// nothing, when `Missing` is acceptable to the caller). Links, directories,
/// FIFOs and devices are refused with the reason; so are linked or special
/// `-wal`/`-shm` files.
pub fn check_db(db: &Path) -> Result<bool> {
    let exists = match entry(db) {
        Entry::File => true,
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
            Entry::File | Entry::Missing | Entry::Denied => {}
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

/// Open an existing regular file without following a link, for changing its
/// owner or mode through the descriptor.
pub fn open_nofollow(path: &Path) -> std::io::Result<File> {
    let f = OpenOptions::new()
        .read(true)
        .custom_flags(nix::libc::O_NOFOLLOW | nix::libc::O_NONBLOCK)
        .open(path)?;
    if !f.metadata()?.is_file() {
        return Err(std::io::Error::new(
            ErrorKind::InvalidInput,
            "not a regular file",
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
        assert!(create_db_file(&link).is_err() || !create_db_file(&link).unwrap());
        assert!(!target.exists(), "nothing was created through the link");
    }
}
