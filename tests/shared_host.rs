//! The shared host, attacked: planted links, typo'd paths, files that are
//! not databases, world-readable personal files, misleading doctor advice.
//! Each test here failed before the fix it covers (issue 9, items 1–3, 6,
//! 14, 16, 17).

mod common;

use common::{Env, is_root};
use std::os::unix::fs::{MetadataExt, PermissionsExt, symlink};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn a_planted_link_is_never_followed_to_create_a_file() {
    let e = Env::new();
    let target = e.dir.path().join("root-owned-target");
    symlink(&target, e.db()).unwrap();
    for args in [&["new", "x"][..], &["list"], &["verify"], &["doctor"]] {
        let o = e.run(args);
        assert!(
            matches!(o.status.code(), Some(5) | Some(6)),
            "sev {args:?}: {}",
            stderr(&o)
        );
        assert!(
            format!("{}{}", stdout(&o), stderr(&o)).contains("symbolic link"),
            "sev {args:?} names the link: {}{}",
            stdout(&o),
            stderr(&o)
        );
        assert!(!target.exists(), "sev {args:?} created the link's target");
    }
    let report = stdout(&e.run(&["doctor"]));
    assert!(
        !report.contains("sev init"),
        "doctor must not suggest init through a link: {report}"
    );

    // A planted -wal link is refused too, and its target left alone.
    std::fs::remove_file(e.db()).unwrap();
    e.ok(&["new", "real"]);
    let wal = e.dir.path().join("sev.db-wal");
    let _ = std::fs::remove_file(&wal);
    let victim = e.dir.path().join("victim");
    std::fs::write(&victim, b"precious").unwrap();
    symlink(&victim, &wal).unwrap();
    let err = e.fails(&["list"], 5);
    assert!(
        err.contains("sev.db-wal") && err.contains("symbolic link"),
        "{err}"
    );
    assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
}

#[test]
fn init_refuses_a_linked_directory_or_database() {
    if !is_root() {
        eprintln!("skipped: needs root to create a group (CI runs as root)");
        return;
    }
    let g = Group::new("sevl");
    let e = Env::new();
    // The shared directory replaced by a link to somewhere root cares about.
    let elsewhere = e.dir.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    let shared = e.dir.path().join("shared");
    symlink(&elsewhere, &shared).unwrap();
    let o = e.run(&[
        "init",
        "--shared",
        shared.to_str().unwrap(),
        "--group",
        &g.0,
    ]);
    assert_ne!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stderr(&o).contains("symbolic link"), "{}", stderr(&o));
    let m = std::fs::metadata(&elsewhere).unwrap();
    assert_eq!(m.mode() & 0o7777, 0o755, "the link's target kept its mode");
    assert!(!elsewhere.join("sev.db").exists());

    // The database inside a real shared directory replaced by a dangling link.
    let real = e.dir.path().join("real");
    std::fs::create_dir(&real).unwrap();
    let target = e.dir.path().join("etc-cron-file");
    symlink(&target, real.join("sev.db")).unwrap();
    let o = e.run(&["init", "--shared", real.to_str().unwrap(), "--group", &g.0]);
    assert_eq!(o.status.code(), Some(5), "{}", stderr(&o));
    assert!(!target.exists(), "root created the link's target");
}

#[test]
fn read_commands_never_create_a_database_or_directory() {
    let e = Env::new();
    let typo = e.dir.path().join("typo.db");
    let deep = e.dir.path().join("no/such/dir/sev.db");
    for db in [&typo, &deep] {
        for args in [
            &["list"][..],
            &["show", "1"],
            &["search", "dns"],
            &["actions"],
            &["postmortem", "1"],
            &["verify"],
            &["verify", "--json"],
            &["ack", "1"],
            &["note", "1", "x"],
        ] {
            let o = e.cmd().env("SEV_DB", db).args(args).output().unwrap();
            assert_eq!(o.status.code(), Some(5), "sev {args:?}: {}", stderr(&o));
            assert!(
                stderr(&o).contains("no database at"),
                "sev {args:?}: {}",
                stderr(&o)
            );
        }
        let o = e.cmd().env("SEV_DB", db).arg("doctor").output().unwrap();
        assert_eq!(o.status.code(), Some(6));
        assert!(stdout(&o).contains("no database at"), "{}", stdout(&o));
    }
    assert!(!typo.exists(), "verify created the typo'd database");
    assert!(!e.dir.path().join("no").exists(), "a directory was created");
    // Writing creates it.
    e.cmd()
        .env("SEV_DB", &typo)
        .args(["new", "x"])
        .output()
        .unwrap();
    assert!(typo.exists());
}

#[test]
fn doctor_points_out_a_typo_beside_the_real_database() {
    let e = Env::new();
    e.ok(&["new", "x"]);
    let typo = e.dir.path().join("sevv.db");
    let o = e.cmd().env("SEV_DB", &typo).arg("doctor").output().unwrap();
    let report = stdout(&o);
    assert!(
        report.contains("sev.db") && report.contains("typo"),
        "{report}"
    );
    assert!(report.contains("--db"), "{report}");
}

