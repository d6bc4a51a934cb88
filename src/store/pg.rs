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

/// The migrations, step for step the same versions as SQLite's.
const STEPS: [&str; 6] = [
    // 1: incidents and their append-only timeline.
    r#"
CREATE TABLE incidents (
    id              BIGINT PRIMARY KEY,
    title           TEXT   NOT NULL,
    description     TEXT   NOT NULL DEFAULT '',
    kind            TEXT   NOT NULL,
    status          TEXT   NOT NULL,
    severity        BIGINT NOT NULL CHECK (severity BETWEEN 1 AND 5),
    impact          TEXT   NOT NULL,
    urgency         TEXT   NOT NULL,
    priority        BIGINT NOT NULL CHECK (priority BETWEEN 1 AND 5),
    category        TEXT,
    service         TEXT,
    tags            TEXT   NOT NULL DEFAULT '',
    assignee        TEXT,
    commander       TEXT,
    scribe          TEXT,
    comms           TEXT,
    reporter        TEXT   NOT NULL,
    created_at      BIGINT NOT NULL,
    started_at      BIGINT,
    detected_at     BIGINT,
    acknowledged_at BIGINT,
    mitigated_at    BIGINT,
    resolved_at     BIGINT,
    closed_at       BIGINT,
    updated_at      BIGINT NOT NULL,
    resolution      TEXT,
    cancel_reason   TEXT,
    version         BIGINT NOT NULL DEFAULT 1,
    is_open         BOOLEAN GENERATED ALWAYS AS
                    (status IN ('triage', 'acknowledged', 'investigating', 'mitigated')) STORED
);
CREATE INDEX incidents_list     ON incidents (is_open DESC, priority, created_at DESC, id DESC);
CREATE INDEX incidents_status   ON incidents (status, priority, created_at DESC);
CREATE INDEX incidents_assignee ON incidents (assignee, is_open);
CREATE INDEX incidents_service  ON incidents (service, is_open);
CREATE INDEX incidents_severity ON incidents (severity, is_open);

CREATE TABLE events (
    id          BIGINT PRIMARY KEY,
    incident_id BIGINT NOT NULL REFERENCES incidents (id),
    at          BIGINT NOT NULL,
    actor       TEXT   NOT NULL,
    kind        TEXT   NOT NULL,
    field       TEXT,
    old         TEXT,
    new         TEXT,
    text        TEXT
);
CREATE INDEX events_incident ON events (incident_id, id);

-- The timeline is an audit trail: sev never changes or removes an event.
CREATE FUNCTION sev_events_append_only() RETURNS trigger LANGUAGE plpgsql AS
$$ BEGIN RAISE EXCEPTION 'timeline events are append-only'; END $$;
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
    FOR EACH ROW EXECUTE FUNCTION sev_events_append_only();
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION sev_events_append_only();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION sev_events_append_only();
"#,
    // 2: postmortems, the author's marks on timeline events, action items.
    r#"
CREATE TABLE postmortems (
    incident_id  BIGINT PRIMARY KEY REFERENCES incidents (id),
    status       TEXT   NOT NULL DEFAULT 'draft',
    owner        TEXT,
    sections     TEXT   NOT NULL DEFAULT '{}',
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    published_at BIGINT,
    version      BIGINT NOT NULL DEFAULT 1
);
CREATE TABLE timeline_marks (
    event_id    BIGINT  PRIMARY KEY REFERENCES events (id),
    incident_id BIGINT  NOT NULL REFERENCES incidents (id),
    highlight   BOOLEAN NOT NULL DEFAULT false,
    hidden      BOOLEAN NOT NULL DEFAULT false,
    annotation  TEXT
);
CREATE INDEX timeline_marks_incident ON timeline_marks (incident_id);
CREATE TABLE action_items (
    id          BIGINT PRIMARY KEY,
    incident_id BIGINT NOT NULL REFERENCES incidents (id),
    description TEXT   NOT NULL,
    type        TEXT   NOT NULL,
    owner       TEXT,
    due_date    TEXT,
    status      TEXT   NOT NULL DEFAULT 'open',
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    version     BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX action_items_incident ON action_items (incident_id);
CREATE INDEX action_items_status   ON action_items (status, due_date);
CREATE INDEX action_items_owner    ON action_items (owner, status);
"#,
    // 3: the hash chain. No PostgreSQL database predates it, so there are
    // no events to chain here (SQLite's step 3 chains existing ones).
    "ALTER TABLE events ADD COLUMN hash TEXT;",
    // 4: presence.
    r#"
CREATE TABLE presence (
    host        TEXT    NOT NULL,
    pid         BIGINT  NOT NULL,
    actor       TEXT    NOT NULL,
    origin      TEXT    NOT NULL,
    incident_id BIGINT,
    editing     BOOLEAN NOT NULL DEFAULT false,
    seen_at     BIGINT  NOT NULL,
    PRIMARY KEY (host, pid)
);
CREATE INDEX presence_incident ON presence (incident_id, seen_at);
"#,
    // 5: impact start.
    "ALTER TABLE incidents RENAME COLUMN started_at TO impact_started_at;",
    // 6: the default order.
    r#"
ALTER TABLE incidents ADD COLUMN attention BIGINT GENERATED ALWAYS AS
    (CASE WHEN status IN ('triage', 'acknowledged', 'investigating') THEN 0
          WHEN status = 'mitigated' THEN 1
          ELSE 2 END) STORED;
DROP INDEX incidents_list;
CREATE INDEX incidents_attention ON incidents (attention, severity, priority, created_at, id);
"#,
];

const _: () = assert!(STEPS.len() == MIGRATIONS.len());

/// Why a column could not be read, worded as on SQLite.
fn bad(col: &str, why: impl std::fmt::Display) -> String {
    format!("its {} is bad: {why}", col.replace('_', " "))
}

fn get<'a, T: postgres::types::FromSql<'a>>(r: &'a Row, col: &str) -> Result<T, String> {
    r.try_get(col).map_err(|e| bad(col, e))
}

fn parsed<T: std::str::FromStr>(r: &Row, col: &str, what: &str) -> Result<T, String> {
    let s: String = get(r, col)?;
    s.parse()
        .map_err(|_| bad(col, format!("'{s}' is not {what} this sev knows")))
}

fn level<T>(r: &Row, col: &str, what: &str, f: fn(u8) -> Option<T>) -> Result<T, String> {
    let n: i64 = get(r, col)?;
    u8::try_from(n)
        .ok()
        .and_then(f)
        .ok_or_else(|| bad(col, format!("'{n}' is not {what} this sev knows")))
}

fn time(r: &Row, col: &str) -> Result<DateTime<Utc>, String> {
    let n: i64 = get(r, col)?;
    DateTime::from_timestamp(n, 0).ok_or_else(|| bad(col, format!("{n} is out of range")))
}

fn time_opt(r: &Row, col: &str) -> Result<Option<DateTime<Utc>>, String> {
    match get::<Option<i64>>(r, col)? {
        None => Ok(None),
        Some(_) => time(r, col).map(Some),
    }
}

fn incident(r: &Row) -> Result<Incident, String> {
    Ok(Incident {
        id: IncidentId(get(r, "id")?),
        title: get(r, "title")?,
        description: get(r, "description")?,
        kind: parsed(r, "kind", "a kind")?,
        status: parsed(r, "status", "a status")?,
        severity: level(r, "severity", "a severity level", Severity::from_level)?,
        impact: parsed(r, "impact", "an impact")?,
        urgency: parsed(r, "urgency", "an urgency")?,
        priority: level(r, "priority", "a priority level", Priority::from_level)?,
        category: get(r, "category")?,
        service: get(r, "service")?,
        tags: crate::domain::parse_tags(&get::<String>(r, "tags")?),
        assignee: get(r, "assignee")?,
        commander: get(r, "commander")?,
        scribe: get(r, "scribe")?,
        comms: get(r, "comms")?,
        reporter: get(r, "reporter")?,
        created_at: time(r, "created_at")?,
        impact_started_at: time_opt(r, "impact_started_at")?,
        detected_at: time_opt(r, "detected_at")?,
        acknowledged_at: time_opt(r, "acknowledged_at")?,
        mitigated_at: time_opt(r, "mitigated_at")?,
        resolved_at: time_opt(r, "resolved_at")?,
        closed_at: time_opt(r, "closed_at")?,
        updated_at: time(r, "updated_at")?,
        resolution: get(r, "resolution")?,
        cancel_reason: get(r, "cancel_reason")?,
        version: get(r, "version")?,
    })
}

const SEARCH_COLUMNS: &str = "id, title, service, substr(description, 1, 300) AS description, \
     attention, severity, priority, created_at";

/// One search row, borrowed from the fetched row.
fn search_ref(r: &Row, id: IncidentId) -> Result<SearchRef<'_>, String> {
    Ok(SearchRef {
        id,
        title: get(r, "title")?,
        service: get(r, "service")?,
        description: get(r, "description")?,
        key: ListKey::new(
            get(r, "attention")?,
            get(r, "severity")?,
            get(r, "priority")?,
            get(r, "created_at")?,
            id,
        ),
    })
}

