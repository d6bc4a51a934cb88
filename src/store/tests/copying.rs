//! `sev migrate`'s copy: every table, between every pair of backends,
//! byte for byte; refusals that leave the target as it was.

use super::*;
use crate::store::copy::{NOT_COPIED, TABLES, Table, Value};

/// A value as read, owned (to compare two databases).
#[derive(Debug, Clone, PartialEq)]
enum Owned {
    Null,
    Int(i64),
    Text(String),
    Flag(bool),
}

fn own(v: &Value<'_>) -> Owned {
    match *v {
        Value::Null => Owned::Null,
        Value::Int(n) => Owned::Int(n),
        Value::Text(s) => Owned::Text(s.to_string()),
        Value::Flag(b) => Owned::Flag(b),
    }
}

/// Every row of `t`, sorted (text keys sort differently on the backends).
fn rows(s: &Store, t: &Table) -> Vec<Vec<Owned>> {
    let mut out = s
        .export(|src| {
            let mut out = Vec::new();
            src.each(t, &mut |r| {
                out.push(r.iter().map(own).collect::<Vec<_>>());
                Ok(())
            })?;
            Ok(out)
        })
        .unwrap();
    out.sort_by_key(|r| format!("{r:?}"));
    out
}

const TRICKY: &str = "tab\there \\N back\\slash\nnew line\r\nend 'quoted' \u{202e}rtl ✓";

