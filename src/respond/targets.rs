//! Response targets ("SLA clocks"): per priority, how long until an
//! incident is acknowledged and until it is resolved, each optionally
//! counted in business hours only. Pure: `now` and the reopen are passed in.
//!
//! A clock runs from the start of the incident's current *cycle* — when it
//! was logged (what `sev report` measures time to acknowledge from), or its
//! latest reopen — and stops when the state is reached: acknowledged (or
//! any later state) for `acknowledge`, resolved or closed for `resolve`.
//! Cancelling stops both without a verdict. Times in a clock (`left`,
//! `took`, `by`) are counted on the clock's calendar: business time when
//! `business_hours` is set, else wall time; `due` is the instant.

use super::targets_hours as business;
use crate::calendar::Hours;
use crate::domain::{Incident, Priority, Status};
use chrono::{DateTime, Duration, Utc};

/// The targets of one priority.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target {
    pub acknowledge: Option<Duration>,
    pub resolve: Option<Duration>,
    /// Count only the business hours of `[hours]`.
    pub business_hours: bool,
}

/// `[response]`: a [`Target`] per priority, P1 first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Targets(pub [Target; 5]);

impl Default for Targets {
    /// P1 5m / 4h and P2 15m / 8h around the clock; P3 1h / 24h, P4 8h /
    /// 40h and P5 16h / 80h in business hours (with 8-hour days: P3 is
    /// resolved within three business days, P4 within a week, P5 two).
    fn default() -> Targets {
        let t = |ack: i64, res: i64, business_hours| Target {
            acknowledge: Some(Duration::minutes(ack)),
            resolve: Some(Duration::minutes(res)),
            business_hours,
        };
        Targets([
            t(5, 4 * 60, false),
            t(15, 8 * 60, false),
            t(60, 24 * 60, true),
            t(8 * 60, 40 * 60, true),
            t(16 * 60, 80 * 60, true),
        ])
    }
}

impl Targets {
    pub fn get(&self, p: Priority) -> &Target {
        &self.0[usize::from(p.level() - 1)]
    }
    pub fn get_mut(&mut self, p: Priority) -> &mut Target {
        &mut self.0[usize::from(p.level() - 1)]
    }

    /// The clocks of `inc` at `now`. `reopen` is its latest reopen (see
    /// [`reopen_in`] and `Store::reopens`), if it was ever reopened.
    pub fn clocks(
        &self,
        inc: &Incident,
        reopen: Option<&crate::store::Reopen>,
        hours: &Hours,
        now: DateTime<Utc>,
    ) -> Clocks {
        let t = self.get(inc.priority);
        let start = reopen.map_or(inc.created_at, |r| r.at.max(inc.created_at));
        let cycle = Cycle {
            start,
            reopen_event: reopen.map_or(0, |r| r.event),
        };
        let cal = Calendar {
            hours: t.business_hours.then_some(hours),
        };
        let stop_ack = match (inc.acknowledged_at, inc.status) {
            (Some(a), _) => Stop::Reached(a.max(start)),
            (None, Status::Triage) => Stop::Open,
            (None, Status::Cancelled) => Stop::Cancelled,
            // A later state with no time recorded (imported): reached.
            (None, _) => Stop::Reached(start),
        };
        let stop_res = match (inc.resolved_at.or(inc.closed_at), inc.status) {
            (Some(r), _) => Stop::Reached(r.max(start)),
            (None, Status::Cancelled) => Stop::Cancelled,
            (None, Status::Resolved | Status::Closed) => Stop::Reached(start),
            (None, _) => Stop::Open,
        };
        let make = |kind, target: Option<Duration>, stop| {
            target.map(|target| cal.clock(kind, target, start, stop, now))
        };
        Clocks {
            cycle,
            acknowledge: make(ClockKind::Acknowledge, t.acknowledge, stop_ack),
            resolve: make(ClockKind::Resolve, t.resolve, stop_res),
        }
    }
}

/// The latest reopen on a timeline (oldest first): a status event from
/// resolved, closed or cancelled back to investigating.
pub fn reopen_in(events: &[crate::domain::Event]) -> Option<crate::store::Reopen> {
    events
        .iter()
        .rev()
        .find(|e| {
            e.kind == crate::domain::EventKind::Status
                && e.new.as_deref() == Some(Status::Investigating.as_str())
                && matches!(e.old.as_deref(), Some("resolved" | "closed" | "cancelled"))
        })
        .map(|e| crate::store::Reopen {
            event: e.id,
            at: e.at,
        })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ClockKind {
    Acknowledge,
    Resolve,
}

impl ClockKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ClockKind::Acknowledge => "acknowledge",
            ClockKind::Resolve => "resolve",
        }
    }
}

