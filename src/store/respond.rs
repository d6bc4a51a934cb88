//! Reaching people: the outbox (notifications waiting to be delivered),
//! the escalation of each incident, on-call overrides and contacts. The
//! decisions (who is paged, when, with what text) are made in
//! `crate::paging`; this module only stores them, the same way on both
//! backends: the SQL below is written once, with `$n` parameters that
//! SQLite numbers by first appearance and PostgreSQL by number — so each
//! statement's parameters first appear in the order of their numbers.

use super::intake::IntakeTx;
use crate::domain::{IncidentId, Severity, Status};
use crate::error::Result;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// One notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutboxRow {
    pub id: i64,
    pub incident: Option<IncidentId>,
    /// page, update, breach, test.
    pub kind: String,
    pub channel: String,
    /// The user it is for ('' for a stakeholder channel).
    pub recipient: String,
    /// The contact address on the channel ('' when the channel has one).
    pub address: String,
    pub subject: String,
    pub body: String,
    /// Extra JSON for the receiver (the step of an escalation, …).
    pub payload: String,
    /// Sent with every attempt, so a receiver can drop a second copy.
    pub idem_key: String,
    /// pending, sending, delivered, failed, cancelled.
    pub state: String,
    pub attempts: i64,
    pub created_at: DateTime<Utc>,
    pub next_at: DateTime<Utc>,
    pub give_up_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub done_at: Option<DateTime<Utc>>,
    /// The receiver's answer or the last error.
    pub detail: Option<String>,
}

/// The escalation of one incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EscalationRow {
    pub incident: IncidentId,
    pub policy: String,
    /// active, stopped (acknowledged), cancelled (resolved), exhausted.
    pub state: String,
    pub started_at: DateTime<Utc>,
    /// The next step to run (0-based).
    pub step: i64,
    /// The round (0-based; a policy may repeat).
    pub round: i64,
    pub next_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

/// An on-call override as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OverrideRow {
    pub id: i64,
    pub schedule: String,
    pub user: String,
    pub from: DateTime<Utc>,
    pub until: DateTime<Utc>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub removed_by: Option<String>,
    pub removed_at: Option<DateTime<Utc>>,
}

/// A contact method a user added (`sev me contact add`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContactRow {
    pub id: i64,
    pub user: String,
    pub channel: String,
    pub address: String,
    pub created_at: DateTime<Utc>,
}

/// An open incident nobody has acknowledged, as the escalation sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unacknowledged {
    pub id: IncidentId,
    pub service: Option<String>,
    pub severity: Severity,
    pub created_at: DateTime<Utc>,
    /// Its escalation, if it had one (stopped or cancelled: it was
    /// acknowledged or resolved and is back in triage).
    pub had: Option<String>,
    pub tags: Vec<String>,
}

/// Which notifications `sev outbox` lists.
#[derive(Debug, Clone, Default)]
pub struct OutboxQuery {
    pub failed_only: bool,
    pub incident: Option<IncidentId>,
    pub limit: usize,
}

/// Notifications by state, for the TUI header.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct OutboxCounts {
    pub pending: i64,
    pub failed: i64,
    /// Pending after at least one failed attempt (the receiver is down?).
    pub retrying: i64,
}

/// What one delivery attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    Delivered {
        detail: String,
    },
    /// Try again at `next_at`.
    Retry {
        next_at: DateTime<Utc>,
        error: String,
    },
    Failed {
        error: String,
    },
    /// The page is moot (the incident was acknowledged or resolved).
    Cancelled {
        why: String,
    },
}

