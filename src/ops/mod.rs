//! The workflow verbs, shared by the CLI and the TUI: each is domain rules
//! applied inside one store transaction.

use crate::clock::Clock;
use crate::config::Config;
use crate::domain::DomainError;
use crate::domain::{
    self, Field, Incident, IncidentId, NewIncident, Status, Transition, apply_transition,
};
use crate::error::{Conflict, Error, Result};
use crate::store::{Record, Store};

mod links;
mod postmortem;
pub use links::{Merged, duplicate_reason};
pub use postmortem::{
    ActionEdit, NewAction, PostmortemView, SectionWrite, parse_action_assignment,
};

/// Who is acting, on what, with which rules and clock.
pub struct Ctx<'a> {
    pub store: &'a Store,
    pub config: &'a Config,
    pub actor: String,
    pub clock: &'a dyn Clock,
}

/// One requested field change. `seen` is the value the person was looking at
/// when they made the change; when given, the write is refused as a conflict
/// if someone else changed that field in the meantime.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub field: Field,
    pub value: String,
    pub seen: Option<Option<String>>,
}

impl Edit {
    pub fn new(field: Field, value: impl Into<String>) -> Edit {
        Edit {
            field,
            value: value.into(),
            seen: None,
        }
    }
    pub fn seen(mut self, inc: &Incident) -> Edit {
        self.seen = Some(self.field.get(inc));
        self
    }
}

/// Parse `field=value` (as in `sev set 42 severity=SEV1`).
pub fn parse_assignment(s: &str) -> Result<Edit> {
    let (k, v) = s.split_once('=').ok_or_else(|| {
        Error::Usage(format!(
            "'{}' is not field=value: write e.g. severity=SEV2 or assignee=alice",
            crate::text::sanitize_line(s)
        ))
    })?;
    Ok(Edit::new(k.parse::<Field>()?, v))
}

/// Times given when logging an incident, as typed (see
/// [`Ctx::create_with_times`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GivenTimes {
    pub impact_started: Option<String>,
    pub detected: Option<String>,
}

/// Build a new incident from what the person gave and the config defaults.
pub fn build(
    new: &NewIncident,
    config: &Config,
    reporter: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Incident> {
    // Single-line fields: line breaks fold into one space (see text::fold_lines).
    let fold = |s: &String| crate::text::fold_lines(s).into_owned();
    let folded = NewIncident {
        title: fold(&new.title),
        category: new.category.as_ref().map(fold),
        service: new.service.as_ref().map(fold),
        tags: new.tags.iter().map(fold).collect(),
        assignee: new.assignee.as_ref().map(fold),
        ..new.clone()
    };
    let new = &folded;
    new.validate()?;
    let d = &config.defaults;
    if let Some(c) = &new.category {
        config.check_taxonomy(Field::Category, c)?;
    }
    if let Some(s) = &new.service {
        config.check_taxonomy(Field::Service, s)?;
    }
    if let Some(a) = &new.assignee {
        domain::validate_user(a)?;
    }
    let impact = new.impact.unwrap_or(d.impact);
    let urgency = new.urgency.unwrap_or(d.urgency);
    let clean = |o: &Option<String>| {
        o.as_ref()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty() && s != "-")
    };
    Ok(Incident {
        id: IncidentId(0),
        title: new.title.trim().to_string(),
        description: new.description.trim_end().to_string(),
        kind: new.kind.unwrap_or(d.kind),
        status: Status::Triage,
        severity: new.severity.unwrap_or(d.severity),
        impact,
        urgency,
        priority: config.priority.priority(impact, urgency),
        category: clean(&new.category),
        service: clean(&new.service),
        tags: domain::parse_tags(&new.tags.join(",")),
        assignee: clean(&new.assignee),
        commander: None,
        scribe: None,
        comms: None,
        reporter: reporter.to_string(),
        created_at: now,
        impact_started_at: new.impact_started_at,
        detected_at: new.detected_at,
        acknowledged_at: None,
        mitigated_at: None,
        resolved_at: None,
        closed_at: None,
        updated_at: now,
        resolution: None,
        cancel_reason: None,
        version: 1,
    })
}

fn conflict(
    inc: &Incident,
    field: &str,
    stored: Option<String>,
    attempted: Option<String>,
) -> Error {
    Error::Conflict(Box::new(Conflict {
        reference: inc.id.to_string(),
        field: field.to_string(),
        stored,
        attempted,
        stored_version: inc.version,
    }))
}