fn incident_or_unreadable(r: &Row) -> std::result::Result<Incident, Unreadable> {
    incident(r).map_err(|reason| Unreadable {
        id: IncidentId(r.try_get("id").unwrap_or(0)),
        reason,
    })
}

fn event(r: &Row) -> Result<Event, String> {
    let kind: String = get(r, "kind")?;
    Ok(Event {
        id: get(r, "id")?,
        incident: IncidentId(get(r, "incident_id")?),
        at: time(r, "at")?,
        actor: get(r, "actor")?,
        kind: EventKind::parse(&kind).ok_or_else(|| {
            bad(
                "kind",
                format!("'{kind}' is not an event kind this sev knows"),
            )
        })?,
        field: get(r, "field")?,
        old: get(r, "old")?,
        new: get(r, "new")?,
        text: get(r, "text")?,
    })
}

fn action(r: &Row) -> Result<ActionItem, String> {
    let due = match get::<Option<String>>(r, "due_date")? {
        None => None,
        Some(d) => Some(NaiveDate::parse_from_str(&d, "%Y-%m-%d").map_err(|_| {
            bad(
                "due_date",
                format!("'{d}' is not a YYYY-MM-DD date this sev knows"),
            )
        })?),
    };
    Ok(ActionItem {
        id: ActionId(get(r, "id")?),
        incident: IncidentId(get(r, "incident_id")?),
        description: get(r, "description")?,
        kind: parsed(r, "type", "an action type")?,
        owner: get(r, "owner")?,
        due,
        status: parsed(r, "status", "an action status")?,
        created_at: time(r, "created_at")?,
        updated_at: time(r, "updated_at")?,
        version: get(r, "version")?,
    })
}

fn postmortem(r: &Row) -> Result<Postmortem, String> {
    let sections: String = get(r, "sections")?;
    let sections = serde_json::from_str(&sections).map_err(|e| {
        bad(
            "sections",
            format!("not a JSON object of section texts ({e})"),
        )
    })?;
    Ok(Postmortem {
        incident: IncidentId(get(r, "incident_id")?),
        status: parsed(r, "status", "a postmortem status")?,
        owner: get(r, "owner")?,
        sections,
        created_at: time(r, "created_at")?,
        updated_at: time(r, "updated_at")?,
        published_at: time_opt(r, "published_at")?,
        version: get(r, "version")?,
    })
}

/// A row sev cannot read, named: "event #12 of INC-3 is unreadable: …".
fn unreadable(what: String, reason: String) -> Error {
    Error::Unavailable(format!(
        "{what} is unreadable: {reason} — restore a backup or run sev doctor"
    ))
}

/// The values of an incident in the order of [`INCIDENT_COLUMNS`] after `id`.
struct IncidentValues {
    ints: [Option<i64>; 12],
    texts: [Option<String>; 15],
}

impl IncidentValues {
    fn of(i: &Incident) -> IncidentValues {
        let t = |d: Option<DateTime<Utc>>| d.map(|d| d.timestamp());
        IncidentValues {
            ints: [
                Some(i64::from(i.severity.level())),
                Some(i64::from(i.priority.level())),
                Some(i.created_at.timestamp()),
                t(i.impact_started_at),
                t(i.detected_at),
                t(i.acknowledged_at),
                t(i.mitigated_at),
                t(i.resolved_at),
                t(i.closed_at),
                Some(i.updated_at.timestamp()),
                Some(i.version),
                Some(i.id.0),
            ],
            texts: [
                Some(i.title.clone()),
                Some(i.description.clone()),
                Some(i.kind.as_str().to_string()),
                Some(i.status.as_str().to_string()),
                Some(i.impact.as_str().to_string()),
                Some(i.urgency.as_str().to_string()),
                i.category.clone(),
                i.service.clone(),
                Some(i.tags.join(",")),
                i.assignee.clone(),
                i.commander.clone(),
                i.scribe.clone(),
                i.comms.clone(),
                Some(i.reporter.clone()),
                i.resolution.clone(),
            ],
        }
    }

    /// `(column, value)` pairs, every stored column but `id` and the
    /// cancel reason (bound separately).
    fn pairs<'a>(&'a self, cancel: &'a Option<String>) -> Vec<(&'static str, Param<'a>)> {
        let [
            sev,
            pri,
            created,
            started,
            detected,
            acked,
            mitigated,
            resolved,
            closed,
            updated,
            version,
            _,
        ] = &self.ints;
        let [
            title,
            desc,
            kind,
            status,
            impact,
            urgency,
            category,
            service,
            tags,
            assignee,
            commander,
            scribe,
            comms,
            reporter,
            resolution,
        ] = &self.texts;
        vec![
            ("title", title),
            ("description", desc),
            ("kind", kind),
            ("status", status),
            ("severity", sev),
            ("impact", impact),
            ("urgency", urgency),
            ("priority", pri),
            ("category", category),
            ("service", service),
            ("tags", tags),
            ("assignee", assignee),
            ("commander", commander),
            ("scribe", scribe),
            ("comms", comms),
            ("reporter", reporter),
            ("created_at", created),
            ("impact_started_at", started),
            ("detected_at", detected),
            ("acknowledged_at", acked),
            ("mitigated_at", mitigated),
            ("resolved_at", resolved),
            ("closed_at", closed),
            ("updated_at", updated),
            ("resolution", resolution),
            ("cancel_reason", cancel),
            ("version", version),
        ]
    }
}

