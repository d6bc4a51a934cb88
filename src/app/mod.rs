//! TUI state and `update`: keys become [`Action`]s through the keymap, and
//! actions change this state or call the same `ops` as the CLI. Nothing here
//! draws; `ui` renders from this state.

mod actions;
mod command;
pub mod postmortem;
mod presence;
mod searching;
pub use command::COMMAND_VERBS;
pub mod dialog;
mod dialogs;
pub mod drafts;
pub mod list;
pub mod search;

use crate::clock::Clock;
use crate::config::Config;
use crate::domain::{Event, Incident, IncidentId};
use crate::error::Result;
use crate::keymap::{Action, Key, Keymap, Mode, Resolved};
use crate::ops::Ctx;
use crate::store::Store;
use dialog::Dialog;
use drafts::Drafts;
use list::List;
use postmortem::Screen;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use search::Search;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

/// What covers the panes.
pub enum Overlay {
    None,
    Help { scroll: usize },
    Search { input: String },
    Command { input: String },
    Dialog(Dialog),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    List,
    Detail,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub text: String,
    pub error: bool,
}

/// Work the app asks the terminal loop to do (it owns the terminal).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Suspend, edit this text in $VISUAL/$EDITOR, resume, then call
    /// [`App::editor_done`].
    Editor { initial: String },
}

#[derive(Debug, Default)]
pub struct Detail {
    pub incident: Option<Incident>,
    pub events: Vec<Event>,
    pub scroll: usize,
}

/// Terminal width from which list and details sit side by side.
pub const WIDE: u16 = 120;

pub struct App {
    pub store: Store,
    pub config: Config,
    pub keymap: Keymap,
    pub clock: Arc<dyn Clock>,
    pub actor: String,
    /// The database as the header shows it: the full path (~ for home),
    /// so a typo'd or unexpected --db is seen at once.
    pub db_label: String,
    pub list: List,
    pub detail: Detail,
    pub focus: Focus,
    /// On narrow terminals the details replace the list while open.
    pub detail_open: bool,
    pub overlay: Overlay,
    /// The incident list, a postmortem pane or the actions view.
    pub screen: Screen,
    pub message: Option<Message>,
    pub search: Search,
    /// The search filter in force ("" = none).
    pub filter: String,
    /// Matched title positions of the visible rows.
    pub highlights: HashMap<IncidentId, Vec<usize>>,
    pub pending_keys: Vec<Key>,
    pub quit: bool,
    pub effect: Option<Effect>,
    pub drafts: Drafts,
    pub drafts_path: Option<PathBuf>,
    drafts_dirty: bool,
    data_version: i64,
    /// The newest event id seen: what tells a change from a heartbeat.
    last_event: i64,
    pub size: (u16, u16),
    /// Colours on (off with NO_COLOR).
    pub color: bool,
    /// This process, for presence (None: presence off, e.g. in tests).
    me: Option<(String, u32, String)>,
    last_beat: Option<(Option<IncidentId>, bool, chrono::DateTime<chrono::Utc>)>,
    /// Others who have the current incident on screen.
    pub viewers: Vec<crate::store::Presence>,
}

/// The full path of the database, with the home directory shown as `~`.
pub fn db_label(path: &std::path::Path) -> String {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let home = std::env::var_os("HOME").map(std::path::PathBuf::from);
    match home.as_deref().and_then(|h| abs.strip_prefix(h).ok()) {
        Some(rest) if home.as_deref() != Some(std::path::Path::new("/")) => {
            format!("~/{}", rest.display())
        }
        _ => abs.display().to_string(),
    }
}

