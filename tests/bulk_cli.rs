//! Several incidents from the command line: several references, the
//! list's filters with --all-matching (200 acknowledged in one command),
//! one line per incident, the first refusal's exit code; `sev merge` and
//! `sev link`. On SQLite and, when reachable, PostgreSQL.

mod common;

use common::Env;
use sev::clock::SystemClock;
use sev::config::Config;
use sev::domain::{IncidentId, NewIncident};
use sev::ops::Ctx;
use sev::store::Store;

/// `n` incidents of `service`, written through the library (fast).
fn seed(e: &Env, n: usize, service: &str) {
    let store = Store::open(&e.db()).unwrap();
    let config = Config::builtin();
    let cx = Ctx {
        store: &store,
        config: &config,
        actor: "seeder".into(),
        clock: &SystemClock,
    };
    for i in 0..n {
        cx.create(&NewIncident {
            title: format!("{service} alert {i}"),
            service: Some(service.into()),
            ..Default::default()
        })
        .unwrap();
    }
}

fn lines(s: &str) -> Vec<&str> {
    s.lines().collect()
}

#[test]
fn two_hundred_acknowledged_in_one_command_with_the_list_filters() {
    for e in Env::all() {
        seed(&e, 200, "checkout");
        seed(&e, 3, "web");
        // The same filters select the same incidents as `sev list`.
        let listed = e.json(&["list", "--service", "checkout", "-n", "0"]);
        assert_eq!(listed.as_array().unwrap().len(), 200);
        let out = e.ok(&["ack", "--service", "checkout", "--all-matching"]);
        let out = lines(&out);
        assert_eq!(out.len(), 200, "one line per incident");
        assert!(
            out.iter()
                .all(|l| l.contains(": status triage → acknowledged")),
            "{out:?}"
        );
        let acked = e.json(&["list", "--status", "acknowledged", "-n", "0"]);
        let acked = acked.as_array().unwrap();
        assert_eq!(acked.len(), 200);
        assert!(acked.iter().all(|i| i["service"] == "checkout"));
        // The web incidents were not touched.
        let web = e.json(&["list", "--service", "web"]);
        assert!(
            web.as_array()
                .unwrap()
                .iter()
                .all(|i| i["status"] == "triage")
        );
        // Each incident got its own change on its own timeline.
        let one = e.json(&["show", "INC-17"]);
        let acks = one["events"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|ev| ev["new"] == "acknowledged")
            .count();
        assert_eq!(acks, 1);
        // --json: an array of results.
        let notes = e.json(&[
            "note",
            "--service",
            "checkout",
            "--all-matching",
            "-m",
            "storm over",
        ]);
        let notes = notes.as_array().unwrap();
        assert_eq!(notes.len(), 200);
        assert!(
            notes
                .iter()
                .all(|r| r["ok"] == true && r["ref"].is_string())
        );
    }
}

