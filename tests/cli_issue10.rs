//! Issue 10 from the command line: the default order, impact and detection
//! times, completions and the man page.

mod common;

use common::Env;

/// Fix 2: the worst fire is on top of `sev list`.
#[test]
fn list_puts_what_needs_a_responder_first() {
    let e = Env::new();
    for (title, sev) in [("mitig a", "SEV2"), ("mitig b", "SEV2"), ("fire", "SEV1")] {
        e.ok(&["new", title, "--severity", sev]);
    }
    for id in ["1", "2"] {
        e.ok(&["ack", id]);
        e.ok(&["status", id, "mitigated"]);
    }
    e.ok(&["ack", "3"]);
    e.ok(&["status", "3", "investigating"]);
    let j = e.json(&["list"]);
    let ids: Vec<i64> = j
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![3, 1, 2], "{j}");
}

/// Fix 10: impact start and detection can be recorded, shown and exported.
#[test]
fn impact_start_and_detection_times_are_settable() {
    let e = Env::new();
    e.ok(&["new", "Checkout", "down"]);
    let out = e.ok(&[
        "set",
        "1",
        "impact_started_at=2020-01-01T09:00:00+02:00",
        "detected_at=2020-01-01T10:00:00+02:00",
    ]);
    assert!(out.contains("impact_started_at"), "{out}");
    let j = e.json(&["show", "1"]);
    assert_eq!(j["impact_started_at"], "2020-01-01T07:00:00Z");
    assert_eq!(j["detected_at"], "2020-01-01T08:00:00Z");
    // Both move together: the pair is checked once every edit is in (impact
    // three hours ago alone would be after the 2020 detection).
    e.ok(&["set", "1", "impact_started_at=-3h", "detected_at=-1h"]);
    let j = e.json(&["show", "1"]);
    assert!(j["impact_started_at"].as_str().unwrap() > "2021", "{j}");
    let shown = e.ok(&["show", "1"]);
    assert!(
        shown.contains("impact start") && shown.contains("detected"),
        "{shown}"
    );
    let err = e.fails(&["set", "1", "impact_started_at=-10m"], 2);
    assert!(
        err.contains("impact cannot start after it was detected"),
        "{err}"
    );
    let err = e.fails(&["set", "1", "detected_at=+5m"], 2);
    assert!(err.contains("detected_at"), "{err}");
    let err = e.fails(&["set", "1", "detected_at=2999-01-01T00:00:00Z"], 2);
    assert!(err.contains("is in the future"), "{err}");
    let err = e.fails(&["set", "1", "detected_at=yesterday"], 2);
    assert!(err.contains("-20m"), "the message shows what works: {err}");
    // Nothing of the refused edits was written.
    assert_eq!(e.json(&["show", "1"])["version"], j["version"]);
    // The postmortem has them, and the measure is no longer unknown.
    let md = e.ok(&["postmortem", "1"]);
    assert!(md.contains("(impact start → detected) | 2h 00m |"), "{md}");
    assert!(md.contains("| Impact started (UTC) | 20"), "{md}");
    let pm: serde_json::Value =
        serde_json::from_str(&e.ok(&["postmortem", "1", "--format", "json"])).unwrap();
    assert_eq!(pm["measures"]["seconds"]["time_to_detect"], 7200, "{pm}");
    assert_ne!(pm["incident"]["started"], "unknown", "{pm}");
}

/// Fix 13: completions and a man page.
#[test]
fn completions_and_man_page() {
    let e = Env::new();
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef sev"),
        ("fish", "complete -c sev"),
    ] {
        let out = e.ok(&["completions", shell]);
        assert!(out.contains(marker), "{shell}: {out}");
        assert!(out.contains("postmortem"), "{shell} completes subcommands");
    }
    let err = e.run(&["completions", "tcsh"]);
    assert_eq!(err.status.code(), Some(2));
    let man = e.ok(&["man"]);
    assert!(man.starts_with(".ie") || man.contains(".TH sev"), "{man}");
    assert!(man.contains("postmortem"), "{man}");
    let dir = e.dir.path().join("man1");
    let out = e.ok(&["man", "--dir", dir.to_str().unwrap()]);
    assert!(out.contains("man pages written"), "{out}");
    assert!(dir.join("sev.1").is_file());
    assert!(dir.join("sev-list.1").is_file());
    // Neither needs (or creates) a database.
    assert!(!e.db().exists());
}

#[test]
fn recorded_times_must_agree_with_the_record() {
    let e = Env::new();
    e.ok(&["new", "Checkout errors", "--severity", "SEV3"]);
    e.ok(&["resolve", "1", "--summary", "rolled back"]);
    // Logged and resolved a day ago (as if typed yesterday).
    {
        let c = rusqlite::Connection::open(e.db()).unwrap();
        c.execute_batch(
            "UPDATE incidents SET created_at = created_at - 86400, resolved_at = resolved_at - 86400;",
        )
        .unwrap();
    }
    let err = e.fails(&["set", "1", "detected_at=-5m"], 2);
    assert!(err.contains("after INC-1 was logged"), "{err}");
    let err = e.fails(&["set", "1", "impact_started_at=-1h"], 2);
    assert!(err.contains("after INC-1 was resolved"), "{err}");
    e.ok(&["set", "1", "impact_started_at=-26h", "detected_at=-25h"]);
}
