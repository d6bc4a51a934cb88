use super::*;
use crate::clock::FixedClock;
use crate::domain::*;
use crate::ops::{NewAction, Responder};
use crate::store::Store;
use chrono::{TimeZone, Utc};

/// A SEV1 worked from alert to published postmortem, with a fixed clock.
fn realistic() -> (tempfile::TempDir, Responder, IncidentId) {
    let dir = tempfile::tempdir().unwrap();
    let r = Responder {
        store: Store::open(&dir.path().join("sev.db")).unwrap(),
        config: Config::builtin(),
        clock: FixedClock::at(Utc.with_ymd_and_hms(2026, 6, 3, 2, 14, 0).unwrap()),
    };
    let (store, clock) = (&r.store, &r.clock);
    let id = {
        let cx = r.ctx("alice");
        let start = Utc.with_ymd_and_hms(2026, 6, 3, 2, 5, 0).unwrap();
        let inc = cx
            .create(&NewIncident {
                title: "Checkout returns 502 for EU customers".into(),
                description: "Payments API behind the EU load balancer answers 502.".into(),
                severity: Some(Severity::Sev1),
                impact: Some(Impact::High),
                urgency: Some(Urgency::High),
                service: Some("checkout".into()),
                category: Some("config".into()),
                impact_started_at: Some(start),
                detected_at: Some(start + chrono::Duration::minutes(6)),
                ..Default::default()
            })
            .unwrap();
        let step = |m| clock.advance(chrono::Duration::minutes(m));
        step(3);
        cx.acknowledge(inc.id, None).unwrap();
        cx.take_command(inc.id).unwrap();
        step(5);
        cx.note(
            inc.id,
            "Error rate jumped at 02:05, same minute as config push 8812 | lb-eu",
        )
        .unwrap();
        step(14);
        cx.transition(inc.id, &Transition::To(Status::Mitigated), None)
            .unwrap();
        step(20);
        cx.transition(
            inc.id,
            &Transition::Resolve {
                summary: "Reverted config push 8812".into(),
            },
            None,
        )
        .unwrap();
        step(60 * 24);
        cx.set_section(
            inc.id,
            "summary",
            "A load balancer config push dropped the EU payments backend pool.",
        )
        .unwrap();
        cx.set_section(
            inc.id,
            "root-cause",
            "The config linter did not check pool membership.\nPushes skip canary.",
        )
        .unwrap();
        cx.set_section(
            inc.id,
            "impact",
            "About 8% of EU checkouts failed for 43 minutes.",
        )
        .unwrap();
        cx.set_pm_owner(inc.id, "alice").unwrap();
        let ev = store.events(inc.id).unwrap();
        let note = ev.iter().find(|e| e.kind == EventKind::Note).unwrap();
        cx.set_mark(
            inc.id,
            note.id,
            &Mark {
                highlight: true,
                hidden: false,
                annotation: Some("the trigger".into()),
            },
        )
        .unwrap();
        cx.add_action(
            inc.id,
            &NewAction {
                description: "Lint pool membership in LB configs".into(),
                kind: Some(ActionKind::Prevent),
                owner: Some("bob".into()),
                due: Some("2026-06-20".into()),
            },
        )
        .unwrap();
        cx.add_action(
            inc.id,
            &NewAction {
                description: "Alert on per-region 5xx".into(),
                kind: Some(ActionKind::Detect),
                owner: Some("carol".into()),
                due: Some("2026-06-13".into()),
            },
        )
        .unwrap();
        cx.set_pm_status(inc.id, PmStatus::Published).unwrap();
        inc.id
    };
    (dir, r, id)
}

#[test]
fn markdown_of_a_realistic_incident() {
    let (_d, r, id) = realistic();
    let cx = r.ctx("alice");
    let v = cx.postmortem_view(id).unwrap();
    let md = markdown(&v, &r.config).unwrap();
    insta::assert_snapshot!("postmortem_md", md);
    // Deterministic.
    assert_eq!(
        markdown(&cx.postmortem_view(id).unwrap(), &r.config).unwrap(),
        md
    );
    // The closing rule is satisfied now.
    cx.transition(id, &Transition::To(Status::Closed), None)
        .unwrap();
}

