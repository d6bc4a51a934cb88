//! Postmortems, timeline marks and action items. Every change is one
//! `BEGIN IMMEDIATE` transaction that also appends an audit event to the
//! incident's timeline.

use super::Store;
use super::incidents::not_found;
use super::row::ts;
use crate::domain::{
    ActionId, ActionItem, ActionKind, ActionStatus, Event, EventKind, FieldChange, IncidentId,
    Mark, PmStatus, Postmortem,
};
use crate::error::{Error, Result};
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params, params_from_iter};
use std::collections::HashMap;

fn time(v: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(v, 0).unwrap_or_default()
}

fn parsed<T: std::str::FromStr>(s: String) -> rusqlite::Result<T> {
    s.parse::<T>().map_err(|_| {
        rusqlite::Error::FromSqlConversionFailure(
            0,
            rusqlite::types::Type::Text,
            format!("unexpected value '{s}'").into(),
        )
    })
}

pub(crate) fn get_postmortem(
    c: &Connection,
    id: IncidentId,
) -> rusqlite::Result<Option<Postmortem>> {
    c.prepare_cached(
        "SELECT status, owner, sections, created_at, updated_at, published_at, version FROM postmortems WHERE incident_id = ?",
    )?
    .query_row([id.0], |r| {
        let sections: String = r.get(2)?;
        Ok(Postmortem {
            incident: id,
            status: parsed::<PmStatus>(r.get(0)?)?,
            owner: r.get(1)?,
            sections: serde_json::from_str(&sections).unwrap_or_default(),
            created_at: time(r.get(3)?),
            updated_at: time(r.get(4)?),
            published_at: r.get::<_, Option<i64>>(5)?.map(time),
            version: r.get(6)?,
        })
    })
    .optional()
}

const ACTION_COLUMNS: &str =
    "id, incident_id, description, type, owner, due_date, status, created_at, updated_at, version";

fn action_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ActionItem> {
    let due: Option<String> = r.get(5)?;
    Ok(ActionItem {
        id: ActionId(r.get(0)?),
        incident: IncidentId(r.get(1)?),
        description: r.get(2)?,
        kind: parsed::<ActionKind>(r.get(3)?)?,
        owner: r.get(4)?,
        due: due.and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()),
        status: parsed::<ActionStatus>(r.get(6)?)?,
        created_at: time(r.get(7)?),
        updated_at: time(r.get(8)?),
        version: r.get(9)?,
    })
}

pub(crate) fn actions_of(c: &Connection, id: IncidentId) -> rusqlite::Result<Vec<ActionItem>> {
    let mut st = c.prepare_cached(&format!(
        "SELECT {ACTION_COLUMNS} FROM action_items WHERE incident_id = ? ORDER BY id"
    ))?;
    let rows = st.query_map([id.0], action_row)?;
    rows.collect()
}

fn audit(
    c: &Connection,
    id: IncidentId,
    at: DateTime<Utc>,
    actor: &str,
    kind: EventKind,
    ch: &FieldChange,
) -> rusqlite::Result<()> {
    super::incidents::insert_event_conn(
        c,
        id,
        &Event {
            id: 0,
            incident: id,
            at,
            actor: actor.to_string(),
            kind,
            field: Some(ch.field.to_string()),
            old: ch.old.clone(),
            new: ch.new.clone(),
            text: None,
        },
    )
    .map(|_| ())
}

fn incident_exists(c: &Connection, id: IncidentId) -> rusqlite::Result<bool> {
    c.prepare_cached("SELECT 1 FROM incidents WHERE id = ?")?
        .exists([id.0])
}

