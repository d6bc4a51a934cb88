//! What fuzzy search reads: the searchable text of every incident in a
//! list, and — after another process's commit — only the incidents whose
//! timeline moved since the newest event already seen.
//!
//! Every change to an incident row appends an event in the same
//! transaction, so "incidents with an event newer than N" is exactly the
//! set of rows that may differ from what a reader saw at event N.

use super::Store;
use super::error::{Partial, Unreadable, describe};
use super::incidents::ListQuery;
use crate::domain::IncidentId;
use crate::error::Result;
use rusqlite::types::{Type, ValueRef};
use rusqlite::{ToSql, params_from_iter};

/// Where a row sits in the default list order ([`super::ORDER`]): what
/// needs a responder first (`attention`), then the worst severity, the
/// highest priority, the oldest, the lowest id. Comparing two keys gives the
/// same answer as the SQL order, so search breaks score ties in list order
/// without re-reading the list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ListKey {
    attention: i64,
    severity: i64,
    priority: i64,
    created_at: i64,
    id: i64,
}

impl ListKey {
    /// From the columns of the same names (severity and priority as their
    /// stored levels, 1 = worst).
    pub fn new(
        attention: i64,
        severity: i64,
        priority: i64,
        created_at: i64,
        id: IncidentId,
    ) -> ListKey {
        ListKey {
            attention,
            severity,
            priority,
            created_at,
            id: id.0,
        }
    }
}

/// What the fuzzy finder needs of every incident.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchRow {
    pub id: IncidentId,
    pub title: String,
    pub service: Option<String>,
    /// The first 300 characters.
    pub description: String,
    pub key: ListKey,
}

impl SearchRow {
    pub fn as_ref(&self) -> SearchRef<'_> {
        SearchRef {
            id: self.id,
            title: &self.title,
            service: self.service.as_deref(),
            description: &self.description,
            key: self.key,
        }
    }
}

/// One row of [`Store::each_search_row`], borrowed from SQLite's buffers.
pub struct SearchRef<'a> {
    pub id: IncidentId,
    pub title: &'a str,
    pub service: Option<&'a str>,
    pub description: &'a str,
    pub key: ListKey,
}

impl SearchRef<'_> {
    fn to_row(&self) -> SearchRow {
        SearchRow {
            id: self.id,
            title: self.title.to_string(),
            service: self.service.map(str::to_string),
            description: self.description.to_string(),
            key: self.key,
        }
    }
}

/// What changed for one list since an event id.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchDelta {
    /// The newest event id this delta covers: pass it as `since` next time.
    pub upto: i64,
    /// Changed incidents the list still shows (new ones or new text).
    pub rows: Vec<SearchRow>,
    /// Changed incidents the list no longer shows (resolved out of the open
    /// scope, moved to another service, …).
    pub gone: Vec<IncidentId>,
    pub unreadable: Vec<Unreadable>,
}

const COLUMNS: &str = "id, title, service, substr(description, 1, 300) AS description, \
     attention, severity, priority, created_at";

/// A text column in place; not UTF-8 or not text is a decode error that
/// names the column.
fn text<'r>(r: &'r rusqlite::Row<'_>, i: usize) -> rusqlite::Result<&'r str> {
    match r.get_ref(i)? {
        ValueRef::Text(t) => std::str::from_utf8(t)
            .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, Type::Text, Box::new(e))),
        v => Err(rusqlite::Error::InvalidColumnType(
            i,
            r.as_ref().column_name(i).unwrap_or("").into(),
            v.data_type(),
        )),
    }
}

/// One row of [`COLUMNS`], borrowed.
fn search_ref<'r>(r: &'r rusqlite::Row<'_>, id: IncidentId) -> rusqlite::Result<SearchRef<'r>> {
    let service = match r.get_ref(2)? {
        ValueRef::Null => None,
        _ => Some(text(r, 2)?),
    };
    Ok(SearchRef {
        id,
        title: text(r, 1)?,
        service,
        description: text(r, 3)?,
        key: ListKey::new(r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?, id),
    })
}

