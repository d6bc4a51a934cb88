//! Operations: the one place the TUI calls `ops`. Views never write; they
//! return [`Outcome::Run`](super::view::Outcome) with an [`Op`], and
//! [`App::run`] carries it out with the same `ops` functions as the CLI.

use super::App;
use crate::domain::{ActionId, IncidentId, Mark, NewIncident, PmStatus, Status};
use crate::error::Result;
use crate::ops::{ActionEdit, Ctx, Edit, NewAction, PostmortemView};

/// A change a view asks for.
#[derive(Debug, Clone)]
pub enum Op {
    Create(NewIncident),
    Acknowledge {
        id: IncidentId,
        seen: Option<Status>,
    },
    TakeCommand(IncidentId),
    /// Move to a status: the one transition path (with the summary or
    /// reason the move needs).
    Move {
        id: IncidentId,
        to: Status,
        text: Option<String>,
        seen: Option<Status>,
        /// Resolve even though alerts still fire (the person confirmed).
        force: bool,
    },
    Set {
        id: IncidentId,
        edits: Vec<Edit>,
    },
    Note {
        id: IncidentId,
        text: String,
    },
    /// Post a stakeholder update.
    Update {
        id: IncidentId,
        update: crate::paging::update::Update,
    },
    /// Record a finished `:run` on the timeline.
    Evidence {
        id: IncidentId,
        record: crate::domain::evidence::Evidence,
    },
    PmStatus {
        id: IncidentId,
        status: PmStatus,
    },
    Section {
        id: IncidentId,
        key: &'static str,
        text: String,
    },
    PmOwner {
        id: IncidentId,
        owner: String,
    },
    Mark {
        id: IncidentId,
        event: i64,
        mark: Mark,
    },
    AddAction {
        id: IncidentId,
        new: NewAction,
    },
    EditAction {
        id: ActionId,
        edits: Vec<ActionEdit>,
    },
    ActionDone(ActionId),
    /// One verb on several incidents (the marked ones), each its own change.
    Bulk {
        ids: Vec<IncidentId>,
        what: super::bulk::BulkOp,
    },
    /// Leave sev (asked for by a confirmation, never a write).
    Quit,
}

/// What a finished operation reports.
pub struct Done {
    pub message: String,
    /// An incident to select afterwards (a new one).
    pub select: Option<IncidentId>,
}

impl Done {
    fn say(message: String) -> Done {
        Done {
            message,
            select: None,
        }
    }
}

