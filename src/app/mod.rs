//! TUI state and `update`: keys become [`Action`]s through the keymap, and
//! actions change this state or call the same `ops` as the CLI. Nothing here
//! draws; `ui` renders from this state.

mod actions;
mod bulk;
mod command;
mod drafting;
mod evidence;
pub mod help;
mod keys;
pub mod metrics;
pub mod postmortem;
mod presence;
mod refresh;
pub mod run;
mod saving;
mod searching;
pub mod view;
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
use crate::store::Store;
use dialog::Dialog;
use drafts::Drafts;
use list::List;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use search::Search;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
pub use view::{Outcome, View};

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
    /// Suspend, run this command in the foreground (see
    /// [`crate::evidence`]), wait for Enter, resume, then call
    /// [`App::run_done`] with what happened.
    Run { id: IncidentId, argv: Vec<String> },
}

#[derive(Debug, Default)]
pub struct Detail {
    pub incident: Option<Incident>,
    pub events: Vec<Event>,
    /// Its newest alerts (at most [`DETAIL_ALERTS`]) and the counts of all.
    pub alerts: Vec<crate::store::AlertRow>,
    pub alert_counts: crate::store::AlertCounts,
    /// Related, merged and duplicate-of incidents.
    pub links: Vec<crate::store::LinkRow>,
    /// Its escalation, if one ever started.
    pub escalation: Option<crate::store::respond::EscalationRow>,
    /// Its newest notifications (pages and updates), newest first.
    pub notes_out: Vec<crate::store::respond::OutboxRow>,
    pub scroll: usize,
    /// How far it can scroll at the last frame (the last line at the
    /// bottom): movement keys stay within it.
    pub max_scroll: std::cell::Cell<usize>,
}

/// Alerts the detail pane loads; `sev alerts ID` lists every one.
pub const DETAIL_ALERTS: usize = 50;

pub use crate::geometry::WIDE;

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
    /// Where the person is: the list at the bottom, then whatever was
    /// opened over it. Never empty.
    pub stack: Vec<View>,
    pub message: Option<Message>,
    pub search: Search,
    /// The facets in force before `ctrl-a` widened a search to every
    /// incident: Esc on that search puts them back.
    pub widened_from: Option<list::Facets>,
    /// The search filter in force ("" = none).
    pub filter: String,
    /// Matched title positions of the visible rows.
    pub highlights: HashMap<IncidentId, Vec<usize>>,
    pub pending_keys: Vec<Key>,
    quitting: bool,
    effect: Option<Effect>,
    pub drafts: Drafts,
    pub drafts_path: Option<PathBuf>,
    drafts_dirty: bool,
    /// The discard key was pressed once over typed text: a second press
    /// discards, any other key keeps the text.
    discard_asked: bool,
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
    /// The database cannot be reached (a dropped PostgreSQL connection):
    /// the header says so until a reconnect reloads the screen.
    pub offline: bool,
    /// Maintenance windows in force and open storm incidents, for the header.
    pub intake: crate::store::IntakeState,
    /// Who is on call now, by schedule, and the minute it was worked out.
    pub oncall: Vec<(String, String)>,
    pub oncall_minute: i64,
    /// Incidents alerts opened that this screen has already announced.
    pub announced: std::collections::HashSet<IncidentId>,
    /// The highest incident id the list has shown (None before the first load).
    announced_up_to: Option<i64>,
    /// Ring the terminal bell at the next frame (a new alert incident in view).
    pub bell: bool,
    /// Incidents marked for a bulk action (space, `*`): with marks, the
    /// workflow verbs act on every marked incident after one question.
    pub marks: std::collections::BTreeSet<IncidentId>,
    /// The metrics view's period, severity and focus when last closed.
    pub metrics_prefs: Option<metrics::MetricsPrefs>,
    /// The list's facets before a drill-down from the metrics view: Esc
    /// puts them back.
    pub drill_from: Option<list::Facets>,
}

