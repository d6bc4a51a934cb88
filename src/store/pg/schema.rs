//! The PostgreSQL schema, step for step the same versions as SQLite's.

use super::*;

/// The migrations, step for step the same versions as SQLite's.
pub(super) const STEPS: [&str; 6] = [
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
