//! The `:` command line: the CLI's verbs, acting on the selected incident.
//!
//! `:ack`, `:status mitigated`, `:resolve rolled back the deploy`, `:close`,
//! `:reopen`, `:cancel duplicate of INC-7`, `:assign alice`, `:take`,
//! `:set severity=SEV1 impact=high`, `:note text…`, `:sev 2`, `:impact high`,
//! `:urgency low`, `:category dns`, `:service api`, `:tags a,b`,
//! `:commander bob`, `:scribe carol`, `:comms dave`, `:title …`,
//! `:new title…`, `:run CMD ARGS…` (evidence), `:update` (the stakeholder
//! update form), `:42` or `:INC-42` (jump),
//! `:open`, `:all`, `:mine`, `:q`.

use super::dialog::PromptFor;
use super::run::Op;
use super::view::HelpView;
use super::{App, Outcome, View};
use crate::domain::{Field, IncidentId, NewIncident, Status};
use crate::error::{Error, Result};
use crate::keymap::{Action, Mode};
use crate::ops::{Edit, parse_assignment};
use crate::store::Scope;

/// Verbs Tab completes.
const VERBS: &[&str] = &[
    "ack",
    "status",
    "resolve",
    "close",
    "reopen",
    "cancel",
    "assign",
    "take",
    "set",
    "note",
    "run",
    "update",
    "sev",
    "impact",
    "urgency",
    "category",
    "service",
    "tags",
    "commander",
    "scribe",
    "comms",
    "title",
    "new",
    "open",
    "all",
    "mine",
    "help",
    "quit",
];

pub const COMMAND_VERBS: &str = "ack, status S, resolve TEXT, close, reopen, cancel TEXT, assign [U], take, set F=V…, note TEXT, \
run CMD ARGS…, update, sev N, impact X, urgency X, category X, service X, tags X, commander U, scribe U, comms U, title TEXT, new TITLE, N (go to), open, all, mine, q";

/// A state by name or by a prefix only one state has (`mitig`).
pub fn parse_state(s: &str) -> Result<Status> {
    if let Ok(st) = s.parse::<Status>() {
        return Ok(st);
    }
    let l = s.trim().to_ascii_lowercase();
    let hits: Vec<Status> = Status::ALL
        .iter()
        .copied()
        .filter(|st| !l.is_empty() && st.as_str().starts_with(&l))
        .collect();
    match hits.as_slice() {
        [one] => Ok(*one),
        _ => Err(s.parse::<Status>().unwrap_err().into()),
    }
}

impl App {
    pub(super) fn command_key(&mut self, a: Action) -> Outcome {
        match a {
            Action::Accept | Action::Save => {
                let Some(View::Command { input, .. }) = self.stack.pop() else {
                    return Outcome::Stay;
                };
                let line = input.trim().to_string();
                if line.is_empty() {
                    return Outcome::Stay;
                }
                self.drafts.remember(&line);
                self.drafts_changed();
                self.run_command(&line);
                Outcome::Stay
            }
            // Esc keeps what was typed, like every other dialog: the next
            // `:` brings it back. Discarding is the discard key's job.
            Action::Cancel => {
                if let Some(View::Command { input, .. }) = self.stack.last()
                    && !input.trim().is_empty()
                {
                    self.drafts.command = Some(input.clone());
                    self.drafts_changed();
                    let key = self.key(crate::keymap::Mode::Normal, Action::CommandLine);
                    self.info(format!("command line kept — {key} brings it back"));
                }
                Outcome::Pop
            }
            Action::Discard => Outcome::Pop,
            Action::Up | Action::Down => {
                let n = self.drafts.history.len();
                let Some(View::Command {
                    input,
                    recall,
                    typed,
                    candidates,
                }) = self.stack.last_mut()
                else {
                    return Outcome::Stay;
                };
                candidates.clear();
                if recall.is_none() {
                    // Leaving the line being typed: keep it for ↓.
                    *typed = input.clone();
                }
                let next = match (a, *recall) {
                    (Action::Up, None) if n > 0 => Some(n - 1),
                    (Action::Up, Some(i)) => Some(i.saturating_sub(1)),
                    (Action::Down, Some(i)) if i + 1 < n => Some(i + 1),
                    (Action::Down, _) => None,
                    (_, r) => r,
                };
                *recall = next;
                *input = match next {
                    Some(i) => self.drafts.history.get(i).cloned().unwrap_or_default(),
                    None => typed.clone(),
                };
                Outcome::Stay
            }
            Action::NextField => {
                let Some(View::Command { input, .. }) = self.stack.last() else {
                    return Outcome::Stay;
                };
                let line = input.clone();
                let (done, choices) = self.complete_command(&line);
                if let Some(View::Command {
                    input, candidates, ..
                }) = self.stack.last_mut()
                {
                    *input = done;
                    *candidates = choices;
                }
                Outcome::Stay
            }
            _ => Outcome::Stay,
        }
    }

