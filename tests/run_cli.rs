//! `sev run ID -- CMD…` through the real binary, on both backends: exit
//! codes, signals, large output, hostile output, and what show, export
//! and verify make of the record.

mod common;
use common::Env;
use std::io::{BufRead, BufReader};
use std::process::{Output, Stdio};

fn new_incident(e: &Env) {
    e.ok(&["new", "disk", "full"]);
}

fn evidence_events(e: &Env) -> Vec<serde_json::Value> {
    let v = e.json(&["show", "1"]);
    v["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|ev| ev["kind"] == "evidence")
        .cloned()
        .collect()
}

fn code(o: &Output) -> Option<i32> {
    o.status.code()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn exit_codes_are_the_commands_and_each_run_is_recorded() {
    for e in Env::all() {
        new_incident(&e);
        let o = e.run(&["run", "1", "--", "echo", "$(id)", "*"]);
        assert_eq!(code(&o), Some(0), "{}", text(&o.stderr));
        assert_eq!(text(&o.stdout), "$(id) *\n", "no shell ran");
        assert!(
            text(&o.stderr).contains("INC-1: recorded"),
            "{}",
            text(&o.stderr)
        );

        let o = e.run(&[
            "run",
            "INC-1",
            "--",
            "sh",
            "-c",
            "echo out; echo err >&2; exit 3",
        ]);
        assert_eq!(code(&o), Some(3));
        assert_eq!(text(&o.stdout), "out\n");
        assert!(text(&o.stderr).starts_with("err\n"), "{}", text(&o.stderr));

        let o = e.run(&["run", "1", "--", "sh", "-c", "echo partial; kill -9 $$"]);
        assert_eq!(code(&o), Some(128 + 9));

        let o = e.run(&["run", "1", "--", "no-such-command-sev-test", "x"]);
        assert_eq!(code(&o), Some(127));
        let err = text(&o.stderr);
        assert!(
            err.contains("command not found: no-such-command-sev-test")
                && err.contains("nothing was recorded"),
            "{err}"
        );

        let evs = evidence_events(&e);
        assert_eq!(evs.len(), 3, "not found records nothing");
        let rec: Vec<&serde_json::Value> = evs.iter().map(|ev| &ev["evidence"]).collect();
        assert_eq!(rec[0]["argv"], serde_json::json!(["echo", "$(id)", "*"]));
        assert_eq!(rec[0]["command"], "echo '$(id)' '*'");
        assert_eq!(rec[0]["exit_code"], 0);
        assert_eq!(rec[1]["exit_code"], 3);
        // stdout and stderr are two pipes: which line arrives first is the
        // scheduler's choice; both are kept, whole.
        let out = rec[1]["output"].as_str().unwrap();
        assert!(out == "out\nerr\n" || out == "err\nout\n", "{out:?}");
        assert_eq!(rec[2]["exit_code"], serde_json::Value::Null);
        assert_eq!(rec[2]["signal"], "SIGKILL");
        assert_eq!(rec[2]["output"], "partial\n");
        assert!(rec[0]["started_at"].as_str().unwrap().ends_with('Z'));
        assert!(rec[0]["duration_ms"].as_u64().is_some());

        let show = e.ok(&["show", "1"]);
        assert!(
            show.contains("ran sh -c 'echo out; echo err >&2; exit 3' · exit 3 ·"),
            "{show}"
        );
        assert!(show.contains("killed by SIGKILL"), "{show}");
        e.ok(&["verify"]);
    }
}

#[test]
fn the_incident_must_exist_before_anything_runs() {
    let e = Env::new();
    new_incident(&e);
    let marker = e.dir.path().join("ran");
    let o = e.run(&["run", "7", "--", "touch", marker.to_str().unwrap()]);
    assert_eq!(code(&o), Some(3), "{}", text(&o.stderr));
    assert!(!marker.exists(), "the command must not run for a wrong id");
}

#[test]
fn without_dashes_everything_from_the_command_on_is_the_commands() {
    let e = Env::new();
    new_incident(&e);
    // `-h` after the command is echo's argument, not a request for sev's help.
    let o = e.run(&["run", "1", "echo", "-h", "--json"]);
    assert_eq!(code(&o), Some(0), "{}", text(&o.stderr));
    assert!(text(&o.stdout).contains("-h --json"), "{}", text(&o.stdout));
    let ev = evidence_events(&e);
    assert_eq!(ev.len(), 1);
    assert!(ev[0].to_string().contains("-h --json"), "{}", ev[0]);
    // sev's own flags go before the command.
    let o = e.run(&["run", "--json", "1", "echo", "hi"]);
    assert_eq!(code(&o), Some(0), "{}", text(&o.stderr));
    let record: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(record["exit_code"], 0, "{record}");
    // Nothing to run is a usage error that names the command.
    let o = e.run(&["run", "1"]);
    assert_eq!(code(&o), Some(2));
    assert!(text(&o.stderr).contains("CMD"), "{}", text(&o.stderr));
}

#[test]
fn a_megabyte_is_shown_whole_and_kept_as_head_and_tail() {
    for e in Env::all() {
        new_incident(&e);
        let o = e.run(&["run", "1", "--", "seq", "1", "200000"]);
        assert_eq!(code(&o), Some(0), "{}", text(&o.stderr));
        let total = o.stdout.len();
        assert!(total > 1_000_000, "{total}");
        assert!(
            text(&o.stdout).ends_with("199999\n200000\n"),
            "live output is whole"
        );
        let rec = evidence_events(&e)[0]["evidence"].clone();
        assert_eq!(rec["output_bytes"], total as u64);
        assert_eq!(rec["omitted_bytes"], (total - 65536) as u64);
        let head = rec["output"].as_str().unwrap();
        let tail = rec["tail"].as_str().unwrap();
        assert_eq!(head.len(), 32768);
        assert_eq!(tail.len(), 32768);
        assert!(head.starts_with("1\n2\n3\n"));
        assert!(tail.ends_with("199999\n200000\n"));
        let show = e.ok(&["show", "1"]);
        assert!(
            show.contains(&format!("… {} bytes omitted …", total - 65536)),
            "marker"
        );
        // What was kept (64 KiB: ~11k short lines), not 1.3 MB (200k lines).
        let lines = show.lines().count();
        assert!(
            (10_000..13_000).contains(&lines),
            "show prints what was kept: {lines}"
        );
        e.ok(&["verify"]);
    }
}

#[test]
fn max_output_comes_from_the_config_file_and_a_bad_one_is_located() {
    let e = Env::new();
    new_incident(&e);
    let cfg = e.dir.path().join("config.toml");
    std::fs::write(&cfg, "[evidence]\nmax_output = \"1KiB\"\n").unwrap();
    let o = e
        .cmd()
        .env("SEV_CONFIG", &cfg)
        .args(["run", "1", "--", "seq", "1", "10000"])
        .output()
        .unwrap();
    assert_eq!(code(&o), Some(0), "{}", text(&o.stderr));
    let rec = evidence_events(&e)[0]["evidence"].clone();
    assert_eq!(rec["output"].as_str().unwrap().len(), 512);
    assert_eq!(rec["tail"].as_str().unwrap().len(), 512);

    std::fs::write(&cfg, "[evidence]\nmax_output = \"64 KB\"\n").unwrap();
    let o = e
        .cmd()
        .env("SEV_CONFIG", &cfg)
        .args(["run", "1", "--", "true"])
        .output()
        .unwrap();
    assert_eq!(code(&o), Some(2));
    let err = text(&o.stderr);
    assert!(
        err.contains("config.toml:2:14") && err.contains("unknown unit"),
        "{err}"
    );
}

/// Escape sequences, OSC 52 (clipboard), a bidi override, BEL, C1 CSI.
const HOSTILE: &str = r"printf '\033[2J\033]52;c;aGk=\007\342\200\256evil\302\233m\n'";

fn assert_clean(what: &str, s: &str) {
    for bad in ['\u{1b}', '\u{7}', '\u{202e}', '\u{9b}'] {
        assert!(!s.contains(bad), "{what} printed {bad:?} raw: {s:?}");
    }
}

#[test]
fn hostile_output_never_reaches_the_terminal_raw() {
    for e in Env::all() {
        new_incident(&e);
        let o = e.run(&["run", "1", "--", "sh", "-c", HOSTILE]);
        assert_eq!(code(&o), Some(0));
        assert_clean("sev run", &text(&o.stdout));
        assert_clean("sev run (stderr)", &text(&o.stderr));
        assert!(text(&o.stdout).contains("^[[2J^[]52;c;aGk=^G<U+202E>evil<U+009B>m"));
        let show = e.ok(&["show", "1"]);
        assert_clean("sev show", &show);
        assert!(show.contains("<U+202E>evil"), "{show}");
        let json = e.ok(&["show", "1", "--json"]);
        assert_clean("sev show --json", &json);
        for fmt in ["csv", "json"] {
            let out = e.ok(&["export", "--events", "--format", fmt]);
            assert_clean(&format!("sev export --events --format {fmt}"), &out);
        }
        // The raw bytes are stored: --json's output field has them, escaped.
        let rec = evidence_events(&e)[0]["evidence"].clone();
        assert_eq!(
            rec["output"],
            "\u{1b}[2J\u{1b}]52;c;aGk=\u{7}\u{202e}evil\u{9b}m\n"
        );
        e.ok(&["verify"]);
    }
}

#[test]
fn json_puts_the_record_on_stdout_and_the_output_on_stderr() {
    let e = Env::new();
    new_incident(&e);
    let o = e.run(&["run", "1", "--json", "--", "sh", "-c", "echo hi; exit 4"]);
    assert_eq!(code(&o), Some(4));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["exit_code"], 4);
    assert_eq!(v["output"], "hi\n");
    assert_eq!(v["ref"], "INC-1");
    assert!(text(&o.stderr).starts_with("hi\n"));
}

/// Start `sev run` in its own process group (as a shell starts a job)
/// and wait for the command's first line.
fn start(e: &Env, args: &[&str]) -> (std::process::Child, BufReader<std::process::ChildStdout>) {
    use std::os::unix::process::CommandExt;
    let mut child = e
        .cmd()
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    assert_eq!(line, "started\n");
    (child, out)
}

#[test]
fn ctrl_c_reaches_the_command_and_the_run_is_recorded_with_it() {
    for e in Env::all() {
        new_incident(&e);
        let (child, _out) = start(
            &e,
            &["run", "1", "--", "sh", "-c", "echo started; exec sleep 30"],
        );
        // The terminal's Ctrl-C: SIGINT to the whole foreground group.
        let pgid = child.id() as i32;
        unsafe { libc::kill(-pgid, libc::SIGINT) };
        let o = child.wait_with_output().unwrap();
        assert_eq!(code(&o), Some(130), "{}", text(&o.stderr));
        let rec = evidence_events(&e)[0]["evidence"].clone();
        assert_eq!(rec["signal"], "SIGINT");
        assert_eq!(rec["output"], "started\n");
        e.ok(&["verify"]);
    }
}

#[test]
fn sigterm_to_sev_is_passed_on_to_the_command() {
    let e = Env::new();
    new_incident(&e);
    let (child, _out) = start(
        &e,
        &["run", "1", "--", "sh", "-c", "echo started; exec sleep 30"],
    );
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let o = child.wait_with_output().unwrap();
    assert_eq!(code(&o), Some(143), "{}", text(&o.stderr));
    let rec = evidence_events(&e)[0]["evidence"].clone();
    assert_eq!(rec["signal"], "SIGTERM");
}

#[test]
fn a_reader_that_goes_away_ends_the_display_not_the_record() {
    let e = Env::new();
    new_incident(&e);
    let (child, out) = start(
        &e,
        &[
            "run",
            "1",
            "--",
            "sh",
            "-c",
            "echo started; sleep 0.3; seq 1 100000",
        ],
    );
    drop(out); // `| head -1`
    let o = child.wait_with_output().unwrap();
    assert_eq!(code(&o), Some(0), "{}", text(&o.stderr));
    let rec = evidence_events(&e)[0]["evidence"].clone();
    assert!(rec["tail"].as_str().unwrap().ends_with("100000\n"));
}
