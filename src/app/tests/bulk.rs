//! Several incidents at once from the keyboard: marks, mark all, Esc, and
//! the verbs on the marked set after one question.

use super::*;
use crate::domain::{IncidentId, Transition};
use crate::ui::tests::screen;

fn many(n: usize) -> Harness {
    let mut h = Harness::new();
    let items: Vec<(String, Severity)> = (1..=n)
        .map(|i| (format!("checkout alert {i}"), Severity::Sev3))
        .collect();
    let refs: Vec<(&str, Severity)> = items.iter().map(|(t, s)| (t.as_str(), *s)).collect();
    h.seed(&refs);
    h
}

fn status_of(h: &Harness, id: IncidentId) -> Status {
    h.app.store.get(id).unwrap().status
}

#[test]
fn space_marks_and_moves_down_and_a_column_shows_the_marks() {
    let mut h = many(5);
    let before = screen(&h.app, 80, 24);
    assert!(
        before.lines().any(|l| l.starts_with("> INC-")),
        "no mark column without marks:\n{before}"
    );
    let first = h.app.list.selected_id().unwrap();
    h.keys("space");
    assert!(h.app.marks.contains(&first));
    assert_eq!(h.app.list.selected, 1, "space moves down");
    h.keys("space");
    assert_eq!(h.app.marks.len(), 2);
    assert!(h.message().starts_with("2 marked"), "{}", h.message());
    // Back up and unmark the second.
    h.keys("k space");
    assert_eq!(h.app.marks.len(), 1);
    let s = screen(&h.app, 80, 24);
    assert!(s.lines().next().unwrap().contains("1 marked"), "{s}");
    let row = |id: IncidentId| {
        s.lines()
            .find(|l| l.contains(&format!("{id} ")))
            .unwrap()
            .to_string()
    };
    assert!(
        row(first)
            .trim_start_matches('>')
            .trim_start()
            .starts_with('*'),
        "{s}"
    );
    let other = h.app.list.ids[3];
    assert!(
        row(other).trim_start().starts_with("INC-"),
        "unmarked rows have a blank mark: {s}"
    );
    // Everything fits 80 columns.
    for l in s.lines() {
        assert!(unicode_width::UnicodeWidthStr::width(l) <= 80, "{l}");
    }
}

#[test]
fn star_marks_everything_in_view_and_again_unmarks_it() {
    let mut h = many(30);
    h.keys("*");
    assert_eq!(h.app.marks.len(), 30, "all in view, not just the window");
    assert!(h.message().starts_with("30 marked"), "{}", h.message());
    h.keys("*");
    assert!(h.app.marks.is_empty());
}

#[test]
fn esc_clears_marks_first_and_keeps_its_meaning_without_them() {
    let mut h = many(6);
    h.keys("/");
    h.type_text("alert 1");
    h.keys("enter");
    assert!(!h.app.filter.is_empty());
    h.keys("space");
    assert_eq!(h.app.marks.len(), 1);
    h.keys("esc");
    assert!(h.app.marks.is_empty(), "esc clears the marks");
    assert!(!h.app.filter.is_empty(), "…and only the marks");
    h.keys("esc");
    assert!(
        h.app.filter.is_empty(),
        "then esc clears the search as before"
    );
}