/// The writes of paging, inside one write transaction (the intake's: the
/// write lock, the server's clock on PostgreSQL, the chain head).
pub trait RespondTx: IntakeTx {
    /// Insert (id ignored); the new id.
    fn enqueue(&mut self, m: &OutboxRow) -> Result<i64>;
    /// Open incidents in triage with a service or severity escalation may
    /// cover and no active escalation.
    fn unacknowledged(&mut self) -> Result<Vec<Unacknowledged>>;
    /// Active escalations whose incident has left triage, with its status.
    fn moot_escalations(&mut self) -> Result<Vec<(EscalationRow, Status)>>;
    /// Active escalations due at `at`.
    fn due_escalations(&mut self, at: DateTime<Utc>) -> Result<Vec<EscalationRow>>;
    /// Insert or replace.
    fn put_escalation(&mut self, e: &EscalationRow) -> Result<()>;
    /// Cancel an incident's pages not yet delivered; how many.
    fn cancel_pages(&mut self, id: IncidentId, why: &str) -> Result<usize>;
    fn add_override(&mut self, o: &OverrideRow) -> Result<i64>;
    /// Mark removed; false when there is no such override in force.
    fn remove_override(&mut self, id: i64, by: &str) -> Result<bool>;
    fn add_contact(&mut self, c: &ContactRow) -> Result<i64>;
    fn remove_contact(&mut self, user: &str, id: i64) -> Result<bool>;
    /// Who holds lease `name`, if anyone.
    fn lease_holder(&mut self, name: &str) -> Result<Option<String>>;
    /// Give up lease `name` if `holder` has it (a holder known to be dead).
    fn drop_lease(&mut self, name: &str, holder: &str) -> Result<()>;
}

// ---- SQL shared by both backends --------------------------------------

pub(crate) const OUTBOX_COLUMNS: &str = "id, incident_id, kind, channel, recipient, address, \
    subject, body, payload, idem_key, state, attempts, created_at, next_at, give_up_at, \
    updated_at, done_at, detail";

pub(crate) const INSERT_OUTBOX: &str = "INSERT INTO outbox (id, incident_id, kind, channel, \
    recipient, address, subject, body, payload, idem_key, state, attempts, created_at, next_at, \
    give_up_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'pending', 0, $11, \
    $12, $13, $11)";

pub(crate) const ESCALATION_COLUMNS: &str =
    "incident_id, policy, state, started_at, step, round, next_at, updated_at";

pub(crate) const PUT_ESCALATION: &str = "INSERT INTO escalations (incident_id, policy, state, \
    started_at, step, round, next_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
    ON CONFLICT (incident_id) DO UPDATE SET policy = $2, state = $3, started_at = $4, step = $5,
    round = $6, next_at = $7, updated_at = $8";

pub(crate) const UNACKNOWLEDGED: &str = "SELECT i.id, i.service, i.severity, i.created_at, e.state,
    i.tags FROM incidents i LEFT JOIN escalations e ON e.incident_id = i.id
   WHERE i.status = 'triage' AND (e.state IS NULL OR e.state IN ('stopped', 'cancelled'))
   ORDER BY i.id";

pub(crate) const MOOT_ESCALATIONS: &str = "SELECT e.incident_id, e.policy, e.state, e.started_at,
    e.step, e.round, e.next_at, e.updated_at, i.status
    FROM escalations e JOIN incidents i ON i.id = e.incident_id
   WHERE e.state = 'active' AND i.status <> 'triage' ORDER BY e.incident_id";

pub(crate) const DUE_ESCALATIONS: &str = "SELECT incident_id, policy, state, started_at, step,
    round, next_at, updated_at FROM escalations
   WHERE state = 'active' AND next_at <= $1 ORDER BY next_at, incident_id";

pub(crate) const CANCEL_PAGES: &str = "UPDATE outbox SET state = 'cancelled', detail = $1,
    updated_at = $2, done_at = $2
   WHERE incident_id = $3 AND kind = 'page' AND state IN ('pending', 'sending')";

pub(crate) const INSERT_OVERRIDE: &str = "INSERT INTO oncall_overrides (id, schedule, user_name, \
    starts_at, ends_at, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)";

pub(crate) const REMOVE_OVERRIDE: &str = "UPDATE oncall_overrides SET removed_by = $1,
    removed_at = $2 WHERE id = $3 AND removed_at IS NULL";

