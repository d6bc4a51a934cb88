//! One file, many responders: the audit chain, shared setup and doctor,
//! concurrent writer processes, and a writer killed mid-loop.

mod common;

use common::is_root;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn sev(db: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_sev"));
    c.env("SEV_DB", db)
        .env("SEV_CONFIG", "")
        .env("SEV_SYSTEM_CONFIG", "/nonexistent")
        .stdin(Stdio::null());
    c
}

fn run(db: &Path, args: &[&str]) -> Output {
    sev(db).args(args).output().unwrap()
}

fn ok(db: &Path, args: &[&str]) -> String {
    let o = run(db, args);
    assert!(
        o.status.success(),
        "sev {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).unwrap()
}

fn fails(db: &Path, args: &[&str], code: i32) -> String {
    let o = run(db, args);
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(
        o.status.code(),
        Some(code),
        "sev {args:?}: {err} {}",
        String::from_utf8_lossy(&o.stdout)
    );
    err
}

fn raw(db: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(db).unwrap()
}

fn setup() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sev.db");
    ok(&db, &["new", "Checkout down", "--severity", "SEV2"]);
    for i in 0..5 {
        ok(&db, &["note", "1", &format!("note {i}")]);
    }
    ok(&db, &["ack", "1"]);
    (dir, db)
}

#[test]
fn an_event_edited_behind_sevs_back_is_caught() {
    let (_d, db) = setup();
    assert!(ok(&db, &["verify"]).contains("audit trail ok: 8 events"));
    let c = raw(&db);
    c.execute_batch(
        "DROP TRIGGER events_no_update; UPDATE events SET text = 'nothing to see' WHERE id = 4;",
    )
    .unwrap();
    let err = fails(&db, &["verify"], 6);
    assert!(
        err.contains("broken at event #4 (INC-1)") && err.contains("changed"),
        "{err}"
    );
}

#[test]
fn a_deleted_event_is_caught_in_the_middle_and_at_the_end() {
    let (_d, db) = setup();
    let head = ok(&db, &["verify", "--head"]).trim().to_string();
    assert!(head.starts_with("8:") && head.len() == 2 + 64, "{head}");
    let c = raw(&db);
    c.execute_batch("DROP TRIGGER events_no_delete; DELETE FROM events WHERE id = 8;")
        .unwrap();
    // Dropping the newest event leaves a valid shorter chain: the logged head catches it.
    ok(&db, &["verify"]);
    let err = fails(&db, &["verify", "--expect", &head], 6);
    assert!(err.contains("#8 is gone"), "{err}");
    c.execute("DELETE FROM events WHERE id = 3", []).unwrap();
    let err = fails(&db, &["verify"], 6);
    assert!(
        err.contains("event #4") && err.contains("does not follow event #2"),
        "{err}"
    );
    fails(&db, &["verify", "--expect", "nonsense"], 2);
}

#[test]
fn an_older_database_gets_its_chain_on_upgrade() {
    let (_d, db) = setup();
    // Make it look like a version-2 database: no hash column, no presence,
    // started_at not yet renamed, the old list index.
    let c = raw(&db);
    c.execute_batch(
        "DROP INDEX incidents_attention; ALTER TABLE incidents DROP COLUMN attention;
         CREATE INDEX incidents_list ON incidents (is_open DESC, priority, created_at DESC, id DESC);
         ALTER TABLE incidents RENAME COLUMN impact_started_at TO started_at;
         UPDATE incidents SET started_at = created_at - 600;
         ALTER TABLE events DROP COLUMN hash; DROP TABLE presence;
         DROP TABLE leases; DROP TABLE incident_links; DROP TABLE heartbeats;
         DROP TABLE maintenance; DROP TABLE alert_groups; DROP TABLE alerts;
         DROP TABLE intake_bodies; DROP INDEX action_items_done;
         ALTER TABLE action_items DROP COLUMN done_at; DROP INDEX incidents_created;
         DROP TABLE outbox; DROP TABLE escalations; DROP TABLE oncall_overrides;
         DROP TABLE contacts; PRAGMA user_version = 2;",
    )
    .unwrap();
    drop(c);
    assert!(ok(&db, &["verify"]).contains("8 events"));
    // The impact start recorded before the upgrade is still there.
    let show = ok(&db, &["show", "1", "--json"]);
    assert!(show.contains("\"impact_started_at\": \"20"), "{show}");
    ok(&db, &["note", "1", "after the upgrade"]);
    assert!(ok(&db, &["verify"]).contains("9 events"));
}

