//! The PostgreSQL backend: the same operations as the SQLite one, with the
//! same guarantees, through the synchronous `postgres` client.
//!
//! - Every write is one transaction that first takes one advisory lock
//!   (`pg_advisory_xact_lock`): writers from every host queue on it, so the
//!   events form one linear hash chain and new ids are `max + 1` exactly as
//!   on SQLite (which also makes copies between the two lossless).
//! - Times that order the timeline (event times, `updated_at`, a new
//!   incident's `created_at`, presence) come from the server's transaction
//!   time, so one drifting client clock cannot put a timeline out of order.
//! - The schema has the same version numbers as SQLite's; the version lives
//!   in `sev_schema`, whose `application_id` marks the database as sev's.

use super::audit::{Break, GENESIS, Verified, event_hash};
use super::error::{Partial, Unreadable, not_found, unreadable_error};
use super::incidents::{ListQuery, ORDER, Scope};
use super::pg_copy::Rows;
use super::postmortems::ActionQuery;
use super::presence::{EXPIRY, Presence};
use super::row::{ACTION_COLUMNS, EVENT_COLUMNS, INCIDENT_COLUMNS, POSTMORTEM_COLUMNS};
use super::search::{ListKey, SearchDelta, SearchRef, SearchRow};
use super::timeline::{self, Record};
use super::{APPLICATION_ID, BatchItem, MIGRATIONS, TxView};
use crate::domain::{
    ActionId, ActionItem, Event, EventKind, FieldChange, Incident, IncidentId, Mark, Postmortem,
    Priority, Severity,
};
use crate::error::{Error, Result};
use chrono::{DateTime, NaiveDate, Utc};
use postgres::types::ToSql;
use postgres::{Client, GenericClient, Row, Transaction};
use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

mod alert_columns;
mod alert_queries;
mod alert_reads;
mod breach_queries;
mod copy;
mod errors;
mod incident_queries;
mod link_queries;
mod lock;
mod notes;
mod postmortem_queries;
mod respond_queries;
mod review_queries;
mod rows;
mod schema;
mod timeline_presence;

use copy::*;
use errors::*;
use rows::*;
use schema::*;

/// The advisory lock every write holds: "sev1" as a number.
const WRITE_LOCK: i64 = 0x7365_7631;

type Param<'a> = &'a (dyn ToSql + Sync);

/// The newest event on the chain, read under the write lock.
struct Head {
    id: i64,
    hash: String,
}

/// An event with its place on the chain, ready for [`INSERT_EVENT`].
struct Chained {
    id: i64,
    incident: i64,
    at: i64,
    kind: &'static str,
    e: Event,
    hash: String,
}

impl Chained {
    fn params(&self) -> [Param<'_>; 10] {
        [
            &self.id,
            &self.incident,
            &self.at,
            &self.e.actor,
            &self.kind,
            &self.e.field,
            &self.e.old,
            &self.e.new,
            &self.e.text,
            &self.hash,
        ]
    }
}

const INSERT_EVENT: &str =
    "INSERT INTO events (id, incident_id, at, actor, kind, field, old, new, text, hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";

pub struct Pg {
    client: RefCell<Client>,
    /// The URL with its password masked: what errors and `path()` show.
    path: PathBuf,
    /// The URL as given (it may hold a password): only for opening more
    /// connections in this process, never shown.
    locator: PathBuf,
    /// How to connect again after the connection drops.
    config: postgres::Config,
    /// TLS as the URL's sslmode/sslrootcert say.
    tls: super::pgtls::Tls,
    /// Bumped for every change notified (and on a reconnect): the
    /// "something changed" signal, read without touching any table.
    changes: std::cell::Cell<i64>,
    /// When to try to reconnect next, and the wait after that.
    retry: std::cell::Cell<Option<(std::time::Instant, std::time::Duration)>>,
    /// This client's host name when the server runs on another host:
    /// recorded with the actor, so alice on jump-eu and alice on jump-us
    /// are told apart on the timeline and in the audit trail.
    from_host: Option<String>,
    /// Statements prepared on this connection, by their text (cleared
    /// when it reconnects): the hot paths pay one round trip, not two.
    prepared: RefCell<HashMap<String, postgres::Statement>>,
    /// LISTEN is sent by the first [`Pg::data_version`]: a connection that
    /// never asks what changed (`sev serve`'s, a CLI command's) is not
    /// woken by every commit of every other writer.
    listening: std::cell::Cell<bool>,
}

