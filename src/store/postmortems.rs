//! Postmortems, timeline marks and action items. Every change is one
//! `BEGIN IMMEDIATE` transaction that also appends an audit event to the
//! incident's timeline.

use super::Lite;
use super::error::{action_not_found, decode, not_found};
use super::row::{self, ACTION_COLUMNS, POSTMORTEM_COLUMNS};
use super::timeline;
use super::types::{Day, Epoch, epoch};
use crate::domain::{ActionId, ActionItem, EventKind, FieldChange, IncidentId, Mark, Postmortem};
use crate::error::{Error, Result};
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, OptionalExtension, ToSql, params, params_from_iter};
use std::collections::HashMap;

/// The postmortem of `id`, if one was started; unreadable is an error
/// naming it (never an empty postmortem).
pub(crate) fn postmortem_of(
    c: &Connection,
    id: IncidentId,
) -> rusqlite::Result<Result<Option<Postmortem>>> {
    let got = c
        .prepare_cached(&format!(
            "SELECT {POSTMORTEM_COLUMNS} FROM postmortems WHERE incident_id = ?"
        ))?
        .query_row([id], |r| decode(r, row::postmortem_name, row::postmortem))
        .optional()?;
    Ok(got.transpose())
}

/// Every action item of `id`, oldest first.
pub(crate) fn actions_of(
    c: &Connection,
    id: IncidentId,
) -> rusqlite::Result<Result<Vec<ActionItem>>> {
    let mut st = c.prepare_cached(&format!(
        "SELECT {ACTION_COLUMNS} FROM action_items WHERE incident_id = ? ORDER BY id"
    ))?;
    let rows = st.query_map([id], |r| decode(r, row::action_name, row::action))?;
    collect(rows)
}

/// Rows decoded with [`decode`]: the first SQLite error, else the first
/// unreadable row, else all of them.
fn collect<T>(
    rows: impl Iterator<Item = rusqlite::Result<Result<T>>>,
) -> rusqlite::Result<Result<Vec<T>>> {
    let mut out = Vec::new();
    for r in rows {
        match r? {
            Ok(v) => out.push(v),
            Err(e) => return Ok(Err(e)),
        }
    }
    Ok(Ok(out))
}

/// One action item, read inside `c`.
fn action_in(c: &Connection, id: ActionId) -> rusqlite::Result<Result<ActionItem>> {
    let got = c
        .prepare_cached(&format!(
            "SELECT {ACTION_COLUMNS} FROM action_items WHERE id = ?"
        ))?
        .query_row([id], |r| decode(r, row::action_name, row::action))
        .optional()?;
    Ok(got.unwrap_or_else(|| Err(action_not_found(id))))
}

fn audit(
    c: &Connection,
    id: IncidentId,
    at: DateTime<Utc>,
    actor: &str,
    kind: EventKind,
    ch: &FieldChange,
) -> rusqlite::Result<()> {
    timeline::append(c, id, &timeline::change_event(id, at, actor, kind, ch)).map(|_| ())
}

fn incident_exists(c: &Connection, id: IncidentId) -> rusqlite::Result<bool> {
    c.prepare_cached("SELECT 1 FROM incidents WHERE id = ?")?
        .exists([id])
}

fn sections_json(pm: &Postmortem) -> String {
    serde_json::to_string(&pm.sections).unwrap_or_else(|_| "{}".into())
}

