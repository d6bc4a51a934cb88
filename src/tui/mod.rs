//! The terminal loop: draw → wait for a key or a tick → update → repeat.
//!
//! `ratatui::init` installs a panic hook that restores the terminal. SIGTERM
//! and SIGHUP (an SSH drop) set a flag the loop checks every tick: drafts are
//! saved, the terminal restored, and sev exits. After a hang-up crossterm can
//! spin inside its own read loop on the dead terminal and never return to
//! ours, so a watchdog thread also sees the signal: if the loop has not
//! finished within [`GRACE`], it writes the last draft snapshot the loop
//! published and exits the process itself.

use crate::app::drafts::Drafts;
use crate::app::{App, Effect};
use crate::clock::SystemClock;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::keymap::Keymap;
use crate::store::Store;
use ratatui::crossterm::event::{self, Event, KeyEventKind};
use std::io::IsTerminal;

pub mod lean;
pub use lean::Lean;

/// The terminal sev draws on: the least bytes per frame (see [`Lean`]).
pub type Term = ratatui::Terminal<Lean<std::io::Stdout>>;

/// Enter raw mode and the alternate screen (ratatui's `init`, which also
/// installs the restoring panic hook) and draw through [`Lean`].
fn init_terminal() -> Result<Term> {
    drop(ratatui::init());
    ratatui::Terminal::new(Lean::new(std::io::stdout(), None))
        .map_err(|e| Error::Internal(format!("terminal error: {e}")))
}
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How often to look for other processes' commits (and save drafts).
pub const TICK: Duration = Duration::from_millis(250);

/// How long the loop gets to exit cleanly after SIGTERM/SIGHUP.
pub const GRACE: Duration = Duration::from_millis(700);

/// What the watchdog needs to save drafts without the app.
struct Shared {
    stop: AtomicBool,
    done: AtomicBool,
    drafts: Mutex<Drafts>,
    drafts_path: std::path::PathBuf,
    /// This process's presence row (database, host, pid): a hung-up
    /// session takes it away at once instead of showing "editing" until
    /// it expires.
    presence: (std::path::PathBuf, String, u32),
}

fn watchdog(shared: Arc<Shared>) -> Result<()> {
    use signal_hook::consts::{SIGHUP, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGHUP])
        .map_err(|e| Error::Internal(format!("cannot install signal handler: {e}")))?;
    std::thread::Builder::new()
        .name("sev-signals".into())
        .spawn(move || {
            if let Some(sig) = signals.forever().next() {
                shared.stop.store(true, Ordering::SeqCst);
                let (db, host, pid) = &shared.presence;
                if let Ok(store) = Store::open(db) {
                    let _ = store.leave(host, *pid);
                }
                std::thread::sleep(GRACE);
                if !shared.done.load(Ordering::SeqCst) {
                    let d = shared.drafts.lock().map(|d| d.clone()).unwrap_or_default();
                    let _ = crate::app::drafts::save(&shared.drafts_path, &d);
                    ratatui::restore();
                    std::process::exit(128 + sig);
                }
            }
        })
        .map_err(|e| Error::Internal(format!("cannot start the signal thread: {e}")))?;
    Ok(())
}

pub fn run(config: Config) -> Result<()> {
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        return Err(Error::Usage(
            "the TUI needs a terminal; use a command such as `sev list` in scripts (sev --help)"
                .into(),
        ));
    }
    let keymap = Keymap::load(&config.keys)?;
    let store = Store::open_for_user(&config.database, true)?;
    let drafts = crate::app::drafts::path_for(&crate::config::state_dir(), store.path());
    let mut app = App::new(
        store,
        config,
        keymap,
        Arc::new(SystemClock),
        crate::identity::current_actor(),
    )?;
    app.color = crate::ui::theme::Theme::from_env().color;
    app.use_drafts(drafts.clone());
    let host = nix::unistd::gethostname()
        .map(|h| h.to_string_lossy().into_owned())
        .unwrap_or_else(|_| "localhost".into());
    app.enable_presence(host.clone(), std::process::id(), crate::identity::origin());

    let shared = Arc::new(Shared {
        stop: AtomicBool::new(false),
        done: AtomicBool::new(false),
        drafts: Mutex::new(app.draft_snapshot()),
        drafts_path: drafts,
        presence: (app.store.locator().to_path_buf(), host, std::process::id()),
    });
    watchdog(shared.clone())?;

    let mut terminal = init_terminal()?;
    // Replace ratatui's panic hook with one that also keeps the draft and
    // prints the message sanitized (it may quote incident text).
    let for_panic = shared.clone();
    std::panic::set_hook(Box::new(move |info| {
        if let Ok(d) = for_panic.drafts.lock() {
            let _ = crate::app::drafts::save(&for_panic.drafts_path, &d);
        }
        ratatui::restore();
        eprintln!(
            "{}",
            crate::cli::crash_report(
                info.payload(),
                info.location(),
                "your draft was kept; please report this"
            )
        );
    }));
    let result = event_loop(&mut terminal, &mut app, &shared);
    app.stash_open_dialog();
    app.leave();
    shared.done.store(true, Ordering::SeqCst);
    ratatui::restore();
    result
}

