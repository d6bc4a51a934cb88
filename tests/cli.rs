//! End-to-end tests of the real `sev` binary against temporary databases.

mod common;

use common::Env;
use std::io::Write;
use std::path::Path;
use std::process::Stdio;

#[test]
fn whole_workflow_from_the_command_line() {
    for e in Env::all() {
        let r = e.ok(&[
            "new",
            "Checkout",
            "returns",
            "500s",
            "--severity",
            "SEV2",
            "--service",
            "checkout",
        ]);
        assert_eq!(r.trim(), "INC-1");
        e.ok(&[
            "set",
            "INC-1",
            "category=deploy",
            "impact=high",
            "urgency=high",
        ]);
        let j = e.json(&["show", "1"]);
        assert_eq!(j["priority"], "P1");
        assert_eq!(j["category"], "deploy");
        let ack = e.ok(&["ack", "1"]);
        assert!(ack.contains("triage → acknowledged"), "{ack}");
        e.ok(&["set", "1", "commander=alice", "scribe=bob"]);
        e.ok(&["status", "1", "investigating"]);
        e.ok(&["note", "1", "rolled", "back", "deploy"]);
        let mut c = e.cmd();
        let mut child = c
            .args(["note", "1"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(b"multi\nline note\n")
            .unwrap();
        assert!(child.wait_with_output().unwrap().status.success());
        e.ok(&["status", "1", "mitigated"]);
        e.ok(&["resolve", "1", "--summary", "Rolled back release 42"]);
        // A SEV2 closes only with a published postmortem and an owned action.
        let refusal = e.fails(&["close", "1"], 2);
        assert!(refusal.contains("cannot close yet"), "{refusal}");
        e.ok(&[
            "postmortem",
            "1",
            "--section",
            "root-cause",
            "--text",
            "bad deploy",
        ]);
        e.ok(&["postmortem", "1", "--status", "published"]);
        e.ok(&["action", "add", "1", "Canary deploys", "--owner", "alice"]);
        e.ok(&["close", "1"]);

        let j = e.json(&["show", "INC-1"]);
        assert_eq!(j["status"], "closed");
        assert_eq!(j["ref"], "INC-1");
        assert_eq!(j["id"], 1);
        assert_eq!(j["resolution"], "Rolled back release 42");
        assert_eq!(j["commander"], "alice");
        for k in [
            "created_at",
            "acknowledged_at",
            "mitigated_at",
            "resolved_at",
            "closed_at",
        ] {
            let t = j[k].as_str().unwrap_or_else(|| panic!("{k} missing"));
            assert!(t.ends_with('Z') && t.len() == 20, "{k}={t}");
        }
        let events = j["events"].as_array().unwrap();
        let kinds: Vec<&str> = events.iter().map(|e| e["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds.iter().filter(|k| **k == "note").count(), 2);
        assert_eq!(kinds[0], "created");
        assert!(events.iter().any(|e| e["text"] == "multi\nline note"));
        for e in events {
            for k in ["at", "actor", "kind", "field", "old", "new", "text"] {
                assert!(e.get(k).is_some(), "event field {k}");
            }
        }
        // Closed incidents leave the default list but stay in --all.
        assert_eq!(e.json(&["list"]).as_array().unwrap().len(), 0);
        assert_eq!(e.json(&["list", "--all"]).as_array().unwrap().len(), 1);
        e.ok(&["reopen", "1"]);
        assert_eq!(e.json(&["show", "1"])["status"], "investigating");
        e.ok(&["cancel", "1", "--reason", "duplicate"]);
        assert_eq!(e.json(&["show", "1"])["status"], "cancelled");
    }
}

#[test]
fn list_filters() {
    let e = Env::new();
    e.ok(&[
        "new",
        "db down",
        "--severity",
        "1",
        "--impact",
        "high",
        "--urgency",
        "high",
        "--service",
        "db",
    ]);
    e.ok(&[
        "new",
        "typo on page",
        "--severity",
        "SEV5",
        "--impact",
        "low",
        "--urgency",
        "low",
    ]);
    e.ok(&["new", "mine", "--assignee", "zed"]);
    let refs = |args: &[&str]| -> Vec<String> {
        e.json(args)
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["ref"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(refs(&["list"]), ["INC-1", "INC-3", "INC-2"]);
    assert_eq!(refs(&["list", "--severity", "SEV1"]), ["INC-1"]);
    assert_eq!(refs(&["list", "--priority", "P5"]), ["INC-2"]);
    assert_eq!(refs(&["list", "--service", "db"]), ["INC-1"]);
    assert_eq!(refs(&["list", "--assignee", "zed"]), ["INC-3"]);
    assert_eq!(refs(&["list", "--search", "TYPO"]), ["INC-2"]);
    assert_eq!(refs(&["list", "--limit", "1"]), ["INC-1"]);
    assert_eq!(
        refs(&["list", "--status", "triage"]),
        ["INC-1", "INC-3", "INC-2"]
    );
    let table = e.ok(&["list"]);
    assert!(table.starts_with("REF"), "{table}");
    assert!(table.contains("db down"));
}

#[test]
fn bad_input_gets_one_clear_line_and_the_right_exit_code() {
    let e = Env::new();
    e.ok(&["new", "x"]);
    let err = e.fails(&["show", "42"], 3);
    assert!(err.contains("no incident INC-42"), "{err}");
    e.fails(&["show", "abc"], 2);
    let err = e.fails(&["close", "1"], 2);
    assert!(
        err.contains("legal next states are acknowledged, investigating"),
        "{err}"
    );
    let err = e.fails(&["set", "1", "severity=SEV0"], 2);
    assert!(err.contains("expected one of SEV1"), "{err}");
    let err = e.fails(&["set", "1", "colour=red"], 2);
    assert!(err.contains("invalid field 'colour'"), "{err}");
    let err = e.fails(&["set", "1", "impact=huge"], 2);
    assert!(err.contains("high, medium, low"), "{err}");
    let err = e.fails(&["new", "y", "--category", "dsn"], 2);
    assert!(err.contains("[taxonomy] categories"), "{err}");
    e.fails(&["resolve", "1", "--summary", " "], 2);
    e.fails(&["status", "1", "resolved"], 2);
    e.fails(&["status", "1", "sideways"], 2);
    e.fails(&["note", "1", " "], 2);
    e.fails(&["reopen", "1"], 2);
    // Nothing half-written: still at version 1, one event.
    let j = e.json(&["show", "1"]);
    assert_eq!(
        (j["version"].as_i64(), j["events"].as_array().unwrap().len()),
        (Some(1), 1)
    );
    // Usage errors from clap also exit 2.
    let o = e.run(&["new"]);
    assert_eq!(o.status.code(), Some(2));
    let o = e.run(&["--help"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&o.stdout).contains("Exit codes"));
}

#[test]
fn stale_version_is_a_conflict_with_exit_4() {
    let e = Env::new();
    e.ok(&["new", "x"]);
    e.ok(&["set", "1", "severity=SEV2", "--if-version", "1"]);
    let err = e.fails(&["set", "1", "severity=SEV4", "--if-version", "1"], 4);
    assert!(err.contains("'SEV2'") && err.contains("'SEV4'"), "{err}");
    assert_eq!(e.json(&["show", "1"])["severity"], "SEV2");
}

#[test]
fn malformed_config_is_reported_with_line_and_column() {
    let e = Env::new();
    let cfg = e.dir.path().join("config.toml");
    std::fs::write(
        &cfg,
        "[defaults]\nseverity = \"SEV3\"\nurgency = \"yesterday\"\n",
    )
    .unwrap();
    let o = e
        .cmd()
        .env("SEV_CONFIG", &cfg)
        .args(["config", "check"])
        .output()
        .unwrap();
    let err = String::from_utf8(o.stderr).unwrap();
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains(&format!("{}:3:11:", cfg.display())), "{err}");
    std::fs::write(&cfg, "[defaults]\nseverity = \"SEV3\"\nflavour = 1\n").unwrap();
    let o = e
        .cmd()
        .env("SEV_CONFIG", &cfg)
        .args(["list"])
        .output()
        .unwrap();
    let err = String::from_utf8(o.stderr).unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(err.contains(":3:1:") && err.contains("flavour"), "{err}");
    std::fs::write(&cfg, "[defaults]\nseverity = \"SEV4\"\n").unwrap();
    let o = e
        .cmd()
        .env("SEV_CONFIG", &cfg)
        .args(["config", "show"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&o.stdout).contains("severity = \"SEV4\""));
    std::fs::write(&cfg, "[keys.normal]\n\"x\" = \"acknowlege\"\n").unwrap();
    let o = e
        .cmd()
        .env("SEV_CONFIG", &cfg)
        .args(["config", "check"])
        .output()
        .unwrap();
    let err = String::from_utf8(o.stderr).unwrap();
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains(":2:7:") && err.contains("unknown action 'acknowlege'"),
        "{err}"
    );
    let o = e
        .cmd()
        .args(["--config", "/nonexistent/sev.toml", "list"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
}

fn assert_terminal_safe(s: &str) {
    for c in s.chars() {
        assert!(
            c == '\n'
                || !(c.is_control()
                    || ('\u{200b}'..='\u{200f}').contains(&c)
                    || ('\u{202a}'..='\u{202e}').contains(&c)
                    || ('\u{2066}'..='\u{2069}').contains(&c)),
            "raw {c:?} in output: {s:?}"
        );
    }
}

#[test]
fn hostile_text_is_printed_safely_everywhere() {
    let e = Env::new();
    let evil = "pwn \u{1b}]0;owned\u{7}\u{1b}[2J \u{202e}gnp.exe \u{200b}\u{9b}";
    e.ok(&[
        "new",
        evil,
        "--description",
        evil,
        "--service",
        "svc\u{1b}[31m",
    ]);
    e.ok(&["note", "1", evil]);
    e.ok(&["set", "1", &format!("title={evil}!")]);
    for args in [
        vec!["list"],
        vec!["show", "1"],
        vec!["list", "--json"],
        vec!["show", "1", "--json"],
    ] {
        let out = e.ok(&args);
        assert_terminal_safe(&out);
    }
    let shown = e.ok(&["show", "1"]);
    assert!(
        shown.contains("^[]0;owned^G^[[2J <U+202E>gnp.exe <U+200B><U+009B>"),
        "{shown}"
    );
    // JSON still carries the exact original text.
    assert_eq!(e.json(&["show", "1"])["description"], evil);
    // Error messages echo input safely too.
    let err = e.fails(&["show", "\u{1b}[2J"], 2);
    assert_terminal_safe(&err);
}

#[test]
fn demo_builds_a_living_database_and_refuses_to_overwrite() {
    let e = Env::new();
    let out = e.ok(&["demo", "--count", "200"]);
    assert!(out.contains("created 200 demo incidents"), "{out}");
    let all = e.json(&["list", "--all", "--limit", "0"]);
    let all = all.as_array().unwrap();
    assert_eq!(all.len(), 200);
    let states: std::collections::HashSet<&str> =
        all.iter().map(|i| i["status"].as_str().unwrap()).collect();
    assert_eq!(states.len(), 7, "{states:?}");
    let err = e.fails(&["demo", "--count", "5"], 2);
    assert!(err.contains("--append"), "{err}");
    e.ok(&["demo", "--count", "5", "--append"]);
}

#[test]
fn newer_schema_is_refused_with_exit_5() {
    let e = Env::new();
    e.ok(&["new", "x"]);
    let c = rusqlite::Connection::open(e.db()).unwrap();
    c.pragma_update(None, "user_version", 1000).unwrap();
    drop(c);
    let err = e.fails(&["list"], 5);
    assert!(err.contains("upgrade sev"), "{err}");
}

#[test]
fn unwritable_location_is_exit_5() {
    let e = Env::new();
    let o = e
        .cmd()
        .env("SEV_DB", Path::new("/proc/sev-cannot/sev.db"))
        .args(["list"])
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(5),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// `sev --help` and `sev list --help` describe the order the list really
/// has: active first, then mitigated, then finished; by severity, priority,
/// oldest.
#[test]
fn list_help_describes_the_real_order() {
    let e = Env::new();
    for args in [&["--help"][..], &["list", "--help"][..]] {
        let o = e.run(args);
        assert_eq!(o.status.code(), Some(0));
        let out = String::from_utf8_lossy(&o.stdout).replace('\n', " ");
        let out = out.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(!out.contains("then newest"), "{args:?}: {out}");
        assert!(
            out.contains(
                "active (triage, acknowledged, investigating), then mitigated, then finished"
            ) && out.contains("severity, priority, oldest"),
            "{args:?}: {out}"
        );
    }
}
