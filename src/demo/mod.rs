//! Realistic sample data: `sev demo`, tests and benchmarks all use this one
//! generator. Deterministic for a given seed and clock.
//!
//! Incidents are spread over several years (most of them long closed), with
//! most at SEV3–SEV4 and few SEV1, every workflow state represented among the
//! recent ones, and about ten timeline events each.

use crate::domain::{
    ActionId, ActionItem, ActionStatus, Event, EventKind, Impact, Incident, IncidentId, Kind,
    PmStatus, Postmortem, Priority, PriorityMatrix, Severity, Status, Urgency,
};
mod text;

use crate::store::BatchItem;
use chrono::{DateTime, Duration, NaiveDate, Utc};
pub use text::USERS;
use text::*;

/// Generates incidents ending near `now`. Incident `i` of `n` is older the
/// smaller `i` is, so ids grow with time like a real database.
pub struct Generator {
    rng: fastrand::Rng,
    now: DateTime<Utc>,
    n: usize,
    i: usize,
    matrix: PriorityMatrix,
    span: Duration,
}

impl Generator {
    pub fn new(n: usize, seed: u64, now: DateTime<Utc>) -> Generator {
        // Small sets are all recent; large ones cover years of history.
        let days = (n as i64 / 30).clamp(7, 4 * 365);
        Generator {
            rng: fastrand::Rng::with_seed(seed),
            now,
            n,
            i: 0,
            matrix: PriorityMatrix::default(),
            span: Duration::days(days),
        }
    }

    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.rng.usize(..xs.len())]
    }

    fn fill(&mut self, t: &str, service: &str) -> String {
        let mut out = t.replace("{s}", service);
        if out.contains("{r}") {
            let r = self.pick(REGIONS);
            out = out.replace("{r}", r);
        }
        if out.contains("{u}") {
            let u = self.pick(USERS);
            out = out.replace("{u}", u);
        }
        if out.contains("{n}") {
            out = out.replace("{n}", &self.rng.u32(2..99).to_string());
        }
        out
    }

    fn severity(&mut self) -> Severity {
        match self.rng.u32(0..100) {
            0..3 => Severity::Sev1,
            3..13 => Severity::Sev2,
            13..50 => Severity::Sev3,
            50..85 => Severity::Sev4,
            _ => Severity::Sev5,
        }
    }

    /// The final state for an incident this old.
    fn status(&mut self, age: Duration) -> Status {
        let r = self.rng.u32(0..100);
        if age < Duration::hours(6) {
            [
                Status::Triage,
                Status::Acknowledged,
                Status::Investigating,
                Status::Mitigated,
                Status::Resolved,
            ][r as usize % 5]
        } else if age < Duration::days(3) {
            match r {
                0..10 => Status::Investigating,
                10..20 => Status::Mitigated,
                20..60 => Status::Resolved,
                60..95 => Status::Closed,
                _ => Status::Cancelled,
            }
        } else {
            match r {
                0..4 => Status::Resolved,
                4..96 => Status::Closed,
                _ => Status::Cancelled,
            }
        }
    }

    /// Impact and urgency that fit a severity.
    fn levels(&mut self, severity: Severity) -> (Impact, Urgency) {
        match severity {
            Severity::Sev1 => (Impact::High, Urgency::High),
            Severity::Sev2 => (
                Impact::High,
                if self.rng.bool() {
                    Urgency::High
                } else {
                    Urgency::Medium
                },
            ),
            Severity::Sev3 => (
                Impact::Medium,
                if self.rng.bool() {
                    Urgency::Medium
                } else {
                    Urgency::High
                },
            ),
            Severity::Sev4 => (Impact::Low, Urgency::Medium),
            Severity::Sev5 => (Impact::Low, Urgency::Low),
        }
    }

    pub fn next_incident(&mut self) -> BatchItem {
        let (mut inc, status, cat) = self.logged();
        let mut tl = Timeline {
            events: Vec::with_capacity(12),
            t: inc.created_at,
            limit: self.now,
        };
        let title = inc.title.clone();
        tl.push(&inc.reporter, EventKind::Created, None, None, Some(title));
        if status == Status::Triage {
            return BatchItem {
                incident: inc,
                events: tl.events,
                postmortem: None,
                actions: Vec::new(),
            };
        }
        self.respond(&mut inc, &mut tl, status);
        inc.updated_at = tl.t;
        // One version per change, as if each had been a separate write.
        inc.version = tl
            .events
            .iter()
            .filter(|e| e.kind != EventKind::Note)
            .count() as i64;
        let (postmortem, actions) = self.follow_up(&inc, cat);
        BatchItem {
            incident: inc,
            events: tl.events,
            postmortem,
            actions,
        }
    }

    /// The next incident as logged, the state it is to reach, its category.
    fn logged(&mut self) -> (Incident, Status, &'static str) {
        let i = self.i;
        self.i += 1;
        // Position in time: evenly spread with jitter, newest last.
        let frac = (i as f64 + self.rng.f64()) / self.n.max(1) as f64;
        let back = self.span.num_seconds() as f64 * (1.0 - frac);
        let created = self.now - Duration::seconds(back as i64 + 60);
        let age = self.now - created;

        let service = self.pick(SERVICES);
        let (tpl, cat, kind) = TITLES[self.rng.usize(..TITLES.len())];
        let title = self.fill(tpl, service);
        let severity = self.severity();
        let (impact, urgency) = self.levels(severity);
        let priority: Priority = self.matrix.priority(impact, urgency);
        let reporter = self.pick(USERS).to_string();
        // The newest few cover every state, so even a small demo shows them all.
        let from_end = self.n - i;
        let status = if from_end <= Status::ALL.len() {
            Status::ALL[from_end - 1]
        } else {
            self.status(age)
        };
        let description = format!(
            "Alert fired for {service}. {}",
            self.fill(
                "First reports came from {r}; about {n}% of requests affected.",
                service
            )
        );
        let inc = Incident {
            id: IncidentId(0),
            title,
            description,
            kind,
            status: Status::Triage,
            severity,
            impact,
            urgency,
            priority,
            category: Some(cat.to_string()),
            service: Some(service.to_string()),
            tags: if severity <= Severity::Sev2 {
                vec!["customer-facing".into()]
            } else {
                vec![]
            },
            assignee: None,
            commander: None,
            scribe: None,
            comms: None,
            reporter,
            created_at: created,
            impact_started_at: Some(created - Duration::minutes(self.rng.i64(1..30))),
            detected_at: Some(created - Duration::minutes(self.rng.i64(0..2))),
            acknowledged_at: None,
            mitigated_at: None,
            resolved_at: None,
            closed_at: None,
            updated_at: created,
            resolution: None,
            cancel_reason: None,
            version: 1,
        };
        (inc, status, cat)
    }

    /// Someone takes it and works it to `status`, on the timeline.
    fn respond(&mut self, inc: &mut Incident, tl: &mut Timeline, status: Status) {
        let responder = self.pick(USERS).to_string();
        tl.wait(&mut self.rng, 600);
        tl.status(&responder, Status::Triage, Status::Acknowledged, None);
        tl.push(
            &responder,
            EventKind::Field,
            Some("assignee"),
            None,
            Some(responder.clone()),
        );
        inc.acknowledged_at = Some(tl.t);
        inc.assignee = Some(responder.clone());
        if inc.severity <= Severity::Sev2 {
            let ic = self.pick(USERS).to_string();
            let scribe = self.pick(USERS).to_string();
            tl.wait(&mut self.rng, 300);
            tl.push(
                &ic,
                EventKind::Field,
                Some("commander"),
                None,
                Some(ic.clone()),
            );
            tl.push(
                &ic,
                EventKind::Field,
                Some("scribe"),
                None,
                Some(scribe.clone()),
            );
            inc.commander = Some(ic);
            inc.scribe = Some(scribe);
        }
        self.work(inc, tl, &responder, status);
    }

    /// The responder investigates, then cancels, mitigates, resolves or
    /// closes, as far as `status`.
    fn work(&mut self, inc: &mut Incident, tl: &mut Timeline, responder: &str, status: Status) {
        let service = inc.service.clone().unwrap_or_default();
        let service = service.as_str();
        let responder = responder.to_string();
        let mut cur = Status::Acknowledged;
        if status != Status::Acknowledged {
            tl.wait(&mut self.rng, 900);
            tl.status(&responder, cur, Status::Investigating, None);
            cur = Status::Investigating;
            for _ in 0..self.rng.usize(2..6) {
                tl.wait(&mut self.rng, 1200);
                let note = self.pick(NOTES);
                let note = self.fill(note, service);
                let who = if self.rng.u8(0..3) == 0 {
                    self.pick(USERS).to_string()
                } else {
                    responder.clone()
                };
                tl.push(&who, EventKind::Note, None, None, Some(note));
            }
        }
        if status == Status::Cancelled {
            tl.wait(&mut self.rng, 600);
            let why = "Duplicate of an incident already being worked".to_string();
            tl.status(&responder, cur, Status::Cancelled, Some(why.clone()));
            inc.cancel_reason = Some(why);
            cur = Status::Cancelled;
        }
        if matches!(
            status,
            Status::Mitigated | Status::Resolved | Status::Closed
        ) {
            tl.wait(&mut self.rng, 3600);
            tl.status(&responder, cur, Status::Mitigated, None);
            inc.mitigated_at = Some(tl.t);
            cur = Status::Mitigated;
        }
        if matches!(status, Status::Resolved | Status::Closed) {
            tl.wait(&mut self.rng, 7200);
            let summary = self.pick(RESOLUTIONS).to_string();
            tl.status(&responder, cur, Status::Resolved, Some(summary.clone()));
            inc.resolved_at = Some(tl.t);
            inc.resolution = Some(summary);
            cur = Status::Resolved;
        }
        if status == Status::Closed {
            tl.wait(&mut self.rng, 86400 * 3);
            tl.status(&responder, cur, Status::Closed, None);
            inc.closed_at = Some(tl.t);
            cur = Status::Closed;
        }
        inc.status = cur;
    }
}

