//! PostgreSQL only: many writer processes on one chain, tampering found by
//! `sev verify`, and a password that never reaches any output. Each test
//! runs on a fresh database it drops afterwards; without a server it says
//! "skipped: no PostgreSQL at …" (and fails under CI, which must run it).

mod common;

use common::Env;
use std::collections::HashSet;

/// 8 processes each add notes and edit one incident at once: every write
/// that `sev` acknowledged (exit 0) is on the timeline exactly once, the
/// chain is one line, and it verifies.
#[test]
fn eight_writer_processes_on_one_incident() {
    let Some(e) = Env::postgres() else { return };
    e.ok(&["new", "shared", "fire"]);
    let acknowledged: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|w| {
                let e = &e;
                s.spawn(move || {
                    let mut ok = Vec::new();
                    for n in 0..6 {
                        let text = format!("writer {w} note {n}");
                        let o = e.run(&["note", "1", &text]);
                        assert!(
                            o.status.success() || o.status.code() == Some(5),
                            "{}",
                            String::from_utf8_lossy(&o.stderr)
                        );
                        if o.status.success() {
                            ok.push(text);
                        }
                        // Edits of one field from many hosts: each lands or
                        // is a clean conflict, never a half-written record.
                        let o = e.run(&["set", "1", &format!("service=svc-{w}")]);
                        assert!(
                            matches!(o.status.code(), Some(0) | Some(4) | Some(5)),
                            "{}",
                            String::from_utf8_lossy(&o.stderr)
                        );
                    }
                    ok
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    assert_eq!(acknowledged.len(), 48, "no write should fail under load");
    let j = e.json(&["show", "1"]);
    let notes: Vec<String> = j["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|ev| ev["kind"] == "note")
        .map(|ev| ev["text"].as_str().unwrap().to_string())
        .collect();
    let unique: HashSet<&String> = notes.iter().collect();
    assert_eq!(unique.len(), notes.len(), "no note twice");
    for t in &acknowledged {
        assert!(notes.contains(t), "acknowledged note missing: {t}");
    }
    let v = e.ok(&["verify"]);
    assert!(v.starts_with("audit trail ok"), "{v}");
    // Times never go backwards along the chain.
    let ats: Vec<String> = j["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|ev| ev["at"].as_str().unwrap().to_string())
        .collect();
    assert!(ats.windows(2).all(|w| w[0] <= w[1]), "{ats:?}");
}

/// An event edited with psql (after switching the trigger off) breaks
/// the chain at that event: `sev verify` exits 6 naming it, and doctor
/// reports it.
#[test]
fn an_event_edited_with_psql_is_found_by_verify() {
    let Some(e) = Env::postgres() else { return };
    e.ok(&["new", "db", "down"]);
    e.ok(&["note", "1", "restarted the primary"]);
    e.ok(&["note", "1", "all good"]);
    assert!(e.ok(&["verify"]).starts_with("audit trail ok"));
    let db = e.pg.as_ref().unwrap();
    db.psql(
        "ALTER TABLE events DISABLE TRIGGER events_no_update;
         UPDATE events SET text = 'nothing happened' WHERE id = 2;
         ALTER TABLE events ENABLE TRIGGER events_no_update;",
    );
    let o = e.run(&["verify"]);
    assert_eq!(o.status.code(), Some(6));
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(all.contains("#2"), "{all}");
    assert!(all.contains("changed"), "{all}");
    let o = e.run(&["doctor"]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.lines()
            .any(|l| l.starts_with("FAIL audit trail") && l.contains("event #2")),
        "{out}"
    );
    // And a tamperer who switches the trigger off and leaves it off is told apart.
    db.psql("ALTER TABLE events DISABLE TRIGGER events_no_delete;");
    let o = e.run(&["doctor"]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.lines()
            .any(|l| l.starts_with("FAIL append-only") && l.contains("events_no_delete")),
        "{out}"
    );
}

/// A password set on a role never appears in any output: not from a URL
/// in SEV_DB, not from PGPASSWORD, not in errors, `config show` or
/// `doctor`; a password in `--db` (visible in ps) is refused.
#[test]
fn a_password_is_never_printed() {
    let Some(e) = Env::postgres() else { return };
    let db = e.pg.as_ref().unwrap();
    let name = db
        .locator
        .to_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    let role = format!("sev_pw_{:08x}", fastrand::u32(..));
    let secret = format!("Pw-{:016x}-secret", fastrand::u64(..));
    db.psql(&format!(
        "CREATE ROLE {role} LOGIN PASSWORD '{secret}'; ALTER DATABASE {name} OWNER TO {role};"
    ));
    let url = format!("postgres://{role}:{secret}@127.0.0.1:5432/{name}");
    let bad_db = format!("postgres://{role}:{secret}@127.0.0.1:5432/{name}_missing");
    let mut outputs = Vec::new();
    let mut run = |db_url: &str, pgpassword: Option<&str>, args: &[&str]| {
        let mut c = e.cmd();
        c.env("SEV_DB", db_url).args(args);
        if let Some(p) = pgpassword {
            c.env("PGPASSWORD", p);
        }
        let o = c.output().unwrap();
        outputs.push((
            args.join(" "),
            o.status.code(),
            format!(
                "{}{}",
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            ),
        ));
    };
    run(&url, None, &["new", "login", "broken"]);
    run(&url, None, &["list", "--all", "--json"]);
    run(&url, None, &["show", "1"]);
    run(&url, None, &["show", "99"]);
    run(&url, None, &["config", "show"]);
    run(&url, None, &["doctor"]);
    run(&url, None, &["doctor", "--json"]);
    run(&url, None, &["verify"]);
    run(&bad_db, None, &["list"]);
    run(&bad_db, None, &["doctor"]);
    let no_pw = format!("postgres://{role}@127.0.0.1:5432/{name}");
    run(&no_pw, Some(&secret), &["list"]);
    run(&no_pw, Some(&secret), &["show", "1"]);
    run(&format!("{no_pw}_missing"), Some(&secret), &["new", "x"]);
    run("/nonexistent", None, &["--db", &url, "list"]);
    for (args, _, out) in &outputs {
        assert!(
            !out.contains(&secret),
            "sev {args} printed the password: {out}"
        );
    }
    let codes: Vec<Option<i32>> = outputs.iter().map(|(_, c, _)| *c).collect();
    assert_eq!(codes[0], Some(0), "{:?}", outputs[0]);
    assert_eq!(codes[3], Some(3), "{:?}", outputs[3]);
    assert_eq!(codes[8], Some(5), "{:?}", outputs[8]);
    assert_eq!(codes[10], Some(0), "{:?}", outputs[10]);
    let (_, code, out) = outputs.last().unwrap();
    assert_eq!(*code, Some(2), "{out}");
    assert!(out.contains("PGPASSWORD"), "{out}");
    let (_, _, shown) = &outputs[4];
    assert!(shown.contains(&format!("{role}:***@127.0.0.1")), "{shown}");
    db.psql(&format!("ALTER DATABASE {name} OWNER TO CURRENT_USER;"));
    drop(e);
    if let Ok(mut c) = postgres::Client::connect(&sev::store::testdb::admin_url(), postgres::NoTls)
    {
        let _ = c.batch_execute(&format!("DROP ROLE IF EXISTS {role}"));
    }
}

/// `sev migrate` SQLite → PostgreSQL → SQLite: the same `list --all
/// --json`, the same `show`, the same actions, chains that verify with the
/// same head; a non-empty target is refused and left as it was.
#[test]
fn migrate_round_trip_is_lossless() {
    let Some(pg) = Env::postgres() else { return };
    let lite = Env::new();
    lite.ok(&["demo", "--count", "60"]);
    lite.ok(&[
        "postmortem",
        "1",
        "--section",
        "root-cause",
        "--text",
        "a bad deploy",
    ]);
    let url = pg.db().to_str().unwrap().to_string();
    let back = lite.dir.path().join("back.db");
    let src = lite.db().to_str().unwrap().to_string();
    let out = lite.ok(&["migrate", "--from", &src, "--to", &url]);
    assert!(out.starts_with("copied 60 incidents"), "{out}");
    lite.ok(&["migrate", "--from", &url, "--to", back.to_str().unwrap()]);
    let on = |db: &str, args: &[&str]| {
        let o = lite.cmd().env("SEV_DB", db).args(args).output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        common::without_clocks(&String::from_utf8(o.stdout).unwrap())
    };
    let dbs = [src.clone(), url.clone(), back.to_str().unwrap().to_string()];
    for args in [
        &["list", "--all", "--json"][..],
        &["show", "1", "--json"],
        &["actions", "--json"],
        &["verify"],
    ] {
        let outs: Vec<String> = dbs.iter().map(|d| on(d, args)).collect();
        assert_eq!(outs[0], outs[1], "sev {args:?}: SQLite vs PostgreSQL");
        assert_eq!(outs[0], outs[2], "sev {args:?}: SQLite vs the copy back");
    }
    // A non-empty target is refused, and nothing is added to it.
    let o = lite
        .cmd()
        .args(["migrate", "--from", &src, "--to", &url])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("only into an empty database"));
    assert_eq!(
        on(&url, &["list", "--all", "--json"]),
        on(&src, &["list", "--all", "--json"])
    );
}

/// `sev init --db postgres://…` creates the schema; doctor then finds the
/// server, the schema version and the append-only triggers.
#[test]
fn init_creates_the_schema_on_postgres() {
    let Some(e) = Env::postgres() else { return };
    let url = e.db().to_str().unwrap().to_string();
    let out = e.ok(&["init", "--db", &url]);
    let want = format!("schema version {}", sev::store::MIGRATIONS.len());
    assert!(out.contains(&want), "{out}");
    let o = e.run(&["doctor"]);
    let out = String::from_utf8_lossy(&o.stdout);
    for check in [
        "ok   server",
        "ok   schema",
        "ok   append-only",
        "ok   audit trail",
    ] {
        assert!(out.contains(check), "{check}: {out}");
    }
    // A read command on a database without sev's schema does not create it.
    let Some(empty) = Env::postgres() else { return };
    let err = empty.fails(&["list"], 3);
    assert!(err.contains("no sev database at"), "{err}");
}

/// README's least-privilege grants: the `sev` role works an incident
/// (new, note, set, postmortem, action, presence) but cannot change,
/// delete or truncate events, nor switch their triggers off; doctor says
/// so.
#[test]
fn the_readme_grants_let_sev_write_but_never_alter_events() {
    let Some(e) = Env::postgres() else { return };
    let db = e.pg.as_ref().unwrap();
    e.ok(&["init"]);
    let name = db
        .locator
        .to_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    let role = format!("sev_app_{:08x}", fastrand::u32(..));
    db.psql(&format!(
        "CREATE ROLE {role} LOGIN;
         GRANT CONNECT ON DATABASE {name} TO {role};
         GRANT USAGE ON SCHEMA public TO {role};
         GRANT SELECT ON sev_schema TO {role};
         GRANT SELECT, INSERT, UPDATE ON incidents, postmortems, timeline_marks, action_items TO {role};
         GRANT SELECT, INSERT ON events TO {role};
         GRANT SELECT, INSERT, UPDATE, DELETE ON presence TO {role};
         GRANT SELECT, INSERT, UPDATE ON alerts, alert_groups, maintenance, heartbeats, leases TO {role};
         GRANT SELECT, INSERT ON incident_links, intake_bodies TO {role};"
    ));
    let am = format!(
        "{}/../shared/data/ingest/alertmanager/am_v032_group_first_notification.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let url = format!("postgres://{role}@127.0.0.1:5432/{name}");
    let as_app = |args: &[&str]| e.cmd().env("SEV_DB", &url).args(args).output().unwrap();
    for args in [
        &["new", "least", "privilege"][..],
        &["note", "1", "works"],
        &["set", "1", "service=api", "severity=SEV2"],
        &["postmortem", "1", "--section", "root-cause", "--text", "x"],
        &["action", "add", "1", "Fix it", "--owner", "alice"],
        &["ingest", "--source", "alertmanager", am.as_str()],
        &["alerts"],
        &["show", "2"],
        &[
            "maintenance",
            "add",
            "--match",
            "service=\"x\"",
            "--until",
            "+1h",
            "--reason",
            "r",
        ],
        &["maintenance", "end", "1"],
        &["new", "second"],
        &["link", "1", "3"],
        &["merge", "1", "2"],
        &["verify"],
    ] {
        let o = as_app(args);
        assert!(
            o.status.success(),
            "sev {args:?} as {role}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    for sql in [
        "UPDATE events SET text = 'forged' WHERE id = 2",
        "DELETE FROM events",
        "TRUNCATE events CASCADE",
        "ALTER TABLE events DISABLE TRIGGER events_no_update",
    ] {
        let err = c.batch_execute(sql).unwrap_err();
        let code = err.code().map(|c| c.code().to_string());
        assert_eq!(code.as_deref(), Some("42501"), "{sql}: {err}");
    }
    drop(c);
    let o = as_app(&["doctor"]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains(&format!(
            "ok   events         role {role} cannot alter events"
        )),
        "{out}"
    );
    assert!(o.status.success(), "{out}");
    db.psql(&format!(
        "REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role};
         REVOKE ALL ON SCHEMA public FROM {role};
         REVOKE ALL ON DATABASE {name} FROM {role};"
    ));
    drop(e);
    if let Ok(mut c) = postgres::Client::connect(&sev::store::testdb::admin_url(), postgres::NoTls)
    {
        let _ = c.batch_execute(&format!("DROP ROLE IF EXISTS {role}"));
    }
}

/// A password file named in the config is used only when only its owner
/// can read it; `config show` names the file, never its content.
#[test]
fn a_config_named_password_file_must_be_private() {
    use std::os::unix::fs::PermissionsExt;
    let Some(e) = Env::postgres() else { return };
    let secret = format!("file-{:016x}", fastrand::u64(..));
    let pw = e.dir.path().join("sev.pw");
    std::fs::write(&pw, format!("{secret}\n")).unwrap();
    std::fs::set_permissions(&pw, std::fs::Permissions::from_mode(0o644)).unwrap();
    let cfg = e.dir.path().join("config.toml");
    std::fs::write(
        &cfg,
        format!("database_password_file = {:?}\n", pw.to_str().unwrap()),
    )
    .unwrap();
    let run = |args: &[&str]| {
        e.cmd()
            .env("SEV_CONFIG", &cfg)
            .env_remove("PGPASSWORD")
            .args(args)
            .output()
            .unwrap()
    };
    let o = run(&["new", "x"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(5), "{err}");
    assert!(err.contains("chmod 600"), "{err}");
    std::fs::set_permissions(&pw, std::fs::Permissions::from_mode(0o600)).unwrap();
    let o = run(&["new", "x"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = run(&["config", "show"]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("database_password_file = "), "{out}");
    assert!(!out.contains(&secret), "{out}");
}

/// `sev demo` and `sev migrate` load PostgreSQL with COPY: values holding
/// the characters COPY's text format escapes (backslash, tab, newline,
/// carriage return) arrive byte for byte, a second demo batch continues the
/// ids and the hash chain from the existing head, and the copy back to
/// SQLite lists, shows and verifies the same.
#[test]
fn bulk_loads_keep_escaped_text_ids_and_chain() {
    let Some(pg) = Env::postgres() else { return };
    let url = pg.db().to_str().unwrap().to_string();
    pg.ok(&["demo", "--count", "40"]);
    let tricky = "tab\there \\N back\\slash\nnew line\r\nend";
    pg.ok(&["note", "7", tricky]);
    pg.ok(&["demo", "--count", "25", "--append"]);
    pg.ok(&["verify"]);
    let listed = pg.ok(&["list", "--all", "--json"]);
    assert!(!listed.is_empty());
    // The second batch continued the ids: 41..=65 exist, 66 does not.
    pg.ok(&["show", "41"]);
    pg.ok(&["show", "65"]);
    let o = pg.cmd().args(["show", "66"]).output().unwrap();
    assert_eq!(o.status.code(), Some(3));
    let shown = pg.ok(&["show", "7", "--json"]);
    let want = serde_json::to_string(tricky).unwrap();
    assert!(shown.contains(&want), "{shown}");
    let back = pg.dir.path().join("back.db");
    pg.ok(&["migrate", "--from", &url, "--to", back.to_str().unwrap()]);
    let on = |db: &str, args: &[&str]| {
        let o = pg.cmd().env("SEV_DB", db).args(args).output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        common::without_clocks(&String::from_utf8(o.stdout).unwrap())
    };
    for args in [
        &["list", "--all", "--json"][..],
        &["show", "7", "--json"],
        &["verify"],
    ] {
        assert_eq!(on(&url, args), on(back.to_str().unwrap(), args), "{args:?}");
    }
}

/// After a bulk load the planner knows the tables' sizes (they were
/// analyzed in the loading transaction): with no statistics it guessed a
/// fifth of 100k incidents open and sorted them all for the first list
/// page (23 ms) instead of walking `incidents_attention` (0.03 ms).
#[test]
fn bulk_loads_leave_planner_statistics() {
    let tuples = |url: &str| {
        let mut c = postgres::Client::connect(url, postgres::NoTls).unwrap();
        c.query_one(
            "SELECT reltuples::bigint FROM pg_class WHERE relname = 'incidents'",
            &[],
        )
        .unwrap()
        .get::<_, i64>(0)
    };
    let Some(pg) = Env::postgres() else { return };
    let url = pg.db().to_str().unwrap().to_string();
    pg.ok(&["demo", "--count", "40"]);
    assert_eq!(tuples(&url), 40, "after sev demo");
    let Some(target) = Env::postgres() else {
        return;
    };
    let to = target.db().to_str().unwrap().to_string();
    let lite = Env::new();
    lite.ok(&["demo", "--count", "30"]);
    let src = lite.db().to_str().unwrap().to_string();
    lite.ok(&["migrate", "--from", &src, "--to", &to]);
    assert_eq!(tuples(&to), 30, "after sev migrate");
}

/// Opening a current database takes no write lock: while another session
/// holds the lock (as a writer on another host does mid-commit), `sev list`
/// answers at once and `sev note` waits only for its own write. Before,
/// every process queued on the lock twice (schema check, then write).
#[test]
fn opening_a_current_database_does_not_queue_on_the_write_lock() {
    let Some(e) = Env::postgres() else { return };
    e.ok(&["new", "shared", "fire"]);
    let url = e.db().to_string_lossy().into_owned();
    let mut holder = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let mut tx = holder.transaction().unwrap();
    // "sev1": the lock every write and every migration takes.
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&0x7365_7631_i64])
        .unwrap();
    let mut list = e.cmd();
    list.args(["list", "--json"])
        .stdout(std::process::Stdio::piped());
    let mut child = list.spawn().unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break Some(s);
        }
        if std::time::Instant::now() > deadline {
            break None;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    tx.rollback().unwrap();
    let status = status.unwrap_or_else(|| {
        child.wait().unwrap();
        panic!("`sev list` waited for the write lock while reading")
    });
    assert!(status.success());
    e.ok(&["note", "1", "after the lock"]);
    let v = e.ok(&["verify"]);
    assert!(v.starts_with("audit trail ok"), "{v}");
}

/// `sev new --impact-start -20m --detected "5m ago"`: both backends store
/// them counted back from the incident's own creation time (the server's
/// clock on PostgreSQL); a time in the future is refused (exit 2) and
/// nothing is logged.
#[test]
fn sev_new_takes_relative_times_from_the_database_clock() {
    for e in Env::all() {
        let out = e.ok(&[
            "new",
            "--impact-start",
            "-20m",
            "--detected",
            "5m ago",
            "--json",
            "disk",
            "full",
        ]);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        let t = |k: &str| {
            chrono::DateTime::parse_from_rfc3339(
                v[k].as_str().unwrap_or_else(|| panic!("{k}: {out}")),
            )
            .unwrap()
        };
        let created = t("created_at");
        assert_eq!(
            created - t("impact_started_at"),
            chrono::Duration::minutes(20),
            "{out}"
        );
        assert_eq!(
            created - t("detected_at"),
            chrono::Duration::minutes(5),
            "{out}"
        );
        let o = e
            .cmd()
            .args(["new", "later", "--detected", "+5m"])
            .output()
            .unwrap();
        assert_eq!(
            o.status.code(),
            Some(2),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        let o = e
            .cmd()
            .args(["new", "later", "--detected=in a bit"])
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&o.stderr).contains("20m ago"));
        assert_eq!(
            e.ok(&["list", "--all", "--json"]).matches("\"id\"").count(),
            1
        );
    }
}
