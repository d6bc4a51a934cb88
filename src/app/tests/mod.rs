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
        let dir = tempfile::tempdir().unwrap();
        // A FixedClock shows times in UTC: rendered output is the same
        // everywhere, whatever TZ the test runs under.
        let clock = FixedClock::at(t0());
        let store = Store::open(&dir.path().join("sev.db")).unwrap();
        let mut app = App::new(
            store,
            Config::builtin(),
            keymap,
            Arc::new(clock.clone()),
            "alice".into(),
        )
        .unwrap();
        assert!(
            app.db_label.ends_with("/sev.db") && app.db_label.len() > "/sev.db".len(),
            "the header names the whole path: {}",
            app.db_label
        );
        // Snapshots must not depend on the temporary directory's name.
        app.db_label = "/srv/sev/sev.db".into();
        Harness { dir, app, clock }
    }

    /// Another responder on the same file, sharing the test's clock.
    pub fn responder(&self) -> crate::ops::Responder {
        crate::ops::Responder {
            store: self.other(),
            config: self.app.config.clone(),
            clock: self.clock.clone(),
        }
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

    /// Is the message shown (status line or box) an error?
    pub fn message_is_error(&self) -> bool {
        self.app.shown_message().is_some_and(|m| m.error)
    }

    /// The status-line message, or the message box on top.
    pub fn message(&self) -> String {
        self.app
            .shown_message()
            .map(|m| m.text.clone())
            .unwrap_or_default()
    }
}

pub(crate) fn seeded() -> Harness {
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
    assert!(matches!(h.app.top(), View::Dialog(Dialog::Form(_))));
    h.type_text("Checkout returns 502s");
    h.keys("tab");
    h.type_text("EU only");
    h.keys("tab tab");
    h.type_text("checkout");
    h.keys("tab right right"); // category: 2nd in the taxonomy
    h.keys("tab left"); // severity SEV3 → SEV2
    h.keys("ctrl-s");
    assert!(matches!(h.app.top(), View::List), "{}", h.message());
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
    let View::Dialog(Dialog::Picker(p)) = h.app.top() else {
        panic!()
    };
    let want = p.items[p.selected].value.clone();
    h.keys("enter");
    assert_eq!(h.selected().category, Some(want));

    // Prioritize: impact high, urgency high → P1 (← goes toward high).
    h.keys("p left down left");
    let View::Dialog(Dialog::Prioritize(p)) = h.app.top() else {
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
    let View::Dialog(Dialog::Picker(p)) = h.app.top() else {
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
    assert!(matches!(h.app.top(), View::Dialog(Dialog::Prompt(_))));
    h.type_text("Rolled back release 8.1");
    h.keys("ctrl-s");
    assert!(h.message().contains("resolved"), "{}", h.message());
    assert!(h.message().contains("not in open now"), "{}", h.message());
    let inc = h.app.store.get(id).unwrap();
    assert_eq!(inc.status, Status::Resolved);

    // It left the open list; show all, find it, close it.
    h.keys("f");
    assert!(h.app.list.ids.contains(&id));
    h.app.run_command(&id.to_string());
    assert_eq!(h.app.list.selected_id(), Some(id));
    h.keys("s");
    let View::Dialog(Dialog::Picker(p)) = h.app.top() else {
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
    // The refusal was a message box: the first key only closes it.
    h.keys("s");
    assert!(matches!(h.app.top(), View::List));
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
    assert!(h.message_is_error());
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
    assert!(matches!(h.app.top(), View::Detail), "details have the keys");
    h.keys("esc");
    assert!(matches!(h.app.top(), View::List));
    h.keys("?");
    assert!(matches!(h.app.top(), View::Help(_)));
    h.keys("esc");
    // Esc and n arriving together read as alt-n: still Esc, then n.
    h.keys("alt-n");
    assert!(
        matches!(h.app.top(), View::Dialog(Dialog::Form(_))),
        "alt-n = esc, n"
    );
    h.keys("esc esc q");
    assert!(h.app.quitting());
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
            .shown_message()
            .unwrap()
            .text
            .contains("Half-typed incident")
    );
    // Both drafts are announced (a box: the key that closes it does nothing else).
    let said = again.shown_message().unwrap().text.clone();
    assert!(said.contains("2 unsaved drafts"), "{said}");
    assert!(
        said.contains(":INC-") && said.contains("jumps to it"),
        "{said}"
    );
    again.on_key(Key::char('n').to_event());
    assert!(matches!(again.top(), View::List), "n only closed the box");
    again.on_key(Key::char('n').to_event());
    let View::Dialog(Dialog::Form(f)) = again.top() else {
        panic!()
    };
    assert_eq!(dialog::text_of(&f.title), "Half-typed incident");
    // Discarding asks first: a second ctrl-x confirms.
    again.on_key(Key::ctrl('x').to_event());
    assert!(again.drafts.new_incident.is_some());
    again.on_key(Key::ctrl('x').to_event());
    assert!(again.drafts.new_incident.is_none());
    again.on_key(Key::char('m').to_event());
    let View::Dialog(Dialog::Prompt(p)) = again.top() else {
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
    // A move that needs text asks for it (the one transition path).
    h.app.run_command("resolve");
    let View::Dialog(Dialog::Prompt(p)) = h.app.top() else {
        panic!("the resolve prompt opens: {}", h.message())
    };
    assert!(p.title.contains("what fixed it"), "{}", p.title);
    h.keys("esc");
    h.app.run_command("status mitig");
    assert_eq!(h.app.store.get(id).unwrap().status, Status::Mitigated);
    h.app.run_command("status res rolled back");
    assert_eq!(h.app.store.get(id).unwrap().status, Status::Resolved);
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

mod alerts;
mod bulk;
mod evidence;
mod issue10;
mod metrics;
mod paging;
mod postmortem;
mod shared;
mod times;
mod walkthrough;

/// Issue #9 item 7: `:abcé` sliced the verb inside the `é` while trying it
/// as an incident id, and the TUI crashed. Now it is an unknown command.
#[test]
fn a_non_ascii_command_line_is_an_error_not_a_crash() {
    let mut h = seeded();
    let before = h.selected();
    for line in ["abcé", "INC-é", "ééé", "+1", "set sévérité=1"] {
        if matches!(h.app.top(), View::Message(_)) {
            h.keys("esc");
        }
        h.keys(":");
        assert!(matches!(h.app.top(), View::Command { .. }));
        // The last invalid line came back for correction: start afresh.
        h.keys("ctrl-u");
        h.type_text(line);
        h.keys("enter");
        assert!(
            matches!(h.app.top(), View::List | View::Message(_)),
            "{line}"
        );
        assert!(!h.app.quitting(), "{line}");
        let msg = h.message();
        assert!(
            msg.contains("unknown command") || msg.contains("invalid field"),
            "{line}: {msg}"
        );
        let screen = crate::ui::tests::screen(&h.app, 100, 30);
        let head: String = msg.chars().take(20).collect();
        assert!(screen.contains(&head), "{line}: {screen}");
    }
    assert_eq!(h.selected(), before, "nothing changed");
    // The app still works: jump by reference.
    h.keys("esc :");
    h.keys("ctrl-u");
    h.type_text("INC-1");
    h.keys("enter");
    assert_eq!(h.selected().id, crate::domain::IncidentId(1));
}
