//! Apply one parsed body to the database in one write transaction.
//!
//! For each alert of the body: a resolve closes the open alert with its key
//! (a resolve for a key with no open alert changes nothing); a firing or
//! acknowledged alert updates the open alert with its key or opens a new
//! one. A new alert that a route or a maintenance window suppresses is
//! recorded and opens nothing. Any other new alert joins the incident its
//! group feeds ([`super::open`]). Absence from a snapshot resolves nothing.
//! Then, per incident touched: timeline events say what arrived, and when
//! none of its alerts is open any more the integration's policy
//! (`when_resolved`) moves it to mitigated or resolved.

use super::config::{Integration, WhenResolved};
use super::model::{AlertIn, BadBody, Batch, Source, State};
use super::route::Routed;
use super::working::Working;
use crate::config::Config;
use crate::domain::{Event, EventKind, IncidentId, Status, Transition, apply_transition};
use crate::error::Result;
use crate::store::{AlertRow, IntakeTx, Store, Window};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// What happened to one incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    Created,
    Updated,
    Acknowledged,
    Mitigated,
    Resolved,
    Reopened,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IncidentChange {
    pub id: IncidentId,
    #[serde(rename = "ref")]
    pub reference: String,
    pub change: Change,
}

/// What one body did.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Outcome {
    /// The stored raw body's id.
    pub receipt: i64,
    pub incidents: Vec<IncidentChange>,
    pub alerts_new: usize,
    pub alerts_updated: usize,
    pub alerts_resolved: usize,
    /// Alerts recorded but opening nothing (a route or a maintenance window).
    pub alerts_suppressed: usize,
    /// PagerDuty: the dedup key of the (first) event, to answer with.
    pub dedup_key: Option<String>,
}

impl Outcome {
    pub(super) fn note(&mut self, id: IncidentId, change: Change) {
        if let Some(c) = self.incidents.iter_mut().find(|c| c.id == id) {
            // Created wins over what follows in the same body.
            if c.change != Change::Created {
                c.change = change;
            }
        } else {
            self.incidents.push(IncidentChange {
                id,
                reference: id.to_string(),
                change,
            });
        }
    }
}

/// Why a body was not applied.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// The body is not the format (HTTP 400, CLI exit 2); nothing written.
    #[error("{0}")]
    Bad(#[from] BadBody),
    /// No integration of that name/source (HTTP 404).
    #[error("{0}")]
    Unknown(String),
    /// The write failed (HTTP 5xx: the sender retries).
    #[error(transparent)]
    Store(#[from] crate::error::Error),
}

/// The integration `name` receiving `source` bodies. Without one
/// configured under that name, a non-generic source gets every default
/// (so `sev ingest --source alertmanager` works before any config).
pub fn integration(cfg: &Config, name: &str, source: Source) -> Result<Integration, IngestError> {
    match cfg.alerts.integration(name) {
        Some(i) if i.source == source => Ok(i.clone()),
        Some(i) => Err(IngestError::Unknown(format!(
            "integration {} receives {} bodies, not {source}: use --source {}",
            crate::text::sanitize_line(name),
            i.source,
            i.source
        ))),
        None if source == Source::Generic => Err(IngestError::Unknown(format!(
            "no generic integration named {}: add [[integrations]] with name = \"{0}\", source = \"generic\" and an [integrations.mapping] to the config",
            crate::text::sanitize_line(name)
        ))),
        None => Ok(Integration::named(name, source)),
    }
}

/// Parse `body` from `source` for integration `integration` and apply it in
/// one transaction. Nothing is written when the body is refused.
pub fn ingest(
    store: &Store,
    cfg: &Config,
    integration_name: &str,
    source: Source,
    body: &[u8],
    now: DateTime<Utc>,
) -> Result<Outcome, IngestError> {
    let p = prepare(cfg, integration_name, source, body, now)?;
    Ok(store.intake(now, |tx| apply_in(tx, cfg, &p))?)
}

/// A body parsed, redacted and routed: everything decided before the
/// write lock is taken.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub integ: Integration,
    pub batch: Batch,
    /// The redacted body, to store.
    pub raw: String,
    routed: Vec<Routed>,
}

