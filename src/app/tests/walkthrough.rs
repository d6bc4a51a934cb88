//! Issue #10, found by new-user walkthroughs: the `:` line, choice fields,
//! discarding, message boxes, rendering, required sections, help, wording.
//! Each test drives the app with keys and looks at what is rendered.

use super::issue10::last_line;
use super::*;
use crate::ui::tests::screen;

/// Polish 1: ↑ then ↓ on the `:` line brings back the text being typed,
/// as a shell does.
#[test]
fn the_command_line_keeps_the_line_being_typed_across_history() {
    let mut h = seeded();
    let input = |h: &Harness| match h.app.top() {
        View::Command { input, .. } => input.clone(),
        _ => panic!("the : line is open"),
    };
    h.keys(":");
    h.type_text("note first");
    h.keys("enter");
    h.keys(":");
    h.type_text("note half typ");
    h.keys("up");
    assert_eq!(input(&h), "note first");
    h.keys("down");
    assert_eq!(input(&h), "note half typ", "↓ past the newest restores it");
    let s = screen(&h.app, 80, 24);
    assert!(s.contains(":note half typ"), "{s}");
}

/// Polish 1: Tab knows every settable field (also the times) and lists
/// the candidates when it cannot choose; `:status ` + Tab shows the states.
#[test]
fn command_completion_reaches_every_field_and_lists_candidates() {
    let mut h = seeded();
    let input = |h: &Harness| match h.app.top() {
        View::Command { input, .. } => input.clone(),
        _ => panic!("the : line is open"),
    };
    h.keys(":");
    h.type_text("set imp");
    h.keys("tab");
    assert_eq!(input(&h), "set impact");
    h.keys("tab");
    let s = screen(&h.app, 80, 24);
    assert!(
        last_line(&s).contains("impact=") && last_line(&s).contains("impact_started_at="),
        "{s}"
    );
    h.type_text("_");
    h.keys("tab");
    assert_eq!(input(&h), "set impact_started_at=");
    h.keys("ctrl-u");
    h.type_text("set det");
    h.keys("tab");
    assert_eq!(input(&h), "set detected_at=");
    h.keys("ctrl-u");
    h.type_text("status ");
    h.keys("tab");
    let s = screen(&h.app, 80, 24);
    for st in ["investigating", "mitigated", "resolved"] {
        assert!(last_line(&s).contains(st), "{s}");
    }
}

/// Polish 2: every choice field takes first letters (repeat cycles) and
/// digits: the action form's type and status, the prioritize matrix.
#[test]
fn every_choice_field_takes_letters_and_digits() {
    use crate::domain::{ActionKind, ActionStatus, Impact, Urgency};
    let mut h = seeded();
    let kind = |h: &Harness| match h.app.top() {
        View::Dialog(Dialog::ActionForm(f)) => (f.kind, f.status),
        _ => panic!("the action form is open"),
    };
    h.keys("P a");
    h.type_text("Alert on disk");
    h.keys("tab");
    h.type_text("d");
    assert_eq!(kind(&h).0, ActionKind::Detect);
    h.type_text("1");
    assert_eq!(kind(&h).0, ActionKind::Mitigate);
    h.type_text("p");
    assert_eq!(kind(&h).0, ActionKind::Prevent);
    h.type_text("p");
    assert_eq!(kind(&h).0, ActionKind::Process, "a repeat cycles");
    assert!(screen(&h.app, 80, 24).contains("‹ process ›"));
    h.keys("ctrl-s");
    let items = h.app.store.actions(&Default::default()).unwrap();
    assert_eq!(items[0].kind, ActionKind::Process);
    // Editing: the status field too.
    h.keys("esc X e");
    h.keys("tab tab tab tab");
    h.type_text("d");
    assert_eq!(kind(&h).1, ActionStatus::Done, "{}", screen(&h.app, 80, 24));
    h.keys("ctrl-x ctrl-x esc");
    assert!(matches!(h.app.top(), View::List));
    // The prioritize matrix: letters pick impact, then urgency.
    h.keys("p");
    h.type_text("l");
    h.keys("down");
    h.type_text("h");
    let View::Dialog(Dialog::Prioritize(p)) = h.app.top() else {
        panic!()
    };
    assert_eq!((p.impact, p.urgency), (Impact::Low, Urgency::High));
}

