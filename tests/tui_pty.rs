//! The real binary on a pseudo-terminal: what happens when the SSH link
//! drops (hang-up) or the process is told to stop (SIGTERM) mid-typing.

use std::io::{Read, Write};
use std::os::fd::{FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

struct Pty {
    master: Option<std::fs::File>,
    child: Child,
    output: Arc<Mutex<Vec<u8>>>,
    state: tempfile::TempDir,
    stop_reader: Arc<std::sync::atomic::AtomicBool>,
    reader: Option<std::thread::JoinHandle<()>>,
}

fn spawn(db: &std::path::Path) -> Pty {
    let (mut master, mut slave) = (0, 0);
    let ws = libc::winsize {
        ws_row: 24,
        ws_col: 80,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: openpty fills two fds we then own.
    let rc = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            &ws,
        )
    };
    assert_eq!(rc, 0, "openpty failed");
    // The child must not inherit the master, or closing ours hangs nothing up.
    // SAFETY: fcntl on an fd we own.
    unsafe { libc::fcntl(master, libc::F_SETFD, libc::FD_CLOEXEC) };
    // SAFETY: both fds were just created and are owned here.
    let (master, slave) = unsafe {
        (
            std::fs::File::from_raw_fd(master),
            OwnedFd::from_raw_fd(slave),
        )
    };
    let state = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sev"));
    cmd.env("SEV_DB", db)
        .env("SEV_CONFIG", "")
        .env("XDG_STATE_HOME", state.path())
        .env("XDG_CONFIG_HOME", state.path().join("cfg"))
        .env("TERM", "xterm-256color")
        .stdin(Stdio::from(slave.try_clone().unwrap()))
        .stdout(Stdio::from(slave.try_clone().unwrap()))
        .stderr(Stdio::from(slave));
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            if libc::setsid() < 0 || libc::ioctl(0, libc::TIOCSCTTY, 0) < 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let child = cmd.spawn().unwrap();
    let output = Arc::new(Mutex::new(Vec::new()));
    let mut fd = master.try_clone().unwrap();
    let out = output.clone();
    let stop_reader = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stop = stop_reader.clone();
    // Poll with a timeout so the thread can let go of its fd: a hang-up
    // only happens once every master fd is closed.
    let reader = std::thread::spawn(move || {
        use std::os::fd::AsRawFd;
        let mut buf = [0u8; 4096];
        while !stop.load(std::sync::atomic::Ordering::SeqCst) {
            let mut pfd = libc::pollfd {
                fd: fd.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            };
            // SAFETY: one valid pollfd.
            if unsafe { libc::poll(&mut pfd, 1, 50) } <= 0 {
                continue;
            }
            match fd.read(&mut buf) {
                Ok(n) if n > 0 => out.lock().unwrap().extend_from_slice(&buf[..n]),
                _ => break,
            }
        }
    });
    Pty {
        master: Some(master),
        child,
        output,
        state,
        stop_reader,
        reader: Some(reader),
    }
}