#[test]
fn several_refs_get_a_line_each_and_the_first_refusals_exit_code() {
    for e in Env::all() {
        seed(&e, 4, "api");
        let o = e.run(&["ack", "1", "INC-2", "2", "999", "3"]);
        let out = String::from_utf8(o.stdout).unwrap();
        let err = String::from_utf8(o.stderr).unwrap();
        assert_eq!(o.status.code(), Some(3), "not found is the first refusal");
        let out = lines(&out);
        assert_eq!(out.len(), 4, "duplicates count once: {out:?}");
        assert!(out[0].starts_with("INC-1: status triage → acknowledged"));
        assert!(out[2].starts_with("INC-999: refused: no incident INC-999"));
        assert!(out[3].starts_with("INC-3: status triage"), "{out:?}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains("INC-999"), "{err}");
        // Now 1 is acknowledged: acknowledging again is refused (exit 2),
        // the others still change.
        let o = e.run(&["resolve", "4", "1", "-s", "restarted"]);
        assert_eq!(o.status.code(), Some(0));
        let o = e.run(&["close", "4", "1", "2"]);
        assert_eq!(o.status.code(), Some(2), "2 is not resolved");
        let out = String::from_utf8(o.stdout).unwrap();
        assert!(out.contains("INC-2: refused: "), "{out}");
        // The other verbs take several too.
        e.ok(&["status", "2", "3", "mitigated"]);
        e.ok(&["set", "2", "3", "severity=SEV2", "impact=high"]);
        e.ok(&["assign", "2", "3", "bob"]);
        e.ok(&["note", "2", "3", "-m", "both mitigated"]);
        for id in ["2", "3"] {
            let j = e.json(&["show", id]);
            assert_eq!(j["status"], "mitigated");
            assert_eq!(j["severity"], "SEV2");
            assert_eq!(j["assignee"], "bob");
            let last = j["events"].as_array().unwrap().last().unwrap().clone();
            assert_eq!(last["text"], "both mitigated");
        }
        // One reference: exactly as before (the note is the other words).
        let out = e.ok(&["note", "2", "3", "more", "servers"]);
        assert_eq!(out, "INC-2: note added\n");
        let j = e.json(&["show", "2"]);
        let last = j["events"].as_array().unwrap().last().unwrap().clone();
        assert_eq!(last["text"], "3 more servers");
        // --json with several: the refusal carries its reason and code.
        let o = e.run(&["--json", "reopen", "4", "2"]);
        assert_eq!(o.status.code(), Some(2));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(v[0]["ok"], true);
        assert_eq!(v[0]["incident"]["status"], "investigating");
        assert_eq!(v[1]["ok"], false);
        assert_eq!(v[1]["exit_code"], 2);
        assert!(v[1]["error"].as_str().unwrap().contains("INC-2"));
    }
}

#[test]
fn all_matching_needs_a_filter_and_filters_need_all_matching() {
    let e = Env::new();
    seed(&e, 2, "api");
    let err = e.fails(&["ack", "--all-matching"], 2);
    assert!(err.contains("--all-matching needs a filter"), "{err}");
    assert!(err.contains("--all explicitly"), "{err}");
    let err = e.fails(&["ack", "--service", "api"], 2);
    assert!(err.contains("only with --all-matching"), "{err}");
    let err = e.fails(&["ack", "1", "--service", "api", "--all-matching"], 2);
    assert!(err.contains("not both"), "{err}");
    let err = e.fails(&["ack"], 2);
    assert!(err.contains("name an incident"), "{err}");
    let err = e.fails(&["resolve", "--all-matching", "-s", "x"], 2);
    assert!(err.contains("needs a filter"), "{err}");
    // Nothing changed by any of these.
    let all = e.json(&["list"]);
    assert!(
        all.as_array()
            .unwrap()
            .iter()
            .all(|i| i["status"] == "triage")
    );
    // --all counts as naming the selection; nothing matching is not an error.
    let o = e.run(&["ack", "--service", "nope", "--all-matching"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(o.stdout.is_empty());
    assert!(String::from_utf8_lossy(&o.stderr).contains("no incidents match"));
    let out = e.ok(&["ack", "--all", "--all-matching"]);
    assert_eq!(lines(&out).len(), 2);
}

/// An open alert feeding `incident`, written through the store's intake.
fn alert_for(e: &Env, incident: IncidentId) {
    let store = Store::open(&e.db()).unwrap();
    let now = chrono::Utc::now();
    store
        .intake(now, |tx| {
            tx.insert_alert(&sev::store::AlertRow {
                id: 0,
                incident: Some(incident),
                source: "alertmanager".into(),
                integration: "prod".into(),
                key: format!("fp-{}", incident.0),
                group: "g".into(),
                status: "firing".into(),
                suppressed: None,
                summary: "disk full".into(),
                severity: None,
                labels: Default::default(),
                annotations: Default::default(),
                links: Vec::new(),
                starts_at: None,
                ends_at: None,
                first_received: now,
                last_received: now,
                receipts: 1,
                last_body: None,
            })
        })
        .unwrap();
}

#[test]
fn merge_cancels_the_duplicates_keeps_their_timelines_and_moves_their_alerts() {
    for e in Env::all() {
        seed(&e, 4, "checkout");
        e.ok(&["note", "2", "seen", "on", "eu-west"]);
        alert_for(&e, IncidentId(2));
        alert_for(&e, IncidentId(3));
        let out = e.ok(&["merge", "1", "2", "INC-3"]);
        assert_eq!(
            lines(&out),
            [
                "INC-2: merged into INC-1 (cancelled as its duplicate; 1 alert moved)",
                "INC-3: merged into INC-1 (cancelled as its duplicate; 1 alert moved)",
            ]
        );
        for dup in ["2", "3"] {
            let j = e.json(&["show", dup]);
            assert_eq!(j["status"], "cancelled");
            assert_eq!(j["cancel_reason"], "duplicate of INC-1");
            assert_eq!(j["links"][0]["relation"], "duplicate-of");
            assert_eq!(j["links"][0]["ref"], "INC-1");
            let kinds: Vec<&str> = j["events"]
                .as_array()
                .unwrap()
                .iter()
                .map(|ev| ev["kind"].as_str().unwrap())
                .collect();
            assert!(kinds.contains(&"link"), "{kinds:?}");
        }
        // Nothing of 2's timeline is lost: it stays on 2.
        let two = e.json(&["show", "2"]);
        assert!(
            two["events"]
                .as_array()
                .unwrap()
                .iter()
                .any(|ev| ev["text"] == "seen on eu-west")
        );
        // INTO names each merged incident, in text and JSON.
        let shown = e.ok(&["show", "1"]);
        assert!(shown.contains("merged: INC-2"), "{shown}");
        assert!(shown.contains("merged: INC-3"), "{shown}");
        assert!(shown.contains("INC-2 merged into this incident"), "{shown}");
        let one = e.json(&["show", "1"]);
        let merged: Vec<&str> = one["links"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| l["relation"] == "merged")
            .map(|l| l["ref"].as_str().unwrap())
            .collect();
        assert_eq!(merged, ["INC-2", "INC-3"]);
        let store = Store::open(&e.db()).unwrap();
        let counts = store.alert_counts(&[IncidentId(1), IncidentId(2)]).unwrap();
        assert_eq!(counts[&IncidentId(1)].open(), 2, "both alerts moved");
        assert!(!counts.contains_key(&IncidentId(2)));
        drop(store);
        let one = e.json(&["show", "1"]);
        assert_eq!(one["alerts"].as_array().unwrap().len(), 2);
        // Merging again is a retry: only alerts move, nothing is recorded
        // twice.
        let out = e.ok(&["merge", "1", "2"]);
        assert_eq!(out, "INC-2: already merged into INC-1; 0 alerts moved\n");
        let two_again = e.json(&["show", "2"]);
        assert_eq!(two_again["events"], two["events"]);
        // Refusals: into itself, into a cancelled one, a finished one.
        let err = e.fails(&["merge", "4", "4"], 2);
        assert!(err.contains("into itself"), "{err}");
        let err = e.fails(&["merge", "2", "4"], 2);
        assert!(err.contains("INC-2 is cancelled"), "{err}");
        e.ok(&["resolve", "4", "-s", "gone"]);
        let err = e.fails(&["merge", "1", "4"], 2);
        assert!(err.contains("only an open incident can be merged"), "{err}");
        e.fails(&["merge", "99", "4"], 3);
    }
}

#[test]
fn link_records_related_incidents_both_ways() {
    for e in Env::all() {
        seed(&e, 3, "dns");
        let out = e.ok(&["link", "1", "INC-2", "--note", "same resolver"]);
        assert_eq!(out, "INC-1 and INC-2 linked (related)\n");
        let out = e.ok(&["link", "2", "1"]);
        assert_eq!(
            out,
            "INC-2 and INC-1 were already linked; nothing written\n"
        );
        for (me, other) in [("1", "INC-2"), ("2", "INC-1")] {
            let text = e.ok(&["show", me]);
            assert!(
                text.contains(&format!("related: {other} — same resolver")),
                "{text}"
            );
            let j = e.json(&["show", me]);
            assert_eq!(j["links"].as_array().unwrap().len(), 1);
            assert_eq!(j["links"][0]["relation"], "related");
            assert_eq!(j["links"][0]["ref"], other);
            assert_eq!(j["links"][0]["note"], "same resolver");
            let linked = j["events"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|ev| ev["kind"] == "link")
                .count();
            assert_eq!(linked, 1, "one event each side, none for the repeat");
        }
        let three = e.json(&["show", "3"]);
        assert_eq!(three["links"].as_array().unwrap().len(), 0);
        e.fails(&["link", "1", "1"], 2);
        e.fails(&["link", "1", "42"], 3);
        let j = e.json(&["link", "1", "3"]);
        assert_eq!(j["new"], true);
        // A hostile note reaches no terminal raw, and JSON keeps it exact.
        let evil = "evil\u{1b}[2J\u{202e}txt";
        e.ok(&["link", "2", "3", "--note", evil]);
        let text = e.ok(&["show", "3"]);
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{202e}'),
            "{text:?}"
        );
        let j = e.json(&["show", "3"]);
        let notes: Vec<&str> = j["links"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|l| l["note"].as_str())
            .collect();
        assert_eq!(notes, [evil]);
        // The audit chain still verifies with the link events in it.
        e.ok(&["verify"]);
    }
}
