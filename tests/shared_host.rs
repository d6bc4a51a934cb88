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
    let Some((g, e)) = root_group("sevl") else {
        return;
    };
    // The shared directory replaced by a link to somewhere root cares about.
    let elsewhere = e.dir.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    let shared = e.dir.path().join("shared");
    symlink(&elsewhere, &shared).unwrap();
    let o = init(&e, &shared, &g.0);
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
    let o = init(&e, &real, &g.0);
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
    // Writing creates it, and says so on stderr (stdout stays the id).
    let o = e
        .cmd()
        .env("SEV_DB", &typo)
        .args(["new", "x"])
        .output()
        .unwrap();
    assert!(typo.exists());
    assert_eq!(stdout(&o).trim(), "INC-1");
    assert!(
        stderr(&o).contains("created a new database at") && stderr(&o).contains("check --db"),
        "{}",
        stderr(&o)
    );
    // Only the first time.
    let o = e
        .cmd()
        .env("SEV_DB", &typo)
        .args(["new", "y"])
        .output()
        .unwrap();
    assert!(!stderr(&o).contains("created"), "{}", stderr(&o));
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
    e.ok(&["list"]); // a writer brings the -wal/-shm back (sqlite3 removed them)
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
    run_tool("chgrp", &["-R", "root", shared.to_str().unwrap()]);
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o2770)).unwrap();
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o660)).unwrap();
    let o = e.cmd().env("SEV_DB", &db).arg("doctor").output().unwrap();
    let report = stdout(&o);
    assert!(!report.contains("usermod -aG root"), "{report}");
    assert!(report.contains("privileged"), "{report}");
    assert!(report.contains("sev init --shared"), "{report}");
}

/// As root: a throwaway group and a test environment. None (the test is
/// skipped) when not root: creating groups needs it, and CI runs as root.
fn root_group(prefix: &str) -> Option<(Group, Env)> {
    if !is_root() {
        eprintln!("skipped: needs root to create a group (CI runs as root)");
        return None;
    }
    Some((Group::new(prefix), Env::new()))
}

/// As root: a throwaway group and a directory shared with it by
/// `sev init --shared`. None (the test is skipped) when not root.
fn shared_setup(prefix: &str) -> Option<(Group, Env, std::path::PathBuf)> {
    let (g, e) = root_group(prefix)?;
    let shared = e.dir.path().join("shared");
    let o = init(&e, &shared, &g.0);
    assert!(o.status.success(), "{}", stderr(&o));
    Some((g, e, shared))
}

/// `sev init --shared DIR --group GROUP` in the test environment.
fn init(e: &Env, dir: &Path, group: &str) -> std::process::Output {
    e.run(&["init", "--shared", dir.to_str().unwrap(), "--group", group])
}

