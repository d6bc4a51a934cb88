//! The postmortem pane and the actions view, from the keyboard.

use super::*;

#[test]
fn postmortem_pane_from_the_keyboard_then_close_and_overdue_next_week() {
    use crate::app::View;
    use crate::app::postmortem::PmEntry;
    let mut h = Harness::new();
    h.seed(&[("Payments down everywhere", Severity::Sev1)]);
    let id = h.app.list.selected_id().unwrap();
    h.app.run_command("resolve Failed over to the secondary");
    h.keys("f");
    h.app.run_command(&id.to_string());
    h.keys("s enter"); // closed → refused
    assert!(h.message().contains("cannot close yet"), "{}", h.message());
    // The refusal is a message box: the key that closes it does nothing else.
    h.keys("P");
    assert!(matches!(h.app.top(), View::List));
    h.keys("P");
    assert!(matches!(h.app.top(), View::Postmortem(_)));
    assert_eq!(h.app.mode(), crate::keymap::Mode::Postmortem);
    // Write the summary (first section) and the root cause.
    h.keys("j enter");
    h.type_text("Payments failed for 25 minutes.");
    h.keys("ctrl-s");
    let View::Postmortem(p) = h.app.top() else {
        panic!()
    };
    let rc = p
        .entries
        .iter()
        .position(|e| matches!(e, PmEntry::Section(s) if s.key == "root-cause"))
        .unwrap();
    let steps = rc - p.selected;
    for _ in 0..steps {
        h.keys("j");
    }
    h.keys("enter");
    h.type_text("Manual failover, stale runbook.");
    h.keys("ctrl-s");
    h.keys("o");
    h.keys("ctrl-u");
    h.type_text("alice");
    h.keys("enter");
    let pm = h.app.store.postmortem(id).unwrap().unwrap();
    assert_eq!(pm.text("summary"), Some("Payments failed for 25 minutes."));
    assert_eq!(
        pm.text("root-cause"),
        Some("Manual failover, stale runbook.")
    );
    assert_eq!(pm.owner.as_deref(), Some("alice"));

    // Two action items with owners and due dates.
    h.keys("a");
    h.type_text("Automate failover");
    h.keys("tab tab");
    h.type_text("bob");
    h.keys("tab ctrl-u");
    h.type_text("+14d");
    h.keys("enter");
    h.keys("a");
    h.type_text("Fix the runbook");
    h.keys("tab right right tab"); // type: prevent → detect → process
    h.type_text("carol");
    h.keys("tab ctrl-u");
    h.type_text("+3d");
    h.keys("ctrl-s");
    let actions = h.app.store.actions(&Default::default()).unwrap();
    assert_eq!(actions.len(), 2, "{}", h.message());
    assert!(actions.iter().any(
        |a| a.owner.as_deref() == Some("carol") && a.kind == crate::domain::ActionKind::Process
    ));

    // Timeline: highlight and annotate an entry, never changing it.
    let View::Postmortem(p) = h.app.top() else {
        panic!()
    };
    let tl = p
        .entries
        .iter()
        .position(|e| *e == PmEntry::Timeline)
        .unwrap();
    for _ in 0..tl - p.selected {
        h.keys("j");
    }
    h.keys("J h n");
    h.type_text("the moment it went down");
    h.keys("enter");
    let marks = h.app.store.marks(id).unwrap();
    assert!(
        marks
            .values()
            .any(|m| m.highlight && m.annotation.as_deref() == Some("the moment it went down"))
    );

    // Publish, go back, close.
    h.keys("s j j enter");
    assert_eq!(
        h.app.store.postmortem(id).unwrap().unwrap().status,
        crate::domain::PmStatus::Published
    );
    h.keys("esc");
    assert!(matches!(h.app.top(), View::List));
    h.keys("s enter");
    assert_eq!(
        h.app.store.get(id).unwrap().status,
        Status::Closed,
        "{}",
        h.message()
    );

    // A week later the runbook item is overdue and the actions view says so.
    h.clock.advance(chrono::Duration::days(7));
    h.keys("X");
    assert_eq!(h.app.mode(), crate::keymap::Mode::Actions);
    h.keys("f"); // overdue
    let View::Actions(v) = h.app.top() else {
        panic!()
    };
    assert_eq!(v.items.len(), 1);
    assert_eq!(v.items[0].description, "Fix the runbook");
    let screen = crate::ui::tests::screen(&h.app, 80, 24);
    assert!(
        screen.contains("[OVERDUE]") && screen.contains("Fix the runbook"),
        "{screen}"
    );
    h.keys("d");
    h.keys("f f f"); // back to open
    let View::Actions(v) = h.app.top() else {
        panic!()
    };
    assert_eq!(v.items.len(), 1, "the done item left the open list");
    h.keys("enter");
    assert!(
        matches!(h.app.top(), View::Postmortem(_)),
        "enter opens the item's postmortem"
    );
}