/// Parse, redact and route `body` (refused here, nothing is written).
pub fn prepare(
    cfg: &Config,
    integration_name: &str,
    source: Source,
    body: &[u8],
    now: DateTime<Utc>,
) -> Result<Prepared, IngestError> {
    let integ = integration(cfg, integration_name, source)?;
    let limit = cfg.alerts.max_body_bytes;
    if body.len() > limit {
        return Err(BadBody(format!(
            "the body is {} bytes; the limit is {limit} (alerts.max_body_bytes)",
            body.len()
        ))
        .into());
    }
    let batch = super::parse::parse(source, body, &integ, now)?;
    let raw = super::parse::redact(source, body);
    Ok(prepared(cfg, integ, batch, raw, now))
}

fn prepared(
    cfg: &Config,
    integ: Integration,
    batch: Batch,
    raw: String,
    now: DateTime<Utc>,
) -> Prepared {
    // Routing is pure: decided before the write lock is taken.
    let routed = batch
        .alerts
        .iter()
        .map(|a| super::route::route_with(&cfg.alerts.routes, Some(&integ.name), &batch, a, now).0)
        .collect();
    Prepared {
        integ,
        batch,
        raw,
        routed,
    }
}

/// Apply several prepared bodies in one transaction (`sev serve` under
/// load: one lock, one commit for the senders waiting together). Each
/// body's outcome is as if it had been applied alone, in this order.
pub fn apply_many(
    store: &Store,
    jobs: &[(&Config, &Prepared)],
    now: DateTime<Utc>,
) -> Result<Vec<Outcome>> {
    store.intake(now, |tx| {
        jobs.iter().map(|(cfg, p)| apply_in(tx, cfg, p)).collect()
    })
}

/// What one incident went through in this body.
#[derive(Default)]
struct Touch {
    created: bool,
    new: Vec<String>,
    resolved: usize,
    acknowledged: usize,
    refired: bool,
}

/// Apply a parsed batch (`raw`: the redacted body to store).
pub fn apply_batch(
    store: &Store,
    cfg: &Config,
    integ: &Integration,
    batch: &Batch,
    raw: &str,
    now: DateTime<Utc>,
) -> Result<Outcome, IngestError> {
    let p = prepared(cfg, integ.clone(), batch.clone(), raw.to_string(), now);
    Ok(store.intake(now, |tx| apply_in(tx, cfg, &p))?)
}

/// Apply one prepared body inside an intake transaction.
pub fn apply_in(tx: &mut dyn IntakeTx, cfg: &Config, p: &Prepared) -> Result<Outcome> {
    let (integ, batch, raw, routed) = (&p.integ, &p.batch, p.raw.as_str(), &p.routed);
    let actor = format!("{}:{}", batch.source, integ.name);
    {
        let now = tx.now();
        let (receipt, mut work) =
            Working::load(tx, batch.source.as_str(), &integ.name, batch, raw)?;
        let mut out = Outcome {
            receipt,
            dedup_key: (batch.source == Source::Pagerduty)
                .then(|| batch.alerts.first().map(|a| a.key.clone()))
                .flatten(),
            ..Outcome::default()
        };
        let windows = active_windows(tx, now)?;
        let mut joined: HashMap<String, IncidentId> = HashMap::new();
        let mut touched: BTreeMap<IncidentId, Touch> = BTreeMap::new();
        for (a, r) in batch.alerts.iter().zip(routed) {
            let group = group_key(integ, batch, a, r);
            let mut join = |tx: &mut dyn IntakeTx, t: &mut BTreeMap<IncidentId, Touch>| {
                // The first alert of a group in this body finds (or opens)
                // its incident; the others of that group join it.
                if let Some(id) = joined.get(&group) {
                    t.entry(*id).or_default().new.push(a.summary.clone());
                    return Ok::<_, crate::error::Error>(*id);
                }
                let (id, how) =
                    super::open::incident_for(tx, cfg, integ, batch, a, r, &group, &actor)?;
                joined.insert(group.clone(), id);
                let e = t.entry(id).or_default();
                e.created |= how == super::open::Joined::Created;
                e.refired |= how == super::open::Joined::Refired;
                e.new.push(a.summary.clone());
                Ok(id)
            };
            match (a.state, work.open.get(&a.key).copied()) {
                (State::Resolved, None) => {}
                (State::Resolved, Some(i)) => {
                    work.open.remove(&a.key);
                    let row = work.touch(i);
                    row.status = "resolved".into();
                    row.ends_at = a.ends_at.or(Some(now));
                    refresh(row, a, now, out.receipt);
                    out.alerts_resolved += 1;
                    if let Some(i) = row.incident {
                        touched.entry(i).or_default().resolved += 1;
                    }
                }
                // Suppressed while a window was in force; fired again now
                // that none is (or replayed when the window ended).
                (_, Some(i))
                    if work.rows[i].suppressed.is_some()
                        && suppression(r, &windows, batch, integ, a).is_none() =>
                {
                    let id = join(tx, &mut touched)?;
                    let row = work.touch(i);
                    row.status = a.state.as_str().into();
                    row.suppressed = None;
                    row.incident = Some(id);
                    row.group = group.clone();
                    refresh(row, a, now, out.receipt);
                    out.alerts_new += 1;
                }
                (_, Some(i)) => {
                    let row = work.touch(i);
                    let acked = a.state == State::Acknowledged && row.status == "firing";
                    row.status = a.state.as_str().into();
                    refresh(row, a, now, out.receipt);
                    out.alerts_updated += 1;
                    if let (true, Some(i)) = (acked, row.incident) {
                        touched.entry(i).or_default().acknowledged += 1;
                    }
                }
                (_, None) => {
                    let mut row = new_row(batch, integ, a, &group, now, out.receipt);
                    row.suppressed = suppression(r, &windows, batch, integ, a);
                    if row.suppressed.is_some() {
                        work.add(row);
                        out.alerts_suppressed += 1;
                        continue;
                    }
                    row.incident = Some(join(tx, &mut touched)?);
                    work.add(row);
                    out.alerts_new += 1;
                }
            }
        }
        // Every alert row is written before the incidents are settled:
        // they count what is stored.
        work.write(tx)?;
        for (id, t) in touched {
            settle(tx, integ, &actor, id, &t, &mut out)?;
        }
        Ok(out)
    }
}

