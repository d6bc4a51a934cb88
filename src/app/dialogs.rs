//! Keys inside dialogs, and saving what they hold. A failed save leaves the
//! dialog open with the person's text and the reason; nothing typed is lost.

use super::dialog::{Dialog, FormField, PickFor, PromptFor, text_input, text_of};
use super::{App, Effect, Overlay};
use crate::domain::{Field, Impact, NewIncident, Status, Transition, Urgency};
use crate::error::Error;
use crate::keymap::Action;
use crate::ops::Edit;
use ratatui::crossterm::event::{KeyCode, KeyEvent};

fn cycle<T: Copy + PartialEq>(all: &[T], cur: T, d: isize) -> T {
    let i = all.iter().position(|x| *x == cur).unwrap_or(0) as isize;
    all[(i + d).rem_euclid(all.len() as isize) as usize]
}

impl App {
    pub(super) fn dialog_action(&mut self, a: Action, ev: KeyEvent) {
        let Overlay::Dialog(d) = &mut self.overlay else {
            return;
        };
        match d {
            Dialog::Picker(p) => match a {
                Action::Down | Action::NextField | Action::Right => {
                    p.selected = (p.selected + 1) % p.items.len().max(1)
                }
                Action::Up | Action::PrevField | Action::Left => {
                    p.selected = (p.selected + p.items.len().max(1) - 1) % p.items.len().max(1)
                }
                Action::Accept | Action::Save => self.choose(),
                Action::Cancel | Action::Discard => self.overlay = Overlay::None,
                _ => {}
            },
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
                Action::Accept | Action::Save => self.save_priority(),
                Action::Cancel | Action::Discard => self.overlay = Overlay::None,
                _ => {}
            },
            Dialog::Prompt(p) => match a {
                Action::Save => self.save_prompt(),
                Action::Accept if !p.multiline => self.save_prompt(),
                Action::Cancel => self.close_prompt_keeping_draft(),
                Action::Discard => {
                    let key = p.draft_key();
                    self.drafts.prompts.remove(&key);
                    self.drafts_changed();
                    self.overlay = Overlay::None;
                    self.info("draft discarded");
                }
                Action::ExternalEditor => {
                    self.effect = Some(Effect::Editor { initial: p.text() });
                }
                // Everything else edits the text (arrows move the cursor).
                _ => {
                    feed(&mut p.input, ev);
                }
            },
            Dialog::ActionForm(f) => match a {
                Action::Save => self.save_action_form(),
                Action::Accept if f.focus + 1 >= f.fields() => self.save_action_form(),
                Action::Accept | Action::NextField | Action::Down => {
                    f.focus = (f.focus + 1) % f.fields()
                }
                Action::PrevField | Action::Up => f.focus = (f.focus + f.fields() - 1) % f.fields(),
                Action::Cancel => {
                    if f.is_dirty() {
                        self.drafts.actions.insert(f.draft_key(), f.draft());
                        self.drafts_changed();
                        self.info("draft kept — reopen the same form to continue it, ctrl-x there discards it");
                    }
                    self.overlay = Overlay::None;
                }
                Action::Discard => {
                    self.drafts.actions.remove(&f.draft_key());
                    self.drafts_changed();
                    self.overlay = Overlay::None;
                    self.info("draft discarded");
                }
                Action::Left | Action::Right => left_right(f.as_mut(), a, ev),
                _ => {}
            },
            Dialog::Form(f) => {
                let multiline = f.focus == FormField::Description;
                match a {
                    Action::Save => self.save_form(),
                    Action::Cancel => {
                        if f.is_dirty() {
                            self.drafts.new_incident = Some(f.draft());
                            self.drafts_changed();
                            self.info(
                                "draft kept — n continues it, ctrl-x in the form discards it",
                            );
                        }
                        self.overlay = Overlay::None;
                    }
                    Action::Discard => {
                        self.drafts.new_incident = None;
                        self.drafts_changed();
                        self.overlay = Overlay::None;
                        self.info("draft discarded");
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
                    Action::Accept if f.focus == FormField::Urgency => self.save_form(),
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
    }

    /// Typing in a dialog.
    pub(super) fn dialog_type(&mut self, ev: KeyEvent) {
        let Overlay::Dialog(d) = &mut self.overlay else {
            return;
        };
        match d {
            Dialog::Prompt(p) => {
                if p.multiline || ev.code != KeyCode::Enter {
                    feed(&mut p.input, ev);
                }
            }
            Dialog::Form(f) => {
                if let Some(t) = f.focused_text() {
                    feed(t, ev);
                } else if let KeyCode::Char(' ') = ev.code {
                    f.cycle_choice(1);
                }
            }
            Dialog::Picker(p) => {
                let n = p.items.len().max(1);
                // j/k move like everywhere else; other letters jump to a choice.
                if ev.code == KeyCode::Char('j') {
                    p.selected = (p.selected + 1) % n;
                } else if ev.code == KeyCode::Char('k') {
                    p.selected = (p.selected + n - 1) % n;
                } else if let KeyCode::Char(c) = ev.code
                    && let Some(i) = p
                        .items
                        .iter()
                        .position(|it| it.label.to_lowercase().starts_with(c.to_ascii_lowercase()))
                {
                    p.selected = i;
                }
            }
            Dialog::ActionForm(f) => {
                if let Some(t) = f.focused_text() {
                    feed(t, ev);
                } else if let KeyCode::Char(' ') = ev.code {
                    f.cycle_choice(1);
                }
            }
            Dialog::Prioritize(_) => {}
        }
    }

    fn close_prompt_keeping_draft(&mut self) {
        if let Overlay::Dialog(Dialog::Prompt(p)) = &self.overlay {
            let text = p.text();
            let prefill = match p.purpose {
                PromptFor::Set(f) => f.get(&p.seen).unwrap_or_default(),
                PromptFor::Resolve => p.seen.resolution.clone().unwrap_or_default(),
                _ => String::new(),
            };
            if !text.trim().is_empty() && text != prefill && text != self.me() {
                self.drafts.prompts.insert(p.draft_key(), text);
                self.drafts_changed();
                self.info("draft kept — reopen the same dialog to continue it");
            }
        }
        self.overlay = Overlay::None;
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
        match &mut self.overlay {
            Overlay::Dialog(Dialog::Prompt(p)) => p.input = text_input(&text, p.multiline),
            Overlay::Dialog(Dialog::Form(f)) => f.description = text_input(&text, true),
            _ => {}
        }
    }

    fn choose(&mut self) {
        let Overlay::Dialog(Dialog::Picker(p)) = &self.overlay else {
            return;
        };
        let Some(item) = p.items.get(p.selected) else {
            return;
        };
        let (purpose, value, inc) = (p.purpose, item.value.clone(), p.seen.clone());
        let id = inc.id;
        self.overlay = Overlay::None;
        match purpose {
            PickFor::Status => {
                let Ok(target) = value.parse::<Status>() else {
                    return;
                };
                let finished = matches!(
                    inc.status,
                    Status::Resolved | Status::Closed | Status::Cancelled
                );
                let r = match target {
                    Status::Resolved => return self.open_prompt(inc, PromptFor::Resolve),
                    Status::Cancelled => return self.open_prompt(inc, PromptFor::Cancel),
                    Status::Acknowledged => self.ctx().acknowledge(id, Some(inc.status)),
                    Status::Investigating if finished => {
                        self.ctx()
                            .transition(id, &Transition::Reopen, Some(inc.status))
                    }
                    s => self
                        .ctx()
                        .transition(id, &Transition::To(s), Some(inc.status)),
                };
                self.after_write(r.map(|i| format!("{id} is now {}", i.status)));
            }
            PickFor::Severity | PickFor::Category => {
                let field = if purpose == PickFor::Severity {
                    Field::Severity
                } else {
                    Field::Category
                };
                let r = self
                    .ctx()
                    .set(id, &[Edit::new(field, value).seen(&inc)], None);
                self.after_write(r.map(|i| {
                    format!(
                        "{id} {} is now {}",
                        field.name(),
                        field.get(&i).unwrap_or_else(|| "—".into())
                    )
                }));
            }
            PickFor::Role => {
                if let Ok(f) = value.parse::<Field>() {
                    self.open_prompt(inc, PromptFor::Set(f));
                }
            }
            PickFor::PmStatus => {
                let r = value
                    .parse::<crate::domain::PmStatus>()
                    .map_err(crate::error::Error::from)
                    .and_then(|st| self.ctx().set_pm_status(id, st))
                    .map(|p| format!("{id} postmortem is {}", p.status));
                self.after_write(r);
            }
        }
    }

    fn save_priority(&mut self) {
        let Overlay::Dialog(Dialog::Prioritize(p)) = &self.overlay else {
            return;
        };
        let (id, inc) = (p.target, p.seen.clone());
        let edits = [
            Edit::new(Field::Impact, p.impact.as_str()).seen(&inc),
            Edit::new(Field::Urgency, p.urgency.as_str()).seen(&inc),
        ];
        match self.ctx().set(id, &edits, None) {
            Ok(i) => {
                self.overlay = Overlay::None;
                self.after_write(Ok(format!(
                    "{id} impact {} × urgency {} → {}",
                    i.impact, i.urgency, i.priority
                )));
            }
            Err(e) => {
                let fresh = matches!(e, Error::Conflict(_))
                    .then(|| self.store.get(id).ok())
                    .flatten();
                if let Overlay::Dialog(Dialog::Prioritize(p)) = &mut self.overlay {
                    p.error = Some(match &fresh {
                        Some(_) => format!("{e} — enter again keeps yours, esc keeps theirs"),
                        None => e.to_string(),
                    });
                    if let Some(f) = fresh {
                        p.seen = f;
                    }
                }
            }
        }
    }

    fn save_prompt(&mut self) {
        let Overlay::Dialog(Dialog::Prompt(p)) = &self.overlay else {
            return;
        };
        let (id, text, purpose, inc) = (p.target, p.text(), p.purpose, p.seen.clone());
        let key = p.draft_key();
        let r: crate::error::Result<String> = match purpose {
            PromptFor::Note => self
                .ctx()
                .note(id, &text)
                .map(|_| format!("note added to {id}")),
            PromptFor::Resolve => self
                .ctx()
                .transition(
                    id,
                    &Transition::Resolve {
                        summary: text.clone(),
                    },
                    Some(inc.status),
                )
                .map(|_| format!("{id} resolved")),
            PromptFor::Cancel => self
                .ctx()
                .transition(
                    id,
                    &Transition::Cancel {
                        reason: text.clone(),
                    },
                    Some(inc.status),
                )
                .map(|_| format!("{id} cancelled")),
            PromptFor::Set(f) => self
                .ctx()
                .set(id, &[Edit::new(f, text.clone()).seen(&inc)], None)
                .map(|i| {
                    let v = f.get(&i).unwrap_or_else(|| "—".into());
                    format!(
                        "{id} {} is now {}",
                        f.name(),
                        crate::text::truncate(&crate::text::sanitize_line(&v), 50)
                    )
                }),
            p if p.is_postmortem() => self.save_pm_prompt(id, p, &text),
            _ => unreachable!("every prompt purpose is handled above"),
        };
        match r {
            Ok(msg) => {
                self.drafts.prompts.remove(&key);
                self.drafts_changed();
                self.overlay = Overlay::None;
                self.after_write(Ok(msg));
            }
            Err(e) => {
                // Keep the text (also on disk) and say why.
                if !text.trim().is_empty() {
                    self.drafts.prompts.insert(key, text);
                    self.drafts_changed();
                }
                let conflict = matches!(e, Error::Conflict(_));
                let fresh = if conflict {
                    self.store.get(id).ok()
                } else {
                    None
                };
                if let Overlay::Dialog(Dialog::Prompt(p)) = &mut self.overlay {
                    p.error = Some(e.to_string());
                    if let Some(fresh) = fresh {
                        // Saving again now means "keep mine" over theirs.
                        p.seen = fresh;
                        p.stale = Some("ctrl-s again keeps yours over theirs · esc keeps theirs (your text stays a draft)".into());
                    }
                }
            }
        }
    }

    fn save_form(&mut self) {
        let Overlay::Dialog(Dialog::Form(f)) = &self.overlay else {
            return;
        };
        let new = NewIncident {
            title: text_of(&f.title),
            description: text_of(&f.description),
            kind: Some(f.kind),
            severity: Some(f.severity),
            impact: Some(f.impact),
            urgency: Some(f.urgency),
            category: f.category_name().map(str::to_string),
            service: Some(text_of(&f.service)).filter(|s| !s.trim().is_empty()),
            ..Default::default()
        };
        match self.ctx().create(&new) {
            Ok(inc) => {
                self.drafts.new_incident = None;
                self.drafts_changed();
                self.overlay = Overlay::None;
                self.after_write(Ok(format!(
                    "{} logged as {} {}",
                    inc.id, inc.severity, inc.priority
                )));
                if !self.select_id(inc.id) {
                    self.info(format!(
                        "{} logged — not shown with the current filters (0 clears them)",
                        inc.id
                    ));
                }
            }
            Err(e) => {
                let draft = f.draft();
                self.drafts.new_incident = Some(draft);
                self.drafts_changed();
                if let Overlay::Dialog(Dialog::Form(f)) = &mut self.overlay {
                    if e.field() == Some(Field::Title) {
                        f.focus = FormField::Title;
                    }
                    f.error = Some(e.to_string());
                }
            }
        }
    }
}

impl App {
    fn save_action_form(&mut self) {
        let Overlay::Dialog(Dialog::ActionForm(f)) = &self.overlay else {
            return;
        };
        let (description, owner, due) =
            (text_of(&f.description), text_of(&f.owner), text_of(&f.due));
        let (key, draft) = (f.draft_key(), f.draft());
        let r = match f.editing {
            None => self
                .ctx()
                .add_action(
                    f.incident,
                    &crate::ops::NewAction {
                        description,
                        kind: Some(f.kind),
                        owner: Some(owner),
                        due: Some(due),
                    },
                )
                .map(|a| format!("{} added to {}", a.id, a.incident)),
            Some(id) => {
                use crate::ops::ActionEdit;
                let edits = [
                    ActionEdit::Description(description),
                    ActionEdit::Kind(f.kind),
                    ActionEdit::Owner(owner),
                    ActionEdit::Due(due),
                    ActionEdit::Status(f.status),
                ];
                self.ctx()
                    .edit_action(id, &edits)
                    .map(|a| format!("{} saved", a.id))
            }
        };
        match r {
            Ok(msg) => {
                self.drafts.actions.remove(&key);
                self.drafts_changed();
                self.overlay = Overlay::None;
                self.after_write(Ok(msg));
            }
            Err(e) => {
                // Keep what was typed (also on disk) and say why.
                self.drafts.actions.insert(key, draft);
                self.drafts_changed();
                if let Overlay::Dialog(Dialog::ActionForm(f)) = &mut self.overlay {
                    f.error = Some(e.to_string());
                }
            }
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