/// Run a system tool (chown, chgrp) that must succeed.
fn run_tool(tool: &str, args: &[&str]) {
    let st = Command::new(tool).args(args).status().unwrap();
    assert!(st.success(), "{tool} {args:?} failed");
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

// ---- Found by an adversarial review after the first round of fixes ----

#[test]
fn a_hard_link_is_never_used_as_the_database_or_its_wal() {
    let e = Env::new();
    e.ok(&["new", "mine"]);
    let theirs = e.dir.path().join("other-team.db");
    std::fs::write(&theirs, b"another team's data").unwrap();
    for name in ["sev.db-shm", "sev.db-wal"] {
        let side = e.dir.path().join(name);
        let _ = std::fs::remove_file(&side);
        std::fs::hard_link(&theirs, &side).unwrap();
        for args in [&["list"][..], &["new", "x"], &["verify"]] {
            let err = e.fails(args, 5);
            assert!(err.contains("hard links") && err.contains(name), "{err}");
        }
        let o = e.run(&["doctor"]);
        assert_eq!(o.status.code(), Some(6));
        assert!(stdout(&o).contains("hard links"), "{}", stdout(&o));
        std::fs::remove_file(&side).unwrap();
    }
    assert_eq!(std::fs::read(&theirs).unwrap(), b"another team's data");
    let m = std::fs::metadata(&theirs).unwrap();
    assert_eq!(m.mode() & 0o777, 0o644, "its mode was not changed");
}

#[test]
fn an_empty_file_is_not_a_database_to_a_read_command() {
    let e = Env::new();
    std::fs::write(e.db(), b"").unwrap();
    for args in [
        &["verify"][..],
        &["verify", "--head"],
        &["list"],
        &["show", "1"],
    ] {
        let err = e.fails(args, 5);
        assert!(err.contains("empty file"), "{err}");
    }
    let o = e.run(&["doctor"]);
    assert_eq!(o.status.code(), Some(6));
    assert!(stdout(&o).contains("empty file"), "{}", stdout(&o));
    assert_eq!(std::fs::metadata(e.db()).unwrap().len(), 0, "not migrated");
    assert!(!e.dir.path().join("sev.db-wal").exists());
}

#[test]
fn another_applications_file_is_left_exactly_as_it_was() {
    let e = Env::new();
    {
        let c = rusqlite::Connection::open(e.db()).unwrap();
        c.execute_batch("PRAGMA application_id = 42; CREATE TABLE t (x);")
            .unwrap();
    }
    let before = std::fs::read(e.db()).unwrap();
    for args in [&["list"][..], &["new", "x"]] {
        let err = e.fails(args, 5);
        assert!(err.contains("another application"), "{err}");
    }
    assert_eq!(
        std::fs::read(e.db()).unwrap(),
        before,
        "not switched to WAL"
    );
    assert!(!e.dir.path().join("sev.db-wal").exists());
}

#[test]
fn a_linked_parent_directory_is_fine() {
    let e = Env::new();
    let real = e.dir.path().join("data-home");
    std::fs::create_dir(&real).unwrap();
    let home = e.dir.path().join("home");
    symlink(&real, &home).unwrap();
    let db = home.join("sev.db");
    let o = e
        .cmd()
        .env("SEV_DB", &db)
        .args(["new", "x"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let o = e.cmd().env("SEV_DB", &db).args(["list"]).output().unwrap();
    assert!(stdout(&o).contains('x'), "{}", stderr(&o));
    let o = e
        .cmd()
        .env("SEV_DB", &db)
        .args(["doctor"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stdout(&o));
}

#[test]
fn doctor_writes_nothing_and_never_chmods_a_public_directory() {
    let e = Env::new();
    let public = e.dir.path().join("public");
    std::fs::create_dir(&public).unwrap();
    std::fs::set_permissions(&public, std::fs::Permissions::from_mode(0o1777)).unwrap();
    let db = public.join("mine.db");
    e.cmd()
        .env("SEV_DB", &db)
        .args(["new", "x"])
        .output()
        .unwrap();
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o664)).unwrap();
    let o = e.cmd().env("SEV_DB", &db).arg("doctor").output().unwrap();
    let report = stdout(&o);
    assert!(report.contains("chmod 600"), "{report}");
    assert!(
        !report.contains("chmod 700"),
        "never chmod a public directory: {report}"
    );
    assert!(
        !report.contains(&format!("sev init --shared {}", public.display())),
        "{report}"
    );
    // Without -wal/-shm, doctor inspects nothing rather than create them.
    for s in ["mine.db-wal", "mine.db-shm"] {
        std::fs::remove_file(public.join(s)).unwrap();
    }
    let before = std::fs::read(&db).unwrap();
    e.cmd().env("SEV_DB", &db).arg("doctor").output().unwrap();
    assert_eq!(std::fs::read(&db).unwrap(), before);
    assert!(!public.join("mine.db-wal").exists() && !public.join("mine.db-shm").exists());
}

#[test]
fn init_takes_over_no_directory_it_was_not_meant_for() {
    let Some((g, e)) = root_group("sevi") else {
        return;
    };
    // A directory with other files (a stand-in for /etc or a home).
    let busy = e.dir.path().join("busy");
    std::fs::create_dir(&busy).unwrap();
    std::fs::write(busy.join("passwd"), b"x").unwrap();
    std::fs::set_permissions(&busy, std::fs::Permissions::from_mode(0o755)).unwrap();
    let o = init(&e, &busy, &g.0);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("other files"), "{}", stderr(&o));
    assert_eq!(std::fs::metadata(&busy).unwrap().mode() & 0o7777, 0o755);
    // A public, sticky directory (a stand-in for /tmp).
    let tmp = e.dir.path().join("tmp");
    std::fs::create_dir(&tmp).unwrap();
    std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o1777)).unwrap();
    let o = init(&e, &tmp, &g.0);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(std::fs::metadata(&tmp).unwrap().mode() & 0o7777, 0o1777);
    // A trailing slash or /. must not follow a link to the directory.
    let target = e.dir.path().join("linktarget");
    std::fs::create_dir(&target).unwrap();
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o755)).unwrap();
    symlink(&target, e.dir.path().join("sldir")).unwrap();
    for p in ["sldir/", "sldir/."] {
        let p = format!("{}/{p}", e.dir.path().display());
        let o = e.run(&["init", "--shared", &p, "--group", &g.0]);
        assert_ne!(o.status.code(), Some(0), "{p}");
        assert!(stderr(&o).contains("symbolic link"), "{p}: {}", stderr(&o));
    }
    assert_eq!(std::fs::metadata(&target).unwrap().mode() & 0o7777, 0o755);
    assert!(!target.join("sev.db").exists());
}