/// Refresh what a new receipt of an alert may change.
fn refresh(row: &mut AlertRow, a: &AlertIn, now: DateTime<Utc>, body: i64) {
    row.summary = a.summary.clone();
    row.severity = a.severity.clone();
    row.labels = a.labels.clone();
    row.annotations = a.annotations.clone();
    row.links = a.links.clone();
    if a.starts_at.is_some() {
        row.starts_at = a.starts_at;
    }
    row.last_received = now;
    row.receipts += 1;
    row.last_body = Some(body);
}

fn new_row(
    batch: &Batch,
    integ: &Integration,
    a: &AlertIn,
    group: &str,
    now: DateTime<Utc>,
    body: i64,
) -> AlertRow {
    AlertRow {
        id: 0,
        incident: None,
        source: batch.source.as_str().into(),
        integration: integ.name.clone(),
        key: a.key.clone(),
        group: group.to_string(),
        status: a.state.as_str().into(),
        suppressed: None,
        summary: a.summary.clone(),
        severity: a.severity.clone(),
        labels: a.labels.clone(),
        annotations: a.annotations.clone(),
        links: a.links.clone(),
        starts_at: a.starts_at,
        ends_at: None,
        first_received: now,
        last_received: now,
        receipts: 1,
        last_body: Some(body),
    }
}

/// The group an alert joins: a route's or the integration's `group_by`
/// labels, else the sender's group, else the alert's own key.
pub fn group_key(integ: &Integration, batch: &Batch, a: &AlertIn, r: &Routed) -> String {
    match r.group_by.as_ref().or(integ.group_by.as_ref()) {
        Some(labels) => {
            let parts: Vec<String> = labels
                .iter()
                .map(|l| {
                    let v = a
                        .labels
                        .get(l)
                        .or_else(|| batch.common_labels.get(l))
                        .map(String::as_str)
                        .unwrap_or("");
                    format!("{l}={v:?}")
                })
                .collect();
            format!("by:{{{}}}", parts.join(","))
        }
        None => batch.group_of(a).to_string(),
    }
}

/// Windows in force now, with their matchers parsed (a window whose
/// matchers no longer parse matches nothing and is named by `doctor`).
fn active_windows(
    tx: &mut dyn IntakeTx,
    now: DateTime<Utc>,
) -> Result<Vec<(Window, Vec<super::matcher::Matcher>)>> {
    Ok(tx
        .windows_at(now)?
        .into_iter()
        .filter_map(|w| {
            let m = super::matcher::parse_matchers(&w.matchers).ok()?;
            Some((w, m))
        })
        .collect())
}

