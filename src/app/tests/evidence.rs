//! `:run` from the keyboard: the app asks the terminal loop to suspend and
//! run the command (an [`Effect::Run`]); here the test plays the loop's
//! part — runs it with [`crate::evidence::run`] into buffers instead of
//! the terminal — and hands the result back as the loop does.

use super::*;
use crate::domain::EventKind;
use crate::evidence::{LaunchError, Sinks};
use crate::ui::tests::screen;

/// The loop's part: run what the app asked for, output into a sink.
fn play_loop(h: &mut Harness) -> Option<(IncidentId, Vec<String>)> {
    let Some(Effect::Run { id, argv }) = h.app.take_effect() else {
        return None;
    };
    let r = crate::evidence::run(
        &argv,
        h.app.config.evidence.max_output,
        &h.clock,
        Sinks {
            out: Box::new(std::io::sink()),
            err: Box::new(std::io::sink()),
        },
    );
    h.app.run_done(id, r);
    Some((id, argv))
}

#[test]
fn run_records_the_command_and_the_pane_shows_it_sanitized() {
    let mut h = seeded();
    h.app.resize(120, 40);
    let id = h.app.list.selected_id().unwrap();
    h.keys(":");
    h.type_text(r#"run printf "%s\n" 'a b' "\033[2J" "x"#);
    h.type_text("\u{202e}");
    h.type_text(r#"y" "\033]52;c;aGk=\007""#);
    h.keys("enter");
    let (ran_on, argv) = play_loop(&mut h).expect("the app asked to run it");
    assert_eq!(ran_on, id);
    assert_eq!(
        argv,
        [
            "printf",
            "%s\\n",
            "a b",
            "\\033[2J",
            "x\u{202e}y",
            "\\033]52;c;aGk=\\007"
        ]
    );
    assert!(!h.message_is_error(), "{}", h.message());
    assert!(h.message().contains("recorded"), "{}", h.message());
    let ev = h.app.store.events(id).unwrap().pop().unwrap();
    assert_eq!(ev.kind, EventKind::Evidence);
    let rec = ev.evidence().unwrap();
    assert_eq!(rec.exit, crate::evidence::Exit::Code(0));
    assert_eq!(rec.started_at, h.clock.now());

    // printf's own escapes were not interpreted by a shell: the words
    // arrive as typed, and printf prints the backslashes literally for %s.
    h.keys("enter");
    let s = screen(&h.app, 120, 40);
    assert!(s.contains("ran printf"), "{s}");
    assert!(s.contains("exit 0"), "{s}");
    assert!(s.contains("a b"), "{s}");
    assert!(s.contains("x<U+202E>y"), "{s}");
    assert!(!s.contains('\u{1b}') && !s.contains('\u{202e}'), "{s}");
}

#[test]
fn raw_escape_output_never_reaches_the_screen() {
    let mut h = seeded();
    h.app.resize(120, 40);
    let id = h.app.list.selected_id().unwrap();
    h.app.run_command(
        r#"run sh -c 'printf "\033[2J\033]52;c;aGk=\007\342\200\256evil\nl2\nl3\nl4\nl5\nl6\nl7\nl8\n"; exit 3'"#,
    );
    play_loop(&mut h).unwrap();
    let ev = h.app.store.events(id).unwrap().pop().unwrap();
    let rec = ev.evidence().unwrap();
    assert_eq!(rec.exit, crate::evidence::Exit::Code(3));
    assert!(
        rec.head.starts_with(b"\x1b[2J\x1b]52;"),
        "raw bytes are kept"
    );
    h.keys("enter");
    let s = screen(&h.app, 120, 40);
    assert!(s.contains("exit 3"), "{s}");
    assert!(s.contains("^[[2J^[]52;c;aGk=^G<U+202E"), "{s}");
    // Collapsed in the pane: first and last lines, the rest counted.
    let pane: Vec<&str> = s
        .lines()
        .map(|l| l.rsplit('│').next().unwrap_or("").trim())
        .collect();
    assert!(s.contains("more lines (sev show)"), "{s}");
    assert!(pane.contains(&"l8") && pane.contains(&"l2"), "{s}");
    assert!(!pane.contains(&"l5"), "{s}");
    assert!(!s.contains('\u{1b}') && !s.contains('\u{202e}') && !s.contains('\u{7}'));
}

#[test]
fn mistakes_and_missing_commands_are_errors_and_record_nothing() {
    let mut h = seeded();
    let id = h.app.list.selected_id().unwrap();
    let before = h.app.store.events(id).unwrap().len();
    h.app.run_command("run");
    assert!(h.message_is_error() && h.message().contains(":run needs a command"));
    assert!(h.app.take_effect().is_none());
    h.app.run_command("run echo 'unclosed");
    assert!(h.message_is_error() && h.message().contains("not closed"));
    assert!(h.app.take_effect().is_none());
    h.app.run_command("run no-such-command-sev-test --flag");
    play_loop(&mut h).unwrap();
    assert!(h.message_is_error(), "{}", h.message());
    assert!(h.message().contains("command not found"), "{}", h.message());
    h.app.run_done(id, Err(LaunchError::Empty));
    assert_eq!(h.app.store.events(id).unwrap().len(), before);
}
