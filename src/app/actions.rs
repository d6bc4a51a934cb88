//! Normal-mode actions: navigation, facets, and the workflow verbs that act
//! at once or open a dialog.

use super::dialog::{Dialog, Form, PickFor, PickItem, Picker, Prioritize, PromptFor};
use super::{App, Focus, Overlay};
use crate::domain::{Field, Incident, Status, legal_targets};
use crate::keymap::{Action, Mode};

impl App {
    pub(super) fn normal(&mut self, a: Action) {
        let page = self.list.height.max(1) as isize;
        let in_detail = self.focus == Focus::Detail || self.detail_open;
        match a {
            Action::Down
            | Action::Up
            | Action::PageDown
            | Action::PageUp
            | Action::Top
            | Action::Bottom
                if in_detail =>
            {
                let s = &mut self.detail.scroll;
                *s = match a {
                    Action::Down => *s + 1,
                    Action::Up => s.saturating_sub(1),
                    Action::PageDown => *s + page as usize / 2,
                    Action::PageUp => s.saturating_sub(page as usize / 2),
                    Action::Top => 0,
                    _ => usize::MAX / 2,
                };
            }
            Action::Down => self.move_selection(1),
            Action::Up => self.move_selection(-1),
            Action::PageDown => self.move_selection(page),
            Action::PageUp => self.move_selection(-page),
            Action::Top => {
                self.list.select_index(0);
                self.after_move(false);
            }
            Action::Bottom => {
                self.list.select_index(usize::MAX);
                self.after_move(false);
            }
            Action::Open => {
                if self.list.selected_id().is_some() {
                    self.focus = Focus::Detail;
                    self.detail_open = !self.wide();
                }
            }
            Action::SwitchPane => {
                self.focus = if self.focus == Focus::List {
                    Focus::Detail
                } else {
                    Focus::List
                };
                self.detail_open = !self.wide() && self.focus == Focus::Detail;
            }
            Action::Back | Action::Cancel => {
                if in_detail {
                    self.focus = Focus::List;
                    self.detail_open = false;
                } else if !self.filter.is_empty() {
                    self.clear_filter();
                    self.info("search filter cleared");
                } else {
                    self.message = None;
                }
            }
            Action::Search => {
                self.overlay = Overlay::Search {
                    input: self.filter.clone(),
                };
                self.focus = Focus::List;
                self.detail_open = false;
            }
            Action::CommandLine => {
                // A command line kept when the session died comes back once.
                let input = self.drafts.command.take().unwrap_or_default();
                if !input.is_empty() {
                    self.drafts_changed();
                }
                self.overlay = Overlay::Command { input };
            }
            Action::Help => self.overlay = Overlay::Help { scroll: 0 },
            Action::Quit => self.quit = true,
            Action::Refresh => {
                let r = self.reload();
                if self.report(r).is_some() {
                    self.info("reloaded");
                }
            }
            Action::CycleStatusFilter => self.set_facets(|f| f.next_scope()),
            Action::CycleSeverityFilter => self.set_facets(|f| f.next_severity()),
            Action::ToggleMine => self.set_facets(|f| f.mine = !f.mine),
            Action::ClearFilters => {
                self.filter.clear();
                self.set_facets(|f| *f = Default::default());
            }
            Action::NewIncident => {
                if self.writable() {
                    self.open_form()
                }
            }
            Action::OpenPostmortem => match self.list.selected_id() {
                Some(id) => self.open_postmortem(id),
                None => self.error("no incident selected"),
            },
            Action::OpenActions => self.open_actions(),
            other => self.incident_action(other),
        }
    }

    pub(super) fn set_facets(&mut self, f: impl FnOnce(&mut super::list::Facets)) {
        f(&mut self.list.facets);
        self.list.selected = 0;
        let r = self.reload();
        if self.report(r).is_some() {
            self.info(format!(
                "showing {} ({} incidents)",
                self.list.facets.describe(),
                self.list.ids.len()
            ));
        }
    }

    fn open_form(&mut self) {
        let mut services = self.config.taxonomy.services.clone();
        if let Some(known) = self.report(self.store.distinct_services()) {
            for s in known {
                if !services.contains(&s) {
                    services.push(s);
                }
            }
        }
        let form = match &self.drafts.new_incident {
            Some(d) => Form::from_draft(&self.config, services, d),
            None => Form::new(&self.config, services),
        };
        if self.drafts.new_incident.is_some() {
            self.info("your unsaved draft is back — ctrl-x discards it");
        }
        self.overlay = Overlay::Dialog(Dialog::Form(Box::new(form)));
    }