/// Bulk load: a postmortem row for incident `id`.
pub(crate) fn insert_postmortem(
    c: &Connection,
    id: IncidentId,
    pm: &Postmortem,
) -> rusqlite::Result<()> {
    c.prepare_cached(
        "INSERT INTO postmortems (incident_id, status, owner, sections, created_at, updated_at, published_at, version)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )?
    .execute(params![
        id.0,
        pm.status.as_str(),
        pm.owner,
        serde_json::to_string(&pm.sections).unwrap_or_else(|_| "{}".into()),
        ts(pm.created_at),
        ts(pm.updated_at),
        pm.published_at.map(ts),
        pm.version.max(1)
    ])
    .map(|_| ())
}

/// Bulk load: an action item of incident `id`.
pub(crate) fn insert_action(
    c: &Connection,
    id: IncidentId,
    a: &ActionItem,
) -> rusqlite::Result<()> {
    c.prepare_cached(&format!(
        "INSERT INTO action_items ({ACTION_COLUMNS}) VALUES (NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    ))?
    .execute(params![
        id.0,
        a.description,
        a.kind.as_str(),
        a.owner,
        a.due.map(|d| d.format("%Y-%m-%d").to_string()),
        a.status.as_str(),
        ts(a.created_at),
        ts(a.updated_at),
        a.version.max(1)
    ])
    .map(|_| ())
}

/// Which action items to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActionQuery {
    pub incident: Option<IncidentId>,
    pub open_only: bool,
    /// Only open items due before this date.
    pub overdue_on: Option<NaiveDate>,
    pub owner: Option<String>,
}

impl Store {
    pub fn postmortem(&self, id: IncidentId) -> Result<Option<Postmortem>> {
        get_postmortem(&self.conn, id).map_err(|e| self.err(e))
    }

    /// Change a postmortem (created on first change). `f` gets the stored
    /// postmortem and returns the changes to record; no changes, no write.
    pub fn modify_postmortem<F>(
        &self,
        id: IncidentId,
        actor: &str,
        now: DateTime<Utc>,
        f: F,
    ) -> Result<Postmortem>
    where
        F: FnOnce(&mut Postmortem) -> Result<Vec<FieldChange>>,
    {
        let tx = self.write_tx()?;
        if !incident_exists(&tx, id).map_err(|e| self.err(e))? {
            return Err(not_found(id));
        }
        let stored = get_postmortem(&tx, id)
            .map_err(|e| self.err(e))?
            .unwrap_or_else(|| Postmortem::new(id, now));
        let mut pm = stored.clone();
        let changes = f(&mut pm)?;
        if changes.is_empty() {
            return Ok(stored);
        }
        pm.version = stored.version + 1;
        pm.updated_at = now;
        let sections = serde_json::to_string(&pm.sections).unwrap_or_else(|_| "{}".into());
        let n = tx
            .execute(
                "INSERT INTO postmortems (incident_id, status, owner, sections, created_at, updated_at, published_at, version)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT (incident_id) DO UPDATE SET status = ?2, owner = ?3, sections = ?4, updated_at = ?6,
                     published_at = ?7, version = ?8
                 WHERE postmortems.version = ?9",
                params![
                    id.0,
                    pm.status.as_str(),
                    pm.owner,
                    sections,
                    ts(pm.created_at),
                    ts(pm.updated_at),
                    pm.published_at.map(ts),
                    pm.version,
                    stored.version
                ],
            )
            .map_err(|e| self.err(e))?;
        if n != 1 {
            return Err(Error::Internal(format!(
                "the postmortem of {id} changed under a write lock; nothing was saved"
            )));
        }
        for ch in &changes {
            audit(&tx, id, now, actor, EventKind::Postmortem, ch).map_err(|e| self.err(e))?;
        }
        tx.commit().map_err(|e| self.err(e))?;
        Ok(pm)
    }

    /// The author's marks on an incident's timeline, by event id.
    pub fn marks(&self, id: IncidentId) -> Result<HashMap<i64, Mark>> {
        let mut st = self
            .conn
            .prepare_cached("SELECT event_id, highlight, hidden, annotation FROM timeline_marks WHERE incident_id = ?")
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map([id.0], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    Mark {
                        highlight: r.get(1)?,
                        hidden: r.get(2)?,
                        annotation: r.get(3)?,
                    },
                ))
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(|e| self.err(e))
    }

    /// Highlight, hide or annotate one timeline event (the event itself
    /// never changes).
    pub fn set_mark(
        &self,
        id: IncidentId,
        event_id: i64,
        mark: &Mark,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let tx = self.write_tx()?;
        let belongs: bool = tx
            .prepare_cached("SELECT 1 FROM events WHERE id = ? AND incident_id = ?")
            .and_then(|mut s| s.exists(params![event_id, id.0]))
            .map_err(|e| self.err(e))?;
        if !belongs {
            return Err(Error::NotFound(format!(
                "no timeline event {event_id} on {id}"
            )));
        }
        tx.execute(
            "INSERT INTO timeline_marks (event_id, incident_id, highlight, hidden, annotation) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (event_id) DO UPDATE SET highlight = ?3, hidden = ?4, annotation = ?5",
            params![event_id, id.0, mark.highlight, mark.hidden, mark.annotation],
        )
        .map_err(|e| self.err(e))?;
        let what = format!(
            "timeline #{event_id}{}{}",
            if mark.highlight { " highlighted" } else { "" },
            if mark.hidden { " hidden" } else { "" }
        );
        let ch = FieldChange {
            field: "timeline",
            old: None,
            new: Some(what),
        };
        audit(&tx, id, now, actor, EventKind::Postmortem, &ch).map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))
    }

    pub fn actions(&self, q: &ActionQuery) -> Result<Vec<ActionItem>> {
        let mut conds: Vec<&str> = Vec::new();
        let mut args: Vec<Value> = Vec::new();
        if let Some(i) = q.incident {
            conds.push("incident_id = ?");
            args.push(Value::Integer(i.0));
        }
        if q.open_only || q.overdue_on.is_some() {
            conds.push("status IN ('open', 'in-progress')");
        }
        if let Some(d) = q.overdue_on {
            conds.push("due_date IS NOT NULL AND due_date < ?");
            args.push(Value::Text(d.format("%Y-%m-%d").to_string()));
        }
        if let Some(o) = &q.owner {
            conds.push("owner = ?");
            args.push(Value::Text(o.clone()));
        }
        let w = if conds.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conds.join(" AND "))
        };
        // Open first, soonest due first, undated last.
        let sql = format!(
            "SELECT {ACTION_COLUMNS} FROM action_items {w}
             ORDER BY status NOT IN ('open', 'in-progress'), due_date IS NULL, due_date, id"
        );
        let mut st = self.conn.prepare_cached(&sql).map_err(|e| self.err(e))?;
        let rows = st
            .query_map(params_from_iter(args), action_row)
            .map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(|e| self.err(e))
    }

    pub fn action(&self, id: ActionId) -> Result<ActionItem> {
        self.conn
            .prepare_cached(&format!(
                "SELECT {ACTION_COLUMNS} FROM action_items WHERE id = ?"
            ))
            .and_then(|mut s| s.query_row([id.0], action_row).optional())
            .map_err(|e| self.err(e))?
            .ok_or_else(|| {
                Error::NotFound(format!("no action item {id}: list them with `sev actions`"))
            })
    }

    /// Add an action item (its id is assigned here) and record it on the
    /// incident's timeline.
    pub fn add_action(&self, item: &ActionItem, actor: &str) -> Result<ActionItem> {
        let tx = self.write_tx()?;
        if !incident_exists(&tx, item.incident).map_err(|e| self.err(e))? {
            return Err(not_found(item.incident));
        }
        insert_action(&tx, item.incident, item).map_err(|e| self.err(e))?;
        let id = ActionId(tx.last_insert_rowid());
        let ch = FieldChange {
            field: "added",
            old: None,
            new: Some(format!("{id}: {}", item.description)),
        };
        audit(
            &tx,
            item.incident,
            item.created_at,
            actor,
            EventKind::Action,
            &ch,
        )
        .map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))?;
        Ok(ActionItem {
            id,
            version: 1,
            ..item.clone()
        })
    }

    /// Change an action item in one transaction; `f` returns what changed.
    pub fn modify_action<F>(
        &self,
        id: ActionId,
        actor: &str,
        now: DateTime<Utc>,
        f: F,
    ) -> Result<ActionItem>
    where
        F: FnOnce(&mut ActionItem) -> Result<Vec<FieldChange>>,
    {
        let tx = self.write_tx()?;
        let stored = tx
            .prepare_cached(&format!(
                "SELECT {ACTION_COLUMNS} FROM action_items WHERE id = ?"
            ))
            .and_then(|mut s| s.query_row([id.0], action_row).optional())
            .map_err(|e| self.err(e))?
            .ok_or_else(|| {
                Error::NotFound(format!("no action item {id}: list them with `sev actions`"))
            })?;
        let mut a = stored.clone();
        let changes = f(&mut a)?;
        if changes.is_empty() {
            return Ok(stored);
        }
        a.version = stored.version + 1;
        a.updated_at = now;
        tx.execute(
            "UPDATE action_items SET description = ?, type = ?, owner = ?, due_date = ?, status = ?, updated_at = ?,
             version = ? WHERE id = ? AND version = ?",
            params![
                a.description,
                a.kind.as_str(),
                a.owner,
                a.due.map(|d| d.format("%Y-%m-%d").to_string()),
                a.status.as_str(),
                ts(now),
                a.version,
                id.0,
                stored.version
            ],
        )
        .map_err(|e| self.err(e))?;
        for ch in &changes {
            let named = FieldChange {
                field: ch.field,
                old: ch.old.clone(),
                new: ch.new.clone(),
            };
            let mut ev = named;
            ev.new = ev.new.map(|n| format!("{id} {n}"));
            audit(&tx, a.incident, now, actor, EventKind::Action, &ev).map_err(|e| self.err(e))?;
        }
        tx.commit().map_err(|e| self.err(e))?;
        Ok(a)
    }
}
