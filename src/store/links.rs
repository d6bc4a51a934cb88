//! Links between incidents (`incident_links`): "related" both ways, and
//! "duplicate" from a merged incident to the one it was merged into. A
//! link is written with an event on each side's timeline, in one write
//! transaction; a merge also cancels the duplicate in that transaction.
//!
//! The types here are shared with the PostgreSQL backend
//! (`pg/link_queries.rs`); the wording of the events comes from `ops`.

use super::Lite;
use super::incidents::{stored, update_row};
use super::timeline::{self, Record};
use super::types::Epoch;
use crate::domain::{Event, EventKind, Incident, IncidentId};
use crate::error::{Error, Result};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

/// What a link says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkKind {
    /// The two incidents are about related problems (no direction).
    Related,
    /// `a` is a duplicate of `b` (merged into it).
    Duplicate,
}

impl LinkKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LinkKind::Related => "related",
            LinkKind::Duplicate => "duplicate",
        }
    }

    pub fn parse(s: &str) -> Option<LinkKind> {
        match s {
            "related" => Some(LinkKind::Related),
            "duplicate" => Some(LinkKind::Duplicate),
            _ => None,
        }
    }
}

/// A link to write, with the event text for each side's timeline.
#[derive(Debug, Clone)]
pub struct NewLink {
    pub a: IncidentId,
    pub b: IncidentId,
    pub kind: LinkKind,
    pub note: Option<String>,
    /// The event on `a`'s timeline (`field` is the relation as `a` sees it).
    pub on_a: LinkEvent,
    /// The event on `b`'s timeline.
    pub on_b: LinkEvent,
}

/// One side's timeline entry for a link.
#[derive(Debug, Clone)]
pub struct LinkEvent {
    /// The relation as this side sees it: related, duplicate-of, merged.
    pub relation: &'static str,
    pub text: String,
}

/// A stored link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkRow {
    pub a: IncidentId,
    pub b: IncidentId,
    pub kind: LinkKind,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub note: Option<String>,
}

impl LinkRow {
    /// The other incident and the relation as `id` sees it: `related`,
    /// `duplicate-of` (id was merged into the other) or `merged` (the
    /// other was merged into id).
    pub fn seen_from(&self, id: IncidentId) -> (IncidentId, &'static str) {
        let other = if self.a == id { self.b } else { self.a };
        let relation = match self.kind {
            LinkKind::Related => "related",
            LinkKind::Duplicate if self.a == id => "duplicate-of",
            LinkKind::Duplicate => "merged",
        };
        (other, relation)
    }
}

impl NewLink {
    /// The timeline events of both sides, at `at` by `actor`.
    pub(super) fn events(&self, at: DateTime<Utc>, actor: &str) -> [(IncidentId, Event); 2] {
        let ev = |this: IncidentId, other: IncidentId, e: &LinkEvent| Event {
            id: 0,
            incident: this,
            at,
            actor: actor.to_string(),
            kind: EventKind::Link,
            field: Some(e.relation.to_string()),
            old: None,
            new: Some(other.to_string()),
            text: Some(e.text.clone()),
        };
        [
            (self.a, ev(self.a, self.b, &self.on_a)),
            (self.b, ev(self.b, self.a, &self.on_b)),
        ]
    }
}

pub(super) const LINK_COLUMNS: &str = "a, b, kind, at, actor, note";

fn link_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<LinkRow> {
    let kind: String = r.get("kind")?;
    let at: Epoch = r.get("at")?;
    Ok(LinkRow {
        a: IncidentId(r.get("a")?),
        b: IncidentId(r.get("b")?),
        kind: LinkKind::parse(&kind).ok_or_else(|| {
            rusqlite::Error::FromSqlConversionFailure(
                2,
                rusqlite::types::Type::Text,
                format!("'{kind}' is not a link kind this sev knows").into(),
            )
        })?,
        at: at.0,
        actor: r.get("actor")?,
        note: r.get("note")?,
    })
}

