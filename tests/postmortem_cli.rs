//! Postmortems, action items and the close policy through the real binary.

mod common;

use common::Env;

#[test]
fn resolve_a_sev1_learn_from_it_and_close_it() {
    let e = Env::new();
    e.ok(&[
        "new",
        "Checkout down",
        "--severity",
        "SEV1",
        "--impact",
        "high",
        "--urgency",
        "high",
    ]);
    e.ok(&["resolve", "1", "--summary", "Reverted the config push"]);
    let refusal = e.fails(&["close", "1"], 2);
    assert!(
        refusal.contains("INC-1 is SEV1 and cannot close yet"),
        "{refusal}"
    );
    assert!(
        refusal.contains("a postmortem — write one and publish it"),
        "{refusal}"
    );
    assert!(refusal.contains("\"Root cause(s)\" section"), "{refusal}");
    assert!(
        refusal.contains("at least one action item with an owner"),
        "{refusal}"
    );

    e.ok(&[
        "postmortem",
        "1",
        "--section",
        "summary",
        "--text",
        "EU checkout failed for 40 minutes.",
    ]);
    e.ok(&[
        "postmortem",
        "1",
        "--section",
        "root-cause",
        "--text",
        "Config pushes skip canary.",
    ]);
    e.ok(&["postmortem", "1", "--owner", "alice"]);
    let out = e.ok(&[
        "action", "add", "1", "Canary", "config", "pushes", "--owner", "bob", "--due", "+14d",
        "--type", "prevent",
    ]);
    assert!(
        out.contains("ACT-1") && out.contains("Canary config pushes"),
        "{out}"
    );
    e.ok(&[
        "action",
        "add",
        "INC-1",
        "Alert on regional 5xx",
        "--owner",
        "carol",
        "--due",
        "2020-01-01",
        "--type",
        "detect",
    ]);
    let still = e.fails(&["close", "1"], 2);
    assert!(
        still.contains("the postmortem is draft — publish it") && !still.contains("Root cause"),
        "{still}"
    );
    e.ok(&["postmortem", "1", "--status", "published"]);
    e.ok(&["close", "1"]);

    let md = e.ok(&["postmortem", "1"]);
    assert!(
        md.starts_with("# Postmortem: INC-1 — Checkout down"),
        "{md}"
    );
    assert!(
        md.contains("## Root cause(s)\n\nConfig pushes skip canary."),
        "{md}"
    );
    assert!(
        md.contains("| ACT-1 | prevent | Canary config pushes | bob |"),
        "{md}"
    );
    let path = e.dir.path().join("pm.md");
    e.ok(&["postmortem", "1", "--output", path.to_str().unwrap()]);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), md);
    let j: serde_json::Value =
        serde_json::from_str(&e.ok(&["postmortem", "1", "--format", "json"])).unwrap();
    assert_eq!(j["postmortem"]["owner"], "alice");

    // The overdue item is found across incidents.
    let overdue: serde_json::Value =
        serde_json::from_str(&e.ok(&["actions", "--overdue", "--json"])).unwrap();
    let overdue = overdue.as_array().unwrap();
    assert_eq!(overdue.len(), 1);
    assert_eq!(
        (overdue[0]["ref"].as_str(), overdue[0]["overdue"].as_bool()),
        (Some("ACT-2"), Some(true))
    );
    let table = e.ok(&["actions", "--open"]);
    assert!(
        table.contains("OVERDUE") && table.contains("ACT-1"),
        "{table}"
    );
    e.ok(&["action", "done", "ACT-2"]);
    assert_eq!(e.ok(&["actions", "--overdue", "--json"]).trim(), "[]");
    e.ok(&["action", "set", "1", "owner=dave", "status=in-progress"]);
    let mine = e.ok(&["actions", "--owner", "dave", "--json"]);
    assert!(mine.contains("in-progress"), "{mine}");
    // Every change is on the incident's timeline.
    let show: serde_json::Value = serde_json::from_str(&e.ok(&["show", "1", "--json"])).unwrap();
    let kinds: Vec<&str> = show["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"postmortem") && kinds.contains(&"action"),
        "{kinds:?}"
    );
}

#[test]
fn lower_severities_close_freely_and_bad_input_is_refused() {
    let e = Env::new();
    e.ok(&["new", "Typo", "--severity", "SEV4"]);
    e.ok(&["resolve", "1", "--summary", "fixed"]);
    e.ok(&["close", "1"]);
    e.fails(&["postmortem", "1", "--section", "vibes", "--text", "x"], 2);
    e.fails(&["postmortem", "1", "--status", "final"], 2);
    let empty = e.fails(&["postmortem", "1", "--status", "published"], 2);
    assert!(empty.contains("empty"), "{empty}");
    e.fails(&["postmortem", "9"], 3);
    e.fails(&["action", "add", "1", "x", "--due", "someday"], 2);
    e.fails(&["action", "add", "1", "x", "--type", "pray"], 2);
    e.fails(&["action", "add", "7", "x"], 3);
    e.fails(&["action", "done", "ACT-99"], 3);
    e.fails(&["action", "set", "ACT-1", "colour=red"], 2);
}