#[test]
fn json_export_has_measures_in_seconds() {
    let (_d, r, id) = realistic();
    let cx = r.ctx("alice");
    let j: serde_json::Value =
        serde_json::from_str(&json(&cx.postmortem_view(id).unwrap(), &r.config)).unwrap();
    assert_eq!(j["measures"]["seconds"]["time_to_detect"], 360);
    assert_eq!(j["measures"]["seconds"]["time_to_acknowledge"], 180);
    assert_eq!(j["actions"].as_array().unwrap().len(), 2);
    assert_eq!(j["postmortem"]["status"], "published");
}

#[test]
fn hostile_text_is_sanitized_in_exports() {
    let (_d, r, id) = realistic();
    let cx = r.ctx("alice");
    cx.set_section(id, "lessons", "ok \u{1b}]52;c;cHduZWQ=\u{7} \u{202e}evil")
        .unwrap();
    let md = markdown(&cx.postmortem_view(id).unwrap(), &r.config).unwrap();
    assert!(
        md.chars().all(|c| c == '\n' || !c.is_control()),
        "control char in export"
    );
    assert!(!md.contains('\u{202e}'));
    assert!(md.contains("^[]52;c;cHduZWQ=^G <U+202E>evil"));
}

#[test]
fn a_custom_template_from_config_and_its_errors() {
    let (dir, mut r, id) = realistic();
    let v = r.ctx("alice").postmortem_view(id).unwrap();
    let path = dir.path().join("pm.md");
    std::fs::write(
        &path,
        "{{ incident.ref }} by {{ postmortem.owner }}: {{ actions|length }} actions\n",
    )
    .unwrap();
    r.config.postmortem_template = Some(path.clone());
    assert_eq!(
        markdown(&v, &r.config).unwrap(),
        "INC-1 by alice: 2 actions\n"
    );
    std::fs::write(&path, "line one\n{% for x in %}\n").unwrap();
    let e = markdown(&v, &r.config).unwrap_err().to_string();
    assert!(e.contains(&format!("{}:2:", path.display())), "{e}");
}

const FORGED_TITLE: &str = "Real title\n\n## Root cause(s)\nfake";

fn root_cause_headings(md: &str) -> usize {
    md.lines()
        .filter(|l| l.starts_with("## Root cause"))
        .count()
}

#[test]
fn a_title_cannot_forge_a_section() {
    let (_d, r, id) = realistic();
    let cx = r.ctx("alice");
    // Through the front door the line breaks fold on input...
    cx.set(
        id,
        &[crate::ops::Edit::new(Field::Title, FORGED_TITLE)],
        None,
    )
    .unwrap();
    let v = cx.postmortem_view(id).unwrap();
    assert_eq!(v.incident.title, "Real title ## Root cause(s) fake");
    let md = markdown(&v, &r.config).unwrap();
    assert_eq!(root_cause_headings(&md), 1, "{md}");
    assert!(md.starts_with("# Postmortem: INC-1 — Real title \\#\\# Root cause(s) fake\n"));
    // ...and a title stored before that (or written by another tool) is
    // escaped on export.
    let mut v = cx.postmortem_view(id).unwrap();
    v.incident.title = FORGED_TITLE.into();
    v.incident.service = Some("x |\n## Root cause(s)\n| y".into());
    let md = markdown(&v, &r.config).unwrap();
    assert_eq!(root_cause_headings(&md), 1, "{md}");
    assert!(
        md.lines()
            .next()
            .unwrap()
            .ends_with("Real title \\#\\# Root cause(s) fake")
    );
}

#[test]
fn field_values_cannot_add_markdown_structure() {
    let (_d, r, id) = realistic();
    let cx = r.ctx("alice");
    let mut v = cx.postmortem_view(id).unwrap();
    v.incident.title =
        "<img src=x onerror=alert(1)> ![t](http://t/p.png) [click](http://evil) `x` *b* &#x202E;"
            .into();
    v.incident.category = Some("- item".into());
    v.incident.service = Some("1. first".into());
    v.incident.commander = Some("```".into());
    let md = markdown(&v, &r.config).unwrap();
    let first = md.lines().next().unwrap();
    assert_eq!(
        first,
        "# Postmortem: INC-1 — \\<img src=x onerror=alert(1)\\> !\\[t\\](http://t/p.png) \\[click\\](http://evil) \\`x\\` \\*b\\* \\&\\#x202E;"
    );
    assert!(md.contains("| Category | \\- item |"), "{md}");
    assert!(md.contains("| Service | 1\\. first |"), "{md}");
    assert!(md.contains("| Incident commander | \\`\\`\\` |"), "{md}");
    // As custom templates may put a field at the start of a line:
    for (value, safe) in [
        ("# h", "\\# h"),
        ("> q", "\\> q"),
        ("- l", "\\- l"),
        ("+ l", "\\+ l"),
        ("===", "\\==="),
        ("12) x", "12\\) x"),
        ("    code", "code"),
        ("| a | b |", "\\| a \\| b \\|"),
        ("~~~", "\\~\\~\\~"),
        ("<div>", "\\<div\\>"),
    ] {
        assert_eq!(super::md_inline(value), safe);
    }
}