#[test]
fn saving_an_untouched_empty_section_does_not_say_saved() {
    let mut h = Harness::new();
    h.seed(&[("Payments down", Severity::Sev2)]);
    h.keys("P");
    h.keys("j enter"); // the summary, empty
    h.keys("ctrl-s");
    assert!(
        h.message().contains("summary unchanged") && !h.message().contains("saved"),
        "{}",
        h.message()
    );
    h.keys("enter");
    h.type_text("Payments failed.");
    h.keys("ctrl-s");
    assert!(h.message().contains("summary saved"), "{}", h.message());
    h.keys("enter ctrl-u ctrl-s");
    assert!(h.message().contains("summary cleared"), "{}", h.message());
}

#[test]
fn the_action_form_is_a_draft_like_every_other_dialog() {
    let mut h = Harness::new();
    h.seed(&[("Payments down", Severity::Sev2)]);
    let id = h.app.list.selected_id().unwrap();
    let key = format!("{id} new action");
    h.keys("P a");
    assert!(
        h.app.draft_snapshot().actions.is_empty(),
        "nothing typed yet"
    );
    h.type_text("Canary config pu");
    h.keys("tab tab");
    h.type_text("bob");
    // What a hang-up or a crash saves (the snapshot) holds the form.
    let snap = h.app.draft_snapshot();
    assert_eq!(snap.actions[&key].description, "Canary config pu");
    assert_eq!(snap.actions[&key].owner, "bob");
    // Esc keeps it, and reopening the same form brings it back.
    h.keys("esc");
    assert!(h.message().contains("draft kept"), "{}", h.message());
    h.keys("a");
    assert!(h.message().contains("draft is back"), "{}", h.message());
    h.type_text("shes");
    h.keys("ctrl-s");
    let items = h.app.store.actions(&Default::default()).unwrap();
    assert_eq!(items.len(), 1, "{}", h.message());
    assert_eq!(items[0].description, "Canary config pushes");
    assert_eq!(items[0].owner.as_deref(), Some("bob"));
    assert!(h.app.drafts.actions.is_empty(), "saved: the draft goes");
    // ctrl-x twice discards.
    h.keys("a");
    h.type_text("throwaway");
    h.keys("esc a");
    h.keys("ctrl-x");
    assert!(!h.app.drafts.actions.is_empty(), "one ctrl-x only asks");
    h.keys("ctrl-x");
    assert!(h.app.drafts.actions.is_empty());
    h.keys("a");
    assert!(h.app.draft_snapshot().actions.is_empty(), "a fresh form");
}

#[test]
fn the_command_line_is_kept_in_the_snapshot_and_comes_back() {
    let mut h = Harness::new();
    h.seed(&[("Payments down", Severity::Sev2)]);
    h.keys(":");
    assert_eq!(h.app.draft_snapshot().command, None);
    h.type_text("resolve rolled ba");
    let snap = h.app.draft_snapshot();
    assert_eq!(snap.command.as_deref(), Some("resolve rolled ba"));
    // The next session starts with that draft and offers it back once.
    h.keys("esc");
    h.app.drafts = snap;
    h.keys(":");
    let crate::app::View::Command { input, .. } = h.app.top() else {
        panic!("the command line is open")
    };
    assert_eq!(input, "resolve rolled ba");
    assert_eq!(h.app.drafts.command, None);
}

/// Issue #9 item 7: a due date like `+7é` crashed the TUI from the action
/// form. Now the form stays open with the error and the app keeps running.
#[test]
fn hostile_due_dates_in_the_action_form_show_an_error_and_keep_the_form() {
    use crate::app::dialog::Dialog;
    let mut h = Harness::new();
    h.seed(&[("Payments down everywhere", Severity::Sev1)]);
    let id = h.app.list.selected_id().unwrap();
    h.keys("P a");
    h.type_text("Automate failover");
    h.keys("tab tab");
    h.type_text("bob");
    h.keys("tab"); // the due date field, prefilled with +14d
    for due in ["+7é", "+999999999999d", "+1000000000w", "++7d", "+-5d"] {
        h.keys("ctrl-u");
        h.type_text(due);
        h.keys("enter");
        let View::Dialog(Dialog::ActionForm(f)) = h.app.top() else {
            panic!("{due}: the form closed: {}", h.message())
        };
        let err = f.error.clone().unwrap_or_default();
        assert!(err.contains("due date"), "{due}: {err}");
        let screen = crate::ui::tests::screen(&h.app, 100, 30);
        assert!(screen.contains("due date"), "{due}: {screen}");
        assert!(!h.app.quitting());
        assert_eq!(f.focus, 3, "still on the due date");
    }
    assert!(h.app.store.actions(&Default::default()).unwrap().is_empty());
    // Correct it: the typed text was kept and the item saves.
    h.keys("ctrl-u");
    h.type_text("+7d");
    h.keys("enter");
    assert!(
        matches!(h.app.top(), View::Postmortem(_)),
        "{}",
        h.message()
    );
    let actions = h.app.store.actions(&Default::default()).unwrap();
    assert_eq!(actions.len(), 1);
    assert_eq!(actions[0].incident, id);
    assert_eq!(actions[0].description, "Automate failover");
    assert_eq!(actions[0].owner.as_deref(), Some("bob"));
    assert_eq!(
        actions[0].due,
        Some(h.clock.now().date_naive() + chrono::Duration::days(7))
    );
}