/// Why a new alert opens nothing, if it does not.
fn suppression(
    r: &Routed,
    windows: &[(Window, Vec<super::matcher::Matcher>)],
    batch: &Batch,
    integ: &Integration,
    a: &AlertIn,
) -> Option<String> {
    if let Some(rule) = &r.suppressed_by {
        return Some(format!("route {rule}"));
    }
    // `service` is the one the incident would get (a route's, the
    // integration's, else the label): a window on service="payments"
    // holds what a route sends to payments.
    let service = r.service.as_deref().or(integ.service.as_deref());
    let get = |name: &str| -> Option<&str> {
        match (name, service) {
            ("service", Some(s)) => Some(s),
            _ => field(batch, integ, a, name),
        }
    };
    windows
        .iter()
        .find(|(_, ms)| ms.iter().all(|m| m.matches(get)))
        .map(|(w, _)| format!("maintenance #{}", w.id))
}

/// What a matcher sees of an alert: its labels, the group's common labels,
/// and the fields `source`, `integration`, `severity`, `summary` — the
/// same lookup as the routes' ([`super::route::field`]).
pub fn field<'a>(
    batch: &'a Batch,
    integ: &'a Integration,
    a: &'a AlertIn,
    name: &str,
) -> Option<&'a str> {
    super::route::field(batch, Some(&integ.name), a, name)
}

/// Record what happened to one incident and apply the resolve policy.
fn settle(
    tx: &mut dyn IntakeTx,
    integ: &Integration,
    actor: &str,
    id: IncidentId,
    t: &Touch,
    out: &mut Outcome,
) -> Result<()> {
    let now = tx.now();
    let (inc, counts) = tx.incident_with_counts(id)?;
    let mut events = Vec::new();
    let joined = t.new.len();
    if joined > 0 {
        let first = t.new.last().cloned().unwrap_or_default();
        events.push(alert_event(
            id,
            now,
            actor,
            format!(
                "{joined} new alert{} ({} open): {first}",
                if joined == 1 { "" } else { "s" },
                counts.open()
            ),
        ));
    }
    if t.resolved > 0 {
        events.push(alert_event(
            id,
            now,
            actor,
            format!(
                "{} alert{} resolved ({} open)",
                t.resolved,
                if t.resolved == 1 { "" } else { "s" },
                counts.open()
            ),
        ));
    }
    let mut next = inc.clone();
    let mut moved = None;
    if t.resolved > 0 && counts.open() == 0 && inc.status.is_open() {
        let target = match integ.when_resolved {
            WhenResolved::Mitigate if inc.status != Status::Mitigated => {
                Some(Transition::To(Status::Mitigated))
            }
            WhenResolved::Resolve => Some(Transition::Resolve {
                summary: "every alert resolved at the source".into(),
            }),
            _ => None,
        };
        if let Some(tr) = target
            && let Ok(old) = apply_transition(&mut next, &tr, now)
        {
            moved = Some((old, next.status, Some("every alert resolved".to_string())));
        }
        super::open::mark_quiet(tx, integ, id, now)?;
    } else if t.acknowledged > 0
        && counts.firing == 0
        && inc.status == Status::Triage
        && let Ok(old) = apply_transition(&mut next, &Transition::To(Status::Acknowledged), now)
    {
        moved = Some((
            old,
            next.status,
            Some("acknowledged at the source".to_string()),
        ));
    }
    if let Some((old, new, text)) = moved {
        events.push(crate::store::Record::Status { old, new, text }.to_event(id, now, actor));
        tx.update_incident(&next, &events)?;
        out.note(
            id,
            match new {
                Status::Mitigated => Change::Mitigated,
                Status::Resolved => Change::Resolved,
                Status::Acknowledged => Change::Acknowledged,
                _ => Change::Updated,
            },
        );
        return Ok(());
    }
    if next != inc {
        tx.update_incident(&next, &events)?;
    } else {
        for e in &events {
            tx.append_event(e)?;
        }
    }
    if t.created {
        out.note(id, Change::Created);
    } else if t.refired {
        out.note(id, Change::Reopened);
    } else {
        out.note(id, Change::Updated);
    }
    Ok(())
}

pub(super) fn alert_event(id: IncidentId, at: DateTime<Utc>, actor: &str, text: String) -> Event {
    Event {
        id: 0,
        incident: id,
        at,
        actor: actor.to_string(),
        kind: EventKind::Alert,
        field: None,
        old: None,
        new: None,
        text: Some(text),
    }
}