impl App {
    pub(super) fn ops(&self) -> Ctx<'_> {
        Ctx {
            store: &self.store,
            config: &self.config,
            actor: self.actor.clone(),
            clock: self.clock.as_ref(),
        }
    }

    /// The context other engineers' tests use to seed data.
    #[cfg(test)]
    pub(crate) fn ctx(&self) -> Ctx<'_> {
        self.ops()
    }

    /// Today in local time, as `ops` reckons due dates.
    pub(super) fn today(&self) -> chrono::NaiveDate {
        self.ops().today()
    }

    /// Read what the postmortem pane shows.
    pub(super) fn postmortem_view(&self, id: IncidentId) -> Result<PostmortemView> {
        self.ops().postmortem_view(id)
    }

    /// Carry out an operation. The only place the TUI changes the record.
    pub fn run(&self, op: &Op) -> Result<Done> {
        let cx = self.ops();
        let field_now = |id: IncidentId, f: crate::domain::Field, i: &crate::domain::Incident| {
            let v = f.get(i).unwrap_or_else(|| "—".into());
            format!(
                "{id} {} is now {}",
                f.name(),
                crate::text::truncate(&crate::text::sanitize_line(&v), 50)
            )
        };
        Ok(match op {
            Op::Create(new) => {
                let inc = cx.create(new)?;
                Done {
                    message: format!("{} logged as {} {}", inc.id, inc.severity, inc.priority),
                    select: Some(inc.id),
                }
            }
            Op::Acknowledge { id, seen } => {
                let before = self.store.get(*id)?;
                if matches!(
                    before.status,
                    Status::Acknowledged | Status::Investigating | Status::Mitigated
                ) {
                    // Already acknowledged: not an error. Take it if nobody has it.
                    let by = before.assignee.clone().unwrap_or_else(|| "someone".into());
                    if before.assignee.is_none() {
                        cx.set(
                            *id,
                            &[Edit::new(crate::domain::Field::Assignee, cx.me())],
                            None,
                        )?;
                        return Ok(Done::say(format!(
                            "{id} was already {} — you are now its assignee",
                            before.status
                        )));
                    }
                    return Ok(Done::say(format!(
                        "{id} is already {} (assignee {by})",
                        before.status
                    )));
                }
                let i = cx.acknowledge(*id, *seen)?;
                Done::say(format!(
                    "{id} acknowledged — assignee {}",
                    i.assignee.unwrap_or_default()
                ))
            }
            Op::TakeCommand(id) => {
                cx.take_command(*id)?;
                Done::say(format!("you are incident commander of {id}"))
            }
            Op::Move {
                id,
                to,
                text,
                seen,
                force,
            } => {
                let i = cx.move_to_forced(*id, *to, text.as_deref(), *seen, *force)?;
                Done::say(format!("{id} is now {}", i.status))
            }
            Op::Set { id, edits } => {
                let before = self.store.get(*id)?;
                let i = cx.set(*id, edits, None)?;
                if before.version == i.version {
                    Done::say(format!("{id}: no change"))
                } else if let [e] = edits.as_slice() {
                    Done::say(field_now(*id, e.field, &i))
                } else if edits.len() == 2
                    && edits
                        .iter()
                        .any(|e| e.field == crate::domain::Field::Impact)
                {
                    Done::say(format!(
                        "{id} impact {} × urgency {} → {}",
                        i.impact, i.urgency, i.priority
                    ))
                } else {
                    Done::say(format!("{id} updated"))
                }
            }
            Op::Note { id, text } => {
                cx.note(*id, text)?;
                Done::say(format!("note added to {id}"))
            }
            Op::Update { id, update } => {
                let (_, to) = crate::paging::update::post(
                    cx.store,
                    &cx.config.paging,
                    *id,
                    &cx.actor,
                    update,
                    cx.now(),
                )?;
                Done::say(if to.is_empty() {
                    format!("update posted to {id}'s timeline (no stakeholder channels configured)")
                } else {
                    format!("update posted to {id}'s timeline and {}", to.join(", "))
                })
            }
            Op::Evidence { id, record } => {
                cx.record_evidence(*id, record)?;
                Done::say(format!("{id}: recorded — {}", record.headline()))
            }
            Op::PmStatus { id, status } => {
                let p = cx.set_pm_status(*id, *status)?;
                Done::say(format!("{id} postmortem is {}", p.status))
            }
            Op::Section { id, key, text } => {
                let (_, done) = cx.write_section(*id, key, text)?;
                Done::say(done.describe(*id, key))
            }
            Op::PmOwner { id, owner } => {
                cx.set_pm_owner(*id, owner)?;
                Done::say(format!("{id} postmortem owner set"))
            }
            Op::Mark { id, event, mark } => {
                cx.set_mark(*id, *event, mark)?;
                Done::say("timeline entry marked".into())
            }
            Op::AddAction { id, new } => {
                let a = cx.add_action(*id, new)?;
                Done::say(format!("{} added to {}", a.id, a.incident))
            }
            Op::EditAction { id, edits } => {
                let a = cx.edit_action(*id, edits)?;
                Done::say(format!("{} saved", a.id))
            }
            Op::ActionDone(id) => {
                cx.action_done(*id)?;
                Done::say(format!("{id} done"))
            }
            Op::Bulk { ids, what } => self.run_bulk(ids, what).0,
            Op::Quit => Done::say(String::new()),
        })
    }
}
