//! What a dialog does when it is saved or fails: the operation it asks
//! for, the draft it keeps or drops, and how an error shows in it.

use super::dialog::{Dialog, FormField, PickFor, PromptFor, text_of};
use super::run::Op;
use super::{App, Outcome};
use crate::domain::{Field, NewIncident, Status};
use crate::error::Error;
use crate::keymap::{Action, Mode};
use crate::ops::Edit;

impl App {
    pub(super) fn choose(&mut self) -> Outcome {
        let Some(Dialog::Picker(p)) = self.dialog() else {
            return Outcome::Stay;
        };
        if !p.bulk.is_empty() {
            return self.choose_bulk();
        }
        let Some(item) = p.items.get(p.selected) else {
            return Outcome::Stay;
        };
        let (purpose, value, inc) = (p.purpose, item.value.clone(), p.seen.clone());
        let id = inc.id;
        match purpose {
            PickFor::Status => {
                let Ok(to) = value.parse::<Status>() else {
                    return Outcome::Pop;
                };
                match self.move_to(inc, to, None) {
                    // A move that needs text replaces the picker with its prompt.
                    Outcome::Push(v) => Outcome::Replace(v),
                    o => o,
                }
            }
            PickFor::Severity | PickFor::Category => {
                let field = if purpose == PickFor::Severity {
                    Field::Severity
                } else {
                    Field::Category
                };
                Outcome::Run(Op::Set {
                    id,
                    edits: vec![Edit::new(field, value).seen(&inc)],
                })
            }
            PickFor::Role => match value.parse::<Field>() {
                Ok(f) => match self.prompt(inc, PromptFor::Set(f)) {
                    Outcome::Push(v) => Outcome::Replace(v),
                    o => o,
                },
                Err(_) => Outcome::Pop,
            },
            PickFor::PmStatus => match value.parse::<crate::domain::PmStatus>() {
                Ok(status) => Outcome::Run(Op::PmStatus { id, status }),
                Err(e) => {
                    self.error(e.to_string());
                    Outcome::Pop
                }
            },
        }
    }

    pub(super) fn save_prompt(&mut self) -> Outcome {
        let Some(Dialog::Prompt(p)) = self.dialog() else {
            return Outcome::Stay;
        };
        if !p.bulk.is_empty() {
            return self.save_bulk_prompt();
        }
        let (id, text, purpose, inc) = (p.target, p.text(), p.purpose, p.seen.clone());
        let op = match purpose {
            PromptFor::Note => Op::Note { id, text },
            PromptFor::Update => match crate::paging::update::parse(&text) {
                Ok(update) => Op::Update { id, update },
                Err(e) => {
                    self.dialog_failed(e);
                    return Outcome::Stay;
                }
            },
            PromptFor::Resolve => Op::Move {
                id,
                to: Status::Resolved,
                text: Some(text),
                seen: Some(inc.status),
                force: false,
            },
            PromptFor::Cancel => Op::Move {
                id,
                to: Status::Cancelled,
                text: Some(text),
                seen: Some(inc.status),
                force: false,
            },
            PromptFor::Set(f) => {
                if matches!(
                    f,
                    Field::Assignee | Field::Commander | Field::Scribe | Field::Comms
                ) && !self.confirmed_person(&text)
                {
                    return Outcome::Stay;
                }
                Op::Set {
                    id,
                    edits: vec![Edit::new(f, text).seen(&inc)],
                }
            }
            p => match self.pm_prompt_op(id, p, &text) {
                Ok(op) => op,
                Err(e) => {
                    self.dialog_failed(e);
                    return Outcome::Stay;
                }
            },
        };
        Outcome::Run(op)
    }

    /// A name never seen in this database is probably a typo: warn once in
    /// the dialog; saving again confirms it.
    pub(super) fn confirmed_person(&mut self, name: &str) -> bool {
        let n = name.trim();
        if n.is_empty() || n == "-" || n == self.me() {
            return true;
        }
        let known = self.store.known_people().unwrap_or_default();
        if known.iter().any(|k| k == n) {
            return true;
        }
        let save = self.key(Mode::Dialog, Action::Accept);
        let warning = format!(
            "nobody called '{}' has worked on any incident here — {save} again to use it anyway",
            crate::text::sanitize_line(n)
        );
        if let Some(Dialog::Prompt(p)) = self.dialog_mut() {
            if p.error.as_deref() == Some(warning.as_str()) {
                return true;
            }
            p.error = Some(warning);
        }
        false
    }

