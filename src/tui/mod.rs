//! The terminal loop: draw → wait for a key or a tick → update → repeat.
//!
//! `ratatui::init` installs a panic hook that restores the terminal. SIGTERM
//! and SIGHUP (an SSH drop) set a flag the loop checks every tick: drafts are
//! saved, the terminal restored, and sev exits.

use crate::app::{App, Effect};
use crate::clock::SystemClock;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::keymap::Keymap;
use crate::store::Store;
use ratatui::crossterm::event::{self, Event, KeyEventKind};
use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// How often to look for other processes' commits (and save drafts).
pub const TICK: Duration = Duration::from_millis(250);

pub fn run(config: Config) -> Result<()> {
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        return Err(Error::Usage(
            "the TUI needs a terminal; use a command such as `sev list` in scripts (sev --help)"
                .into(),
        ));
    }
    let keymap = Keymap::load(&config.keys)?;
    let store = Store::open(&config.database)?;
    let drafts = crate::app::drafts::path_for(&crate::config::state_dir(), store.path());
    let mut app = App::new(
        store,
        config,
        keymap,
        Arc::new(SystemClock),
        crate::identity::current_user(),
    )?;
    app.color = crate::ui::theme::Theme::from_env().color;
    app.use_drafts(drafts);

    let stop = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGHUP] {
        signal_hook::flag::register(sig, stop.clone())
            .map_err(|e| Error::Internal(format!("cannot install signal handler: {e}")))?;
    }

    let mut terminal = ratatui::init();
    let result = event_loop(&mut terminal, &mut app, &stop);
    app.stash_open_dialog();
    ratatui::restore();
    result
}

fn event_loop(
    terminal: &mut ratatui::DefaultTerminal,
    app: &mut App,
    stop: &AtomicBool,
) -> Result<()> {
    let io = |e: std::io::Error| Error::Internal(format!("terminal error: {e}"));
    if let Ok(s) = terminal.size() {
        app.resize(s.width, s.height);
    }
    let mut last_tick = std::time::Instant::now();
    loop {
        terminal.draw(|f| crate::ui::render(app, f)).map_err(io)?;
        if app.quit || stop.load(Ordering::Relaxed) {
            return Ok(());
        }
        // Poll faster while a search answer is on its way.
        let wait = if app.search.pending() {
            Duration::from_millis(15)
        } else {
            TICK.saturating_sub(last_tick.elapsed())
        };
        if event::poll(wait).map_err(io)? {
            match event::read().map_err(io)? {
                Event::Key(k) if k.kind != KeyEventKind::Release => app.on_key(k),
                Event::Resize(w, h) => app.resize(w, h),
                _ => {}
            }
        }
        app.poll_search();
        if last_tick.elapsed() >= TICK {
            app.tick();
            last_tick = std::time::Instant::now();
        }
        if let Some(Effect::Editor { initial }) = app.effect.take() {
            app.stash_open_dialog(); // in case the editor session dies with the SSH link
            ratatui::restore();
            let r = crate::editor::edit(&initial, ".md");
            *terminal = ratatui::init();
            terminal.clear().map_err(io)?;
            app.editor_done(r);
        }
    }
}
