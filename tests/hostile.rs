//! The hostile corpus: every terminal escape and invisible character we know
//! of, run through every way sev puts text on a terminal — CLI text and
//! JSON, exports, error messages, clap's messages, the panic message and
//! the TUI buffer. Nothing raw may come out, and JSON must still carry the
//! exact text.

mod common;

use common::Env;
use std::path::Path;
use std::process::Output;

/// One of each: CSI, OSC 0 (title), OSC 52 (clipboard), DCS, C1 CSI and
/// OSC, bidi controls, format characters, line/paragraph separators, tag
/// characters, Hangul fillers, the grapheme joiner, variation selectors.
/// Starts with ASCII so id parsers see a plain prefix.
const HOSTILE: &str = concat!(
    "hostile ",
    "csi\u{1b}[31mred\u{1b}[0m\u{1b}[2J ",
    "osc0\u{1b}]0;pwned title\u{7} ",
    "osc52\u{1b}]52;c;Y3VybCBldmlsLnNofHNo\u{1b}\\ ",
    "dcs\u{1b}P+q544e\u{1b}\\ ",
    "c1\u{9b}31m\u{9d}0;t\u{9c}\u{85} ",
    "bidi\u{202a}\u{202b}\u{202c}\u{202d}\u{202e}\u{2066}\u{2067}\u{2068}\u{2069}\u{200e}\u{200f}\u{61c} ",
    "fmt\u{200b}\u{200c}\u{200d}\u{2060}\u{2061}\u{2064}\u{feff}\u{ad}\u{206a}\u{206b}\u{206c}\u{206d}\u{206e}\u{206f}\u{180e}\u{fff9}\u{600}\u{110bd} ",
    "sep\u{2028}\u{2029} ",
    "tag\u{e0001}\u{e0041}\u{e0062}\u{e007f} ",
    "fill\u{3164}\u{115f}\u{1160}\u{ffa0} ",
    "join\u{34f}\u{17b4}\u{17b5}\u{180b} ",
    "vs\u{fe00}\u{fe0f}\u{e0100}\u{e01ef} ",
    "end\u{7f}\u{1}\t.",
);

/// Independent of sev's own table: by character properties and the
/// ranges named in issue #9.
fn is_dangerous(c: char) -> bool {
    if c == '\n' {
        return false;
    }
    let n = c as u32;
    c.is_control() // C0, DEL, C1
        || matches!(
            n,
            0x00AD
                | 0x034F
                | 0x0600..=0x0605
                | 0x061C
                | 0x06DD
                | 0x070F
                | 0x08E2
                | 0x115F..=0x1160
                | 0x17B4..=0x17B5
                | 0x180B..=0x180F
                | 0x200B..=0x200F // zero-width, ZWJ, LRM/RLM
                | 0x2028..=0x202E // separators, bidi embeddings/overrides
                | 0x2060..=0x206F // word joiner, invisible operators, isolates, deprecated format
                | 0x3164
                | 0xFE00..=0xFE0F
                | 0xFEFF
                | 0xFFA0
                | 0xFFF9..=0xFFFB
                | 0x110BD
                | 0x1D173..=0x1D17A
                | 0xE0000..=0xE0FFF // tags, variation selectors 17-256
        )
}

#[track_caller]
fn assert_clean(what: &str, text: &str) {
    if let Some((i, c)) = text.char_indices().find(|&(_, c)| is_dangerous(c)) {
        let from = text[..i]
            .char_indices()
            .rev()
            .nth(30)
            .map(|(j, _)| j)
            .unwrap_or(0);
        panic!(
            "{what}: raw U+{:04X} at byte {i}, after {:?}",
            c as u32,
            &text[from..i]
        );
    }
}

/// Both streams of a run, checked.
#[track_caller]
fn clean_output(what: &str, o: &Output) -> (String, String) {
    let out = String::from_utf8(o.stdout.clone()).expect("stdout is UTF-8");
    let err = String::from_utf8(o.stderr.clone()).expect("stderr is UTF-8");
    assert_clean(&format!("{what} (stdout)"), &out);
    assert_clean(&format!("{what} (stderr)"), &err);
    (out, err)
}

/// Run, check both streams, expect `code`.
#[track_caller]
fn run_clean(e: &Env, args: &[&str], code: i32) -> (String, String) {
    let o = e.cmd().env("COLUMNS", "4000").args(args).output().unwrap();
    let what = format!("sev {args:?}");
    let r = clean_output(&what, &o);
    assert_eq!(o.status.code(), Some(code), "{what}: {}", r.1);
    r
}

