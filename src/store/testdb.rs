//! Databases for tests, on both backends: a fresh temp SQLite file, and a
//! fresh PostgreSQL database with a random name, dropped afterwards. Used
//! by the store suite and by the CLI tests (so it is not `cfg(test)`).
//!
//! The server is `SEV_TEST_PG` (default `postgres://root@127.0.0.1:5432/postgres`).
//! When none is reachable the PostgreSQL half says "skipped: no PostgreSQL
//! at …" and only SQLite runs — except under CI (`CI` set), where an
//! unreachable server fails the test: CI must run this suite, not skip it.

use super::Store;
use std::path::PathBuf;

const DEFAULT_ADMIN: &str = "postgres://root@127.0.0.1:5432/postgres";

/// One test database; dropped (PostgreSQL) or deleted (SQLite) on drop.
pub struct TestDb {
    /// What `--db`/`SEV_DB` would say.
    pub locator: PathBuf,
    _dir: Option<tempfile::TempDir>,
    pg: Option<(String, String)>,
}

impl TestDb {
    pub fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("a temp dir for the test database");
        TestDb {
            locator: dir.path().join("sev.db"),
            _dir: Some(dir),
            pg: None,
        }
    }

    /// A new, empty PostgreSQL database; `None` (after saying so) when no
    /// server is reachable outside CI.
    pub fn postgres() -> Option<TestDb> {
        let admin = admin_url();
        let mut c = match postgres::Client::connect(&admin, postgres::NoTls) {
            Ok(c) => c,
            Err(e) => {
                let msg = format!(
                    "skipped: no PostgreSQL at {} ({e})",
                    super::locator::shown(std::path::Path::new(&admin))
                );
                assert!(
                    std::env::var_os("CI").is_none(),
                    "CI must run the PostgreSQL tests: {msg}"
                );
                eprintln!("{msg}");
                return None;
            }
        };
        let name = format!("sev_test_{}_{:016x}", std::process::id(), fastrand::u64(..));
        c.batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("CREATE DATABASE for a test");
        let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
        Some(TestDb {
            locator: PathBuf::from(format!("{base}/{name}")),
            _dir: None,
            pg: Some((admin, name)),
        })
    }

    /// SQLite, and PostgreSQL when reachable.
    pub fn all() -> Vec<TestDb> {
        let mut v = vec![TestDb::sqlite()];
        v.extend(TestDb::postgres());
        v
    }

    pub fn is_postgres(&self) -> bool {
        self.pg.is_some()
    }

    pub fn open(&self) -> Store {
        Store::open(&self.locator).expect("open the test database")
    }

    /// Raw SQL as the server's superuser (tests that tamper).
    /// Drop a PostgreSQL connection from the server's side, as a failover
    /// or an idle timeout would (the reconnect tests).
    pub fn terminate_backend(&self, pid: i32) {
        self.psql(&format!("SELECT pg_terminate_backend({pid})"));
    }

    pub fn psql(&self, sql: &str) {
        match &self.pg {
            Some(_) => {
                let mut c = postgres::Client::connect(
                    self.locator.to_str().unwrap_or_default(),
                    postgres::NoTls,
                )
                .expect("connect to the test database");
                c.batch_execute(sql).expect("raw SQL on the test database");
            }
            None => {
                let c = rusqlite::Connection::open(&self.locator).expect("open the test file");
                c.execute_batch(sql).expect("raw SQL on the test file");
            }
        }
    }

    /// A label for assertion messages.
    pub fn name(&self) -> &'static str {
        if self.is_postgres() {
            "postgres"
        } else {
            "sqlite"
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin, name)) = &self.pg
            && let Ok(mut c) = postgres::Client::connect(admin, postgres::NoTls)
        {
            let _ = c.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        }
    }
}

/// The server tests use.
pub fn admin_url() -> String {
    std::env::var("SEV_TEST_PG")
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| DEFAULT_ADMIN.to_string())
}