/// The full path of the database, with the home directory shown as `~`.
pub fn db_label(path: &std::path::Path) -> String {
    if crate::store::locator::is_postgres(path) {
        // Already masked by the store; a URL is not a file to resolve.
        return crate::store::locator::shown(path);
    }
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
            stack: vec![View::List],
            message: None,
            search: Search::default(),
            widened_from: None,
            filter: String::new(),
            highlights: HashMap::new(),
            pending_keys: Vec::new(),
            quitting: false,
            effect: None,
            drafts: Drafts::default(),
            drafts_path: None,
            drafts_dirty: false,
            discard_asked: false,
            data_version,
            last_event,
            size: (80, 24),
            color: true,
            me: None,
            last_beat: None,
            viewers: Vec::new(),
            offline: false,
            intake: Default::default(),
            oncall: Vec::new(),
            oncall_minute: -1,
            announced: Default::default(),
            announced_up_to: None,
            bell: false,
            marks: Default::default(),
            metrics_prefs: None,
            drill_from: None,
        };
        app.resize(80, 24);
        app.reload()?;
        Ok(app)
    }

    /// Keep drafts in this file (per user, per database) and offer back
    /// what is there: every draft is announced, with the key that reaches it.
    pub fn use_drafts(&mut self, path: PathBuf) {
        self.drafts = drafts::load(&path);
        self.drafts_path = Some(path);
        let mut said = Vec::new();
        if let Some(d) = &self.drafts.new_incident {
            let key = self.key(Mode::Normal, Action::NewIncident);
            said.push(format!(
                "draft incident \"{}\" ({key} continues it)",
                crate::text::truncate(&crate::text::sanitize_line(&d.title), 30)
            ));
        }
        let cmd = self.key(Mode::Normal, Action::CommandLine);
        for k in self.drafts.prompts.keys() {
            let id = k.split_whitespace().next().unwrap_or_default();
            if id == dialog::BULK_DRAFT {
                said.push(format!(
                    "draft {k} (mark incidents, then the same key continues it)"
                ));
                continue;
            }
            said.push(format!("draft {k} ({cmd}{} jumps to it)", id));
        }
        for k in self.drafts.actions.keys() {
            said.push(format!("draft action {k} (reopen that form)"));
        }
        if self.drafts.command.is_some() {
            said.push(format!("command line ({cmd} continues it)"));
        }
        match said.len() {
            0 => {}
            1 => self.info(format!("unsaved {} kept from last time", said[0])),
            n => self.info(format!(
                "{n} unsaved drafts kept from last time: {}",
                said.join("; ")
            )),
        }
        self.box_long_message();
    }

    /// The first key bound to an action, for messages and hints.
    pub fn key(&self, mode: Mode, a: Action) -> String {
        self.keymap
            .key_for(mode, a)
            .unwrap_or_else(|| format!(":{}", a.name()))
    }

    /// The login of the person at the keyboard.
    pub fn me(&self) -> &str {
        crate::identity::login_of(&self.actor)
    }

    pub fn top(&self) -> &View {
        self.stack.last().unwrap_or(&View::List)
    }

    pub fn top_mut(&mut self) -> &mut View {
        if self.stack.is_empty() {
            self.stack.push(View::List);
        }
        let n = self.stack.len() - 1;
        &mut self.stack[n]
    }

    /// The view that fills the body: the topmost screen on the stack.
    pub fn screen(&self) -> &View {
        self.stack
            .iter()
            .rev()
            .find(|v| v.is_screen())
            .unwrap_or(&View::List)
    }

    /// The open dialog, if a dialog has the keys.
    pub fn dialog(&self) -> Option<&Dialog> {
        match self.top() {
            View::Dialog(d) => Some(d),
            _ => None,
        }
    }

    pub fn dialog_mut(&mut self) -> Option<&mut Dialog> {
        match self.top_mut() {
            View::Dialog(d) => Some(d),
            _ => None,
        }
    }

    /// Whether the details have the keys.
    pub fn in_detail(&self) -> bool {
        matches!(self.screen(), View::Detail)
    }

    /// Nothing was ever recorded in this database.
    pub fn database_empty(&self) -> bool {
        self.last_event == 0
    }

    /// Has the root view been asked to quit?
    pub fn quitting(&self) -> bool {
        self.quitting
    }

    /// Work for the terminal loop (it owns the terminal).
    pub fn take_effect(&mut self) -> Option<Effect> {
        self.effect.take()
    }

    pub fn mode(&self) -> Mode {
        self.top().mode()
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

    /// The message on screen: the box on top, or the status line's.
    pub fn shown_message(&self) -> Option<&Message> {
        match self.top() {
            View::Message(m) => Some(m),
            _ => self.message.as_ref(),
        }
    }

    pub fn info(&mut self, text: impl Into<String>) {
        self.drop_message_box();
        self.message = Some(Message {
            text: text.into(),
            error: false,
        });
    }

    pub fn error(&mut self, text: impl Into<String>) {
        self.drop_message_box();
        self.message = Some(Message {
            text: text.into(),
            error: true,
        });
    }

    /// A newer message replaces the box on top.
    fn drop_message_box(&mut self) {
        if matches!(self.top(), View::Message(_)) {
            self.stack.pop();
        }
    }

    /// A message too long for the status line becomes a message box: it
    /// shows whole, and the key that closes it does nothing else.
    fn box_long_message(&mut self) {
        let Some(m) = &self.message else { return };
        if matches!(
            self.top(),
            View::Search { .. } | View::Command { .. } | View::Message(_)
        ) {
            return;
        }
        let w = unicode_width::UnicodeWidthStr::width(crate::text::sanitize_line(&m.text).as_ref());
        if !crate::geometry::fits_status_line(self.size.0, w)
            && let Some(m) = self.message.take()
        {
            self.stack.push(View::Message(m));
        }
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
        self.list.height = crate::geometry::list_rows(w, h);
        self.list.full_width = !self.wide();
        let r = self.list.load_window(&self.store, false);
        self.report(r);
        self.update_highlights();
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
