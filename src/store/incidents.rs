//! Incident reads and writes.

use super::Store;
use super::row::{self, EVENT_COLUMNS, INCIDENT_COLUMNS, Unreadable, ts, ts_opt};
use crate::domain::{
    Event, EventKind, FieldChange, Incident, IncidentId, Priority, Severity, Status,
};
use crate::error::{Error, Result};
use chrono::{DateTime, Utc};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Transaction, params, params_from_iter};

/// Reads inside a change's transaction, for rules that look beyond the
/// incident row (the close policy).
pub struct TxView<'a>(&'a Connection);

impl TxView<'_> {
    pub fn postmortem(&self, id: IncidentId) -> Result<Option<crate::domain::Postmortem>> {
        super::postmortems::get_postmortem(self.0, id).map_err(|e| Error::Internal(e.to_string()))
    }
    pub fn actions(&self, id: IncidentId) -> Result<Vec<crate::domain::ActionItem>> {
        super::postmortems::actions_of(self.0, id).map_err(|e| Error::Internal(e.to_string()))
    }
    /// The most severe the incident has been (now or on its timeline).
    pub fn worst_severity(&self, inc: &Incident) -> Result<Severity> {
        let mut st = self
            .0
            .prepare_cached(&format!(
                "SELECT {EVENT_COLUMNS} FROM events WHERE incident_id = ? AND field = 'severity' ORDER BY id"
            ))
            .map_err(|e| Error::Internal(e.to_string()))?;
        let events = st
            .query_map([inc.id.0], row::event)
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(|e| Error::Internal(e.to_string()))?;
        Ok(crate::domain::worst_severity(inc, &events))
    }
}

/// One thing to write on the timeline as part of a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Record {
    Field(FieldChange),
    Status {
        old: Status,
        new: Status,
        text: Option<String>,
    },
}

/// One incident with everything recorded about it, for bulk loads (demo
/// data, imports, benchmarks). Ids inside are replaced on insert.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchItem {
    pub incident: Incident,
    pub events: Vec<Event>,
    pub postmortem: Option<crate::domain::Postmortem>,
    pub actions: Vec<crate::domain::ActionItem>,
}

/// Which incidents a list shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Scope {
    #[default]
    Open,
    All,
    Status(Status),
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListQuery {
    pub scope: Scope,
    pub severity: Option<Severity>,
    pub priority: Option<Priority>,
    pub service: Option<String>,
    pub assignee: Option<String>,
    /// Case-insensitive substring of ref, title, service or description.
    pub search: Option<String>,
    pub limit: Option<usize>,
    pub offset: usize,
}

/// Keep in step with `search::ListKey`, which sorts search results the same way.
const ORDER: &str = "ORDER BY is_open DESC, priority, created_at DESC, id DESC";

impl ListQuery {
    pub(super) fn where_clause(&self) -> (String, Vec<Value>) {
        let mut conds: Vec<String> = Vec::new();
        let mut args: Vec<Value> = Vec::new();
        match self.scope {
            Scope::Open => conds.push("is_open = 1".into()),
            Scope::All => {}
            Scope::Status(s) => {
                conds.push("status = ?".into());
                args.push(Value::Text(s.as_str().into()));
            }
        }
        if let Some(s) = self.severity {
            conds.push("severity = ?".into());
            args.push(Value::Integer(s.level().into()));
        }
        if let Some(p) = self.priority {
            conds.push("priority = ?".into());
            args.push(Value::Integer(p.level().into()));
        }
        if let Some(s) = &self.service {
            conds.push("service = ?".into());
            args.push(Value::Text(s.clone()));
        }
        if let Some(a) = &self.assignee {
            conds.push("assignee = ?".into());
            args.push(Value::Text(a.clone()));
        }
        if let Some(q) = self
            .search
            .as_deref()
            .map(str::trim)
            .filter(|q| !q.is_empty())
        {
            if let Ok(id) = q.parse::<IncidentId>() {
                conds.push(
                    "(id = ? OR title LIKE ? ESCAPE '\\' OR description LIKE ? ESCAPE '\\')".into(),
                );
                args.push(Value::Integer(id.0));
            } else {
                conds.push(
                    "(title LIKE ? ESCAPE '\\' OR description LIKE ? ESCAPE '\\' OR service LIKE ? ESCAPE '\\')"
                        .into(),
                );
                args.push(Value::Text(like_pattern(q)));
            }
            args.push(Value::Text(like_pattern(q)));
            args.push(Value::Text(like_pattern(q)));
        }
        let w = if conds.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conds.join(" AND "))
        };
        (w, args)
    }
}

