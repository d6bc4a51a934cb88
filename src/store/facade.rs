//! [`Store`]: the one API that ops, app and cli call. It holds either
//! backend and hands each call to it; which one is decided once, from the
//! database locator (a path: SQLite; a `postgres://` URL: PostgreSQL).
//!
//! Why an enum and not a trait object: the set of backends is closed and
//! small, several methods are generic over a closure (`modify`), which a
//! `dyn` trait cannot carry, and each arm is one line — the SQL stays in
//! each backend's module and the domain rules stay in ops/domain.

use super::audit::Verified;
use super::pg::Pg;
use super::{
    ActionQuery, BatchItem, ListQuery, Lite, Partial, Presence, Record, SearchRow, TxView, locator,
};
use crate::domain::{
    ActionId, ActionItem, Event, EventKind, FieldChange, Incident, IncidentId, Mark, Postmortem,
};
use crate::error::{Error, Result};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::path::Path;

pub struct Store(Backend);

enum Backend {
    Lite(Lite),
    Pg(Box<Pg>),
}

/// Forward a call to whichever backend this store holds.
macro_rules! both {
    ($self:ident, $b:ident => $e:expr) => {
        match &$self.0 {
            Backend::Lite($b) => $e,
            Backend::Pg($b) => $e,
        }
    };
}

impl Store {
    fn postgres(url: &Path, create: bool) -> Result<Store> {
        let s = url.to_str().ok_or_else(|| {
            Error::Usage("the PostgreSQL URL is not valid UTF-8: write it in plain text".into())
        })?;
        Ok(Store(Backend::Pg(Box::new(Pg::open(
            s,
            create,
            password_file().as_deref(),
        )?))))
    }

    /// Open (creating if needed) and migrate the database at `db`.
    pub fn open(db: &Path) -> Result<Store> {
        if locator::is_postgres(db) {
            return Store::postgres(db, true);
        }
        Lite::open(db).map(|l| Store(Backend::Lite(l)))
    }

    /// Open an existing database; a missing one is an error, never created.
    pub fn open_existing(db: &Path) -> Result<Store> {
        if locator::is_postgres(db) {
            return Store::postgres(db, false);
        }
        Lite::open_existing(db).map(|l| Store(Backend::Lite(l)))
    }

    /// Open for this user: read-write, or read-only when that is all the
    /// file allows (SQLite); with `create`, a missing database is created.
    pub fn open_for_user(db: &Path, create: bool) -> Result<Store> {
        if locator::is_postgres(db) {
            return Store::postgres(db, create);
        }
        Lite::open_for_user(db, create).map(|l| Store(Backend::Lite(l)))
    }

    /// Read-only: never migrates, never writes.
    pub fn open_read_only(db: &Path) -> Result<Store> {
        if locator::is_postgres(db) {
            return Store::postgres(db, false);
        }
        Lite::open_read_only(db).map(|l| Store(Backend::Lite(l)))
    }

    /// Where the database is, as it may be shown: a file path, or the URL
    /// with its password masked.
    pub fn path(&self) -> &Path {
        both!(self, b => b.path())
    }

    /// Where the database is, to open another connection to it in this
    /// process (the search worker, the signal handler): for PostgreSQL
    /// the URL as given, password included — never show it; use `path()`.
    pub fn locator(&self) -> &Path {
        match &self.0 {
            Backend::Lite(l) => l.path(),
            Backend::Pg(p) => p.locator(),
        }
    }

