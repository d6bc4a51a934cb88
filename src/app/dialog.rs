//! Dialog state: pickers, text prompts, the prioritize matrix and the
//! new-incident form. Plain data; the app decides what keys do to them.

use super::dialogs::type_select;
use super::drafts::{ActionDraft, FormDraft};
use crate::config::Config;
use crate::domain::{Field, Impact, Incident, IncidentId, Kind, Severity, Urgency};
use ratatui::style::Style;
use ratatui_textarea::{TextArea, WrapMode};

pub fn text_input(initial: &str, multiline: bool) -> TextArea<'static> {
    let lines: Vec<String> = if initial.is_empty() {
        vec![String::new()]
    } else {
        initial.split('\n').map(str::to_string).collect()
    };
    let mut t = TextArea::new(lines);
    t.set_cursor_line_style(Style::default());
    if multiline {
        t.set_wrap_mode(WrapMode::WordOrGlyph);
    }
    t.move_cursor(ratatui_textarea::CursorMove::Bottom);
    t.move_cursor(ratatui_textarea::CursorMove::End);
    t
}

pub fn text_of(t: &TextArea<'_>) -> String {
    t.lines().join("\n")
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickItem {
    pub label: String,
    pub detail: String,
    pub value: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PickFor {
    Status,
    Severity,
    Category,
    Role,
    PmStatus,
}

pub struct Picker {
    pub title: String,
    pub items: Vec<PickItem>,
    pub selected: usize,
    pub purpose: PickFor,
    pub target: IncidentId,
    pub seen: Incident,
    /// The marked incidents the choice is for (empty: just `target`).
    pub bulk: Vec<IncidentId>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptFor {
    Note,
    /// A stakeholder update (`paging::update`).
    Update,
    Resolve,
    Cancel,
    Set(Field),
    /// A postmortem section, by key.
    Section(&'static str),
    PmOwner,
    /// An annotation on a timeline event.
    Annotate(i64),
}

impl PromptFor {
    pub fn label(self) -> String {
        match self {
            PromptFor::Note => "note".into(),
            PromptFor::Update => "stakeholder update".into(),
            PromptFor::Resolve => "resolution".into(),
            PromptFor::Cancel => "cancel reason".into(),
            PromptFor::Set(f) => f.name().into(),
            PromptFor::Section(k) => format!("postmortem {k}"),
            PromptFor::PmOwner => "postmortem owner".into(),
            PromptFor::Annotate(ev) => format!("annotation #{ev}"),
        }
    }

    pub fn is_postmortem(self) -> bool {
        matches!(
            self,
            PromptFor::Section(_) | PromptFor::PmOwner | PromptFor::Annotate(_)
        )
    }
}

pub struct Prompt {
    pub title: String,
    pub hint: String,
    pub input: TextArea<'static>,
    pub multiline: bool,
    pub purpose: PromptFor,
    pub target: IncidentId,
    pub seen: Incident,
    /// The text the prompt opened with (the current value), not typed.
    pub prefill: String,
    /// Set when the incident changed under the person typing.
    pub stale: Option<String>,
    pub error: Option<String>,
    /// The marked incidents the text is for, typed once and applied to
    /// each (empty: just `target`).
    pub bulk: Vec<IncidentId>,
}

/// The first word of a bulk prompt's draft key ("marked note"): one draft
/// per purpose, whichever incidents are marked.
pub const BULK_DRAFT: &str = "marked";

impl Prompt {
    pub fn text(&self) -> String {
        text_of(&self.input)
    }
    pub fn draft_key(&self) -> String {
        if self.bulk.is_empty() {
            draft_key(self.target, self.purpose)
        } else {
            format!("{BULK_DRAFT} {}", self.purpose.label())
        }
    }
    /// Has the person typed something that is not just the prefilled value?
    pub fn has_typed_text(&self) -> bool {
        let t = self.text();
        !t.trim().is_empty() && t != self.prefill
    }
    /// Does this prompt ask for a person's login?
    pub fn is_people(&self) -> bool {
        matches!(
            self.purpose,
            PromptFor::Set(Field::Assignee | Field::Commander | Field::Scribe | Field::Comms)
                | PromptFor::PmOwner
        )
    }
}

pub fn draft_key(id: IncidentId, p: PromptFor) -> String {
    format!("{id} {}", p.label())
}

pub struct Prioritize {
    pub target: IncidentId,
    pub seen: Incident,
    pub impact: Impact,
    pub urgency: Urgency,
    /// 0 = impact row, 1 = urgency row.
    pub row: usize,
    pub error: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormField {
    Title,
    Description,
    Kind,
    Service,
    Category,
    Severity,
    Impact,
    Urgency,
}

impl FormField {
    pub const ALL: &'static [FormField] = &[
        FormField::Title,
        FormField::Description,
        FormField::Kind,
        FormField::Service,
        FormField::Category,
        FormField::Severity,
        FormField::Impact,
        FormField::Urgency,
    ];
    pub fn label(self) -> &'static str {
        match self {
            FormField::Title => "Title",
            FormField::Description => "Description",
            FormField::Kind => "Kind",
            FormField::Service => "Service",
            FormField::Category => "Category",
            FormField::Severity => "Severity",
            FormField::Impact => "Impact",
            FormField::Urgency => "Urgency",
        }
    }
    pub fn is_text(self) -> bool {
        matches!(
            self,
            FormField::Title | FormField::Description | FormField::Service
        )
    }
}

pub struct Form {
    pub title: TextArea<'static>,
    pub description: TextArea<'static>,
    pub service: TextArea<'static>,
    pub kind: Kind,
    /// Index into `categories`; `None` = not categorized yet.
    pub category: Option<usize>,
    pub categories: Vec<String>,
    /// Known services (taxonomy and those already used), for completion.
    pub services: Vec<String>,
    pub severity: Severity,
    pub impact: Impact,
    pub urgency: Urgency,
    pub focus: FormField,
    pub error: Option<String>,
}

fn cycle<T: Copy + PartialEq>(all: &[T], cur: T, delta: isize) -> T {
    let i = all.iter().position(|x| *x == cur).unwrap_or(0) as isize;
    all[(i + delta).rem_euclid(all.len() as isize) as usize]
}

/// Type-to-select among `all`: the entry a digit or letter picks, or `cur`.
pub fn pick_typed<T: Copy + PartialEq + std::fmt::Display>(all: &[T], cur: T, c: char) -> T {
    let labels: Vec<String> = all.iter().map(|x| x.to_string()).collect();
    let at = all.iter().position(|x| *x == cur).unwrap_or(0);
    type_select(&labels, at, c).map_or(cur, |i| all[i])
}

impl Form {
    pub fn new(config: &Config, services: Vec<String>) -> Form {
        let d = &config.defaults;
        Form {
            title: text_input("", false),
            description: text_input("", true),
            service: text_input("", false),
            kind: d.kind,
            category: None,
            categories: config.taxonomy.categories.clone(),
            services,
            severity: d.severity,
            impact: d.impact,
            urgency: d.urgency,
            focus: FormField::Title,
            error: None,
        }
    }

    pub fn from_draft(config: &Config, services: Vec<String>, d: &FormDraft) -> Form {
        let mut f = Form::new(config, services);
        f.title = text_input(&d.title, false);
        f.description = text_input(&d.description, true);
        f.service = text_input(&d.service, false);
        f.kind = d.kind.parse().unwrap_or(f.kind);
        f.category = f.categories.iter().position(|c| *c == d.category);
        f.severity = d.severity.parse().unwrap_or(f.severity);
        f.impact = d.impact.parse().unwrap_or(f.impact);
        f.urgency = d.urgency.parse().unwrap_or(f.urgency);
        f
    }

    pub fn draft(&self) -> FormDraft {
        FormDraft {
            title: text_of(&self.title),
            description: text_of(&self.description),
            kind: self.kind.to_string(),
            service: text_of(&self.service),
            category: self
                .category
                .and_then(|i| self.categories.get(i).cloned())
                .unwrap_or_default(),
            severity: self.severity.to_string(),
            impact: self.impact.to_string(),
            urgency: self.urgency.to_string(),
        }
    }

    /// Has the person typed anything worth keeping?
    pub fn is_dirty(&self) -> bool {
        !text_of(&self.title).trim().is_empty()
            || !text_of(&self.description).trim().is_empty()
            || !text_of(&self.service).trim().is_empty()
    }

    pub fn focus_by(&mut self, delta: isize) {
        self.focus = cycle(FormField::ALL, self.focus, delta);
    }

    pub fn focused_text(&mut self) -> Option<&mut TextArea<'static>> {
        match self.focus {
            FormField::Title => Some(&mut self.title),
            FormField::Description => Some(&mut self.description),
            FormField::Service => Some(&mut self.service),
            _ => None,
        }
    }

    /// ←/→ on a choice field.
    pub fn cycle_choice(&mut self, delta: isize) {
        match self.focus {
            FormField::Kind => self.kind = cycle(Kind::ALL, self.kind, delta),
            FormField::Severity => self.severity = cycle(Severity::ALL, self.severity, delta),
            FormField::Impact => self.impact = cycle(Impact::ALL, self.impact, delta),
            FormField::Urgency => self.urgency = cycle(Urgency::ALL, self.urgency, delta),
            FormField::Category => {
                let n = self.categories.len() as isize + 1; // + "none"
                let cur = self.category.map_or(0, |i| i as isize + 1);
                let next = (cur + delta).rem_euclid(n);
                self.category = (next > 0).then(|| next as usize - 1);
            }
            _ => {}
        }
    }

    /// Type-to-select on a choice field: a digit picks that entry, a letter
    /// the next one it starts.
    pub fn type_choice(&mut self, c: char) {
        fn pick<T: Copy + std::fmt::Display>(all: &[T], cur: usize, c: char) -> Option<T> {
            let labels: Vec<String> = all.iter().map(|x| x.to_string()).collect();
            type_select(&labels, cur, c).map(|i| all[i])
        }
        fn pos<T: PartialEq>(all: &[T], x: &T) -> usize {
            all.iter().position(|y| y == x).unwrap_or(0)
        }
        match self.focus {
            FormField::Kind => {
                self.kind = pick(Kind::ALL, pos(Kind::ALL, &self.kind), c).unwrap_or(self.kind)
            }
            FormField::Severity => {
                // "2" is SEV2, as written everywhere else.
                let cur = pos(Severity::ALL, &self.severity);
                let labels: Vec<String> = Severity::ALL
                    .iter()
                    .map(|s| s.level().to_string())
                    .collect();
                if let Some(i) = type_select(&labels, cur, c) {
                    self.severity = Severity::ALL[i];
                }
            }
            FormField::Impact => {
                self.impact =
                    pick(Impact::ALL, pos(Impact::ALL, &self.impact), c).unwrap_or(self.impact)
            }
            FormField::Urgency => {
                self.urgency =
                    pick(Urgency::ALL, pos(Urgency::ALL, &self.urgency), c).unwrap_or(self.urgency)
            }
            FormField::Category => {
                let cur = self.category.unwrap_or(self.categories.len());
                if let Some(i) = type_select(&self.categories, cur, c) {
                    self.category = Some(i);
                }
            }
            _ => {}
        }
    }

    /// Known services that start with what was typed.
    pub fn service_suggestions(&self) -> Vec<&str> {
        let typed = text_of(&self.service).to_lowercase();
        self.services
            .iter()
            .filter(|s| {
                s.to_lowercase().starts_with(typed.trim()) && s.to_lowercase() != typed.trim()
            })
            .map(String::as_str)
            .take(5)
            .collect()
    }

    /// Complete the service to the first suggestion.
    pub fn complete_service(&mut self) -> bool {
        let first = self.service_suggestions().first().map(|s| s.to_string());
        match first {
            Some(s) => {
                self.service = text_input(&s, false);
                true
            }
            None => false,
        }
    }

    pub fn category_name(&self) -> Option<&str> {
        self.category
            .and_then(|i| self.categories.get(i))
            .map(String::as_str)
    }
}

/// Adding or editing an action item.
pub struct ActionForm {
    pub incident: IncidentId,
    pub editing: Option<crate::domain::ActionId>,
    pub description: TextArea<'static>,
    pub kind: crate::domain::ActionKind,
    pub owner: TextArea<'static>,
    pub due: TextArea<'static>,
    pub status: crate::domain::ActionStatus,
    /// 0 description, 1 type, 2 owner, 3 due, 4 status (when editing)
    pub focus: usize,
    pub error: Option<String>,
    /// What the form held when opened: typed text differs from it.
    initial: ActionDraft,
}

impl ActionForm {
    pub fn new(incident: IncidentId) -> ActionForm {
        let mut f = ActionForm {
            incident,
            editing: None,
            description: text_input("", false),
            kind: crate::domain::ActionKind::Prevent,
            owner: text_input("", false),
            due: text_input("+14d", false),
            status: crate::domain::ActionStatus::Open,
            focus: 0,
            error: None,
            initial: ActionDraft::default(),
        };
        f.initial = f.draft();
        f
    }

    pub fn edit(a: &crate::domain::ActionItem) -> ActionForm {
        let mut f = ActionForm {
            incident: a.incident,
            editing: Some(a.id),
            description: text_input(&a.description, false),
            kind: a.kind,
            owner: text_input(a.owner.as_deref().unwrap_or(""), false),
            due: text_input(&a.due.map(|d| d.to_string()).unwrap_or_default(), false),
            status: a.status,
            focus: 0,
            error: None,
            initial: ActionDraft::default(),
        };
        f.initial = f.draft();
        f
    }

    /// Where this form's draft is kept: one per new item per incident, one
    /// per edited item.
    pub fn draft_key(&self) -> String {
        match self.editing {
            Some(a) => format!("{a} edit"),
            None => format!("{} new action", self.incident),
        }
    }

    pub fn draft(&self) -> ActionDraft {
        ActionDraft {
            description: text_of(&self.description),
            kind: self.kind.to_string(),
            owner: text_of(&self.owner),
            due: text_of(&self.due),
            status: self.status.to_string(),
        }
    }

    /// Put a kept draft back into the form.
    pub fn restore(&mut self, d: &ActionDraft) {
        self.description = text_input(&d.description, false);
        self.owner = text_input(&d.owner, false);
        self.due = text_input(&d.due, false);
        self.kind = d.kind.parse().unwrap_or(self.kind);
        self.status = d.status.parse().unwrap_or(self.status);
    }

    /// Has the person changed anything since the form opened?
    pub fn is_dirty(&self) -> bool {
        self.draft() != self.initial
    }

    pub fn fields(&self) -> usize {
        if self.editing.is_some() { 5 } else { 4 }
    }

    pub fn focused_text(&mut self) -> Option<&mut TextArea<'static>> {
        match self.focus {
            0 => Some(&mut self.description),
            2 => Some(&mut self.owner),
            3 => Some(&mut self.due),
            _ => None,
        }
    }

    /// Type-to-select on the type or status field, as in the new-incident
    /// form: a digit picks that entry, a letter the next one it starts.
    pub fn type_choice(&mut self, c: char) {
        use crate::domain::{ActionKind, ActionStatus};
        match self.focus {
            1 => self.kind = pick_typed(ActionKind::ALL, self.kind, c),
            4 => self.status = pick_typed(ActionStatus::ALL, self.status, c),
            _ => {}
        }
    }

    pub fn cycle_choice(&mut self, d: isize) {
        match self.focus {
            1 => self.kind = cycle(crate::domain::ActionKind::ALL, self.kind, d),
            4 => self.status = cycle(crate::domain::ActionStatus::ALL, self.status, d),
            _ => {}
        }
    }
}

/// Which dialog is open.
pub enum Dialog {
    Picker(Box<Picker>),
    Prompt(Box<Prompt>),
    Prioritize(Box<Prioritize>),
    Form(Box<Form>),
    ActionForm(Box<ActionForm>),
}

impl Dialog {
    /// The incident this dialog edits, with the version the person saw.
    pub fn target(&self) -> Option<(IncidentId, i64)> {
        match self {
            // A bulk dialog is about many incidents, none in particular.
            Dialog::Picker(p) if p.bulk.is_empty() => Some((p.target, p.seen.version)),
            Dialog::Prompt(p) if p.bulk.is_empty() => Some((p.target, p.seen.version)),
            Dialog::Picker(_) | Dialog::Prompt(_) => None,
            Dialog::Prioritize(p) => Some((p.target, p.seen.version)),
            Dialog::Form(_) | Dialog::ActionForm(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_round_trips_through_a_draft() {
        let c = Config::builtin();
        let mut f = Form::new(&c, vec!["api".into(), "auth".into()]);
        f.title.insert_str("DNS down");
        f.focus = FormField::Category;
        f.cycle_choice(1);
        f.focus = FormField::Severity;
        f.cycle_choice(-1);
        let d = f.draft();
        let g = Form::from_draft(&c, vec![], &d);
        assert_eq!(g.draft(), d);
        assert_eq!(d.severity, "SEV2");
        assert_eq!(d.category, c.taxonomy.categories[0]);
        assert!(f.is_dirty());
    }

    #[test]
    fn service_completion() {
        let c = Config::builtin();
        let mut f = Form::new(&c, vec!["api-gateway".into(), "auth".into()]);
        f.service.insert_str("ap");
        assert_eq!(f.service_suggestions(), vec!["api-gateway"]);
        assert!(f.complete_service());
        assert_eq!(text_of(&f.service), "api-gateway");
    }
}
