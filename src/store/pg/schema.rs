//! The PostgreSQL schema, step for step the same versions as SQLite's.

use super::*;

/// The migrations, step for step the same versions as SQLite's.
pub(super) const STEPS: [&str; 9] = [
    // 1: incidents and their append-only timeline.
    r#"
CREATE TABLE incidents (
    id              BIGINT PRIMARY KEY,
    title           TEXT   NOT NULL,
    description     TEXT   NOT NULL DEFAULT '',
    kind            TEXT   NOT NULL,
    status          TEXT   NOT NULL,
    severity        BIGINT  NOT NULL CHECK (severity BETWEEN 1 AND 5),
    impact          TEXT   NOT NULL,
    urgency         TEXT   NOT NULL,
    priority        BIGINT  NOT NULL CHECK (priority BETWEEN 1 AND 5),
    category        TEXT,
    service         TEXT,
    tags            TEXT   NOT NULL DEFAULT '',
    assignee        TEXT,
    commander       TEXT,
    scribe          TEXT,
    comms           TEXT,
    reporter        TEXT   NOT NULL,
    created_at      BIGINT  NOT NULL,
    started_at      BIGINT,
    detected_at     BIGINT,
    acknowledged_at BIGINT,
    mitigated_at    BIGINT,
    resolved_at     BIGINT,
    closed_at       BIGINT,
    updated_at      BIGINT  NOT NULL,
    resolution      TEXT,
    cancel_reason   TEXT,
    version         BIGINT  NOT NULL DEFAULT 1,
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
    incident_id BIGINT  NOT NULL REFERENCES incidents (id),
    at          BIGINT  NOT NULL,
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
    created_at   BIGINT  NOT NULL,
    updated_at   BIGINT  NOT NULL,
    published_at BIGINT,
    version      BIGINT  NOT NULL DEFAULT 1
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
    incident_id BIGINT  NOT NULL REFERENCES incidents (id),
    description TEXT   NOT NULL,
    type        TEXT   NOT NULL,
    owner       TEXT,
    due_date    TEXT,
    status      TEXT   NOT NULL DEFAULT 'open',
    created_at  BIGINT  NOT NULL,
    updated_at  BIGINT  NOT NULL,
    version     BIGINT  NOT NULL DEFAULT 1
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
    // 7: alerts in (see SQLite's step 7).
    r#"
-- Raw bodies of accepted alert requests, secrets redacted: a later parser
-- can re-read them. Append-only like the timeline.
CREATE TABLE intake_bodies (
    id          BIGINT PRIMARY KEY,
    received_at BIGINT  NOT NULL,
    source      TEXT    NOT NULL,
    integration TEXT    NOT NULL,
    body        TEXT    NOT NULL
);
CREATE FUNCTION sev_bodies_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'received bodies are append-only'; END $$;
CREATE TRIGGER intake_bodies_append_only BEFORE UPDATE OR DELETE ON intake_bodies
FOR EACH ROW EXECUTE FUNCTION sev_bodies_append_only();
CREATE TRIGGER intake_bodies_no_truncate BEFORE TRUNCATE ON intake_bodies
FOR EACH STATEMENT EXECUTE FUNCTION sev_bodies_append_only();

-- One row per alert occurrence: after one resolves, its key opens a new row.
CREATE TABLE alerts (
    id             BIGINT PRIMARY KEY,
    incident_id    BIGINT  REFERENCES incidents (id),
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
    starts_at      BIGINT,
    ends_at        BIGINT,
    first_received BIGINT  NOT NULL,
    last_received  BIGINT  NOT NULL,
    receipts       BIGINT  NOT NULL DEFAULT 1,
    last_body      BIGINT  REFERENCES intake_bodies (id)
);
-- One open alert per key: the sender's identity, never the text.
CREATE UNIQUE INDEX alerts_open_key ON alerts (integration, alert_key) WHERE status <> 'resolved';
CREATE INDEX alerts_incident ON alerts (incident_id, status);
CREATE INDEX alerts_open ON alerts (status, last_received) WHERE status <> 'resolved';

-- Which incident a sender's group feeds now.
CREATE TABLE alert_groups (
    integration TEXT    NOT NULL,
    group_key   TEXT    NOT NULL,
    incident_id BIGINT  NOT NULL REFERENCES incidents (id),
    opened_at   BIGINT  NOT NULL,
    flaps       BIGINT  NOT NULL DEFAULT 0,
    quiet_since BIGINT,
    PRIMARY KEY (integration, group_key)
);
CREATE INDEX alert_groups_incident ON alert_groups (incident_id);
CREATE INDEX alert_groups_opened ON alert_groups (integration, opened_at);

CREATE TABLE maintenance (
    id         BIGINT PRIMARY KEY,
    matchers   TEXT    NOT NULL,
    starts_at  BIGINT  NOT NULL,
    ends_at    BIGINT  NOT NULL,
    reason     TEXT    NOT NULL,
    created_by TEXT    NOT NULL,
    created_at BIGINT  NOT NULL,
    ended_by   TEXT,
    replayed   BIGINT  NOT NULL DEFAULT 0
);
CREATE INDEX maintenance_ends ON maintenance (ends_at);

CREATE TABLE heartbeats (
    name        TEXT    PRIMARY KEY,
    last_at     BIGINT  NOT NULL,
    incident_id BIGINT  REFERENCES incidents (id)
);

CREATE TABLE incident_links (
    a     BIGINT  NOT NULL REFERENCES incidents (id),
    b     BIGINT  NOT NULL REFERENCES incidents (id),
    kind  TEXT    NOT NULL CHECK (kind IN ('related', 'duplicate')),
    at    BIGINT  NOT NULL,
    actor TEXT    NOT NULL,
    note  TEXT,
    PRIMARY KEY (a, b, kind)
);
CREATE INDEX incident_links_b ON incident_links (b);

-- Timed work (heartbeats, maintenance ends) is done by one holder at a time.
CREATE TABLE leases (
    name       TEXT    PRIMARY KEY,
    holder     TEXT    NOT NULL,
    expires_at BIGINT  NOT NULL
);
"#,
    // 8: when an action item was done (see the SQLite step).
    r#"
ALTER TABLE action_items ADD COLUMN done_at BIGINT;
UPDATE action_items SET done_at = (
    SELECT max(e.at) FROM events e
     WHERE e.incident_id = action_items.incident_id AND e.kind = 'action'
       AND e.field = 'status' AND e.new = 'ACT-' || action_items.id::text || ' done')
 WHERE status = 'done';
CREATE INDEX alerts_received ON alerts (first_received);
CREATE INDEX incidents_created ON incidents (created_at);
CREATE INDEX action_items_done ON action_items (status, done_at);
"#,
    // 9: the outbox, escalations, on-call overrides, contacts (see the SQLite step).
    r#"
CREATE TABLE outbox (
    id          BIGINT PRIMARY KEY,
    incident_id BIGINT  REFERENCES incidents (id),
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
    attempts    BIGINT  NOT NULL DEFAULT 0,
    created_at  BIGINT  NOT NULL,
    next_at     BIGINT  NOT NULL,
    give_up_at  BIGINT  NOT NULL,
    updated_at  BIGINT  NOT NULL,
    done_at     BIGINT,
    detail      TEXT
);
CREATE INDEX outbox_due ON outbox (state, next_at);
CREATE INDEX outbox_incident ON outbox (incident_id, kind);

-- One escalation per incident: the next step and when it runs.
CREATE TABLE escalations (
    incident_id BIGINT PRIMARY KEY REFERENCES incidents (id),
    policy      TEXT    NOT NULL,
    state       TEXT    NOT NULL
                CHECK (state IN ('active', 'stopped', 'cancelled', 'exhausted')),
    started_at  BIGINT  NOT NULL,
    step        BIGINT  NOT NULL,
    round       BIGINT  NOT NULL,
    next_at     BIGINT,
    updated_at  BIGINT  NOT NULL
);
CREATE INDEX escalations_due ON escalations (state, next_at);

CREATE TABLE oncall_overrides (
    id         BIGINT PRIMARY KEY,
    schedule   TEXT    NOT NULL,
    user_name  TEXT    NOT NULL,
    starts_at  BIGINT  NOT NULL,
    ends_at    BIGINT  NOT NULL CHECK (ends_at > starts_at),
    created_by TEXT    NOT NULL,
    created_at BIGINT  NOT NULL,
    removed_by TEXT,
    removed_at BIGINT
);
CREATE INDEX oncall_overrides_schedule ON oncall_overrides (schedule, ends_at);

CREATE TABLE contacts (
    id         BIGINT PRIMARY KEY,
    user_name  TEXT    NOT NULL,
    channel    TEXT    NOT NULL,
    address    TEXT    NOT NULL,
    created_at BIGINT  NOT NULL,
    UNIQUE (user_name, channel, address)
);
"#,
];

const _: () = assert!(STEPS.len() == MIGRATIONS.len());