#[test]
fn eight_writer_processes_at_once_lose_nothing() {
    let (_d, db) = setup();
    let per = 20;
    let children: Vec<_> = (0..8)
        .map(|w| {
            let db = db.clone();
            std::thread::spawn(move || {
                let mut errors = Vec::new();
                for i in 0..per {
                    let args: Vec<String> = if i % 2 == 0 {
                        vec!["note".into(), "1".into(), format!("writer {w} note {i}")]
                    } else {
                        vec![
                            "set".into(),
                            "1".into(),
                            format!("severity=SEV{}", 2 + (w + i) % 2),
                        ]
                    };
                    let o = sev(&db).args(&args).output().unwrap();
                    if !o.status.success() {
                        errors.push(String::from_utf8_lossy(&o.stderr).into_owned());
                    }
                }
                errors
            })
        })
        .collect();
    let errors: Vec<String> = children
        .into_iter()
        .flat_map(|c| c.join().unwrap())
        .collect();
    assert!(errors.is_empty(), "a user saw errors: {errors:?}");
    let c = raw(&db);
    let notes: i64 = c
        .query_row(
            "SELECT count(*) FROM events WHERE kind = 'note' AND text LIKE 'writer %'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(notes, 8 * per as i64 / 2, "every note accounted for");
    let check: String = c
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    ok(&db, &["verify"]);
}

#[test]
fn a_writer_killed_mid_loop_keeps_every_acknowledged_write() {
    let (_d, db) = setup();
    let script = "for i in $(seq 1 400); do \"$SEV\" note 1 \"k$i\" >/dev/null && echo $i; done";
    let child = Command::new("bash")
        .arg("-c")
        .arg(script)
        .env("SEV", env!("CARGO_BIN_EXE_sev"))
        .env("SEV_DB", &db)
        .env("SEV_CONFIG", "")
        .stdout(Stdio::piped())
        .process_group(0)
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(700));
    // SIGKILL the whole loop, including a sev in the middle of a write.
    // SAFETY: signalling the process group of our own child.
    unsafe { libc::kill(-(child.id() as i32), libc::SIGKILL) };
    let out = child.wait_with_output().unwrap();
    let acked: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| format!("k{l}"))
        .collect();
    assert!(acked.len() > 3, "the loop barely ran: {acked:?}");
    let c = raw(&db);
    for a in &acked {
        let n: i64 = c
            .query_row("SELECT count(*) FROM events WHERE text = ?", [a], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(n, 1, "acknowledged note {a} is missing");
    }
    drop(c);
    // Others open it cleanly; the chain is intact.
    ok(&db, &["list"]);
    ok(&db, &["verify"]);
}

use std::os::unix::process::CommandExt;

