//! TUI state and `update`: keys become [`Action`]s through the keymap, and
//! actions change this state or call the same `ops` as the CLI. Nothing here
//! draws; `ui` renders from this state.

mod actions;
mod command;
pub mod help;
pub mod postmortem;
mod presence;
pub mod run;
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
}

#[derive(Debug, Default)]
pub struct Detail {
    pub incident: Option<Incident>,
    pub events: Vec<Event>,
    pub scroll: usize,
}

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

    // ---- keys ------------------------------------------------------------

    pub fn on_key(&mut self, ev: KeyEvent) {
        if ev.kind == KeyEventKind::Release {
            return;
        }
        let Some(key) = Key::from_event(&ev) else {
            return;
        };
        // A message box takes the key that closes it: that key does nothing
        // else (an `i` or `q` meant for the box must not act).
        if self.pending_keys.is_empty() && matches!(self.top(), View::Message(_)) {
            self.stack.pop();
            return;
        }
        // Messages last until the next key.
        let mut asked = false;
        if self.pending_keys.is_empty() {
            self.message = None;
            asked = std::mem::take(&mut self.discard_asked);
        }
        let mode = self.mode();
        self.pending_keys.push(key);
        match self.keymap.resolve(mode, &self.pending_keys) {
            Resolved::Action(Action::Discard) if !asked && self.has_typed_text() => {
                // Throwing typed text away takes a second press.
                self.pending_keys.clear();
                self.discard_asked = true;
                let x = self.key(Mode::Dialog, Action::Discard);
                self.info(format!(
                    "discard what you typed? {x} again discards it; any other key keeps it"
                ));
            }
            Resolved::Action(a) => {
                self.pending_keys.clear();
                if asked {
                    self.info("not discarded — your text is kept");
                }
                let o = self.handle(a, ev);
                self.apply(o);
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
                if asked {
                    self.info("not discarded — your text is kept");
                }
                let o = self.type_key(ev, key);
                self.apply(o);
            }
        }
        self.box_long_message();
    }

    /// The view on top handles the action.
    fn handle(&mut self, a: Action, ev: KeyEvent) -> Outcome {
        match self.top() {
            View::List => self.list_key(a),
            View::Detail => self.detail_key(a),
            View::Postmortem(_) => self.postmortem_key(a),
            View::Actions(_) => self.actions_key(a),
            View::Help(_) => self.help_key(a),
            View::Search { .. } => self.search_key(a),
            View::Command { .. } => self.command_key(a),
            View::Dialog(_) => self.dialog_key(a, ev),
            View::Confirm(_) => match a {
                Action::Accept => match self.stack.last() {
                    Some(View::Confirm(c)) => Outcome::Run(c.yes.clone()),
                    _ => Outcome::Pop,
                },
                Action::Cancel | Action::Back | Action::Quit => Outcome::Pop,
                _ => Outcome::Stay,
            },
            View::Message(_) => Outcome::Pop,
        }
    }

    /// Carry out what a view answered.
    pub fn apply(&mut self, o: Outcome) {
        match o {
            Outcome::Stay => {}
            Outcome::Push(v) => self.stack.push(v),
            Outcome::Pop => self.pop(),
            Outcome::Replace(v) => {
                if self.stack.len() > 1 {
                    self.stack.pop();
                }
                self.stack.push(v);
            }
            Outcome::Run(op) => self.run_op(op),
            Outcome::Quit => self.quit(),
        }
    }

    /// Close the view on top (never the list at the bottom).
    fn pop(&mut self) {
        if self.stack.len() <= 1 {
            return;
        }
        let gone = self.stack.pop();
        // Leaving a postmortem or the actions view: what is under it may
        // have changed meanwhile.
        if matches!(gone, Some(View::Postmortem(_) | View::Actions(_))) {
            if matches!(self.top(), View::List | View::Detail) {
                let r = self.reload();
                self.report(r);
            } else {
                self.reload_screen();
            }
        }
    }

    /// Quit from the root. With drafts that cannot be kept on disk, ask
    /// first.
    fn quit(&mut self) {
        if self.stack.len() > 1 {
            return self.pop();
        }
        let kept = self.drafts_path.is_some();
        if !kept && !self.drafts.is_empty() && !matches!(self.top(), View::Confirm(_)) {
            let (y, n) = (
                self.key(Mode::Confirm, Action::Accept),
                self.key(Mode::Confirm, Action::Cancel),
            );
            self.stack.push(View::Confirm(Box::new(view::Confirm {
                title: "Quit and lose your drafts?".into(),
                text: format!(
                    "unsaved drafts cannot be kept in this session — {y} quits anyway, {n} stays"
                ),
                yes: run::Op::Quit,
            })));
            return;
        }
        self.quitting = true;
    }

    /// Run an operation for the view on top; a dialog closes when it
    /// succeeds and keeps the text with the reason when it fails.
    fn run_op(&mut self, op: run::Op) {
        if let run::Op::Quit = op {
            self.quitting = true;
            return;
        }
        let target = match &op {
            run::Op::Acknowledge { id, .. }
            | run::Op::TakeCommand(id)
            | run::Op::Move { id, .. }
            | run::Op::Set { id, .. }
            | run::Op::Note { id, .. } => Some(*id),
            _ => None,
        };
        let closing = matches!(
            op,
            run::Op::Move {
                to: crate::domain::Status::Closed,
                ..
            }
        );
        let r = self.run(&op);
        if closing && let Err(e) = &r {
            // The refusal names the key that opens what it asks for.
            if matches!(self.top(), View::Dialog(_)) {
                self.stack.pop();
            }
            let pm = self.key(Mode::Normal, Action::OpenPostmortem);
            let x = self.key(Mode::Normal, Action::OpenActions);
            return self.error(format!(
                "{e} — {pm} opens the postmortem, {x} the action items"
            ));
        }
        let in_dialog = matches!(self.top(), View::Dialog(_) | View::Confirm(_));
        match r {
            Ok(done) => {
                if in_dialog {
                    self.forget_dialog_draft();
                    self.stack.pop();
                }
                self.written(target, done);
            }
            Err(e) if matches!(self.top(), View::Dialog(_)) => self.dialog_failed(e),
            Err(e) => {
                if matches!(self.top(), View::Confirm(_)) {
                    self.stack.pop();
                }
                self.error(e.to_string())
            }
        }
    }

    /// Does the view on top hold text the person typed (that discarding
    /// would throw away)?
    fn has_typed_text(&self) -> bool {
        match self.top() {
            View::Dialog(Dialog::Prompt(p)) => p.has_typed_text(),
            View::Dialog(Dialog::Form(f)) => f.is_dirty(),
            View::Dialog(Dialog::ActionForm(f)) => f.is_dirty(),
            View::Command { input, .. } => !input.trim().is_empty(),
            _ => false,
        }
    }

    /// A key no binding claimed: typing, where typing goes somewhere.
    fn type_key(&mut self, ev: KeyEvent, key: Key) -> Outcome {
        match self.top_mut() {
            View::Search { input } => {
                if edit_line(input, &ev) {
                    self.request_search();
                }
            }
            View::Command {
                input, candidates, ..
            } => {
                edit_line(input, &ev);
                candidates.clear();
            }
            View::Help(h) if h.typing => {
                edit_line(&mut h.query, &ev);
                h.scroll = 0;
            }
            View::Dialog(_) => self.dialog_type(ev),
            View::Help(_) | View::Confirm(_) | View::Message(_) => {}
            View::List | View::Detail | View::Postmortem(_) | View::Actions(_) => {
                let mode = self.mode();
                let help = self.key(mode, Action::Help);
                self.info(format!("{key} does nothing here — {help} shows the keys"));
            }
        }
        Outcome::Stay
    }

    fn help_key(&mut self, a: Action) -> Outcome {
        let query = match self.top() {
            View::Help(h) => h.query.clone(),
            _ => return Outcome::Stay,
        };
        // Scrolling stops at the last line: holding j never overshoots,
        // so k moves back at once.
        let max = help::max_scroll(self, &query);
        let page = (self.size.1 as usize).saturating_sub(6).max(1);
        let View::Help(h) = self.top_mut() else {
            return Outcome::Stay;
        };
        match a {
            Action::Search => h.typing = true,
            Action::Accept if h.typing => h.typing = false,
            // Esc clears a search, typed or kept, before it closes help
            // (the title says "esc clears").
            Action::Cancel if h.typing || !h.query.is_empty() => {
                h.typing = false;
                h.query.clear();
            }
            Action::Down => h.scroll += 1,
            Action::Up => h.scroll = h.scroll.saturating_sub(1),
            Action::PageDown => h.scroll += page,
            Action::PageUp => h.scroll = h.scroll.saturating_sub(page),
            Action::Top => h.scroll = 0,
            Action::Bottom => h.scroll = max,
            Action::Cancel | Action::Back | Action::Quit | Action::Help => return Outcome::Pop,
            _ => {}
        }
        h.scroll = h.scroll.min(max);
        Outcome::Stay
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
        // The query in force is what is being typed in the search box, if
        // it is open, else the confirmed filter.
        let typing = matches!(self.top(), View::Search { input } if !input.trim().is_empty());
        if self.filter.is_empty() && !typing {
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
        let version = self.store.data_version();
        if version.is_ok() && self.offline {
            self.offline = false;
            self.info("connection to the database is back; reloaded");
        }
        match version {
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
            // Said once, then kept in the header while it lasts.
            Err(e) if self.offline => drop(e),
            Err(e) => {
                self.offline = matches!(e, crate::error::Error::Unavailable(_));
                self.error(e.to_string());
            }
        }
        if self.drafts_dirty {
            self.save_drafts();
        }
        // Something that happened in the background (a lost connection, a
        // change elsewhere) must not open a box over a dialog the user is
        // typing into: the box would take their next key.
        if !matches!(self.top(), View::Dialog(_)) {
            self.box_long_message();
        }
    }

    /// If the incident a dialog edits changed under it, say so (the text
    /// typed stays; saving checks for a real conflict).
    fn flag_stale_dialog(&mut self) {
        let Some(d) = self.dialog() else {
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
            if let Some(Dialog::Prompt(p)) = self.dialog_mut() {
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
        // Every open dialog, also one under a message box.
        for v in &self.stack {
            match v {
                View::Dialog(dlg) => match dlg {
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
                View::Command { input, .. } if !input.trim().is_empty() => {
                    d.command = Some(input.clone());
                }
                _ => {}
            }
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
