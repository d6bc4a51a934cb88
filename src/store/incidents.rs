//! Incident reads and writes, and the default list order.

use super::Lite;
use super::close_view::TxView;
use super::error::{Partial, Unreadable, not_found, unreadable_error};
use super::row::{self, Cols, INCIDENT_COLUMNS};
use super::timeline::{self, Record};
use super::types::{Epoch, epoch};
use crate::domain::{Event, EventKind, Incident, IncidentId, Priority, Severity, Status};
use crate::error::{Error, Result};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, ToSql, params, params_from_iter};

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
    /// Only these incidents (a drill-down from the metrics view).
    pub only: Option<std::sync::Arc<Vec<IncidentId>>>,
    pub limit: Option<usize>,
    pub offset: usize,
}

/// The default order: what needs a responder now comes first. `attention`
/// is 0 for triage, acknowledged and investigating, 1 for mitigated and 2
/// for resolved, closed and cancelled; within it the worst severity, then
/// the highest priority, then the oldest. Served by `incidents_attention`.
/// Keep in step with `search::ListKey`, which breaks search ties the same way.
pub const ORDER: &str = "ORDER BY attention, severity, priority, created_at, id";

impl ListQuery {
    pub(super) fn where_clause(&self) -> (String, Vec<Box<dyn ToSql>>) {
        let mut conds: Vec<String> = Vec::new();
        let mut args: Vec<Box<dyn ToSql>> = Vec::new();
        match self.scope {
            // Open = attention 0 or 1: a range of the list index.
            Scope::Open => conds.push("attention < 2".into()),
            Scope::All => {}
            Scope::Status(s) => {
                conds.push("status = ?".into());
                args.push(Box::new(s));
            }
        }
        if let Some(s) = self.severity {
            conds.push("severity = ?".into());
            args.push(Box::new(s));
        }
        if let Some(p) = self.priority {
            conds.push("priority = ?".into());
            args.push(Box::new(p));
        }
        if let Some(s) = &self.service {
            conds.push("service = ?".into());
            args.push(Box::new(s.clone()));
        }
        if let Some(a) = &self.assignee {
            conds.push("assignee = ?".into());
            args.push(Box::new(a.clone()));
        }
        if let Some(ids) = &self.only {
            // One parameter however many: a JSON array read by json_each.
            conds.push("id IN (SELECT value FROM json_each(?))".into());
            let list: Vec<i64> = ids.iter().map(|i| i.0).collect();
            args.push(Box::new(
                serde_json::to_string(&list).unwrap_or_else(|_| "[]".into()),
            ));
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
                args.push(Box::new(id));
            } else {
                conds.push(
                    "(title LIKE ? ESCAPE '\\' OR description LIKE ? ESCAPE '\\' OR service LIKE ? ESCAPE '\\')"
                        .into(),
                );
                args.push(Box::new(like_pattern(q)));
            }
            args.push(Box::new(like_pattern(q)));
            args.push(Box::new(like_pattern(q)));
        }
        let w = if conds.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conds.join(" AND "))
        };
        (w, args)
    }
}

/// A row of [`row::SLIM_COLUMNS`], read by position.
fn slim_row(
    r: &rusqlite::Row<'_>,
) -> rusqlite::Result<std::result::Result<Incident, super::Unreadable>> {
    use super::types::Epoch;
    let id: i64 = r.get(0)?;
    let t = |i: usize| -> rusqlite::Result<Option<chrono::DateTime<chrono::Utc>>> {
        Ok(r.get::<_, Option<Epoch>>(i)?.map(|e| e.0))
    };
    let got = (|| -> rusqlite::Result<Incident> {
        Ok(row::slim_incident(
            id,
            r.get(1)?,
            r.get(2)?,
            r.get(3)?,
            r.get(4)?,
            r.get::<_, Epoch>(5)?.0,
            [t(6)?, t(7)?, t(8)?, t(9)?, t(10)?],
            (r.get(11)?, r.get(12)?),
        ))
    })();
    match got {
        Ok(i) => Ok(Ok(i)),
        Err(e) if super::error::is_decode(&e) => Ok(Err(super::Unreadable {
            id: IncidentId(id),
            reason: super::error::describe(&e, r),
        })),
        Err(e) => Err(e),
    }
}

