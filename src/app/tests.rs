//! Key-driven tests of the app state: each workflow step from the keyboard.

use super::dialog::Dialog;
use super::*;
use crate::clock::FixedClock;
use crate::domain::{NewIncident, Severity, Status};
use crate::keymap::parse_chord;
use chrono::TimeZone;

pub(crate) struct Harness {
    pub dir: tempfile::TempDir,
    pub app: App,
    pub clock: FixedClock,
}

pub(crate) fn t0() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc.with_ymd_and_hms(2026, 11, 26, 3, 0, 0).unwrap()
}

impl Harness {
    pub fn new() -> Harness {
        Harness::with_keymap(Keymap::defaults())
    }

    pub fn with_keymap(keymap: Keymap) -> Harness {
        // Display times in UTC so rendered output is the same everywhere.
        // SAFETY: every test sets the same value.
        unsafe { std::env::set_var("TZ", "UTC") };
        let dir = tempfile::tempdir().unwrap();
        let clock = FixedClock::at(t0());
        let store = Store::open(&dir.path().join("sev.db")).unwrap();
        let app = App::new(
            store,
            Config::builtin(),
            keymap,
            Arc::new(clock.clone()),
            "alice".into(),
        )
        .unwrap();
        Harness { dir, app, clock }
    }

    /// A second connection to the same file, as another responder.
    pub fn other(&self) -> Store {
        Store::open(&self.dir.path().join("sev.db")).unwrap()
    }

    pub fn seed(&mut self, items: &[(&str, Severity)]) {
        for (title, sev) in items {
            self.clock.advance(chrono::Duration::minutes(3));
            self.app
                .ctx()
                .create(&NewIncident {
                    title: title.to_string(),
                    severity: Some(*sev),
                    ..Default::default()
                })
                .unwrap();
        }
        self.app.reload().unwrap();
    }

    /// Press keys written like the keymap: "n", "ctrl-s", "g g", "esc".
    pub fn keys(&mut self, keys: &str) {
        for k in parse_chord(keys).unwrap() {
            self.app.on_key(k.to_event());
        }
    }

    pub fn type_text(&mut self, s: &str) {
        for c in s.chars() {
            self.app.on_key(Key::char(c).to_event());
        }
    }

    pub fn selected(&self) -> Incident {
        self.app
            .store
            .get(self.app.list.selected_id().unwrap())
            .unwrap()
    }

    pub fn message(&self) -> String {
        self.app
            .message
            .as_ref()
            .map(|m| m.text.clone())
            .unwrap_or_default()
    }
}

fn seeded() -> Harness {
    let mut h = Harness::new();
    h.seed(&[
        ("Disk full on db primary", Severity::Sev3),
        ("DNS resolution failures in eu-west-1", Severity::Sev2),
        ("Typo on status page", Severity::Sev5),
    ]);
    h
}