/// Polish 3: ctrl-x over typed text asks first: a second ctrl-x discards,
/// any other key keeps the text, and the status line says which.
#[test]
fn discarding_typed_text_asks_first_in_every_dialog() {
    let mut h = seeded();
    let id = h.app.list.selected_id().unwrap();
    // A note.
    h.keys("m");
    h.type_text("half a thought");
    h.keys("ctrl-x");
    let s = screen(&h.app, 80, 24);
    assert!(s.contains("ctrl-x again discards"), "{s}");
    let View::Dialog(Dialog::Prompt(p)) = h.app.top() else {
        panic!("still open after one ctrl-x")
    };
    assert_eq!(p.text(), "half a thought");
    h.type_text("!"); // any other key: the question is off, the key types
    assert!(h.message().contains("not discarded"), "{}", h.message());
    let View::Dialog(Dialog::Prompt(p)) = h.app.top() else {
        panic!()
    };
    assert_eq!(p.text(), "half a thought!");
    h.keys("ctrl-x ctrl-x");
    assert!(matches!(h.app.top(), View::List));
    assert!(h.message().contains("discarded"), "{}", h.message());
    assert!(h.app.draft_snapshot().prompts.is_empty());
    // The new-incident form.
    h.keys("n");
    h.type_text("Half a title");
    h.keys("ctrl-x");
    assert!(matches!(h.app.top(), View::Dialog(Dialog::Form(_))));
    h.keys("ctrl-x");
    assert!(matches!(h.app.top(), View::List));
    // An action item form, and a postmortem section.
    h.keys("P a");
    h.type_text("Alert");
    h.keys("ctrl-x");
    assert!(matches!(h.app.top(), View::Dialog(Dialog::ActionForm(_))));
    h.keys("esc"); // keeps the draft
    assert!(matches!(h.app.top(), View::Postmortem(_)));
    h.keys("j enter");
    h.type_text("Disk filled");
    h.keys("ctrl-x");
    assert!(matches!(h.app.top(), View::Dialog(Dialog::Prompt(_))));
    h.keys("ctrl-x");
    assert!(matches!(h.app.top(), View::Postmortem(_)));
    // A prompt with nothing typed closes at once.
    h.keys("q m ctrl-x");
    assert!(matches!(h.app.top(), View::List));
    assert_eq!(h.app.store.get(id).unwrap().version, h.selected().version);
}

/// Polish 9: the assign prompt's prefilled name is replaced by the first
/// character typed; Tab or an arrow keeps it.
#[test]
fn the_prefilled_assignee_is_replaced_by_typing() {
    let mut h = seeded();
    let prompt_text = |h: &Harness| match h.app.top() {
        View::Dialog(Dialog::Prompt(p)) => p.text(),
        _ => panic!("the prompt is open"),
    };
    h.keys("A");
    assert_eq!(prompt_text(&h), "alice");
    h.type_text("bob");
    assert_eq!(prompt_text(&h), "bob");
    h.keys("ctrl-x ctrl-x");
    h.keys("A left");
    h.type_text("x");
    assert_eq!(prompt_text(&h), "alicxe", "an arrow keeps it");
    h.keys("ctrl-x ctrl-x A tab");
    h.type_text("2");
    assert_eq!(prompt_text(&h), "alice2", "Tab keeps it");
}