    /// The selected incident, freshly read, or a message why there is none.
    fn target(&mut self) -> Option<Incident> {
        let Some(id) = self.list.selected_id() else {
            let new = self
                .keymap
                .key_for(Mode::Normal, Action::NewIncident)
                .unwrap_or_else(|| "n".into());
            self.error(format!("no incident selected — {new} logs a new one"));
            return None;
        };
        self.report(self.store.get(id))
    }

    /// Verbs on the selected incident.
    fn incident_action(&mut self, a: Action) {
        if !matches!(
            a,
            Action::Acknowledge
                | Action::ChangeStatus
                | Action::Resolve
                | Action::AddNote
                | Action::SetCategory
                | Action::SetService
                | Action::SetSeverity
                | Action::Prioritize
                | Action::Assign
                | Action::TakeCommand
                | Action::SetRole
                | Action::SetTags
                | Action::EditTitle
                | Action::EditDescription
        ) {
            return;
        }
        if !self.writable() {
            return;
        }
        let Some(inc) = self.target() else { return };
        let id = inc.id;
        match a {
            Action::Acknowledge => {
                let r = self.ctx().acknowledge(id, Some(inc.status));
                self.after_write(r.map(|i| {
                    format!(
                        "{id} acknowledged — assignee {}",
                        i.assignee.unwrap_or_default()
                    )
                }));
            }
            Action::TakeCommand => {
                let r = self.ctx().take_command(id);
                self.after_write(r.map(|_| format!("you are incident commander of {id}")));
            }
            Action::ChangeStatus => self.open_status_picker(inc),
            Action::Resolve => self.open_prompt(inc, PromptFor::Resolve),
            Action::AddNote => self.open_prompt(inc, PromptFor::Note),
            Action::SetService => self.open_prompt(inc, PromptFor::Set(Field::Service)),
            Action::Assign => self.open_prompt(inc, PromptFor::Set(Field::Assignee)),
            Action::SetTags => self.open_prompt(inc, PromptFor::Set(Field::Tags)),
            Action::EditTitle => self.open_prompt(inc, PromptFor::Set(Field::Title)),
            Action::EditDescription => self.open_prompt(inc, PromptFor::Set(Field::Description)),
            Action::SetSeverity => {
                let items = crate::domain::Severity::ALL
                    .iter()
                    .map(|s| {
                        let d = self.config.severity(*s);
                        PickItem {
                            label: format!("{s} {}", d.name),
                            detail: d.description.clone(),
                            value: s.to_string(),
                        }
                    })
                    .collect();
                let selected = inc.severity.level() as usize - 1;
                self.open_picker(inc, PickFor::Severity, "Severity", items, selected);
            }
            Action::SetCategory => {
                let mut items: Vec<PickItem> = self
                    .config
                    .taxonomy
                    .categories
                    .iter()
                    .map(|c| PickItem {
                        label: c.clone(),
                        detail: String::new(),
                        value: c.clone(),
                    })
                    .collect();
                items.push(PickItem {
                    label: "(none)".into(),
                    detail: String::new(),
                    value: "-".into(),
                });
                let selected = inc
                    .category
                    .as_ref()
                    .and_then(|c| items.iter().position(|i| &i.value == c))
                    .unwrap_or(0);
                self.open_picker(inc, PickFor::Category, "Category", items, selected);
            }
            Action::SetRole => {
                let items = [
                    Field::Commander,
                    Field::Scribe,
                    Field::Comms,
                    Field::Assignee,
                ]
                .iter()
                .map(|f| PickItem {
                    label: f.name().to_string(),
                    detail: format!("now: {}", f.get(&inc).unwrap_or_else(|| "—".into())),
                    value: f.name().to_string(),
                })
                .collect();
                self.open_picker(inc, PickFor::Role, "Which role?", items, 0);
            }
            Action::Prioritize => {
                self.overlay = Overlay::Dialog(Dialog::Prioritize(Box::new(Prioritize {
                    target: id,
                    impact: inc.impact,
                    urgency: inc.urgency,
                    seen: inc,
                    row: 0,
                    error: None,
                })))
            }
            _ => {}
        }
    }

    fn open_picker(
        &mut self,
        inc: Incident,
        purpose: PickFor,
        title: &str,
        items: Vec<PickItem>,
        selected: usize,
    ) {
        self.overlay = Overlay::Dialog(Dialog::Picker(Box::new(Picker {
            title: format!("{title} — {}", inc.id),
            items,
            selected,
            purpose,
            target: inc.id,
            seen: inc,
        })));
    }

