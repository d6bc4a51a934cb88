//! The status transition table and the timestamp rules that go with it.
//!
//! ```text
//! triage → acknowledged → investigating → mitigated → resolved → closed
//! ```
//! Skipping forward is allowed (a false alarm goes straight from triage to
//! resolved); the timestamps of skipped steps are filled with the same time,
//! so they are never out of order. `mitigated → investigating` records a
//! mitigation that did not hold. Reopen takes resolved, closed or cancelled
//! back to investigating. Cancel (with a reason) works from any open state.

use super::{DomainError, Incident, Status};
use chrono::{DateTime, Utc};

/// What a person asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transition {
    To(Status),
    Resolve { summary: String },
    Cancel { reason: String },
    Reopen,
}

impl Transition {
    pub fn target(&self) -> Status {
        match self {
            Transition::To(s) => *s,
            Transition::Resolve { .. } => Status::Resolved,
            Transition::Cancel { .. } => Status::Cancelled,
            Transition::Reopen => Status::Investigating,
        }
    }
}

/// What moving to a status asks of the person, decided once for the CLI,
/// the `:` line and the status picker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needs {
    /// Nothing more: the move can run at once.
    Nothing,
    /// A resolution summary (what fixed it).
    Summary,
    /// A reason (why this is not an incident).
    Reason,
}

/// Which operation a move to `to` means and what it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusMove {
    pub to: Status,
    pub needs: Needs,
    /// Acknowledging is its own operation: it also takes an unassigned
    /// incident for the person acting.
    pub acknowledge: bool,
}

impl StatusMove {
    pub fn to(to: Status) -> StatusMove {
        StatusMove {
            to,
            needs: match to {
                Status::Resolved => Needs::Summary,
                Status::Cancelled => Needs::Reason,
                _ => Needs::Nothing,
            },
            acknowledge: to == Status::Acknowledged,
        }
    }

    /// The transition for this move with the text it needs (ignored when it
    /// needs none). Moving a finished incident to investigating is a reopen;
    /// [`apply_transition`] sees that itself.
    pub fn transition(&self, text: Option<&str>) -> Transition {
        let text = text.unwrap_or_default().to_string();
        match self.needs {
            Needs::Summary => Transition::Resolve { summary: text },
            Needs::Reason => Transition::Cancel { reason: text },
            Needs::Nothing => Transition::To(self.to),
        }
    }

    /// A one-line description for pickers.
    pub fn describe(&self, from: Status) -> &'static str {
        let finished = matches!(from, Status::Resolved | Status::Closed | Status::Cancelled);
        match self.to {
            Status::Acknowledged => "someone has it (assigns you if unassigned)",
            Status::Investigating if finished => "reopen: it is not over after all",
            Status::Investigating if from == Status::Mitigated => "the mitigation did not hold",
            Status::Investigating => "working on the cause",
            Status::Mitigated => "impact stopped, cause not fixed yet",
            Status::Resolved => "impact over — asks for a summary",
            Status::Closed => "all follow-up done",
            Status::Cancelled => "not an incident — asks for a reason",
            Status::Triage => "",
        }
    }
}

/// The states one may move to from `from`.
pub fn legal_targets(from: Status) -> &'static [Status] {
    use Status::*;
    match from {
        Triage => &[Acknowledged, Investigating, Mitigated, Resolved, Cancelled],
        Acknowledged => &[Investigating, Mitigated, Resolved, Cancelled],
        Investigating => &[Mitigated, Resolved, Cancelled],
        Mitigated => &[Investigating, Resolved, Cancelled],
        Resolved => &[Closed, Investigating],
        Closed => &[Investigating],
        Cancelled => &[Investigating],
    }
}

fn legal_list(from: Status) -> String {
    let l = legal_targets(from);
    if l.is_empty() {
        "none".into()
    } else {
        l.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
    }
}