#[test]
fn the_whole_workflow_from_the_keyboard() {
    let mut h = seeded();
    // Log a new SEV2 through the form.
    h.keys("n");
    assert!(matches!(h.app.overlay, Overlay::Dialog(Dialog::Form(_))));
    h.type_text("Checkout returns 502s");
    h.keys("tab");
    h.type_text("EU only");
    h.keys("tab tab");
    h.type_text("checkout");
    h.keys("tab right right"); // category: 2nd in the taxonomy
    h.keys("tab left"); // severity SEV3 → SEV2
    h.keys("ctrl-s");
    assert!(matches!(h.app.overlay, Overlay::None), "{}", h.message());
    let inc = h.selected();
    assert_eq!(
        (inc.title.as_str(), inc.severity, inc.service.as_deref()),
        ("Checkout returns 502s", Severity::Sev2, Some("checkout"))
    );
    assert_eq!(
        inc.category.as_deref(),
        Some(h.app.config.taxonomy.categories[1].as_str())
    );
    assert_eq!(inc.description, "EU only");

    // Categorize: pick "dns" by its first letter.
    h.keys("c");
    h.type_text("d");
    let Overlay::Dialog(Dialog::Picker(p)) = &h.app.overlay else {
        panic!()
    };
    let want = p.items[p.selected].value.clone();
    h.keys("enter");
    assert_eq!(h.selected().category, Some(want));

    // Prioritize: impact high, urgency high → P1 (← goes toward high).
    h.keys("p left down left");
    let Overlay::Dialog(Dialog::Prioritize(p)) = &h.app.overlay else {
        panic!()
    };
    assert_eq!(
        (p.impact, p.urgency),
        (crate::domain::Impact::High, crate::domain::Urgency::High)
    );
    h.keys("enter");
    assert_eq!(h.selected().priority, crate::domain::Priority::P1);

    // Acknowledge, take command, note.
    h.keys("a");
    assert_eq!(h.selected().status, Status::Acknowledged);
    assert_eq!(h.selected().assignee.as_deref(), Some("alice"));
    h.keys("i");
    assert_eq!(h.selected().commander.as_deref(), Some("alice"));
    h.keys("m");
    h.type_text("rolled back");
    h.keys("enter");
    h.type_text("errors falling");
    h.keys("ctrl-s");
    let id = h.selected().id;
    let events = h.app.store.events(id).unwrap();
    assert_eq!(
        events.last().unwrap().text.as_deref(),
        Some("rolled back\nerrors falling")
    );

    // Status menu offers only legal states; mitigate.
    h.keys("s");
    let Overlay::Dialog(Dialog::Picker(p)) = &h.app.overlay else {
        panic!()
    };
    let offered: Vec<&str> = p.items.iter().map(|i| i.value.as_str()).collect();
    assert_eq!(
        offered,
        ["investigating", "mitigated", "resolved", "cancelled"]
    );
    h.keys("j enter");
    assert_eq!(h.selected().status, Status::Mitigated);

    // Resolve asks for a summary; an empty one is refused and the dialog stays.
    h.keys("r");
    h.keys("ctrl-s");
    assert!(matches!(h.app.overlay, Overlay::Dialog(Dialog::Prompt(_))));
    h.type_text("Rolled back release 8.1");
    h.keys("ctrl-s");
    assert!(h.message().contains("resolved"), "{}", h.message());
    assert!(
        h.message().contains("left the open list"),
        "{}",
        h.message()
    );
    let inc = h.app.store.get(id).unwrap();
    assert_eq!(inc.status, Status::Resolved);

    // It left the open list; show all, find it, close it.
    h.keys("f");
    assert!(h.app.list.ids.contains(&id));
    h.app.run_command(&id.to_string());
    assert_eq!(h.app.list.selected_id(), Some(id));
    h.keys("s");
    let Overlay::Dialog(Dialog::Picker(p)) = &h.app.overlay else {
        panic!()
    };
    assert_eq!(p.items[0].value, "closed");
    h.keys("enter");
    // A SEV2 needs its postmortem first: the refusal says exactly what.
    assert_eq!(h.app.store.get(id).unwrap().status, Status::Resolved);
    let m = h.message();
    assert!(
        m.contains("cannot close yet")
            && m.contains("a postmortem")
            && m.contains("action item with an owner"),
        "{m}"
    );
    let cx = h.app.ctx();
    cx.set_section(id, "root-cause", "A config push without a canary")
        .unwrap();
    cx.set_pm_status(id, crate::domain::PmStatus::Published)
        .unwrap();
    cx.add_action(
        id,
        &crate::ops::NewAction {
            description: "Canary config pushes".into(),
            owner: Some("bob".into()),
            ..Default::default()
        },
    )
    .unwrap();
    h.keys("s enter");
    assert_eq!(
        h.app.store.get(id).unwrap().status,
        Status::Closed,
        "{}",
        h.message()
    );
}