fn marks(n: usize, from: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

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
        };
        pg.migrate(create)?;
        pg.listen()?;
        let server: Option<String> = pg
            .client
            .borrow_mut()
            .query_one("SELECT inet_server_addr()::text", &[])
            .map_err(|e| pg.err(e))?
            .get(0);
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

    /// Take the write lock, then read the server's clock (whole seconds).
    /// Read after the lock is granted, not `now()` (the transaction's start,
    /// before any wait): a writer that waited behind another then never
    /// stamps its events earlier than the events it follows on the chain.
    fn lock(&self, tx: &mut Transaction<'_>) -> Result<DateTime<Utc>> {
        Ok(self.lock_at_head(tx)?.0)
    }

    /// Take the write lock and read the server's clock and the chain head
    /// (newest event id and hash) in one round trip: one simple-query
    /// message with two statements. The second is a statement of its own,
    /// so under READ COMMITTED its snapshot is taken after the lock is
    /// granted and it sees every event the previous holder committed.
    fn lock_at_head(&self, tx: &mut Transaction<'_>) -> Result<(DateTime<Utc>, Head)> {
        let sql = format!(
            "SELECT pg_advisory_xact_lock({WRITE_LOCK});
             SELECT floor(extract(epoch FROM clock_timestamp()))::bigint,
                    h.id, h.hash
               FROM (SELECT 1) one
               LEFT JOIN (SELECT id, hash FROM events ORDER BY id DESC LIMIT 1) h ON true"
        );
        let msgs = tx.simple_query(&sql).map_err(|e| self.err(e))?;
        let row = msgs
            .iter()
            .filter_map(|m| match m {
                postgres::SimpleQueryMessage::Row(r) => Some(r),
                _ => None,
            })
            .find(|r| r.len() == 3)
            .ok_or_else(|| {
                Error::Internal("the server sent no clock after the write lock".into())
            })?;
        let field = |i: usize| row.try_get(i).map_err(|e| self.err(e));
        let now: i64 = field(0)?
            .and_then(|t| t.parse().ok())
            .ok_or_else(|| Error::Internal("the server's clock is unreadable".into()))?;
        let id: i64 = match field(1)? {
            None => 0,
            Some(t) => t
                .parse()
                .map_err(|_| Error::Internal(format!("the newest event id {t:?} is unreadable")))?,
        };
        let hash = field(2)?.unwrap_or(GENESIS).to_string();
        let now = DateTime::from_timestamp(now, 0).unwrap_or_else(Utc::now);
        Ok((now, Head { id, hash }))
    }

    /// One write transaction holding the write lock; `f` gets the server's
    /// time (see [`Pg::lock`]).
    fn write<T>(
        &self,
        f: impl FnOnce(&mut Transaction<'_>, DateTime<Utc>) -> Result<T>,
    ) -> Result<T> {
        let mut c = self.client.borrow_mut();
        let mut tx = c.transaction().map_err(|e| self.err(e))?;
        let now = self.lock(&mut tx)?;
        let out = f(&mut tx, now)?;
        notify(&mut tx).map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))?;
        Ok(out)
    }

    fn listen(&self) -> Result<()> {
        self.client
            .borrow_mut()
            .batch_execute(&format!("LISTEN {CHANNEL}"))
            .map_err(|e| self.err(e))
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

    // ---- incidents ----

    fn insert_row<C: GenericClient>(&self, c: &mut C, i: &Incident) -> Result<IncidentId> {
        let id: i64 = c
            .query_one(
                "SELECT coalesce(max(id), 0)::bigint + 1 FROM incidents",
                &[],
            )
            .map_err(|e| self.err(e))?
            .get(0);
        self.insert_row_with(c, i, id)
    }

    fn insert_row_with<C: GenericClient>(
        &self,
        c: &mut C,
        i: &Incident,
        id: i64,
    ) -> Result<IncidentId> {
        let v = IncidentValues::of(i);
        let mut pairs = v.pairs(&i.cancel_reason);
        pairs.insert(0, ("id", &id));
        let cols: Vec<&str> = pairs.iter().map(|(c, _)| *c).collect();
        let params: Vec<Param<'_>> = pairs.iter().map(|(_, p)| *p).collect();
        let sql = format!(
            "INSERT INTO incidents ({}) VALUES ({})",
            cols.join(", "),
            marks(cols.len(), 1)
        );
        c.execute(sql.as_str(), &params).map_err(|e| self.err(e))?;
        Ok(IncidentId(id))
    }

    fn append<C: GenericClient>(&self, c: &mut C, id: IncidentId, e: &Event) -> Result<i64> {
        let mut head = c
            .query_opt("SELECT id, hash FROM events ORDER BY id DESC LIMIT 1", &[])
            .map_err(|er| self.err(er))?
            .map(|r| {
                let h: Option<String> = r.get(1);
                Head {
                    id: r.get::<_, i64>(0),
                    hash: h.unwrap_or_else(|| GENESIS.to_string()),
                }
            })
            .unwrap_or(Head {
                id: 0,
                hash: GENESIS.to_string(),
            });
        let new = self.chained(id, e, &mut head);
        c.execute(INSERT_EVENT, &new.params())
            .map_err(|er| self.err(er))?;
        Ok(new.id)
    }

    /// The next event on the chain after `head` (which it then advances):
    /// its id, hash and the actor with the remote host recorded.
    fn chained(&self, id: IncidentId, e: &Event, head: &mut Head) -> Chained {
        let event_id = head.id + 1;
        let at = e.at.timestamp();
        let actor = actor_from(&e.actor, self.from_host.as_deref());
        let e = Event { actor, ..e.clone() };
        let hash = event_hash(
            &head.hash,
            event_id,
            id.0,
            at,
            &e.actor,
            e.kind.as_str(),
            e.field.as_deref(),
            e.old.as_deref(),
            e.new.as_deref(),
            e.text.as_deref(),
        );
        *head = Head {
            id: event_id,
            hash: hash.clone(),
        };
        Chained {
            id: event_id,
            incident: id.0,
            at,
            kind: e.kind.as_str(),
            e,
            hash,
        }
    }

    fn get_in<C: GenericClient>(
        &self,
        c: &mut C,
        id: IncidentId,
    ) -> Result<Option<std::result::Result<Incident, Unreadable>>> {
        let r = c
            .query_opt(
                format!("SELECT {INCIDENT_COLUMNS} FROM incidents WHERE id = $1").as_str(),
                &[&id.0],
            )
            .map_err(|e| self.err(e))?;
        Ok(r.map(|r| incident_or_unreadable(&r)))
    }

    fn stored<C: GenericClient>(&self, c: &mut C, id: IncidentId) -> Result<Incident> {
        match self.get_in(c, id)? {
            None => Err(not_found(id)),
            Some(Ok(i)) => Ok(i),
            Some(Err(u)) => Err(unreadable_error(&[u]).unwrap_or_else(|| not_found(id))),
        }
    }

    pub fn insert(&self, inc: &Incident, actor: &str) -> Result<Incident> {
        self.write(|tx, now| {
            let inc = Incident {
                created_at: now,
                updated_at: now,
                ..inc.clone()
            };
            let id = self.insert_row(tx, &inc)?;
            let created = timeline::text_event(id, now, actor, EventKind::Created, &inc.title);
            self.append(tx, id, &created)?;
            Ok(Incident { id, ..inc })
        })
    }

    pub fn get(&self, id: IncidentId) -> Result<Incident> {
        let mut c = self.client.borrow_mut();
        self.stored(&mut *c, id)
    }

    pub fn modify<F>(&self, id: IncidentId, actor: &str, f: F) -> Result<Incident>
    where
        F: FnOnce(&mut Incident, &TxView<'_>) -> Result<Vec<Record>>,
    {
        let mut c = self.client.borrow_mut();
        let mut tx = c.transaction().map_err(|e| self.err(e))?;
        let (now, mut head) = self.lock_at_head(&mut tx)?;
        let stored = self.stored(&mut tx, id)?;
        let mut inc = stored.clone();
        let view = TxView::pg(tx, self, now);
        let records = f(&mut inc, &view)?;
        let mut tx = view.into_pg().ok_or_else(|| {
            Error::Internal("a change lost its transaction; nothing was saved".into())
        })?;
        if records.is_empty() {
            return Ok(stored);
        }
        inc.id = stored.id;
        inc.version = stored.version + 1;
        inc.updated_at = now.max(inc.updated_at);
        let v = IncidentValues::of(&inc);
        let pairs = v.pairs(&inc.cancel_reason);
        let set: Vec<String> = pairs
            .iter()
            .enumerate()
            .map(|(i, (c, _))| format!("{c} = ${}", i + 1))
            .collect();
        let mut params: Vec<Param<'_>> = pairs.iter().map(|(_, p)| *p).collect();
        params.push(&inc.id.0);
        params.push(&stored.version);
        let sql = format!(
            "UPDATE incidents SET {} WHERE id = ${} AND version = ${}",
            set.join(", "),
            pairs.len() + 1,
            pairs.len() + 2
        );
        let n = tx.execute(sql.as_str(), &params).map_err(|e| self.err(e))?;
        if n != 1 {
            return Err(Error::Internal(format!(
                "{id} changed under a write lock; nothing was saved"
            )));
        }
        for r in &records {
            let new = self.chained(id, &r.to_event(id, now, actor), &mut head);
            tx.execute(INSERT_EVENT, &new.params())
                .map_err(|e| self.err(e))?;
        }
        tx.execute(
            "SELECT pg_notify($1, $2)",
            &[&CHANNEL, &head.id.to_string()],
        )
        .map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))?;
        Ok(inc)
    }

    /// A note holds the write lock for two round trips: the lock with the
    /// clock and chain head (one message), then one statement that appends
    /// the event, bumps `updated_at` and notifies; then the commit. The
    /// existence check runs before the lock (incidents are never deleted,
    /// and notes never conflict, so nothing read there can go stale).
    pub fn add_note(&self, id: IncidentId, actor: &str, text: &str) -> Result<Event> {
        let mut c = self.client.borrow_mut();
        let mut tx = c.transaction().map_err(|e| self.err(e))?;
        if !self.exists(&mut tx, id)? {
            return Err(not_found(id));
        }
        let (now, mut head) = self.lock_at_head(&mut tx)?;
        let note = timeline::text_event(id, now, actor, EventKind::Note, text);
        let new = self.chained(id, &note, &mut head);
        let payload = new.id.to_string();
        let mut params = new.params().to_vec();
        params.push(&CHANNEL);
        params.push(&payload);
        tx.execute(
            format!(
                "WITH e AS ({INSERT_EVENT}),
                      u AS (UPDATE incidents SET updated_at = greatest(updated_at, $3)
                             WHERE id = $2)
                 SELECT pg_notify($11, $12)"
            )
            .as_str(),
            &params,
        )
        .map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))?;
        Ok(Event { id: new.id, ..note })
    }

    /// The WHERE clause of a list query, with `$n` placeholders from 1.
    fn where_clause(q: &ListQuery) -> (String, Vec<Box<dyn ToSql + Sync>>) {
        let mut conds: Vec<String> = Vec::new();
        let mut args: Vec<Box<dyn ToSql + Sync>> = Vec::new();
        let mut add = |cond: &str,
                       vals: Vec<Box<dyn ToSql + Sync>>,
                       args: &mut Vec<Box<dyn ToSql + Sync>>| {
            let mut c = cond.to_string();
            for v in vals {
                args.push(v);
                c = c.replacen('?', &format!("${}", args.len()), 1);
            }
            conds.push(c);
        };
        match q.scope {
            Scope::Open => add("attention < 2", vec![], &mut args),
            Scope::All => {}
            Scope::Status(s) => add(
                "status = ?",
                vec![Box::new(s.as_str().to_string())],
                &mut args,
            ),
        }
        if let Some(s) = q.severity {
            add(
                "severity = ?",
                vec![Box::new(i64::from(s.level()))],
                &mut args,
            );
        }
        if let Some(p) = q.priority {
            add(
                "priority = ?",
                vec![Box::new(i64::from(p.level()))],
                &mut args,
            );
        }
        if let Some(s) = &q.service {
            add("service = ?", vec![Box::new(s.clone())], &mut args);
        }
        if let Some(a) = &q.assignee {
            add("assignee = ?", vec![Box::new(a.clone())], &mut args);
        }
        if let Some(s) = q.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            let pat = super::incidents::like_pattern(s);
            // SQLite's LIKE is case-insensitive for ASCII: ILIKE here.
            if let Ok(id) = s.parse::<IncidentId>() {
                add(
                    "(id = ? OR title ILIKE ? OR description ILIKE ?)",
                    vec![Box::new(id.0), Box::new(pat.clone()), Box::new(pat)],
                    &mut args,
                );
            } else {
                add(
                    "(title ILIKE ? OR description ILIKE ? OR service ILIKE ?)",
                    vec![Box::new(pat.clone()), Box::new(pat.clone()), Box::new(pat)],
                    &mut args,
                );
            }
        }
        let w = if conds.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conds.join(" AND "))
        };
        (w, args)
    }

    fn query(&self, sql: &str, args: &[Box<dyn ToSql + Sync>]) -> Result<Vec<Row>> {
        let params: Vec<Param<'_>> = args.iter().map(|b| b.as_ref() as Param<'_>).collect();
        self.client
            .borrow_mut()
            .query(sql, &params)
            .map_err(|e| self.err(e))
    }

    pub fn list(&self, q: &ListQuery) -> Result<Partial<Incident>> {
        let (w, mut args) = Pg::where_clause(q);
        let mut sql = format!("SELECT {INCIDENT_COLUMNS} FROM incidents {w} {ORDER}");
        if let Some(l) = q.limit {
            args.push(Box::new(l as i64));
            sql.push_str(&format!(" LIMIT ${}", args.len()));
        }
        args.push(Box::new(q.offset as i64));
        sql.push_str(&format!(" OFFSET ${}", args.len()));
        let mut out = Partial {
            rows: Vec::new(),
            unreadable: Vec::new(),
        };
        for r in self.query(&sql, &args)? {
            match incident_or_unreadable(&r) {
                Ok(i) => out.rows.push(i),
                Err(u) => out.unreadable.push(u),
            }
        }
        Ok(out)
    }

    pub fn list_ids(&self, q: &ListQuery) -> Result<Vec<IncidentId>> {
        let (w, args) = Pg::where_clause(q);
        let rows = self.query(&format!("SELECT id FROM incidents {w} {ORDER}"), &args)?;
        Ok(rows.iter().map(|r| IncidentId(r.get(0))).collect())
    }

    pub fn count(&self, q: &ListQuery) -> Result<usize> {
        let (w, args) = Pg::where_clause(q);
        let rows = self.query(&format!("SELECT count(*) FROM incidents {w}"), &args)?;
        Ok(rows.first().map(|r| r.get::<_, i64>(0)).unwrap_or(0) as usize)
    }

    pub fn get_many(&self, ids: &[IncidentId]) -> Result<Partial<Incident>> {
        let raw: Vec<i64> = ids.iter().map(|i| i.0).collect();
        let rows = self.query(
            &format!("SELECT {INCIDENT_COLUMNS} FROM incidents WHERE id = ANY($1)"),
            &[Box::new(raw)],
        )?;
        let mut got: HashMap<IncidentId, Incident> = HashMap::new();
        let mut bad = Vec::new();
        for r in rows {
            match incident_or_unreadable(&r) {
                Ok(i) => {
                    got.insert(i.id, i);
                }
                Err(u) => bad.push(u),
            }
        }
        bad.sort_by_key(|u: &Unreadable| ids.iter().position(|i| *i == u.id));
        Ok(Partial {
            rows: ids.iter().filter_map(|id| got.remove(id)).collect(),
            unreadable: bad,
        })
    }

    /// Searchable text of every incident `q` matches, in list order.
    pub fn search_rows(&self, q: &ListQuery) -> Result<Partial<SearchRow>> {
        let mut rows = Vec::new();
        let unreadable = self.each_search_row(q, |r| rows.push(r.to_row()))?;
        rows.sort_unstable_by_key(|r| r.key);
        Ok(Partial { rows, unreadable })
    }

    pub fn each_search_row(
        &self,
        q: &ListQuery,
        mut f: impl FnMut(SearchRef<'_>),
    ) -> Result<Vec<Unreadable>> {
        let (w, args) = Pg::where_clause(&super::search::facets(q));
        let sql = format!("SELECT {SEARCH_COLUMNS} FROM incidents {w}");
        let mut unreadable = Vec::new();
        for r in self.query(&sql, &args)? {
            let id = IncidentId(r.try_get("id").unwrap_or(0));
            match search_ref(&r, id) {
                Ok(row) => f(row),
                Err(reason) => unreadable.push(Unreadable { id, reason }),
            }
        }
        Ok(unreadable)
    }

    /// The incidents of list `q` whose timeline moved after event `since`.
    pub fn search_changes(&self, q: &ListQuery, since: i64) -> Result<SearchDelta> {
        // The bound first: a commit between the two reads is seen next time.
        let upto = self.last_event_id()?;
        let (w, mut args) = Pg::where_clause(&super::search::facets(q));
        let member = match w.strip_prefix("WHERE ") {
            Some(cond) => format!("({cond})"),
            None => "true".into(),
        };
        args.push(Box::new(since));
        let sql = format!(
            "SELECT {SEARCH_COLUMNS}, {member} AS member FROM incidents \
             WHERE id IN (SELECT incident_id FROM events WHERE id > ${})",
            args.len()
        );
        let mut delta = SearchDelta {
            upto,
            rows: Vec::new(),
            gone: Vec::new(),
            unreadable: Vec::new(),
        };
        for r in self.query(&sql, &args)? {
            let id = IncidentId(r.try_get("id").unwrap_or(0));
            let member: bool = r.try_get("member").unwrap_or(false);
            match search_ref(&r, id) {
                Ok(row) if member => delta.rows.push(row.to_row()),
                Ok(_) => delta.gone.push(id),
                Err(reason) => {
                    delta.gone.push(id);
                    delta.unreadable.push(Unreadable { id, reason });
                }
            }
        }
        Ok(delta)
    }

    pub fn distinct_services(&self) -> Result<Vec<String>> {
        let rows = self.query(
            "SELECT DISTINCT service FROM incidents WHERE service IS NOT NULL ORDER BY service LIMIT 500",
            &[],
        )?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    pub fn known_people(&self) -> Result<Vec<String>> {
        let rows = self.query(
            "SELECT actor FROM (SELECT DISTINCT actor FROM events LIMIT 2000) a \
             UNION SELECT assignee FROM incidents WHERE assignee IS NOT NULL \
             UNION SELECT commander FROM incidents WHERE commander IS NOT NULL",
            &[],
        )?;
        let mut out: Vec<String> = rows
            .iter()
            .map(|r| crate::identity::login_of(&r.get::<_, String>(0)).to_string())
            .collect();
        out.sort();
        out.dedup();
        Ok(out)
    }

    // ---- timeline ----

    pub(super) fn events_of<C: GenericClient>(
        &self,
        c: &mut C,
        id: IncidentId,
        field: Option<&str>,
    ) -> Result<Vec<Event>> {
        let rows = match field {
            None => c.query(
                format!("SELECT {EVENT_COLUMNS} FROM events WHERE incident_id = $1 ORDER BY id")
                    .as_str(),
                &[&id.0],
            ),
            Some(f) => c.query(
                format!(
                    "SELECT {EVENT_COLUMNS} FROM events WHERE incident_id = $1 AND field = $2 ORDER BY id"
                )
                .as_str(),
                &[&id.0, &f],
            ),
        }
        .map_err(|e| self.err(e))?;
        rows.iter()
            .map(|r| {
                event(r).map_err(|reason| {
                    unreadable(
                        format!("event #{} of {id}", r.try_get::<_, i64>("id").unwrap_or(0)),
                        reason,
                    )
                })
            })
            .collect()
    }

    pub fn events(&self, id: IncidentId) -> Result<Vec<Event>> {
        let mut c = self.client.borrow_mut();
        self.events_of(&mut *c, id, None)
    }

    pub fn verify(&self) -> Result<Verified> {
        let mut c = self.client.borrow_mut();
        let rows = c
            .query(
                "SELECT id, incident_id, at, actor, kind, field, old, new, text, hash FROM events ORDER BY id",
                &[],
            )
            .map_err(|e| self.err(e))?;
        drop(c);
        let mut prev = GENESIS.to_string();
        let mut prev_id = 0i64;
        let mut n = 0usize;
        let mut broken = None;
        for r in &rows {
            n += 1;
            let id: i64 = r.get(0);
            let incident: i64 = r.get(1);
            let hash: Option<String> = r.get(9);
            let expected = event_hash(
                &prev,
                id,
                incident,
                r.get(2),
                r.get(3),
                r.get(4),
                r.get(5),
                r.get(6),
                r.get(7),
                r.get(8),
            );
            if hash.as_deref() != Some(expected.as_str()) {
                broken = Some(Break {
                    event_id: id,
                    incident,
                    reason: super::audit::break_reason(hash.is_none(), id, prev_id),
                });
                break;
            }
            prev = expected;
            prev_id = id;
        }
        let head = if n > 0 && broken.is_none() {
            Some((prev_id, prev))
        } else {
            None
        };
        Ok(Verified {
            events: n,
            head,
            broken,
        })
    }

    pub fn verify_head(&self, event_id: i64, hash: &str) -> Result<bool> {
        let mut c = self.client.borrow_mut();
        let r = c
            .query_opt("SELECT hash FROM events WHERE id = $1", &[&event_id])
            .map_err(|e| self.err(e))?;
        match r {
            None => Err(Error::Check(format!(
                "the logged head event #{event_id} is gone: events were deleted after it was logged"
            ))),
            Some(r) => Ok(r.get::<_, Option<String>>(0).as_deref() == Some(hash)),
        }
    }

    // ---- presence ----

    pub fn heartbeat(&self, p: &Presence) -> Result<()> {
        let mut c = self.client.borrow_mut();
        let now = "floor(extract(epoch FROM now()))::bigint";
        c.execute(
            format!(
                "INSERT INTO presence (host, pid, actor, origin, incident_id, editing, seen_at)
                 VALUES ($1, $2, $3, $4, $5, $6, {now})
                 ON CONFLICT (host, pid) DO UPDATE SET actor = $3, origin = $4, incident_id = $5,
                     editing = $6, seen_at = {now}"
            )
            .as_str(),
            &[
                &p.host,
                &i64::from(p.pid),
                &p.actor,
                &p.origin,
                &p.incident.map(|i| i.0),
                &p.editing,
            ],
        )
        .map_err(|e| self.err(e))?;
        c.execute(
            format!("DELETE FROM presence WHERE seen_at < {now} - 600").as_str(),
            &[],
        )
        .map_err(|e| self.err(e))?;
        Ok(())
    }

    pub fn leave(&self, host: &str, pid: u32) -> Result<()> {
        self.client
            .borrow_mut()
            .execute(
                "DELETE FROM presence WHERE host = $1 AND pid = $2",
                &[&host, &i64::from(pid)],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Who has `id` on screen, by the server's clock.
    pub fn viewers(&self, id: IncidentId) -> Result<Vec<Presence>> {
        let rows = self.query(
            "SELECT host, pid, actor, origin, incident_id, editing, seen_at FROM presence
             WHERE incident_id = $1 AND seen_at >= floor(extract(epoch FROM now()))::bigint - $2
             ORDER BY editing DESC, actor",
            &[Box::new(id.0), Box::new(EXPIRY.num_seconds())],
        )?;
        Ok(rows
            .iter()
            .map(|r| Presence {
                host: r.get("host"),
                pid: u32::try_from(r.get::<_, i64>("pid")).unwrap_or(0),
                actor: r.get("actor"),
                origin: r.get("origin"),
                incident: r.get::<_, Option<i64>>("incident_id").map(IncidentId),
                editing: r.get("editing"),
                seen_at: DateTime::from_timestamp(r.get("seen_at"), 0).unwrap_or_default(),
            })
            .collect())
    }

    // ---- postmortems and action items ----

    pub(super) fn postmortem_of<C: GenericClient>(
        &self,
        c: &mut C,
        id: IncidentId,
    ) -> Result<Option<Postmortem>> {
        let r = c
            .query_opt(
                format!("SELECT {POSTMORTEM_COLUMNS} FROM postmortems WHERE incident_id = $1")
                    .as_str(),
                &[&id.0],
            )
            .map_err(|e| self.err(e))?;
        r.map(|r| postmortem(&r).map_err(|why| unreadable(format!("the postmortem of {id}"), why)))
            .transpose()
    }

    pub(super) fn actions_of<C: GenericClient>(
        &self,
        c: &mut C,
        id: IncidentId,
    ) -> Result<Vec<ActionItem>> {
        let rows = c
            .query(
                format!(
                    "SELECT {ACTION_COLUMNS} FROM action_items WHERE incident_id = $1 ORDER BY id"
                )
                .as_str(),
                &[&id.0],
            )
            .map_err(|e| self.err(e))?;
        rows.iter().map(action_named).collect()
    }

    fn action_in<C: GenericClient>(&self, c: &mut C, id: ActionId) -> Result<ActionItem> {
        let r = c
            .query_opt(
                format!("SELECT {ACTION_COLUMNS} FROM action_items WHERE id = $1").as_str(),
                &[&id.0],
            )
            .map_err(|e| self.err(e))?;
        match r {
            None => Err(super::error::action_not_found(id)),
            Some(r) => action_named(&r),
        }
    }

    fn exists<C: GenericClient>(&self, c: &mut C, id: IncidentId) -> Result<bool> {
        c.query_opt("SELECT 1 FROM incidents WHERE id = $1", &[&id.0])
            .map(|r| r.is_some())
            .map_err(|e| self.err(e))
    }

    fn insert_action<C: GenericClient>(
        &self,
        c: &mut C,
        id: IncidentId,
        a: &ActionItem,
    ) -> Result<ActionId> {
        let aid: i64 = c
            .query_one(
                "SELECT coalesce(max(id), 0)::bigint + 1 FROM action_items",
                &[],
            )
            .map_err(|e| self.err(e))?
            .get(0);
        self.insert_action_with(c, id, a, aid, a.version.max(1))
    }

    fn insert_action_with<C: GenericClient>(
        &self,
        c: &mut C,
        id: IncidentId,
        a: &ActionItem,
        aid: i64,
        version: i64,
    ) -> Result<ActionId> {
        c.execute(
            format!("INSERT INTO action_items ({ACTION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)").as_str(),
            &[
                &aid,
                &id.0,
                &a.description,
                &a.kind.as_str(),
                &a.owner,
                &a.due.map(|d| d.format("%Y-%m-%d").to_string()),
                &a.status.as_str(),
                &a.created_at.timestamp(),
                &a.updated_at.timestamp(),
                &version,
            ],
        )
        .map_err(|e| self.err(e))?;
        Ok(ActionId(aid))
    }

    pub fn postmortem(&self, id: IncidentId) -> Result<Option<Postmortem>> {
        let mut c = self.client.borrow_mut();
        self.postmortem_of(&mut *c, id)
    }

    pub fn modify_postmortem<F>(&self, id: IncidentId, actor: &str, f: F) -> Result<Postmortem>
    where
        F: FnOnce(&mut Postmortem, DateTime<Utc>) -> Result<Vec<FieldChange>>,
    {
        self.write(|tx, now| {
            if !self.exists(tx, id)? {
                return Err(not_found(id));
            }
            let stored = self
                .postmortem_of(tx, id)?
                .unwrap_or_else(|| Postmortem::new(id, now));
            let mut pm = stored.clone();
            let changes = f(&mut pm, now)?;
            if changes.is_empty() {
                return Ok(stored);
            }
            pm.version = stored.version + 1;
            pm.updated_at = now;
            let n = tx
                .execute(
                    "INSERT INTO postmortems (incident_id, status, owner, sections, created_at, updated_at, published_at, version)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                     ON CONFLICT (incident_id) DO UPDATE SET status = $2, owner = $3, sections = $4, updated_at = $6,
                         published_at = $7, version = $8
                     WHERE postmortems.version = $9",
                    &[
                        &id.0,
                        &pm.status.as_str(),
                        &pm.owner,
                        &sections_json(&pm),
                        &pm.created_at.timestamp(),
                        &pm.updated_at.timestamp(),
                        &pm.published_at.map(|t| t.timestamp()),
                        &pm.version,
                        &stored.version,
                    ],
                )
                .map_err(|e| self.err(e))?;
            if n != 1 {
                return Err(Error::Internal(format!(
                    "the postmortem of {id} changed under a write lock; nothing was saved"
                )));
            }
            for ch in &changes {
                let ev = timeline::change_event(id, now, actor, EventKind::Postmortem, ch);
                self.append(tx, id, &ev)?;
            }
            Ok(pm)
        })
    }

    pub fn marks(&self, id: IncidentId) -> Result<HashMap<i64, Mark>> {
        let rows = self.query(
            "SELECT event_id, highlight, hidden, annotation FROM timeline_marks WHERE incident_id = $1",
            &[Box::new(id.0)],
        )?;
        Ok(rows
            .iter()
            .map(|r| {
                (
                    r.get("event_id"),
                    Mark {
                        highlight: r.get("highlight"),
                        hidden: r.get("hidden"),
                        annotation: r.get("annotation"),
                    },
                )
            })
            .collect())
    }

    pub fn set_mark(&self, id: IncidentId, event_id: i64, mark: &Mark, actor: &str) -> Result<()> {
        self.write(|tx, now| {
            let belongs = tx
                .query_opt(
                    "SELECT 1 FROM events WHERE id = $1 AND incident_id = $2",
                    &[&event_id, &id.0],
                )
                .map_err(|e| self.err(e))?
                .is_some();
            if !belongs {
                return Err(Error::NotFound(format!(
                    "no timeline event {event_id} on {id}"
                )));
            }
            tx.execute(
                "INSERT INTO timeline_marks (event_id, incident_id, highlight, hidden, annotation) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (event_id) DO UPDATE SET highlight = $3, hidden = $4, annotation = $5",
                &[&event_id, &id.0, &mark.highlight, &mark.hidden, &mark.annotation],
            )
            .map_err(|e| self.err(e))?;
            let ch = super::postmortems::mark_change(event_id, mark);
            let ev = timeline::change_event(id, now, actor, EventKind::Postmortem, &ch);
            self.append(tx, id, &ev).map(|_| ())
        })
    }

    pub fn actions(&self, q: &ActionQuery) -> Result<Vec<ActionItem>> {
        let mut conds: Vec<String> = Vec::new();
        let mut args: Vec<Box<dyn ToSql + Sync>> = Vec::new();
        if let Some(i) = q.incident {
            args.push(Box::new(i.0));
            conds.push(format!("incident_id = ${}", args.len()));
        }
        if q.open_only || q.overdue_on.is_some() {
            conds.push("status IN ('open', 'in-progress')".into());
        }
        if let Some(d) = q.overdue_on {
            args.push(Box::new(d.format("%Y-%m-%d").to_string()));
            conds.push(format!(
                "due_date IS NOT NULL AND due_date < ${}",
                args.len()
            ));
        }
        if let Some(o) = &q.owner {
            args.push(Box::new(o.clone()));
            conds.push(format!("owner = ${}", args.len()));
        }
        let w = if conds.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conds.join(" AND "))
        };
        let sql = format!(
            "SELECT {ACTION_COLUMNS} FROM action_items {w}
             ORDER BY status NOT IN ('open', 'in-progress'), due_date IS NULL, due_date COLLATE \"C\", id"
        );
        self.query(&sql, &args)?.iter().map(action_named).collect()
    }

    pub fn action(&self, id: ActionId) -> Result<ActionItem> {
        let mut c = self.client.borrow_mut();
        self.action_in(&mut *c, id)
    }

    pub fn add_action(&self, item: &ActionItem, actor: &str) -> Result<ActionItem> {
        self.write(|tx, now| {
            let item = &ActionItem {
                created_at: now,
                updated_at: now,
                ..item.clone()
            };
            if !self.exists(tx, item.incident)? {
                return Err(not_found(item.incident));
            }
            let id = self.insert_action(tx, item.incident, item)?;
            let ch = FieldChange {
                field: "added",
                old: None,
                new: Some(format!("{id}: {}", item.description)),
            };
            let ev = timeline::change_event(item.incident, now, actor, EventKind::Action, &ch);
            self.append(tx, item.incident, &ev)?;
            Ok(ActionItem {
                id,
                version: 1,
                ..item.clone()
            })
        })
    }

    pub fn modify_action<F>(&self, id: ActionId, actor: &str, f: F) -> Result<ActionItem>
    where
        F: FnOnce(&mut ActionItem) -> Result<Vec<FieldChange>>,
    {
        self.write(|tx, now| {
            let stored = self.action_in(tx, id)?;
            let mut a = stored.clone();
            let changes = f(&mut a)?;
            if changes.is_empty() {
                return Ok(stored);
            }
            a.version = stored.version + 1;
            a.updated_at = now;
            tx.execute(
                "UPDATE action_items SET description = $1, type = $2, owner = $3, due_date = $4, status = $5,
                 updated_at = $6, version = $7 WHERE id = $8 AND version = $9",
                &[
                    &a.description,
                    &a.kind.as_str(),
                    &a.owner,
                    &a.due.map(|d| d.format("%Y-%m-%d").to_string()),
                    &a.status.as_str(),
                    &now.timestamp(),
                    &a.version,
                    &id.0,
                    &stored.version,
                ],
            )
            .map_err(|e| self.err(e))?;
            for ch in &changes {
                let mut ev = ch.clone();
                ev.new = ev.new.map(|n| format!("{id} {n}"));
                let e = timeline::change_event(a.incident, now, actor, EventKind::Action, &ev);
                self.append(tx, a.incident, &e)?;
            }
            Ok(a)
        })
    }

    /// Load `items` in one transaction (ids and the chain continue from
    /// the database's), sent with COPY: the chain is computed here from the
    /// head read once under the write lock, so no row needs a round trip.
    pub fn insert_batch(&self, items: &[BatchItem]) -> Result<Vec<IncidentId>> {
        self.write(|tx, _now| {
            let r = tx
                .query_one(
                    "SELECT (SELECT coalesce(max(id), 0)::bigint FROM incidents),
                            (SELECT coalesce(max(id), 0)::bigint FROM action_items),
                            (SELECT id FROM events ORDER BY id DESC LIMIT 1),
                            (SELECT hash FROM events ORDER BY id DESC LIMIT 1)",
                    &[],
                )
                .map_err(|e| self.err(e))?;
            let (mut last_incident, mut last_action): (i64, i64) = (r.get(0), r.get(1));
            let mut last_event: i64 = r.get::<_, Option<i64>>(2).unwrap_or(0);
            let mut prev: String = r
                .get::<_, Option<String>>(3)
                .unwrap_or_else(|| GENESIS.to_string());
            let before = last_incident;
            let mut copy = Copy::default();
            let mut ids = Vec::with_capacity(items.len());
            for item in items {
                last_incident += 1;
                let id = IncidentId(last_incident);
                copy.incident(&item.incident, id.0);
                for e in &item.events {
                    last_event += 1;
                    let at = e.at.timestamp();
                    let actor = actor_from(&e.actor, self.from_host.as_deref());
                    let hash = event_hash(
                        &prev,
                        last_event,
                        id.0,
                        at,
                        &actor,
                        e.kind.as_str(),
                        e.field.as_deref(),
                        e.old.as_deref(),
                        e.new.as_deref(),
                        e.text.as_deref(),
                    );
                    copy.events
                        .int(Some(last_event))
                        .int(Some(id.0))
                        .int(Some(at))
                        .text(Some(&actor))
                        .text(Some(e.kind.as_str()))
                        .text(e.field.as_deref())
                        .text(e.old.as_deref())
                        .text(e.new.as_deref())
                        .text(e.text.as_deref())
                        .text(Some(&hash))
                        .end();
                    prev = hash;
                }
                if let Some(pm) = &item.postmortem {
                    copy.postmortem(id, pm);
                }
                for a in &item.actions {
                    last_action += 1;
                    copy.action(id, a, last_action, a.version.max(1));
                }
                ids.push(id);
            }
            copy.send(tx).map_err(|e| self.err(e))?;
            // Fresh statistics (ANALYZE inside the transaction counts its
            // own rows): before autovacuum's first visit the planner guesses
            // a fifth of the table is open and sorts all of it for the list
            // (23 ms at 100k) instead of walking incidents_attention (0.03 ms).
            // Only when this batch is at least as big as the table was: the
            // planner scales the row count by the table's pages, so sampled
            // selectivities stay right as it grows (50 ANALYZEs doubled the
            // time of `sev demo --count 100000`).
            if before <= items.len() as i64 {
                tx.batch_execute("ANALYZE incidents")
                    .map_err(|e| self.err(e))?;
            }
            Ok(ids)
        })
    }

    /// What `sev doctor` checks on a server, read without changing anything.
    pub fn health(&self) -> Result<Health> {
        let mut c = self.client.borrow_mut();
        let r = c
            .query_one(
                "SELECT current_user::text, current_setting('server_version'),
                    coalesce((SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()), false),
                    has_table_privilege('incidents', 'INSERT, UPDATE')
                        AND has_table_privilege('events', 'INSERT'),
                    has_table_privilege('events', 'UPDATE') OR has_table_privilege('events', 'DELETE')
                        OR has_table_privilege('events', 'TRUNCATE')
                        OR pg_has_role(current_user,
                            (SELECT tableowner FROM pg_tables WHERE tablename = 'events'
                                AND schemaname = current_schema()), 'USAGE')
                        OR (SELECT rolsuper FROM pg_roles WHERE rolname = current_user),
                    ARRAY(SELECT tgname::text FROM pg_trigger
                          WHERE tgrelid = 'events'::regclass AND NOT tgisinternal AND tgenabled <> 'D'
                          ORDER BY tgname)",
                &[],
            )
            .map_err(|e| self.err(e))?;
        Ok(Health {
            role: r.get(0),
            server_version: r.get(1),
            tls: r.get(2),
            tls_mode: self.tls.mode.as_str(),
            tls_verified: self.tls.verified(),
            can_write: r.get(3),
            can_alter_events: r.get(4),
            event_triggers: r.get(5),
        })
    }

    /// Everything recorded, for `sev migrate`.
    pub fn dump(&self) -> Result<super::Dump> {
        let all = ListQuery {
            scope: Scope::All,
            ..Default::default()
        };
        let incidents = self.list(&all)?;
        incidents.check()?;
        let events = self
            .query(
                &format!(
                    "SELECT {} FROM events ORDER BY id",
                    super::audit::STORED_COLUMNS
                ),
                &[],
            )?
            .iter()
            .map(|r| super::audit::Stored {
                id: r.get("id"),
                incident: r.get("incident_id"),
                at: r.get("at"),
                actor: r.get("actor"),
                kind: r.get("kind"),
                field: r.get("field"),
                old: r.get("old"),
                new: r.get("new"),
                text: r.get("text"),
                hash: r.get("hash"),
            })
            .collect();
        let postmortems = self
            .query(
                &format!("SELECT {POSTMORTEM_COLUMNS} FROM postmortems ORDER BY incident_id"),
                &[],
            )?
            .iter()
            .map(|r| {
                postmortem(r).map_err(|why| {
                    let id = IncidentId(r.try_get("incident_id").unwrap_or(0));
                    unreadable(format!("the postmortem of {id}"), why)
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let marks = self
            .query(
                "SELECT event_id, incident_id, highlight, hidden, annotation FROM timeline_marks ORDER BY event_id",
                &[],
            )?
            .iter()
            .map(|r| {
                (
                    r.get(0),
                    IncidentId(r.get(1)),
                    Mark {
                        highlight: r.get(2),
                        hidden: r.get(3),
                        annotation: r.get(4),
                    },
                )
            })
            .collect();
        let mut actions = self.actions(&ActionQuery::default())?;
        actions.sort_by_key(|a| a.id.0);
        Ok(super::Dump {
            incidents: incidents.rows,
            events,
            postmortems,
            marks,
            actions,
        })
    }

    /// Write a dump into this empty database, in one transaction.
    pub fn restore(&self, d: &super::Dump) -> Result<()> {
        self.write(|tx, _now| {
            let r = tx
                .query_one(
                    "SELECT (SELECT count(*) FROM incidents), (SELECT count(*) FROM events)",
                    &[],
                )
                .map_err(|e| self.err(e))?;
            let (incidents, events): (i64, i64) = (r.get(0), r.get(1));
            if incidents + events > 0 {
                return Err(super::copy::not_empty(&self.shown(), incidents, events));
            }
            let mut copy = Copy::default();
            for i in &d.incidents {
                copy.incident(i, i.id.0);
            }
            for v in &d.events {
                copy.events
                    .int(Some(v.id))
                    .int(Some(v.incident))
                    .int(Some(v.at))
                    .text(Some(&v.actor))
                    .text(Some(&v.kind))
                    .text(v.field.as_deref())
                    .text(v.old.as_deref())
                    .text(v.new.as_deref())
                    .text(v.text.as_deref())
                    .text(v.hash.as_deref())
                    .end();
            }
            for pm in &d.postmortems {
                copy.postmortem(pm.incident, pm);
            }
            for (event_id, incident, m) in &d.marks {
                copy.marks
                    .int(Some(*event_id))
                    .int(Some(incident.0))
                    .boolean(m.highlight)
                    .boolean(m.hidden)
                    .text(m.annotation.as_deref())
                    .end();
            }
            for a in &d.actions {
                copy.action(a.incident, a, a.id.0, a.version);
            }
            copy.send(tx).map_err(|e| self.err(e))?;
            // See insert_batch: the copy's first list must use the indexes.
            tx.batch_execute("ANALYZE incidents, events, postmortems, timeline_marks, action_items")
                .map_err(|e| self.err(e))
        })
    }

    /// Run raw SQL (tests and diagnostics only).
    #[doc(hidden)]
    pub fn batch_execute(&self, sql: &str) -> Result<()> {
        self.client
            .borrow_mut()
            .batch_execute(sql)
            .map_err(|e| self.err(e))
    }
}

/// The rows of a bulk load, one buffer per table, sent in the order the
/// foreign keys need.
#[derive(Default)]
struct Copy {
    incidents: Rows,
    events: Rows,
    postmortems: Rows,
    marks: Rows,
    actions: Rows,
}

/// The incident columns in the order [`Copy::incident`] writes them.
const INCIDENT_COPY_COLUMNS: &str = "id, title, description, kind, status, severity, impact, \
    urgency, priority, category, service, tags, assignee, commander, scribe, comms, reporter, \
    created_at, impact_started_at, detected_at, acknowledged_at, mitigated_at, resolved_at, \
    closed_at, updated_at, resolution, cancel_reason, version";

impl Copy {
    fn incident(&mut self, i: &Incident, id: i64) {
        let t = |d: Option<DateTime<Utc>>| d.map(|d| d.timestamp());
        self.incidents
            .int(Some(id))
            .text(Some(&i.title))
            .text(Some(&i.description))
            .text(Some(i.kind.as_str()))
            .text(Some(i.status.as_str()))
            .int(Some(i64::from(i.severity.level())))
            .text(Some(i.impact.as_str()))
            .text(Some(i.urgency.as_str()))
            .int(Some(i64::from(i.priority.level())))
            .text(i.category.as_deref())
            .text(i.service.as_deref())
            .text(Some(&i.tags.join(",")))
            .text(i.assignee.as_deref())
            .text(i.commander.as_deref())
            .text(i.scribe.as_deref())
            .text(i.comms.as_deref())
            .text(Some(&i.reporter))
            .int(Some(i.created_at.timestamp()))
            .int(t(i.impact_started_at))
            .int(t(i.detected_at))
            .int(t(i.acknowledged_at))
            .int(t(i.mitigated_at))
            .int(t(i.resolved_at))
            .int(t(i.closed_at))
            .int(Some(i.updated_at.timestamp()))
            .text(i.resolution.as_deref())
            .text(i.cancel_reason.as_deref())
            .int(Some(i.version))
            .end();
    }

    fn postmortem(&mut self, id: IncidentId, pm: &Postmortem) {
        self.postmortems
            .int(Some(id.0))
            .text(Some(pm.status.as_str()))
            .text(pm.owner.as_deref())
            .text(Some(&sections_json(pm)))
            .int(Some(pm.created_at.timestamp()))
            .int(Some(pm.updated_at.timestamp()))
            .int(pm.published_at.map(|t| t.timestamp()))
            .int(Some(pm.version.max(1)))
            .end();
    }

    fn action(&mut self, id: IncidentId, a: &ActionItem, aid: i64, version: i64) {
        let due = a.due.map(|d| d.format("%Y-%m-%d").to_string());
        self.actions
            .int(Some(aid))
            .int(Some(id.0))
            .text(Some(&a.description))
            .text(Some(a.kind.as_str()))
            .text(a.owner.as_deref())
            .text(due.as_deref())
            .text(Some(a.status.as_str()))
            .int(Some(a.created_at.timestamp()))
            .int(Some(a.updated_at.timestamp()))
            .int(Some(version))
            .end();
    }

    fn send(&self, tx: &mut Transaction<'_>) -> std::result::Result<(), postgres::Error> {
        self.incidents
            .send(tx, "incidents", INCIDENT_COPY_COLUMNS)?;
        self.events.send(
            tx,
            "events",
            "id, incident_id, at, actor, kind, field, old, new, text, hash",
        )?;
        self.postmortems
            .send(tx, "postmortems", POSTMORTEM_COLUMNS)?;
        self.marks.send(
            tx,
            "timeline_marks",
            "event_id, incident_id, highlight, hidden, annotation",
        )?;
        self.actions.send(tx, "action_items", ACTION_COLUMNS)
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

/// A failure to connect, with what to do; never the password.
fn connect_error(shown: &str, tls: &super::pgtls::Tls, e: &postgres::Error) -> Error {
    if super::pgtls::is_tls_error(e) {
        return super::pgtls::tls_error(shown, tls, e);
    }
    if let Some(refused) = super::pgtls::certificate_alert(shown, tls, e) {
        return refused;
    }
    if let Some(db) = e.as_db_error() {
        let msg = crate::text::sanitize_line(db.message()).into_owned();
        if db.code().code() == "28000" && msg.contains("certificate") {
            return Error::Unavailable(super::pgtls::client_cert_refused(shown, tls, &msg));
        }
        return match db.code().code() {
            "28P01" | "28000" => Error::Unavailable(format!(
                "PostgreSQL at {shown} refused the login ({msg}): set the password in PGPASSWORD or ~/.pgpass (mode 0600), never on the command line"
            )),
            "3D000" => Error::Unavailable(format!(
                "PostgreSQL at {shown}: {msg} — create it (createdb) or fix the database name in the URL"
            )),
            _ => Error::Unavailable(format!("PostgreSQL at {shown}: {msg}")),
        };
    }
    Error::Unavailable(format!(
        "cannot reach PostgreSQL at {shown} ({}): check that the server runs and the host and port are right (sev doctor)",
        crate::text::sanitize_line(&e.to_string())
    ))
}

/// What the server said, as sev's error.
fn pg_error(shown: &str, e: &postgres::Error) -> Error {
    if let Some(db) = e.as_db_error() {
        let msg = crate::text::sanitize_line(db.message()).into_owned();
        return match db.code().code() {
            "40001" | "40P01" | "55P03" => Error::Unavailable(format!(
                "database {shown} is busy (another sev is writing); nothing was saved — try again"
            )),
            "42501" => Error::Unavailable(format!(
                "permission denied on database {shown}: {msg}; nothing was saved — ask the database owner for the grants in README"
            )),
            c if c.starts_with("08") || c.starts_with("57") => Error::Unavailable(format!(
                "lost the connection to PostgreSQL at {shown} ({msg}); nothing was saved — try again"
            )),
            "53100" => Error::Unavailable(format!(
                "database {shown} is full; nothing was saved — free space and try again"
            )),
            _ => Error::Internal(format!("database {shown}: {msg}")),
        };
    }
    if e.is_closed() {
        return Error::Unavailable(format!(
            "lost the connection to PostgreSQL at {shown}; nothing was saved — try again"
        ));
    }
    Error::Internal(format!(
        "database {shown}: {}",
        crate::text::sanitize_line(&e.to_string())
    ))
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

    pub(super) fn severity_events(&self, id: IncidentId) -> Result<Vec<Event>> {
        self.pg
            .events_of(&mut *self.tx.borrow_mut(), id, Some("severity"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_host_is_recorded_only_for_a_server_elsewhere() {
        assert_eq!(remote_origin(None, "jump-eu"), None, "Unix socket");
        assert_eq!(remote_origin(Some("127.0.0.1/32"), "jump-eu"), None);
        assert_eq!(remote_origin(Some("::1/128"), "jump-eu"), None);
        assert_eq!(
            remote_origin(Some("10.1.2.3/32"), "jump-eu").as_deref(),
            Some("jump-eu")
        );
        assert_eq!(actor_from("alice", Some("jump-eu")), "alice (on jump-eu)");
        assert_eq!(
            crate::identity::login_of(&actor_from("alice (sudo root)", Some("jump-us"))),
            "alice"
        );
        assert_eq!(actor_from("bob", None), "bob");
    }
}

#[cfg(test)]
mod host_tests {
    #[test]
    fn only_this_host_goes_without_tls_by_default() {
        let hosts = |url: &str| {
            let c: postgres::Config = url.parse().unwrap();
            super::on_this_host(c.get_hosts())
        };
        assert!(hosts("postgres://a@127.0.0.1:5432/db"));
        assert!(hosts("postgres://a@localhost/db"));
        assert!(hosts("postgres://a@[::1]/db"));
        assert!(hosts("postgres://a@%2Frun%2Fpostgresql/db"));
        assert!(!hosts("postgres://a@db.example.com/db"));
        assert!(!hosts("postgres://a@10.0.0.5/db"));
    }
}