fn event_loop(terminal: &mut Term, app: &mut App, shared: &Shared) -> Result<()> {
    let io = |e: std::io::Error| Error::Internal(format!("terminal error: {e}"));
    if let Ok(s) = terminal.size() {
        app.resize(s.width, s.height);
    }
    let mut last_tick = std::time::Instant::now();
    loop {
        terminal.draw(|f| crate::ui::render(app, f)).map_err(io)?;
        if std::mem::take(&mut app.bell) {
            // BEL alone: no other byte reaches the terminal outside a frame.
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(b"\x07").and_then(|_| out.flush());
        }
        if app.quitting() || shared.stop.load(Ordering::SeqCst) {
            return Ok(());
        }
        // Poll faster while a search answer is on its way.
        let wait = if app.search.pending() || app.metrics_pending() {
            Duration::from_millis(15)
        } else {
            TICK.saturating_sub(last_tick.elapsed())
        };
        if event::poll(wait).map_err(io)? {
            match event::read().map_err(io)? {
                Event::Key(k) if k.kind != KeyEventKind::Release => {
                    app.on_key(k);
                    if let Ok(mut d) = shared.drafts.lock() {
                        *d = app.draft_snapshot();
                    }
                }
                Event::Resize(w, h) => app.resize(w, h),
                _ => {}
            }
        }
        app.poll_search();
        app.poll_metrics();
        if last_tick.elapsed() >= TICK {
            app.tick();
            last_tick = std::time::Instant::now();
        }
        match app.take_effect() {
            Some(Effect::Editor { initial }) => {
                app.stash_open_dialog(); // in case the editor session dies with the SSH link
                ratatui::restore();
                let r = crate::editor::edit(&initial, ".md");
                *terminal = init_terminal()?;
                terminal.clear().map_err(io)?;
                app.editor_done(r);
            }
            Some(Effect::Run { id, argv }) => {
                ratatui::restore();
                let r = run_in_foreground(&argv, app.config.evidence.max_output);
                *terminal = init_terminal()?;
                terminal.clear().map_err(io)?;
                app.run_done(id, r);
            }
            None => {}
        }
    }
}

/// `:run`: the command on the normal screen, its output shown sanitized
/// as it comes, then "press Enter to return" (so the output can be read).
fn run_in_foreground(
    argv: &[String],
    max_output: usize,
) -> std::result::Result<crate::evidence::Evidence, crate::evidence::LaunchError> {
    use std::io::Write;
    let shown = crate::text::sanitize_line(&crate::domain::evidence::words::command_line(argv))
        .into_owned();
    println!("$ {shown}");
    let r = crate::evidence::run(
        argv,
        max_output,
        &SystemClock,
        crate::evidence::Sinks::terminal(),
    );
    match &r {
        Ok(e) => println!(
            "\n[{}] press Enter to return to sev",
            crate::text::sanitize_line(&format!("{} · {}", e.exit.describe(), e.duration()))
        ),
        Err(e) => println!(
            "\n{} — press Enter to return to sev",
            crate::text::sanitize_line(&e.to_string())
        ),
    }
    let _ = std::io::stdout().flush();
    let mut line = String::new();
    let _ = std::io::stdin().read_line(&mut line);
    r
}
