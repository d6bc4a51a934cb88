//! The postmortem pane and the actions view: state and key handling.

use super::dialog::{
    ActionForm, Dialog, PickFor, PickItem, Picker, Prompt, PromptFor, draft_key, text_input,
};
use super::{App, Overlay};
use crate::domain::{
    ActionItem, ActionStatus, IncidentId, Mark, PmStatus, Section, timeline_worthy,
};
use crate::error::Result;
use crate::keymap::Action;
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

/// What fills the body of the screen.
pub enum Screen {
    Incidents,
    Postmortem(Box<PmPane>),
    Actions(ActionsView),
}

impl App {
    pub(super) fn open_postmortem(&mut self, id: IncidentId) {
        let r = self.ctx().postmortem_view(id);
        let Some(view) = self.report(r) else { return };
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
        self.screen = Screen::Postmortem(Box::new(PmPane {
            view,
            entries,
            selected: 0,
            item: 0,
        }));
    }

    /// Reload what the postmortem pane or actions view shows.
    pub(super) fn reload_screen(&mut self) {
        match &mut self.screen {
            Screen::Postmortem(p) => {
                let id = p.view.incident.id;
                match self.ctx_view(id) {
                    Ok(v) => {
                        if let Screen::Postmortem(p) = &mut self.screen {
                            p.view = v;
                            p.item = p.item.min(p.items_len().saturating_sub(1));
                        }
                    }
                    Err(e) => self.error(e.to_string()),
                }
            }
            Screen::Actions(v) => {
                let today = crate::ops::Ctx {
                    store: &self.store,
                    config: &self.config,
                    actor: self.actor.clone(),
                    clock: self.clock.as_ref(),
                }
                .today();
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
                        owner: Some(self.me().to_string()),
                        ..Default::default()
                    },
                    ActionFilter::All => ActionQuery::default(),
                };
                match self.store.actions(&q) {
                    Ok(items) => {
                        if let Screen::Actions(v) = &mut self.screen {
                            v.selected = v.selected.min(items.len().saturating_sub(1));
                            v.items = items;
                        }
                    }
                    Err(e) => self.error(e.to_string()),
                }
            }
            Screen::Incidents => {}
        }
    }

    fn ctx_view(&self, id: IncidentId) -> Result<PostmortemView> {
        self.ctx().postmortem_view(id)
    }

    fn back_to_incidents(&mut self) {
        self.screen = Screen::Incidents;
        let r = self.reload();
        self.report(r);
    }

    pub(super) fn open_actions(&mut self) {
        self.screen = Screen::Actions(ActionsView::default());
        self.reload_screen();
    }

    /// After a postmortem or action write: reload and report.
    fn pm_written(&mut self, r: Result<String>) {
        match r {
            Ok(msg) => {
                self.reload_screen();
                self.info(msg);
            }
            Err(e) => self.error(e.to_string()),
        }
    }

    pub(super) fn postmortem_action(&mut self, a: Action) {
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
            return;
        }
        let Screen::Postmortem(p) = &mut self.screen else {
            return;
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
            Action::Back | Action::Cancel => self.back_to_incidents(),
            Action::Help => self.overlay = Overlay::Help { scroll: 0 },
            Action::Quit => self.quit = true,
            Action::OpenActions => self.open_actions(),
            Action::Edit | Action::Annotate if p.entry() == PmEntry::Timeline => {
                let Some(ev) = p.timeline().get(p.item).map(|e| e.id) else {
                    return;
                };
                let current = p
                    .view
                    .marks
                    .get(&ev)
                    .and_then(|m| m.annotation.clone())
                    .unwrap_or_default();
                let inc = p.view.incident.clone();
                self.show_prompt_text(
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
                    self.show_prompt(inc, PromptFor::Section(s.key), title, hint, true, text);
                }
                PmEntry::Actions => {
                    if let Some(item) = p.selected_action().cloned() {
                        self.open_action_form(ActionForm::edit(&item));
                    } else {
                        self.open_action_form(ActionForm::new(id));
                    }
                }
                PmEntry::Overview => self.postmortem_action(Action::SetOwner),
                PmEntry::Timeline => {}
            },
            Action::SetOwner => {
                let me = crate::identity::login_of(&self.actor).to_string();
                let current = p.view.postmortem.owner.clone().unwrap_or(me);
                let inc = p.view.incident.clone();
                self.show_prompt_text(
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
                self.overlay = Overlay::Dialog(Dialog::Picker(Box::new(Picker {
                    title: format!("Postmortem status — {id}"),
                    items,
                    selected,
                    purpose: PickFor::PmStatus,
                    target: id,
                    seen: inc,
                })));
            }
            Action::AddAction => {
                self.open_action_form(ActionForm::new(id));
            }
            Action::ActionDone => {
                let Some(item) = p.selected_action().map(|a| a.id) else {
                    return self.error("select an action item first (Action items, then J/K)");
                };
                let r = self.ctx().action_done(item).map(|_| format!("{item} done"));
                self.pm_written(r);
            }
            Action::ToggleHighlight | Action::ToggleHidden if p.entry() == PmEntry::Timeline => {
                let Some(ev) = p.timeline().get(p.item).map(|e| e.id) else {
                    return;
                };
                let mut mark = p.view.marks.get(&ev).cloned().unwrap_or_default();
                if a == Action::ToggleHighlight {
                    mark.highlight = !mark.highlight;
                } else {
                    mark.hidden = !mark.hidden;
                }
                let r = self
                    .ctx()
                    .set_mark(id, ev, &mark)
                    .map(|_| "timeline entry marked".to_string());
                self.pm_written(r);
            }
            Action::ToggleHighlight | Action::ToggleHidden | Action::Annotate => {
                self.error("select the Timeline and an entry (J/K) first")
            }
            Action::Export => {
                let view = &p.view;
                let path = std::path::PathBuf::from(format!("{}-postmortem.md", view.incident.id));
                let r = crate::export::markdown(view, &self.config).and_then(|md| {
                    std::fs::write(&path, md).map_err(|e| {
                        crate::error::Error::Usage(format!("cannot write {}: {e}", path.display()))
                    })
                });
                let cwd = std::env::current_dir().unwrap_or_default();
                self.pm_written(r.map(|_| format!("wrote {}", cwd.join(&path).display())));
            }
            _ => {}
        }
    }

    pub(super) fn actions_view_action(&mut self, a: Action) {
        if matches!(a, Action::ActionDone | Action::Edit) && !self.writable() {
            return;
        }
        let Screen::Actions(v) = &mut self.screen else {
            return;
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
                let Some(item) = v.items.get(v.selected).map(|i| i.id) else {
                    return;
                };
                let r = self.ctx().action_done(item).map(|_| format!("{item} done"));
                self.pm_written(r);
            }
            Action::Edit => {
                if let Some(form) = v.items.get(v.selected).map(ActionForm::edit) {
                    self.open_action_form(form);
                }
            }
            Action::OpenPostmortem => {
                if let Some(inc) = v.items.get(v.selected).map(|i| i.incident) {
                    self.open_postmortem(inc);
                    if let Screen::Postmortem(p) = &mut self.screen {
                        p.selected = p
                            .entries
                            .iter()
                            .position(|e| *e == PmEntry::Actions)
                            .unwrap_or(0);
                    }
                }
            }
            Action::Back | Action::Cancel => self.back_to_incidents(),
            Action::Help => self.overlay = Overlay::Help { scroll: 0 },
            Action::Quit => self.quit = true,
            _ => {}
        }
    }

    /// Save what a postmortem prompt holds.
    pub(super) fn save_pm_prompt(
        &mut self,
        id: IncidentId,
        purpose: PromptFor,
        text: &str,
    ) -> Result<String> {
        let cx = self.ctx();
        match purpose {
            PromptFor::Section(key) => cx
                .write_section(id, key, text)
                .map(|(_, done)| done.describe(id, key)),
            PromptFor::PmOwner => cx
                .set_pm_owner(id, text)
                .map(|_| format!("{id} postmortem owner set")),
            PromptFor::Annotate(ev) => {
                let mut mark = self
                    .store
                    .marks(id)?
                    .remove(&ev)
                    .unwrap_or_else(Mark::default);
                mark.annotation = Some(text.trim().to_string()).filter(|t| !t.is_empty());
                cx.set_mark(id, ev, &mark)
                    .map(|_| "annotation saved".to_string())
            }
            _ => unreachable!("not a postmortem prompt"),
        }
    }

    /// Open an action-item form; a draft kept for it comes back.
    pub(super) fn open_action_form(&mut self, mut form: ActionForm) {
        if let Some(d) = self.drafts.actions.get(&form.draft_key()) {
            form.restore(d);
            self.info("your unsaved draft is back — ctrl-x discards it");
        }
        self.overlay = Overlay::Dialog(Dialog::ActionForm(Box::new(form)));
    }

    /// A prompt with a title and prefilled text (drafts win over prefill).
    pub(super) fn show_prompt_text(
        &mut self,
        inc: crate::domain::Incident,
        purpose: PromptFor,
        title: &str,
        hint: &str,
        multiline: bool,
        prefill: String,
    ) {
        let key = draft_key(inc.id, purpose);
        let draft = self.drafts.prompts.get(&key).cloned();
        if draft.is_some() {
            self.info("your unsaved draft is back — ctrl-x discards it");
        }
        let text = draft.unwrap_or(prefill);
        self.overlay = Overlay::Dialog(Dialog::Prompt(Box::new(Prompt {
            title: format!("{title} — {}", inc.id),
            hint: hint.to_string(),
            input: text_input(&text, multiline),
            multiline,
            purpose,
            target: inc.id,
            seen: inc,
            stale: None,
            error: None,
        })));
    }
}

/// Open action items past due, for the overview.
pub fn overdue_count(items: &[ActionItem], today: chrono::NaiveDate) -> usize {
    items
        .iter()
        .filter(|a| a.overdue(today) && a.status != ActionStatus::Done)
        .count()
}