    /// Tab on the `:` line: complete the word being typed — a verb, a
    /// state, a field name, a known person or service — as far as it is
    /// unambiguous. When Tab cannot go further, the candidates come back
    /// to be shown.
    pub(super) fn complete_command(&mut self, line: &str) -> (String, Vec<String>) {
        let (head, word) = match line.rfind(' ') {
            Some(i) => (&line[..=i], &line[i + 1..]),
            None => ("", line),
        };
        let verb = head
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        let owned = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let candidates: Vec<String> = if head.is_empty() {
            owned(VERBS)
        } else {
            match verb.as_str() {
                "status" | "st" => Status::ALL.iter().map(|s| s.to_string()).collect(),
                "set" => Field::ALL
                    .iter()
                    .map(|f| format!("{}=", f.name()))
                    .collect(),
                "assign" | "commander" | "scribe" | "comms" => {
                    self.store.known_people().unwrap_or_default()
                }
                "service" => {
                    let mut v = self.config.taxonomy.services.clone();
                    v.extend(self.store.distinct_services().unwrap_or_default());
                    v
                }
                "category" => self.config.taxonomy.categories.clone(),
                "impact" | "urgency" => owned(&["high", "medium", "low"]),
                _ => Vec::new(),
            }
        };
        let w = word.to_lowercase();
        let hits: Vec<&String> = candidates
            .iter()
            .filter(|c| c.to_lowercase().starts_with(&w))
            .collect();
        let Some(first) = hits.first() else {
            return (line.to_string(), Vec::new());
        };
        if hits.len() == 1 {
            let sep = if first.ends_with('=') { "" } else { " " };
            return (format!("{head}{first}{sep}"), Vec::new());
        }
        // The longest prefix they share.
        let mut common: String = first.to_string();
        for h in &hits[1..] {
            while !h.to_lowercase().starts_with(&common.to_lowercase()) {
                common.pop();
            }
        }
        if common.chars().count() > word.chars().count() {
            (format!("{head}{common}"), Vec::new())
        } else {
            // Nothing more Tab can decide: show what there is to choose.
            (
                line.to_string(),
                hits.into_iter().map(|h| h.to_string()).collect(),
            )
        }
    }

    /// Run a `:` line as if typed. A line that is not a valid command is
    /// kept for correction.
    pub fn run_command(&mut self, line: &str) {
        match self.parse_command(line) {
            Ok(o) => self.apply(o),
            Err(e) => {
                self.drafts.command = Some(line.trim_start_matches(':').to_string());
                self.drafts_changed();
                let key = self.key(Mode::Normal, Action::CommandLine);
                self.error(format!(
                    "{e} — any key closes this; {key} then brings your text back to correct it"
                ));
            }
        }
    }

