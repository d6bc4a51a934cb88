//! The `:` command line: the CLI's verbs, acting on the selected incident.
//!
//! `:ack`, `:status mitigated`, `:resolve rolled back the deploy`, `:close`,
//! `:reopen`, `:cancel duplicate of INC-7`, `:assign alice`, `:take`,
//! `:set severity=SEV1 impact=high`, `:note text…`, `:sev 2`, `:impact high`,
//! `:urgency low`, `:category dns`, `:service api`, `:tags a,b`,
//! `:commander bob`, `:scribe carol`, `:comms dave`, `:title …`,
//! `:new title…`, `:42` or `:INC-42` (jump), `:open`, `:all`, `:mine`, `:q`.

use super::run::Op;
use super::view::HelpView;
use super::{App, Outcome, View};
use crate::domain::{Field, IncidentId, NewIncident, Status};
use crate::error::{Error, Result};
use crate::keymap::{Action, Mode};
use crate::ops::{Edit, parse_assignment};
use crate::store::Scope;

pub const COMMAND_VERBS: &str = "ack, status S, resolve TEXT, close, reopen, cancel TEXT, assign [U], take, set F=V…, note TEXT, \
sev N, impact X, urgency X, category X, service X, tags X, commander U, scribe U, comms U, title TEXT, new TITLE, N (go to), open, all, mine, q";

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
                let Some(View::Command { input }) = self.stack.pop() else {
                    return Outcome::Stay;
                };
                let line = input.trim().to_string();
                if line.is_empty() {
                    return Outcome::Stay;
                }
                self.run_command(&line);
                Outcome::Stay
            }
            Action::Cancel | Action::Discard => Outcome::Pop,
            _ => Outcome::Stay,
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
                self.error(format!("{e} ({key} brings your text back to correct it)"));
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
