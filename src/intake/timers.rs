//! The intake's timed work, run by `sev serve` every few seconds by the one
//! instance holding the timer lease: heartbeats that went silent open
//! their incident, maintenance windows that ended let still-firing alerts
//! open theirs, quiet alerts of `resolve_after_quiet` senders resolve.
//! Each of these is an ordinary batch through [`apply_batch`], so the
//! rules (groups, policies, the timeline) are the same as for a body.

use super::apply::{IngestError, Outcome, apply_batch};
use super::config::Integration;
use super::model::{AlertIn, Batch, Source, State};
use crate::config::Config;
use crate::store::{AlertRow, Beat, Store};
use chrono::{DateTime, Duration, Utc};
use std::collections::BTreeMap;

/// The key of an integration's heartbeat alert.
const HEARTBEAT_KEY: &str = "heartbeat";

/// How long a timer lease lasts without renewal.
const LEASE: Duration = Duration::seconds(30);

fn heartbeat_integration<'a>(cfg: &'a Config, name: &str) -> Result<&'a Integration, IngestError> {
    let clean = crate::text::sanitize_line(name);
    let integ = cfg.alerts.integration(name).ok_or_else(|| {
        IngestError::Unknown(format!(
            "no integration named {clean}: see [[integrations]] in the config"
        ))
    })?;
    if integ.heartbeat.is_none() {
        return Err(IngestError::Unknown(format!(
            "integration {clean} expects no heartbeat: set heartbeat = \"5m\" on it in the config"
        )));
    }
    Ok(integ)
}

fn every(integ: &Integration) -> Duration {
    integ
        .heartbeat
        .and_then(|d| Duration::from_std(d).ok())
        .unwrap_or(Duration::minutes(5))
}

fn minutes(d: Duration) -> String {
    crate::clock::duration(d.num_seconds())
}

fn heartbeat_batch(integ: &Integration, state: State, summary: String) -> Batch {
    let mut labels = BTreeMap::new();
    labels.insert("integration".to_string(), integ.name.clone());
    Batch {
        group: Some(HEARTBEAT_KEY.into()),
        alerts: vec![AlertIn {
            key: HEARTBEAT_KEY.into(),
            state,
            summary,
            severity: Some("critical".into()),
            labels,
            annotations: BTreeMap::new(),
            links: Vec::new(),
            starts_at: None,
            ends_at: None,
        }],
        ..Batch::new(Source::Heartbeat)
    }
}

/// Record a heartbeat from integration `name` (`POST /heartbeat/NAME`);
/// a "monitoring is silent" alert it had resolves, and its incident
/// follows the integration's `when_resolved` policy.
pub fn beat(
    store: &Store,
    cfg: &Config,
    name: &str,
    now: DateTime<Utc>,
) -> Result<Outcome, IngestError> {
    let integ = heartbeat_integration(cfg, name)?;
    let prev = store.intake(now, |tx| {
        let prev = tx.beat(&integ.name)?;
        tx.put_beat(&Beat {
            name: integ.name.clone(),
            last_at: tx.now(),
            incident: None,
        })?;
        Ok(prev)
    })?;
    match prev {
        Some(Beat {
            incident: Some(_), ..
        }) => {
            let b = heartbeat_batch(
                integ,
                State::Resolved,
                format!("heartbeat from {} received", integ.name),
            );
            apply_batch(store, cfg, integ, &b, "{\"heartbeat\":\"received\"}", now)
        }
        _ => Ok(Outcome::default()),
    }
}

/// One round of timed work. `holder` names this process (host:pid); only
/// the holder of the lease does anything, so two `sev serve` never both
/// open the same incident. Returns what changed.
pub fn tick(
    store: &Store,
    cfg: &Config,
    holder: &str,
    now: DateTime<Utc>,
) -> Result<Outcome, IngestError> {
    let mut out = Outcome::default();
    let held = store.intake(now, |tx| {
        let until = tx.now() + LEASE;
        tx.take_lease("timers", holder, until)
    })?;
    if !held {
        return Ok(out);
    }
    silent_heartbeats(store, cfg, now, &mut out)?;
    replay_windows(store, cfg, now, &mut out)?;
    quiet_alerts(store, cfg, now, &mut out)?;
    Ok(out)
}

fn merge(out: &mut Outcome, o: Outcome) {
    out.receipt = o.receipt.max(out.receipt);
    out.alerts_new += o.alerts_new;
    out.alerts_updated += o.alerts_updated;
    out.alerts_resolved += o.alerts_resolved;
    out.alerts_suppressed += o.alerts_suppressed;
    for c in o.incidents {
        out.note(c.id, c.change);
    }
}

