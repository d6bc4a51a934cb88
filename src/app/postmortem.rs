//! The postmortem pane and the actions view: state and key handling.

use super::dialog::{
    ActionForm, Dialog, PickFor, PickItem, Picker, Prompt, PromptFor, draft_key, text_input,
};
use super::run::Op;
use super::view::HelpView;
use super::{App, Outcome, View};
use crate::domain::{
    ActionItem, ActionStatus, IncidentId, Mark, PmStatus, Section, timeline_worthy,
};
use crate::error::Result;
use crate::keymap::{Action, Mode};
use crate::ops::PostmortemView;
use crate::store::ActionQuery;

/// One entry of the pane's left column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PmEntry {
    Overview,
    Section(&'static Section),
    Timeline,
    Actions,
}

impl PmEntry {
    pub fn label(self) -> &'static str {
        match self {
            PmEntry::Overview => "Overview",
            PmEntry::Section(s) => s.title,
            PmEntry::Timeline => "Timeline",
            PmEntry::Actions => "Action items",
        }
    }
}

pub struct PmPane {
    pub view: PostmortemView,
    pub entries: Vec<PmEntry>,
    pub selected: usize,
    /// Cursor inside the timeline or the action items.
    pub item: usize,
}

impl PmPane {
    pub fn entry(&self) -> PmEntry {
        self.entries
            .get(self.selected)
            .copied()
            .unwrap_or(PmEntry::Overview)
    }

    /// Timeline events the postmortem shows (hidden ones included, marked).
    pub fn timeline(&self) -> Vec<&crate::domain::Event> {
        self.view
            .events
            .iter()
            .filter(|e| timeline_worthy(e))
            .collect()
    }

    fn items_len(&self) -> usize {
        match self.entry() {
            PmEntry::Timeline => self.timeline().len(),
            PmEntry::Actions => self.view.actions.len(),
            _ => 0,
        }
    }

    pub fn selected_action(&self) -> Option<&ActionItem> {
        (self.entry() == PmEntry::Actions)
            .then(|| self.view.actions.get(self.item))
            .flatten()
    }
}

/// Which action items the actions view lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ActionFilter {
    #[default]
    Open,
    Overdue,
    Mine,
    All,
}

impl ActionFilter {
    pub fn label(self) -> &'static str {
        match self {
            ActionFilter::Open => "open",
            ActionFilter::Overdue => "overdue",
            ActionFilter::Mine => "mine (open)",
            ActionFilter::All => "all",
        }
    }
}

#[derive(Default)]
pub struct ActionsView {
    pub filter: ActionFilter,
    pub items: Vec<ActionItem>,
    pub selected: usize,
}

impl App {
    pub(super) fn open_postmortem(&mut self, id: IncidentId) -> Outcome {
        let r = self.postmortem_view(id);
        let Some(view) = self.report(r) else {
            return Outcome::Stay;
        };
        let mut entries = vec![PmEntry::Overview];
        entries.extend(
            self.config
                .postmortem
                .sections_for(view.incident.kind)
                .into_iter()
                .map(PmEntry::Section),
        );
        // Sections written earlier but outside this kind's template stay visible.
        for s in crate::domain::SECTIONS {
            if view.postmortem.text(s.key).is_some() && !entries.contains(&PmEntry::Section(s)) {
                entries.push(PmEntry::Section(s));
            }
        }
        entries.extend([PmEntry::Timeline, PmEntry::Actions]);
        Outcome::Push(View::Postmortem(Box::new(PmPane {
            view,
            entries,
            selected: 0,
            item: 0,
        })))
    }