/// Polish 4: a message box is as tall as its wrapped text: the last words
/// of a long refusal are on screen at 80×24.
#[test]
fn a_message_box_shows_its_whole_wrapped_text() {
    let mut h = seeded();
    h.app.run_command("set detected_at=-30m");
    h.keys(":");
    h.type_text("set impact_started_at=-20m");
    h.keys("enter");
    let msg = h.message();
    assert!(matches!(h.app.top(), View::Message(_)), "{msg}");
    let s = screen(&h.app, 80, 24);
    let flat: String = s
        .lines()
        .map(|l| l.trim_matches(|c| c == '│' || c == ' '))
        .collect::<Vec<_>>()
        .join(" ");
    let last_words: Vec<&str> = msg.split_whitespace().rev().take(3).collect();
    for w in last_words {
        assert!(flat.contains(w), "'{w}' of '{msg}' is cut off:\n{s}");
    }
    // Any long message, too.
    let long = (1..=60)
        .map(|i| format!("word{i}"))
        .collect::<Vec<_>>()
        .join(" ");
    h.keys("esc");
    h.app.error(long);
    h.app.tick();
    let s = screen(&h.app, 80, 24);
    assert!(s.contains("word60"), "{s}");
}

/// Polish 5: what a dialog overlaps is cleared (no letter of the empty
/// list's text next to its border); only the focused field shows a cursor.
#[test]
fn a_dialog_covers_what_it_overlaps_and_only_the_focused_field_has_a_cursor() {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use ratatui::style::Modifier;
    let mut h = Harness::new(); // the empty database
    h.keys("n");
    let s = screen(&h.app, 80, 24);
    for line in s.lines().filter(|l| l.contains('┌') || l.contains('│')) {
        let first = line.chars().next().unwrap_or(' ');
        assert!(
            matches!(first, ' ' | '┌' | '│' | '└'),
            "leftover text at column 0: {line}\n{s}"
        );
    }
    // Is there a cursor block just after a field's label?
    let cursor_after = |h: &Harness, label: &str| {
        let mut t = Terminal::new(TestBackend::new(80, 24)).unwrap();
        t.draw(|f| crate::ui::render(&h.app, f)).unwrap();
        let buf = t.backend().buffer().clone();
        let s = screen(&h.app, 80, 24);
        let (y, line) = s
            .lines()
            .enumerate()
            .find(|(_, l)| l.contains(&format!("│{label} ")))
            .unwrap_or_else(|| panic!("{label}: {s}"));
        let x = line[..line.find(label).unwrap()].chars().count() + 13;
        buf[(x as u16, y as u16)]
            .modifier
            .contains(Modifier::REVERSED)
    };
    assert!(
        cursor_after(&h, "Title"),
        "the focused field has its cursor"
    );
    assert!(!cursor_after(&h, "Description"));
    assert!(!cursor_after(&h, "Service"));
    h.keys("esc");
    let mut h = seeded();
    h.keys("P a");
    assert!(cursor_after(&h, "Action"));
    assert!(!cursor_after(&h, "Owner"));
}

/// Polish 5: the prioritize matrix's header lines up with its cells; at
/// 80 columns the picker footer and the action-items header fit.
#[test]
fn the_matrix_lines_up_and_footers_fit_at_80_columns() {
    let mut h = seeded();
    h.keys("p");
    let s = screen(&h.app, 80, 24);
    let head = s.lines().find(|l| l.contains("impact \\ urgency")).unwrap();
    let row = s
        .lines()
        .find(|l| l.contains("high") && l.contains("P1"))
        .unwrap();
    let col = |l: &str, w: &str| l[..l.find(w).unwrap()].chars().count();
    assert_eq!(col(head, "medium"), col(row, "P2"), "\n{head}\n{row}");
    assert_eq!(col(head, "low"), col(row, "P3"), "\n{head}\n{row}");
    h.keys("esc s");
    let s = screen(&h.app, 80, 24);
    assert!(
        s.contains("esc cancels") && !s.lines().any(|l| l.trim_matches(['│', ' ']) == "cancels"),
        "{s}"
    );
    // Pickers number their items: the digit that picks each.
    assert!(s.contains("> 1 "), "{s}");
    h.keys("esc X");
    let s = screen(&h.app, 80, 24);
    let first = s.lines().nth(1).unwrap_or_default();
    assert!(first.contains("q back") && !first.contains('…'), "{s}");
}