pub(crate) const OVERRIDE_COLUMNS: &str =
    "id, schedule, user_name, starts_at, ends_at, created_by, created_at, removed_by, removed_at";

/// Overrides in force (not removed) of a schedule (`$1`, or all when
/// NULL) that end after `$2`.
pub(crate) const OVERRIDES_WHERE: &str = "WHERE removed_at IS NULL
    AND (CAST($1 AS TEXT) IS NULL OR schedule = $1) AND ends_at > $2 ORDER BY id";

pub(crate) const INSERT_CONTACT: &str = "INSERT INTO contacts (id, user_name, channel, address, \
    created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (user_name, channel, address) DO NOTHING";

pub(crate) const LEASE_ROW: &str = "SELECT holder, expires_at FROM leases WHERE name = $1";
pub(crate) const LEASE_HOLDER: &str = "SELECT holder FROM leases WHERE name = $1";
pub(crate) const DROP_LEASE: &str = "DELETE FROM leases WHERE name = $1 AND holder = $2";

pub(crate) const CONTACT_COLUMNS: &str = "id, user_name, channel, address, created_at";

/// A user's contacts (`$1`), or everyone's when NULL.
pub(crate) const CONTACTS_WHERE: &str =
    "WHERE (CAST($1 AS TEXT) IS NULL OR user_name = $1) ORDER BY id";

/// Rows due for delivery: pending and due, or left `sending` by a worker
/// that lost its lease (see `paging::deliver`).
pub(crate) const DUE_OUTBOX: &str = "SELECT o.id, o.incident_id, o.kind, o.channel, o.recipient,
    o.address, o.subject, o.body, o.payload, o.idem_key, o.state, o.attempts, o.created_at,
    o.next_at, o.give_up_at, o.updated_at, o.done_at, o.detail, i.status
    FROM outbox o LEFT JOIN incidents i ON i.id = o.incident_id
   WHERE o.state = 'pending' AND o.next_at <= $1 ORDER BY o.next_at, o.id LIMIT $2";

pub(crate) const CLAIM_OUTBOX: &str = "UPDATE outbox SET state = 'sending',
    attempts = attempts + 1, updated_at = $1 WHERE id = $2 AND state = 'pending'";

pub(crate) const FINISH_OUTBOX: &str = "UPDATE outbox SET state = $1, next_at = $2, detail = $3,
    updated_at = $4, done_at = $5 WHERE id = $6 AND state = 'sending'";

pub(crate) const RESET_SENDING: &str = "UPDATE outbox SET state = 'pending', updated_at = $1
   WHERE state = 'sending'";

pub(crate) const RETRY_OUTBOX: &str = "UPDATE outbox SET state = 'pending', next_at = $1,
    give_up_at = $2, updated_at = $1, done_at = NULL
   WHERE id = $3 AND state IN ('failed', 'cancelled')";

pub(crate) const OUTBOX_COUNTS: &str = "SELECT
    count(*) FILTER (WHERE state IN ('pending', 'sending')),
    count(*) FILTER (WHERE state = 'failed'),
    count(*) FILTER (WHERE state = 'pending' AND attempts > 0)
    FROM outbox WHERE state IN ('pending', 'sending', 'failed')";

/// A stored row read by position, whichever backend it came from.
pub(crate) trait Cols {
    fn int(&self, i: usize) -> i64;
    fn oint(&self, i: usize) -> Option<i64>;
    fn text(&self, i: usize) -> String;
    fn otext(&self, i: usize) -> Option<String>;
}

pub(crate) fn at(t: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(t, 0).unwrap_or_default()
}

pub(crate) fn outbox_row(r: &dyn Cols) -> OutboxRow {
    OutboxRow {
        id: r.int(0),
        incident: r.oint(1).map(IncidentId),
        kind: r.text(2),
        channel: r.text(3),
        recipient: r.text(4),
        address: r.text(5),
        subject: r.text(6),
        body: r.text(7),
        payload: r.text(8),
        idem_key: r.text(9),
        state: r.text(10),
        attempts: r.int(11),
        created_at: at(r.int(12)),
        next_at: at(r.int(13)),
        give_up_at: at(r.int(14)),
        updated_at: at(r.int(15)),
        done_at: r.oint(16).map(at),
        detail: r.otext(17),
    }
}

