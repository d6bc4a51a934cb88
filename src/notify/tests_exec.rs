//! The exec channel: stdin, environment, exit codes, output, timeouts,
//! and hostile text that stays data.

use super::tests_webhook::message;
use super::*;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::{Duration, Instant};

/// A script in `dir`. The channel never uses a shell; the test's program
/// happens to be one, run as `/bin/sh SCRIPT` (executing a file just
/// written can fail with ETXTBSY while other test threads fork).
fn script(dir: &Path, name: &str, body: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    p.display().to_string()
}

fn exec(argv: &[&str], timeout: Duration) -> Channel {
    Channel::Exec(Exec {
        command: argv.iter().map(|s| s.to_string()).collect(),
        timeout,
    })
}

#[test]
fn the_message_is_json_on_stdin_and_sev_variables() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path().display().to_string();
    let s = script(
        d.path(),
        "page",
        &format!(
            "cat > '{dir}/in.json'; env | grep '^SEV_' | sort > '{dir}/env'; echo \"args: $*\"; echo oops >&2"
        ),
    );
    let msg = message("checkout down");
    let ok = deliver(
        &exec(&["/bin/sh", &s, "--quiet", "a b"], Duration::from_secs(10)),
        &msg,
    )
    .unwrap();
    assert_eq!(ok.detail, "exit 0\nargs: --quiet a b\noops");
    let stdin: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.path().join("in.json")).unwrap()).unwrap();
    assert_eq!(stdin, serde_json::to_value(&msg).unwrap());
    let env = std::fs::read_to_string(d.path().join("env")).unwrap();
    assert_eq!(
        env,
        "SEV_IDEMPOTENCY_KEY=inc-12-page-alice-1\nSEV_INCIDENT=INC-12\nSEV_KIND=page\n\
         SEV_MESSAGE_ID=42\nSEV_SUBJECT=[SEV2] INC-12 checkout down\nSEV_TO=@alice\n"
    );
}

#[test]
fn a_hostile_title_is_only_data() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path().display().to_string();
    let title =
        format!("$(touch {dir}/x) `touch {dir}/y` \"; touch {dir}/z; \" '; touch {dir}/w; '\0");
    let s = script(
        d.path(),
        "page",
        "cat >/dev/null; printf '%s' \"$SEV_SUBJECT\"",
    );
    let msg = message(&title);
    let ok = deliver(&exec(&["/bin/sh", &s], Duration::from_secs(10)), &msg).unwrap();
    for f in ["x", "y", "z", "w"] {
        assert!(!d.path().join(f).exists(), "{f} was created");
    }
    // The NUL cannot travel in the environment; the rest arrives as is.
    assert_eq!(
        ok.detail,
        format!("exit 0\n[SEV2] INC-12 {}", title.trim_end_matches('\0'))
    );
}

#[test]
fn a_failing_command_is_retryable_with_its_output() {
    let d = tempfile::tempdir().unwrap();
    let s = script(
        d.path(),
        "page",
        "cat >/dev/null; echo 'pager API: 503'; exit 3",
    );
    let e = deliver(
        &exec(&["/bin/sh", &s], Duration::from_secs(10)),
        &message("x"),
    )
    .unwrap_err();
    assert!(e.retryable);
    assert_eq!(e.message, "exit 3\npager API: 503");
}

#[test]
fn a_missing_program_is_not_retryable() {
    let e = deliver(
        &exec(&["/nonexistent/sev-page"], Duration::from_secs(1)),
        &message("x"),
    )
    .unwrap_err();
    assert!(!e.retryable);
    assert!(e.message.contains("/nonexistent/sev-page"), "{e:?}");
}

#[test]
fn the_timeout_kills_the_whole_process_group() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path().display().to_string();
    let s = script(
        d.path(),
        "page",
        &format!("sleep 30 & echo $! > '{dir}/bg'; echo started; sleep 30"),
    );
    let t = Instant::now();
    let e = deliver(
        &exec(&["/bin/sh", &s], Duration::from_millis(800)),
        &message("x"),
    )
    .unwrap_err();
    assert!(t.elapsed() < Duration::from_secs(3), "{:?}", t.elapsed());
    assert!(e.retryable);
    assert!(e.message.contains("process group was killed"), "{e:?}");
    assert!(e.message.ends_with("\nstarted"), "{e:?}");
    let bg: i32 = std::fs::read_to_string(d.path().join("bg"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(gone(bg), "the background sleep {bg} survived");
}

/// True once `pid` is dead or a zombie (its parent, the shell, is gone).
fn gone(pid: i32) -> bool {
    for _ in 0..50 {
        match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
            Err(_) => return true,
            Ok(s)
                if s.rsplit(')')
                    .next()
                    .is_some_and(|r| r.trim_start().starts_with('Z')) =>
            {
                return true;
            }
            Ok(_) => std::thread::sleep(Duration::from_millis(20)),
        }
    }
    false
}

#[test]
fn a_left_behind_process_holding_the_output_does_not_hang_delivery() {
    let d = tempfile::tempdir().unwrap();
    let s = script(d.path(), "page", "cat >/dev/null; sleep 30 & echo sent");
    let t = Instant::now();
    let ok = deliver(
        &exec(&["/bin/sh", &s], Duration::from_millis(800)),
        &message("x"),
    )
    .unwrap();
    assert!(t.elapsed() < Duration::from_secs(3), "{:?}", t.elapsed());
    assert_eq!(ok.detail, "exit 0\nsent");
}

#[test]
fn output_is_cut_to_4_kib_and_never_blocks_the_program() {
    let d = tempfile::tempdir().unwrap();
    // 1 MiB of output, stdin never read, a 2 MiB message on stdin.
    let s = script(
        d.path(),
        "page",
        "head -c 1048576 /dev/zero | tr '\\0' 'y'; exit 0",
    );
    let mut msg = message("x");
    msg.text = "z".repeat(2 << 20);
    let ok = deliver(&exec(&["/bin/sh", &s], Duration::from_secs(20)), &msg).unwrap();
    assert_eq!(ok.detail.len(), "exit 0\n".len() + 4096);
}