/// The host to record with the actor: none when the server is reached
/// over a Unix socket or loopback (then it is this host).
pub(crate) fn remote_origin(server_addr: Option<&str>, client_host: &str) -> Option<String> {
    let addr = server_addr?;
    let ip = addr.split('/').next().unwrap_or(addr);
    let local = ip
        .parse::<std::net::IpAddr>()
        .map(|ip| ip.is_loopback())
        .unwrap_or(false);
    (!local && !client_host.is_empty()).then(|| client_host.to_string())
}

/// Every host of the URL is this machine: loopback, `localhost`, a Unix
/// socket, or none given (libpq then uses the socket).
fn on_this_host(hosts: &[postgres::config::Host]) -> bool {
    hosts.iter().all(|h| match h {
        postgres::config::Host::Tcp(name) => {
            name == "localhost"
                || name
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback())
        }
        #[allow(unreachable_patterns)]
        _ => true,
    })
}

/// `alice` from jump-eu → `alice (on jump-eu)`.
pub(crate) fn actor_from(actor: &str, host: Option<&str>) -> String {
    match host {
        Some(h) => format!("{actor} (on {h})"),
        None => actor.to_string(),
    }
}

/// The channel every write notifies on commit (payload: newest event id).
const CHANNEL: &str = "sev_changes";