impl Generator {
    /// The learning after a severe incident: a postmortem and owned action
    /// items. Closed SEV1/SEV2 incidents meet the default close policy.
    fn follow_up(
        &mut self,
        inc: &Incident,
        category: &str,
    ) -> (Option<Postmortem>, Vec<ActionItem>) {
        let Some(resolved) = inc.resolved_at else {
            return (None, Vec::new());
        };
        if inc.severity > Severity::Sev2 {
            return (None, Vec::new());
        }
        let closed = inc.status == Status::Closed;
        let written = resolved + Duration::hours(self.rng.i64(4..72));
        let written = written.min(self.now).max(resolved);
        let mut pm = Postmortem::new(IncidentId(0), written);
        let minutes = (resolved - inc.impact_started_at.unwrap_or(inc.created_at)).num_minutes();
        let rc = ROOT_CAUSES
            .iter()
            .find(|(c, _)| *c == category)
            .map_or(ROOT_CAUSES[0].1, |(_, t)| t);
        pm.sections.insert(
            "summary".into(),
            format!("{}. Impact lasted about {minutes} minutes.", inc.title),
        );
        pm.sections.insert("root-cause".into(), rc.to_string());
        pm.sections.insert(
            "resolution".into(),
            inc.resolution.clone().unwrap_or_default(),
        );
        pm.sections
            .insert("lessons".into(), self.pick(LESSONS).to_string());
        if inc.kind == Kind::Security {
            pm.sections.insert(
                "data-exposure".into(),
                "No customer data was accessed; access logs for the exposure window were reviewed."
                    .into(),
            );
            pm.sections.insert(
                "disclosure".into(),
                "No notification obligation; security team informed.".into(),
            );
        }
        pm.owner = inc.commander.clone().or_else(|| inc.assignee.clone());
        pm.status = if closed {
            PmStatus::Published
        } else if self.rng.bool() {
            PmStatus::InReview
        } else {
            PmStatus::Draft
        };
        pm.published_at = closed.then_some(inc.closed_at.unwrap_or(written).max(written));
        pm.updated_at = pm.published_at.unwrap_or(written);
        pm.version = 1;
        let actions = self.actions_after(written);
        (Some(pm), actions)
    }

