//! Keys → actions. An [`Action`] is the only way a key reaches the app.
//!
//! Defaults live in `assets/keymap.toml` and go through the same parser as a
//! user's `[keys.<mode>]` overrides. Per-mode maps; chords like `g g`; the
//! help overlay and status-bar hints are generated from the resolved map.

mod key;

pub use key::{Key, Name, parse_chord};

use crate::config::{ConfigError, KeyBinding, Located};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

pub const DEFAULTS: &str = include_str!("../../assets/keymap.toml");
const DEFAULTS_NAME: &str = "<built-in assets/keymap.toml>";

/// Everything a key can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    // movement
    Up,
    Down,
    Left,
    Right,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Open,
    SwitchPane,
    Back,
    // overlays
    Search,
    CommandLine,
    Help,
    Quit,
    Refresh,
    // workflow
    NewIncident,
    Acknowledge,
    ChangeStatus,
    Resolve,
    AddNote,
    PostUpdate,
    SetCategory,
    SetService,
    SetSeverity,
    Prioritize,
    Assign,
    TakeCommand,
    SetRole,
    SetTags,
    EditTitle,
    EditDescription,
    // facets
    CycleStatusFilter,
    CycleSeverityFilter,
    ToggleMine,
    ClearFilters,
    // dialogs and inputs
    Accept,
    Cancel,
    Save,
    NextField,
    PrevField,
    ExternalEditor,
    Discard,
    // postmortems and action items
    OpenPostmortem,
    OpenActions,
    NextItem,
    PrevItem,
    Edit,
    SetOwner,
    AddAction,
    ActionDone,
    ToggleHighlight,
    ToggleHidden,
    Annotate,
    Export,
    CycleActionFilter,
    SearchAll,
    // several incidents at once
    Mark,
    MarkAll,
    Merge,
    // learning from the record
    OpenMetrics,
    CyclePeriod,
}

impl Action {
    pub fn name(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    }

    pub fn parse(s: &str) -> Option<Action> {
        serde_json::from_value(serde_json::Value::String(s.to_string())).ok()
    }

    pub const ALL: &'static [Action] = &[
        Action::Up,
        Action::Down,
        Action::Left,
        Action::Right,
        Action::PageUp,
        Action::PageDown,
        Action::Top,
        Action::Bottom,
        Action::Open,
        Action::SwitchPane,
        Action::Back,
        Action::Search,
        Action::CommandLine,
        Action::Help,
        Action::Quit,
        Action::Refresh,
        Action::NewIncident,
        Action::Acknowledge,
        Action::ChangeStatus,
        Action::Resolve,
        Action::AddNote,
        Action::PostUpdate,
        Action::SetCategory,
        Action::SetService,
        Action::SetSeverity,
        Action::Prioritize,
        Action::Assign,
        Action::TakeCommand,
        Action::SetRole,
        Action::SetTags,
        Action::EditTitle,
        Action::EditDescription,
        Action::CycleStatusFilter,
        Action::CycleSeverityFilter,
        Action::ToggleMine,
        Action::ClearFilters,
        Action::Accept,
        Action::Cancel,
        Action::Save,
        Action::NextField,
        Action::PrevField,
        Action::ExternalEditor,
        Action::Discard,
        Action::OpenPostmortem,
        Action::OpenActions,
        Action::NextItem,
        Action::PrevItem,
        Action::Edit,
        Action::SetOwner,
        Action::AddAction,
        Action::ActionDone,
        Action::ToggleHighlight,
        Action::ToggleHidden,
        Action::Annotate,
        Action::Export,
        Action::CycleActionFilter,
        Action::SearchAll,
        Action::Mark,
        Action::MarkAll,
        Action::Merge,
        Action::OpenMetrics,
        Action::CyclePeriod,
    ];

    /// What the action does, for help and hints.
    pub fn desc(self) -> &'static str {
        match self {
            Action::Up => "move up",
            Action::Down => "move down",
            Action::Left => "previous choice",
            Action::Right => "next choice",
            Action::PageUp => "page up",
            Action::PageDown => "page down",
            Action::Top => "first incident",
            Action::Bottom => "last incident",
            Action::Open => "open / focus details",
            Action::SwitchPane => "switch list / details",
            Action::Back => "back",
            Action::Search => "fuzzy search",
            Action::CommandLine => "command line (:ack, :resolve …)",
            Action::Help => "help",
            Action::Quit => "quit",
            Action::Refresh => "reload now",
            Action::NewIncident => "new incident",
            Action::Acknowledge => "acknowledge (takes it if unassigned)",
            Action::ChangeStatus => "change status (legal states only)",
            Action::Resolve => "resolve (asks for a summary)",
            Action::AddNote => "add a note to the timeline",
            Action::PostUpdate => "post a stakeholder update (status, impact, doing, next)",
            Action::SetCategory => "categorize",
            Action::SetService => "set service",
            Action::SetSeverity => "set severity",
            Action::Prioritize => "prioritize: impact × urgency",
            Action::Assign => "assign",
            Action::TakeCommand => "take command (become IC)",
            Action::SetRole => "set commander / scribe / comms",
            Action::SetTags => "set tags",
            Action::EditTitle => "edit title",
            Action::EditDescription => "edit description",
            Action::CycleStatusFilter => "filter: open → all → each state",
            Action::CycleSeverityFilter => "filter: severity",
            Action::ToggleMine => "filter: mine",
            Action::ClearFilters => "clear filters",
            Action::Accept => "accept",
            Action::Cancel => "cancel / close",
            Action::Save => "save",
            Action::NextField => "next field",
            Action::PrevField => "previous field",
            Action::ExternalEditor => "edit in $VISUAL/$EDITOR",
            Action::Discard => "discard the draft",
            Action::OpenPostmortem => "postmortem of this incident",
            Action::OpenActions => "action items across incidents",
            Action::NextItem => "next timeline entry / action item",
            Action::PrevItem => "previous timeline entry / action item",
            Action::Edit => "edit the selected section / item",
            Action::SetOwner => "set the postmortem owner",
            Action::AddAction => "add an action item",
            Action::ActionDone => "mark the action item done",
            Action::ToggleHighlight => "highlight the timeline entry",
            Action::ToggleHidden => "hide / show the timeline entry",
            Action::Annotate => "annotate the timeline entry",
            Action::Export => "export Markdown to INC-N-postmortem.md",
            Action::CycleActionFilter => "filter: open → overdue → mine → all",
            Action::SearchAll => "search all incidents, not just this filter",
            Action::Mark => {
                "mark / unmark, then down (with marks, the verbs act on every marked one)"
            }
            Action::MarkAll => "mark every incident in view (again: unmark them)",
            Action::Merge => {
                "merge the marked incidents into this one (they end cancelled as duplicates)"
            }
            Action::OpenMetrics => "metrics: incidents per week, response times, measures",
            Action::CyclePeriod => "period: 7 → 30 → 90 → 365 days",
        }
    }
}

