//! The escalation tick, run by `sev serve` every few seconds by the one
//! instance holding the timer lease. In one write transaction it
//!
//! 1. stops the escalation of every incident that left triage
//!    (acknowledged: "stopped"; resolved, closed or cancelled: "cancelled")
//!    and cancels its pages not yet delivered;
//! 2. starts one for every incident in triage that its service's (or the
//!    default) policy covers — again after a reopen;
//! 3. runs the steps that are due: each target (a user, or whoever is on
//!    call on a schedule now) gets one outbox row per contact method, and
//!    the timeline says who was paged, how, and at which step.
//!
//! The outbox rows are written in the same transaction as the timeline
//! events that announce them: a page is either recorded and queued, or
//! neither. Delivery is `super::deliver`'s.

use super::Directory;
use super::config::{Paging, Policy, Target};
use crate::domain::{Event, EventKind, Incident, IncidentId, Status};
use crate::error::Result;
use crate::intake::config_file::show_duration;
use crate::store::Store;
use crate::store::respond::{EscalationRow, OutboxRow, RespondTx};
use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};

/// The actor of escalation events.
pub const ACTOR: &str = "sev:escalation";

/// What one tick did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ticked {
    pub started: usize,
    pub stopped: usize,
    pub steps: usize,
    pub queued: usize,
    /// It stopped at [`MOST`] of something: tick again at once.
    pub more: bool,
}

/// Most escalations one tick starts, stops or steps: the tick holds the
/// write lock, and a storm of thousands of new incidents must not hold
/// it for seconds (every other writer waits). The rest wait for the next
/// tick, which the worker runs at once.
pub const MOST: usize = 100;

fn std_to_chrono(d: std::time::Duration) -> Duration {
    Duration::from_std(d).unwrap_or(Duration::zero())
}

pub(super) fn event(id: IncidentId, at: DateTime<Utc>, text: String) -> Event {
    Event {
        id: 0,
        incident: id,
        at,
        actor: ACTOR.into(),
        kind: EventKind::Page,
        field: None,
        old: None,
        new: None,
        text: Some(text),
    }
}

/// A short stable key for a notification (sent with every attempt).
pub fn idem_key(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0u8]);
    }
    let d = h.finalize();
    let hex: String = d.iter().take(12).map(|b| format!("{b:02x}")).collect();
    format!("sev-{hex}")
}

/// One tick over the whole database.
pub fn tick(
    store: &Store,
    cfg: &Paging,
    dir: &dyn Directory,
    now: DateTime<Utc>,
) -> Result<Ticked> {
    store.respond(now, |tx| tick_in(tx, cfg, dir))
}

/// [`tick`] inside the caller's transaction.
pub fn tick_in(tx: &mut dyn RespondTx, cfg: &Paging, dir: &dyn Directory) -> Result<Ticked> {
    let now = tx.now();
    let mut done = Ticked::default();
    let moot = tx.moot_escalations()?;
    done.more |= moot.len() > MOST;
    for (mut e, status) in moot.into_iter().take(MOST) {
        let finished = matches!(
            status,
            Status::Resolved | Status::Closed | Status::Cancelled
        );
        let (state, why) = if finished {
            ("cancelled", format!("the incident is {}", status.as_str()))
        } else {
            ("stopped", "acknowledged".to_string())
        };
        let n = tx.cancel_pages(e.incident, &why)?;
        e.state = state.into();
        e.next_at = None;
        tx.put_escalation(&e)?;
        let unsent = match n {
            0 => String::new(),
            1 => " (1 page not sent)".into(),
            n => format!(" ({n} pages not sent)"),
        };
        let verb = if finished { "cancelled" } else { "stopped" };
        tx.append_event(&event(
            e.incident,
            now,
            format!("escalation {verb}: {why}{unsent}"),
        ))?;
        done.stopped += 1;
    }
    for u in tx.unacknowledged()? {
        let Some(policy) = cfg.policy_tagged(u.service.as_deref(), u.severity, &u.tags) else {
            continue;
        };
        if done.started == MOST {
            done.more = true;
            break;
        }
        // A new incident's first step counts from when it was logged; a
        // reopened one's from now.
        let from = if u.had.is_some() {
            now
        } else {
            u.created_at.min(now)
        };
        let first = from + std_to_chrono(policy.steps[0].delay);
        tx.put_escalation(&EscalationRow {
            incident: u.id,
            policy: policy.name.clone(),
            state: "active".into(),
            started_at: now,
            step: 0,
            round: 0,
            next_at: Some(first),
            updated_at: now,
        })?;
        let again = if u.had.is_some() { " again" } else { "" };
        tx.append_event(&event(
            u.id,
            now,
            format!(
                "escalating{again} by policy {} ({})",
                policy.name,
                describe_steps(policy)
            ),
        ))?;
        done.started += 1;
    }
    let due = tx.due_escalations(now)?;
    done.more |= due.len() > MOST;
    for e in due.into_iter().take(MOST) {
        let inc = tx.incident(e.incident)?;
        done.queued += run_step(tx, cfg, dir, &inc, e, now)?;
        done.steps += 1;
    }
    Ok(done)
}

/// "step 1 now: schedule:payments; step 2 after 10m: user:dana; once more"
pub fn describe_steps(p: &Policy) -> String {
    let mut parts: Vec<String> = p
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let when = if s.delay.is_zero() {
                "at once".to_string()
            } else {
                format!("after {}", show_duration(s.delay))
            };
            let who: Vec<String> = s.targets.iter().map(Target::show).collect();
            format!("step {} {when}: {}", i + 1, who.join(", "))
        })
        .collect();
    let after = show_duration(p.repeat_after);
    match p.repeat {
        0 => {}
        1 => parts.push(format!("once more {after} after the last step")),
        n => parts.push(format!("{n} more times, {after} after the last step")),
    }
    parts.join("; ")
}