impl Pty {
    fn screen_has(&self, needle: &str, within: Duration) -> bool {
        let end = Instant::now() + within;
        while Instant::now() < end {
            if String::from_utf8_lossy(&self.output.lock().unwrap()).contains(needle) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }
    fn type_keys(&mut self, s: &str) {
        let m = self.master.as_mut().unwrap();
        m.write_all(s.as_bytes()).unwrap();
        m.flush().unwrap();
    }
    fn wait_exit(&mut self, within: Duration) -> Option<std::process::ExitStatus> {
        let end = Instant::now() + within;
        while Instant::now() < end {
            if let Some(st) = self.child.try_wait().unwrap() {
                return Some(st);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        None
    }
    /// Wait until sev has taken every key of `typed` (its periodic draft
    /// save has it): keys still in the terminal's buffer when the link drops
    /// are lost by the terminal, not by sev, and a loaded machine is slow.
    fn wait_taken(&self, typed: &str) {
        let end = Instant::now() + Duration::from_secs(10);
        while !self.drafts().contains(typed) && Instant::now() < end {
            std::thread::sleep(Duration::from_millis(100));
        }
    }
    fn drafts(&self) -> String {
        let dir = self.state.path().join("sev");
        let mut all = String::new();
        if let Ok(rd) = std::fs::read_dir(dir) {
            for e in rd.flatten() {
                all.push_str(&std::fs::read_to_string(e.path()).unwrap_or_default());
            }
        }
        all
    }
}

fn demo_db() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sev.db");
    let st = Command::new(env!("CARGO_BIN_EXE_sev"))
        .args(["demo", "--count", "30"])
        .env("SEV_DB", &db)
        .output()
        .unwrap();
    assert!(st.status.success());
    (dir, db)
}

/// Start sev, open the new-incident form and type a title into it.
fn typing_a_new_incident(db: &std::path::Path, title: &str) -> Pty {
    let mut p = spawn(db);
    assert!(
        p.screen_has("open (", Duration::from_secs(10)),
        "the TUI did not start"
    );
    p.type_keys("n");
    assert!(p.screen_has("New incident", Duration::from_secs(5)));
    p.type_keys(title);
    p.wait_taken(title);
    p
}

#[test]
fn sigterm_saves_the_draft_and_restores_the_terminal() {
    let (_d, db) = demo_db();
    let mut p = typing_a_new_incident(&db, "Half-typed title");
    // SAFETY: signalling our own child.
    unsafe { libc::kill(p.child.id() as i32, libc::SIGTERM) };
    let st = p
        .wait_exit(Duration::from_secs(5))
        .expect("sev did not exit on SIGTERM");
    assert!(st.success(), "clean exit expected, got {st:?}");
    assert!(
        p.drafts().contains("Half-typed title"),
        "draft lost: {}",
        p.drafts()
    );
    let out = String::from_utf8_lossy(&p.output.lock().unwrap()).into_owned();
    assert!(out.contains("\u{1b}[?1049l"), "alternate screen not left");
}

#[test]
fn a_hang_up_saves_the_draft_and_exits() {
    let (_d, db) = demo_db();
    let mut p = typing_a_new_incident(&db, "Typed before the link dropped");
    // Closing the master side is what an SSH drop does to the pty.
    p.stop_reader
        .store(true, std::sync::atomic::Ordering::SeqCst);
    p.reader.take().unwrap().join().unwrap();
    drop(p.master.take());
    let st = p.wait_exit(Duration::from_secs(5));
    assert!(st.is_some(), "sev kept running after the terminal hung up");
    assert!(
        p.drafts().contains("Typed before the link dropped"),
        "draft lost: {}",
        p.drafts()
    );
    // Its presence went with it (nobody sees it "editing" for 40 s).
    let conn = rusqlite::Connection::open(&db).unwrap();
    let rows: i64 = conn
        .query_row("SELECT count(*) FROM presence", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, 0, "the hung-up session's presence is gone");
}

#[test]
fn a_hang_up_keeps_the_action_item_being_typed() {
    let (_d, db) = demo_db();
    let mut p = spawn(&db);
    assert!(
        p.screen_has("open (", Duration::from_secs(10)),
        "the TUI did not start"
    );
    // The selected incident's postmortem, then a new action item.
    p.type_keys("P");
    assert!(p.screen_has("Postmortem", Duration::from_secs(5)));
    p.type_keys("a");
    // (The screen is drawn as a diff: wait for text the form alone has.)
    assert!(p.screen_has("tab next · ctrl-s save", Duration::from_secs(5)));
    p.type_keys("Automate the failover runbook");
    p.wait_taken("Automate the failover runbook");
    p.stop_reader
        .store(true, std::sync::atomic::Ordering::SeqCst);
    p.reader.take().unwrap().join().unwrap();
    drop(p.master.take());
    let st = p.wait_exit(Duration::from_secs(5));
    assert!(st.is_some(), "sev kept running after the terminal hung up");
    let drafts = p.drafts();
    assert!(
        drafts.contains("Automate the failover runbook") && drafts.contains("new action"),
        "action item draft lost: {drafts}"
    );
}

/// The whole process on a terminal: once the first frame is out and
/// nothing changes, sev writes nothing (it used to redraw every 250 ms).
#[test]
fn an_idle_screen_writes_nothing() {
    let (_d, db) = demo_db();
    let mut p = spawn(&db);
    assert!(
        p.screen_has("open (", Duration::from_secs(10)),
        "the TUI did not start"
    );
    std::thread::sleep(Duration::from_millis(800));
    let before = p.output.lock().unwrap().len();
    std::thread::sleep(Duration::from_millis(1500));
    let idle = p.output.lock().unwrap().len() - before;
    assert_eq!(idle, 0, "bytes written while idle");
    // A key still paints at once.
    p.type_keys("j");
    std::thread::sleep(Duration::from_millis(500));
    assert!(p.output.lock().unwrap().len() > before);
    p.type_keys("q");
    p.wait_exit(Duration::from_secs(5));
}

/// `:run` suspends the screen like $EDITOR: the command's output shows on
/// the normal terminal sanitized, Ctrl-C stops the command (not sev),
/// Enter returns, and both runs are on the timeline.
#[test]
fn run_shows_output_sanitized_survives_ctrl_c_and_records() {
    let (_dir, db) = demo_db();
    let mut p = spawn(&db);
    assert!(
        p.screen_has("open (", Duration::from_secs(10)),
        "the TUI did not start"
    );
    p.type_keys(r#":run sh -c 'printf "\033]52;c;aGk=\007\342\200\256evil\n"; echo run-done'"#);
    p.type_keys("\r");
    assert!(
        p.screen_has("press Enter to return", Duration::from_secs(10)),
        "{}",
        String::from_utf8_lossy(&p.output.lock().unwrap())
    );
    {
        let out = p.output.lock().unwrap();
        let s = String::from_utf8_lossy(&out);
        assert!(s.contains("^[]52;c;aGk=^G<U+202E>evil"), "{s}");
        assert!(s.contains("run-done"));
        let raw_osc = b"\x1b]52;";
        assert!(
            !out.windows(raw_osc.len()).any(|w| w == raw_osc),
            "OSC 52 reached the terminal"
        );
        assert!(
            !s.contains('\u{202e}'),
            "a bidi override reached the terminal"
        );
    }
    p.type_keys("\r");
    assert!(p.screen_has("recorded", Duration::from_secs(10)));
    // A long "recorded — …" may open in a message box, which the next key
    // only closes: Esc closes it (or does nothing on a plain list), apart
    // from the ':' so the two are not read as Alt-':'.
    std::thread::sleep(Duration::from_millis(300));
    p.type_keys("\x1b");
    std::thread::sleep(Duration::from_millis(300));
    p.type_keys(":run sh -c 'echo started; exec sleep 30'\r");
    assert!(p.screen_has("started", Duration::from_secs(10)));
    std::thread::sleep(Duration::from_millis(200));
    p.type_keys("\x03"); // Ctrl-C on the normal screen: SIGINT to the group
    assert!(
        p.screen_has("killed by SIGINT", Duration::from_secs(10)),
        "{}",
        String::from_utf8_lossy(&p.output.lock().unwrap())
    );
    assert!(p.child.try_wait().unwrap().is_none(), "sev survived Ctrl-C");
    p.type_keys("\r");
    // The error names the signal; any key closes its box, then q quits.
    assert!(p.screen_has("recorded", Duration::from_secs(10)));
    std::thread::sleep(Duration::from_millis(300));
    p.type_keys("q");
    std::thread::sleep(Duration::from_millis(500));
    if p.child.try_wait().unwrap().is_none() {
        p.type_keys("q");
    }
    let st = p.wait_exit(Duration::from_secs(10)).expect("sev quits");
    assert!(st.success(), "{st:?}");
    let o = Command::new(env!("CARGO_BIN_EXE_sev"))
        .args(["export", "--events", "--json"])
        .env("SEV_DB", &db)
        .env("SEV_CONFIG", "")
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let runs: Vec<&serde_json::Value> = v
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "evidence")
        .collect();
    assert_eq!(runs.len(), 2, "{runs:?}");
    let second = runs[1]["text"].as_str().unwrap();
    assert!(second.contains("\"signal\":2"), "{second}");
}
