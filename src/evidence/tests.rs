use super::*;
use crate::clock::FixedClock;
use chrono::TimeZone;

/// A sink the test reads back.
#[derive(Clone, Default)]
struct Buf(Arc<Mutex<Vec<u8>>>);

impl Write for Buf {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn argv(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn go(v: &[&str], max: usize) -> (Result<Evidence, LaunchError>, String, String) {
    let clock = FixedClock::at(Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap());
    let (out, err) = (Buf::default(), Buf::default());
    let r = run(
        &argv(v),
        max,
        &clock,
        Sinks {
            out: Box::new(out.clone()),
            err: Box::new(err.clone()),
        },
    );
    let s = |b: Buf| String::from_utf8(b.0.lock().unwrap().clone()).unwrap();
    (r, s(out), s(err))
}

use chrono::Utc;

#[test]
fn exit_codes_and_both_streams() {
    let (r, out, err) = go(&["sh", "-c", "echo out; echo err >&2; exit 3"], 1024);
    let e = r.unwrap();
    assert_eq!(e.exit, Exit::Code(3));
    assert_eq!((out.as_str(), err.as_str()), ("out\n", "err\n"));
    assert_eq!(e.output_bytes, 8);
    assert_eq!(e.started_at.to_rfc3339(), "2026-01-02T03:04:05+00:00");
    let (r, _, _) = go(&["true"], 1024);
    assert_eq!(r.unwrap().exit, Exit::Code(0));
}

#[test]
fn a_signal_is_recorded() {
    let (r, _, _) = go(&["sh", "-c", "echo partial; kill -9 $$"], 1024);
    let e = r.unwrap();
    assert_eq!(e.exit, Exit::Signal(9));
    assert_eq!(e.head, b"partial\n");
}

#[test]
fn not_found_and_not_runnable() {
    let (r, out, _) = go(&["no-such-command-sev-test"], 1024);
    assert_eq!(
        r.unwrap_err(),
        LaunchError::NotFound("no-such-command-sev-test".into())
    );
    assert!(out.is_empty());
    let (r, _, _) = go(&["/"], 1024);
    assert_eq!(r.unwrap_err().exit_code(), 126);
    assert_eq!(go(&[], 1024).0.unwrap_err(), LaunchError::Empty);
}

#[test]
fn no_shell_runs_the_words() {
    let (r, out, _) = go(&["echo", "$(id)", "*", "a;b"], 1024);
    r.unwrap();
    assert_eq!(out, "$(id) * a;b\n");
}

#[test]
fn hostile_output_is_shown_sanitized_and_kept_raw() {
    let (r, out, _) = go(
        &["printf", "\\033[2J\\033]52;c;aGk=\\007\\342\\200\\256x\\n"],
        1024,
    );
    let e = r.unwrap();
    assert_eq!(
        e.head,
        "\u{1b}[2J\u{1b}]52;c;aGk=\u{7}\u{202e}x\n".as_bytes()
    );
    assert_eq!(out, "^[[2J^[]52;c;aGk=^G<U+202E>x\n");
}

#[test]
fn a_background_process_holding_the_pipe_does_not_hang_the_run() {
    let t = Instant::now();
    let (r, _, _) = go(&["sh", "-c", "sleep 5 & echo started"], 1024);
    assert_eq!(r.unwrap().exit, Exit::Code(0));
    assert!(t.elapsed() < Duration::from_secs(3), "{:?}", t.elapsed());
}