/// Apply a transition to an incident in memory. Returns the old status. The
/// caller records the event and persists the row.
pub fn apply_transition(
    inc: &mut Incident,
    t: &Transition,
    now: DateTime<Utc>,
) -> Result<Status, DomainError> {
    let from = inc.status;
    let to = t.target();
    let finished = matches!(from, Status::Resolved | Status::Closed | Status::Cancelled);
    // Moving a finished incident back to investigating *is* a reopen.
    let reopen = finished && to == Status::Investigating;
    let refused_reopen = matches!(t, Transition::Reopen) && !finished;
    if refused_reopen || from == to || !legal_targets(from).contains(&to) {
        return Err(DomainError::IllegalTransition {
            reference: inc.id.to_string(),
            from,
            to,
            legal: legal_list(from),
        });
    }
    needs_text(inc, t)?;

    // Never go back in time, even if this host's clock is behind another's.
    let at = now.max(inc.latest_milestone());
    stamp(inc, from, to, reopen, at);
    match t {
        Transition::Resolve { summary } => inc.resolution = Some(summary.trim().to_string()),
        Transition::Cancel { reason } => inc.cancel_reason = Some(reason.trim().to_string()),
        _ => {}
    }
    inc.status = to;
    inc.updated_at = at;
    Ok(from)
}

/// Resolving needs a summary and cancelling a reason.
fn needs_text(inc: &Incident, t: &Transition) -> Result<(), DomainError> {
    match t {
        Transition::To(Status::Resolved) => {
            return Err(DomainError::Missing(format!(
                "resolving {} needs a resolution summary: say what fixed it (e.g. sev resolve {} --summary \"rolled back deploy\")",
                inc.id, inc.id.0
            )));
        }
        Transition::To(Status::Cancelled) => {
            return Err(DomainError::Missing(format!(
                "cancelling {} needs a reason (e.g. sev cancel {} --reason \"duplicate of INC-7\")",
                inc.id, inc.id.0
            )));
        }
        Transition::Resolve { summary } if summary.trim().is_empty() => {
            return Err(DomainError::Missing(format!(
                "resolving {} needs a resolution summary: say what fixed it",
                inc.id
            )));
        }
        Transition::Cancel { reason } if reason.trim().is_empty() => {
            return Err(DomainError::Missing(format!(
                "cancelling {} needs a reason: say why it is not an incident",
                inc.id
            )));
        }
        _ => {}
    }
    Ok(())
}