/// Bulk load: a postmortem row for incident `id`.
pub(crate) fn insert_postmortem(
    c: &Connection,
    id: IncidentId,
    pm: &Postmortem,
) -> rusqlite::Result<()> {
    c.prepare_cached(&format!(
        "INSERT INTO postmortems ({POSTMORTEM_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
    ))?
    .execute(params![
        id,
        pm.status,
        pm.owner,
        sections_json(pm),
        Epoch(pm.created_at),
        Epoch(pm.updated_at),
        epoch(pm.published_at),
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
        "INSERT INTO action_items ({ACTION_COLUMNS}) VALUES (NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    ))?
    .execute(params![
        id,
        a.description,
        a.kind,
        a.owner,
        a.due.map(Day),
        a.status,
        Epoch(a.created_at),
        Epoch(a.updated_at),
        a.version.max(1),
        a.done_at.map(Epoch)
    ])
    .map(|_| ())
}

/// The audit record of a change of marks.
pub(super) fn mark_change(event_id: i64, mark: &Mark) -> FieldChange {
    let what = format!(
        "timeline #{event_id}{}{}",
        if mark.highlight { " highlighted" } else { "" },
        if mark.hidden { " hidden" } else { "" }
    );
    FieldChange {
        field: "timeline",
        old: None,
        new: Some(what),
    }
}

/// Which action items to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActionQuery {
    pub incident: Option<IncidentId>,
    pub open_only: bool,
    /// Only open items due before this date.
    pub overdue_on: Option<NaiveDate>,
    pub owner: Option<String>,
    /// Only items done in `[from, until)`.
    pub done_between: Option<(chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>)>,
    /// Only done items whose done time sev does not know (done before it
    /// kept one).
    pub done_time_unknown: bool,
}

impl Lite {
    pub fn postmortem(&self, id: IncidentId) -> Result<Option<Postmortem>> {
        postmortem_of(&self.conn, id).map_err(|e| self.err(e))?
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
        F: FnOnce(&mut Postmortem, DateTime<Utc>) -> Result<Vec<FieldChange>>,
    {
        let tx = self.write_tx()?;
        if !incident_exists(&tx, id).map_err(|e| self.err(e))? {
            return Err(not_found(id));
        }
        let stored = postmortem_of(&tx, id)
            .map_err(|e| self.err(e))??
            .unwrap_or_else(|| Postmortem::new(id, now));
        let mut pm = stored.clone();
        let changes = f(&mut pm, now)?;
        if changes.is_empty() {
            return Ok(stored);
        }
        pm.version = stored.version + 1;
        pm.updated_at = now;
        let sections = sections_json(&pm);
        let n = tx
            .execute(
                "INSERT INTO postmortems (incident_id, status, owner, sections, created_at, updated_at, published_at, version)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT (incident_id) DO UPDATE SET status = ?2, owner = ?3, sections = ?4, updated_at = ?6,
                     published_at = ?7, version = ?8
                 WHERE postmortems.version = ?9",
                params![
                    id,
                    pm.status,
                    pm.owner,
                    sections,
                    Epoch(pm.created_at),
                    Epoch(pm.updated_at),
                    epoch(pm.published_at),
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
            .query_map([id], |r| {
                Ok((
                    r.get::<_, i64>("event_id")?,
                    Mark {
                        highlight: r.get("highlight")?,
                        hidden: r.get("hidden")?,
                        annotation: r.get("annotation")?,
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
            .and_then(|mut s| s.exists(params![event_id, id]))
            .map_err(|e| self.err(e))?;
        if !belongs {
            return Err(Error::NotFound(format!(
                "no timeline event {event_id} on {id}"
            )));
        }
        tx.execute(
            "INSERT INTO timeline_marks (event_id, incident_id, highlight, hidden, annotation) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (event_id) DO UPDATE SET highlight = ?3, hidden = ?4, annotation = ?5",
            params![event_id, id, mark.highlight, mark.hidden, mark.annotation],
        )
        .map_err(|e| self.err(e))?;
        let ch = mark_change(event_id, mark);
        audit(&tx, id, now, actor, EventKind::Postmortem, &ch).map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))
    }

    pub fn actions(&self, q: &ActionQuery) -> Result<Vec<ActionItem>> {
        let mut conds: Vec<&str> = Vec::new();
        let mut args: Vec<Box<dyn ToSql>> = Vec::new();
        if let Some(i) = q.incident {
            conds.push("incident_id = ?");
            args.push(Box::new(i));
        }
        if q.open_only || q.overdue_on.is_some() {
            conds.push("status IN ('open', 'in-progress')");
        }
        if let Some(d) = q.overdue_on {
            conds.push("due_date IS NOT NULL AND due_date < ?");
            args.push(Box::new(Day(d)));
        }
        if let Some(o) = &q.owner {
            conds.push("owner = ?");
            args.push(Box::new(o.clone()));
        }
        if let Some((from, until)) = q.done_between {
            conds.push("status = 'done' AND done_at >= ? AND done_at < ?");
            args.push(Box::new(Epoch(from)));
            args.push(Box::new(Epoch(until)));
        }
        if q.done_time_unknown {
            conds.push("status = 'done' AND done_at IS NULL");
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
            .query_map(params_from_iter(args), |r| {
                decode(r, row::action_name, row::action)
            })
            .map_err(|e| self.err(e))?;
        collect(rows).map_err(|e| self.err(e))?
    }

    pub fn action(&self, id: ActionId) -> Result<ActionItem> {
        action_in(&self.conn, id).map_err(|e| self.err(e))?
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
        let stored = action_in(&tx, id).map_err(|e| self.err(e))??;
        let mut a = stored.clone();
        let changes = f(&mut a)?;
        if changes.is_empty() {
            return Ok(stored);
        }
        a.version = stored.version + 1;
        a.updated_at = now;
        a.settle_done(stored.status, now);
        tx.execute(
            "UPDATE action_items SET description = ?, type = ?, owner = ?, due_date = ?, status = ?, updated_at = ?,
             version = ?, done_at = ? WHERE id = ? AND version = ?",
            params![
                a.description,
                a.kind,
                a.owner,
                a.due.map(Day),
                a.status,
                Epoch(now),
                a.version,
                a.done_at.map(Epoch),
                id,
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