/// Run escalation `e`'s due step: queue the pages, record them, move on.
fn run_step(
    tx: &mut dyn RespondTx,
    cfg: &Paging,
    dir: &dyn Directory,
    inc: &Incident,
    mut e: EscalationRow,
    now: DateTime<Utc>,
) -> Result<usize> {
    let Some(policy) = cfg.policies.get(&e.policy) else {
        e.state = "exhausted".into();
        e.next_at = None;
        tx.put_escalation(&e)?;
        tx.append_event(&event(
            inc.id,
            now,
            format!(
                "escalation ended: policy {} is no longer in the config",
                e.policy
            ),
        ))?;
        return Ok(0);
    };
    let idx = (e.step as usize).min(policy.steps.len() - 1);
    let step = &policy.steps[idx];
    let of = policy.steps.len();
    let round = if e.round > 0 {
        format!(", round {}", e.round + 1)
    } else {
        String::new()
    };
    // Who the step before paged and did not acknowledge: its targets as
    // they were when it ran (a step's delay, or the repeat's, ago), those
    // with a way to reach them. None for the first page of all.
    let before = match (idx, e.round) {
        (0, 0) => None,
        (0, _) => policy
            .steps
            .last()
            .map(|s| (s, now - std_to_chrono(policy.repeat_after))),
        (i, _) => policy
            .steps
            .get(i - 1)
            .map(|s| (s, now - std_to_chrono(step.delay))),
    };
    let previous: Option<Vec<String>> = before.map(|(s, ran)| {
        let mut who: Vec<String> = Vec::new();
        for t in &s.targets {
            let u = match t {
                Target::User(u) => Some(u.clone()),
                Target::Schedule(s) => dir.on_call(s, ran),
            };
            // Once each, however many targets named them.
            if let Some(u) = u
                && !who.contains(&u)
                && !dir.contacts(&u).is_empty()
            {
                who.push(u);
            }
        }
        who
    });
    let mut queued = 0;
    let mut said = Vec::new();
    // Each person once a step, however many of its targets name them
    // (`user:alice` and a schedule alice is on call for): a second page
    // would carry the same idempotency key, and the outbox refuses it.
    let mut reached: Vec<String> = Vec::new();
    for t in &step.targets {
        let user = match t {
            Target::User(u) => u.clone(),
            Target::Schedule(s) => match dir.on_call(s, now) {
                Some(u) => u,
                None => {
                    said.push(format!("schedule {s} has nobody on call"));
                    continue;
                }
            },
        };
        if reached.contains(&user) {
            continue;
        }
        reached.push(user.clone());
        let contacts = dir.contacts(&user);
        if contacts.is_empty() {
            said.push(format!(
                "{user} has no contact method (sev me contact add, or [users.{user}] in the config)"
            ));
            continue;
        }
        let via: Vec<&str> = contacts.iter().map(|(c, _)| c.as_str()).collect();
        said.push(format!("paged {user} via {}", via.join(", ")));
        for (channel, address) in &contacts {
            let key = idem_key(&[
                "page",
                &inc.id.0.to_string(),
                &e.started_at.timestamp().to_string(),
                &e.round.to_string(),
                &idx.to_string(),
                &user,
                channel,
                address,
            ]);
            let others: Option<Vec<String>> = previous
                .as_ref()
                .map(|p| p.iter().filter(|p| **p != user).cloned().collect());
            let (subject, body) = dir.render_page(inc, &user, idx + 1, of, others.as_deref(), now);
            let payload = serde_json::json!({
                "policy": policy.name, "step": idx + 1, "steps": of, "round": e.round + 1,
                "user": user, "incident": super::directory::info(inc),
            });
            tx.enqueue(&OutboxRow {
                id: 0,
                incident: Some(inc.id),
                kind: "page".into(),
                channel: channel.clone(),
                recipient: user.clone(),
                address: address.clone(),
                subject,
                body,
                payload: payload.to_string(),
                idem_key: key,
                state: "pending".into(),
                attempts: 0,
                created_at: now,
                next_at: now,
                give_up_at: now + std_to_chrono(cfg.give_up),
                updated_at: now,
                done_at: None,
                detail: None,
            })?;
            queued += 1;
        }
    }
    // Where the escalation goes next.
    let mut next = idx + 1;
    if next >= of {
        next = 0;
        e.round += 1;
    }
    let exhausted = e.round > i64::from(policy.repeat);
    let then = if exhausted {
        e.state = "exhausted".into();
        e.next_at = None;
        "; last step: nobody else to page".to_string()
    } else {
        let wait = if next == 0 {
            policy.repeat_after
        } else {
            policy.steps[next].delay
        };
        e.next_at = Some(now + std_to_chrono(wait));
        let when = if wait.is_zero() {
            "at once".to_string()
        } else {
            format!("in {}", show_duration(wait))
        };
        if next == 0 {
            format!("; round {} {when} if nobody acknowledges", e.round + 1)
        } else {
            format!("; step {} {when} if nobody acknowledges", next + 1)
        }
    };
    e.step = next as i64;
    tx.put_escalation(&e)?;
    tx.append_event(&event(
        inc.id,
        now,
        format!(
            "{} (step {} of {of}{round}{then})",
            said.join("; "),
            idx + 1
        ),
    ))?;
    Ok(queued)
}
