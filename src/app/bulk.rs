//! Several incidents at once: marks (space marks and moves down, `*`
//! marks every incident in view, Esc clears them), and, while there are
//! marks, the workflow verbs on the whole marked set. The person answers
//! one question that says how many; a note, resolution, reason or name is
//! typed once and applied to each. Each incident is its own change (its
//! own transaction and timeline events), run through the same single
//! operations as one incident; the status line says how many changed and
//! why the others were refused, and the refused stay marked.

use super::dialog::{Dialog, PickFor, PickItem, Picker, Prompt, PromptFor, text_input};
use super::run::{Done, Op};
use super::view::Confirm;
use super::{App, Outcome, View};
use crate::domain::{Field, Incident, IncidentId, Needs, Status, StatusMove};
use crate::error::Error;
use crate::keymap::{Action, Mode};
use crate::ops::Edit;

/// A verb for every marked incident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BulkOp {
    Acknowledge,
    /// To a status, with the summary or reason it needs.
    Move {
        to: Status,
        text: Option<String>,
    },
    Assign(String),
    Note(String),
    /// Merge each into this incident.
    Merge {
        into: IncidentId,
    },
}

impl BulkOp {
    /// What happened to those that succeeded: "180 acknowledged".
    fn done(&self) -> String {
        match self {
            BulkOp::Acknowledge => "acknowledged".into(),
            BulkOp::Move {
                to: Status::Resolved,
                ..
            } => "resolved".into(),
            BulkOp::Move {
                to: Status::Cancelled,
                ..
            } => "cancelled".into(),
            BulkOp::Move { to, .. } => format!("moved to {to}"),
            BulkOp::Assign(who) => format!("assigned to {}", crate::text::sanitize_line(who)),
            BulkOp::Note(_) => "noted".into(),
            BulkOp::Merge { into } => format!("merged into {into}"),
        }
    }

    /// The question: "Acknowledge 180 incidents?"
    fn question(&self, n: usize) -> String {
        let them = if n == 1 {
            "1 incident".to_string()
        } else {
            format!("{n} incidents")
        };
        match self {
            BulkOp::Acknowledge => format!("Acknowledge {them}?"),
            BulkOp::Move {
                to: Status::Resolved,
                ..
            } => format!("Resolve {them}?"),
            BulkOp::Move {
                to: Status::Cancelled,
                ..
            } => format!("Cancel {them}?"),
            BulkOp::Move { to, .. } => format!("Move {them} to {to}?"),
            BulkOp::Assign(who) => {
                format!("Assign {them} to {}?", crate::text::sanitize_line(who))
            }
            BulkOp::Note(_) => format!("Add this note to {them}?"),
            BulkOp::Merge { into } => format!("Merge {them} into {into}?"),
        }
    }
}

impl App {
    /// Mark, mark all, merge (keys on the list and the details).
    pub(super) fn mark_key(&mut self, a: Action) -> Outcome {
        match a {
            Action::Mark => {
                let Some(id) = self.list.selected_id() else {
                    self.error("no incident here to mark");
                    return Outcome::Stay;
                };
                if !self.marks.remove(&id) {
                    self.marks.insert(id);
                }
                self.move_selection(1);
                self.say_marks();
            }
            Action::MarkAll => {
                let view = self.list.ids.clone();
                if !view.is_empty() && view.iter().all(|id| self.marks.contains(id)) {
                    for id in &view {
                        self.marks.remove(id);
                    }
                    self.info(format!("{} unmarked", view.len()));
                } else {
                    self.marks.extend(view);
                    self.say_marks();
                }
            }
            Action::Merge => return self.merge_marked(),
            _ => {}
        }
        Outcome::Stay
    }

    /// Esc with marks: clear them (Esc keeps its other meanings otherwise).
    pub(super) fn clear_marks(&mut self) {
        let n = self.marks.len();
        self.marks.clear();
        self.info(format!("{n} marks cleared"));
    }

    /// How many are marked, and the keys that act on them (short enough
    /// for the status line at 80 columns).
    fn say_marks(&mut self) {
        let k = |a| self.key(Mode::Normal, a);
        let (ack, back) = (k(Action::Acknowledge), k(Action::Back));
        let hidden = self.marked_out_of_view();
        let more = if hidden > 0 {
            format!(" ({hidden} not in view)")
        } else {
            String::new()
        };
        let n = self.marks.len();
        self.info(format!(
            "{n} marked{more} · {ack} and the other verbs act on all · {back} clears"
        ));
    }