/// Where a clock stands. Amounts are counted on the clock's calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Not reached, not due: `left` of the target remains.
    Running { left: Duration },
    /// Not reached and past due (since `Clock::due`), over by `by`.
    Breached { by: Duration },
    /// Reached at `at`, on time.
    Met { at: DateTime<Utc>, took: Duration },
    /// Reached at `at`, after it was due: over by `by`.
    MetLate {
        at: DateTime<Utc>,
        took: Duration,
        by: Duration,
    },
    /// The incident was cancelled first: stopped, no verdict.
    Cancelled,
}

impl State {
    pub fn name(self) -> &'static str {
        match self {
            State::Running { .. } => "running",
            State::Breached { .. } => "breached",
            State::Met { .. } => "met",
            State::MetLate { .. } => "met_late",
            State::Cancelled => "cancelled",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    pub kind: ClockKind,
    pub target: Duration,
    pub business_hours: bool,
    pub start: DateTime<Utc>,
    pub due: DateTime<Utc>,
    pub state: State,
}

impl Clock {
    /// Missed in this cycle: still running past due, or reached late.
    pub fn is_breached(&self) -> bool {
        matches!(self.state, State::Breached { .. } | State::MetLate { .. })
    }
    pub fn is_running(&self) -> bool {
        matches!(self.state, State::Running { .. } | State::Breached { .. })
    }
}

/// The start of the current cycle: the incident's creation, or its latest
/// reopen (`reopen_event` is that event's id, 0 when never reopened).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cycle {
    pub start: DateTime<Utc>,
    pub reopen_event: i64,
}

/// An incident's clocks; `None` where its priority has no such target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clocks {
    pub cycle: Cycle,
    pub acknowledge: Option<Clock>,
    pub resolve: Option<Clock>,
}

impl Clocks {
    pub fn iter(&self) -> impl Iterator<Item = &Clock> {
        self.acknowledge.iter().chain(self.resolve.iter())
    }
    /// Any clock missed in this cycle (running past due, or met late).
    pub fn breached(&self) -> bool {
        self.iter().any(Clock::is_breached)
    }
    /// A clock still running, not breached yet, due within `d` of `now`.
    pub fn breaching_within(&self, d: Duration, now: DateTime<Utc>) -> bool {
        self.iter()
            .any(|c| matches!(c.state, State::Running { .. }) && c.due - now <= d)
    }
    /// The running clock due first (breached or not).
    pub fn next(&self) -> Option<&Clock> {
        self.iter().filter(|c| c.is_running()).min_by_key(|c| c.due)
    }
}

enum Stop {
    Open,
    Reached(DateTime<Utc>),
    Cancelled,
}

/// Wall time, or the business hours of `[hours]`.
struct Calendar<'a> {
    hours: Option<&'a Hours>,
}

impl Calendar<'_> {
    fn add(&self, t: DateTime<Utc>, d: Duration) -> DateTime<Utc> {
        match self.hours {
            Some(h) => business::add(h, t, d),
            None => t + d,
        }
    }
    fn between(&self, a: DateTime<Utc>, b: DateTime<Utc>) -> Duration {
        match self.hours {
            Some(h) => business::between(h, a, b),
            None => (b - a).max(Duration::zero()),
        }
    }
    fn clock(
        &self,
        kind: ClockKind,
        target: Duration,
        start: DateTime<Utc>,
        stop: Stop,
        now: DateTime<Utc>,
    ) -> Clock {
        let due = self.add(start, target);
        let state = match stop {
            Stop::Cancelled => State::Cancelled,
            Stop::Reached(at) if at <= due => State::Met {
                at,
                took: self.between(start, at),
            },
            Stop::Reached(at) => State::MetLate {
                at,
                took: self.between(start, at),
                by: self.between(due, at),
            },
            Stop::Open if now < due => State::Running {
                left: self.between(now.max(start), due),
            },
            Stop::Open => State::Breached {
                by: self.between(due, now),
            },
        };
        Clock {
            kind,
            target,
            business_hours: self.hours.is_some(),
            start,
            due,
            state,
        }
    }
}