#[test]
fn a_planted_file_in_a_public_directory_is_refused_and_doctor_never_says_join_its_group() {
    if !is_root() {
        eprintln!("skipped: needs root to own files as another user (CI runs as root)");
        return;
    }
    let e = Env::new();
    let public = e.dir.path().join("public");
    std::fs::create_dir(&public).unwrap();
    std::fs::set_permissions(&public, std::fs::Permissions::from_mode(0o1777)).unwrap();
    let db = public.join("sev.db");
    std::fs::write(&db, b"").unwrap();
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o666)).unwrap();
    run_tool("chown", &["nobody", db.to_str().unwrap()]);
    let o = e
        .cmd()
        .env("SEV_DB", &db)
        .args(["new", "secret"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(5), "{}", stderr(&o));
    assert!(stderr(&o).contains("another user"), "{}", stderr(&o));

    // In a shared directory, a -wal with a member's own group is fixed with
    // chgrp (or removed) — nobody is told to join that member's group.
    let g = Group::new("sevw");
    let shared = e.dir.path().join("shared");
    let o = init(&e, &shared, &g.0);
    assert!(o.status.success(), "{}", stderr(&o));
    let wal = shared.join("sev.db-wal");
    run_tool("chgrp", &["nogroup", wal.to_str().unwrap()]);
    std::fs::set_permissions(&wal, std::fs::Permissions::from_mode(0o600)).unwrap();
    let o = e
        .cmd()
        .env("SEV_DB", shared.join("sev.db"))
        .arg("doctor")
        .output()
        .unwrap();
    let report = stdout(&o);
    assert!(report.contains(&format!("chgrp {}", g.0)), "{report}");
    assert!(!report.contains("usermod -aG nogroup"), "{report}");
}

// ---- Found by the second adversarial review ----

