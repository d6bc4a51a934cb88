//! Which incident a new alert joins: the one its group feeds (reopened or
//! taken back from mitigated when it re-fires within the reopen window), a
//! storm incident when the integration opens too many too fast, or a new one.

use super::apply::alert_event;
use super::config::Integration;
use super::model::{AlertIn, Batch};
use super::route::Routed;
use crate::config::Config;
use crate::domain::{
    Incident, IncidentId, MAX_TITLE, Status, Transition, apply_transition, parse_tags,
};
use crate::error::Result;
use crate::store::{GroupRow, IntakeTx, Record};
use chrono::{DateTime, Duration, Utc};

/// How an alert found its incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Joined {
    Created,
    Existing,
    /// The group's incident had gone quiet (mitigated or resolved) and
    /// came back: a flap.
    Refired,
}

/// The storm incident of an integration is found through a group row under
/// this integration name: no sender can write it (config names
/// integrations, and senders only name groups).
fn storm_integration(integ: &Integration) -> String {
    format!("storm:{}", integ.name)
}

const STORM_GROUP: &str = "storm";

#[allow(clippy::too_many_arguments)]
pub(super) fn incident_for(
    tx: &mut dyn IntakeTx,
    cfg: &Config,
    integ: &Integration,
    batch: &Batch,
    a: &AlertIn,
    r: &Routed,
    group: &str,
    actor: &str,
) -> Result<(IncidentId, Joined)> {
    let now = tx.now();
    if let Some(mut g) = tx.group(&integ.name, group)? {
        let inc = tx.incident(g.incident)?;
        let window = Duration::from_std(integ.reopen_window).unwrap_or(Duration::minutes(30));
        let quiet = g.quiet_since.or(inc.resolved_at).or(inc.mitigated_at);
        let recent = quiet.is_none_or(|q| now - q <= window);
        let back = match inc.status {
            Status::Triage | Status::Acknowledged | Status::Investigating => {
                if g.quiet_since.take().is_some() {
                    tx.put_group(&g)?;
                }
                return Ok((inc.id, Joined::Existing));
            }
            Status::Mitigated if g.quiet_since.is_none() => {
                return Ok((inc.id, Joined::Existing));
            }
            // Mitigated because its alerts resolved, and one fires again:
            // the mitigation did not hold, however long ago it was.
            Status::Mitigated => Some(Transition::To(Status::Investigating)),
            Status::Resolved if recent => Some(Transition::Reopen),
            _ => None,
        };
        if let Some(t) = back {
            let mut next = inc.clone();
            if let Ok(old) = apply_transition(&mut next, &t, now) {
                g.flaps += 1;
                g.quiet_since = None;
                tx.put_group(&g)?;
                let text = format!("an alert fired again (flap {}): {}", g.flaps, a.summary);
                let events = vec![
                    Record::Status {
                        old,
                        new: next.status,
                        text: Some("an alert fired again".into()),
                    }
                    .to_event(inc.id, now, actor),
                    alert_event(inc.id, now, actor, text),
                ];
                tx.update_incident(&next, &events)?;
                return Ok((inc.id, Joined::Refired));
            }
        }
    }
    if let Some(id) = storm(tx, cfg, integ, batch, a, r, group, actor)? {
        return Ok(id);
    }
    let inc = build(cfg, integ, batch, a, r, actor, now);
    let id = tx.create_incident(&inc, actor)?;
    tx.put_group(&GroupRow {
        integration: integ.name.clone(),
        group_key: group.to_string(),
        incident: id,
        opened_at: now,
        flaps: 0,
        quiet_since: None,
    })?;
    Ok((id, Joined::Created))
}