impl Action {
    /// A one-word label for the status-bar hints.
    pub fn short(self) -> &'static str {
        match self {
            Action::NewIncident => "new",
            Action::Acknowledge => "ack",
            Action::ChangeStatus => "status",
            Action::Resolve => "resolve",
            Action::AddNote => "note",
            Action::PostUpdate => "update",
            Action::Search => "search",
            Action::CommandLine => "cmd",
            Action::Help => "help",
            Action::Quit => "quit",
            Action::Open => "open",
            Action::Back => "back",
            Action::Accept => "ok",
            Action::Cancel => "cancel",
            Action::Save => "save",
            Action::NextField => "next",
            Action::ExternalEditor => "editor",
            Action::Discard => "discard",
            Action::Prioritize => "prio",
            Action::SetSeverity => "sev",
            Action::SetCategory => "categ",
            Action::TakeCommand => "take IC",
            Action::Assign => "assign",
            Action::CycleStatusFilter => "filter",
            Action::Down => "down",
            Action::Up => "up",
            Action::OpenPostmortem => "postmortem",
            Action::OpenActions => "actions",
            Action::Edit => "edit",
            Action::SetOwner => "owner",
            Action::AddAction => "action",
            Action::ActionDone => "done",
            Action::Export => "export",
            Action::CycleActionFilter => "filter",
            Action::SearchAll => "search all",
            Action::Mark => "mark",
            Action::MarkAll => "mark all",
            Action::Merge => "merge",
            Action::OpenMetrics => "metrics",
            Action::CycleSeverityFilter => "severity",
            Action::SwitchPane => "pane",
            Action::CyclePeriod => "period",
            _ => "",
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

/// Keymap modes. `dialog` also serves text inputs: keys it does not bind go
/// to the focused field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Mode {
    Normal,
    Search,
    Dialog,
    Help,
    Postmortem,
    Actions,
    Metrics,
    /// Choosing from a list (status, severity, category…): keys it does not
    /// bind choose by first letter or number.
    Picker,
    /// A yes/no question.
    Confirm,
}

impl Mode {
    pub const ALL: &'static [Mode] = &[
        Mode::Normal,
        Mode::Postmortem,
        Mode::Actions,
        Mode::Metrics,
        Mode::Search,
        Mode::Dialog,
        Mode::Picker,
        Mode::Confirm,
        Mode::Help,
    ];
    pub fn name(self) -> &'static str {
        match self {
            Mode::Normal => "normal",
            Mode::Search => "search",
            Mode::Dialog => "dialog",
            Mode::Help => "help",
            Mode::Postmortem => "postmortem",
            Mode::Actions => "actions",
            Mode::Metrics => "metrics",
            Mode::Picker => "picker",
            Mode::Confirm => "confirm",
        }
    }
    fn parse(s: &str) -> Option<Mode> {
        Mode::ALL.iter().copied().find(|m| m.name() == s)
    }
}

/// What a key (so far) means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    Action(Action),
    /// The first key(s) of a chord: wait for more.
    Pending,
    /// Not bound: text inputs take it as typing.
    Unbound,
}

#[derive(Debug, Clone, Default)]
pub struct Keymap {
    maps: BTreeMap<Mode, BTreeMap<Vec<Key>, Action>>,
}

