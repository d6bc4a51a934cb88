//! Alert rows on PostgreSQL: how they are decoded, and as one array per
//! column with the two statements that write a body's alerts with them
//! (`unnest`) — the set-wise half of the intake (`alert_queries.rs`).

use super::*;
use crate::store::intake::{
    AlertCounts, AlertRow, Beat, Window, labels_json, labels_of, links_json, links_of,
};

pub(super) fn time(t: Option<i64>) -> Option<DateTime<Utc>> {
    t.and_then(|s| DateTime::from_timestamp(s, 0))
}

pub(super) fn at(t: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(t, 0).unwrap_or_default()
}

pub(super) fn alert_row(r: &Row) -> AlertRow {
    AlertRow {
        id: r.get(0),
        incident: r.get::<_, Option<i64>>(1).map(IncidentId),
        source: r.get(2),
        integration: r.get(3),
        key: r.get(4),
        group: r.get(5),
        status: r.get(6),
        suppressed: r.get(7),
        summary: r.get(8),
        severity: r.get(9),
        labels: labels_of(r.get::<_, &str>(10)),
        annotations: labels_of(r.get::<_, &str>(11)),
        links: links_of(r.get::<_, &str>(12)),
        starts_at: time(r.get(13)),
        ends_at: time(r.get(14)),
        first_received: at(r.get(15)),
        last_received: at(r.get(16)),
        receipts: r.get(17),
        last_body: r.get(18),
    }
}

pub(super) fn window_row(r: &Row) -> Window {
    Window {
        id: r.get(0),
        matchers: r.get(1),
        starts_at: at(r.get(2)),
        ends_at: at(r.get(3)),
        reason: r.get(4),
        created_by: r.get(5),
        created_at: at(r.get(6)),
        ended_by: r.get(7),
        replayed: r.get::<_, i64>(8) != 0,
    }
}

pub(super) fn beat_row(r: &Row) -> Beat {
    Beat {
        name: r.get(0),
        last_at: at(r.get(1)),
        incident: r.get::<_, Option<i64>>(2).map(IncidentId),
    }
}

pub(super) const COUNTS: &str = "SELECT count(*)::bigint,
        count(*) FILTER (WHERE status = 'firing')::bigint,
        count(*) FILTER (WHERE status = 'acknowledged')::bigint,
        count(*) FILTER (WHERE status = 'resolved')::bigint
   FROM alerts WHERE incident_id = $1";

pub(super) fn counts(r: &Row) -> AlertCounts {
    AlertCounts {
        total: r.get(0),
        firing: r.get(1),
        acknowledged: r.get(2),
        resolved: r.get(3),
    }
}

/// The columns `write_alerts` sets on an update, as arrays in this order.
pub(super) const UPDATE_ALERTS: &str = "UPDATE alerts a SET incident_id = u.incident_id,
        group_key = u.group_key, status = u.status, suppressed = u.suppressed,
        summary = u.summary, severity = u.severity, labels = u.labels,
        annotations = u.annotations, links = u.links, starts_at = u.starts_at,
        ends_at = u.ends_at, last_received = u.last_received, receipts = u.receipts,
        last_body = u.last_body
   FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[],
               $7::text[], $8::text[], $9::text[], $10::text[], $11::bigint[], $12::bigint[],
               $13::bigint[], $14::bigint[], $15::bigint[])
     AS u(id, incident_id, group_key, status, suppressed, summary, severity, labels,
          annotations, links, starts_at, ends_at, last_received, receipts, last_body)
  WHERE a.id = u.id";

/// Ids are max + 1 onwards (the write lock is held), in the same statement.
pub(super) const INSERT_ALERTS: &str = "INSERT INTO alerts (id, incident_id, source, integration,
        alert_key, group_key, status, suppressed, summary, severity, labels, annotations,
        links, starts_at, ends_at, first_received, last_received, receipts, last_body)
 SELECT m.base + u.n, u.incident_id, u.source, u.integration, u.alert_key, u.group_key,
        u.status, u.suppressed, u.summary, u.severity, u.labels, u.annotations, u.links,
        u.starts_at, u.ends_at, u.first_received, u.last_received, u.receipts, u.last_body
   FROM (SELECT coalesce(max(id), 0)::bigint AS base FROM alerts) m,
        unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
               $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[],
               $13::bigint[], $14::bigint[], $15::bigint[], $16::bigint[], $17::bigint[],
               $18::bigint[])
        WITH ORDINALITY AS u(incident_id, source, integration, alert_key, group_key, status,
             suppressed, summary, severity, labels, annotations, links, starts_at, ends_at,
             first_received, last_received, receipts, last_body, n)";

/// Alert rows as one array per column, for `unnest`.
#[derive(Default)]
pub(super) struct Columns {
    pub(super) id: Vec<i64>,
    pub(super) incident: Vec<Option<i64>>,
    pub(super) source: Vec<String>,
    pub(super) integration: Vec<String>,
    pub(super) key: Vec<String>,
    pub(super) group: Vec<String>,
    pub(super) status: Vec<String>,
    pub(super) suppressed: Vec<Option<String>>,
    pub(super) summary: Vec<String>,
    pub(super) severity: Vec<Option<String>>,
    pub(super) labels: Vec<String>,
    pub(super) annotations: Vec<String>,
    pub(super) links: Vec<String>,
    pub(super) starts_at: Vec<Option<i64>>,
    pub(super) ends_at: Vec<Option<i64>>,
    pub(super) first_received: Vec<i64>,
    pub(super) last_received: Vec<i64>,
    pub(super) receipts: Vec<i64>,
    pub(super) last_body: Vec<Option<i64>>,
}

impl Columns {
    pub(super) fn of(rows: &[AlertRow]) -> Columns {
        let mut c = Columns::default();
        for a in rows {
            c.id.push(a.id);
            c.incident.push(a.incident.map(|i| i.0));
            c.source.push(a.source.clone());
            c.integration.push(a.integration.clone());
            c.key.push(a.key.clone());
            c.group.push(a.group.clone());
            c.status.push(a.status.clone());
            c.suppressed.push(a.suppressed.clone());
            c.summary.push(a.summary.clone());
            c.severity.push(a.severity.clone());
            c.labels.push(labels_json(&a.labels));
            c.annotations.push(labels_json(&a.annotations));
            c.links.push(links_json(&a.links));
            c.starts_at.push(a.starts_at.map(|t| t.timestamp()));
            c.ends_at.push(a.ends_at.map(|t| t.timestamp()));
            c.first_received.push(a.first_received.timestamp());
            c.last_received.push(a.last_received.timestamp());
            c.receipts.push(a.receipts);
            c.last_body.push(a.last_body);
        }
        c
    }
}
