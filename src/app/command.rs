//! The `:` command line: the CLI's verbs, acting on the selected incident.
//!
//! `:ack`, `:status mitigated`, `:resolve rolled back the deploy`, `:close`,
//! `:reopen`, `:cancel duplicate of INC-7`, `:assign alice`, `:take`,
//! `:set severity=SEV1 impact=high`, `:note text…`, `:sev 2`, `:impact high`,
//! `:urgency low`, `:category dns`, `:service api`, `:tags a,b`,
//! `:commander bob`, `:scribe carol`, `:comms dave`, `:title …`,
//! `:new title…`, `:42` or `:INC-42` (jump), `:open`, `:all`, `:mine`, `:q`.

use super::{App, Overlay};
use crate::domain::{Field, IncidentId, NewIncident, Status, Transition};
use crate::error::{Error, Result};
use crate::keymap::Action;
use crate::ops::{Edit, parse_assignment};
use crate::store::Scope;
use ratatui::crossterm::event::KeyEvent;

pub const COMMAND_VERBS: &str = "ack, status S, resolve TEXT, close, reopen, cancel TEXT, assign [U], take, set F=V…, note TEXT, \
sev N, impact X, urgency X, category X, service X, tags X, commander U, scribe U, comms U, title TEXT, new TITLE, N (go to), open, all, mine, q";

impl App {
    pub(super) fn command_action(&mut self, a: Action, _ev: KeyEvent) {
        match a {
            Action::Accept | Action::Save => {
                let Overlay::Command { input } = &self.overlay else {
                    return;
                };
                let line = input.trim().to_string();
                self.overlay = Overlay::None;
                if !line.is_empty() {
                    self.run_command(&line);
                }
            }
            Action::Cancel | Action::Discard => self.overlay = Overlay::None,
            _ => {}
        }
    }

    pub fn run_command(&mut self, line: &str) {
        let line = line.trim_start_matches(':').trim();
        let (verb, rest) = match line.split_once(char::is_whitespace) {
            Some((v, r)) => (v.to_ascii_lowercase(), r.trim().to_string()),
            None => (line.to_ascii_lowercase(), String::new()),
        };
        // Verbs that need no incident.
        match verb.as_str() {
            "q" | "quit" | "exit" => {
                self.quit = true;
                return;
            }
            "help" | "h" => {
                self.overlay = Overlay::Help { scroll: 0 };
                return;
            }
            "open" | "all" | "mine" => {
                self.set_facets(|f| match verb.as_str() {
                    "open" => f.scope = Scope::Open,
                    "all" => f.scope = Scope::All,
                    _ => f.mine = !f.mine,
                });
                return;
            }
            "new" => {
                if !self.writable() {
                    return;
                }
                let r = self.ctx().create(&NewIncident {
                    title: rest,
                    ..Default::default()
                });
                if let Some(inc) = self.report(r) {
                    self.after_write(Ok(format!("{} logged", inc.id)));
                    self.select_id(inc.id);
                }
                return;
            }
            _ => {}
        }
        if let Ok(id) = verb.parse::<IncidentId>() {
            return self.goto(id);
        }
        if !self.writable() {
            return;
        }
        let Some(id) = self.list.selected_id() else {
            return self.error("no incident selected");
        };
        let r = self.incident_command(id, &verb, &rest);
        self.after_write(r);
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

    fn incident_command(&mut self, id: IncidentId, verb: &str, rest: &str) -> Result<String> {
        let cx = self.ctx();
        let need = |what: &str| -> Result<String> {
            if rest.is_empty() {
                Err(Error::Usage(format!(":{verb} needs {what}")))
            } else {
                Ok(rest.to_string())
            }
        };
        let set = |f: Field, v: String| -> Result<String> {
            let i = cx.set(id, &[Edit::new(f, v)], None)?;
            Ok(format!(
                "{id} {} is now {}",
                f.name(),
                f.get(&i).unwrap_or_else(|| "—".into())
            ))
        };
        match verb {
            "ack" | "acknowledge" => cx
                .acknowledge(id, None)
                .map(|_| format!("{id} acknowledged")),
            "status" | "st" => {
                let s: Status = need("a state")?.parse()?;
                let t = match s {
                    Status::Resolved => {
                        return Err(Error::Usage(format!(
                            "use :resolve SUMMARY to resolve {id}"
                        )));
                    }
                    Status::Cancelled => {
                        return Err(Error::Usage(format!("use :cancel REASON to cancel {id}")));
                    }
                    s => Transition::To(s),
                };
                let i = if s == Status::Acknowledged {
                    cx.acknowledge(id, None)?
                } else {
                    cx.transition(id, &t, None)?
                };
                Ok(format!("{id} is now {}", i.status))
            }
            "resolve" => {
                let summary = need("a summary: :resolve rolled back the deploy")?;
                cx.transition(id, &Transition::Resolve { summary }, None)
                    .map(|_| format!("{id} resolved"))
            }
            "close" => cx
                .transition(id, &Transition::To(Status::Closed), None)
                .map(|_| format!("{id} closed")),
            "reopen" => cx
                .transition(id, &Transition::Reopen, None)
                .map(|_| format!("{id} reopened")),
            "cancel" => {
                let reason = need("a reason: :cancel duplicate of INC-7")?;
                cx.transition(id, &Transition::Cancel { reason }, None)
                    .map(|_| format!("{id} cancelled"))
            }
            "assign" => set(
                Field::Assignee,
                if rest.is_empty() {
                    cx.me().to_string()
                } else {
                    rest.to_string()
                },
            ),
            "take" | "ic" | "command" => cx
                .take_command(id)
                .map(|_| format!("you are incident commander of {id}")),
            "note" => cx
                .note(id, &need("text: :note what you found")?)
                .map(|_| format!("note added to {id}")),
            "set" => {
                let edits = rest
                    .split_whitespace()
                    .map(parse_assignment)
                    .collect::<Result<Vec<_>>>()?;
                let before = self.store.get(id)?;
                let after = cx.set(id, &edits, None)?;
                Ok(if before.version == after.version {
                    format!("{id}: no change")
                } else {
                    format!("{id} updated")
                })
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
