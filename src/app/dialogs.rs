//! Keys inside dialogs, and the operations they ask for. A failed save
//! leaves the dialog open with the person's text and the reason; nothing
//! typed is lost.

use super::dialog::{Dialog, FormField, PromptFor, text_input, text_of};
use super::run::Op;
use super::{App, Effect, Outcome, View};
use crate::domain::{Field, Impact, Urgency};
use crate::keymap::{Action, Mode};
use crate::ops::Edit;
use ratatui::crossterm::event::{KeyCode, KeyEvent};

fn cycle<T: Copy + PartialEq>(all: &[T], cur: T, d: isize) -> T {
    let i = all.iter().position(|x| *x == cur).unwrap_or(0) as isize;
    all[(i + d).rem_euclid(all.len() as isize) as usize]
}

/// Type-to-select: a digit picks that entry (1 = first), a letter the next
/// entry after `cur` whose label starts with it.
pub(super) fn type_select(labels: &[String], cur: usize, c: char) -> Option<usize> {
    if let Some(d) = c.to_digit(10) {
        let i = (d as usize).checked_sub(1)?;
        return (i < labels.len()).then_some(i);
    }
    let c = c.to_lowercase().to_string();
    let n = labels.len();
    (1..=n)
        .map(|k| (cur + k) % n)
        .find(|i| labels[*i].to_lowercase().starts_with(&c))
}

impl App {
    pub(super) fn dialog_key(&mut self, a: Action, ev: KeyEvent) -> Outcome {
        let me = self.me().to_string();
        let discard_key = self.key(Mode::Dialog, Action::Discard);
        let new_key = self.key(Mode::Normal, Action::NewIncident);
        let add_action_key = self.key(Mode::Postmortem, Action::AddAction);
        let edit_action_key = self.key(Mode::Actions, Action::Edit);
        let Some(View::Dialog(d)) = self.stack.last_mut() else {
            return Outcome::Stay;
        };
        match d {
            Dialog::Picker(p) => {
                let n = p.items.len().max(1);
                match a {
                    Action::Down | Action::NextField | Action::Right => {
                        p.selected = (p.selected + 1) % n
                    }
                    Action::Up | Action::PrevField | Action::Left => {
                        p.selected = (p.selected + n - 1) % n
                    }
                    Action::Accept | Action::Save => return self.choose(),
                    Action::Cancel | Action::Discard | Action::Back => return Outcome::Pop,
                    _ => {}
                }
            }
            Dialog::Prioritize(p) => match a {
                Action::Down | Action::Up | Action::NextField | Action::PrevField => {
                    p.row = 1 - p.row
                }
                Action::Left | Action::Right => {
                    let d = if a == Action::Right { 1 } else { -1 };
                    if p.row == 0 {
                        p.impact = cycle(Impact::ALL, p.impact, d);
                    } else {
                        p.urgency = cycle(Urgency::ALL, p.urgency, d);
                    }
                }
                Action::Accept | Action::Save => {
                    let edits = vec![
                        Edit::new(Field::Impact, p.impact.as_str()).seen(&p.seen),
                        Edit::new(Field::Urgency, p.urgency.as_str()).seen(&p.seen),
                    ];
                    return Outcome::Run(Op::Set {
                        id: p.target,
                        edits,
                    });
                }
                Action::Cancel | Action::Discard => return Outcome::Pop,
                _ => {}
            },
            Dialog::Prompt(p) => match a {
                Action::Save => return self.save_prompt(),
                Action::Accept if !p.multiline => return self.save_prompt(),
                // Tab completes a known name in a people field.
                Action::NextField if p.is_people() => {
                    // Tab keeps the prefilled name (no longer replaced by typing).
                    p.input.cancel_selection();
                    let typed = p.text();
                    if let Some(name) = self.complete_person(&typed)
                        && let Some(Dialog::Prompt(p)) = self.dialog_mut()
                    {
                        p.input = text_input(&name, false);
                        p.error = None;
                    }
                }
                Action::Cancel => return self.close_prompt_keeping_draft(&me),
                Action::Discard => {
                    let key = p.draft_key();
                    self.drafts.prompts.remove(&key);
                    self.drafts_changed();
                    self.info("draft discarded");
                    return Outcome::Pop;
                }
                Action::ExternalEditor => {
                    self.effect = Some(Effect::Editor { initial: p.text() });
                }
                // Everything else edits the text (arrows move the cursor).
                _ => {
                    feed(&mut p.input, ev);
                    p.error = None;
                }
            },
            Dialog::ActionForm(f) => match a {
                Action::Save => return self.save_action_form(),
                Action::Accept if f.focus + 1 >= f.fields() => return self.save_action_form(),
                Action::Accept | Action::NextField | Action::Down => {
                    f.focus = (f.focus + 1) % f.fields()
                }
                Action::PrevField | Action::Up => f.focus = (f.focus + f.fields() - 1) % f.fields(),
                Action::Cancel => {
                    let editing = f.editing.is_some();
                    if f.is_dirty() {
                        self.drafts.actions.insert(f.draft_key(), f.draft());
                        self.drafts_changed();
                        let again = if editing {
                            edit_action_key
                        } else {
                            add_action_key
                        };
                        self.info(format!(
                            "draft kept — {again} reopens this form to continue it, {discard_key} in it discards"
                        ));
                    }
                    return Outcome::Pop;
                }
                Action::Discard => {
                    self.drafts.actions.remove(&f.draft_key());
                    self.drafts_changed();
                    self.info("draft discarded");
                    return Outcome::Pop;
                }
                Action::Left | Action::Right => left_right(f.as_mut(), a, ev),
                _ => {}
            },
            Dialog::Form(f) => {
                let multiline = f.focus == FormField::Description;
                match a {
                    Action::Save => return self.save_form(),
                    Action::Cancel => {
                        if f.is_dirty() {
                            self.drafts.new_incident = Some(f.draft());
                            self.drafts_changed();
                            self.info(format!(
                                "draft kept — {new_key} continues it, {discard_key} in the form discards it"
                            ));
                        }
                        return Outcome::Pop;
                    }
                    Action::Discard => {
                        self.drafts.new_incident = None;
                        self.drafts_changed();
                        self.info("draft discarded");
                        return Outcome::Pop;
                    }
                    // Tab completes a half-typed known service, as it does
                    // on the `:` line; with nothing to complete it moves on.
                    Action::NextField
                        if f.focus == FormField::Service
                            && !text_of(&f.service).trim().is_empty()
                            && !f.service_suggestions().is_empty() =>
                    {
                        f.complete_service();
                    }
                    Action::NextField => f.focus_by(1),
                    Action::PrevField => f.focus_by(-1),
                    Action::ExternalEditor if f.focus == FormField::Description => {
                        self.effect = Some(Effect::Editor {
                            initial: text_of(&f.description),
                        });
                    }
                    Action::Accept if multiline => {
                        feed(&mut f.description, ev);
                    }
                    Action::Accept if f.focus == FormField::Urgency => return self.save_form(),
                    Action::Accept => f.focus_by(1),
                    Action::Up | Action::Down if multiline => {
                        feed(&mut f.description, ev);
                    }
                    Action::Up => f.focus_by(-1),
                    Action::Down => f.focus_by(1),
                    // At the end of the text → completes a known service.
                    Action::Right if f.focus == FormField::Service && at_end(&f.service) => {
                        f.complete_service();
                    }
                    Action::Left | Action::Right => left_right(f.as_mut(), a, ev),
                    _ => {}
                }
            }
        }
        Outcome::Stay
    }