#[test]
fn an_illegal_action_explains_why_and_changes_nothing() {
    let mut h = seeded();
    let id = h.app.list.selected_id().unwrap();
    h.app.run_command("resolve false alarm");
    h.keys("f"); // all
    h.app.run_command(&id.to_string());
    let before = h.app.store.get(id).unwrap();
    h.keys("a");
    assert!(h.app.message.as_ref().unwrap().error);
    assert!(
        h.message()
            .contains("legal next states are closed, investigating"),
        "{}",
        h.message()
    );
    assert_eq!(h.app.store.get(id).unwrap(), before);
    h.app.run_command("frobnicate");
    assert!(h.message().contains("unknown command"), "{}", h.message());
}

#[test]
fn navigation_keys_and_chords() {
    let mut h = seeded();
    assert_eq!(h.app.list.selected, 0);
    h.keys("j j");
    assert_eq!(h.app.list.selected, 2);
    h.keys("j");
    assert_eq!(h.app.list.selected, 2, "clamped at the end");
    h.keys("g g");
    assert_eq!(h.app.list.selected, 0);
    h.keys("G");
    assert_eq!(h.app.list.selected, 2);
    h.keys("g k"); // an unfinished chord falls back to the last key
    assert_eq!(h.app.list.selected, 1);
    h.keys("enter");
    assert_eq!(h.app.focus, Focus::Detail);
    assert!(
        h.app.detail_open,
        "narrow terminal: details replace the list"
    );
    h.keys("esc");
    assert_eq!(h.app.focus, Focus::List);
    h.keys("?");
    assert!(matches!(h.app.overlay, Overlay::Help { .. }));
    h.keys("esc");
    // Esc and n arriving together read as alt-n: still Esc, then n.
    h.keys("alt-n");
    assert!(
        matches!(h.app.overlay, Overlay::Dialog(Dialog::Form(_))),
        "alt-n = esc, n"
    );
    h.keys("esc esc q");
    assert!(h.app.quit);
}

#[test]
fn facets_filter_the_list() {
    let mut h = seeded();
    assert_eq!(h.app.list.ids.len(), 3);
    h.keys("F"); // SEV1 only
    assert_eq!(h.app.list.ids.len(), 0);
    h.keys("F"); // SEV2
    assert_eq!(h.app.list.ids.len(), 1);
    h.keys("0");
    h.keys("M");
    assert_eq!(h.app.list.ids.len(), 0, "nothing assigned to alice yet");
    h.keys("M a");
    h.keys("M");
    assert_eq!(h.app.list.ids.len(), 1);
}

#[test]
fn fuzzy_search_narrows_highlights_and_clears() {
    let mut h = seeded();
    h.keys("/");
    h.type_text("dsk");
    h.app.wait_for_search();
    assert_eq!(h.app.list.ids.len(), 1);
    assert!(h.selected().title.starts_with("Disk full"));
    let id = h.selected().id;
    assert_eq!(h.app.highlights.get(&id).map(|v| v.len()), Some(3));
    h.keys("enter");
    assert_eq!(h.app.filter, "dsk");
    assert_eq!(h.app.list.ids.len(), 1, "enter keeps the filter");
    h.keys("esc");
    assert_eq!(h.app.filter, "");
    assert_eq!(h.app.list.ids.len(), 3, "esc clears it");
    // Backspace widens again while typing.
    h.keys("/");
    h.type_text("zzz");
    h.app.wait_for_search();
    assert_eq!(h.app.list.ids.len(), 0);
    h.keys("backspace backspace backspace");
    h.app.wait_for_search();
    assert_eq!(h.app.list.ids.len(), 3);
}

