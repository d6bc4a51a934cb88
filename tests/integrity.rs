//! Data integrity through the real binary: the close policy cannot be
//! dodged, "-" clears, empty input never silently erases, corrupt rows are
//! named instead of hiding everything, wrong arguments are called wrong.

mod common;

use common::Env;
use std::io::Write;
use std::process::Stdio;

/// Run with `input` on stdin; (exit code, stdout, stderr).
fn with_stdin(e: &Env, args: &[&str], input: &str) -> (Option<i32>, String, String) {
    let mut child = e
        .cmd()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let o = child.wait_with_output().unwrap();
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn downgrading_before_close_does_not_dodge_the_close_policy() {
    let e = Env::new();
    e.ok(&["new", "Payments down", "--severity", "SEV1"]);
    e.ok(&["resolve", "1", "--summary", "rolled back"]);
    e.ok(&["set", "1", "severity=SEV4"]);
    // The attack: close as a SEV4, then raise it back.
    let err = e.fails(&["close", "1"], 2);
    assert!(
        err.contains("was SEV1 (now SEV4") && err.contains("a postmortem"),
        "{err}"
    );
    // Raising it back is the other half of the attack; the incident stays
    // resolved, so nothing was closed without its postmortem.
    e.ok(&["set", "1", "severity=SEV1"]);
    let j = e.json(&["show", "1"]);
    assert_eq!(
        (j["status"].as_str(), j["severity"].as_str()),
        (Some("resolved"), Some("SEV1"))
    );
    // An incident that never was severe still closes without one.
    e.ok(&["new", "Slow dashboard", "--severity", "SEV4"]);
    e.ok(&["resolve", "2", "--summary", "cache warmed"]);
    e.ok(&["close", "2"]);
}

#[test]
fn closed_incidents_refuse_field_edits_until_reopened() {
    let e = Env::new();
    e.ok(&["new", "Slow dashboard", "--severity", "SEV4"]);
    e.ok(&["resolve", "1", "--summary", "cache warmed"]);
    e.ok(&["close", "1"]);
    let err = e.fails(&["set", "1", "severity=SEV1"], 2);
    assert!(
        err.contains("INC-1 is closed") && err.contains("sev reopen INC-1"),
        "{err}"
    );
    let err = e.fails(&["assign", "1", "bob"], 2);
    assert!(err.contains("reopen"), "{err}");
    let j = e.json(&["show", "1"]);
    assert_eq!(
        (j["status"].as_str(), j["severity"].as_str()),
        (Some("closed"), Some("SEV4"))
    );
    // Notes are additions, not edits: still allowed.
    e.ok(&["note", "1", "found the cause later"]);
    // Through a reopen the change is allowed, and the policy applies again.
    e.ok(&["reopen", "1"]);
    e.ok(&["set", "1", "severity=SEV1"]);
    e.ok(&["resolve", "1", "--summary", "cache warmed"]);
    assert!(e.fails(&["close", "1"], 2).contains("cannot close yet"));
}

#[test]
fn a_dash_clears_every_clearable_field() {
    let e = Env::new();
    e.ok(&[
        "new",
        "x",
        "--description",
        "long story",
        "--tag",
        "db",
        "--tag",
        "net",
        "--service",
        "api",
        "--category",
        "deploy",
        "--assignee",
        "alice",
    ]);
    e.ok(&["set", "1", "commander=bob", "scribe=carol", "comms=dave"]);
    let fields = [
        ("description", ""),
        ("tags", "[]"),
        ("service", "null"),
        ("category", "null"),
        ("assignee", "null"),
        ("commander", "null"),
        ("scribe", "null"),
        ("comms", "null"),
    ];
    for (f, _) in fields {
        let j = e.json(&["show", "1"]);
        assert!(
            j[f] != serde_json::Value::Null && j[f] != "" && j[f] != serde_json::json!([]),
            "{f} should be set before: {j}"
        );
        e.ok(&["set", "1", &format!("{f}=-")]);
    }
    let j = e.json(&["show", "1"]);
    for (f, cleared) in fields {
        let want: serde_json::Value = if cleared.is_empty() {
            serde_json::json!("")
        } else {
            serde_json::from_str(cleared).unwrap()
        };
        assert_eq!(j[f], want, "{f} after {f}=-: {j}");
    }
    // The timeline says it was cleared, not set to "-".
    let shown = e.ok(&["show", "1"]);
    assert!(!shown.contains("→ -"), "{shown}");
}

#[test]
fn actions_of_a_missing_incident_is_not_found() {
    let e = Env::new();
    e.ok(&["new", "x"]);
    let err = e.fails(&["actions", "--incident", "99999"], 3);
    assert!(err.contains("no incident INC-99999"), "{err}");
    e.ok(&["actions", "--incident", "1"]);
}

#[test]
fn a_version_the_incident_never_had_is_a_usage_error() {
    let e = Env::new();
    e.ok(&["new", "x"]);
    e.ok(&["set", "1", "severity=SEV2"]);
    for v in ["999", "3", "0"] {
        let err = e.fails(&["set", "1", "severity=SEV4", "--if-version", v], 2);
        assert!(
            err.contains("INC-1 is at version 2")
                && err.contains(&format!("--if-version {v} is not a version it has had")),
            "{err}"
        );
        assert!(!err.contains("someone changed"), "{err}");
    }
    // An older version it did have is still a conflict (exit 4).
    let err = e.fails(&["set", "1", "severity=SEV4", "--if-version", "1"], 4);
    assert!(err.contains("someone changed"), "{err}");
    e.ok(&["set", "1", "severity=SEV4", "--if-version", "2"]);
}

#[test]
fn an_empty_section_from_stdin_is_refused_and_clear_is_explicit() {
    let e = Env::new();
    e.ok(&["new", "x"]);
    let (code, out, _) = with_stdin(
        &e,
        &["postmortem", "1", "--section", "root-cause"],
        "A bad push\n",
    );
    assert_eq!(code, Some(0));
    assert!(out.contains("root-cause saved"), "{out}");
    for empty in ["", "  \n\n"] {
        let (code, out, err) =
            with_stdin(&e, &["postmortem", "1", "--section", "root-cause"], empty);
        assert_eq!(code, Some(2), "{out}{err}");
        assert!(!out.contains("saved"), "{out}");
        assert!(
            err.contains("root-cause section is empty") && err.contains("--clear"),
            "{err}"
        );
    }
    let err = e.fails(
        &["postmortem", "1", "--section", "root-cause", "--text", " "],
        2,
    );
    assert!(err.contains("--clear"), "{err}");
    let md = e.ok(&["postmortem", "1"]);
    assert!(md.contains("A bad push"), "the section was erased: {md}");
    // The same text again changes nothing and says so.
    let out = e.ok(&[
        "postmortem",
        "1",
        "--section",
        "root-cause",
        "--text",
        "A bad push",
    ]);
    assert!(out.contains("unchanged") && !out.contains("saved"), "{out}");
    // --clear is the way to empty it.
    let out = e.ok(&["postmortem", "1", "--section", "root-cause", "--clear"]);
    assert!(out.contains("root-cause cleared"), "{out}");
    assert!(!e.ok(&["postmortem", "1"]).contains("A bad push"));
    let o = e.run(&[
        "postmortem",
        "1",
        "--section",
        "root-cause",
        "--clear",
        "--text",
        "x",
    ]);
    assert_eq!(o.status.code(), Some(2));
}

fn raw(e: &Env) -> rusqlite::Connection {
    rusqlite::Connection::open(e.db()).unwrap()
}

#[test]
fn a_corrupt_row_is_named_and_the_rest_still_listed() {
    let e = Env::new();
    for t in [
        "Alpha outage",
        "Bravo outage",
        "Charlie outage",
        "Delta outage",
    ] {
        e.ok(&["new", t]);
    }
    raw(&e)
        .execute_batch(
            "UPDATE incidents SET title = CAST(x'4272ff' AS TEXT) WHERE id = 2;
             UPDATE incidents SET status = 'bogus' WHERE id = 3;",
        )
        .unwrap();
    for args in [&["list", "--all"][..], &["search", "outage"][..]] {
        let o = e.run(args);
        let (out, err) = (
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr),
        );
        assert_eq!(o.status.code(), Some(5), "{args:?}: {out}{err}");
        assert!(
            out.contains("Alpha outage") && out.contains("Delta outage"),
            "{args:?}: the readable rows must still be shown: {out}"
        );
        assert!(
            err.contains("INC-2: its title is not valid UTF-8")
                && err.contains("restore a backup or run sev doctor"),
            "{args:?}: {err}"
        );
        assert_eq!(err.lines().count(), 1, "{err}");
    }
    // list names both; JSON still carries the readable rows.
    let o = e.run(&["list", "--all", "--json"]);
    assert_eq!(o.status.code(), Some(5));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 2, "{v}");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("2 incidents are unreadable") && err.contains("INC-3"),
        "{err}"
    );
    let err = e.fails(&["show", "2"], 5);
    assert_eq!(
        err.trim(),
        "sev: INC-2 is unreadable: its title is not valid UTF-8 text — restore a backup or run sev doctor"
    );
    let err = e.fails(&["show", "INC-3"], 5);
    assert!(
        err.contains("INC-3 is unreadable: its status is bad: 'bogus'"),
        "{err}"
    );
    e.fails(&["set", "2", "severity=SEV1"], 5);
    assert!(e.json(&["show", "1"])["title"] == "Alpha outage");
}