impl Pg {
    /// Connect and migrate (`create`: a write command may create the
    /// schema in an empty database; a read command may not).
    pub fn open(url: &str, create: bool, password_file: Option<&Path>) -> Result<Pg> {
        let shown = super::locator::shown(Path::new(url));
        let (crate_url, mode, files) = super::pgtls::split(url, &shown)?;
        let mut config: postgres::Config = crate_url.parse().map_err(|e: postgres::Error| {
            Error::Usage(format!(
                "{shown} is not a PostgreSQL URL sev can use ({}): write postgres://USER@HOST:PORT/DBNAME?sslmode=disable",
                crate::text::sanitize_line(&e.to_string())
            ))
        })?;
        // No sslmode in the URL and the server on this host (loopback or a
        // Unix socket): nothing crosses a network, so no TLS — a handshake
        // per process would cost more than the command. Any other host
        // gets libpq's default, prefer; an explicit sslmode always wins.
        // A client certificate or a CA asked for means TLS too.
        let explicit = url.split_once('?').is_some_and(|(_, q)| {
            q.split('&').any(|kv| {
                ["sslmode=", "sslcert=", "sslkey=", "sslrootcert="]
                    .iter()
                    .any(|p| kv.starts_with(p))
            })
        });
        let mode = if !explicit && on_this_host(config.get_hosts()) {
            config.ssl_mode(postgres::config::SslMode::Disable);
            super::pgtls::Mode::Disable
        } else {
            mode
        };
        let tls = super::pgtls::Tls::new(mode, &files, &shown)?;
        if config.get_user().is_none() {
            config.user(crate::identity::login_of(&crate::identity::current_actor()));
        }
        config.application_name("sev");
        config.connect_timeout(std::time::Duration::from_secs(5));
        if config.get_password().is_none() {
            let host = match config.get_hosts().first() {
                Some(postgres::config::Host::Tcp(h)) => h.clone(),
                #[cfg(unix)]
                Some(postgres::config::Host::Unix(p)) => p.display().to_string(),
                None => "localhost".into(),
            };
            let port = config.get_ports().first().copied().unwrap_or(5432);
            let user = config.get_user().unwrap_or("").to_string();
            let db = config.get_dbname().unwrap_or(&user).to_string();
            if let Some(p) = super::locator::password_for(&host, port, &db, &user, password_file)? {
                config.password(p);
            }
        }
        let client = tls
            .connect(&config)
            .map_err(|e| connect_error(&shown, &tls, &e))?;
        let pg = Pg {
            client: RefCell::new(client),
            path: PathBuf::from(shown),
            locator: PathBuf::from(url),
            config,
            tls,
            changes: std::cell::Cell::new(0),
            retry: std::cell::Cell::new(None),
            from_host: None,
            prepared: RefCell::new(HashMap::new()),
            listening: std::cell::Cell::new(false),
        };
        let (schema, server) = pg.first_look()?;
        if schema != (MIGRATIONS.len() as i64, APPLICATION_ID) {
            pg.migrate(create)?;
        }
        let host = nix::unistd::gethostname()
            .map(|h| h.to_string_lossy().into_owned())
            .unwrap_or_default();
        Ok(Pg {
            from_host: remote_origin(server.as_deref(), &crate::text::sanitize_line(&host)),
            ..pg
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn locator(&self) -> &Path {
        &self.locator
    }

    fn shown(&self) -> String {
        self.path.display().to_string()
    }

    pub(crate) fn err(&self, e: postgres::Error) -> Error {
        pg_error(&self.shown(), &e)
    }

    /// (schema version, application id); (0, 0) for a database without sev's schema.
    fn schema_in<C: GenericClient>(&self, c: &mut C) -> Result<(i64, i64)> {
        let has: bool = c
            .query_one("SELECT to_regclass('sev_schema') IS NOT NULL", &[])
            .map_err(|e| self.err(e))?
            .get(0);
        if !has {
            return Ok((0, 0));
        }
        let r = c
            .query_opt("SELECT version, application_id FROM sev_schema", &[])
            .map_err(|e| self.err(e))?;
        Ok(r.map(|r| (r.get(0), r.get(1))).unwrap_or((0, 0)))
    }

    /// The schema version and application id, and the server's address:
    /// one plain round trip for a sev database (opening is most of a short
    /// command's time; a prepared query costs two or three). Only when the
    /// schema table is missing (a new database) does the message fail at
    /// its second statement, and a second one tells that apart from an error.
    fn first_look(&self) -> Result<((i64, i64), Option<String>)> {
        let mut c = self.client.borrow_mut();
        let rows = |msgs: Vec<postgres::SimpleQueryMessage>| -> Vec<postgres::SimpleQueryRow> {
            msgs.into_iter()
                .filter_map(|m| match m {
                    postgres::SimpleQueryMessage::Row(r) => Some(r),
                    _ => None,
                })
                .collect()
        };
        let both = c.simple_query(
            "SELECT inet_server_addr()::text;
             SELECT version, application_id FROM sev_schema",
        );
        let both = match both {
            Ok(msgs) => rows(msgs),
            Err(e) if e.code() == Some(&postgres::error::SqlState::UNDEFINED_TABLE) => {
                let first = rows(
                    c.simple_query("SELECT inet_server_addr()::text")
                        .map_err(|e| self.err(e))?,
                );
                let server = first.first().and_then(|r| r.get(0)).map(String::from);
                return Ok(((0, 0), server));
            }
            Err(e) => return Err(self.err(e)),
        };
        let server = both
            .iter()
            .find(|r| r.len() == 1)
            .and_then(|r| r.get(0))
            .map(String::from);
        let v = both.iter().find(|r| r.len() == 2);
        let num = |i: usize| {
            v.and_then(|r| r.get(i))
                .and_then(|t| t.parse::<i64>().ok())
                .unwrap_or(0)
        };
        Ok(((num(0), num(1)), server))
    }

    pub fn schema_info(&self) -> Result<(i64, i64)> {
        let mut c = self.client.borrow_mut();
        self.schema_in(&mut *c)
    }

    fn migrate(&self, create: bool) -> Result<()> {
        let known = MIGRATIONS.len() as i64;
        let mut c = self.client.borrow_mut();
        // A current sev database needs nothing: say so without the write
        // lock, so opening never queues behind (or delays) the writers. The
        // version only rises, each step committed with its tables, so a
        // current version read here cannot go stale.
        if self.schema_in(&mut *c)? == (known, APPLICATION_ID) {
            return Ok(());
        }
        let mut tx = c.transaction().map_err(|e| self.err(e))?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&WRITE_LOCK])
            .map_err(|e| self.err(e))?;
        let (version, app_id) = self.schema_in(&mut tx)?;
        if version > known {
            return Err(Error::Unavailable(format!(
                "database {} has schema version {version}, newer than this sev understands ({known}): upgrade sev",
                self.shown()
            )));
        }
        if version == 0 {
            let tables: i64 = tx
                .query_one(
                    "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()",
                    &[],
                )
                .map_err(|e| self.err(e))?
                .get(0);
            if tables > 0 && app_id != APPLICATION_ID {
                return Err(Error::Unavailable(format!(
                    "{} already holds another application's tables: it is not a sev database (point SEV_DB/--db elsewhere)",
                    self.shown()
                )));
            }
            if !create {
                return Err(Error::NotFound(format!(
                    "no sev database at {}: create it with a command that writes (e.g. `sev new`), or check the URL",
                    self.shown()
                )));
            }
            tx.batch_execute(
                "CREATE TABLE sev_schema (application_id BIGINT NOT NULL, version BIGINT NOT NULL);",
            )
            .map_err(|e| self.err(e))?;
            tx.execute(
                "INSERT INTO sev_schema (application_id, version) VALUES ($1, 0)",
                &[&APPLICATION_ID],
            )
            .map_err(|e| self.err(e))?;
        } else if app_id != APPLICATION_ID {
            return Err(Error::Unavailable(format!(
                "{} is not a sev database (application id {app_id:#x}): point SEV_DB/--db at a sev database",
                self.shown()
            )));
        }
        for (i, step) in STEPS.iter().enumerate().skip(version as usize) {
            tx.batch_execute(step).map_err(|e| self.err(e))?;
            tx.execute("UPDATE sev_schema SET version = $1", &[&(i as i64 + 1)])
                .map_err(|e| self.err(e))?;
        }
        tx.commit().map_err(|e| self.err(e))
    }

    fn listen(&self) -> Result<()> {
        self.client
            .borrow_mut()
            .batch_execute(&format!("LISTEN {CHANNEL}"))
            .map_err(|e| self.err(e))?;
        self.listening.set(true);
        Ok(())
    }

    /// Changes when another process commits a change (LISTEN/NOTIFY: no
    /// table is read). When the connection has dropped, an error saying
    /// so — the screen is not current — and a reconnect with backoff
    /// (immediately, then 1, 2, 4 … 30 s); once back, the value moves, so
    /// the caller reloads everything it shows.
    pub fn data_version(&self) -> Result<i64> {
        use postgres::fallible_iterator::FallibleIterator;
        if self.client.borrow().is_closed() {
            return self.reconnect();
        }
        if !self.listening.get() {
            // From now on every commit is seen; the caller reads what is
            // stored after this call.
            self.listen()?;
        }
        let mut n = 0;
        {
            let mut c = self.client.borrow_mut();
            let mut notes = c.notifications();
            // Not `iter()`: it never lets the client's runtime look at the
            // socket, so it only sees notifications some query already
            // read. A 1 ms wait lets it read what has arrived.
            let mut it = notes.timeout_iter(std::time::Duration::from_millis(1));
            loop {
                match it.next() {
                    Ok(Some(_)) => n += 1,
                    Ok(None) => break,
                    Err(e) => {
                        drop(it);
                        drop(notes);
                        drop(c);
                        return Err(self.lost(&e.to_string()));
                    }
                }
            }
        }
        if self.client.borrow().is_closed() {
            return Err(self.lost("the server closed it"));
        }
        self.changes.set(self.changes.get() + n);
        Ok(self.changes.get())
    }

    fn lost(&self, why: &str) -> Error {
        if self.retry.get().is_none() {
            self.retry.set(Some((
                std::time::Instant::now(),
                std::time::Duration::from_secs(1),
            )));
        }
        Error::Unavailable(format!(
            "lost the connection to PostgreSQL at {} ({}): what is on screen may be out of date; reconnecting — your typing is kept",
            self.shown(),
            crate::text::sanitize_line(why)
        ))
    }

    fn reconnect(&self) -> Result<i64> {
        let now = std::time::Instant::now();
        let (at, wait) = self
            .retry
            .get()
            .unwrap_or((now, std::time::Duration::from_secs(1)));
        if now < at {
            return Err(Error::Unavailable(format!(
                "no connection to PostgreSQL at {}: retrying in {} s; what is on screen may be out of date — your typing is kept",
                self.shown(),
                (at - now).as_secs() + 1
            )));
        }
        match self.tls.connect(&self.config) {
            Ok(c) => {
                *self.client.borrow_mut() = c;
                self.prepared.borrow_mut().clear();
                self.retry.set(None);
                self.listen()?;
                self.changes.set(self.changes.get() + 1);
                Ok(self.changes.get())
            }
            Err(e) => {
                self.retry.set(Some((
                    now + wait,
                    (wait * 2).min(std::time::Duration::from_secs(30)),
                )));
                Err(connect_error(&self.shown(), &self.tls, &e))
            }
        }
    }

    /// This connection's server process (tests drop it on purpose).
    #[doc(hidden)]
    pub fn backend_pid(&self) -> Result<i32> {
        self.client
            .borrow_mut()
            .query_one("SELECT pg_backend_pid()", &[])
            .map(|r| r.get(0))
            .map_err(|e| self.err(e))
    }

    pub fn last_event_id(&self) -> Result<i64> {
        let mut c = self.client.borrow_mut();
        c.query_one("SELECT coalesce(max(id), 0)::bigint FROM events", &[])
            .map(|r| r.get(0))
            .map_err(|e| self.err(e))
    }
}

/// A PostgreSQL server as `sev doctor` sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Health {
    pub role: String,
    pub server_version: String,
    pub tls: bool,
    /// The URL's sslmode (prefer when it names none).
    pub tls_mode: &'static str,
    /// The server's certificate was checked against a CA.
    pub tls_verified: bool,
    /// May write incidents and append events.
    pub can_write: bool,
    /// May change or remove events (privileges, ownership or superuser):
    /// a least-privilege role may not.
    pub can_alter_events: bool,
    /// Enabled triggers on the events table.
    pub event_triggers: Vec<String>,
    /// The client certificate this connection offers (sslcert, or libpq's
    /// ~/.postgresql default), if any.
    pub client_cert: Option<super::ClientCert>,
    /// The subject of the client certificate the server received, as it
    /// reports it (`pg_stat_ssl.client_dn`); none when none was sent.
    pub client_dn: Option<String>,
}