#[test]
fn another_processes_commit_appears_after_a_tick_and_selection_stays() {
    let mut h = seeded();
    h.keys("j");
    let selected = h.app.list.selected_id();
    let other = h.other();
    let config = h.app.config.clone();
    let clock = h.clock.clone();
    let cx = Ctx {
        store: &other,
        config: &config,
        actor: "bob".into(),
        clock: &clock,
    };
    let new = cx
        .create(&NewIncident {
            title: "Payments down".into(),
            severity: Some(Severity::Sev1),
            impact: Some(crate::domain::Impact::High),
            urgency: Some(crate::domain::Urgency::High),
            ..Default::default()
        })
        .unwrap();
    assert!(!h.app.list.ids.contains(&new.id));
    h.app.tick();
    assert_eq!(h.app.list.ids[0], new.id, "the P1 sorts first");
    assert_eq!(
        h.app.list.selected_id(),
        selected,
        "selection stays on the same incident"
    );
    // A note from bob shows up in the open details.
    cx.note(selected.unwrap(), "bob was here").unwrap();
    h.app.tick();
    assert_eq!(
        h.app.detail.events.last().unwrap().text.as_deref(),
        Some("bob was here")
    );
}

#[test]
fn a_change_under_an_open_dialog_is_flagged_and_a_conflict_keeps_the_text() {
    let mut h = seeded();
    let id = h.app.list.selected_id().unwrap();
    h.keys("T"); // edit title
    h.keys("ctrl-u"); // the textarea's "delete to line head"
    h.type_text("My better title");
    let other = h.other();
    let config = h.app.config.clone();
    let clock = h.clock.clone();
    let cx = Ctx {
        store: &other,
        config: &config,
        actor: "bob".into(),
        clock: &clock,
    };
    cx.set(
        id,
        &[crate::ops::Edit::new(
            crate::domain::Field::Title,
            "Bob's title",
        )],
        None,
    )
    .unwrap();
    h.app.tick();
    let Overlay::Dialog(Dialog::Prompt(p)) = &h.app.overlay else {
        panic!()
    };
    assert!(
        p.stale.as_deref().unwrap_or("").contains("changed by bob"),
        "{:?}",
        p.stale
    );
    h.keys("enter");
    let Overlay::Dialog(Dialog::Prompt(p)) = &h.app.overlay else {
        panic!("the dialog must stay open")
    };
    assert!(
        p.error.as_deref().unwrap().contains("conflict"),
        "{:?}",
        p.error
    );
    assert_eq!(p.text(), "My better title", "the user's text is kept");
    assert_eq!(
        h.app.store.get(id).unwrap().title,
        "Bob's title",
        "nothing overwritten"
    );
    h.keys("enter"); // again: keep mine
    assert_eq!(h.app.store.get(id).unwrap().title, "My better title");
}

#[test]
fn drafts_survive_escape_quit_and_restart() {
    let mut h = seeded();
    let path = h.dir.path().join("state").join("drafts.json");
    h.app.use_drafts(path.clone());
    h.keys("n");
    h.type_text("Half-typed incident");
    h.keys("esc");
    assert!(h.message().contains("draft kept"));
    h.keys("m");
    h.type_text("a note in progress");
    h.app.stash_open_dialog(); // what quitting or SIGHUP does
    assert!(path.exists());

    let store = Store::open(&h.dir.path().join("sev.db")).unwrap();
    let mut again = App::new(
        store,
        Config::builtin(),
        Keymap::defaults(),
        Arc::new(h.clock.clone()),
        "alice".into(),
    )
    .unwrap();
    again.use_drafts(path);
    assert!(
        again
            .message
            .as_ref()
            .unwrap()
            .text
            .contains("Half-typed incident")
    );
    again.on_key(Key::char('n').to_event());
    let Overlay::Dialog(Dialog::Form(f)) = &again.overlay else {
        panic!()
    };
    assert_eq!(dialog::text_of(&f.title), "Half-typed incident");
    again.on_key(Key::ctrl('x').to_event());
    assert!(again.drafts.new_incident.is_none());
    again.on_key(Key::char('m').to_event());
    let Overlay::Dialog(Dialog::Prompt(p)) = &again.overlay else {
        panic!()
    };
    assert_eq!(p.text(), "a note in progress");
}