fn like_pattern(q: &str) -> String {
    let mut s = String::from("%");
    for c in q.chars() {
        if matches!(c, '%' | '_' | '\\') {
            s.push('\\');
        }
        s.push(c);
    }
    s.push('%');
    s
}

/// Append one event to incident `id` (the event's own id/incident are ignored).
/// Append one event to incident `id` (the event's own id/incident are
/// ignored), chained to the previous event's hash. Must run inside the
/// caller's write transaction, which serializes the chain.
pub(crate) fn insert_event_conn(
    tx: &Connection,
    id: IncidentId,
    e: &Event,
) -> rusqlite::Result<i64> {
    let (last_id, prev) = super::audit::last(tx)?;
    let event_id = last_id + 1;
    let at = ts(e.at);
    let kind = e.kind.as_str();
    let hash = super::audit::event_hash(
        &prev,
        event_id,
        id.0,
        at,
        &e.actor,
        kind,
        e.field.as_deref(),
        e.old.as_deref(),
        e.new.as_deref(),
        e.text.as_deref(),
    );
    let mut st = tx.prepare_cached(
        "INSERT INTO events (id, incident_id, at, actor, kind, field, old, new, text, hash)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )?;
    st.execute(params![
        event_id, id.0, at, e.actor, kind, e.field, e.old, e.new, e.text, hash
    ])?;
    Ok(event_id)
}

impl Record {
    fn to_event(&self, id: IncidentId, at: DateTime<Utc>, actor: &str) -> Event {
        let (kind, field, old, new, text) = match self {
            Record::Field(c) => (
                EventKind::Field,
                c.field.to_string(),
                c.old.clone(),
                c.new.clone(),
                None,
            ),
            Record::Status { old, new, text } => (
                EventKind::Status,
                "status".to_string(),
                Some(old.to_string()),
                Some(new.to_string()),
                text.clone(),
            ),
        };
        Event {
            id: 0,
            incident: id,
            at,
            actor: actor.to_string(),
            kind,
            field: Some(field),
            old,
            new,
            text,
        }
    }
}

fn simple_event(
    id: IncidentId,
    at: DateTime<Utc>,
    actor: &str,
    kind: EventKind,
    text: &str,
) -> Event {
    Event {
        id: 0,
        incident: id,
        at,
        actor: actor.to_string(),
        kind,
        field: None,
        old: None,
        new: None,
        text: Some(text.to_string()),
    }
}

fn insert_row(tx: &Transaction<'_>, i: &Incident) -> rusqlite::Result<IncidentId> {
    let mut st = tx.prepare_cached(
        "INSERT INTO incidents (title, description, kind, status, severity, impact, urgency, priority, \
         category, service, tags, assignee, commander, scribe, comms, reporter, created_at, started_at, \
         detected_at, acknowledged_at, mitigated_at, resolved_at, closed_at, updated_at, resolution, \
         cancel_reason, version) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )?;
    st.execute(params![
        i.title,
        i.description,
        i.kind.as_str(),
        i.status.as_str(),
        i.severity.level(),
        i.impact.as_str(),
        i.urgency.as_str(),
        i.priority.level(),
        i.category,
        i.service,
        i.tags.join(","),
        i.assignee,
        i.commander,
        i.scribe,
        i.comms,
        i.reporter,
        ts(i.created_at),
        ts_opt(i.started_at),
        ts_opt(i.detected_at),
        ts_opt(i.acknowledged_at),
        ts_opt(i.mitigated_at),
        ts_opt(i.resolved_at),
        ts_opt(i.closed_at),
        ts(i.updated_at),
        i.resolution,
        i.cancel_reason,
        i.version,
    ])?;
    Ok(IncidentId(tx.last_insert_rowid()))
}

/// One incident row: `None` when there is none, `Some(Err)` when the row is
/// there but cannot be decoded.
fn get_in(
    tx: &rusqlite::Connection,
    id: IncidentId,
) -> rusqlite::Result<Option<std::result::Result<Incident, Unreadable>>> {
    tx.prepare_cached(&format!(
        "SELECT {INCIDENT_COLUMNS} FROM incidents WHERE id = ?"
    ))?
    .query_row([id.0], row::incident_or_unreadable)
    .optional()
}

/// Rows that could be read, and the ones that could not: one corrupt row
/// must not hide the rest.
#[derive(Debug, Clone, PartialEq)]
pub struct Partial<T> {
    pub rows: Vec<T>,
    pub unreadable: Vec<Unreadable>,
}

impl<T> Partial<T> {
    /// `Err` (exit 5) naming the rows that could not be read, if any.
    pub fn check(&self) -> Result<()> {
        match unreadable_error(&self.unreadable) {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

/// "INC-2 is unreadable: its title is not valid UTF-8 — restore a backup or
/// run sev doctor" (several are listed, up to a few).
pub fn unreadable_error(bad: &[Unreadable]) -> Option<Error> {
    const FIX: &str = "restore a backup or run sev doctor";
    match bad {
        [] => None,
        [one] => Some(Error::Unavailable(format!(
            "{} is unreadable: {} — {FIX}",
            one.id, one.reason
        ))),
        many => {
            let shown: Vec<String> = many.iter().take(3).map(|u| u.to_string()).collect();
            let more = if many.len() > 3 {
                format!("; and {} more", many.len() - 3)
            } else {
                String::new()
            };
            Some(Error::Unavailable(format!(
                "{} incidents are unreadable ({}{more}) — {FIX}",
                many.len(),
                shown.join("; ")
            )))
        }
    }
}

pub(crate) fn not_found(id: IncidentId) -> Error {
    Error::NotFound(format!(
        "no incident {id}: list incidents with `sev list --all`"
    ))
}

impl Store {
    /// Store a new incident and its `created` event. The id in `inc` is
    /// ignored; the stored incident (with its id) is returned.
    pub fn insert(&self, inc: &Incident, actor: &str) -> Result<Incident> {
        let tx = self.write_tx()?;
        let id = insert_row(&tx, inc).map_err(|e| self.err(e))?;
        insert_event_conn(
            &tx,
            id,
            &simple_event(id, inc.created_at, actor, EventKind::Created, &inc.title),
        )
        .map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))?;
        Ok(Incident { id, ..inc.clone() })
    }

    /// Bulk load (demo data, imports, benchmarks): one transaction for all.
    /// Event incident ids are replaced by the new incident's id.
    pub fn insert_batch(&self, items: &[BatchItem]) -> Result<Vec<IncidentId>> {
        let tx = self.write_tx()?;
        let mut ids = Vec::with_capacity(items.len());
        for item in items {
            let id = insert_row(&tx, &item.incident).map_err(|e| self.err(e))?;
            for ev in &item.events {
                insert_event_conn(&tx, id, ev).map_err(|e| self.err(e))?;
            }
            if let Some(pm) = &item.postmortem {
                super::postmortems::insert_postmortem(&tx, id, pm).map_err(|e| self.err(e))?;
            }
            for a in &item.actions {
                super::postmortems::insert_action(&tx, id, a).map_err(|e| self.err(e))?;
            }
            ids.push(id);
        }
        tx.commit().map_err(|e| self.err(e))?;
        Ok(ids)
    }

    /// One incident; a row that cannot be decoded is exit 5, named.
    pub fn get(&self, id: IncidentId) -> Result<Incident> {
        get_in(&self.conn, id)
            .map_err(|e| self.err(e))?
            .ok_or_else(|| not_found(id))?
            .map_err(|u| unreadable_error(&[u]).unwrap_or_else(|| not_found(id)))
    }

    /// The whole timeline of one incident, oldest first.
    pub fn events(&self, id: IncidentId) -> Result<Vec<Event>> {
        let mut st = self
            .conn
            .prepare_cached(&format!(
                "SELECT {EVENT_COLUMNS} FROM events WHERE incident_id = ? ORDER BY id"
            ))
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map([id.0], |r| {
                Ok(row::event(r).map_err(|e| {
                    let n = r.get::<_, i64>(0).unwrap_or(0);
                    Error::Unavailable(format!(
                        "event #{n} of {id} is unreadable: {} — restore a backup or run sev doctor (sev verify checks the audit trail)",
                        row::describe(&e, EVENT_COLUMNS)
                    ))
                }))
            })
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for r in rows {
            out.push(r.map_err(|e| self.err(e))??);
        }
        Ok(out)
    }

    /// Change one incident in one `BEGIN IMMEDIATE` transaction: `f` gets the
    /// row as stored *now* and returns what to record. No records, no write.
    /// Otherwise the version is bumped and the events appended atomically.
    pub fn modify<F>(
        &self,
        id: IncidentId,
        actor: &str,
        now: DateTime<Utc>,
        f: F,
    ) -> Result<Incident>
    where
        F: FnOnce(&mut Incident, &TxView<'_>) -> Result<Vec<Record>>,
    {
        let tx = self.write_tx()?;
        let stored = get_in(&tx, id)
            .map_err(|e| self.err(e))?
            .ok_or_else(|| not_found(id))?
            .map_err(|u| unreadable_error(&[u]).unwrap_or_else(|| not_found(id)))?;
        let mut inc = stored.clone();
        let records = f(&mut inc, &TxView(&tx))?;
        if records.is_empty() {
            return Ok(stored);
        }
        inc.id = stored.id;
        inc.version = stored.version + 1;
        inc.updated_at = now.max(inc.updated_at);
        let n = tx
            .prepare_cached(
                "UPDATE incidents SET title = ?, description = ?, kind = ?, status = ?, severity = ?, \
                 impact = ?, urgency = ?, priority = ?, category = ?, service = ?, tags = ?, assignee = ?, \
                 commander = ?, scribe = ?, comms = ?, started_at = ?, detected_at = ?, acknowledged_at = ?, \
                 mitigated_at = ?, resolved_at = ?, closed_at = ?, updated_at = ?, resolution = ?, \
                 cancel_reason = ?, version = ? WHERE id = ? AND version = ?",
            )
            .and_then(|mut st| {
                st.execute(params![
                    inc.title,
                    inc.description,
                    inc.kind.as_str(),
                    inc.status.as_str(),
                    inc.severity.level(),
                    inc.impact.as_str(),
                    inc.urgency.as_str(),
                    inc.priority.level(),
                    inc.category,
                    inc.service,
                    inc.tags.join(","),
                    inc.assignee,
                    inc.commander,
                    inc.scribe,
                    inc.comms,
                    ts_opt(inc.started_at),
                    ts_opt(inc.detected_at),
                    ts_opt(inc.acknowledged_at),
                    ts_opt(inc.mitigated_at),
                    ts_opt(inc.resolved_at),
                    ts_opt(inc.closed_at),
                    ts(inc.updated_at),
                    inc.resolution,
                    inc.cancel_reason,
                    inc.version,
                    id.0,
                    stored.version,
                ])
            })
            .map_err(|e| self.err(e))?;
        if n != 1 {
            return Err(Error::Internal(format!(
                "{id} changed under a write lock; nothing was saved"
            )));
        }
        for r in &records {
            insert_event_conn(&tx, id, &r.to_event(id, now, actor)).map_err(|e| self.err(e))?;
        }
        tx.commit().map_err(|e| self.err(e))?;
        Ok(inc)
    }

    /// Append a note. Notes never conflict: they do not bump the version.
    pub fn add_note(
        &self,
        id: IncidentId,
        actor: &str,
        now: DateTime<Utc>,
        text: &str,
    ) -> Result<Event> {
        let text = text.trim_end();
        if text.trim().is_empty() {
            return Err(Error::Usage(
                "the note is empty: write what happened or what you found".into(),
            ));
        }
        let tx = self.write_tx()?;
        if get_in(&tx, id).map_err(|e| self.err(e))?.is_none() {
            return Err(not_found(id));
        }
        let note = simple_event(id, now, actor, EventKind::Note, text);
        let eid = insert_event_conn(&tx, id, &note).map_err(|e| self.err(e))?;
        tx.execute(
            "UPDATE incidents SET updated_at = max(updated_at, ?) WHERE id = ?",
            params![ts(now), id.0],
        )
        .map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))?;
        Ok(Event {
            id: eid,
            at: DateTime::from_timestamp(ts(now), 0).unwrap_or(now),
            ..note
        })
    }

    /// Incidents matching `q`, open first, by priority then newest. Rows
    /// that cannot be decoded are left out and named in `unreadable`.
    pub fn list(&self, q: &ListQuery) -> Result<Partial<Incident>> {
        let (w, mut args) = q.where_clause();
        args.push(Value::Integer(q.limit.map(|l| l as i64).unwrap_or(-1)));
        args.push(Value::Integer(q.offset as i64));
        let sql = format!("SELECT {INCIDENT_COLUMNS} FROM incidents {w} {ORDER} LIMIT ? OFFSET ?");
        let mut st = self.conn.prepare_cached(&sql).map_err(|e| self.err(e))?;
        let rows = st
            .query_map(params_from_iter(args), row::incident_or_unreadable)
            .map_err(|e| self.err(e))?;
        let mut out = Partial {
            rows: Vec::new(),
            unreadable: Vec::new(),
        };
        for r in rows {
            match r.map_err(|e| self.err(e))? {
                Ok(i) => out.rows.push(i),
                Err(u) => out.unreadable.push(u),
            }
        }
        Ok(out)
    }

    /// Only the ids of a list, in list order: cheap enough to hold for 100k
    /// rows, so a screen can fetch just the rows it shows.
    pub fn list_ids(&self, q: &ListQuery) -> Result<Vec<IncidentId>> {
        let (w, args) = q.where_clause();
        let sql = format!("SELECT id FROM incidents {w} {ORDER}");
        let mut st = self.conn.prepare_cached(&sql).map_err(|e| self.err(e))?;
        let rows = st
            .query_map(params_from_iter(args), |r| Ok(IncidentId(r.get(0)?)))
            .map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.err(e))
    }

    pub fn count(&self, q: &ListQuery) -> Result<usize> {
        let (w, args) = q.where_clause();
        let sql = format!("SELECT count(*) FROM incidents {w}");
        self.conn
            .query_row(&sql, params_from_iter(args), |r| r.get::<_, i64>(0))
            .map(|n| n as usize)
            .map_err(|e| self.err(e))
    }

    /// Fetch these incidents (in the order given; missing ones skipped,
    /// undecodable ones named in `unreadable`).
    pub fn get_many(&self, ids: &[IncidentId]) -> Result<Partial<Incident>> {
        let mut got: std::collections::HashMap<IncidentId, Incident> =
            std::collections::HashMap::new();
        let mut unreadable = Vec::new();
        // Stay well under SQLite's limit on bound parameters.
        for chunk in ids.chunks(10_000) {
            let marks = vec!["?"; chunk.len()].join(",");
            let sql = format!("SELECT {INCIDENT_COLUMNS} FROM incidents WHERE id IN ({marks})");
            let mut st = self.conn.prepare(&sql).map_err(|e| self.err(e))?;
            let rows = st
                .query_map(
                    params_from_iter(chunk.iter().map(|i| i.0)),
                    row::incident_or_unreadable,
                )
                .map_err(|e| self.err(e))?;
            for r in rows {
                match r.map_err(|e| self.err(e))? {
                    Ok(i) => {
                        got.insert(i.id, i);
                    }
                    Err(u) => unreadable.push(u),
                }
            }
        }
        unreadable.sort_by_key(|u: &Unreadable| ids.iter().position(|i| *i == u.id));
        Ok(Partial {
            rows: ids.iter().filter_map(|id| got.remove(id)).collect(),
            unreadable,
        })
    }

    /// Distinct non-empty values of a free-text column, for pick lists.
    pub fn distinct_services(&self) -> Result<Vec<String>> {
        let mut st = self
            .conn
            .prepare_cached("SELECT DISTINCT service FROM incidents WHERE service IS NOT NULL ORDER BY service LIMIT 500")
            .map_err(|e| self.err(e))?;
        let rows = st.query_map([], |r| r.get(0)).map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<Vec<String>>>()
            .map_err(|e| self.err(e))
    }
}