impl Keymap {
    /// Defaults, then the user's overrides in order.
    pub fn load(overrides: &[KeyBinding]) -> Result<Keymap, ConfigError> {
        let mut km = Keymap::default();
        for b in parse_defaults()? {
            km.bind(&b)?;
        }
        for b in overrides {
            km.bind(b)?;
        }
        km.check_conflicts(overrides)?;
        Ok(km)
    }

    /// The built-in map alone.
    pub fn defaults() -> Keymap {
        Keymap::load(&[]).expect("built-in keymap is valid")
    }

    fn bind(&mut self, b: &KeyBinding) -> Result<(), ConfigError> {
        let mode = Mode::parse(&b.mode).ok_or_else(|| {
            b.key.error(format!(
                "unknown key mode '{}': use one of normal, postmortem, actions, metrics, search, dialog, picker, confirm, help",
                b.mode
            ))
        })?;
        let chord = parse_chord(&b.key.value).map_err(|e| b.key.error(e))?;
        let map = self.maps.entry(mode).or_default();
        if b.action.value.trim().is_empty() {
            map.remove(&chord);
            return Ok(());
        }
        let action = Action::parse(b.action.value.trim()).ok_or_else(|| {
            b.action.error(format!(
                "unknown action '{}': see the action names with sev's ? help, e.g. acknowledge, add-note, resolve",
                b.action.value
            ))
        })?;
        map.insert(chord, action);
        Ok(())
    }

    /// A chord that is also the prefix of a longer chord can never reach the
    /// longer one: refuse it, naming where the user wrote it.
    fn check_conflicts(&self, overrides: &[KeyBinding]) -> Result<(), ConfigError> {
        for (mode, map) in &self.maps {
            for short in map.keys() {
                for long in map.keys() {
                    if long.len() > short.len() && long.starts_with(short) {
                        let show = |c: &[Key]| {
                            c.iter()
                                .map(|k| k.to_string())
                                .collect::<Vec<_>>()
                                .join(" ")
                        };
                        let at = overrides
                            .iter()
                            .rev()
                            .find(|b| {
                                b.mode == mode.name()
                                    && parse_chord(&b.key.value)
                                        .is_ok_and(|c| &c == short || &c == long)
                            })
                            .map(|b| b.key.clone())
                            .unwrap_or(Located {
                                value: String::new(),
                                file: DEFAULTS_NAME.into(),
                                line: 1,
                                column: 1,
                            });
                        return Err(at.error(format!(
                            "key '{}' conflicts with chord '{}' in [keys.{}]: one is a prefix of the other; unbind one (\"\")",
                            show(short),
                            show(long),
                            mode.name()
                        )));
                    }
                }
            }
        }
        Ok(())
    }

    /// Resolve the keys typed so far in `mode`.
    pub fn resolve(&self, mode: Mode, keys: &[Key]) -> Resolved {
        let Some(map) = self.maps.get(&mode) else {
            return Resolved::Unbound;
        };
        if let Some(a) = map.get(keys) {
            return Resolved::Action(*a);
        }
        if map
            .keys()
            .any(|c| c.len() > keys.len() && c.starts_with(keys))
        {
            return Resolved::Pending;
        }
        Resolved::Unbound
    }

    /// Bindings of a mode, grouped by action, in action order.
    pub fn bindings(&self, mode: Mode) -> Vec<(Action, Vec<String>)> {
        let mut by: BTreeMap<Action, Vec<String>> = BTreeMap::new();
        if let Some(map) = self.maps.get(&mode) {
            for (chord, a) in map {
                by.entry(*a).or_default().push(
                    chord
                        .iter()
                        .map(|k| k.to_string())
                        .collect::<Vec<_>>()
                        .join(" "),
                );
            }
        }
        for keys in by.values_mut() {
            // Short, plain keys first: "j" before "down".
            keys.sort_by_key(|k| (k.chars().count() > 1, k.len(), k.clone()));
        }
        by.into_iter().collect()
    }

    /// The first key bound to `action` in `mode`, for hints.
    pub fn key_for(&self, mode: Mode, action: Action) -> Option<String> {
        self.bindings(mode)
            .into_iter()
            .find(|(a, _)| *a == action)
            .and_then(|(_, k)| k.into_iter().next())
    }
}

fn parse_defaults() -> Result<Vec<KeyBinding>, ConfigError> {
    let table: toml::Table = toml::from_str(DEFAULTS).map_err(|e| ConfigError {
        file: DEFAULTS_NAME.into(),
        line: 1,
        column: 1,
        message: e.to_string(),
    })?;
    let mut out = Vec::new();
    for (mode, keys) in table {
        let Some(keys) = keys.as_table() else {
            continue;
        };
        for (k, v) in keys {
            let loc = |value: String| Located {
                value,
                file: DEFAULTS_NAME.into(),
                line: 1,
                column: 1,
            };
            out.push(KeyBinding {
                mode: mode.clone(),
                key: loc(k.clone()),
                action: loc(v.as_str().unwrap_or_default().to_string()),
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
