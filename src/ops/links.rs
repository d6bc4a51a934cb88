//! Linking and merging incidents, shared by the CLI (`sev link`, `sev
//! merge`) and the TUI (merge the marked incidents).

use super::Ctx;
use crate::domain::{Incident, IncidentId, Status, Transition, apply_transition};
use crate::error::{Error, Result};
use crate::store::{LinkEvent, LinkKind, LinkRow, NewLink, Record};

/// What merging one incident did.
#[derive(Debug)]
pub struct Merged {
    /// The duplicate, as saved (cancelled).
    pub from: Incident,
    /// It had been merged into the same incident before: nothing changed
    /// but the move of any alert still on it.
    pub already: bool,
    /// How many alerts moved to the incident merged into (in the same
    /// transaction as the merge).
    pub alerts: usize,
}

/// The reason a merged incident is cancelled with.
pub fn duplicate_reason(into: IncidentId) -> String {
    format!("duplicate of {into}")
}

impl Ctx<'_> {
    /// Record that `a` and `b` are related, with an event on both
    /// timelines. `Ok(false)`: they were linked already (nothing written).
    pub fn link(&self, a: IncidentId, b: IncidentId, note: Option<&str>) -> Result<bool> {
        if a == b {
            return Err(Error::Usage(format!(
                "cannot link {a} to itself: name two different incidents"
            )));
        }
        let note = note
            .map(|n| crate::text::fold_lines(n).trim().to_string())
            .filter(|n| !n.is_empty());
        let with_note = |s: String| match &note {
            Some(n) => format!("{s}: {n}"),
            None => s,
        };
        let l = NewLink {
            a,
            b,
            kind: LinkKind::Related,
            on_a: LinkEvent {
                relation: "related",
                text: with_note(format!("linked to {b} (related)")),
            },
            on_b: LinkEvent {
                relation: "related",
                text: with_note(format!("linked to {a} (related)")),
            },
            note,
        };
        self.store.link(&l, &self.actor, self.now())
    }

    /// Merge `from` into `into`: `from` ends cancelled as "duplicate of
    /// INTO" with a link and an event on both timelines, and its alerts
    /// (with the groups that fed it) move to `into` — one transaction;
    /// nothing of `from`'s timeline moves.
    pub fn merge(&self, into: IncidentId, from: IncidentId) -> Result<Merged> {
        if into == from {
            return Err(Error::Usage(format!(
                "cannot merge {into} into itself: name the incident that stays first, then its duplicates"
            )));
        }
        let reason = duplicate_reason(into);
        let current = self.store.get(from)?;
        let links = self.store.links(from)?;
        let merged_into = |row: &LinkRow| {
            let (other, relation) = row.seen_from(from);
            (relation == "duplicate-of").then_some(other)
        };
        let earlier = links.iter().find_map(merged_into);
        if current.status == Status::Cancelled
            && let Some(before) = earlier
        {
            if before != into {
                return Err(Error::Usage(format!(
                    "{from} was already merged into {before}: merge {before} instead, or reopen {from} first"
                )));
            }
            // Merged before: nothing to change but an alert that reached it
            // since (none can through a group: the groups moved too).
            return Ok(Merged {
                from: current,
                already: true,
                alerts: self.store.move_alerts(from, into)?,
            });
        }
        let l = NewLink {
            a: from,
            b: into,
            kind: LinkKind::Duplicate,
            note: None,
            on_a: LinkEvent {
                relation: "duplicate-of",
                text: format!("merged into {into} as a duplicate; its alerts move there"),
            },
            on_b: LinkEvent {
                relation: "merged",
                text: format!(
                    "{from} merged into this incident (cancelled as a duplicate; its timeline stays on {from})"
                ),
            },
        };
        let (saved, alerts) =
            self.store
                .merge(&l, &self.actor, self.now(), |inc, target, now| {
                    if target.status == Status::Cancelled {
                        return Err(Error::Usage(format!(
                            "{} is cancelled: merge into the incident that stays open",
                            target.id
                        )));
                    }
                    if matches!(inc.status, Status::Resolved | Status::Closed) {
                        return Err(Error::Usage(format!(
                            "{} is {}: only an open incident can be merged (sev reopen {} first)",
                            inc.id, inc.status, inc.id.0
                        )));
                    }
                    let t = Transition::Cancel {
                        reason: reason.clone(),
                    };
                    let old = apply_transition(inc, &t, now)?;
                    Ok(vec![Record::Status {
                        old,
                        new: inc.status,
                        text: Some(reason.clone()),
                    }])
                })?;
        Ok(Merged {
            from: saved,
            already: false,
            alerts,
        })
    }
}