#[test]
fn command_line_runs_cli_verbs() {
    let mut h = seeded();
    let id = h.app.list.selected_id().unwrap();
    h.keys(":");
    h.type_text("sev 1");
    h.keys("enter");
    assert_eq!(h.app.store.get(id).unwrap().severity, Severity::Sev1);
    h.app.run_command("assign bob");
    assert_eq!(
        h.app.store.get(id).unwrap().assignee.as_deref(),
        Some("bob")
    );
    h.app.run_command("set impact=high urgency=high");
    assert_eq!(
        h.app.store.get(id).unwrap().priority,
        crate::domain::Priority::P1
    );
    h.app.run_command("ack");
    h.app.run_command("note checking");
    h.app.run_command("resolve");
    assert!(h.message().contains("needs a summary"), "{}", h.message());
    h.app.run_command("new Something else broke");
    assert_eq!(h.selected().title, "Something else broke");
    h.app.run_command("INC-999");
    assert!(h.message().contains("no incident INC-999"));
}

#[test]
fn rebinding_shows_in_help_and_hints() {
    let mut c = Config::builtin();
    c.layer_str(
        "[keys.normal]\n\"x\" = \"acknowledge\"\n\"a\" = \"\"\n",
        "user.toml",
    )
    .unwrap();
    let km = Keymap::load(&c.keys).unwrap();
    let mut h = Harness::with_keymap(km);
    h.seed(&[("one", Severity::Sev3)]);
    let help = crate::ui::tests::render_help_text(&h.app);
    assert!(
        help.lines()
            .any(|l| l.trim_start().starts_with('x') && l.contains("acknowledge")),
        "{help}"
    );
    h.keys("x");
    assert_eq!(h.selected().status, Status::Acknowledged);
}