    /// What a `:` line asks for. A usage mistake is an error; operations
    /// run through [`Outcome::Run`].
    fn parse_command(&mut self, line: &str) -> Result<Outcome> {
        let line = line.trim_start_matches(':').trim();
        let (verb, rest) = match line.split_once(char::is_whitespace) {
            Some((v, r)) => (v.to_ascii_lowercase(), r.trim().to_string()),
            None => (line.to_ascii_lowercase(), String::new()),
        };
        // Verbs that need no incident.
        match verb.as_str() {
            "q" | "quit" | "exit" => return Ok(Outcome::Quit),
            "help" | "h" => return Ok(Outcome::Push(View::Help(HelpView::default()))),
            "open" | "all" | "mine" => {
                self.set_facets(|f| match verb.as_str() {
                    "open" => f.scope = Scope::Open,
                    "all" => f.scope = Scope::All,
                    _ => f.mine = !f.mine,
                });
                return Ok(Outcome::Stay);
            }
            "new" => {
                if !self.writable() {
                    return Ok(Outcome::Stay);
                }
                return Ok(Outcome::Run(Op::Create(NewIncident {
                    title: rest,
                    ..Default::default()
                })));
            }
            _ => {}
        }
        if let Ok(id) = verb.parse::<IncidentId>() {
            self.goto(id);
            return Ok(Outcome::Stay);
        }
        if !self.writable() {
            return Ok(Outcome::Stay);
        }
        let Some(id) = self.list.selected_id() else {
            return Err(Error::Usage("no incident selected".into()));
        };
        self.incident_command(id, &verb, &rest)
    }

    fn goto(&mut self, id: IncidentId) {
        if self.select_id(id) {
            return;
        }
        // Not in this view: widen to all incidents and try again.
        if let Err(e) = self.store.get(id) {
            return self.error(e.to_string());
        }
        self.filter.clear();
        self.list.facets = Default::default();
        self.list.facets.scope = Scope::All;
        let r = self.reload();
        self.report(r);
        if self.select_id(id) {
            self.info(format!("showing all incidents to reach {id}"));
        }
    }

    fn incident_command(&mut self, id: IncidentId, verb: &str, rest: &str) -> Result<Outcome> {
        let need = |what: &str| -> Result<String> {
            if rest.is_empty() {
                Err(Error::Usage(format!(":{verb} needs {what}")))
            } else {
                Ok(rest.to_string())
            }
        };
        let set = |f: Field, v: String| -> Result<Outcome> {
            Ok(Outcome::Run(Op::Set {
                id,
                edits: vec![Edit::new(f, v)],
            }))
        };
        let text = (!rest.is_empty()).then(|| rest.to_string());
        match verb {
            "ack" | "acknowledge" => Ok(Outcome::Run(Op::Acknowledge { id, seen: None })),
            "status" | "st" => {
                let (state, text) = match need("a state")?.split_once(char::is_whitespace) {
                    Some((s, t)) => (s.to_string(), Some(t.trim().to_string())),
                    None => (rest.to_string(), None),
                };
                let to = parse_state(&state)?;
                let inc = self.store.get(id)?;
                Ok(self.move_to(inc, to, text))
            }
            "resolve" => {
                let inc = self.store.get(id)?;
                Ok(self.move_to(inc, Status::Resolved, text))
            }
            "cancel" => {
                let inc = self.store.get(id)?;
                Ok(self.move_to(inc, Status::Cancelled, text))
            }
            "close" => {
                let inc = self.store.get(id)?;
                Ok(self.move_to(inc, Status::Closed, None))
            }
            "reopen" => {
                let inc = self.store.get(id)?;
                Ok(self.move_to(inc, Status::Investigating, None))
            }
            "assign" => set(
                Field::Assignee,
                if rest.is_empty() {
                    self.me().to_string()
                } else {
                    rest.to_string()
                },
            ),
            "take" | "ic" | "command" => Ok(Outcome::Run(Op::TakeCommand(id))),
            "note" => Ok(Outcome::Run(Op::Note {
                id,
                text: need("text: :note what you found")?,
            })),
            "run" => self.run_evidence(id, rest),
            "update" | "upd" => {
                if !rest.is_empty() {
                    return Err(Error::Usage(
                        ":update opens the update form: write the update there".into(),
                    ));
                }
                let inc = self.store.get(id)?;
                Ok(self.prompt(inc, PromptFor::Update))
            }
            "set" => {
                let edits = rest
                    .split_whitespace()
                    .map(parse_assignment)
                    .collect::<Result<Vec<_>>>()?;
                Ok(Outcome::Run(Op::Set { id, edits }))
            }
            other => match other.parse::<Field>() {
                Ok(f) => set(f, need("a value")?),
                Err(_) => Err(Error::Usage(format!(
                    "unknown command :{other} — try {COMMAND_VERBS}"
                ))),
            },
        }
    }
}