/// Set the milestone times moving to `to` means (clear them on a reopen).
fn stamp(inc: &mut Incident, from: Status, to: Status, reopen: bool, at: DateTime<Utc>) {
    let fill = |slot: &mut Option<DateTime<Utc>>| {
        if slot.is_none() {
            *slot = Some(at);
        }
    };
    match to {
        Status::Acknowledged | Status::Investigating if !reopen => {
            fill(&mut inc.acknowledged_at);
            if from == Status::Mitigated {
                // The mitigation did not hold: impact is ongoing again.
                inc.mitigated_at = None;
            }
        }
        Status::Mitigated => {
            fill(&mut inc.acknowledged_at);
            fill(&mut inc.mitigated_at);
        }
        Status::Resolved => {
            fill(&mut inc.acknowledged_at);
            fill(&mut inc.mitigated_at);
            fill(&mut inc.resolved_at);
        }
        Status::Closed => fill(&mut inc.closed_at),
        Status::Cancelled => {}
        Status::Investigating => {
            // reopen
            inc.resolved_at = None;
            inc.closed_at = None;
            inc.mitigated_at = None;
            inc.resolution = None;
            inc.cancel_reason = None;
            fill(&mut inc.acknowledged_at);
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    pub(crate) fn sample(now: DateTime<Utc>) -> Incident {
        crate::domain::incident::sample_incident(1, now)
    }

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap()
    }

    fn transition_for(to: Status) -> Transition {
        match to {
            Status::Resolved => Transition::Resolve {
                summary: "fixed".into(),
            },
            Status::Cancelled => Transition::Cancel {
                reason: "dup".into(),
            },
            s => Transition::To(s),
        }
    }

    #[test]
    fn every_pair_matches_the_table() {
        for &from in Status::ALL {
            for &to in Status::ALL {
                let mut inc = sample(t0());
                inc.status = from;
                let t = transition_for(to);
                let ok = apply_transition(&mut inc, &t, t0()).is_ok();
                assert_eq!(ok, legal_targets(from).contains(&to), "{from} → {to}");
            }
        }
    }

    #[test]
    fn illegal_transition_names_legal_states() {
        let mut inc = sample(t0());
        let e = apply_transition(&mut inc, &Transition::To(Status::Closed), t0()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "cannot move INC-1 from triage to closed: legal next states are acknowledged, investigating, mitigated, resolved, cancelled"
        );
        assert_eq!(inc.status, Status::Triage);
    }

    #[test]
    fn resolve_needs_summary_and_skip_fills_timestamps() {
        let mut inc = sample(t0());
        assert!(apply_transition(&mut inc, &Transition::To(Status::Resolved), t0()).is_err());
        assert!(
            apply_transition(
                &mut inc,
                &Transition::Resolve {
                    summary: " ".into()
                },
                t0()
            )
            .is_err()
        );
        let later = t0() + chrono::Duration::minutes(9);
        apply_transition(
            &mut inc,
            &Transition::Resolve {
                summary: "false alarm".into(),
            },
            later,
        )
        .unwrap();
        assert_eq!(inc.acknowledged_at, Some(later));
        assert_eq!(inc.mitigated_at, Some(later));
        assert_eq!(inc.resolved_at, Some(later));
        assert_eq!(inc.resolution.as_deref(), Some("false alarm"));
    }

    #[test]
    fn reopen_only_from_finished_states() {
        let mut inc = sample(t0());
        assert!(apply_transition(&mut inc, &Transition::Reopen, t0()).is_err());
        apply_transition(
            &mut inc,
            &Transition::Resolve {
                summary: "x".into(),
            },
            t0(),
        )
        .unwrap();
        apply_transition(&mut inc, &Transition::To(Status::Closed), t0()).unwrap();
        apply_transition(&mut inc, &Transition::Reopen, t0()).unwrap();
        assert_eq!(inc.status, Status::Investigating);
        assert_eq!(inc.closed_at, None);
        assert_eq!(inc.resolved_at, None);
        assert!(inc.acknowledged_at.is_some());
    }

    #[test]
    fn clock_behind_never_puts_timestamps_out_of_order() {
        let mut inc = sample(t0());
        let earlier = t0() - chrono::Duration::hours(1);
        apply_transition(&mut inc, &Transition::To(Status::Acknowledged), earlier).unwrap();
        assert_eq!(inc.acknowledged_at, Some(t0()));
    }

    fn assert_ordered(inc: &Incident) {
        let ms: Vec<_> = inc.milestones().into_iter().flatten().collect();
        for w in ms.windows(2) {
            assert!(w[0] <= w[1], "out of order: {:?}", inc.milestones());
        }
        // A resolved incident has ack/mitigated set; an open one has no resolved time.
        if inc.status == Status::Resolved || inc.status == Status::Closed {
            assert!(
                inc.acknowledged_at.is_some()
                    && inc.mitigated_at.is_some()
                    && inc.resolved_at.is_some()
            );
        }
        if inc.status.is_open() {
            assert!(inc.resolved_at.is_none() && inc.closed_at.is_none());
        }
    }

    proptest! {
        #[test]
        fn random_sequences_keep_timestamps_ordered(
            steps in proptest::collection::vec((0usize..8, -3600i64..7200), 1..40)
        ) {
            let mut inc = sample(t0());
            let mut now = t0();
            for (choice, delta) in steps {
                now += chrono::Duration::seconds(delta); // clocks may even jump back
                let t = match choice {
                    7 => Transition::Reopen,
                    n => transition_for(Status::ALL[n.min(6)]),
                };
                let before = inc.clone();
                match apply_transition(&mut inc, &t, now) {
                    Ok(_) => assert_ordered(&inc),
                    Err(_) => prop_assert_eq!(&inc, &before, "a refused transition must change nothing"),
                }
            }
        }
    }
}
