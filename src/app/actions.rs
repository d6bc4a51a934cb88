//! The list and details views: navigation, facets, and the workflow verbs
//! that act at once or open a dialog.

use super::dialog::{Dialog, Form, PickFor, PickItem, Picker, Prioritize, PromptFor};
use super::run::{Done, Op};
use super::view::{Confirm, HelpView};
use super::{App, Outcome, View};
use crate::domain::{Field, Incident, IncidentId, Status, StatusMove, legal_targets};
use crate::keymap::{Action, Mode};

impl App {
    /// Keys on the incident list (the root view).
    pub(super) fn list_key(&mut self, a: Action) -> Outcome {
        let page = self.list.height.max(1) as isize;
        match a {
            Action::Down => self.move_selection(1),
            Action::Up => self.move_selection(-1),
            Action::PageDown => self.move_selection(page),
            Action::PageUp => self.move_selection(-page),
            Action::Top => {
                self.list.select_index(0);
                self.list.pinned = None;
                self.after_move(false);
            }
            Action::Bottom => {
                self.list.select_index(usize::MAX);
                self.list.pinned = None;
                self.after_move(false);
            }
            Action::Open | Action::SwitchPane => {
                if self.list.selected_id().is_some() {
                    // Opened afresh: from the top (the header says which).
                    self.detail.scroll = 0;
                    return Outcome::Push(View::Detail);
                }
            }
            Action::Mark | Action::MarkAll | Action::Merge => return self.mark_key(a),
            // Esc clears the marks first, when there are any.
            Action::Back | Action::Cancel if !self.marks.is_empty() => self.clear_marks(),
            Action::Back | Action::Cancel => {
                if !self.filter.is_empty() {
                    self.clear_filter();
                    self.info("search filter cleared");
                } else if self.list.facets.drill.is_some() {
                    let before = self.drill_from.take().unwrap_or_default();
                    self.set_facets(|f| *f = before);
                }
            }
            Action::Search => {
                return Outcome::Push(View::Search {
                    input: self.filter.clone(),
                });
            }
            Action::CommandLine => {
                // A command line kept when the session died comes back once.
                let input = self.drafts.command.take().unwrap_or_default();
                if !input.is_empty() {
                    self.drafts_changed();
                }
                return Outcome::Push(View::Command {
                    input,
                    recall: None,
                    typed: String::new(),
                    candidates: Vec::new(),
                });
            }
            Action::Help => return Outcome::Push(View::Help(HelpView::default())),
            Action::Quit => return Outcome::Quit,
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
                self.drill_from = None;
                self.filter.clear();
                self.set_facets(|f| *f = Default::default());
            }
            Action::NewIncident => {
                if self.writable() {
                    return self.open_form();
                }
            }
            Action::OpenPostmortem => match self.list.selected_id() {
                Some(id) => return self.open_postmortem(id),
                None => self.error("no incident selected"),
            },
            Action::OpenActions => return self.open_actions(),
            Action::OpenMetrics => return self.open_metrics(),
            other => return self.incident_action(other),
        }
        Outcome::Stay
    }

    /// Keys while the details have the focus: movement scrolls them, Esc
    /// goes back to the list, and the verbs act on the incident shown.
    pub(super) fn detail_key(&mut self, a: Action) -> Outcome {
        let page = self.list.height.max(1);
        let max = self.detail.max_scroll.get();
        let s = &mut self.detail.scroll;
        *s = (*s).min(max);
        match a {
            Action::Down => *s += 1,
            Action::Up => *s = s.saturating_sub(1),
            Action::PageDown => *s += page / 2,
            Action::PageUp => *s = s.saturating_sub(page / 2),
            Action::Top => *s = 0,
            Action::Bottom => *s = max,
            Action::Back | Action::Cancel | Action::Quit | Action::SwitchPane => {
                return Outcome::Pop;
            }
            Action::Open => {}
            Action::Search => {
                // Searching is a list matter: leave the details first.
                self.stack.pop();
                return self.list_key(a);
            }
            other => return self.list_key(other),
        }
        Outcome::Stay
    }

    pub(super) fn set_facets(&mut self, f: impl FnOnce(&mut super::list::Facets)) {
        f(&mut self.list.facets);
        self.list.selected = 0;
        self.list.pinned = None;
        let r = self.reload();
        if self.report(r).is_some() {
            self.info(format!(
                "showing {} ({} incidents)",
                self.list.facets.describe(),
                self.list.ids.len()
            ));
        }
    }

    fn open_form(&mut self) -> Outcome {
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
            let x = self.key(Mode::Dialog, Action::Discard);
            self.info(format!("your unsaved draft is back — {x} discards it"));
        }
        Outcome::Push(View::Dialog(Dialog::Form(Box::new(form))))
    }

    /// The selected incident, freshly read, or a message why there is none.
    fn target(&mut self) -> Option<Incident> {
        let Some(id) = self.list.selected_id() else {
            let new = self.key(Mode::Normal, Action::NewIncident);
            self.error(format!("no incident selected — {new} logs a new one"));
            return None;
        };
        self.report(self.store.get(id))
    }

    /// Verbs on the selected incident.
    fn incident_action(&mut self, a: Action) -> Outcome {
        if !matches!(
            a,
            Action::Acknowledge
                | Action::ChangeStatus
                | Action::Resolve
                | Action::AddNote
                | Action::PostUpdate
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
            return Outcome::Stay;
        }
        if !self.writable() {
            return Outcome::Stay;
        }
        if !self.marks.is_empty() {
            return self.bulk_action(a);
        }
        let Some(inc) = self.target() else {
            return Outcome::Stay;
        };
        let id = inc.id;
        match a {
            Action::Acknowledge => Outcome::Run(Op::Acknowledge {
                id,
                seen: Some(inc.status),
            }),
            Action::TakeCommand => self.take_command(inc),
            Action::ChangeStatus => self.status_picker(inc),
            Action::Resolve => self.prompt(inc, PromptFor::Resolve),
            Action::AddNote => self.prompt(inc, PromptFor::Note),
            Action::PostUpdate => self.prompt(inc, PromptFor::Update),
            Action::SetService => self.prompt(inc, PromptFor::Set(Field::Service)),
            Action::Assign => self.prompt(inc, PromptFor::Set(Field::Assignee)),
            Action::SetTags => self.prompt(inc, PromptFor::Set(Field::Tags)),
            Action::EditTitle => self.prompt(inc, PromptFor::Set(Field::Title)),
            Action::EditDescription => self.prompt(inc, PromptFor::Set(Field::Description)),
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
                picker(inc, PickFor::Severity, "Severity", items, selected)
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
                picker(inc, PickFor::Category, "Category", items, selected)
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
                picker(inc, PickFor::Role, "Which role?", items, 0)
            }
            Action::Prioritize => {
                Outcome::Push(View::Dialog(Dialog::Prioritize(Box::new(Prioritize {
                    target: id,
                    impact: inc.impact,
                    urgency: inc.urgency,
                    seen: inc,
                    row: 0,
                    error: None,
                }))))
            }
            _ => Outcome::Stay,
        }
    }

    /// Taking command from someone else asks first.
    fn take_command(&mut self, inc: Incident) -> Outcome {
        let op = Op::TakeCommand(inc.id);
        match &inc.commander {
            Some(c) if crate::identity::login_of(c) != self.me() => {
                let (y, n) = (
                    self.key(Mode::Confirm, Action::Accept),
                    self.key(Mode::Confirm, Action::Cancel),
                );
                Outcome::Push(View::Confirm(Box::new(Confirm {
                    title: format!("Take command of {}?", inc.id),
                    text: format!(
                        "{} is incident commander of {} now. {y} takes command from them, {n} leaves it",
                        crate::text::sanitize_line(c),
                        inc.id
                    ),
                    yes: op,
                })))
            }
            _ => Outcome::Run(op),
        }
    }

    fn status_picker(&mut self, inc: Incident) -> Outcome {
        let items: Vec<PickItem> = legal_targets(inc.status)
            .iter()
            .map(|s| PickItem {
                label: s.to_string(),
                detail: StatusMove::to(*s).describe(inc.status).into(),
                value: s.to_string(),
            })
            .collect();
        let title = format!("Move from {} to", inc.status);
        picker(inc, PickFor::Status, &title, items, 0)
    }

    /// What moving the incident to a status means, decided by the domain:
    /// run it at once, or first ask for the summary or reason it needs.
    pub(super) fn move_to(&mut self, inc: Incident, to: Status, text: Option<String>) -> Outcome {
        let m = StatusMove::to(to);
        let text = text.filter(|t| !t.trim().is_empty());
        match (m.needs, text) {
            (crate::domain::Needs::Summary, None) => self.prompt(inc, PromptFor::Resolve),
            (crate::domain::Needs::Reason, None) => self.prompt(inc, PromptFor::Cancel),
            (_, text) => Outcome::Run(Op::Move {
                id: inc.id,
                to,
                text,
                seen: Some(inc.status),
                force: false,
            }),
        }
    }

    pub(super) fn prompt(&mut self, inc: Incident, purpose: PromptFor) -> Outcome {
        let (title, hint, multiline, prefill) = match purpose {
            // Postmortem prompts are opened by the pane (prompt_view).
            PromptFor::Section(_) | PromptFor::PmOwner | PromptFor::Annotate(_) => {
                return Outcome::Stay;
            }
            PromptFor::Update => (
                "Stakeholder update",
                "Status: and Impact: or Doing:, Next update: 30m or none — posted to the stakeholder channels".to_string(),
                true,
                crate::paging::update::template(
                    &inc,
                    &self.config.paging,
                    if self.detail.incident.as_ref().map(|i| i.id) == Some(inc.id) {
                        crate::paging::update::last_status(&self.detail.events)
                    } else {
                        None
                    }
                    .as_deref(),
                )
                    .lines()
                    .filter(|l| !l.starts_with('#'))
                    .collect::<Vec<_>>()
                    .join("\n"),
            ),
            PromptFor::Note => (
                "Add a note",
                "what happened, what you found, what you did".to_string(),
                true,
                String::new(),
            ),
            PromptFor::Resolve => (
                "Resolve: what fixed it?",
                "a resolution summary is required".to_string(),
                true,
                inc.resolution.clone().unwrap_or_default(),
            ),
            PromptFor::Cancel => (
                "Cancel: why is this not an incident?",
                "a reason is required".to_string(),
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
                let people = format!(
                    "a login name; - clears; {} completes a known name",
                    self.key(Mode::Dialog, Action::NextField)
                );
                let (title, hint, multi, pre) = match f {
                    Field::Assignee => ("Assign to".to_string(), people, false, who),
                    Field::Commander | Field::Scribe | Field::Comms => {
                        (format!("{} — who?", f.name()), people, false, who)
                    }
                    Field::Tags => ("Tags".into(), "comma-separated".into(), false, cur),
                    Field::Title => (
                        "Title".into(),
                        "what is broken, in a line".into(),
                        false,
                        cur,
                    ),
                    Field::Description => ("Description".into(), "details".into(), true, cur),
                    Field::Service if !self.config.taxonomy.services.is_empty() => (
                        "Service".into(),
                        format!("one of: {}", self.config.taxonomy.services.join(", ")),
                        false,
                        cur,
                    ),
                    _ => (f.name().to_string(), String::new(), false, cur),
                };
                return self.text_prompt(inc, purpose, &title, &hint, multi, pre);
            }
        };
        self.text_prompt(inc, purpose, title, &hint, multiline, prefill)
    }

    /// A prompt whose hint names the keys that save and edit it.
    pub(super) fn text_prompt(
        &mut self,
        inc: Incident,
        purpose: PromptFor,
        title: &str,
        hint: &str,
        multiline: bool,
        prefill: String,
    ) -> Outcome {
        let hint = if multiline {
            format!(
                "{hint} · {} saves · {} $EDITOR · enter newline",
                self.key(Mode::Dialog, Action::Save),
                self.key(Mode::Dialog, Action::ExternalEditor)
            )
        } else {
            hint.to_string()
        };
        self.prompt_view(inc, purpose, title, &hint, multiline, prefill)
    }

    /// After a write: reload, keep the selection on the incident acted on,
    /// and report success.
    pub(super) fn written(&mut self, target: Option<IncidentId>, done: Done) {
        // Only a change to the incident itself can move it out of the list.
        let before = target;
        if let Some(id) = before
            && self.list.selected_id() == Some(id)
        {
            self.list.pinned = Some(id);
        }
        let r = self.reload();
        self.report(r);
        self.reload_screen();
        if let Some(id) = done.select
            && !self.select_id(id)
        {
            let clear = self.key(Mode::Normal, Action::ClearFilters);
            return self.info(format!(
                "{} — not shown with the current filters ({clear} clears them)",
                done.message
            ));
        }
        match before {
            Some(id) if self.list.pinned == Some(id) && !self.list.in_view(id) => {
                let f = self.key(Mode::Normal, Action::CycleStatusFilter);
                self.info(format!(
                    "{}; not in {} now — kept selected, {f} shows all",
                    done.message,
                    self.list.facets.describe()
                ));
            }
            _ => self.info(done.message),
        }
    }

    /// Select an incident by id if it is in the view.
    pub(super) fn select_id(&mut self, id: IncidentId) -> bool {
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

fn picker(
    inc: Incident,
    purpose: PickFor,
    title: &str,
    items: Vec<PickItem>,
    selected: usize,
) -> Outcome {
    Outcome::Push(View::Dialog(Dialog::Picker(Box::new(Picker {
        title: format!("{title} — {}", inc.id),
        items,
        selected,
        purpose,
        target: inc.id,
        seen: inc,
        bulk: Vec::new(),
    }))))
}