impl App {
    pub fn new(
        store: Store,
        config: Config,
        keymap: Keymap,
        clock: Arc<dyn Clock>,
        actor: String,
    ) -> Result<App> {
        let data_version = store.data_version()?;
        let last_event = store.last_event_id()?;
        let db_label = db_label(store.path());
        let mut app = App {
            store,
            config,
            keymap,
            clock,
            actor,
            db_label,
            list: List::default(),
            detail: Detail::default(),
            focus: Focus::List,
            detail_open: false,
            overlay: Overlay::None,
            screen: Screen::Incidents,
            message: None,
            search: Search::default(),
            filter: String::new(),
            highlights: HashMap::new(),
            pending_keys: Vec::new(),
            quit: false,
            effect: None,
            drafts: Drafts::default(),
            drafts_path: None,
            drafts_dirty: false,
            data_version,
            last_event,
            size: (80, 24),
            color: true,
            me: None,
            last_beat: None,
            viewers: Vec::new(),
        };
        app.resize(80, 24);
        app.reload()?;
        Ok(app)
    }

    /// Keep drafts in this file (per user, per database) and offer back
    /// what is there.
    pub fn use_drafts(&mut self, path: PathBuf) {
        self.drafts = drafts::load(&path);
        self.drafts_path = Some(path);
        if let Some(d) = &self.drafts.new_incident {
            let key = self
                .keymap
                .key_for(Mode::Normal, Action::NewIncident)
                .unwrap_or_else(|| "n".into());
            self.info(format!(
                "unsaved draft incident \"{}\" kept from last time: press {key} to continue it",
                d.title
            ));
        } else if let Some(k) = self.drafts.prompts.keys().next() {
            self.info(format!(
                "unsaved draft {k} kept from last time: open that incident to continue it"
            ));
        } else if let Some(k) = self.drafts.actions.keys().next() {
            self.info(format!(
                "unsaved draft {k} kept from last time: open that action form again to continue it"
            ));
        } else if self.drafts.command.is_some() {
            let key = self
                .keymap
                .key_for(Mode::Normal, Action::CommandLine)
                .unwrap_or_else(|| ":".into());
            self.info(format!(
                "unsaved command line kept from last time: press {key} to continue it"
            ));
        }
    }