#[test]
fn a_path_that_is_not_utf8_still_has_its_wal_checked() {
    use std::os::unix::ffi::OsStrExt;
    let e = Env::new();
    let mut raw = e.dir.path().as_os_str().as_bytes().to_vec();
    raw.extend_from_slice(b"/t\xffeam.db");
    let db = std::path::PathBuf::from(std::ffi::OsStr::from_bytes(&raw));
    let o = e
        .cmd()
        .env("SEV_DB", &db)
        .args(["new", "base"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let victim = e.dir.path().join("victim");
    std::fs::write(&victim, b"victim").unwrap();
    let mut wal = db.clone().into_os_string();
    wal.push("-wal");
    let _ = std::fs::remove_file(&wal);
    std::fs::hard_link(&victim, &wal).unwrap();
    let o = e
        .cmd()
        .env("SEV_DB", &db)
        .args(["note", "1", "x"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(5), "{}", stderr(&o));
    assert!(stderr(&o).contains("hard links"), "{}", stderr(&o));
    assert_eq!(std::fs::read(&victim).unwrap(), b"victim");
}

#[test]
fn a_file_sev_never_made_its_own_is_not_read_as_one() {
    let e = Env::new();
    let cases: [(&str, &str); 3] = [
        ("vacuumed.db", "VACUUM;"),
        ("appid.db", "PRAGMA application_id = 1234567;"),
        ("uv7.db", "PRAGMA user_version = 7;"),
    ];
    for (name, sql) in cases {
        let db = e.dir.path().join(name);
        {
            let c = rusqlite::Connection::open(&db).unwrap();
            c.execute_batch(sql).unwrap();
        }
        let before = std::fs::read(&db).unwrap();
        for args in [&["verify", "--head"][..], &["list"]] {
            let o = e.cmd().env("SEV_DB", &db).args(args).output().unwrap();
            assert_eq!(o.status.code(), Some(5), "{name} {args:?}: {}", stderr(&o));
            assert!(
                stderr(&o).contains("not a sev database")
                    || stderr(&o).contains("empty SQLite file"),
                "{}",
                stderr(&o)
            );
            assert!(!stderr(&o).contains("upgrade sev"), "{}", stderr(&o));
        }
        assert_eq!(std::fs::read(&db).unwrap(), before, "{name} was changed");
        assert!(!e.dir.path().join(format!("{name}-wal")).exists(), "{name}");
    }
}

#[test]
fn odd_paths_kernel_files_and_an_adopted_empty_file() {
    let e = Env::new();
    e.ok(&["new", "x"]);
    let slashed = format!("{}/", e.db().display());
    let o = e
        .cmd()
        .env("SEV_DB", &slashed)
        .arg("list")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let o = e
        .cmd()
        .env("SEV_DB", "/proc/1/environ")
        .arg("list")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(5));
    assert!(stderr(&o).contains("kernel file"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("init"), "{}", stderr(&o));
    let empty = e.dir.path().join("empty.db");
    std::fs::write(&empty, b"").unwrap();
    std::fs::set_permissions(&empty, std::fs::Permissions::from_mode(0o644)).unwrap();
    let o = e
        .cmd()
        .env("SEV_DB", &empty)
        .args(["new", "y"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(std::fs::metadata(&empty).unwrap().mode() & 0o777, 0o600);
}

#[test]
fn doctor_as_root_leaves_a_planted_wal_exactly_as_it_found_it() {
    let Some((g, e, shared)) = shared_setup("sevd") else {
        return;
    };
    let db = shared.join("sev.db");
    let wal = shared.join("sev.db-wal");
    std::fs::remove_file(&wal).unwrap();
    std::fs::write(&wal, b"").unwrap();
    run_tool("chown", &["nobody:nogroup", wal.to_str().unwrap()]);
    std::fs::set_permissions(&wal, std::fs::Permissions::from_mode(0o644)).unwrap();
    let o = e.cmd().env("SEV_DB", &db).arg("doctor").output().unwrap();
    assert_eq!(o.status.code(), Some(6));
    let report = stdout(&o);
    assert!(report.contains(&format!("chgrp {}", g.0)), "{report}");
    assert!(report.contains("not inspected"), "{report}");
    let m = std::fs::metadata(&wal).unwrap();
    assert_ne!(m.uid(), 0, "doctor gave the planted file to root");
    assert_eq!(m.mode() & 0o777, 0o644, "doctor changed its mode");
}

#[test]
fn init_changes_nothing_when_it_refuses_and_wants_a_parent_of_roots() {
    let Some((g, e)) = root_group("sevp") else {
        return;
    };
    let dir = e.dir.path().join("team");
    std::fs::create_dir(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o750)).unwrap();
    let other = e.dir.path().join("other.db");
    std::fs::write(&other, b"x").unwrap();
    std::fs::hard_link(&other, dir.join("sev.db")).unwrap();
    let o = init(&e, &dir, &g.0);
    assert_ne!(o.status.code(), Some(0));
    let m = std::fs::metadata(&dir).unwrap();
    assert_eq!(
        m.mode() & 0o7777,
        0o750,
        "the refused directory was changed"
    );
    assert_eq!(m.gid(), 0);

    let home = e.dir.path().join("home-of-nobody");
    std::fs::create_dir(&home).unwrap();
    run_tool("chown", &["nobody", home.to_str().unwrap()]);
    let inside = home.join("team");
    let o = init(&e, &inside, &g.0);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("belongs to nobody"), "{}", stderr(&o));
    assert!(!inside.exists());
}

#[test]
fn a_planted_file_in_a_group_directory_without_setgid_is_fixed_with_chgrp() {
    let Some((g, e, shared)) = shared_setup("sevn") else {
        return;
    };
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o770)).unwrap();
    let db = shared.join("sev.db");
    run_tool("chgrp", &["nogroup", db.to_str().unwrap()]);
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o600)).unwrap();
    run_tool("chown", &["nobody", db.to_str().unwrap()]);
    let o = e.cmd().env("SEV_DB", &db).arg("doctor").output().unwrap();
    let report = stdout(&o);
    assert!(!report.contains("usermod -aG nogroup"), "{report}");
    assert!(report.contains(&format!("chgrp {}", g.0)), "{report}");
}
