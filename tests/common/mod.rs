//! What the integration tests share: the real `sev` binary run against a
//! private temporary database and config.
#![allow(dead_code)] // each test crate uses a different part

pub mod http;

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

pub struct Env {
    pub dir: tempfile::TempDir,
    /// A fresh PostgreSQL database instead of the SQLite file.
    pub pg: Option<sev::store::testdb::TestDb>,
}

impl Env {
    pub fn new() -> Env {
        Env {
            dir: tempfile::tempdir().unwrap(),
            pg: None,
        }
    }
    /// On a fresh PostgreSQL database (None, after saying so, without a server).
    pub fn postgres() -> Option<Env> {
        sev::store::testdb::TestDb::postgres().map(|db| Env {
            dir: tempfile::tempdir().unwrap(),
            pg: Some(db),
        })
    }
    /// SQLite, and PostgreSQL when reachable: one test, both backends.
    pub fn all() -> Vec<Env> {
        let mut v = vec![Env::new()];
        v.extend(Env::postgres());
        v
    }
    pub fn db(&self) -> PathBuf {
        match &self.pg {
            Some(db) => db.locator.clone(),
            None => self.dir.path().join("sev.db"),
        }
    }
    pub fn cmd(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_sev"));
        c.env("SEV_DB", self.db())
            .env("SEV_CONFIG", "")
            .env("SEV_SYSTEM_CONFIG", self.dir.path().join("no-system.toml"))
            .env("XDG_CONFIG_HOME", self.dir.path().join("xdg-config"))
            .env("XDG_DATA_HOME", self.dir.path().join("xdg-data"))
            .env_remove("VISUAL")
            .env_remove("EDITOR")
            .stdin(Stdio::null());
        c
    }
    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().unwrap()
    }
    /// Run, expect success, return stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let o = self.run(args);
        assert!(
            o.status.success(),
            "sev {args:?} failed: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8(o.stdout).unwrap()
    }
    /// Run, expect exit `code`, return stderr.
    pub fn fails(&self, args: &[&str], code: i32) -> String {
        let o = self.run(args);
        let err = String::from_utf8(o.stderr).unwrap();
        assert_eq!(o.status.code(), Some(code), "sev {args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "one-line error expected: {err}");
        err
    }
    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let mut a = args.to_vec();
        a.push("--json");
        serde_json::from_str(&self.ok(&a)).unwrap()
    }
}

/// Running as root (CI does): tests that create Unix users or groups run.
pub fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// JSON output without its response clocks: they count seconds left or
/// over from the moment of the run, so two runs a second apart differ
/// there and nowhere else. For comparing two databases' records.
pub fn without_clocks(out: &str) -> String {
    fn strip(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(m) => {
                m.remove("clocks");
                m.values_mut().for_each(strip);
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(strip),
            _ => {}
        }
    }
    match serde_json::from_str::<serde_json::Value>(out) {
        Ok(mut v) => {
            strip(&mut v);
            serde_json::to_string_pretty(&v).unwrap()
        }
        Err(_) => out.to_string(),
    }
}