    /// Reload every postmortem pane and actions view on the stack.
    pub(super) fn reload_screen(&mut self) {
        let today = self.today();
        let me = self.me().to_string();
        let mut errors = Vec::new();
        for i in 0..self.stack.len() {
            match &self.stack[i] {
                View::Postmortem(p) => {
                    let id = p.view.incident.id;
                    match self.postmortem_view(id) {
                        Ok(v) => {
                            if let View::Postmortem(p) = &mut self.stack[i] {
                                p.view = v;
                                p.item = p.item.min(p.items_len().saturating_sub(1));
                            }
                        }
                        Err(e) => errors.push(e.to_string()),
                    }
                }
                View::Actions(v) => {
                    let q = match v.filter {
                        ActionFilter::Open => ActionQuery {
                            open_only: true,
                            ..Default::default()
                        },
                        ActionFilter::Overdue => ActionQuery {
                            overdue_on: Some(today),
                            ..Default::default()
                        },
                        ActionFilter::Mine => ActionQuery {
                            open_only: true,
                            owner: Some(me.clone()),
                            ..Default::default()
                        },
                        ActionFilter::All => ActionQuery::default(),
                    };
                    match self.store.actions(&q) {
                        Ok(items) => {
                            if let View::Actions(v) = &mut self.stack[i] {
                                v.selected = v.selected.min(items.len().saturating_sub(1));
                                v.items = items;
                            }
                        }
                        Err(e) => errors.push(e.to_string()),
                    }
                }
                _ => {}
            }
        }
        if let Some(e) = errors.pop() {
            self.error(e);
        }
        if matches!(self.top(), View::Metrics(_)) {
            self.refresh_metrics();
        }
    }

    pub(super) fn open_actions(&mut self) -> Outcome {
        self.stack.push(View::Actions(ActionsView::default()));
        self.reload_screen();
        Outcome::Stay
    }

    pub(super) fn postmortem_key(&mut self, a: Action) -> Outcome {
        let changes = matches!(
            a,
            Action::Edit
                | Action::Annotate
                | Action::SetOwner
                | Action::ChangeStatus
                | Action::AddAction
                | Action::ActionDone
                | Action::ToggleHighlight
                | Action::ToggleHidden
        );
        if changes && !self.writable() {
            return Outcome::Stay;
        }
        let next_item = self.key(Mode::Postmortem, Action::NextItem);
        let Some(View::Postmortem(p)) = self.stack.last_mut() else {
            return Outcome::Stay;
        };
        let id = p.view.incident.id;
        let n = p.entries.len();
        match a {
            Action::Down => {
                p.selected = (p.selected + 1).min(n - 1);
                p.item = 0;
            }
            Action::Up => {
                p.selected = p.selected.saturating_sub(1);
                p.item = 0;
            }
            Action::NextItem => p.item = (p.item + 1).min(p.items_len().saturating_sub(1)),
            Action::PrevItem => p.item = p.item.saturating_sub(1),
            Action::Back | Action::Cancel | Action::Quit => return Outcome::Pop,
            Action::Help => return Outcome::Push(View::Help(HelpView::default())),
            Action::OpenActions => return self.open_actions(),
            Action::Edit | Action::Annotate if p.entry() == PmEntry::Timeline => {
                let Some(ev) = p.timeline().get(p.item).map(|e| e.id) else {
                    return Outcome::Stay;
                };
                let current = p
                    .view
                    .marks
                    .get(&ev)
                    .and_then(|m| m.annotation.clone())
                    .unwrap_or_default();
                let inc = p.view.incident.clone();
                return self.prompt_view(
                    inc,
                    PromptFor::Annotate(ev),
                    "Annotate the timeline entry",
                    "a note for reviewers; the entry itself never changes",
                    false,
                    current,
                );
            }
            Action::Edit => match p.entry() {
                PmEntry::Section(s) => {
                    let text = p.view.postmortem.text(s.key).unwrap_or("").to_string();
                    let inc = p.view.incident.clone();
                    let (title, hint) = (s.title.to_string(), s.hint.to_string());
                    return self.text_prompt(
                        inc,
                        PromptFor::Section(s.key),
                        &title,
                        &hint,
                        true,
                        text,
                    );
                }
                PmEntry::Actions => {
                    let form = match p.selected_action() {
                        Some(item) => ActionForm::edit(item),
                        None => ActionForm::new(id),
                    };
                    return self.action_form(form);
                }
                PmEntry::Overview => return self.postmortem_key(Action::SetOwner),
                PmEntry::Timeline => {}
            },
            Action::SetOwner => {
                let me = crate::identity::login_of(&self.actor).to_string();
                let current = p.view.postmortem.owner.clone().unwrap_or(me);
                let inc = p.view.incident.clone();
                return self.prompt_view(
                    inc,
                    PromptFor::PmOwner,
                    "Postmortem owner",
                    "a login name; - clears",
                    false,
                    current,
                );
            }
            Action::ChangeStatus => {
                let current = p.view.postmortem.status;
                let inc = p.view.incident.clone();
                let items = PmStatus::ALL
                    .iter()
                    .map(|s| PickItem {
                        label: s.to_string(),
                        detail: match s {
                            PmStatus::Draft => "being written",
                            PmStatus::InReview => "ready for reviewers",
                            PmStatus::Published => "final: needed to close SEV1/SEV2 incidents",
                        }
                        .into(),
                        value: s.to_string(),
                    })
                    .collect();
                let selected = PmStatus::ALL
                    .iter()
                    .position(|s| *s == current)
                    .unwrap_or(0);
                return Outcome::Push(View::Dialog(Dialog::Picker(Box::new(Picker {
                    title: format!("Postmortem status — {id}"),
                    items,
                    selected,
                    purpose: PickFor::PmStatus,
                    target: id,
                    seen: inc,
                    bulk: Vec::new(),
                }))));
            }
            Action::AddAction => return self.action_form(ActionForm::new(id)),
            Action::ActionDone => {
                let Some(item) = p.selected_action().map(|a| a.id) else {
                    self.error(format!(
                        "select an action item first (Action items, then {next_item})"
                    ));
                    return Outcome::Stay;
                };
                return Outcome::Run(Op::ActionDone(item));
            }
            Action::ToggleHighlight | Action::ToggleHidden if p.entry() == PmEntry::Timeline => {
                let Some(ev) = p.timeline().get(p.item).map(|e| e.id) else {
                    return Outcome::Stay;
                };
                let mut mark = p.view.marks.get(&ev).cloned().unwrap_or_default();
                if a == Action::ToggleHighlight {
                    mark.highlight = !mark.highlight;
                } else {
                    mark.hidden = !mark.hidden;
                }
                return Outcome::Run(Op::Mark {
                    id,
                    event: ev,
                    mark,
                });
            }
            Action::ToggleHighlight | Action::ToggleHidden | Action::Annotate => self.error(
                format!("select the Timeline and an entry ({next_item}) first"),
            ),
            Action::Export => {
                let view = &p.view;
                let path = std::path::PathBuf::from(format!("{}-postmortem.md", view.incident.id));
                let r = crate::export::markdown(view, &self.config).and_then(|md| {
                    std::fs::write(&path, md).map_err(|e| {
                        crate::error::Error::Usage(format!("cannot write {}: {e}", path.display()))
                    })
                });
                let cwd = std::env::current_dir().unwrap_or_default();
                match r {
                    Ok(()) => self.info(format!("wrote {}", cwd.join(&path).display())),
                    Err(e) => self.error(e.to_string()),
                }
            }
            _ => {}
        }
        Outcome::Stay
    }