    /// Marked incidents the list does not show now (one pass over the
    /// view: it may hold 100k ids).
    fn marked_out_of_view(&self) -> usize {
        let shown = self
            .list
            .ids
            .iter()
            .filter(|id| self.marks.contains(id))
            .count();
        self.marks.len() - shown
    }

    /// The marked incidents in list order (those out of view last).
    fn marked_ids(&self) -> Vec<IncidentId> {
        let mut out: Vec<IncidentId> = self
            .list
            .ids
            .iter()
            .filter(|id| self.marks.contains(id))
            .copied()
            .collect();
        let shown: std::collections::HashSet<IncidentId> = out.iter().copied().collect();
        out.extend(self.marks.iter().filter(|id| !shown.contains(id)));
        out
    }

    /// A workflow verb while there are marks: on all of them.
    pub(super) fn bulk_action(&mut self, a: Action) -> Outcome {
        let ids = self.marked_ids();
        match a {
            Action::Acknowledge => self.ask(BulkOp::Acknowledge, ids),
            Action::Resolve => self.bulk_prompt(PromptFor::Resolve, ids),
            Action::AddNote => self.bulk_prompt(PromptFor::Note, ids),
            Action::Assign => self.bulk_prompt(PromptFor::Set(Field::Assignee), ids),
            Action::ChangeStatus => self.bulk_status_picker(ids),
            _ => {
                let back = self.key(Mode::Normal, Action::Back);
                self.error(format!(
                    "that changes one incident at a time: {back} clears the {} marks first",
                    ids.len()
                ));
                Outcome::Stay
            }
        }
    }

    /// The one question before a bulk change.
    fn ask(&mut self, what: BulkOp, ids: Vec<IncidentId>) -> Outcome {
        let (y, n) = (
            self.key(Mode::Confirm, Action::Accept),
            self.key(Mode::Confirm, Action::Cancel),
        );
        let hidden = self.marked_out_of_view();
        let hidden = if hidden > 0 {
            format!(" {hidden} of them are not in this view.")
        } else {
            String::new()
        };
        let what_happens = match &what {
            BulkOp::Merge { into } => format!(
                "{} end cancelled as duplicates of {into}; their timelines stay, their alerts move to {into}.",
                list_refs(&ids)
            ),
            _ => format!(
                "Each is its own change on its own timeline: {}.",
                list_refs(&ids)
            ),
        };
        Outcome::Push(View::Confirm(Box::new(Confirm {
            title: what.question(ids.len()),
            text: format!("{what_happens}{hidden} {y} goes ahead, {n} leaves them"),
            yes: Op::Bulk { ids, what },
        })))
    }

    /// The incident a bulk dialog is opened over (the one under the
    /// cursor, else the first marked), for the dialog's frame.
    fn anchor(&mut self, ids: &[IncidentId]) -> Option<Incident> {
        let id = self.list.selected_id().or(ids.first().copied())?;
        self.report(self.store.get(id))
    }