#[test]
fn postmortem_pane_from_the_keyboard_then_close_and_overdue_next_week() {
    use crate::app::postmortem::{PmEntry, Screen};
    let mut h = Harness::new();
    h.seed(&[("Payments down everywhere", Severity::Sev1)]);
    let id = h.app.list.selected_id().unwrap();
    h.app.run_command("resolve Failed over to the secondary");
    h.keys("f");
    h.app.run_command(&id.to_string());
    h.keys("s enter"); // closed → refused
    assert!(h.message().contains("cannot close yet"), "{}", h.message());

    h.keys("P");
    assert!(matches!(h.app.screen, Screen::Postmortem(_)));
    assert_eq!(h.app.mode(), crate::keymap::Mode::Postmortem);
    // Write the summary (first section) and the root cause.
    h.keys("j enter");
    h.type_text("Payments failed for 25 minutes.");
    h.keys("ctrl-s");
    let Screen::Postmortem(p) = &h.app.screen else {
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
    let Screen::Postmortem(p) = &h.app.screen else {
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
    assert!(matches!(h.app.screen, Screen::Incidents));
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
    let Screen::Actions(v) = &h.app.screen else {
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
    let Screen::Actions(v) = &h.app.screen else {
        panic!()
    };
    assert_eq!(v.items.len(), 1, "the done item left the open list");
    h.keys("enter");
    assert!(
        matches!(h.app.screen, Screen::Postmortem(_)),
        "enter opens the item's postmortem"
    );
}

#[test]
fn presence_shows_who_else_is_viewing_or_editing_and_expires() {
    let mut a = Harness::new();
    a.seed(&[("Shared incident", Severity::Sev2)]);
    a.app
        .enable_presence("jump1".into(), 100, "10.0.0.7".into());
    let store = a.other();
    let mut b = App::new(
        store,
        Config::builtin(),
        Keymap::defaults(),
        Arc::new(a.clock.clone()),
        "bob".into(),
    )
    .unwrap();
    b.enable_presence("jump1".into(), 200, "local".into());
    a.clock.advance(chrono::Duration::seconds(2));
    a.app.tick();
    b.tick();
    assert_eq!(b.viewers.len(), 1, "bob sees alice");
    assert_eq!(
        (b.viewers[0].actor.as_str(), b.viewers[0].editing),
        ("alice", false)
    );
    b.on_key(Key::parse("enter").unwrap().to_event());
    let screen = crate::ui::tests::screen(&b, 80, 24);
    assert!(
        screen.contains("also here: alice (viewing, from 10.0.0.7)"),
        "{screen}"
    );

    // Alice starts writing a note: bob sees "editing" after her next beat.
    a.keys("m");
    a.clock.advance(chrono::Duration::seconds(2));
    a.app.tick();
    let store = a.other();
    let seen = store
        .viewers(a.app.list.selected_id().unwrap(), a.clock.now())
        .unwrap();
    assert!(
        seen.iter().any(|v| v.actor == "alice" && v.editing),
        "{seen:?}"
    );

    // Alice's process dies: her entry expires within a minute.
    a.clock.advance(chrono::Duration::seconds(50));
    let seen = store
        .viewers(a.app.list.selected_id().unwrap(), a.clock.now())
        .unwrap();
    assert!(seen.iter().all(|v| v.actor != "alice"), "{seen:?}");
}

#[test]
fn a_full_database_gives_a_clear_error_and_keeps_the_text() {
    let mut h = seeded();
    let id = h.app.list.selected_id().unwrap();
    // Simulate a full disk: no page may be added to the file.
    let pages: i64 = h
        .app
        .store
        .conn()
        .query_row("PRAGMA page_count", [], |r| r.get(0))
        .unwrap();
    h.app
        .store
        .conn()
        .execute_batch(&format!("PRAGMA max_page_count = {pages}"))
        .unwrap();
    h.keys("m");
    let long = "x".repeat(20_000);
    h.type_text(&long[..50]);
    // Paste-like bulk text so the note cannot fit in the free space of the last page.
    if let Overlay::Dialog(Dialog::Prompt(p)) = &mut h.app.overlay {
        p.input.insert_str(&long);
    }
    h.keys("ctrl-s");
    let Overlay::Dialog(Dialog::Prompt(p)) = &h.app.overlay else {
        panic!("the dialog must stay open")
    };
    let err = p.error.clone().unwrap_or_default();
    assert!(
        err.contains("is full") && err.contains("nothing was saved"),
        "{err}"
    );
    assert_eq!(p.text().len(), 50 + 20_000, "the text is kept");
    assert!(
        h.app
            .drafts
            .prompts
            .values()
            .any(|d| d.len() == 50 + 20_000),
        "and kept as a draft"
    );
    assert!(
        h.app
            .store
            .events(id)
            .unwrap()
            .iter()
            .all(|e| e.text.as_deref().is_none_or(|t| t.len() < 100))
    );
}

#[test]
fn a_simultaneous_priority_edit_is_a_conflict_not_a_lost_update() {
    let mut h = seeded();
    let id = h.app.list.selected_id().unwrap();
    h.keys("p left"); // alice: impact → high
    let other = h.other();
    let config = h.app.config.clone();
    let clock = h.clock.clone();
    let bob = Ctx {
        store: &other,
        config: &config,
        actor: "bob".into(),
        clock: &clock,
    };
    bob.set(
        id,
        &[crate::ops::Edit::new(crate::domain::Field::Impact, "low")],
        None,
    )
    .unwrap();
    h.keys("enter");
    let Overlay::Dialog(Dialog::Prioritize(p)) = &h.app.overlay else {
        panic!("the dialog stays open")
    };
    let e = p.error.clone().unwrap();
    assert!(
        e.contains("conflict")
            && e.contains("'low'")
            && e.contains("'high'")
            && e.contains("enter again keeps yours"),
        "{e}"
    );
    assert_eq!(
        h.app.store.get(id).unwrap().impact,
        crate::domain::Impact::Low,
        "bob's value stands until alice decides"
    );
    h.keys("enter");
    assert_eq!(
        h.app.store.get(id).unwrap().impact,
        crate::domain::Impact::High,
        "keep mine"
    );
}