#[test]
fn init_shared_then_doctor_explains_every_broken_permission() {
    if !is_root() {
        eprintln!("skipped: needs root to create a group (CI runs as root)");
        return;
    }
    let group = format!("sevt{}", std::process::id() % 100_000);
    let st = Command::new("groupadd").arg(&group).status().unwrap();
    assert!(st.success(), "groupadd failed");
    let _cleanup = scopeguard(group.clone());
    let dir = tempfile::tempdir().unwrap();
    let shared = dir.path().join("shared");
    let db = shared.join("sev.db");
    let out = ok(
        &db,
        &[
            "init",
            "--shared",
            shared.to_str().unwrap(),
            "--group",
            &group,
        ],
    );
    assert!(out.contains("database = "), "{out}");
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let dm = std::fs::metadata(&shared).unwrap();
    assert_eq!(dm.mode() & 0o7777, 0o2770);
    let fm = std::fs::metadata(&db).unwrap();
    assert_eq!(
        fm.mode() & 0o777,
        0o660,
        "created 0660 on purpose, whatever the umask"
    );
    assert_eq!(fm.gid(), dm.gid());
    ok(&db, &["new", "shared incident"]);
    let report = ok(&db, &["doctor"]);
    assert!(
        !report.contains("FAIL") && !report.contains("WARN"),
        "{report}"
    );

    // Break it the ways people do, one at a time, and read the fixes.
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o775)).unwrap();
    let o = run(&db, &["doctor"]);
    assert_eq!(o.status.code(), Some(6));
    let report = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        report.contains("not setgid") && report.contains("fix: chmod g+s"),
        "{report}"
    );
    assert!(
        report.contains("open to users outside the group") && report.contains("chmod o-rwx"),
        "{report}"
    );
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o3770)).unwrap();
    let report = String::from_utf8_lossy(&run(&db, &["doctor"]).stdout).into_owned();
    assert!(
        report.contains("sticky") && report.contains("chmod -t"),
        "{report}"
    );
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o2770)).unwrap();
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
    let report = String::from_utf8_lossy(&run(&db, &["doctor"]).stdout).into_owned();
    assert!(
        report.contains("the group cannot read and write") && report.contains("chmod 660"),
        "{report}"
    );
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o660)).unwrap();
    Command::new("chgrp")
        .args(["root", db.to_str().unwrap()])
        .status()
        .unwrap();
    let report = String::from_utf8_lossy(&run(&db, &["doctor"]).stdout).into_owned();
    assert!(
        report.contains(&format!("group root instead of {group}"))
            && report.contains(&format!("chgrp {group}")),
        "{report}"
    );
    let j: serde_json::Value =
        serde_json::from_slice(&run(&db, &["doctor", "--json"]).stdout).unwrap();
    assert!(
        j.as_array()
            .unwrap()
            .iter()
            .any(|f| f["level"] == "fail" && f["check"] == "database file")
    );
    // A missing database is explained too.
    let err = run(&dir.path().join("nope.db"), &["doctor"]);
    assert!(
        String::from_utf8_lossy(&err.stdout).contains("no database at"),
        "{err:?}"
    );
}

struct GroupGuard(String);
impl Drop for GroupGuard {
    fn drop(&mut self) {
        let _ = Command::new("groupdel").arg(&self.0).status();
    }
}
fn scopeguard(g: String) -> GroupGuard {
    GroupGuard(g)
}

#[test]
fn under_sudo_the_human_is_recorded_with_the_effective_user() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sev.db");
    let o = sev(&db)
        .env("SUDO_USER", "alice")
        .args(["new", "x"])
        .output()
        .unwrap();
    assert!(o.status.success());
    ok(&db, &["ack", "1"]);
    let o = sev(&db)
        .env("SUDO_USER", "alice")
        .args(["show", "1", "--json"])
        .output()
        .unwrap();
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    if is_root() {
        assert_eq!(j["reporter"], "alice (sudo root)");
        assert_eq!(j["events"][0]["actor"], "alice (sudo root)");
    } else {
        // Not root: SUDO_USER is only an environment variable, ignored.
        assert_ne!(j["reporter"], "alice (sudo root)");
    }
    let o = sev(&db)
        .env("SUDO_USER", "alice")
        .args(["assign", "1", "--json"])
        .output()
        .unwrap();
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    if is_root() {
        assert_eq!(j["assignee"], "alice", "\"me\" is the human's login");
    }
}