    /// The text a bulk verb needs, typed once (a kept draft comes back).
    fn bulk_prompt(&mut self, purpose: PromptFor, ids: Vec<IncidentId>) -> Outcome {
        let Some(inc) = self.anchor(&ids) else {
            return Outcome::Stay;
        };
        let n = ids.len();
        let (title, hint, multiline, prefill) = match purpose {
            PromptFor::Note => (
                format!("Add a note to {n} incidents"),
                "typed once, added to each".to_string(),
                true,
                String::new(),
            ),
            PromptFor::Resolve => (
                format!("Resolve {n} incidents: what fixed it?"),
                "one summary for all of them".to_string(),
                true,
                String::new(),
            ),
            PromptFor::Cancel => (
                format!("Cancel {n} incidents: why are they not incidents?"),
                "one reason for all of them".to_string(),
                false,
                String::new(),
            ),
            _ => (
                format!("Assign {n} incidents to"),
                format!(
                    "a login name; {} completes a known name",
                    self.key(Mode::Dialog, Action::NextField)
                ),
                false,
                self.me().to_string(),
            ),
        };
        let hint = if multiline {
            format!(
                "{hint} · {} saves · {} $EDITOR · enter newline",
                self.key(Mode::Dialog, Action::Save),
                self.key(Mode::Dialog, Action::ExternalEditor)
            )
        } else {
            hint
        };
        let mut p = Prompt {
            title,
            hint,
            input: text_input(&prefill, multiline),
            multiline,
            purpose,
            target: inc.id,
            seen: inc,
            prefill: prefill.clone(),
            stale: None,
            error: None,
            bulk: ids,
        };
        match self.drafts.prompts.get(&p.draft_key()).cloned() {
            Some(d) => {
                p.input = text_input(&d, multiline);
                let x = self.key(Mode::Dialog, Action::Discard);
                self.info(format!("your unsaved draft is back — {x} discards it"));
            }
            // The first character typed replaces your name; Tab keeps it.
            None if !prefill.is_empty() => p.input.select_all(),
            None => {}
        }
        Outcome::Push(View::Dialog(Dialog::Prompt(Box::new(p))))
    }

    /// The states every marked incident might move to (each one's own
    /// rules decide; those it cannot take are refused and named).
    fn bulk_status_picker(&mut self, ids: Vec<IncidentId>) -> Outcome {
        let Some(inc) = self.anchor(&ids) else {
            return Outcome::Stay;
        };
        let items = Status::ALL
            .iter()
            .filter(|s| **s != Status::Triage)
            .map(|s| PickItem {
                label: s.to_string(),
                detail: StatusMove::to(*s).describe(Status::Triage).into(),
                value: s.to_string(),
            })
            .collect();
        Outcome::Push(View::Dialog(Dialog::Picker(Box::new(Picker {
            title: format!("Move {} marked incidents to", ids.len()),
            items,
            selected: 0,
            purpose: PickFor::Status,
            target: inc.id,
            seen: inc,
            bulk: ids,
        }))))
    }

    /// A state chosen for the marked incidents: ask for the text it needs,
    /// or the question, in the picker's place.
    pub(super) fn choose_bulk(&mut self) -> Outcome {
        let Some(Dialog::Picker(p)) = self.dialog() else {
            return Outcome::Stay;
        };
        let ids = p.bulk.clone();
        let Some(to) = p
            .items
            .get(p.selected)
            .and_then(|i| i.value.parse::<Status>().ok())
        else {
            return Outcome::Pop;
        };
        let next = match StatusMove::to(to) {
            m if m.needs == Needs::Summary => self.bulk_prompt(PromptFor::Resolve, ids),
            m if m.needs == Needs::Reason => self.bulk_prompt(PromptFor::Cancel, ids),
            m if m.acknowledge => self.ask(BulkOp::Acknowledge, ids),
            _ => self.ask(BulkOp::Move { to, text: None }, ids),
        };
        match next {
            Outcome::Push(v) => Outcome::Replace(v),
            o => o,
        }
    }

    /// A bulk prompt saved: the question goes over it, so "no" comes back
    /// to the text.
    pub(super) fn save_bulk_prompt(&mut self) -> Outcome {
        let Some(Dialog::Prompt(p)) = self.dialog() else {
            return Outcome::Stay;
        };
        let (text, purpose, ids) = (p.text(), p.purpose, p.bulk.clone());
        if text.trim().is_empty() {
            let what = match purpose {
                PromptFor::Note => "a note",
                PromptFor::Resolve => "a resolution summary",
                PromptFor::Cancel => "a reason",
                _ => "a login name",
            };
            if let Some(Dialog::Prompt(p)) = self.dialog_mut() {
                p.error = Some(format!("{what} is required"));
            }
            return Outcome::Stay;
        }
        let what = match purpose {
            PromptFor::Note => BulkOp::Note(text),
            PromptFor::Resolve => BulkOp::Move {
                to: Status::Resolved,
                text: Some(text),
            },
            PromptFor::Cancel => BulkOp::Move {
                to: Status::Cancelled,
                text: Some(text),
            },
            _ => {
                if !self.confirmed_person(&text) {
                    return Outcome::Stay;
                }
                BulkOp::Assign(text.trim().to_string())
            }
        };
        self.ask(what, ids)
    }