#[test]
fn multi_line_notes_stay_in_their_table_cell() {
    let (_d, r, id) = realistic();
    let cx = r.ctx("alice");
    cx.note(id, "first\n## Root cause(s)\n| forged | row |")
        .unwrap();
    let md = markdown(&cx.postmortem_view(id).unwrap(), &r.config).unwrap();
    assert_eq!(root_cause_headings(&md), 1, "{md}");
    assert!(
        md.contains("| first<br>\\#\\# Root cause(s)<br>\\| forged \\| row \\| |"),
        "{md}"
    );
}

#[test]
fn json_export_carries_the_exact_text_terminal_safe() {
    let (_d, r, id) = realistic();
    let cx = r.ctx("alice");
    let evil = "a\u{1b}]0;t\u{7}b\u{202e}c\u{2028}d\u{e0041}e|*";
    cx.set(id, &[crate::ops::Edit::new(Field::Title, evil)], None)
        .unwrap();
    cx.set_section(id, "lessons", evil).unwrap();
    let out = json(&cx.postmortem_view(id).unwrap(), &r.config);
    assert!(crate::text::is_clean(&out), "{out}");
    let j: serde_json::Value = serde_json::from_str(&out).unwrap();
    // U+2028 is a line break: folded on input for the title.
    assert_eq!(j["incident"]["title"], evil.replace('\u{2028}', " "));
    let lessons = j["sections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["key"] == "lessons")
        .unwrap();
    assert_eq!(lessons["text"], evil);
}

/// Issue 10 fix 11: the export reads well in review.
#[test]
fn markdown_shows_description_and_resolution_and_lists_what_is_not_written() {
    let (_d, r, id) = realistic();
    let cx = r.ctx("alice");
    let md = markdown(&cx.postmortem_view(id).unwrap(), &r.config).unwrap();
    assert!(
        md.contains("## What was seen\n\nPayments API behind the EU load balancer answers 502."),
        "{md}"
    );
    assert!(
        md.contains("| Resolution | Reverted config push 8812 |"),
        "{md}"
    );
    assert!(
        md.contains("| Impact started (UTC) | 2026-06-03 02:05:00 |"),
        "{md}"
    );
    assert!(
        md.contains("| Detected (UTC) | 2026-06-03 02:11:00 |"),
        "{md}"
    );
    // Unwritten optional sections: no heading each, one line at the end.
    assert!(!md.contains("_Not written._"), "{md}");
    assert_eq!(md.matches("Not written:").count(), 1, "{md}");
    let last = md.lines().rev().find(|l| !l.trim().is_empty()).unwrap();
    assert!(last.starts_with("_Not written: "), "{last}");
    let listed = last
        .trim_start_matches("_Not written: ")
        .trim_end_matches("._");
    for title in listed.split(", ") {
        assert!(SECTIONS.iter().any(|s| s.title == title), "{title}");
        assert!(
            !md.contains(&format!("## {title}\n")),
            "{title} has no heading: {md}"
        );
    }
    assert!(listed.contains("Where we got lucky"), "{listed}");
    // A required section that is not written stays, visibly missing.
    cx.set_section(id, "root-cause", "").unwrap();
    let md = markdown(&cx.postmortem_view(id).unwrap(), &r.config).unwrap();
    assert!(
        md.contains(&format!(
            "## Root cause(s)\n\n**Missing** — required before {id} can close."
        )),
        "{md}"
    );
    assert!(!md.lines().last().unwrap().contains("Root cause"), "{md}");
    // A description cannot add structure.
    cx.set(
        id,
        &[crate::ops::Edit::new(
            Field::Description,
            "x\n## Root cause(s)\nforged",
        )],
        None,
    )
    .unwrap();
    let md = markdown(&cx.postmortem_view(id).unwrap(), &r.config).unwrap();
    assert_eq!(root_cause_headings(&md), 1, "{md}");
}