    pub(super) fn save_form(&mut self) -> Outcome {
        let Some(Dialog::Form(f)) = self.dialog() else {
            return Outcome::Stay;
        };
        Outcome::Run(Op::Create(NewIncident {
            title: text_of(&f.title),
            description: text_of(&f.description),
            kind: Some(f.kind),
            severity: Some(f.severity),
            impact: Some(f.impact),
            urgency: Some(f.urgency),
            category: f.category_name().map(str::to_string),
            service: Some(text_of(&f.service)).filter(|s| !s.trim().is_empty()),
            ..Default::default()
        }))
    }

    pub(super) fn save_action_form(&mut self) -> Outcome {
        let Some(Dialog::ActionForm(f)) = self.dialog() else {
            return Outcome::Stay;
        };
        let (description, owner, due) =
            (text_of(&f.description), text_of(&f.owner), text_of(&f.due));
        Outcome::Run(match f.editing {
            None => Op::AddAction {
                id: f.incident,
                new: crate::ops::NewAction {
                    description,
                    kind: Some(f.kind),
                    owner: Some(owner),
                    due: Some(due),
                },
            },
            Some(id) => {
                use crate::ops::ActionEdit;
                Op::EditAction {
                    id,
                    edits: vec![
                        ActionEdit::Description(description),
                        ActionEdit::Kind(f.kind),
                        ActionEdit::Owner(owner),
                        ActionEdit::Due(due),
                        ActionEdit::Status(f.status),
                    ],
                }
            }
        })
    }

    /// The dialog on top saved: its draft is no longer needed.
    pub(super) fn forget_dialog_draft(&mut self) {
        match self.dialog() {
            Some(Dialog::Prompt(p)) => {
                let k = p.draft_key();
                self.drafts.prompts.remove(&k);
            }
            Some(Dialog::Form(_)) => self.drafts.new_incident = None,
            Some(Dialog::ActionForm(f)) => {
                let k = f.draft_key();
                self.drafts.actions.remove(&k);
            }
            _ => return,
        }
        self.drafts_changed();
    }

    /// The dialog on top could not save: keep the text (also on disk) and
    /// say why inside the dialog.
    pub(super) fn dialog_failed(&mut self, e: Error) {
        // A picker holds nothing typed: close it and say why.
        if matches!(self.dialog(), Some(Dialog::Picker(_))) {
            self.stack.pop();
            return self.error(e.to_string());
        }
        let conflict = matches!(e, Error::Conflict(_));
        let fresh = match self.dialog().and_then(|d| d.target()) {
            Some((id, _)) if conflict => self.store.get(id).ok(),
            _ => None,
        };
        let accept = self.key(Mode::Dialog, Action::Accept);
        let save = self.key(Mode::Dialog, Action::Save);
        let cancel = self.key(Mode::Dialog, Action::Cancel);
        let msg = e.to_string();
        let title_refused = e.field() == Some(crate::domain::Field::Title);
        match self.dialog() {
            Some(Dialog::Prompt(p)) if !p.text().trim().is_empty() => {
                let (k, t) = (p.draft_key(), p.text());
                self.drafts.prompts.insert(k, t);
                self.drafts_changed();
            }
            Some(Dialog::Form(f)) => {
                let d = f.draft();
                self.drafts.new_incident = Some(d);
                self.drafts_changed();
            }
            Some(Dialog::ActionForm(f)) => {
                let (k, d) = (f.draft_key(), f.draft());
                self.drafts.actions.insert(k, d);
                self.drafts_changed();
            }
            _ => {}
        }
        match self.dialog_mut() {
            Some(Dialog::Prompt(p)) => {
                p.error = Some(msg);
                if let Some(fresh) = fresh {
                    // Saving again now means "keep mine" over theirs.
                    p.seen = fresh;
                    p.stale = Some(format!(
                        "{save} again keeps yours over theirs · {cancel} keeps theirs (your text stays a draft)"
                    ));
                }
            }
            Some(Dialog::Prioritize(p)) => {
                p.error = Some(match &fresh {
                    Some(_) => format!("{msg} — {accept} again keeps yours, {cancel} keeps theirs"),
                    None => msg,
                });
                if let Some(f) = fresh {
                    p.seen = f;
                }
            }
            Some(Dialog::Form(f)) => {
                if title_refused {
                    f.focus = FormField::Title;
                }
                f.error = Some(msg);
            }
            Some(Dialog::ActionForm(f)) => f.error = Some(msg),
            Some(Dialog::Picker(_)) | None => self.error(msg),
        }
    }
}