#[test]
fn a_new_personal_database_is_private_whatever_the_umask() {
    let e = Env::new();
    let data = e.dir.path().join("xdg-data");
    let o = e
        .cmd()
        .env_remove("SEV_DB")
        .env("XDG_DATA_HOME", &data)
        .args(["new", "a security incident"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let dir = data.join("sev");
    assert_eq!(std::fs::metadata(&dir).unwrap().mode() & 0o777, 0o700);
    for f in ["sev.db", "sev.db-wal", "sev.db-shm"] {
        let p = dir.join(f);
        if p.exists() {
            assert_eq!(
                std::fs::metadata(&p).unwrap().mode() & 0o777,
                0o600,
                "{f} must be private"
            );
        }
    }
    // doctor warns about an old world-readable one, with a personal fix.
    std::fs::set_permissions(dir.join("sev.db"), std::fs::Permissions::from_mode(0o644)).unwrap();
    let o = e
        .cmd()
        .env("SEV_DB", dir.join("sev.db"))
        .arg("doctor")
        .output()
        .unwrap();
    let report = stdout(&o);
    assert!(report.contains("every local user can read it"), "{report}");
    assert!(report.contains("chmod 600"), "{report}");
    assert!(
        !report.contains("group cannot"),
        "not told to share: {report}"
    );
}

#[test]
fn files_that_are_not_databases_are_exit_5_with_the_reason() {
    let e = Env::new();
    let fifo = e.dir.path().join("fifo.db");
    nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::from_bits_truncate(0o600)).unwrap();
    let dir = e.dir.path().join("adir");
    std::fs::create_dir(&dir).unwrap();
    for (db, why) in [
        (Path::new("/dev/null"), "character device"),
        (Path::new("/dev/zero"), "character device"),
        (fifo.as_path(), "FIFO"),
        (dir.as_path(), "is a directory"),
    ] {
        for args in [&["list"][..], &["new", "x"]] {
            let o = e.cmd().env("SEV_DB", db).args(args).output().unwrap();
            assert_eq!(o.status.code(), Some(5), "{db:?} {args:?}: {}", stderr(&o));
            assert!(stderr(&o).contains(why), "{db:?}: {}", stderr(&o));
        }
        let start = Instant::now();
        let o = e.cmd().env("SEV_DB", db).arg("doctor").output().unwrap();
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "doctor hung on {db:?}"
        );
        assert_eq!(o.status.code(), Some(6));
        assert!(stdout(&o).contains(why), "{}", stdout(&o));
    }
}

#[test]
fn doctor_names_another_applications_file_and_missing_triggers() {
    let e = Env::new();
    let other = e.dir.path().join("other.db");
    {
        let c = rusqlite::Connection::open(&other).unwrap();
        c.execute_batch("CREATE TABLE photos (id INTEGER PRIMARY KEY);")
            .unwrap();
    }
    let o = e
        .cmd()
        .env("SEV_DB", &other)
        .arg("doctor")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(6));
    assert!(stdout(&o).contains("not a sev database"), "{}", stdout(&o));
    assert!(!stdout(&o).contains("upgrades it"), "{}", stdout(&o));

    e.ok(&["new", "x"]);
    let report = e.ok(&["doctor"]);
    assert!(report.contains("append-only"), "{report}");
    {
        let c = rusqlite::Connection::open(e.db()).unwrap();
        c.execute_batch("DROP TRIGGER events_no_delete;").unwrap();
    }
    let o = e.run(&["doctor"]);
    assert_eq!(o.status.code(), Some(6));
    assert!(
        stdout(&o).contains("events_no_delete missing"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn init_needs_a_real_group_name() {
    let e = Env::new();
    let dir = e.dir.path().join("new-shared");
    let o = e.run(&["init", "--shared", dir.to_str().unwrap(), "--group", ""]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("needs a group name"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("groupadd \n"), "{}", stderr(&o));
    let o = e.run(&["init", "--shared", dir.to_str().unwrap(), "--group", "root"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("privileged"), "{}", stderr(&o));
    assert!(!dir.exists(), "a failed init leaves no directory");
}

#[test]
fn doctor_never_suggests_joining_a_privileged_group() {
    if !is_root() {
        eprintln!("skipped: needs root to chgrp to root (CI runs as root)");
        return;
    }
    let e = Env::new();
    let shared = e.dir.path().join("shared");
    std::fs::create_dir(&shared).unwrap();
    let db = shared.join("sev.db");
    e.cmd()
        .env("SEV_DB", &db)
        .args(["new", "x"])
        .output()
        .unwrap();
    // An admin "shared" it through root's group.
    Command::new("chgrp")
        .args(["-R", "root", shared.to_str().unwrap()])
        .status()
        .unwrap();
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o2770)).unwrap();
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o660)).unwrap();
    let o = e.cmd().env("SEV_DB", &db).arg("doctor").output().unwrap();
    let report = stdout(&o);
    assert!(!report.contains("usermod -aG root"), "{report}");
    assert!(report.contains("privileged"), "{report}");
    assert!(report.contains("sev init --shared"), "{report}");
}

/// A throwaway Unix group, removed on drop.
struct Group(String);
impl Group {
    fn new(prefix: &str) -> Group {
        let name = format!("{prefix}{}", std::process::id() % 100_000);
        assert!(
            Command::new("groupadd")
                .arg(&name)
                .status()
                .unwrap()
                .success()
        );
        Group(name)
    }
}
impl Drop for Group {
    fn drop(&mut self) {
        let _ = Command::new("groupdel").arg(&self.0).status();
    }
}