    pub(super) fn actions_key(&mut self, a: Action) -> Outcome {
        if matches!(a, Action::ActionDone | Action::Edit) && !self.writable() {
            return Outcome::Stay;
        }
        let Some(View::Actions(v)) = self.stack.last_mut() else {
            return Outcome::Stay;
        };
        let n = v.items.len();
        match a {
            Action::Down => v.selected = (v.selected + 1).min(n.saturating_sub(1)),
            Action::Up => v.selected = v.selected.saturating_sub(1),
            Action::Top => v.selected = 0,
            Action::Bottom => v.selected = n.saturating_sub(1),
            Action::CycleActionFilter => {
                v.filter = match v.filter {
                    ActionFilter::Open => ActionFilter::Overdue,
                    ActionFilter::Overdue => ActionFilter::Mine,
                    ActionFilter::Mine => ActionFilter::All,
                    ActionFilter::All => ActionFilter::Open,
                };
                v.selected = 0;
                self.reload_screen();
            }
            Action::ActionDone => {
                if let Some(item) = v.items.get(v.selected).map(|i| i.id) {
                    return Outcome::Run(Op::ActionDone(item));
                }
            }
            Action::Edit => {
                if let Some(form) = v.items.get(v.selected).map(ActionForm::edit) {
                    return self.action_form(form);
                }
            }
            Action::OpenPostmortem => {
                if let Some(inc) = v.items.get(v.selected).map(|i| i.incident) {
                    let mut o = self.open_postmortem(inc);
                    if let Outcome::Push(View::Postmortem(p)) = &mut o {
                        p.selected = p
                            .entries
                            .iter()
                            .position(|e| *e == PmEntry::Actions)
                            .unwrap_or(0);
                    }
                    return o;
                }
            }
            Action::Back | Action::Cancel | Action::Quit => return Outcome::Pop,
            Action::Help => return Outcome::Push(View::Help(HelpView::default())),
            _ => {}
        }
        Outcome::Stay
    }