    /// Typing in a dialog.
    pub(super) fn dialog_type(&mut self, ev: KeyEvent) {
        let Some(d) = self.dialog_mut() else {
            return;
        };
        match d {
            Dialog::Prompt(p) => {
                if p.multiline || ev.code != KeyCode::Enter {
                    feed(&mut p.input, ev);
                    // The reason it could not be saved is about the old text.
                    p.error = None;
                }
            }
            Dialog::Form(f) => {
                if let Some(t) = f.focused_text() {
                    feed(t, ev);
                } else if let KeyCode::Char(' ') = ev.code {
                    f.cycle_choice(1);
                } else if let KeyCode::Char(c) = ev.code {
                    f.type_choice(c);
                }
            }
            Dialog::Picker(p) => {
                if let KeyCode::Char(c) = ev.code {
                    let labels: Vec<String> = p.items.iter().map(|i| i.label.clone()).collect();
                    if let Some(i) = type_select(&labels, p.selected, c) {
                        p.selected = i;
                    }
                }
            }
            Dialog::ActionForm(f) => {
                if let Some(t) = f.focused_text() {
                    feed(t, ev);
                    f.error = None;
                } else if let KeyCode::Char(' ') = ev.code {
                    f.cycle_choice(1);
                } else if let KeyCode::Char(c) = ev.code {
                    f.type_choice(c);
                    f.error = None;
                }
            }
            Dialog::Prioritize(p) => {
                if let KeyCode::Char(c) = ev.code {
                    use super::dialog::pick_typed;
                    if p.row == 0 {
                        p.impact = pick_typed(Impact::ALL, p.impact, c);
                    } else {
                        p.urgency = pick_typed(Urgency::ALL, p.urgency, c);
                    }
                }
            }
        }
    }

    /// A known person's name that starts with what was typed.
    fn complete_person(&mut self, typed: &str) -> Option<String> {
        let t = typed.trim().to_lowercase();
        let people = self.report(self.store.known_people())?;
        people
            .into_iter()
            .filter(|p| p.to_lowercase().starts_with(&t) && p.to_lowercase() != t)
            .min_by_key(|p| p.len())
    }