/// Above `storm_per_minute` new alert groups a minute from this
/// integration, a new group joins the integration's open storm incident (opened now if
/// there is none) instead of opening one of its own.
#[allow(clippy::too_many_arguments)]
fn storm(
    tx: &mut dyn IntakeTx,
    cfg: &Config,
    integ: &Integration,
    batch: &Batch,
    a: &AlertIn,
    r: &Routed,
    group: &str,
    actor: &str,
) -> Result<Option<(IncidentId, Joined)>> {
    let now = tx.now();
    let limit = i64::from(integ.storm_per_minute);
    if limit == 0 || tx.groups_opened_since(&integ.name, now - Duration::minutes(1), limit)? < limit
    {
        return Ok(None);
    }
    let key = storm_integration(integ);
    let open = match tx.group(&key, STORM_GROUP)? {
        Some(g) => {
            let inc = tx.incident(g.incident)?;
            inc.status.is_open().then_some(inc.id)
        }
        None => None,
    };
    let (id, joined) = match open {
        Some(id) => (id, Joined::Existing),
        None => {
            let mut inc = build(cfg, integ, batch, a, r, actor, now);
            inc.title = format!(
                "Alert storm from {}: more than {limit} new alert groups a minute",
                integ.name
            );
            inc.description = format!(
                "sev's storm guard: integration {} opened more than {limit} incidents within a minute, so new alert groups join this incident until the rate falls. The first was: {}",
                integ.name, a.summary
            );
            inc.tags = parse_tags(&format!("alert,storm,{}", inc.tags.join(",")));
            let id = tx.create_incident(&inc, actor)?;
            tx.put_group(&GroupRow {
                integration: key,
                group_key: STORM_GROUP.into(),
                incident: id,
                opened_at: now,
                flaps: 0,
                quiet_since: None,
            })?;
            (id, Joined::Created)
        }
    };
    tx.put_group(&GroupRow {
        integration: integ.name.clone(),
        group_key: group.to_string(),
        incident: id,
        opened_at: now,
        flaps: 0,
        quiet_since: None,
    })?;
    Ok(Some((id, joined)))
}

/// Record that every alert of incident `id` has resolved (for the reopen
/// window), on each group that feeds it.
pub(super) fn mark_quiet(
    tx: &mut dyn IntakeTx,
    integ: &Integration,
    id: IncidentId,
    now: DateTime<Utc>,
) -> Result<()> {
    // The groups of this integration feeding `id` are the ones its alerts
    // named; the alert rows carry them.
    for key in tx.group_keys_of(&integ.name, id)? {
        if let Some(mut g) = tx.group(&integ.name, &key)?
            && g.incident == id
        {
            g.quiet_since = Some(now);
            tx.put_group(&g)?;
        }
    }
    Ok(())
}

/// A new incident for alert `a`: what the routes set, then the
/// integration's defaults, then the config's.
pub(super) fn build(
    cfg: &Config,
    integ: &Integration,
    batch: &Batch,
    a: &AlertIn,
    r: &Routed,
    actor: &str,
    now: DateTime<Utc>,
) -> Incident {
    let d = &cfg.defaults;
    let severity = r
        .severity
        .unwrap_or_else(|| cfg.alerts.map_severity(a.severity.as_deref()));
    let impact = r.impact.unwrap_or(d.impact);
    let urgency = r.urgency.unwrap_or(d.urgency);
    let service = r
        .service
        .clone()
        .or_else(|| integ.service.clone())
        .or_else(|| super::apply::field(batch, integ, a, "service").map(str::to_string));
    let mut title: String = crate::text::fold_lines(a.summary.trim()).into_owned();
    if title.is_empty() {
        title = format!("alert {} from {}", a.key, integ.name);
    }
    if title.chars().count() > MAX_TITLE {
        title = title.chars().take(MAX_TITLE - 1).collect::<String>() + "…";
    }
    let labels: Vec<String> = a.labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let mut description = format!(
        "Opened by an alert from {} through integration {}.\nLabels: {}",
        batch.source,
        integ.name,
        labels.join(", ")
    );
    for k in ["description", "message"] {
        if let Some(v) = a.annotations.get(k) {
            description.push_str("\n\n");
            description.push_str(v);
            break;
        }
    }
    Incident {
        id: IncidentId(0),
        title,
        description,
        kind: d.kind,
        status: Status::Triage,
        severity,
        impact,
        urgency,
        priority: cfg.priority.priority(impact, urgency),
        category: r.category.clone(),
        service,
        tags: parse_tags(&format!("alert,{}", r.tags.join(","))),
        assignee: r.assignee.clone(),
        commander: r.commander.clone(),
        scribe: None,
        comms: None,
        reporter: actor.to_string(),
        created_at: now,
        impact_started_at: a.starts_at.filter(|t| *t <= now),
        detected_at: Some(now),
        acknowledged_at: None,
        mitigated_at: None,
        resolved_at: None,
        closed_at: None,
        updated_at: now,
        resolution: None,
        cancel_reason: None,
        version: 1,
    }
}