/// Apply edits to an incident in memory (inside a store transaction).
fn apply_edits(
    config: &Config,
    inc: &mut Incident,
    edits: &[Edit],
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<Record>> {
    let mut records = Vec::new();
    for e in edits {
        let current = e.field.get(inc);
        if let Some(seen) = &e.seen
            && current != *seen
        {
            // Someone else changed this field. Fine only if they set exactly
            // what we wanted too.
            let mut probe = inc.clone();
            e.field.apply(&mut probe, &e.value, &config.priority, now)?;
            if e.field.get(&probe) != current {
                return Err(conflict(inc, e.field.name(), current, e.field.get(&probe)));
            }
            continue;
        }
        config.check_taxonomy(e.field, &e.value)?;
        let changes = e.field.apply(inc, &e.value, &config.priority, now)?;
        records.extend(changes.into_iter().map(Record::Field));
    }
    // Checked once all edits are in, so both times can move together.
    domain::check_times(inc)?;
    Ok(records)
}

impl Ctx<'_> {
    /// The login of the person acting (for "assign to me", "mine").
    pub fn me(&self) -> &str {
        crate::identity::login_of(&self.actor)
    }

    pub(crate) fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    pub fn create(&self, new: &NewIncident) -> Result<Incident> {
        let inc = build(new, self.config, &self.actor, self.now())?;
        self.store.insert(&inc, &self.actor)
    }

    /// [`Ctx::create`] with times as a person typed them (`-10m`, `10m
    /// ago`, RFC 3339): relative ones count back from the time the write
    /// stores — on PostgreSQL the server's, like the incident's own
    /// `created_at` — never from this host's clock, which may drift.
    pub fn create_with_times(&self, new: &NewIncident, given: &GivenTimes) -> Result<Incident> {
        let inc = build(new, self.config, &self.actor, self.now())?;
        self.store.insert_with(&inc, &self.actor, |inc, now| {
            if let Some(v) = &given.impact_started {
                inc.impact_started_at = domain::parse_when(Field::ImpactStartedAt, v, now)?;
            }
            if let Some(v) = &given.detected {
                inc.detected_at = domain::parse_when(Field::DetectedAt, v, now)?;
            }
            domain::check_times(inc)?;
            Ok(())
        })
    }

    /// Change fields. `expect_version` refuses the whole change if the
    /// incident moved on at all (scripts); per-edit `seen` values refuse only
    /// when the same field was changed by someone else (people).
    pub fn set(
        &self,
        id: IncidentId,
        edits: &[Edit],
        expect_version: Option<i64>,
    ) -> Result<Incident> {
        if edits.is_empty() {
            return Err(Error::Usage(
                "nothing to set: give one or more field=value".into(),
            ));
        }
        self.store.modify(id, &self.actor, self.now(), |inc, view| {
            // The write's time (the server's on PostgreSQL), not the client's.
            let now = view.now();
            if let Some(v) = expect_version
                && (v < 1 || v > inc.version)
            {
                // Versions only grow: this one was never the incident's, so
                // it is a wrong argument, not a race with someone else.
                return Err(Error::Usage(format!(
                    "{} is at version {}; --if-version {v} is not a version it has had (sev show {} prints the current one)",
                    inc.id, inc.version, inc.id
                )));
            }
            // A closed record is what was reviewed: change it only after a
            // reopen, which puts the close policy in force again.
            domain::check_editable(inc)?;
            if let Some(v) = expect_version
                && inc.version != v
            {
                let e = &edits[0];
                let mut probe = inc.clone();
                let attempted = e
                    .field
                    .apply(&mut probe, &e.value, &self.config.priority, now)
                    .ok()
                    .and(e.field.get(&probe));
                return Err(conflict(inc, e.field.name(), e.field.get(inc), attempted));
            }
            apply_edits(self.config, inc, edits, now)
        })
    }

    /// Move an incident through the workflow. `seen` is the status the
    /// person saw; if it moved on meanwhile, the move is refused.
    /// Resolving while alerts still fire is refused (see
    /// [`Ctx::transition_forced`]).
    pub fn transition(
        &self,
        id: IncidentId,
        t: &Transition,
        seen: Option<Status>,
    ) -> Result<Incident> {
        self.transition_forced(id, t, seen, false)
    }

    /// [`Ctx::transition`]; with `force`, resolving while alerts still
    /// fire goes ahead and the status event says how many were firing.
    pub fn transition_forced(
        &self,
        id: IncidentId,
        t: &Transition,
        seen: Option<Status>,
        force: bool,
    ) -> Result<Incident> {
        self.store.modify(id, &self.actor, self.now(), |inc, view| {
            let now = view.now();
            check_seen_status(inc, seen, t.target())?;
            // Checked in the same transaction as the move: an alert that
            // fires meanwhile is counted.
            let firing = if t.target() == Status::Resolved && inc.status.is_open() {
                view.open_alerts(id)?
            } else {
                0
            };
            if firing > 0 && !force {
                return Err(DomainError::AlertsFiring {
                    reference: id.to_string(),
                    open: firing,
                }
                .into());
            }
            if t.target() == Status::Closed {
                // The close policy, checked in the same transaction as the close.
                let pm = view.postmortem(id)?;
                let actions = view.actions(id)?;
                // The policy applies to the most severe the incident ever
                // was, so lowering the severity first does not avoid it.
                let worst = view.worst_severity(inc)?;
                domain::check_close(&self.config.postmortem, inc, worst, pm.as_ref(), &actions)?;
            }
            let old = apply_transition(inc, t, now)?;
            let mut text = match t {
                Transition::Resolve { summary } => Some(summary.trim().to_string()),
                Transition::Cancel { reason } => Some(reason.trim().to_string()),
                _ => None,
            };
            if firing > 0 {
                let s = if firing == 1 { "" } else { "s" };
                let said = text.map(|t| format!("{t} ")).unwrap_or_default();
                text = Some(format!(
                    "{said}(resolved while {firing} alert{s} still fired, confirmed by {})",
                    self.me()
                ));
            }
            Ok(vec![Record::Status {
                old,
                new: inc.status,
                text,
            }])
        })
    }

    /// Acknowledge: "I've got it". Takes the incident if nobody has it.
    pub fn acknowledge(&self, id: IncidentId, seen: Option<Status>) -> Result<Incident> {
        self.store.modify(id, &self.actor, self.now(), |inc, view| {
            let now = view.now();
            check_seen_status(inc, seen, Status::Acknowledged)?;
            let old = apply_transition(inc, &Transition::To(Status::Acknowledged), now)?;
            let mut records = vec![Record::Status {
                old,
                new: inc.status,
                text: None,
            }];
            if inc.assignee.is_none() {
                let ch = Field::Assignee.apply(inc, self.me(), &self.config.priority, now)?;
                records.extend(ch.into_iter().map(Record::Field));
            }
            Ok(records)
        })
    }

    /// Move an incident to a status: the one path the CLI's `status`, the
    /// `:status` line and the status picker share. `text` is the summary or
    /// reason the move needs (see [`domain::StatusMove`]).
    pub fn move_to(
        &self,
        id: IncidentId,
        to: Status,
        text: Option<&str>,
        seen: Option<Status>,
    ) -> Result<Incident> {
        self.move_to_forced(id, to, text, seen, false)
    }

    /// [`Ctx::move_to`]; `force` as in [`Ctx::transition_forced`].
    pub fn move_to_forced(
        &self,
        id: IncidentId,
        to: Status,
        text: Option<&str>,
        seen: Option<Status>,
        force: bool,
    ) -> Result<Incident> {
        let m = domain::StatusMove::to(to);
        if m.acknowledge {
            self.acknowledge(id, seen)
        } else {
            self.transition_forced(id, &m.transition(text), seen, force)
        }
    }

    /// Become incident commander (a no-op if already).
    pub fn take_command(&self, id: IncidentId) -> Result<Incident> {
        self.set(id, &[Edit::new(Field::Commander, self.me())], None)
    }

    pub fn note(&self, id: IncidentId, text: &str) -> Result<domain::Event> {
        self.store.add_note(id, &self.actor, self.now(), text)
    }

    /// Record a command's run on the timeline (after it finished: one
    /// short write).
    pub fn record_evidence(
        &self,
        id: IncidentId,
        e: &domain::evidence::Evidence,
    ) -> Result<domain::Event> {
        self.store
            .add_evidence(id, &self.actor, self.now(), &e.to_text())
    }
}

/// Another responder, for tests: their own connection to the same file, the
/// config, and a clock shared with the rest of the test.
#[cfg(test)]
pub(crate) struct Responder {
    pub store: Store,
    pub config: Config,
    pub clock: crate::clock::FixedClock,
}

#[cfg(test)]
impl Responder {
    pub fn ctx(&self, actor: &str) -> Ctx<'_> {
        Ctx {
            store: &self.store,
            config: &self.config,
            actor: actor.into(),
            clock: &self.clock,
        }
    }
}

fn check_seen_status(inc: &Incident, seen: Option<Status>, target: Status) -> Result<()> {
    match seen {
        Some(s) if s != inc.status => Err(conflict(
            inc,
            "status",
            Some(inc.status.to_string()),
            Some(target.to_string()),
        )),
        _ => Ok(()),
    }
}