    fn close_prompt_keeping_draft(&mut self, me: &str) -> Outcome {
        if let Some(Dialog::Prompt(p)) = self.dialog() {
            let text = p.text();
            let prefill = match p.purpose {
                PromptFor::Set(f) => f.get(&p.seen).unwrap_or_default(),
                PromptFor::Resolve => p.seen.resolution.clone().unwrap_or_default(),
                PromptFor::Update => p.prefill.clone(),
                _ => String::new(),
            };
            if !text.trim().is_empty() && text != prefill && text != me {
                let key = p.draft_key();
                let again = self.reopen_key(p.purpose);
                self.drafts.prompts.insert(key, text);
                self.drafts_changed();
                self.info(format!("draft kept — {again} to continue it"));
            }
        }
        Outcome::Pop
    }

    /// The key that opens this prompt again (and brings its draft back),
    /// said as "<key> reopens it".
    fn reopen_key(&self, p: PromptFor) -> String {
        let (mode, a) = match p {
            PromptFor::Note => (Mode::Normal, Action::AddNote),
            PromptFor::Update => (Mode::Normal, Action::PostUpdate),
            PromptFor::Resolve => (Mode::Normal, Action::Resolve),
            PromptFor::Cancel => (Mode::Normal, Action::ChangeStatus),
            PromptFor::Set(Field::Assignee) => (Mode::Normal, Action::Assign),
            PromptFor::Set(Field::Commander | Field::Scribe | Field::Comms) => {
                (Mode::Normal, Action::SetRole)
            }
            PromptFor::Set(Field::Tags) => (Mode::Normal, Action::SetTags),
            PromptFor::Set(Field::Title) => (Mode::Normal, Action::EditTitle),
            PromptFor::Set(Field::Description) => (Mode::Normal, Action::EditDescription),
            PromptFor::Set(Field::Service) => (Mode::Normal, Action::SetService),
            PromptFor::Set(_) => (Mode::Normal, Action::CommandLine),
            PromptFor::Section(_) => (Mode::Postmortem, Action::Edit),
            PromptFor::PmOwner => (Mode::Postmortem, Action::SetOwner),
            PromptFor::Annotate(_) => (Mode::Postmortem, Action::Annotate),
        };
        let k = self.key(mode, a);
        match p {
            PromptFor::Cancel => format!("{k} then cancelled reopens it"),
            PromptFor::Section(_) => format!("{k} on the same section reopens it"),
            _ => format!("{k} reopens it"),
        }
    }

    /// The text the editor returned goes back where it came from.
    pub fn editor_done(&mut self, r: crate::error::Result<Option<String>>) {
        let text = match r {
            Ok(Some(t)) => t.trim_end_matches('\n').to_string(),
            Ok(None) => {
                return self.error("the editor exited with an error; your text is unchanged");
            }
            Err(e) => return self.error(e.to_string()),
        };
        match self.dialog_mut() {
            Some(Dialog::Prompt(p)) => p.input = text_input(&text, p.multiline),
            Some(Dialog::Form(f)) => f.description = text_input(&text, true),
            _ => {}
        }
    }
}

/// ←/→ in a form: move the cursor in a text field, change a choice otherwise.
fn left_right(f: &mut dyn FormFields, a: Action, ev: KeyEvent) {
    match f.text_field() {
        Some(t) => feed(t, ev),
        None => f.change_choice(if a == Action::Left { -1 } else { 1 }),
    }
}

/// What `left_right` needs of a form.
trait FormFields {
    fn text_field(&mut self) -> Option<&mut ratatui_textarea::TextArea<'static>>;
    fn change_choice(&mut self, d: isize);
}

impl FormFields for super::dialog::Form {
    fn text_field(&mut self) -> Option<&mut ratatui_textarea::TextArea<'static>> {
        self.focused_text()
    }
    fn change_choice(&mut self, d: isize) {
        self.cycle_choice(d)
    }
}

impl FormFields for super::dialog::ActionForm {
    fn text_field(&mut self) -> Option<&mut ratatui_textarea::TextArea<'static>> {
        self.focused_text()
    }
    fn change_choice(&mut self, d: isize) {
        self.cycle_choice(d)
    }
}

/// Typing into a text field. Like a shell, ctrl-u clears to the line start.
fn feed(t: &mut ratatui_textarea::TextArea<'_>, ev: KeyEvent) {
    if ev.code == KeyCode::Char('u')
        && ev
            .modifiers
            .contains(ratatui::crossterm::event::KeyModifiers::CONTROL)
    {
        t.delete_line_by_head();
    } else {
        t.input(ev);
    }
}

fn at_end(t: &ratatui_textarea::TextArea<'_>) -> bool {
    let ratatui_textarea::DataCursor(row, col) = t.cursor();
    row + 1 >= t.lines().len() && col >= t.lines().get(row).map_or(0, |l| l.chars().count())
}