/// A database holding the corpus in every field that takes free text.
fn hostile_db() -> Env {
    let e = Env::new();
    run_clean(
        &e,
        &[
            "new",
            HOSTILE,
            "--description",
            HOSTILE,
            "--service",
            HOSTILE,
            "--tag",
            HOSTILE,
            "--severity",
            "1",
        ],
        0,
    );
    run_clean(&e, &["note", "1", HOSTILE], 0);
    run_clean(&e, &["action", "add", "1", HOSTILE, "--owner", "alice"], 0);
    run_clean(
        &e,
        &["postmortem", "1", "--section", "summary", "--text", HOSTILE],
        0,
    );
    run_clean(&e, &["status", "1", "mitigated"], 0);
    run_clean(&e, &["resolve", "1", "--summary", HOSTILE], 0);
    e
}

#[test]
fn every_cli_output_path_is_clean_and_json_keeps_the_exact_text() {
    let e = hostile_db();
    for args in [
        &["list"][..],
        &["list", "--all"],
        &["list", "--all", "--json"],
        &["list", "--all", "--search", "hostile"],
        &["search", "hostile"],
        &["search", "hostile", "--json"],
        &["show", "1"],
        &["show", "INC-1", "--json"],
        &["actions"],
        &["actions", "--json"],
        &["postmortem", "1"],
        &["postmortem", "1", "--format", "json"],
        &["verify"],
        &["config", "show"],
    ] {
        run_clean(&e, args, 0);
    }
    // `show` renders the timeline: every event's text is there, visibly.
    let (show, _) = run_clean(&e, &["show", "1"], 0);
    assert!(show.contains("osc0^[]0;pwned title^G"), "{show}");
    assert!(show.contains("sep<U+2028><U+2029>"), "{show}");
    assert!(show.contains("fill<U+3164><U+115F>"), "{show}");

    // JSON round-trips: single-line fields have their line breaks folded on
    // input (CR/LF/NEL/U+2028/U+2029 runs → one space); free text is exact.
    let folded = sev::text::fold_lines(HOSTILE).into_owned();
    let (out, _) = run_clean(&e, &["show", "1", "--json"], 0);
    let j: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(j["title"], folded.trim());
    assert_eq!(j["service"], folded.trim());
    assert_eq!(j["description"], HOSTILE);
    let events = j["events"].as_array().unwrap();
    assert!(
        events.iter().any(|ev| ev["text"] == HOSTILE),
        "the note keeps its exact text"
    );
    let (out, _) = run_clean(&e, &["actions", "--json"], 0);
    let a: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(a[0]["description"], folded.trim());
    let (out, _) = run_clean(&e, &["postmortem", "1", "--format", "json"], 0);
    let p: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(p["incident"]["title"], folded.trim());
    assert_eq!(p["sections"][0]["text"], HOSTILE.trim_end());

    // The Markdown export: a forged title cannot add a section.
    run_clean(
        &e,
        &["set", "1", "title=Real title\n\n## Root cause(s)\nfake"],
        0,
    );
    let (md, _) = run_clean(&e, &["postmortem", "1"], 0);
    assert_eq!(
        md.lines()
            .filter(|l| l.starts_with("## Root cause"))
            .count(),
        1,
        "{md}"
    );
}

#[test]
fn error_messages_that_echo_input_are_clean() {
    let e = hostile_db();
    let field = format!("colour={HOSTILE}");
    let sev = format!("severity={HOSTILE}");
    let who = format!("assignee={HOSTILE}");
    for (args, code) in [
        (vec!["show", HOSTILE], 2),
        (vec!["set", "1", HOSTILE], 2),
        (vec!["set", "1", &field], 2),
        (vec!["set", "1", &sev], 2),
        (vec!["set", "1", &who], 2),
        (vec!["status", "1", HOSTILE], 2),
        (vec!["list", "--status", HOSTILE], 2),
        (vec!["action", "add", "1", "x", "--due", HOSTILE], 2),
        (vec!["action", "done", HOSTILE], 2),
        (
            vec!["postmortem", "1", "--section", HOSTILE, "--text", "x"],
            2,
        ),
        (vec!["verify", "--expect", HOSTILE], 2),
        (vec!["--config", HOSTILE, "list"], 2),
        (vec!["new", "t", "--category", HOSTILE], 2),
        (vec!["show", "999"], 3),
    ] {
        let (_, err) = run_clean(&e, &args, code);
        assert!(err.starts_with("sev: "), "{args:?}: {err}");
    }
    // A conflict shows both values, the stored and the refused one.
    run_clean(&e, &["set", "1", "title=before"], 0);
    let v = e.json(&["show", "1"])["version"].as_i64().unwrap();
    run_clean(&e, &["set", "1", &format!("title=stored {HOSTILE}")], 0);
    let title = format!("title=mine {HOSTILE}");
    let (_, err) = run_clean(&e, &["set", "1", &title, "--if-version", &v.to_string()], 4);
    assert!(
        err.contains("conflict") && err.contains("stored hostile"),
        "{err}"
    );
}

