//! Several Unix users on one jump host, for real: created with useradd when
//! running as root (CI does), skipped otherwise.

mod common;

use common::is_root;

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

struct Users {
    names: Vec<String>,
    group: String,
    dirs: Vec<PathBuf>,
}

impl Drop for Users {
    fn drop(&mut self) {
        for n in &self.names {
            let _ = Command::new("userdel").arg(n).output();
        }
        let _ = Command::new("groupdel").arg(&self.group).output();
        for d in &self.dirs {
            let _ = std::fs::remove_dir_all(d);
        }
    }
}

/// Run sev as `user` with a clean environment.
fn as_user(user: &str, db: &Path, args: &[&str]) -> Output {
    Command::new("runuser")
        .args([
            "-u",
            user,
            "--",
            "env",
            "-i",
            "PATH=/usr/bin:/bin",
            "HOME=/nonexistent",
        ])
        .arg(format!("SEV_DB={}", db.display()))
        .args([
            "XDG_CONFIG_HOME=/nonexistent",
            "XDG_DATA_HOME=/nonexistent",
            "SEV_SYSTEM_CONFIG=/nonexistent",
        ])
        .arg(env!("CARGO_BIN_EXE_sev"))
        .args(args)
        .output()
        .unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn two_responders_share_one_file_and_an_outsider_cannot_read_it() {
    if !is_root() {
        eprintln!("skipped: creating Unix users needs root (CI runs as root)");
        return;
    }
    let tag = std::process::id() % 100_000;
    let group = format!("sevg{tag}");
    let (a, b, out, ro) = (
        format!("seva{tag}"),
        format!("sevb{tag}"),
        format!("sevc{tag}"),
        format!("sevr{tag}"),
    );
    let dir = PathBuf::from(format!("/tmp/sev-multi-{tag}"));
    let ro_dir = PathBuf::from(format!("/tmp/sev-multi-ro-{tag}"));
    let users = Users {
        names: vec![a.clone(), b.clone(), out.clone(), ro.clone()],
        group: group.clone(),
        dirs: vec![dir.clone(), ro_dir.clone()],
    };
    assert!(
        Command::new("groupadd")
            .arg(&group)
            .status()
            .unwrap()
            .success()
    );
    for u in [&a, &b, &ro] {
        assert!(
            Command::new("useradd")
                .args(["-M", "-G", &group, u])
                .status()
                .unwrap()
                .success(),
            "useradd {u}"
        );
    }
    assert!(
        Command::new("useradd")
            .args(["-M", &out])
            .status()
            .unwrap()
            .success()
    );
    let probe = as_user(&a, Path::new("/nonexistent.db"), &["--version"]);
    assert!(
        probe.status.success(),
        "the test binary must be readable by other users: {}",
        text(&probe)
    );

    let db = dir.join("sev.db");
    let st = Command::new(env!("CARGO_BIN_EXE_sev"))
        .args(["init", "--shared", dir.to_str().unwrap(), "--group", &group])
        .env("SEV_SYSTEM_CONFIG", "/nonexistent")
        .output()
        .unwrap();
    assert!(st.status.success(), "{}", text(&st));

    // Two responders, each as themselves, work the same incident.
    let o = as_user(&a, &db, &["new", "Shared outage", "--severity", "SEV3"]);
    assert!(o.status.success(), "{}", text(&o));
    let o = as_user(&b, &db, &["note", "1", "bob: checked the load balancer"]);
    assert!(o.status.success(), "{}", text(&o));
    let o = as_user(&b, &db, &["ack", "1"]);
    assert!(o.status.success(), "{}", text(&o));
    let o = as_user(&a, &db, &["note", "1", "alice: rolling back"]);
    assert!(o.status.success(), "{}", text(&o));
    let o = as_user(&a, &db, &["show", "1", "--json"]);
    let j: serde_json::Value =
        serde_json::from_slice(&o.stdout).unwrap_or_else(|_| panic!("{}", text(&o)));
    assert_eq!(j["reporter"], a.as_str());
    assert_eq!(j["assignee"], b.as_str(), "the actor is the real Unix user");
    let actors: Vec<&str> = j["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["actor"].as_str().unwrap())
        .collect();
    assert!(
        actors.contains(&a.as_str()) && actors.contains(&b.as_str()),
        "{actors:?}"
    );

    // The setgid directory gave every file the group; nobody else can read.
    let gid = std::fs::metadata(&dir).unwrap().gid();
    for ext in ["", "-wal", "-shm"] {
        let f = PathBuf::from(format!("{}{ext}", db.display()));
        if let Ok(m) = std::fs::metadata(&f) {
            assert_eq!(m.gid(), gid, "{} has the wrong group", f.display());
            assert_eq!(
                m.mode() & 0o067,
                0o060,
                "{} must be rw for the group, nothing for others",
                f.display()
            );
        }
    }
    let o = as_user(&out, &db, &["list"]);
    assert_eq!(
        o.status.code(),
        Some(5),
        "an outsider must not read it: {}",
        text(&o)
    );
    assert!(
        text(&o).contains("permission denied") && text(&o).contains("group"),
        "{}",
        text(&o)
    );
    let o = as_user(&a, &db, &["doctor"]);
    assert!(o.status.success(), "doctor as a member: {}", text(&o));

    // A member with read access only: browsing works or is refused clearly,
    // and nothing can be written.
    std::fs::create_dir_all(&ro_dir).unwrap();
    let ro_db = ro_dir.join("sev.db");
    for f in ["", "-wal", "-shm"] {
        let src = PathBuf::from(format!("{}{f}", db.display()));
        if src.exists() {
            std::fs::copy(&src, format!("{}{f}", ro_db.display())).unwrap();
        }
    }
    Command::new("chgrp")
        .args(["-R", &group, ro_dir.to_str().unwrap()])
        .status()
        .unwrap();
    std::fs::set_permissions(&ro_dir, std::fs::Permissions::from_mode(0o2750)).unwrap();
    for f in std::fs::read_dir(&ro_dir).unwrap().flatten() {
        std::fs::set_permissions(f.path(), std::fs::Permissions::from_mode(0o640)).unwrap();
    }
    let o = as_user(&ro, &ro_db, &["list", "--all"]);
    if o.status.success() {
        assert!(text(&o).contains("Shared outage"), "{}", text(&o));
    } else {
        assert_eq!(o.status.code(), Some(5), "{}", text(&o));
        assert!(
            text(&o).contains("read-only") || text(&o).contains("read it"),
            "a clear reason: {}",
            text(&o)
        );
    }
    let o = as_user(&ro, &ro_db, &["note", "1", "should not land"]);
    assert_eq!(o.status.code(), Some(5), "{}", text(&o));
    assert!(
        text(&o).contains("read-only") || text(&o).contains("cannot"),
        "{}",
        text(&o)
    );
    drop(users);
}

/// Issue 9, item 15: a read-only session must not leave -wal/-shm that
/// lock writers out once the admin grants write access, and the error
/// names the real cause (a mode) to a member instead of "join the group".
#[test]
fn a_reader_leaves_nothing_that_blocks_writers() {
    if !is_root() {
        eprintln!("skipped: creating Unix users needs root (CI runs as root)");
        return;
    }
    let tag = std::process::id() % 100_000 + 7;
    let group = format!("sevh{tag}");
    let (w, r) = (format!("sevw{tag}"), format!("sevq{tag}"));
    let dir = PathBuf::from(format!("/tmp/sev-readers-{tag}"));
    let users = Users {
        names: vec![w.clone(), r.clone()],
        group: group.clone(),
        dirs: vec![dir.clone()],
    };
    assert!(
        Command::new("groupadd")
            .arg(&group)
            .status()
            .unwrap()
            .success()
    );
    for u in [&w, &r] {
        assert!(
            Command::new("useradd")
                .args(["-M", "-G", &group, u])
                .status()
                .unwrap()
                .success()
        );
    }
    let db = dir.join("sev.db");
    let st = Command::new(env!("CARGO_BIN_EXE_sev"))
        .args(["init", "--shared", dir.to_str().unwrap(), "--group", &group])
        .env("SEV_SYSTEM_CONFIG", "/nonexistent")
        .output()
        .unwrap();
    assert!(st.status.success(), "{}", text(&st));
    let o = as_user(&w, &db, &["new", "Disk full on db-3"]);
    assert!(o.status.success(), "{}", text(&o));
    let sides = [dir.join("sev.db-wal"), dir.join("sev.db-shm")];
    for s in &sides {
        assert!(s.exists(), "writers keep {} for readers", s.display());
    }

    // The admin makes it read-only for the group; the -wal/-shm are gone
    // (an older sev deleted them on close).
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o640)).unwrap();
    for s in &sides {
        std::fs::remove_file(s).unwrap();
    }
    let o = as_user(&r, &db, &["list", "--all"]);
    assert_eq!(o.status.code(), Some(5), "{}", text(&o));
    assert!(text(&o).contains("must not create"), "{}", text(&o));
    for s in &sides {
        assert!(!s.exists(), "a reader created {}", s.display());
    }
    // A member is told the mode is the cause, not to join a group they are in.
    let o = as_user(&w, &db, &["note", "1", "x"]);
    assert_eq!(o.status.code(), Some(5), "{}", text(&o));
    assert!(
        text(&o).contains("you are in its group") && text(&o).contains("chmod 660"),
        "{}",
        text(&o)
    );
    assert!(!text(&o).contains("usermod"), "{}", text(&o));

    // The admin grants write again: the writer works at once.
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o660)).unwrap();
    let o = as_user(&w, &db, &["note", "1", "writers are not locked out"]);
    assert!(o.status.success(), "{}", text(&o));
    // And with the files kept, a reader of a read-only file can browse.
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o640)).unwrap();
    let o = as_user(&r, &db, &["list", "--all"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("Disk full"), "{}", text(&o));
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o660)).unwrap();
    let o = as_user(&w, &db, &["note", "1", "still fine after a reader"]);
    assert!(o.status.success(), "{}", text(&o));
    drop(users);
}