pub(crate) fn escalation_row(r: &dyn Cols) -> EscalationRow {
    EscalationRow {
        incident: IncidentId(r.int(0)),
        policy: r.text(1),
        state: r.text(2),
        started_at: at(r.int(3)),
        step: r.int(4),
        round: r.int(5),
        next_at: r.oint(6).map(at),
        updated_at: at(r.int(7)),
    }
}

pub(crate) fn override_row(r: &dyn Cols) -> OverrideRow {
    OverrideRow {
        id: r.int(0),
        schedule: r.text(1),
        user: r.text(2),
        from: at(r.int(3)),
        until: at(r.int(4)),
        created_by: r.text(5),
        created_at: at(r.int(6)),
        removed_by: r.otext(7),
        removed_at: r.oint(8).map(at),
    }
}

pub(crate) fn contact_row(r: &dyn Cols) -> ContactRow {
    ContactRow {
        id: r.int(0),
        user: r.text(1),
        channel: r.text(2),
        address: r.text(3),
        created_at: at(r.int(4)),
    }
}

pub(crate) fn unacknowledged_row(r: &dyn Cols) -> Unacknowledged {
    Unacknowledged {
        id: IncidentId(r.int(0)),
        service: r.otext(1),
        severity: Severity::from_level(r.int(2) as u8).unwrap_or(Severity::Sev3),
        created_at: at(r.int(3)),
        had: r.otext(4),
        tags: r
            .text(5)
            .split(',')
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .collect(),
    }
}

/// State, next time, detail and done time of a finished attempt.
pub(crate) fn attempt_columns(
    a: &Attempt,
    now: DateTime<Utc>,
) -> (&'static str, i64, String, Option<i64>) {
    let t = now.timestamp();
    match a {
        Attempt::Delivered { detail } => ("delivered", t, detail.clone(), Some(t)),
        Attempt::Retry { next_at, error } => ("pending", next_at.timestamp(), error.clone(), None),
        Attempt::Failed { error } => ("failed", t, error.clone(), Some(t)),
        Attempt::Cancelled { why } => ("cancelled", t, why.clone(), Some(t)),
    }
}

/// `SELECT … FROM outbox` for a query, with its one optional parameter.
pub(crate) fn outbox_select(q: &OutboxQuery) -> (String, Option<i64>) {
    let mut sql = format!("SELECT {OUTBOX_COLUMNS} FROM outbox");
    let mut arg = None;
    if q.failed_only {
        sql.push_str(" WHERE state = 'failed'");
    } else if let Some(id) = q.incident {
        sql.push_str(" WHERE incident_id = $1");
        arg = Some(id.0);
    }
    let limit = if q.limit == 0 { 200 } else { q.limit };
    sql.push_str(&format!(" ORDER BY id DESC LIMIT {limit}"));
    (sql, arg)
}

/// The last stakeholder update of each of `ids`: its time and the next-by
/// time it promised. Ids are numbers, written into the statement.
pub(crate) fn last_updates_sql(ids: &[IncidentId]) -> String {
    let list: Vec<String> = ids.iter().map(|i| i.0.to_string()).collect();
    format!(
        "SELECT incident_id, at, new FROM events WHERE id IN (
            SELECT max(id) FROM events WHERE kind = 'update' AND incident_id IN ({})
             GROUP BY incident_id)",
        list.join(", ")
    )
}

pub(crate) fn last_update_row(r: &dyn Cols) -> (IncidentId, crate::paging::update::Last) {
    let next = r
        .otext(2)
        .and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
        .map(|t| t.with_timezone(&Utc));
    (IncidentId(r.int(0)), (at(r.int(1)), next))
}
