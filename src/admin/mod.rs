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

mod doctor;
mod doctor_pg;
mod files;
mod init;

pub use doctor::doctor;
pub use init::init_shared;

#[cfg(test)]
mod tests {
    use super::doctor::*;
    use super::init::*;

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