    /// True on PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        matches!(self.0, Backend::Pg(_))
    }

    /// The server's side of `sev doctor` (PostgreSQL only).
    pub fn postgres_health(&self) -> Option<Result<super::Health>> {
        match &self.0 {
            Backend::Lite(_) => None,
            Backend::Pg(p) => Some(p.health()),
        }
    }

    pub fn is_read_only(&self) -> bool {
        match &self.0 {
            Backend::Lite(l) => l.is_read_only(),
            Backend::Pg(_) => false,
        }
    }

    /// (schema version, application id).
    pub fn schema_info(&self) -> Result<(i64, i64)> {
        both!(self, b => b.schema_info())
    }

    /// Changes when another connection commits: poll it to know when to reload.
    pub fn data_version(&self) -> Result<i64> {
        both!(self, b => b.data_version())
    }

    pub fn last_event_id(&self) -> Result<i64> {
        both!(self, b => b.last_event_id())
    }

    /// The PostgreSQL server process of this connection (tests).
    #[doc(hidden)]
    pub fn pg_backend_pid(&self) -> Option<i32> {
        match &self.0 {
            Backend::Lite(_) => None,
            Backend::Pg(p) => p.backend_pid().ok(),
        }
    }

    /// Tests: damage a title the way a bad disk or a hand edit would (bytes
    /// that are not UTF-8), so every SQL statement stays in the store.
    #[doc(hidden)]
    pub fn corrupt_title_for_test(&self, id: crate::domain::IncidentId) {
        self.conn()
            .execute(
                "UPDATE incidents SET title = CAST(x'4272ff' AS TEXT) WHERE id = ?",
                [id.0],
            )
            .expect("test corruption");
    }

    /// Tests: let the file grow no more (a full disk, as SQLite sees it).
    #[doc(hidden)]
    pub fn freeze_size_for_test(&self) {
        let c = self.conn();
        let pages: i64 = c
            .query_row("PRAGMA page_count", [], |r| r.get(0))
            .expect("page count");
        c.execute_batch(&format!("PRAGMA max_page_count = {pages}"))
            .expect("size limit");
    }

    /// Raw SQLite access for tests and diagnostics inside the crate.
    #[doc(hidden)]
    pub fn conn(&self) -> &rusqlite::Connection {
        match &self.0 {
            Backend::Lite(l) => l.conn(),
            Backend::Pg(_) => panic!("Store::conn() is for SQLite stores in tests"),
        }
    }

    /// Run raw SQL on either backend (tests and diagnostics only).
    #[doc(hidden)]
    pub fn exec_raw(&self, sql: &str) -> Result<()> {
        match &self.0 {
            Backend::Lite(l) => l
                .conn()
                .execute_batch(sql)
                .map_err(|e| super::db_error(l.path(), e)),
            Backend::Pg(p) => p.batch_execute(sql),
        }
    }

    pub fn insert(&self, inc: &Incident, actor: &str) -> Result<Incident> {
        both!(self, b => b.insert(inc, actor))
    }

    /// [`Store::insert`], with `f` setting what depends on the write's
    /// time — given as its second argument: on PostgreSQL the server's,
    /// read after the write lock (the new incident's `created_at`); on
    /// SQLite `inc.created_at` (the caller's clock) — before it is stored.
    pub fn insert_with(
        &self,
        inc: &Incident,
        actor: &str,
        f: impl FnOnce(&mut Incident, DateTime<Utc>) -> Result<()>,
    ) -> Result<Incident> {
        both!(self, b => b.insert_with(inc, actor, f))
    }

    pub fn get(&self, id: IncidentId) -> Result<Incident> {
        both!(self, b => b.get(id))
    }

    /// Change one incident in one transaction: `f` gets the row as stored
    /// *now* and returns what to record. No records, no write. Otherwise
    /// the version is bumped and the events appended atomically. `now` is
    /// the caller's clock; every time the write stores — the events' and
    /// those `f` sets — must come from [`TxView::now`], which on PostgreSQL
    /// is the server's transaction time, not `now`.
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
        match &self.0 {
            Backend::Lite(l) => l.modify(id, actor, now, f),
            Backend::Pg(p) => p.modify(id, actor, f),
        }
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
        match &self.0 {
            Backend::Lite(l) => l.add_text(id, actor, now, EventKind::Note, text),
            Backend::Pg(p) => p.add_note(id, actor, text),
        }
    }

    /// Append an evidence event (`text`: an `Evidence` record). Like a
    /// note it never conflicts and does not bump the version.
    pub fn add_evidence(
        &self,
        id: IncidentId,
        actor: &str,
        now: DateTime<Utc>,
        text: &str,
    ) -> Result<Event> {
        match &self.0 {
            Backend::Lite(l) => l.add_text(id, actor, now, EventKind::Evidence, text),
            Backend::Pg(p) => p.add_evidence(id, actor, text),
        }
    }

    pub fn list(&self, q: &ListQuery) -> Result<Partial<Incident>> {
        both!(self, b => b.list(q))
    }

    pub fn list_ids(&self, q: &ListQuery) -> Result<Vec<IncidentId>> {
        both!(self, b => b.list_ids(q))
    }

    pub fn count(&self, q: &ListQuery) -> Result<usize> {
        both!(self, b => b.count(q))
    }

    /// Every incident logged in `[since, until)` without its title and
    /// description: what `sev report` measures.
    pub fn incidents_logged(
        &self,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Partial<Incident>> {
        both!(self, b => b.incidents_logged(since, until, false))
    }

    /// [`Store::incidents_logged`] with only kind, status, severity,
    /// priority, category, service and times read (people and tags empty):
    /// what reports and the metrics view count, read faster.
    pub fn incident_times(
        &self,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Partial<Incident>> {
        both!(self, b => b.incidents_logged(since, until, true))
    }

    /// The period's postmortems and alerts, and every action item: what
    /// a service review reads besides the incidents.
    pub fn review_facts(
        &self,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<super::review::ReviewFacts> {
        let mut f = both!(self, b => b.review_facts(since, until))?;
        let q = |q: super::ActionQuery| self.actions(&q);
        // Open now, done in the period, and done at a time sev never knew:
        // not the whole history of action items.
        f.actions = q(super::ActionQuery {
            open_only: true,
            ..Default::default()
        })?;
        f.actions.extend(q(super::ActionQuery {
            done_between: Some((since, until)),
            ..Default::default()
        })?);
        f.actions.extend(q(super::ActionQuery {
            done_time_unknown: true,
            ..Default::default()
        })?);
        Ok(f)
    }

    /// Titles and services only, by id (a report's lists).
    pub fn titles(&self, ids: &[IncidentId]) -> Result<super::review::Titles> {
        both!(self, b => b.titles(ids))
    }

    pub fn get_many(&self, ids: &[IncidentId]) -> Result<Partial<Incident>> {
        both!(self, b => b.get_many(ids))
    }

    pub fn search_rows(&self, q: &ListQuery) -> Result<Partial<SearchRow>> {
        both!(self, b => b.search_rows(q))
    }

    /// [`Store::search_rows`] without copying: `f` sees each row in place.
    pub fn each_search_row(
        &self,
        q: &ListQuery,
        f: impl FnMut(super::SearchRef<'_>),
    ) -> Result<Vec<super::Unreadable>> {
        both!(self, b => b.each_search_row(q, f))
    }

    /// The incidents of list `q` that changed after event `since`.
    pub fn search_changes(&self, q: &ListQuery, since: i64) -> Result<super::SearchDelta> {
        both!(self, b => b.search_changes(q, since))
    }

    pub fn distinct_services(&self) -> Result<Vec<String>> {
        both!(self, b => b.distinct_services())
    }

    pub fn known_people(&self) -> Result<Vec<String>> {
        both!(self, b => b.known_people())
    }

    pub fn events(&self, id: IncidentId) -> Result<Vec<Event>> {
        both!(self, b => b.events(id))
    }

    pub fn verify(&self) -> Result<Verified> {
        both!(self, b => b.verify())
    }

    pub fn verify_head(&self, event_id: i64, hash: &str) -> Result<bool> {
        both!(self, b => b.verify_head(event_id, hash))
    }

    pub fn heartbeat(&self, p: &Presence) -> Result<()> {
        both!(self, b => b.heartbeat(p))
    }

    pub fn leave(&self, host: &str, pid: u32) -> Result<()> {
        both!(self, b => b.leave(host, pid))
    }

    /// Who else has `id` on screen now (on PostgreSQL by the server's clock).
    pub fn viewers(&self, id: IncidentId, now: DateTime<Utc>) -> Result<Vec<Presence>> {
        match &self.0 {
            Backend::Lite(l) => l.viewers(id, now),
            Backend::Pg(p) => p.viewers(id),
        }
    }

    pub fn postmortem(&self, id: IncidentId) -> Result<Option<Postmortem>> {
        both!(self, b => b.postmortem(id))
    }

    /// `f` gets the time this write stores (see [`TxView::now`]).
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
        match &self.0 {
            Backend::Lite(l) => l.modify_postmortem(id, actor, now, f),
            Backend::Pg(p) => p.modify_postmortem(id, actor, f),
        }
    }

    pub fn marks(&self, id: IncidentId) -> Result<HashMap<i64, Mark>> {
        both!(self, b => b.marks(id))
    }

    pub fn set_mark(
        &self,
        id: IncidentId,
        event_id: i64,
        mark: &Mark,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        match &self.0 {
            Backend::Lite(l) => l.set_mark(id, event_id, mark, actor, now),
            Backend::Pg(p) => p.set_mark(id, event_id, mark, actor),
        }
    }

    pub fn actions(&self, q: &ActionQuery) -> Result<Vec<ActionItem>> {
        both!(self, b => b.actions(q))
    }

    pub fn action(&self, id: ActionId) -> Result<ActionItem> {
        both!(self, b => b.action(id))
    }

    pub fn add_action(&self, item: &ActionItem, actor: &str) -> Result<ActionItem> {
        both!(self, b => b.add_action(item, actor))
    }

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
        match &self.0 {
            Backend::Lite(l) => l.modify_action(id, actor, now, f),
            Backend::Pg(p) => p.modify_action(id, actor, f),
        }
    }

    /// `sev migrate`: stream everything this database records (see
    /// [`super::copy::TABLES`]) into the empty database `to`, in one
    /// transaction there, ids and event hashes as they were; both chains
    /// are checked before it commits.
    pub fn copy_into(&self, to: &Store, p: &mut dyn super::Progress) -> Result<super::Copied> {
        self.export(|src| to.import(|dst| super::copy::run(src, dst, p)))
    }

    /// Read tables from one snapshot of this database (see `copy`).
    pub(crate) fn export<T>(
        &self,
        f: impl FnOnce(&mut dyn super::copy::Source) -> Result<T>,
    ) -> Result<T> {
        both!(self, b => b.export(f))
    }

    /// Write tables in one transaction, committed when `f` succeeds.
    pub(crate) fn import<T>(
        &self,
        f: impl FnOnce(&mut dyn super::copy::Sink) -> Result<T>,
    ) -> Result<T> {
        both!(self, b => b.import(f))
    }

    /// Load whole incidents with their timelines in one transaction.
    pub fn insert_batch(&self, items: &[BatchItem]) -> Result<Vec<IncidentId>> {
        both!(self, b => b.insert_batch(items))
    }

    /// Record a link between two incidents with an event on each side, in
    /// one transaction. `Ok(false)`: it was there already; nothing written.
    pub fn link(&self, l: &super::NewLink, actor: &str, now: DateTime<Utc>) -> Result<bool> {
        match &self.0 {
            Backend::Lite(b) => b.link(l, actor, now),
            Backend::Pg(p) => p.link(l, actor),
        }
    }

    /// Merge `l.a` into `l.b` in one transaction: `f` changes the duplicate
    /// (it gets both as stored now, and the write's time) and returns what
    /// to record; the duplicate link, both sides' events and the move of
    /// its alerts go with it. The duplicate as saved, and how many alerts
    /// moved.
    pub fn merge<F>(
        &self,
        l: &super::NewLink,
        actor: &str,
        now: DateTime<Utc>,
        f: F,
    ) -> Result<(Incident, usize)>
    where
        F: FnOnce(&mut Incident, &Incident, DateTime<Utc>) -> Result<Vec<Record>>,
    {
        match &self.0 {
            Backend::Lite(b) => b.merge(l, actor, now, f),
            Backend::Pg(p) => p.merge(l, actor, f),
        }
    }

    /// Every link of `id` (either side), oldest first.
    pub fn links(&self, id: IncidentId) -> Result<Vec<super::LinkRow>> {
        both!(self, b => b.links(id))
    }
}

/// The config's `database_password_file`, set once when the config is
/// loaded (every store this process opens, the search worker's too, uses it).
static PASSWORD_FILE: std::sync::OnceLock<Option<std::path::PathBuf>> = std::sync::OnceLock::new();

/// Remember the config's password file for PostgreSQL connections.
pub fn use_password_file(f: Option<std::path::PathBuf>) {
    let _ = PASSWORD_FILE.set(f);
}

fn password_file() -> Option<std::path::PathBuf> {
    PASSWORD_FILE.get().cloned().flatten()
}

/// Response-target reads and writes (`crate::respond`).
mod respond;

/// Paging: the outbox, escalations, overrides, contacts (`crate::paging`).
#[path = "facade_paging.rs"]
mod paging;

/// The alert intake's calls (`crate::store::intake`).
#[path = "facade_intake.rs"]
mod intake;