    /// One to three action items decided when the postmortem was written.
    fn actions_after(&mut self, written: DateTime<Utc>) -> Vec<ActionItem> {
        let today = self.now.date_naive();
        let n = self.rng.usize(1..4);
        let mut actions = Vec::with_capacity(n);
        for k in 0..n {
            let (desc, kind) = ACTIONS[self.rng.usize(..ACTIONS.len())];
            let due = (written + Duration::days(self.rng.i64(7..45))).date_naive();
            let status = self.action_status(due, today);
            // The owned first item is one the policy counts.
            let status = if k == 0 && status == ActionStatus::WontDo {
                ActionStatus::Done
            } else {
                status
            };
            // Done mostly a little before the due date, some late; drawn
            // without the generator so the rest of the demo stays the same.
            let done_at = (status == ActionStatus::Done).then(|| {
                let due_at = due.and_hms_opt(15, 0, 0).unwrap_or_default().and_utc();
                let at = if (desc.len() + k) % 4 == 0 {
                    due_at + Duration::days(6)
                } else {
                    due_at - Duration::days((desc.len() % 5) as i64)
                };
                at.clamp(written, self.now)
            });
            actions.push(ActionItem {
                id: ActionId(0),
                incident: IncidentId(0),
                description: desc.to_string(),
                kind,
                // The first always has an owner (the close policy asks for one).
                owner: if k == 0 || self.rng.bool() {
                    Some(self.pick(USERS).to_string())
                } else {
                    None
                },
                due: Some(due),
                status,
                created_at: written,
                updated_at: done_at.unwrap_or(written),
                done_at,
                version: 1,
            });
        }
        actions
    }