/// SQL text literal for both backends (real control characters inside).
fn lit(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// A database with something in every copied table.
fn fill(db: &TestDb, s: &Store) {
    let (cfg, clock) = (Config::builtin(), clock());
    let c = ctx(s, &cfg, &clock, "alice");
    let items: Vec<_> = crate::demo::Generator::new(12, 5, clock.now()).collect();
    s.insert_batch(&items).unwrap();
    let inc = c.create(&new(TRICKY)).unwrap();
    c.note(inc.id, TRICKY).unwrap();
    c.acknowledge(inc.id, None).unwrap();
    c.set(inc.id, &[Edit::new(Field::Severity, "SEV1")], None)
        .unwrap();
    c.write_section(inc.id, "summary", TRICKY).unwrap();
    let first = s.events(inc.id).unwrap()[0].id;
    c.set_mark(
        inc.id,
        first,
        &Mark {
            highlight: true,
            hidden: false,
            annotation: Some(TRICKY.into()),
        },
    )
    .unwrap();
    c.add_action(
        inc.id,
        &crate::ops::NewAction {
            description: "add an alert on lag".into(),
            ..Default::default()
        },
    )
    .unwrap();
    let (i, t) = (inc.id.0, lit(TRICKY));
    db.psql(&format!(
        "INSERT INTO intake_bodies (id, received_at, source, integration, body) VALUES
             (1, 1764300000, 'alertmanager', 'am', {t}), (2, 1764300060, 'grafana', 'gf', '{{}}');
         INSERT INTO alerts (id, incident_id, source, integration, alert_key, group_key, status,
             suppressed, summary, severity, labels, annotations, links, starts_at, ends_at,
             first_received, last_received, receipts, last_body) VALUES
             (1, {i}, 'alertmanager', 'am', 'k1', 'g1', 'firing', NULL, {t}, 'critical',
              '{{\"a\":\"b\"}}', '{{}}', '[]', 1764300000, NULL, 1764300000, 1764300060, 2, 1),
             (2, NULL, 'grafana', 'gf', 'k2', 'g2', 'resolved', 'maintenance', 'x', NULL,
              '{{}}', '{{}}', '[]', NULL, 1764300100, 1764300060, 1764300060, 1, 2);
         INSERT INTO alert_groups (integration, group_key, incident_id, opened_at, flaps, quiet_since)
             VALUES ('am', 'g1', {i}, 1764300000, 1, NULL), ('gf', {t}, {i}, 1764300060, 0, 1764300100);
         INSERT INTO maintenance (id, matchers, starts_at, ends_at, reason, created_by, created_at,
             ended_by, replayed) VALUES (1, '{{\"service\":\"db\"}}', 1764300000, 1764303600, {t},
             'alice', 1764299990, NULL, 0);
         INSERT INTO heartbeats (name, last_at, incident_id) VALUES ('backup', 1764300000, NULL),
             ({t}, 1764300001, {i});
         INSERT INTO incident_links (a, b, kind, at, actor, note) VALUES (1, {i}, 'related', 1764300000,
             'alice', {t});
         INSERT INTO timeline_marks (event_id, incident_id, highlight, hidden, annotation)
             VALUES (2, 1, false, true, NULL);
         INSERT INTO outbox (id, incident_id, kind, channel, recipient, address, subject, body,
             payload, idem_key, state, attempts, created_at, next_at, give_up_at, updated_at,
             done_at, detail) VALUES
             (1, {i}, 'page', 'hook', 'alice', '@alice', {t}, {t}, '{{}}', 'sev-1', 'delivered', 2,
              1764300000, 1764300005, 1764303600, 1764300010, 1764300010, 'HTTP 200'),
             (2, NULL, 'test', 'mail', '', '', 's', 'b', '{{}}', {t}, 'pending', 0,
              1764300000, 1764300000, 1764303600, 1764300000, NULL, NULL);
         INSERT INTO escalations (incident_id, policy, state, started_at, step, round, next_at,
             updated_at) VALUES ({i}, {t}, 'active', 1764300000, 1, 0, 1764300300, 1764300000);
         INSERT INTO oncall_overrides (id, schedule, user_name, starts_at, ends_at, created_by,
             created_at, removed_by, removed_at) VALUES
             (1, 'primary', {t}, 1764300000, 1764303600, 'alice', 1764299000, NULL, NULL),
             (2, 'primary', 'bob', 1764300000, 1764303600, 'alice', 1764299000, 'carol', 1764299500);
         INSERT INTO contacts (id, user_name, channel, address, created_at) VALUES
             (1, 'alice', 'hook', {t}, 1764300000);"
    ));
}

/// A table added to the schema and not to `TABLES` (or `NOT_COPIED`)
/// would silently stay behind in a migration: this fails until it is
/// listed, with its columns and their types as both backends keep them.
#[test]
fn every_table_is_copied_or_deliberately_not() {
    for db in TestDb::all() {
        let s = db.open();
        let found: Vec<(String, Vec<(String, String)>)> = if db.is_postgres() {
            let mut c =
                postgres::Client::connect(db.locator.to_str().unwrap(), postgres::NoTls).unwrap();
            let tables: Vec<String> = c
                .query(
                    "SELECT table_name::text FROM information_schema.tables
                      WHERE table_schema = current_schema() ORDER BY 1",
                    &[],
                )
                .unwrap()
                .iter()
                .map(|r| r.get(0))
                .collect();
            tables
                .into_iter()
                .map(|t| {
                    let cols = c
                        .query(
                            "SELECT column_name::text, data_type::text FROM information_schema.columns
                              WHERE table_schema = current_schema() AND table_name = $1
                                AND is_generated = 'NEVER' ORDER BY ordinal_position",
                            &[&t],
                        )
                        .unwrap()
                        .iter()
                        .map(|r| (r.get(0), r.get(1)))
                        .collect();
                    (t, cols)
                })
                .collect()
        } else {
            let c = s.conn();
            let tables: Vec<String> = c
                .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY 1")
                .unwrap()
                .query_map([], |r| r.get(0))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap();
            tables
                .into_iter()
                .map(|t| {
                    // hidden: 0 a stored column, 2 and 3 generated ones.
                    let cols = c
                        .prepare(&format!("SELECT name, type FROM pragma_table_xinfo('{t}') WHERE hidden = 0 ORDER BY cid"))
                        .unwrap()
                        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                        .unwrap()
                        .collect::<rusqlite::Result<_>>()
                        .unwrap();
                    (t, cols)
                })
                .collect()
        };
        for (table, cols) in &found {
            if NOT_COPIED.contains(&table.as_str()) {
                continue;
            }
            let t = TABLES
                .iter()
                .find(|t| t.name == table)
                .unwrap_or_else(|| panic!("table {table} ({}) is neither in copy::TABLES nor in NOT_COPIED: sev migrate would leave it behind", db.name()));
            let want: Vec<(String, String)> = t
                .columns
                .iter()
                .map(|(n, c)| {
                    let ty = match (c, db.is_postgres()) {
                        (Col::Int, true) => "bigint",
                        (Col::Text, true) => "text",
                        (Col::Flag, true) => "boolean",
                        (Col::Int | Col::Flag, false) => "INTEGER",
                        (Col::Text, false) => "TEXT",
                    };
                    (n.to_string(), ty.to_string())
                })
                .collect();
            assert_eq!(cols, &want, "columns of {table} on {}", db.name());
        }
        for t in TABLES {
            assert!(
                found.iter().any(|(n, _)| n == t.name),
                "{} is copied but not in the schema on {}",
                t.name,
                db.name()
            );
        }
    }
}

use crate::store::copy::Col;

/// SQLite → PostgreSQL, PostgreSQL → SQLite, and each into itself: every
/// row of every table arrives as it was (text with tabs, newlines,
/// backslashes, quotes and bidi controls; NULLs; flags), across many COPY
/// chunks, and the copy's chain verifies with the source's head.
#[test]
fn copies_are_lossless_between_every_pair_of_backends() {
    for from in TestDb::all() {
        let src = from.open();
        fill(&from, &src);
        let head = src.verify().unwrap().head;
        assert!(head.is_some());
        for to in TestDb::all() {
            let dst = to.open();
            let copied = src.copy_into(&dst, &mut ()).unwrap();
            let what = format!("{} → {}", from.name(), to.name());
            assert_eq!(copied.head, head, "{what}");
            for t in TABLES {
                let (a, b) = (rows(&src, t), rows(&dst, t));
                assert!(!a.is_empty(), "{what}: the test left {} empty", t.name);
                assert_eq!(copied.rows_of(t.name), a.len() as u64, "{what}: {}", t.name);
                assert_eq!(a, b, "{what}: {}", t.name);
            }
            let v = dst.verify().unwrap();
            assert_eq!((v.broken, v.head), (None, head.clone()), "{what}");
            // The copy is a working database: it takes the next write.
            let (cfg, clock) = (Config::builtin(), clock());
            ctx(&dst, &cfg, &clock, "bob")
                .note(IncidentId(1), "after the move")
                .unwrap();
            assert!(dst.verify().unwrap().broken.is_none(), "{what}");
        }
    }
}

/// Any record in the target — not only incidents — refuses the copy, with
/// what it holds, and the target is left as it was.
#[test]
fn a_target_holding_any_record_is_refused_and_left_as_it_was() {
    for from in TestDb::all() {
        let src = from.open();
        fill(&from, &src);
        for to in TestDb::all() {
            let dst = to.open();
            to.psql(
                "INSERT INTO maintenance (id, matchers, starts_at, ends_at, reason, created_by, created_at)
                 VALUES (7, '{}', 1, 2, 'kept', 'carol', 1)",
            );
            let e = src.copy_into(&dst, &mut ()).unwrap_err();
            assert!(matches!(e, Error::Usage(_)), "{e}");
            let msg = e.to_string();
            assert!(
                msg.contains("already holds records (1 maintenance)")
                    && msg.contains("only into an empty database"),
                "{msg}"
            );
            for t in TABLES {
                let n = rows(&dst, t).len();
                assert_eq!(n, usize::from(t.name == "maintenance"), "{}", t.name);
            }
        }
    }
}

/// An event changed behind sev's back in the source: the copy stops at
/// it (exit 6, naming the event), and nothing reaches the target.
#[test]
fn a_broken_source_chain_copies_nothing() {
    for from in TestDb::all() {
        let src = from.open();
        fill(&from, &src);
        from.psql(if from.is_postgres() {
            "ALTER TABLE events DISABLE TRIGGER events_no_update;
             UPDATE events SET text = 'rewritten' WHERE id = 5;
             ALTER TABLE events ENABLE TRIGGER events_no_update;"
        } else {
            "DROP TRIGGER events_no_update; UPDATE events SET text = 'rewritten' WHERE id = 5;"
        });
        for to in TestDb::all() {
            let dst = to.open();
            let e = src.copy_into(&dst, &mut ()).unwrap_err();
            assert!(matches!(e, Error::Check(_)), "{e}");
            assert!(e.to_string().contains("breaks at event #5"), "{e}");
            for t in TABLES {
                assert!(rows(&dst, t).is_empty(), "{} after a refused copy", t.name);
            }
        }
    }
}

/// Text that is not UTF-8 in a SQLite source cannot become PostgreSQL
/// text: refused (exit 5) naming the incident and the column.
#[test]
fn an_unreadable_value_is_named_not_copied() {
    let from = TestDb::sqlite();
    let src = from.open();
    fill(&from, &src);
    src.corrupt_title_for_test(IncidentId(2));
    for to in TestDb::all() {
        let dst = to.open();
        let e = src.copy_into(&dst, &mut ()).unwrap_err().to_string();
        assert!(
            e.contains("INC-2 cannot be copied: its title holds text that is not valid UTF-8"),
            "{e}"
        );
        assert!(rows(&dst, &TABLES[0]).is_empty());
    }
}

/// The chain's hex is written by table now: the same text `format!` gave.
#[test]
fn event_hashes_are_lowercase_hex_of_the_digest() {
    use sha2::{Digest, Sha256};
    let canonical = serde_json::to_string(&(
        7i64,
        3i64,
        1764300000i64,
        "alice",
        "note",
        None::<&str>,
        None::<&str>,
        None::<&str>,
        Some(TRICKY),
    ))
    .unwrap();
    let mut h = Sha256::new();
    h.update(b"prev\n");
    h.update(canonical.as_bytes());
    let want: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
    let got = audit::event_hash(
        "prev",
        7,
        3,
        1764300000,
        "alice",
        "note",
        None,
        None,
        None,
        Some(TRICKY),
    );
    assert_eq!(got, want);
}
