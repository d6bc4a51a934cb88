//! Schema migrations, applied in order and tracked with `PRAGMA user_version`.
//! Never edit or reorder a shipped step: append a new one.

/// `application_id` marks the file as a sev database ("sev1").
pub const APPLICATION_ID: i64 = 0x7365_7631;

/// The triggers that make the events table append-only.
pub const EVENT_TRIGGERS: [&str; 2] = ["events_no_delete", "events_no_update"];

/// One schema step: SQL, or Rust for what SQL cannot do (hashing).
pub enum Step {
    Sql(&'static str),
    Rust(fn(&rusqlite::Connection) -> rusqlite::Result<()>),
}

pub const MIGRATIONS: &[Step] = &[
    // 1: incidents and their append-only timeline.
    Step::Sql(
        r#"
CREATE TABLE incidents (
    id              INTEGER PRIMARY KEY,
    title           TEXT    NOT NULL,
    description     TEXT    NOT NULL DEFAULT '',
    kind            TEXT    NOT NULL,
    status          TEXT    NOT NULL,
    severity        INTEGER NOT NULL CHECK (severity BETWEEN 1 AND 5),
    impact          TEXT    NOT NULL,
    urgency         TEXT    NOT NULL,
    priority        INTEGER NOT NULL CHECK (priority BETWEEN 1 AND 5),
    category        TEXT,
    service         TEXT,
    tags            TEXT    NOT NULL DEFAULT '',
    assignee        TEXT,
    commander       TEXT,
    scribe          TEXT,
    comms           TEXT,
    reporter        TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    started_at      INTEGER,
    detected_at     INTEGER,
    acknowledged_at INTEGER,
    mitigated_at    INTEGER,
    resolved_at     INTEGER,
    closed_at       INTEGER,
    updated_at      INTEGER NOT NULL,
    resolution      TEXT,
    cancel_reason   TEXT,
    version         INTEGER NOT NULL DEFAULT 1,
    is_open         INTEGER GENERATED ALWAYS AS
                    (status IN ('triage', 'acknowledged', 'investigating', 'mitigated')) VIRTUAL
);
-- The default list: open first, then priority, newest first.
CREATE INDEX incidents_list     ON incidents (is_open DESC, priority, created_at DESC, id DESC);
CREATE INDEX incidents_status   ON incidents (status, priority, created_at DESC);
CREATE INDEX incidents_assignee ON incidents (assignee, is_open);
CREATE INDEX incidents_service  ON incidents (service, is_open);
CREATE INDEX incidents_severity ON incidents (severity, is_open);

CREATE TABLE events (
    id          INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES incidents (id),
    at          INTEGER NOT NULL,
    actor       TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    field       TEXT,
    old         TEXT,
    new         TEXT,
    text        TEXT
);
CREATE INDEX events_incident ON events (incident_id, id);

-- The timeline is an audit trail: sev never changes or removes an event.
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'timeline events are append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'timeline events are append-only'); END;
"#,
    ),
    // 2: postmortems, the author's marks on timeline events, action items.
    Step::Sql(
        r#"
CREATE TABLE postmortems (
    incident_id  INTEGER PRIMARY KEY REFERENCES incidents (id),
    status       TEXT    NOT NULL DEFAULT 'draft',
    owner        TEXT,
    sections     TEXT    NOT NULL DEFAULT '{}',
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    published_at INTEGER,
    version      INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE timeline_marks (
    event_id    INTEGER PRIMARY KEY REFERENCES events (id),
    incident_id INTEGER NOT NULL REFERENCES incidents (id),
    highlight   INTEGER NOT NULL DEFAULT 0,
    hidden      INTEGER NOT NULL DEFAULT 0,
    annotation  TEXT
);
CREATE INDEX timeline_marks_incident ON timeline_marks (incident_id);

CREATE TABLE action_items (
    id          INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES incidents (id),
    description TEXT    NOT NULL,
    type        TEXT    NOT NULL,
    owner       TEXT,
    due_date    TEXT,
    status      TEXT    NOT NULL DEFAULT 'open',
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX action_items_incident ON action_items (incident_id);
CREATE INDEX action_items_status   ON action_items (status, due_date);
CREATE INDEX action_items_owner    ON action_items (owner, status);
"#,
    ),
    // 3: the tamper-evident hash chain over events.
    Step::Rust(super::audit::migrate_add_hashes),
    // 4: who is looking at (or editing) which incident, by process.
    Step::Sql(
        r#"
CREATE TABLE presence (
    host        TEXT    NOT NULL,
    pid         INTEGER NOT NULL,
    actor       TEXT    NOT NULL,
    origin      TEXT    NOT NULL,
    incident_id INTEGER,
    editing     INTEGER NOT NULL DEFAULT 0,
    seen_at     INTEGER NOT NULL,
    PRIMARY KEY (host, pid)
);
CREATE INDEX presence_incident ON presence (incident_id, seen_at);
"#,
    ),
    // 5: impact start, recorded by people (`sev set ID impact_started_at=-20m`).
    Step::Sql("ALTER TABLE incidents RENAME COLUMN started_at TO impact_started_at;"),
    // 6: the default list puts what needs a responder now on top: active
    // (triage, acknowledged, investigating), then mitigated, then finished;
    // within each the worst severity, then priority, then the oldest.
    Step::Sql(
        r#"
ALTER TABLE incidents ADD COLUMN attention INTEGER GENERATED ALWAYS AS
    (CASE WHEN status IN ('triage', 'acknowledged', 'investigating') THEN 0
          WHEN status = 'mitigated' THEN 1
          ELSE 2 END) VIRTUAL;
DROP INDEX incidents_list;
CREATE INDEX incidents_attention ON incidents (attention, severity, priority, created_at, id);
"#,
    ),
    // 7: alerts in: raw bodies, alerts, the groups feeding incidents,
    // maintenance windows, heartbeats, links between incidents, leases.
    Step::Sql(
        r#"
-- Raw bodies of accepted alert requests, secrets redacted: a later parser
-- can re-read them. Append-only like the timeline.
CREATE TABLE intake_bodies (
    id          INTEGER PRIMARY KEY,
    received_at INTEGER NOT NULL,
    source      TEXT    NOT NULL,
    integration TEXT    NOT NULL,
    body        TEXT    NOT NULL
);
CREATE TRIGGER intake_bodies_no_update BEFORE UPDATE ON intake_bodies
BEGIN SELECT RAISE(ABORT, 'received bodies are append-only'); END;
CREATE TRIGGER intake_bodies_no_delete BEFORE DELETE ON intake_bodies
BEGIN SELECT RAISE(ABORT, 'received bodies are append-only'); END;

-- One row per alert occurrence: after one resolves, its key opens a new row.
CREATE TABLE alerts (
    id             INTEGER PRIMARY KEY,
    incident_id    INTEGER REFERENCES incidents (id),
    source         TEXT    NOT NULL,
    integration    TEXT    NOT NULL,
    alert_key      TEXT    NOT NULL,
    group_key      TEXT    NOT NULL,
    status         TEXT    NOT NULL CHECK (status IN ('firing', 'acknowledged', 'resolved')),
    suppressed     TEXT,
    summary        TEXT    NOT NULL,
    severity       TEXT,
    labels         TEXT    NOT NULL DEFAULT '{}',
    annotations    TEXT    NOT NULL DEFAULT '{}',
    links          TEXT    NOT NULL DEFAULT '[]',
    starts_at      INTEGER,
    ends_at        INTEGER,
    first_received INTEGER NOT NULL,
    last_received  INTEGER NOT NULL,
    receipts       INTEGER NOT NULL DEFAULT 1,
    last_body      INTEGER REFERENCES intake_bodies (id)
);
-- One open alert per key: the sender's identity, never the text.
CREATE UNIQUE INDEX alerts_open_key ON alerts (integration, alert_key) WHERE status <> 'resolved';
CREATE INDEX alerts_incident ON alerts (incident_id, status);
CREATE INDEX alerts_open ON alerts (status, last_received) WHERE status <> 'resolved';

-- Which incident a sender's group feeds now.
CREATE TABLE alert_groups (
    integration TEXT    NOT NULL,
    group_key   TEXT    NOT NULL,
    incident_id INTEGER NOT NULL REFERENCES incidents (id),
    opened_at   INTEGER NOT NULL,
    flaps       INTEGER NOT NULL DEFAULT 0,
    quiet_since INTEGER,
    PRIMARY KEY (integration, group_key)
);
CREATE INDEX alert_groups_incident ON alert_groups (incident_id);
CREATE INDEX alert_groups_opened ON alert_groups (integration, opened_at);

CREATE TABLE maintenance (
    id         INTEGER PRIMARY KEY,
    matchers   TEXT    NOT NULL,
    starts_at  INTEGER NOT NULL,
    ends_at    INTEGER NOT NULL,
    reason     TEXT    NOT NULL,
    created_by TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    ended_by   TEXT,
    replayed   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX maintenance_ends ON maintenance (ends_at);

CREATE TABLE heartbeats (
    name        TEXT    PRIMARY KEY,
    last_at     INTEGER NOT NULL,
    incident_id INTEGER REFERENCES incidents (id)
);

CREATE TABLE incident_links (
    a     INTEGER NOT NULL REFERENCES incidents (id),
    b     INTEGER NOT NULL REFERENCES incidents (id),
    kind  TEXT    NOT NULL CHECK (kind IN ('related', 'duplicate')),
    at    INTEGER NOT NULL,
    actor TEXT    NOT NULL,
    note  TEXT,
    PRIMARY KEY (a, b, kind)
);
CREATE INDEX incident_links_b ON incident_links (b);

-- Timed work (heartbeats, maintenance ends) is done by one holder at a time.
CREATE TABLE leases (
    name       TEXT    PRIMARY KEY,
    holder     TEXT    NOT NULL,
    expires_at INTEGER NOT NULL
);
"#,
    ),
    // 8: when an action item was done (its time to done; `sev report`),
    // and alerts by arrival (recurrence in a period).
    // Items done before this step take the time of the timeline event that
    // recorded it; without one the time stays unknown (never guessed).
    Step::Sql(
        r#"
ALTER TABLE action_items ADD COLUMN done_at INTEGER;
UPDATE action_items SET done_at = (
    SELECT max(e.at) FROM events e
     WHERE e.incident_id = action_items.incident_id AND e.kind = 'action'
       AND e.field = 'status' AND e.new = 'ACT-' || action_items.id || ' done')
 WHERE status = 'done';
CREATE INDEX alerts_received ON alerts (first_received);
-- A period's incidents (reports, the metrics view).
CREATE INDEX incidents_created ON incidents (created_at);
CREATE INDEX action_items_done ON action_items (status, done_at);
"#,
    ),
    // 9: reaching people: notifications waiting to be delivered (the
    // outbox, written in the transaction of the change that causes them),
    // the escalation of each incident, on-call overrides, contacts.
    Step::Sql(
        r#"
CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY,
    incident_id INTEGER REFERENCES incidents (id),
    kind        TEXT    NOT NULL,
    channel     TEXT    NOT NULL,
    recipient   TEXT    NOT NULL DEFAULT '',
    address     TEXT    NOT NULL DEFAULT '',
    subject     TEXT    NOT NULL,
    body        TEXT    NOT NULL,
    payload     TEXT    NOT NULL DEFAULT '{}',
    idem_key    TEXT    NOT NULL UNIQUE,
    state       TEXT    NOT NULL DEFAULT 'pending'
                CHECK (state IN ('pending', 'sending', 'delivered', 'failed', 'cancelled')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    next_at     INTEGER NOT NULL,
    give_up_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    done_at     INTEGER,
    detail      TEXT
);
CREATE INDEX outbox_due ON outbox (state, next_at);
CREATE INDEX outbox_incident ON outbox (incident_id, kind);

-- One escalation per incident: the next step and when it runs.
CREATE TABLE escalations (
    incident_id INTEGER PRIMARY KEY REFERENCES incidents (id),
    policy      TEXT    NOT NULL,
    state       TEXT    NOT NULL
                CHECK (state IN ('active', 'stopped', 'cancelled', 'exhausted')),
    started_at  INTEGER NOT NULL,
    step        INTEGER NOT NULL,
    round       INTEGER NOT NULL,
    next_at     INTEGER,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX escalations_due ON escalations (state, next_at);

CREATE TABLE oncall_overrides (
    id         INTEGER PRIMARY KEY,
    schedule   TEXT    NOT NULL,
    user_name  TEXT    NOT NULL,
    starts_at  INTEGER NOT NULL,
    ends_at    INTEGER NOT NULL CHECK (ends_at > starts_at),
    created_by TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    removed_by TEXT,
    removed_at INTEGER
);
CREATE INDEX oncall_overrides_schedule ON oncall_overrides (schedule, ends_at);

CREATE TABLE contacts (
    id         INTEGER PRIMARY KEY,
    user_name  TEXT    NOT NULL,
    channel    TEXT    NOT NULL,
    address    TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (user_name, channel, address)
);
"#,
    ),
];