/// Tell every listening sev, on commit, that events were appended (the
/// payload is the newest event id). Sent inside the transaction, so a
/// rolled-back change notifies no one.
fn notify(tx: &mut Transaction<'_>) -> std::result::Result<(), postgres::Error> {
    tx.execute(
        "SELECT pg_notify($1, (SELECT coalesce(max(id), 0) FROM events)::text)",
        &[&CHANNEL],
    )
    .map(|_| ())
}

fn action_named(r: &Row) -> Result<ActionItem> {
    action(r).map_err(|why| {
        let id = r.try_get::<_, i64>("id").unwrap_or(0);
        let inc = r
            .try_get::<_, i64>("incident_id")
            .map(|i| format!(" (of {})", IncidentId(i)))
            .unwrap_or_default();
        unreadable(format!("action item ACT-{id}{inc}"), why)
    })
}

fn sections_json(pm: &Postmortem) -> String {
    serde_json::to_string(&pm.sections).unwrap_or_else(|_| "{}".into())
}

/// Reads inside a PostgreSQL change's transaction (the close policy).
pub(super) struct View<'a> {
    pub(super) tx: RefCell<Transaction<'a>>,
    pub(super) pg: &'a Pg,
}

impl View<'_> {
    pub(super) fn postmortem(&self, id: IncidentId) -> Result<Option<Postmortem>> {
        self.pg.postmortem_of(&mut *self.tx.borrow_mut(), id)
    }

    pub(super) fn actions(&self, id: IncidentId) -> Result<Vec<ActionItem>> {
        self.pg.actions_of(&mut *self.tx.borrow_mut(), id)
    }

    pub(super) fn open_alerts(&self, id: IncidentId) -> Result<i64> {
        let r = self
            .tx
            .borrow_mut()
            .query_one(
                "SELECT count(*)::bigint FROM alerts WHERE incident_id = $1 AND status <> 'resolved'",
                &[&id.0],
            )
            .map_err(|e| self.pg.err(e))?;
        Ok(r.get(0))
    }

    pub(super) fn severity_events(&self, id: IncidentId) -> Result<Vec<Event>> {
        self.pg
            .events_of(&mut *self.tx.borrow_mut(), id, Some("severity"))
    }
}

#[cfg(test)]
mod tests;
