//! Keys: each view on the stack handles its own and returns an outcome,
//! which the app applies (push, pop, run an operation, quit).

use super::*;

impl App {
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
    pub(super) fn handle(&mut self, a: Action, ev: KeyEvent) -> Outcome {
        match self.top() {
            View::List => self.list_key(a),
            View::Detail => self.detail_key(a),
            View::Postmortem(_) => self.postmortem_key(a),
            View::Actions(_) => self.actions_key(a),
            View::Metrics(_) => self.metrics_key(a),
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
    pub(super) fn pop(&mut self) {
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
    pub(super) fn quit(&mut self) {
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
    pub(super) fn run_op(&mut self, op: run::Op) {
        let op = match op {
            run::Op::Quit => {
                self.quitting = true;
                return;
            }
            run::Op::Bulk { ids, what } => return self.run_bulk_op(ids, what),
            op => op,
        };
        let target = match &op {
            run::Op::Acknowledge { id, .. }
            | run::Op::TakeCommand(id)
            | run::Op::Move { id, .. }
            | run::Op::Set { id, .. }
            | run::Op::Note { id, .. }
            | run::Op::Evidence { id, .. } => Some(*id),
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
        if let (
            Err(crate::error::Error::Domain(crate::domain::DomainError::AlertsFiring {
                reference,
                open,
            })),
            run::Op::Move {
                id,
                to,
                text,
                seen,
                force: false,
            },
        ) = (&r, &op)
        {
            // Asked over the summary dialog, which stays (with what was
            // typed) if the answer is no.
            let (s, verb) = if *open == 1 {
                ("", "fires")
            } else {
                ("s", "fire")
            };
            self.stack.push(View::Confirm(Box::new(super::view::Confirm {
                title: format!("Resolve {reference} while {open} alert{s} still {verb}?"),
                text: "The monitoring says the problem is not over. Resolving anyway is recorded on the timeline with your name.".into(),
                yes: run::Op::Move {
                    id: *id,
                    to: *to,
                    text: text.clone(),
                    seen: *seen,
                    force: true,
                },
            })));
            return;
        }
        let forced_over_dialog = matches!(op, run::Op::Move { force: true, .. })
            && matches!(self.top(), View::Confirm(_))
            && self.stack.len() >= 2
            && matches!(self.stack[self.stack.len() - 2], View::Dialog(_));
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
                if forced_over_dialog && matches!(self.top(), View::Dialog(_)) {
                    // The summary dialog under the question: done with too.
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
    pub(super) fn has_typed_text(&self) -> bool {
        match self.top() {
            View::Dialog(Dialog::Prompt(p)) => p.has_typed_text(),
            View::Dialog(Dialog::Form(f)) => f.is_dirty(),
            View::Dialog(Dialog::ActionForm(f)) => f.is_dirty(),
            View::Command { input, .. } => !input.trim().is_empty(),
            _ => false,
        }
    }

    /// A key no binding claimed: typing, where typing goes somewhere.
    pub(super) fn type_key(&mut self, ev: KeyEvent, key: Key) -> Outcome {
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
            View::List
            | View::Detail
            | View::Postmortem(_)
            | View::Actions(_)
            | View::Metrics(_) => {
                let mode = self.mode();
                let help = self.key(mode, Action::Help);
                self.info(format!("{key} does nothing here — {help} shows the keys"));
            }
        }
        Outcome::Stay
    }

    pub(super) fn help_key(&mut self, a: Action) -> Outcome {
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
}