#[test]
fn verify_reports_an_undecodable_event_as_tampering() {
    for (name, value) in [
        ("BLOB", "x'6f6b'"),
        ("invalid UTF-8", "CAST(x'6fff' AS TEXT)"),
    ] {
        let e = Env::new();
        e.ok(&["new", "x"]);
        e.ok(&["note", "1", "a note"]);
        e.ok(&["note", "1", "another"]);
        assert!(e.ok(&["verify"]).contains("3 events"));
        // An attacker with write access to the file gets past the
        // append-only trigger by dropping it.
        raw(&e)
            .execute_batch(&format!(
                "DROP TRIGGER events_no_update; UPDATE events SET text = {value} WHERE id = 2;"
            ))
            .unwrap();
        let err = e.fails(&["verify"], 6);
        assert!(
            err.contains("broken at event #2 (INC-1)") && err.contains("its text"),
            "{name}: {err}"
        );
        let err = e.fails(&["show", "1"], 5);
        assert!(
            err.contains("event #2 of INC-1 is unreadable"),
            "{name}: {err}"
        );
    }
}

#[test]
fn doctor_names_the_unreadable_rows_it_is_sent_to() {
    let e = Env::new();
    e.ok(&["new", "fine"]);
    e.ok(&["new", "broken"]);
    {
        let c = rusqlite::Connection::open(e.db()).unwrap();
        c.execute_batch("UPDATE incidents SET status = 'exploded' WHERE id = 2;")
            .unwrap();
    }
    e.run(&["list"]); // sqlite3 removed -wal/-shm on close; a writer keeps them again
    let o = e.run(&["doctor"]);
    assert_eq!(o.status.code(), Some(6));
    let report = String::from_utf8_lossy(&o.stdout);
    assert!(
        report.contains("1 of 2 incidents cannot be read") && report.contains("INC-2"),
        "{report}"
    );
}

/// A closed pipe (`sev … | head`) or a full disk (`> /dev/full`) is not a
/// crash: found by a new-user walkthrough (exit 101 with a backtrace).
#[test]
fn output_that_cannot_be_written_is_not_a_crash() {
    use std::io::{BufRead, BufReader};
    let e = Env::new();
    e.ok(&["demo", "--count", "2000"]); // a list longer than a pipe buffer
    for args in [
        &["completions", "bash"][..],
        &["list", "--all", "--limit", "0"],
    ] {
        let mut child = e
            .cmd()
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        // The reader goes away, like `head -1`.
        let o = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            !err.contains("crashed") && !err.contains("panicked"),
            "{args:?}: {err}"
        );
        assert_ne!(o.status.code(), Some(101), "{args:?}");
    }
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let o = e
        .cmd()
        .args(["list", "--all"])
        .stdout(full)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("cannot write the output"), "{err}");
    assert!(!err.contains("crashed"), "{err}");
}