/// Polish 6: a SEV5 the close policy lets close without a postmortem is
/// not told a section is "required", in the pane or the Markdown; once
/// closed the overview does not say "Ready to close".
#[test]
fn required_only_when_the_close_policy_requires_it() {
    let mut h = Harness::new();
    h.seed(&[("Typo on status page", Severity::Sev5)]);
    let id = h.app.list.selected_id().unwrap();
    assert!(
        !h.app
            .config
            .postmortem
            .close_requires
            .contains(&Severity::Sev5)
    );
    h.app.run_command("resolve fixed the typo");
    h.keys("f");
    h.app.run_command(&id.to_string());
    h.keys("P");
    let s = screen(&h.app, 100, 30);
    assert!(s.contains("can close without a postmortem"), "{s}");
    assert!(!s.contains(" ! "), "no section marked required: {s}");
    let md = crate::export::markdown(&h.app.postmortem_view(id).unwrap(), &h.app.config).unwrap();
    assert!(!md.contains("required before"), "{md}");
    assert!(!md.contains("**Missing**"), "{md}");
    // A SEV2 still is told.
    let mut h2 = Harness::new();
    h2.seed(&[("Payments down", Severity::Sev2)]);
    let id2 = h2.app.list.selected_id().unwrap();
    let md =
        crate::export::markdown(&h2.app.postmortem_view(id2).unwrap(), &h2.app.config).unwrap();
    assert!(md.contains("required before"), "{md}");
    h2.keys("P");
    assert!(screen(&h2.app, 100, 30).contains(" ! "));
    // Closed: nothing is "ready to close" any more.
    h.keys("q");
    h.app.run_command("close");
    assert_eq!(
        h.app.store.get(id).unwrap().status,
        Status::Closed,
        "{}",
        h.message()
    );
    h.keys("P");
    let s = screen(&h.app, 100, 30);
    assert!(
        !s.contains("Ready to close") && !s.contains("can close"),
        "{s}"
    );
    assert!(s.contains("is closed"), "{s}");
}

/// Polish 7: help scrolling stops at the end (so k answers at once); the
/// page keys scroll it; search results keep their section heading; /publish
/// finds the postmortem status key; the workflow reads in the real order.
#[test]
fn help_scrolls_within_bounds_and_searches_under_headings() {
    let mut h = seeded();
    h.keys("?");
    let scroll = |h: &Harness| match h.app.top() {
        View::Help(v) => v.scroll,
        _ => panic!("help is open"),
    };
    for _ in 0..500 {
        h.keys("j");
    }
    let end = scroll(&h);
    assert!(end > 0 && end < 200, "{end}");
    let s = screen(&h.app, 80, 24);
    assert!(s.contains("Command line (:)"), "the last lines show: {s}");
    h.keys("k");
    assert_eq!(scroll(&h), end - 1, "k moves at once");
    h.keys("g g");
    assert_eq!(scroll(&h), 0);
    h.keys("pagedown");
    let page = scroll(&h);
    assert!(page > 5, "{page}");
    h.keys("ctrl-d");
    assert!(scroll(&h) > page);
    h.keys("ctrl-u pageup");
    assert_eq!(scroll(&h), 0);
    // The workflow, in order.
    let s = screen(&h.app, 120, 40);
    let flat = s.replace('\n', " ");
    let at = |w: &str| flat.find(w).unwrap_or_else(|| panic!("{w}: {s}"));
    assert!(at("ack") < at("investigate"));
    assert!(at("investigate") < at("mitigate"));
    assert!(at("mitigate") < at("resolve"));
    assert!(at("resolve") < at("P postmortem"));
    assert!(at("P postmortem") < at("s close"), "{s}");
    // Search: the postmortem status key, under its heading.
    h.keys("/");
    h.type_text("publish");
    let s = screen(&h.app, 100, 30);
    assert!(
        s.contains("postmortem status (draft → in review → published)"),
        "{s}"
    );
    assert!(s.contains("Postmortem pane"), "the heading stays: {s}");
    let heading = s.find("Postmortem pane").unwrap();
    let key = s.find("postmortem status (draft").unwrap();
    assert!(heading < key, "{s}");
}