#[test]
fn two_hundred_acknowledged_after_one_question_and_marks_follow_the_view() {
    let mut h = many(200);
    // Someone else resolves two meanwhile: those cannot be acknowledged.
    let other = h.responder();
    let bob = other.ctx("bob");
    let done = [IncidentId(7), IncidentId(8)];
    for id in done {
        bob.transition(
            id,
            &Transition::Resolve {
                summary: "fixed".into(),
            },
            None,
        )
        .unwrap();
    }
    h.keys("*");
    assert_eq!(h.app.marks.len(), 200);
    h.keys("a");
    let View::Confirm(c) = h.app.top() else {
        panic!("one question first: {}", h.message())
    };
    assert_eq!(c.title, "Acknowledge 200 incidents?");
    let s = screen(&h.app, 80, 24);
    assert!(s.contains("Acknowledge 200 incidents?"), "{s}");
    // No: nothing changes, the marks stay.
    h.keys("n");
    assert_eq!(status_of(&h, IncidentId(1)), Status::Triage);
    assert_eq!(h.app.marks.len(), 200);
    h.keys("a y");
    let msg = h.message();
    assert!(
        msg.starts_with("198 acknowledged, 2 refused (INC-7: "),
        "{msg}"
    );
    // The refused had left the open view (resolved by bob): the reload
    // after the change drops their marks, so nothing unseen stays marked.
    assert!(h.app.marks.is_empty(), "{:?}", h.app.marks);
    for id in (1..=200).map(IncidentId).filter(|i| !done.contains(i)) {
        let inc = h.app.store.get(id).unwrap();
        assert_eq!(inc.status, Status::Acknowledged, "{id}");
        assert_eq!(inc.assignee.as_deref(), Some("alice"), "{id}");
        // One change each, on its own timeline.
        let acks = h
            .app
            .store
            .events(id)
            .unwrap()
            .iter()
            .filter(|e| e.new.as_deref() == Some("acknowledged"))
            .count();
        assert_eq!(acks, 1, "{id}");
    }
}

#[test]
fn a_note_is_typed_once_and_added_to_each_and_no_goes_back_to_the_text() {
    let mut h = many(3);
    h.keys("* m");
    let View::Dialog(Dialog::Prompt(p)) = h.app.top() else {
        panic!("a note prompt")
    };
    assert!(p.title.contains("3 incidents"), "{}", p.title);
    h.type_text("rolled back 4.2");
    h.keys("ctrl-s");
    let View::Confirm(c) = h.app.top() else {
        panic!("the question")
    };
    assert_eq!(c.title, "Add this note to 3 incidents?");
    h.keys("n");
    let View::Dialog(Dialog::Prompt(p)) = h.app.top() else {
        panic!("no goes back to the text")
    };
    assert_eq!(p.text(), "rolled back 4.2");
    h.keys("ctrl-s y");
    assert!(matches!(h.app.top(), View::List), "{}", h.message());
    assert_eq!(h.message(), "3 noted");
    for id in (1..=3).map(IncidentId) {
        let evs = h.app.store.events(id).unwrap();
        assert_eq!(
            evs.last().unwrap().text.as_deref(),
            Some("rolled back 4.2"),
            "{id}"
        );
    }
    assert!(h.app.marks.is_empty());
}

#[test]
fn resolve_and_assign_apply_one_text_to_every_marked_incident() {
    let mut h = many(4);
    h.keys("space space");
    let marked: Vec<IncidentId> = h.app.marks.iter().copied().collect();
    h.keys("r");
    h.type_text("restarted the pods");
    h.keys("ctrl-s");
    let View::Confirm(c) = h.app.top() else {
        panic!("the question: {}", h.message())
    };
    assert_eq!(c.title, "Resolve 2 incidents?");
    h.keys("y");
    assert_eq!(h.message(), "2 resolved");
    for id in &marked {
        let inc = h.app.store.get(*id).unwrap();
        assert_eq!(inc.status, Status::Resolved);
        assert_eq!(inc.resolution.as_deref(), Some("restarted the pods"));
    }
    // Assign the other two to me (the prompt starts with my name).
    h.keys("G space k space A");
    let View::Dialog(Dialog::Prompt(p)) = h.app.top() else {
        panic!("an assign prompt")
    };
    assert_eq!(p.text(), "alice");
    h.keys("enter");
    let View::Confirm(c) = h.app.top() else {
        panic!("the question: {}", h.message())
    };
    assert_eq!(c.title, "Assign 2 incidents to alice?");
    h.keys("y");
    assert_eq!(h.message(), "2 assigned to alice");
    for id in &h.app.list.ids {
        let inc = h.app.store.get(*id).unwrap();
        assert_eq!(inc.assignee.as_deref(), Some("alice"), "{id}");
    }
}