    /// What a postmortem prompt asks to run.
    pub(super) fn pm_prompt_op(
        &mut self,
        id: IncidentId,
        purpose: PromptFor,
        text: &str,
    ) -> Result<Op> {
        Ok(match purpose {
            PromptFor::Section(key) => Op::Section {
                id,
                key,
                text: text.to_string(),
            },
            PromptFor::PmOwner => Op::PmOwner {
                id,
                owner: text.to_string(),
            },
            PromptFor::Annotate(ev) => {
                let mut mark = self
                    .store
                    .marks(id)?
                    .remove(&ev)
                    .unwrap_or_else(Mark::default);
                mark.annotation = Some(text.trim().to_string()).filter(|t| !t.is_empty());
                Op::Mark {
                    id,
                    event: ev,
                    mark,
                }
            }
            _ => {
                return Err(crate::error::Error::Internal(
                    "not a postmortem prompt".into(),
                ));
            }
        })
    }

    /// Open an action-item form; a draft kept for it comes back.
    pub(super) fn action_form(&mut self, mut form: ActionForm) -> Outcome {
        if let Some(d) = self.drafts.actions.get(&form.draft_key()) {
            form.restore(d);
            let x = self.key(Mode::Dialog, Action::Discard);
            self.info(format!("your unsaved draft is back — {x} discards it"));
        }
        Outcome::Push(View::Dialog(Dialog::ActionForm(Box::new(form))))
    }

    /// A prompt with a title and prefilled text (drafts win over prefill).
    pub(super) fn prompt_view(
        &mut self,
        inc: crate::domain::Incident,
        purpose: PromptFor,
        title: &str,
        hint: &str,
        multiline: bool,
        prefill: String,
    ) -> Outcome {
        let key = draft_key(inc.id, purpose);
        let draft = self.drafts.prompts.get(&key).cloned();
        if draft.is_some() {
            let x = self.key(Mode::Dialog, Action::Discard);
            self.info(format!("your unsaved draft is back — {x} discards it"));
        }
        let fresh = draft.is_none();
        let text = draft.unwrap_or_else(|| prefill.clone());
        let mut input = text_input(&text, multiline);
        let people = matches!(
            purpose,
            PromptFor::Set(
                crate::domain::Field::Assignee
                    | crate::domain::Field::Commander
                    | crate::domain::Field::Scribe
                    | crate::domain::Field::Comms
            ) | PromptFor::PmOwner
        );
        if fresh && people && !text.is_empty() {
            // Like a selected field: the first character typed replaces the
            // current name; Tab or an arrow keeps it.
            input.select_all();
        }
        if fresh && purpose == PromptFor::Update {
            // Where the writing starts: after "Impact: ".
            let col = text.lines().nth(1).map_or(0, |l| l.chars().count());
            input.move_cursor(ratatui_textarea::CursorMove::Jump(1, col as u16));
        }
        Outcome::Push(View::Dialog(Dialog::Prompt(Box::new(Prompt {
            title: format!("{title} — {}", inc.id),
            hint: hint.to_string(),
            input,
            multiline,
            purpose,
            target: inc.id,
            seen: inc,
            prefill,
            stale: None,
            error: None,
            bulk: Vec::new(),
        }))))
    }
}

/// Open action items past due, for the overview.
pub fn overdue_count(items: &[ActionItem], today: chrono::NaiveDate) -> usize {
    items
        .iter()
        .filter(|a| a.overdue(today) && a.status != ActionStatus::Done)
        .count()
}