pub(super) fn like_pattern(q: &str) -> String {
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

/// Every stored column of an incident but its id, in one order for both
/// INSERT and UPDATE; `values` binds them.
const WRITTEN: &str = "title, description, kind, status, severity, impact, urgency, priority, \
    category, service, tags, assignee, commander, scribe, comms, reporter, created_at, \
    impact_started_at, detected_at, acknowledged_at, mitigated_at, resolved_at, closed_at, \
    updated_at, resolution, cancel_reason, version";

fn values(i: &Incident) -> [Box<dyn ToSql + '_>; 27] {
    [
        Box::new(&i.title),
        Box::new(&i.description),
        Box::new(i.kind),
        Box::new(i.status),
        Box::new(i.severity),
        Box::new(i.impact),
        Box::new(i.urgency),
        Box::new(i.priority),
        Box::new(&i.category),
        Box::new(&i.service),
        Box::new(i.tags.join(",")),
        Box::new(&i.assignee),
        Box::new(&i.commander),
        Box::new(&i.scribe),
        Box::new(&i.comms),
        Box::new(&i.reporter),
        Box::new(Epoch(i.created_at)),
        Box::new(epoch(i.impact_started_at)),
        Box::new(epoch(i.detected_at)),
        Box::new(epoch(i.acknowledged_at)),
        Box::new(epoch(i.mitigated_at)),
        Box::new(epoch(i.resolved_at)),
        Box::new(epoch(i.closed_at)),
        Box::new(Epoch(i.updated_at)),
        Box::new(&i.resolution),
        Box::new(&i.cancel_reason),
        Box::new(i.version),
    ]
}

pub(super) fn insert_row(tx: &Connection, i: &Incident) -> rusqlite::Result<IncidentId> {
    let marks = vec!["?"; 27].join(", ");
    tx.prepare_cached(&format!(
        "INSERT INTO incidents ({WRITTEN}) VALUES ({marks})"
    ))?
    .execute(params_from_iter(values(i)))?;
    Ok(IncidentId(tx.last_insert_rowid()))
}

/// Write `inc` over the stored row if that is still at `version`.
pub(super) fn update_row(tx: &Connection, inc: &Incident, version: i64) -> rusqlite::Result<usize> {
    let set: Vec<String> = WRITTEN
        .split(',')
        .map(|c| format!("{} = ?", c.trim()))
        .collect();
    let sql = format!(
        "UPDATE incidents SET {} WHERE id = ? AND version = ?",
        set.join(", ")
    );
    let mut args: Vec<Box<dyn ToSql + '_>> = values(inc).into_iter().collect();
    args.push(Box::new(inc.id));
    args.push(Box::new(version));
    tx.prepare_cached(&sql)?.execute(params_from_iter(args))
}

/// One incident row: `None` when there is none, `Some(Err)` when the row is
/// there but cannot be decoded.
fn get_in(
    tx: &Connection,
    id: IncidentId,
) -> rusqlite::Result<Option<std::result::Result<Incident, Unreadable>>> {
    let mut st = tx.prepare_cached(&format!(
        "SELECT {INCIDENT_COLUMNS} FROM incidents WHERE id = ?"
    ))?;
    let cols = Cols::of(&st);
    st.query_row([id], |r| row::incident_or_unreadable(r, &cols))
        .optional()
}

/// The stored incident, or exit 3 (none) / exit 5 (unreadable, named).
pub(super) fn stored(tx: &Connection, id: IncidentId) -> rusqlite::Result<Result<Incident>> {
    Ok(match get_in(tx, id)? {
        None => Err(not_found(id)),
        Some(Ok(i)) => Ok(i),
        Some(Err(u)) => Err(unreadable_error(&[u]).unwrap_or_else(|| not_found(id))),
    })
}

impl Lite {
    /// Store a new incident and its `created` event. The id in `inc` is
    /// ignored; the stored incident (with its id) is returned.
    pub fn insert(&self, inc: &Incident, actor: &str) -> Result<Incident> {
        self.insert_with(inc, actor, |_, _| Ok(()))
    }

    /// See `Store::insert_with`: the time here is the caller's clock.
    pub fn insert_with(
        &self,
        inc: &Incident,
        actor: &str,
        f: impl FnOnce(&mut Incident, DateTime<Utc>) -> Result<()>,
    ) -> Result<Incident> {
        let mut inc = inc.clone();
        let now = inc.created_at;
        f(&mut inc, now)?;
        let inc = &inc;
        let tx = self.write_tx()?;
        let id = insert_row(&tx, inc).map_err(|e| self.err(e))?;
        let created =
            timeline::text_event(id, inc.created_at, actor, EventKind::Created, &inc.title);
        timeline::append(&tx, id, &created).map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))?;
        Ok(Incident { id, ..inc.clone() })
    }

    /// One incident; a row that cannot be decoded is exit 5, named.
    pub fn get(&self, id: IncidentId) -> Result<Incident> {
        stored(&self.conn, id).map_err(|e| self.err(e))?
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
        let stored = stored(&tx, id).map_err(|e| self.err(e))??;
        let mut inc = stored.clone();
        let view = TxView::lite(&tx, self, now);
        let records = f(&mut inc, &view)?;
        drop(view);
        if records.is_empty() {
            return Ok(stored);
        }
        inc.id = stored.id;
        inc.version = stored.version + 1;
        inc.updated_at = now.max(inc.updated_at);
        let n = update_row(&tx, &inc, stored.version).map_err(|e| self.err(e))?;
        if n != 1 {
            return Err(Error::Internal(format!(
                "{id} changed under a write lock; nothing was saved"
            )));
        }
        for r in &records {
            timeline::append(&tx, id, &r.to_event(id, now, actor)).map_err(|e| self.err(e))?;
        }
        tx.commit().map_err(|e| self.err(e))?;
        Ok(inc)
    }

    /// Append a text event (a note, evidence): it never conflicts, so it
    /// does not bump the version, only `updated_at`.
    pub fn add_text(
        &self,
        id: IncidentId,
        actor: &str,
        now: DateTime<Utc>,
        kind: EventKind,
        text: &str,
    ) -> Result<Event> {
        let tx = self.write_tx()?;
        if get_in(&tx, id).map_err(|e| self.err(e))?.is_none() {
            return Err(not_found(id));
        }
        let ev = timeline::text_event(id, now, actor, kind, text);
        let eid = timeline::append(&tx, id, &ev).map_err(|e| self.err(e))?;
        tx.execute(
            "UPDATE incidents SET updated_at = max(updated_at, ?) WHERE id = ?",
            params![Epoch(now), id],
        )
        .map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))?;
        Ok(Event {
            id: eid,
            at: DateTime::from_timestamp(now.timestamp(), 0).unwrap_or(now),
            ..ev
        })
    }

    /// Incidents matching `q`, worst fire first (active, then mitigated,
    /// then finished; each by severity, priority, oldest). Rows
    /// that cannot be decoded are left out and named in `unreadable`.
    pub fn list(&self, q: &ListQuery) -> Result<Partial<Incident>> {
        let (w, mut args) = q.where_clause();
        args.push(Box::new(q.limit.map(|l| l as i64).unwrap_or(-1)));
        args.push(Box::new(q.offset as i64));
        let sql = format!("SELECT {INCIDENT_COLUMNS} FROM incidents {w} {ORDER} LIMIT ? OFFSET ?");
        let mut st = self.conn.prepare_cached(&sql).map_err(|e| self.err(e))?;
        let cols = Cols::of(&st);
        let rows = st
            .query_map(params_from_iter(args), |r| {
                row::incident_or_unreadable(r, &cols)
            })
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

    /// Every incident logged in `[since, until)`, without its title and
    /// description (empty): what `sev report` measures, read in one pass.
    pub fn incidents_logged(
        &self,
        since: chrono::DateTime<chrono::Utc>,
        until: chrono::DateTime<chrono::Utc>,
        slim: bool,
    ) -> Result<Partial<Incident>> {
        let sql = format!(
            "SELECT {} FROM incidents WHERE created_at >= ? AND created_at < ? ORDER BY id",
            if slim {
                super::row::SLIM_COLUMNS
            } else {
                super::row::TIMES_COLUMNS.as_str()
            }
        );
        let mut st = self.conn.prepare(&sql).map_err(|e| self.err(e))?;
        let cols = Cols::of(&st);
        let rows = st
            .query_map(
                rusqlite::params![since.timestamp(), until.timestamp()],
                |r| {
                    if slim {
                        slim_row(r)
                    } else {
                        row::incident_or_unreadable(r, &cols)
                    }
                },
            )
            .map_err(|e| self.err(e))?;
        let (mut ok, mut unreadable) = (Vec::new(), Vec::new());
        for r in rows {
            match r.map_err(|e| self.err(e))? {
                Ok(i) => ok.push(i),
                Err(u) => unreadable.push(u),
            }
        }
        Ok(Partial {
            rows: ok,
            unreadable,
        })
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
            let cols = Cols::of(&st);
            let rows = st
                .query_map(params_from_iter(chunk.iter()), |r| {
                    row::incident_or_unreadable(r, &cols)
                })
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

    /// People this database has seen: who acted on the timeline and who
    /// holds a role, for completing and checking names (bounded).
    pub fn known_people(&self) -> Result<Vec<String>> {
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT actor FROM (SELECT DISTINCT actor FROM events LIMIT 2000) \
                 UNION SELECT assignee FROM incidents WHERE assignee IS NOT NULL \
                 UNION SELECT commander FROM incidents WHERE commander IS NOT NULL",
            )
            .map_err(|e| self.err(e))?;
        let rows = st.query_map([], |r| r.get(0)).map_err(|e| self.err(e))?;
        let mut out: Vec<String> = rows
            .collect::<rusqlite::Result<Vec<String>>>()
            .map_err(|e| self.err(e))?
            .iter()
            .map(|a| crate::identity::login_of(a).to_string())
            .collect();
        out.sort();
        out.dedup();
        Ok(out)
    }
}