    fn open_status_picker(&mut self, inc: Incident) {
        let finished = matches!(
            inc.status,
            Status::Resolved | Status::Closed | Status::Cancelled
        );
        let items: Vec<PickItem> = legal_targets(inc.status)
            .iter()
            .map(|s| {
                let detail = match s {
                    Status::Acknowledged => "someone has it (assigns you if unassigned)",
                    Status::Investigating if finished => "reopen: it is not over after all",
                    Status::Investigating if inc.status == Status::Mitigated => {
                        "the mitigation did not hold"
                    }
                    Status::Investigating => "working on the cause",
                    Status::Mitigated => "impact stopped, cause not fixed yet",
                    Status::Resolved => "impact over — asks for a summary",
                    Status::Closed => "all follow-up done",
                    Status::Cancelled => "not an incident — asks for a reason",
                    Status::Triage => "",
                };
                PickItem {
                    label: s.to_string(),
                    detail: detail.into(),
                    value: s.to_string(),
                }
            })
            .collect();
        let title = format!("Move from {} to", inc.status);
        self.open_picker(inc, PickFor::Status, &title, items, 0);
    }

    pub(super) fn open_prompt(&mut self, inc: Incident, purpose: PromptFor) {
        let (title, hint, multiline, prefill) = match purpose {
            // Postmortem prompts are opened by the pane (show_prompt_text).
            PromptFor::Section(_) | PromptFor::PmOwner | PromptFor::Annotate(_) => return,
            PromptFor::Note => (
                "Add a note",
                "what happened, what you found, what you did",
                true,
                String::new(),
            ),
            PromptFor::Resolve => (
                "Resolve: what fixed it?",
                "a resolution summary is required",
                true,
                inc.resolution.clone().unwrap_or_default(),
            ),
            PromptFor::Cancel => (
                "Cancel: why is this not an incident?",
                "a reason is required",
                false,
                String::new(),
            ),
            PromptFor::Set(f) => {
                let cur = f.get(&inc).unwrap_or_default();
                // People fields start from the current holder, or from you.
                let who = if cur.is_empty() {
                    self.me().to_string()
                } else {
                    cur.clone()
                };
                let (title, hint, multi, pre) = match f {
                    Field::Assignee => ("Assign to", "a login name; - clears", false, who),
                    Field::Commander | Field::Scribe | Field::Comms => {
                        ("Who?", "a login name; - clears", false, who)
                    }
                    Field::Tags => ("Tags", "comma-separated", false, cur),
                    Field::Title => ("Title", "what is broken, in a line", false, cur),
                    Field::Description => {
                        ("Description", "details; ctrl-e opens $EDITOR", true, cur)
                    }
                    Field::Service => ("Service", "", false, cur),
                    _ => ("Value", "", false, cur),
                };
                let hint = if f == Field::Service && !self.config.taxonomy.services.is_empty() {
                    format!("one of: {}", self.config.taxonomy.services.join(", "))
                } else {
                    hint.to_string()
                };
                let title = if matches!(f, Field::Commander | Field::Scribe | Field::Comms) {
                    format!("{} — who?", f.name())
                } else {
                    title.to_string()
                };
                return self.show_prompt(inc, purpose, title, hint, multi, pre);
            }
        };
        self.show_prompt(
            inc,
            purpose,
            title.to_string(),
            hint.to_string(),
            multiline,
            prefill,
        );
    }

    pub(super) fn show_prompt(
        &mut self,
        inc: Incident,
        purpose: PromptFor,
        title: String,
        hint: String,
        multiline: bool,
        prefill: String,
    ) {
        let extra = if multiline {
            " · ctrl-s saves · ctrl-e $EDITOR · enter newline"
        } else {
            ""
        };
        self.show_prompt_text(
            inc,
            purpose,
            &title,
            &format!("{hint}{extra}"),
            multiline,
            prefill,
        );
    }

    /// After a write: reload, and report success or the reason it failed.
    pub(super) fn after_write(&mut self, r: crate::error::Result<String>) -> bool {
        match r {
            Ok(msg) => {
                let before = self.list.selected_id();
                let r = self.reload();
                self.report(r);
                match before {
                    Some(id) if !self.list.ids.contains(&id) => {
                        let f = self
                            .keymap
                            .key_for(Mode::Normal, Action::CycleStatusFilter)
                            .unwrap_or_default();
                        self.info(format!(
                            "{msg} — it left the {} list ({f} shows others)",
                            self.list.facets.describe()
                        ));
                    }
                    _ => self.info(msg),
                }
                true
            }
            Err(e) => {
                self.error(e.to_string());
                false
            }
        }
    }

    /// Select an incident by id if it is in the view.
    pub(super) fn select_id(&mut self, id: crate::domain::IncidentId) -> bool {
        match self.list.ids.iter().position(|i| *i == id) {
            Some(i) => {
                self.list.select_index(i);
                self.after_move(false);
                true
            }
            None => false,
        }
    }
}