    /// Old items are mostly done; recent ones open, some overdue.
    fn action_status(&mut self, due: NaiveDate, today: NaiveDate) -> ActionStatus {
        if due < today - chrono::Days::new(30) {
            if self.rng.u8(0..10) == 0 {
                ActionStatus::WontDo
            } else {
                ActionStatus::Done
            }
        } else if due < today && self.rng.bool() {
            ActionStatus::Done
        } else if self.rng.u8(0..3) == 0 {
            ActionStatus::InProgress
        } else {
            ActionStatus::Open
        }
    }
}

/// Builds one incident's timeline with time moving forward, never past `limit`.
struct Timeline {
    events: Vec<Event>,
    t: DateTime<Utc>,
    limit: DateTime<Utc>,
}

impl Timeline {
    fn wait(&mut self, rng: &mut fastrand::Rng, max_secs: i64) {
        self.t = (self.t + Duration::seconds(rng.i64(30..max_secs.max(31)))).min(self.limit);
    }

    fn push(
        &mut self,
        actor: &str,
        kind: EventKind,
        field: Option<&str>,
        old: Option<String>,
        new: Option<String>,
    ) {
        let text = if matches!(kind, EventKind::Note | EventKind::Created) {
            new.clone()
        } else {
            None
        };
        let new = if text.is_some() { None } else { new };
        self.events.push(Event {
            id: 0,
            incident: IncidentId(0),
            at: self.t,
            actor: actor.to_string(),
            kind,
            field: field.map(str::to_string),
            old,
            new,
            text,
        });
    }

    fn status(&mut self, actor: &str, old: Status, new: Status, text: Option<String>) {
        self.events.push(Event {
            id: 0,
            incident: IncidentId(0),
            at: self.t,
            actor: actor.to_string(),
            kind: EventKind::Status,
            field: Some("status".into()),
            old: Some(old.to_string()),
            new: Some(new.to_string()),
            text,
        });
    }
}

impl Iterator for Generator {
    type Item = BatchItem;
    fn next(&mut self) -> Option<Self::Item> {
        (self.i < self.n).then(|| self.next_incident())
    }
}

#[cfg(test)]
mod tests;