/// Polish 8: wording says what keys really do.
#[test]
fn wording_says_what_the_keys_really_do() {
    let mut h = seeded();
    // A bad command: the first key only closes the box.
    h.keys(":");
    h.type_text("frobnicate the widgets now please");
    h.keys("enter");
    let s = screen(&h.app, 80, 24);
    assert!(
        h.message()
            .contains("any key closes this; : then brings your text back"),
        "{s}"
    );
    h.keys(":"); // closes the box only
    h.keys(":");
    assert!(matches!(h.app.top(), View::Command { .. }));
    h.keys("esc");
    // Esc in a dialog keeps a draft: the footer says so, and the message
    // names the key that reopens it.
    h.keys("m");
    assert!(last_line(&screen(&h.app, 100, 30)).contains("esc close (keeps draft)"));
    h.type_text("half");
    h.keys("esc");
    assert!(h.message().contains("m reopens it"), "{}", h.message());
    h.keys("P a");
    h.type_text("Alert");
    h.keys("esc");
    assert!(
        h.message().contains("a reopens this form"),
        "{}",
        h.message()
    );
    h.keys("q");
    // Commander already: no `i take IC` hint.
    assert!(last_line(&screen(&h.app, 80, 24)).contains("i take IC"));
    h.keys("i");
    let hints = last_line(&screen(&h.app, 80, 24));
    assert!(!hints.contains("take IC"), "{hints}");
    // The full-screen details at 80 columns hint the key back.
    h.keys("enter");
    assert!(matches!(h.app.top(), View::Detail));
    let hints = last_line(&screen(&h.app, 80, 24));
    assert!(hints.starts_with(" esc back"), "{hints}");
}

/// Second walkthrough: Esc on the `:` line lost the text silently; now it
/// is kept like every other dialog's and the next `:` brings it back.
#[test]
fn escape_keeps_the_command_line_for_the_next_colon() {
    let mut h = seeded();
    h.keys(":");
    h.type_text("note the db failover took 4 minutes");
    h.keys("esc");
    assert!(matches!(h.app.top(), View::List));
    assert!(h.message().contains("kept"), "{}", h.message());
    h.keys(":");
    let View::Command { input, .. } = h.app.top() else {
        panic!("the : line is open")
    };
    assert_eq!(input, "note the db failover took 4 minutes");
}

/// Second walkthrough: Tab in the form's Service field moved on and left a
/// half-typed service; it completes a known one, as Tab does on the `:` line.
#[test]
fn tab_completes_a_half_typed_service_in_the_new_incident_form() {
    use crate::app::dialog::{Dialog, FormField};
    let mut h = seeded();
    h.keys("n");
    h.type_text("Checkout errors");
    h.keys("tab tab tab");
    // Services known from earlier incidents (the seed has none).
    if let Some(View::Dialog(Dialog::Form(f))) = h.app.stack.last_mut() {
        assert_eq!(f.focus, FormField::Service);
        f.services = vec!["billing".into(), "checkout".into()];
    }
    let service = "billing".to_string();
    let head: String = service.chars().take(2).collect();
    h.type_text(&head);
    h.keys("tab");
    match h.app.top() {
        View::Dialog(Dialog::Form(f)) => {
            assert_eq!(f.focus, FormField::Service, "completing stays in the field");
            let done = crate::app::dialog::text_of(&f.service);
            assert!(done.len() > head.len(), "{done}");
            assert!(f.services.contains(&done), "{done}");
        }
        _ => panic!("the form is open"),
    }
    h.keys("tab");
    match h.app.top() {
        View::Dialog(Dialog::Form(f)) => assert_ne!(f.focus, FormField::Service),
        _ => panic!("the form is open"),
    }
}