#[test]
fn the_status_picker_moves_every_marked_incident() {
    let mut h = many(3);
    h.keys("* s");
    let View::Dialog(Dialog::Picker(p)) = h.app.top() else {
        panic!("a picker")
    };
    assert_eq!(p.title, "Move 3 marked incidents to");
    // "m" picks mitigated; enter asks the question in the picker's place.
    h.type_text("m");
    h.keys("enter");
    let View::Confirm(c) = h.app.top() else {
        panic!("the question: {}", h.message())
    };
    assert_eq!(c.title, "Move 3 incidents to mitigated?");
    h.keys("y");
    assert_eq!(h.app.stack.len(), 1, "nothing left open");
    for id in (1..=3).map(IncidentId) {
        assert_eq!(status_of(&h, id), Status::Mitigated);
    }
}

#[test]
fn merge_puts_the_marked_into_the_one_under_the_cursor() {
    let mut h = many(4);
    // Nothing marked: J says what to do.
    h.keys("J");
    assert!(h.message_is_error(), "{}", h.message());
    h.keys("space space");
    let marked: Vec<IncidentId> = h.app.marks.iter().copied().collect();
    let into = h.app.list.selected_id().unwrap();
    assert!(!marked.contains(&into));
    h.keys("J");
    let View::Confirm(c) = h.app.top() else {
        panic!("the question: {}", h.message())
    };
    assert_eq!(c.title, format!("Merge 2 incidents into {into}?"));
    h.keys("y");
    assert_eq!(h.message(), format!("2 merged into {into}"));
    for id in &marked {
        let inc = h.app.store.get(*id).unwrap();
        assert_eq!(inc.status, Status::Cancelled);
        assert_eq!(
            inc.cancel_reason.as_deref(),
            Some(format!("duplicate of {into}").as_str())
        );
    }
    let links = h.app.store.links(into).unwrap();
    let merged: Vec<IncidentId> = links
        .iter()
        .filter(|l| l.seen_from(into).1 == "merged")
        .map(|l| l.seen_from(into).0)
        .collect();
    assert_eq!(merged.len(), 2);
    assert!(marked.iter().all(|m| merged.contains(m)));
    // The detail pane of the one that stays names them.
    h.app.reload().unwrap();
    h.app.resize(120, 40);
    h.keys("enter");
    let s = crate::ui::tests::screen(&h.app, 120, 40);
    let mut names: Vec<String> = marked.iter().map(|m| m.to_string()).collect();
    names.sort_by_key(|n| {
        links
            .iter()
            .position(|l| l.seen_from(into).0.to_string() == *n)
            .unwrap_or(0)
    });
    assert!(
        s.contains(&format!("merged {}", names.join(", "))),
        "the detail pane lists the merged incidents: {s}"
    );
}

#[test]
fn a_one_incident_verb_with_marks_says_to_clear_them() {
    let mut h = many(3);
    h.keys("space space v");
    assert!(h.message_is_error());
    assert!(
        h.message().contains("clears the 2 marks first"),
        "{}",
        h.message()
    );
    assert!(matches!(h.app.top(), View::List));
}

#[test]
fn the_marked_view_at_80x24() {
    let mut h = many(12);
    h.keys("space space space");
    let s = screen(&h.app, 80, 24);
    let lines: Vec<&str> = s.lines().collect();
    assert!(lines[0].contains("3 marked"), "{s}");
    assert!(
        lines[1].starts_with("  * REF"),
        "the mark column's header: {s}"
    );
    let marked_rows = lines.iter().filter(|l| l.starts_with("  * INC-")).count();
    assert_eq!(marked_rows, 3, "{s}");
    let hints = lines[lines.len() - 1];
    assert!(hints.contains("a ack") && hints.contains("m note"), "{s}");
    for l in &lines {
        assert!(unicode_width::UnicodeWidthStr::width(*l) <= 80, "{l}");
    }
}