/// The list's filters without search text, paging or limits.
fn facets(q: &ListQuery) -> ListQuery {
    ListQuery {
        search: None,
        limit: None,
        offset: 0,
        ..q.clone()
    }
}

impl Store {
    /// Searchable text of every incident a query matches, in list order.
    /// Descriptions are cut to their first 300 characters.
    pub fn search_rows(&self, q: &ListQuery) -> Result<Partial<SearchRow>> {
        let mut rows = Vec::new();
        let unreadable = self.each_search_row(q, |r| rows.push(r.to_row()))?;
        rows.sort_unstable_by_key(|r| r.key);
        Ok(Partial { rows, unreadable })
    }

    /// [`Store::search_rows`] without copying: `f` sees each row's text in
    /// place (100k rows make 300k allocations otherwise). Returns the rows
    /// that could not be read.
    pub fn each_search_row(
        &self,
        q: &ListQuery,
        mut f: impl FnMut(SearchRef<'_>),
    ) -> Result<Vec<Unreadable>> {
        let (w, args) = facets(q).where_clause();
        // A sequential scan: walking the list index would cost a random
        // table lookup per row, and ranking orders by ListKey anyway.
        let sql = format!("SELECT {COLUMNS} FROM incidents {w}");
        let mut st = self.conn.prepare_cached(&sql).map_err(|e| self.err(e))?;
        let mut rows = st
            .query(params_from_iter(
                args.iter().map(|a| a.as_ref() as &dyn ToSql),
            ))
            .map_err(|e| self.err(e))?;
        let mut unreadable = Vec::new();
        while let Some(r) = rows.next().map_err(|e| self.err(e))? {
            let id = IncidentId(r.get(0).map_err(|e| self.err(e))?);
            match search_ref(r, id) {
                Ok(row) => f(row),
                Err(e) => unreadable.push(Unreadable {
                    id,
                    reason: describe(&e, r),
                }),
            }
        }
        Ok(unreadable)
    }

    /// The incidents of list `q` that changed after event `since`: a few
    /// rows read through the events primary key and `incidents`' rowid,
    /// however large the database.
    pub fn search_changes(&self, q: &ListQuery, since: i64) -> Result<SearchDelta> {
        // Read the bound first: a commit landing between the two reads is
        // then seen again next time, never missed.
        let upto = self.last_event_id()?;
        let (w, mut args) = facets(q).where_clause();
        let member = match w.strip_prefix("WHERE ") {
            Some(cond) => format!("({cond})"),
            None => "1".into(),
        };
        args.push(Box::new(since));
        let sql = format!(
            "SELECT {COLUMNS}, {member} FROM incidents \
             WHERE id IN (SELECT incident_id FROM events WHERE id > ?)"
        );
        let mut st = self.conn.prepare_cached(&sql).map_err(|e| self.err(e))?;
        let mut rows = st
            .query(params_from_iter(
                args.iter().map(|a| a.as_ref() as &dyn ToSql),
            ))
            .map_err(|e| self.err(e))?;
        let mut delta = SearchDelta {
            upto,
            rows: Vec::new(),
            gone: Vec::new(),
            unreadable: Vec::new(),
        };
        while let Some(r) = rows.next().map_err(|e| self.err(e))? {
            let id = IncidentId(r.get(0).map_err(|e| self.err(e))?);
            let member: bool = r.get(8).map_err(|e| self.err(e))?;
            match search_ref(r, id) {
                Ok(row) if member => delta.rows.push(row.to_row()),
                Ok(_) => delta.gone.push(id),
                Err(e) => {
                    // Whatever it was, it cannot be shown as it is now.
                    delta.gone.push(id);
                    delta.unreadable.push(Unreadable {
                        id,
                        reason: describe(&e, r),
                    });
                }
            }
        }
        Ok(delta)
    }
}