    /// `J`: merge the marked incidents into the one under the cursor.
    fn merge_marked(&mut self) -> Outcome {
        let (mark, merge) = (
            self.key(Mode::Normal, Action::Mark),
            self.key(Mode::Normal, Action::Merge),
        );
        let Some(into) = self.list.selected_id() else {
            self.error("no incident here to merge into");
            return Outcome::Stay;
        };
        let from: Vec<IncidentId> = self
            .marked_ids()
            .into_iter()
            .filter(|id| *id != into)
            .collect();
        if from.is_empty() {
            self.error(format!(
                "mark the duplicates ({mark}), then {merge} on the incident that stays"
            ));
            return Outcome::Stay;
        }
        if !self.writable() {
            return Outcome::Stay;
        }
        self.ask(BulkOp::Merge { into }, from)
    }

    /// Carry out a bulk change: each incident through the single
    /// operation, one transaction each. A database that went away stops
    /// the run (the rest are not tried).
    pub(super) fn run_bulk(&self, ids: &[IncidentId], what: &BulkOp) -> (Done, Vec<IncidentId>) {
        let mut ok = 0usize;
        let mut refused = Vec::new();
        let mut reasons = Vec::new();
        for (n, id) in ids.iter().copied().enumerate() {
            let r = match what {
                BulkOp::Acknowledge => self.run(&Op::Acknowledge { id, seen: None }).map(drop),
                BulkOp::Move { to, text } => self
                    .run(&Op::Move {
                        id,
                        to: *to,
                        text: text.clone(),
                        seen: None,
                        force: false,
                    })
                    .map(drop),
                BulkOp::Assign(who) => self
                    .run(&Op::Set {
                        id,
                        edits: vec![Edit::new(Field::Assignee, who.clone())],
                    })
                    .map(drop),
                BulkOp::Note(text) => self
                    .run(&Op::Note {
                        id,
                        text: text.clone(),
                    })
                    .map(drop),
                BulkOp::Merge { into } => self.ops().merge(*into, id).map(drop),
            };
            match r {
                Ok(()) => ok += 1,
                Err(e) => {
                    refused.push(id);
                    reasons.push(format!("{id}: {e}"));
                    if matches!(e, Error::Unavailable(_)) {
                        let rest = &ids[n + 1..];
                        if !rest.is_empty() {
                            reasons.push(format!("{} not tried", rest.len()));
                        }
                        refused.extend_from_slice(rest);
                        break;
                    }
                }
            }
        }
        let message = if refused.is_empty() {
            format!("{ok} {}", what.done())
        } else {
            let shown: Vec<&str> = reasons.iter().take(3).map(String::as_str).collect();
            let more = if reasons.len() > 3 { "; …" } else { "" };
            format!(
                "{ok} {}, {} refused ({}{more}) — the refused stay marked",
                what.done(),
                refused.len(),
                shown.join("; ")
            )
        };
        (
            Done {
                message,
                select: None,
            },
            refused,
        )
    }

    /// Run a confirmed bulk change: close the question (and the prompt
    /// under it), run, keep the refused marked, reload, report.
    pub(super) fn run_bulk_op(&mut self, ids: Vec<IncidentId>, what: BulkOp) {
        while matches!(self.top(), View::Confirm(_) | View::Dialog(_)) {
            if matches!(self.top(), View::Dialog(_)) {
                self.forget_dialog_draft();
            }
            self.stack.pop();
        }
        let (done, refused) = self.run_bulk(&ids, &what);
        let failed = !refused.is_empty();
        self.marks = refused.into_iter().collect();
        let r = self.reload();
        self.report(r);
        self.reload_screen();
        if failed {
            self.error(done.message);
        } else {
            self.info(done.message);
        }
    }
}

/// "INC-3, INC-4, INC-5 and 177 more".
fn list_refs(ids: &[IncidentId]) -> String {
    let shown: Vec<String> = ids.iter().take(5).map(|i| i.to_string()).collect();
    match ids.len() {
        n if n > 5 => format!("{} and {} more", shown.join(", "), n - 5),
        _ => shown.join(", "),
    }
}