/// Is there already such a link (a related link either way)?
fn exists(c: &Connection, l: &NewLink) -> rusqlite::Result<bool> {
    let sql = match l.kind {
        LinkKind::Related => {
            "SELECT 1 FROM incident_links WHERE kind = 'related' \
             AND ((a = ?1 AND b = ?2) OR (a = ?2 AND b = ?1))"
        }
        LinkKind::Duplicate => {
            "SELECT 1 FROM incident_links WHERE kind = 'duplicate' AND a = ?1 AND b = ?2"
        }
    };
    c.query_row(sql, params![l.a, l.b], |_| Ok(()))
        .optional()
        .map(|o| o.is_some())
}

/// Insert the row and both events, and touch both incidents' `updated_at`
/// (a link, like a note, changes no field: the versions stay).
fn write_link(
    c: &Connection,
    l: &NewLink,
    actor: &str,
    now: DateTime<Utc>,
) -> rusqlite::Result<()> {
    c.execute(
        "INSERT INTO incident_links (a, b, kind, at, actor, note) VALUES (?, ?, ?, ?, ?, ?)",
        params![l.a, l.b, l.kind.as_str(), Epoch(now), actor, l.note],
    )?;
    for (id, e) in l.events(now, actor) {
        timeline::append(c, id, &e)?;
        c.execute(
            "UPDATE incidents SET updated_at = max(updated_at, ?) WHERE id = ?",
            params![Epoch(now), id],
        )?;
    }
    Ok(())
}

impl Lite {
    /// Record a link. `Ok(false)`: it was there already; nothing written.
    pub fn link(&self, l: &NewLink, actor: &str, now: DateTime<Utc>) -> Result<bool> {
        let tx = self.write_tx()?;
        for id in [l.a, l.b] {
            stored(&tx, id).map_err(|e| self.err(e))??;
        }
        if exists(&tx, l).map_err(|e| self.err(e))? {
            return Ok(false);
        }
        write_link(&tx, l, actor, now).map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))?;
        Ok(true)
    }

    /// Merge `l.a` into `l.b` in one transaction: `f` gets the duplicate
    /// (to change, e.g. cancel) and the incident it goes into, as stored
    /// now, and returns what to record on the duplicate; then the
    /// duplicate link and both sides' events are written, and the
    /// duplicate's alerts (and the groups that fed it) move to `l.b`.
    /// Returns the duplicate as saved and how many alerts moved.
    pub fn merge<F>(
        &self,
        l: &NewLink,
        actor: &str,
        now: DateTime<Utc>,
        f: F,
    ) -> Result<(Incident, usize)>
    where
        F: FnOnce(&mut Incident, &Incident, DateTime<Utc>) -> Result<Vec<Record>>,
    {
        let tx = self.write_tx()?;
        let from = stored(&tx, l.a).map_err(|e| self.err(e))??;
        let into = stored(&tx, l.b).map_err(|e| self.err(e))??;
        let mut inc = from.clone();
        let records = f(&mut inc, &into, now)?;
        inc.id = from.id;
        if !records.is_empty() {
            inc.version = from.version + 1;
            inc.updated_at = now.max(inc.updated_at);
            let n = update_row(&tx, &inc, from.version).map_err(|e| self.err(e))?;
            if n != 1 {
                return Err(Error::Internal(format!(
                    "{} changed under a write lock; nothing was saved",
                    from.id
                )));
            }
            for r in &records {
                timeline::append(&tx, from.id, &r.to_event(from.id, now, actor))
                    .map_err(|e| self.err(e))?;
            }
        }
        if !exists(&tx, l).map_err(|e| self.err(e))? {
            write_link(&tx, l, actor, now).map_err(|e| self.err(e))?;
        }
        let moved = super::alerts::move_alerts_in(&tx, l.a, l.b).map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))?;
        Ok((inc, moved))
    }

    /// Every link of `id`, either side, oldest first.
    pub fn links(&self, id: IncidentId) -> Result<Vec<LinkRow>> {
        let mut st = self
            .conn
            .prepare_cached(&format!(
                "SELECT {LINK_COLUMNS} FROM incident_links WHERE a = ?1 OR b = ?1 ORDER BY at, a, b"
            ))
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map(params![id], link_row)
            .map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.err(e))
    }
}