#[test]
fn fillers_and_format_characters_are_refused_in_user_names() {
    let e = Env::new();
    run_clean(&e, &["new", "plain"], 0);
    for name in [
        "bob\u{3164}",
        "\u{115f}",
        "bo\u{ffa0}b",
        "bob\u{200d}",
        "b\u{e0041}ob",
        "bob\u{fe0f}",
        "b\u{34f}ob",
    ] {
        let (_, err) = run_clean(&e, &["assign", "1", name], 2);
        assert!(
            err.contains("invalid user name") && err.contains("U+"),
            "{name:?}: {err}"
        );
        run_clean(&e, &["new", "x", "--assignee", name], 2);
        run_clean(&e, &["postmortem", "1", "--owner", name], 2);
        run_clean(&e, &["action", "add", "1", "x", "--owner", name], 2);
    }
    assert_eq!(e.json(&["list"]).as_array().unwrap().len(), 1);
}

#[test]
fn clap_errors_are_sanitized_and_keep_their_exit_codes() {
    let e = Env::new();
    for args in [
        vec!["list", "--limit", HOSTILE],
        vec!["search", "x", "--limit", HOSTILE],
        vec!["demo", "--count", HOSTILE],
        vec![HOSTILE],
        vec!["list", HOSTILE],
        vec!["postmortem", "1", "--format", HOSTILE],
    ] {
        let o = e.cmd().args(&args).output().unwrap();
        let (out, err) = clean_output(&format!("{args:?}"), &o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(out.is_empty(), "errors go to stderr: {out}");
        assert!(err.starts_with("error:"), "{err}");
        assert!(err.contains("hostile") && err.contains("<U+202E>"), "{err}");
    }
    // Help and version still go to stdout with exit 0.
    for args in [&["--help"][..], &["list", "--help"], &["--version"]] {
        let o = e.cmd().args(args).output().unwrap();
        let (out, err) = clean_output(&format!("{args:?}"), &o);
        assert_eq!(o.status.code(), Some(0), "{args:?}: {err}");
        assert!(out.contains("sev") && err.is_empty(), "{out}");
    }
    // And a missing argument is still a usage error.
    let o = e.cmd().args(["show"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
}

/// A file name that is itself an attack.
fn hostile_name(dir: &Path, ext: &str) -> std::path::PathBuf {
    dir.join(format!(
        "x\u{1b}]0;title\u{7}\u{1b}]52;c;ZXZpbA==\u{7}\u{9b}2J\u{202e}\u{2028}\u{e0041}\u{3164}.{ext}"
    ))
}

#[test]
fn printed_paths_are_clean() {
    let e = Env::new();
    // demo names the database it filled, twice (once to paste in a shell).
    let db = hostile_name(e.dir.path(), "db");
    let db_arg = db.to_str().unwrap();
    let (out, _) = run_clean(&e, &["--db", db_arg, "demo", "--count", "3"], 0);
    assert!(out.contains("created 3 demo incidents"), "{out}");
    assert!(out.contains("$'"), "a quoted, exact shell word: {out}");
    run_clean(
        &e,
        &["--db", db_arg, "demo", "--count", "3", "--append", "--json"],
        0,
    );
    // A second demo refuses, naming the database.
    run_clean(&e, &["--db", db_arg, "demo", "--count", "3"], 2);

    // postmortem --output names the file it wrote, and the failure too.
    run_clean(&e, &["new", "t"], 0);
    let md = hostile_name(e.dir.path(), "md");
    let (out, _) = run_clean(
        &e,
        &["postmortem", "1", "--output", md.to_str().unwrap()],
        0,
    );
    assert!(out.contains("postmortem written to"), "{out}");
    assert!(md.exists());
    let nowhere = hostile_name(&e.dir.path().join("missing-dir"), "md");
    run_clean(
        &e,
        &["postmortem", "1", "--output", nowhere.to_str().unwrap()],
        2,
    );

    // A read of a database that is not there names it.
    let absent = hostile_name(e.dir.path(), "absent");
    let o = e
        .cmd()
        .args(["--db", absent.to_str().unwrap(), "verify"])
        .output()
        .unwrap();
    clean_output("verify on a hostile path", &o);
}

#[test]
fn init_prints_its_paths_clean_and_the_config_line_exact() {
    let e = Env::new();
    let group_guard;
    let group = if common::is_root() {
        let g = format!("sevh{}", std::process::id() % 100_000);
        let st = std::process::Command::new("groupadd")
            .arg(&g)
            .status()
            .unwrap();
        assert!(st.success(), "groupadd failed");
        group_guard = GroupGuard(g.clone());
        let _ = &group_guard;
        g
    } else {
        let o = std::process::Command::new("id")
            .arg("-gn")
            .output()
            .unwrap();
        String::from_utf8(o.stdout).unwrap().trim().to_string()
    };
    let shared = hostile_name(e.dir.path(), "d");
    let (out, _) = run_clean(
        &e,
        &[
            "init",
            "--shared",
            shared.to_str().unwrap(),
            "--group",
            &group,
        ],
        0,
    );
    let line = out
        .lines()
        .find_map(|l| l.trim().strip_prefix("database = "))
        .unwrap_or_else(|| panic!("no config line: {out}"));
    // The line to paste is TOML that reads back as the exact path.
    let v: toml::Value = toml::from_str(&format!("database = {line}")).unwrap();
    assert_eq!(
        v["database"].as_str().unwrap(),
        shared.join("sev.db").to_str().unwrap()
    );
    run_clean(
        &e,
        &[
            "init",
            "--shared",
            shared.to_str().unwrap(),
            "--group",
            HOSTILE,
        ],
        2,
    );
}

struct GroupGuard(String);
impl Drop for GroupGuard {
    fn drop(&mut self) {
        let _ = std::process::Command::new("groupdel").arg(&self.0).status();
    }
}

#[test]
fn the_panic_message_is_sanitized() {
    const CHILD: &str = "SEV_HOSTILE_PANIC_CHILD";
    if std::env::var_os(CHILD).is_some() {
        // In the child: sev's own hook, then a panic quoting hostile text.
        sev::cli::install_panic_hook();
        panic!("boom: {HOSTILE}");
    }
    let o = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "the_panic_message_is_sanitized",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, "1")
        .env_remove("RUST_BACKTRACE")
        .output()
        .unwrap();
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(!o.status.success());
    assert!(
        err.contains("sev crashed at tests/hostile.rs:") && err.contains("boom: hostile"),
        "{err}"
    );
    assert!(err.contains("osc0^[]0;pwned title^G"), "{err}");
    assert_clean("panic message", &err);
}

#[test]
fn the_tui_buffer_is_clean() {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use ratatui::crossterm::event::{KeyCode, KeyEvent};
    let e = hostile_db();
    // A row stored before input folding existed (or by another tool):
    // the separators are still in the title.
    let store = sev::store::Store::open(&e.db()).unwrap();
    store
        .conn()
        .execute(
            "UPDATE incidents SET title = ?1 WHERE id = 1",
            [format!("raw {HOSTILE}")],
        )
        .unwrap();
    let clock = sev::clock::FixedClock::at(chrono::Utc::now());
    let mut app = sev::app::App::new(
        store,
        sev::config::Config::builtin(),
        sev::keymap::Keymap::defaults(),
        std::sync::Arc::new(clock),
        "alice".into(),
    )
    .unwrap();
    app.reload().unwrap();
    let press = |app: &mut sev::app::App, k: KeyCode| app.on_key(KeyEvent::from(k));
    let steps: [(&str, Vec<KeyCode>); 5] = [
        ("list", vec![]),
        ("detail", vec![KeyCode::Enter]),
        ("back", vec![KeyCode::Esc]),
        ("postmortem", vec![KeyCode::Char('P')]),
        (
            "search",
            vec![KeyCode::Esc, KeyCode::Char('/'), KeyCode::Char('h')],
        ),
    ];
    for (w, h) in [(80, 24), (200, 50)] {
        for (name, keys) in &steps {
            for k in keys {
                press(&mut app, *k);
            }
            app.resize(w, h);
            let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
            t.draw(|f| sev::ui::render(&app, f)).unwrap();
            let screen: String = t
                .backend()
                .buffer()
                .content
                .iter()
                .map(|c| c.symbol())
                .collect();
            assert_clean(&format!("TUI {name} at {w}x{h}"), &screen);
        }
        press(&mut app, KeyCode::Esc);
        press(&mut app, KeyCode::Esc);
    }
}