    pub fn ctx(&self) -> Ctx<'_> {
        Ctx {
            store: &self.store,
            config: &self.config,
            actor: self.actor.clone(),
            clock: self.clock.as_ref(),
        }
    }

    /// The login of the person at the keyboard.
    pub fn me(&self) -> &str {
        crate::identity::login_of(&self.actor)
    }

    pub fn mode(&self) -> Mode {
        match &self.overlay {
            Overlay::None => match self.screen {
                Screen::Incidents => Mode::Normal,
                Screen::Postmortem(_) => Mode::Postmortem,
                Screen::Actions(_) => Mode::Actions,
            },
            Overlay::Help { .. } => Mode::Help,
            Overlay::Search { .. } => Mode::Search,
            Overlay::Command { .. } | Overlay::Dialog(_) => Mode::Dialog,
        }
    }

    pub fn wide(&self) -> bool {
        self.size.0 >= WIDE
    }

    /// Refuse a change up front in a read-only session (before any typing).
    pub(crate) fn writable(&mut self) -> bool {
        if self.store.is_read_only() {
            self.error(format!(
                "read-only session: you can browse, search and export, not change {} — ask an admin for write access (sev doctor)",
                self.store.path().display()
            ));
            return false;
        }
        true
    }

    pub fn info(&mut self, text: impl Into<String>) {
        self.message = Some(Message {
            text: text.into(),
            error: false,
        });
    }

    pub fn error(&mut self, text: impl Into<String>) {
        self.message = Some(Message {
            text: text.into(),
            error: true,
        });
    }

    /// Show a failed action's reason; nothing else changes.
    fn report<T>(&mut self, r: Result<T>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.error(e.to_string());
                None
            }
        }
    }

    pub fn resize(&mut self, w: u16, h: u16) {
        self.size = (w, h);
        self.list.height = crate::ui::list_rows(w, h);
        let r = self.list.load_window(&self.store, false);
        self.report(r);
        self.update_highlights();
    }

    // ---- keys ------------------------------------------------------------

    pub fn on_key(&mut self, ev: KeyEvent) {
        if ev.kind == KeyEventKind::Release {
            return;
        }
        let Some(key) = Key::from_event(&ev) else {
            return;
        };
        // Messages last until the next key.
        if self.pending_keys.is_empty() {
            self.message = None;
        }
        let mode = self.mode();
        self.pending_keys.push(key);
        match self.keymap.resolve(mode, &self.pending_keys) {
            Resolved::Action(a) => {
                self.pending_keys.clear();
                self.dispatch(a, ev);
            }
            Resolved::Pending => {}
            Resolved::Unbound => {
                let chord = std::mem::take(&mut self.pending_keys);
                if chord.len() > 1 {
                    // The chord led nowhere: take the last key on its own.
                    self.on_key(ev);
                    return;
                }
                if key.alt {
                    // Terminals send Esc quickly followed by a key as Alt+key
                    // (fast typing, slow links): treat it as the two keys.
                    let esc = KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE);
                    self.on_key(esc);
                    self.on_key(KeyEvent::new(ev.code, ev.modifiers - KeyModifiers::ALT));
                    return;
                }
                self.type_key(ev, key);
            }
        }
    }

    /// Run an action in the current mode.
    pub fn dispatch(&mut self, a: Action, ev: KeyEvent) {
        match self.mode() {
            Mode::Normal => self.normal(a),
            Mode::Postmortem => self.postmortem_action(a),
            Mode::Actions => self.actions_view_action(a),
            Mode::Help => self.help(a),
            Mode::Search => self.search_action(a),
            Mode::Dialog => {
                if matches!(self.overlay, Overlay::Command { .. }) {
                    self.command_action(a, ev)
                } else {
                    self.dialog_action(a, ev)
                }
            }
        }
    }

    /// A key no binding claimed: typing, where typing goes somewhere.
    fn type_key(&mut self, ev: KeyEvent, key: Key) {
        match &mut self.overlay {
            Overlay::Search { input } => {
                if edit_line(input, &ev) {
                    self.request_search();
                }
            }
            Overlay::Command { input } => {
                edit_line(input, &ev);
            }
            Overlay::Dialog(_) => self.dialog_type(ev),
            Overlay::Help { .. } => {}
            Overlay::None => {
                let help = self
                    .keymap
                    .key_for(Mode::Normal, Action::Help)
                    .unwrap_or_else(|| "?".into());
                self.info(format!("{key} does nothing here — {help} shows the keys"));
            }
        }
    }

    fn help(&mut self, a: Action) {
        if let Overlay::Help { scroll } = &mut self.overlay {
            match a {
                Action::Down => *scroll += 1,
                Action::Up => *scroll = scroll.saturating_sub(1),
                Action::Cancel | Action::Back | Action::Quit | Action::Help => {
                    self.overlay = Overlay::None
                }
                _ => {}
            }
        }
    }

    // ---- selection, reload, live refresh ---------------------------------

    pub fn move_selection(&mut self, delta: isize) {
        self.list.move_by(delta);
        self.after_move(false);
    }

    /// After the selection or the ids changed: load the window and details.
    fn after_move(&mut self, force: bool) {
        let r = self.list.load_window(&self.store, force);
        self.report(r);
        self.update_highlights();
        self.load_detail(force);
    }

    fn load_detail(&mut self, force: bool) {
        let id = self.list.selected_id();
        let current = self.detail.incident.as_ref().map(|i| i.id);
        if !force && id == current {
            return;
        }
        if id != current {
            self.detail.scroll = 0;
        }
        match id {
            None => self.detail = Detail::default(),
            Some(id) => {
                let inc = self
                    .list
                    .selected_row()
                    .cloned()
                    .map(Ok)
                    .unwrap_or_else(|| self.store.get(id));
                let r = inc.and_then(|i| Ok((i, self.store.events(id)?)));
                if let Some((inc, events)) = self.report(r) {
                    self.detail.incident = Some(inc);
                    self.detail.events = events;
                }
            }
        }
    }

    /// Reload everything on screen from the database.
    pub fn reload(&mut self) -> Result<()> {
        self.last_event = self.store.last_event_id()?;
        self.search.reset();
        if self.filter.is_empty() {
            let ids = self.store.list_ids(&self.list.facets.query(self.me()))?;
            self.list.set_ids(ids);
        } else {
            self.request_search();
        }
        self.after_move(true);
        self.reload_screen();
        self.flag_stale_dialog();
        Ok(())
    }

    /// Called a few times a second: take search answers, notice other
    /// processes' commits, save drafts, heartbeat.
    pub fn tick(&mut self) {
        self.beat();
        self.poll_search();
        match self.store.data_version() {
            Ok(v) if v != self.data_version => {
                self.data_version = v;
                // Presence heartbeats change the file but not the record:
                // reload only when an event was appended.
                match self.store.last_event_id() {
                    Ok(last) if last == self.last_event => {}
                    Ok(last) => {
                        self.last_event = last;
                        let r = self.reload();
                        self.report(r);
                    }
                    Err(e) => self.error(e.to_string()),
                }
            }
            Ok(_) => {}
            Err(e) => self.error(e.to_string()),
        }
        if self.drafts_dirty {
            self.save_drafts();
        }
    }

    /// If the incident a dialog edits changed under it, say so (the text
    /// typed stays; saving checks for a real conflict).
    fn flag_stale_dialog(&mut self) {
        let Overlay::Dialog(d) = &self.overlay else {
            return;
        };
        let Some((id, seen_version)) = d.target() else {
            return;
        };
        let now = match &self.detail.incident {
            Some(i) if i.id == id => Some((
                i.version,
                self.detail.events.last().map(|e| e.actor.clone()),
            )),
            _ => self.store.get(id).ok().map(|i| (i.version, None)),
        };
        if let Some((v, who)) = now
            && v != seen_version
        {
            let by = who.map(|w| format!(" by {w}")).unwrap_or_default();
            let text = format!(
                "{id} was changed{by} while you were editing; your text is kept — saving checks for conflicts"
            );
            if let Overlay::Dialog(Dialog::Prompt(p)) = &mut self.overlay {
                p.stale = Some(text);
            } else {
                self.error(text);
            }
        }
    }

    // ---- drafts ----------------------------------------------------------

    pub fn save_drafts(&mut self) {
        self.drafts_dirty = false;
        let Some(path) = &self.drafts_path else {
            return;
        };
        if let Err(e) = drafts::save(path, &self.drafts) {
            self.error(format!(
                "could not save your draft to {}: {e}",
                path.display()
            ));
        }
    }

    fn drafts_changed(&mut self) {
        self.drafts_dirty = true;
    }

    /// The drafts as they would be saved now, including whatever text the
    /// open dialog or the `:` line holds.
    pub fn draft_snapshot(&self) -> Drafts {
        let mut d = self.drafts.clone();
        match &self.overlay {
            Overlay::Dialog(dlg) => match dlg {
                Dialog::Form(f) if f.is_dirty() => d.new_incident = Some(f.draft()),
                Dialog::Prompt(p) if !p.text().trim().is_empty() => {
                    d.prompts.insert(p.draft_key(), p.text());
                }
                Dialog::ActionForm(f) if f.is_dirty() => {
                    d.actions.insert(f.draft_key(), f.draft());
                }
                // Pickers and the priority matrix hold no typed text.
                _ => {}
            },
            Overlay::Command { input } if !input.trim().is_empty() => {
                d.command = Some(input.clone());
            }
            _ => {}
        }
        d
    }

    /// Put whatever is being typed into the drafts (called on quit and
    /// signals, so nothing typed is lost).
    pub fn stash_open_dialog(&mut self) {
        self.drafts = self.draft_snapshot();
        self.save_drafts();
    }
}

/// Single-line editing for the search and command inputs.
fn edit_line(input: &mut String, ev: &KeyEvent) -> bool {
    let ctrl = ev.modifiers.contains(KeyModifiers::CONTROL);
    match ev.code {
        KeyCode::Char('u') if ctrl => input.clear(),
        KeyCode::Char('w') if ctrl => {
            let t = input.trim_end().len();
            input.truncate(t);
            let cut = input.rfind(' ').map_or(0, |i| i + 1);
            input.truncate(cut);
        }
        KeyCode::Char(c) if !ctrl => input.push(c),
        KeyCode::Backspace => {
            input.pop();
        }
        _ => return false,
    }
    true
}

#[cfg(test)]
pub(crate) mod tests;