fn silent_heartbeats(
    store: &Store,
    cfg: &Config,
    now: DateTime<Utc>,
    out: &mut Outcome,
) -> Result<(), IngestError> {
    for integ in cfg
        .alerts
        .integrations
        .iter()
        .filter(|i| i.heartbeat.is_some())
    {
        let due = every(integ);
        // Read and, when silent, claim the beat in one transaction.
        let silent = store.intake(now, |tx| {
            let now = tx.now();
            match tx.beat(&integ.name)? {
                // Counting starts when sev first looks.
                None => {
                    tx.put_beat(&Beat {
                        name: integ.name.clone(),
                        last_at: now,
                        incident: None,
                    })?;
                    Ok(None)
                }
                // Only the lease holder gets here, so nothing else opens
                // the incident before it is recorded below.
                Some(b) if b.incident.is_none() && now - b.last_at > due => {
                    Ok(Some(now - b.last_at))
                }
                Some(_) => Ok(None),
            }
        })?;
        let Some(quiet) = silent else { continue };
        let summary = format!(
            "monitoring for {} is silent: no heartbeat for {} (expected every {})",
            integ.name,
            minutes(quiet),
            minutes(due)
        );
        let o = apply_batch(
            store,
            cfg,
            integ,
            &heartbeat_batch(integ, State::Firing, summary),
            "{\"heartbeat\":\"missed\"}",
            now,
        )?;
        if let Some(c) = o.incidents.first() {
            let id = c.id;
            store.intake(now, |tx| {
                if let Some(b) = tx.beat(&integ.name)? {
                    tx.put_beat(&Beat {
                        incident: Some(id),
                        ..b
                    })?;
                }
                Ok(())
            })?;
        }
        merge(out, o);
    }
    Ok(())
}

/// An alert row as a sender would send it again.
fn again(row: &AlertRow, state: State) -> AlertIn {
    AlertIn {
        key: row.key.clone(),
        state,
        summary: row.summary.clone(),
        severity: row.severity.clone(),
        labels: row.labels.clone(),
        annotations: row.annotations.clone(),
        links: row.links.clone(),
        starts_at: row.starts_at,
        ends_at: None,
    }
}

/// Apply rows again, one batch per (integration, group).
fn reapply(
    store: &Store,
    cfg: &Config,
    rows: Vec<AlertRow>,
    state: State,
    why: &str,
    now: DateTime<Utc>,
    out: &mut Outcome,
) -> Result<(), IngestError> {
    let mut groups: BTreeMap<(String, String, String), Vec<AlertIn>> = BTreeMap::new();
    for r in &rows {
        let st = if state == State::Firing && r.status == "acknowledged" {
            State::Acknowledged
        } else {
            state
        };
        groups
            .entry((r.integration.clone(), r.source.clone(), r.group.clone()))
            .or_default()
            .push(again(r, st));
    }
    for ((name, source, group), alerts) in groups {
        let source = Source::parse(&source).unwrap_or(Source::Generic);
        let integ = cfg
            .alerts
            .integration(&name)
            .cloned()
            .unwrap_or_else(|| Integration::named(&name, source));
        let b = Batch {
            group: Some(group),
            alerts,
            ..Batch::new(source)
        };
        let raw = serde_json::json!({ "sev": why }).to_string();
        merge(out, apply_batch(store, cfg, &integ, &b, &raw, now)?);
    }
    Ok(())
}

/// When a window ends, alerts it suppressed that still fire open their
/// incidents (unless another window or a route still suppresses them).
fn replay_windows(
    store: &Store,
    cfg: &Config,
    now: DateTime<Utc>,
    out: &mut Outcome,
) -> Result<(), IngestError> {
    let (ended, rows) = store.intake(now, |tx| {
        let ended = tx.windows_to_replay(tx.now())?;
        let rows = if ended.is_empty() {
            Vec::new()
        } else {
            tx.suppressed_open(10_000)?
        };
        Ok((ended, rows))
    })?;
    if ended.is_empty() {
        return Ok(());
    }
    let names: Vec<String> = ended
        .iter()
        .map(|w| format!("maintenance #{}", w.id))
        .collect();
    let rows: Vec<AlertRow> = rows
        .into_iter()
        .filter(|r| r.suppressed.as_ref().is_some_and(|s| names.contains(s)))
        .collect();
    reapply(
        store,
        cfg,
        rows,
        State::Firing,
        "maintenance window ended",
        now,
        out,
    )?;
    store.intake(now, |tx| {
        for w in &ended {
            tx.mark_replayed(w.id)?;
        }
        Ok(())
    })?;
    Ok(())
}

/// Senders that never resolve: an alert not received for
/// `resolve_after_quiet` resolves.
fn quiet_alerts(
    store: &Store,
    cfg: &Config,
    now: DateTime<Utc>,
    out: &mut Outcome,
) -> Result<(), IngestError> {
    for integ in &cfg.alerts.integrations {
        let Some(q) = integ
            .resolve_after_quiet
            .and_then(|d| Duration::from_std(d).ok())
        else {
            continue;
        };
        let rows = store.intake(now, |tx| {
            let before = tx.now() - q;
            tx.quiet_alerts(&integ.name, before)
        })?;
        if !rows.is_empty() {
            reapply(
                store,
                cfg,
                rows,
                State::Resolved,
                "quiet: resolve_after_quiet",
                now,
                out,
            )?;
        }
    }
    Ok(())
}
