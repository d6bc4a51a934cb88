//! TLS to PostgreSQL, for real: a second, private PostgreSQL server of this
//! test's own (initdb into a temp dir, a self-signed certificate from
//! openssl, ssl=on, a free port on 127.0.0.1 and 127.0.0.2), never the
//! shared one at 5432. Without initdb/pg_ctl/openssl the test says it is
//! skipped — except under CI, which must run it.

mod common;

use common::Env;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

struct Server {
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
    root: bool,
}

fn skip(why: String) -> Option<Server> {
    assert!(
        std::env::var_os("CI").is_none(),
        "CI must run the TLS test: {why}"
    );
    eprintln!("skipped: {why}");
    None
}

/// The directory of PostgreSQL's server programs (initdb, pg_ctl).
fn pg_bin() -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("bin"))
        .collect();
    dirs.sort_by_key(|d| {
        d.parent()
            .and_then(|v| v.file_name())
            .and_then(|v| v.to_str())
            .and_then(|v| v.parse::<u32>().ok())
            .unwrap_or(0)
    });
    dirs.into_iter()
        .rev()
        .find(|d| d.join("initdb").is_file() && d.join("pg_ctl").is_file())
}

impl Server {
    /// Run a server program, as the `postgres` user when we are root
    /// (initdb refuses root).
    fn as_owner(&self, prog: &str) -> Command {
        let p = self.bin.join(prog);
        if self.root {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(p);
            c
        } else {
            Command::new(p)
        }
    }

    fn path(&self, f: &str) -> PathBuf {
        self.dir.path().join(f)
    }

    fn start() -> Option<Server> {
        let Some(bin) = pg_bin() else {
            return skip("no initdb/pg_ctl under /usr/lib/postgresql".into());
        };
        if Command::new("openssl").arg("version").output().is_err() {
            return skip("no openssl to make a test certificate".into());
        }
        let s = Server {
            dir: tempfile::tempdir().unwrap(),
            bin,
            port: {
                let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
                l.local_addr().unwrap().port()
            },
            root: common::is_root(),
        };
        // The server's certificate names 127.0.0.1 and localhost only (so
        // verify-full to 127.0.0.2 fails on the name); "other" is a CA
        // that did not sign it.
        for (name, san) in [
            ("server", "IP:127.0.0.1,DNS:localhost"),
            ("other", "DNS:other.invalid"),
        ] {
            let o = Command::new("openssl")
                .args(["req", "-x509", "-newkey", "ec"])
                .args(["-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"])
                .args(["-days", "2", "-subj", "/CN=sev-test"])
                .args(["-addext", &format!("subjectAltName={san}")])
                .arg("-keyout")
                .arg(s.path(&format!("{name}.key")))
                .arg("-out")
                .arg(s.path(&format!("{name}.crt")))
                .output()
                .unwrap();
            assert!(
                o.status.success(),
                "openssl: {}",
                String::from_utf8_lossy(&o.stderr)
            );
        }
        if s.root {
            let o = Command::new("chown")
                .args(["-R", "postgres:"])
                .arg(s.dir.path())
                .output()
                .unwrap();
            assert!(
                o.status.success(),
                "chown: {}",
                String::from_utf8_lossy(&o.stderr)
            );
        }
        let o = s
            .as_owner("initdb")
            .args(["-A", "trust", "-U", "root", "--no-sync", "-D"])
            .arg(s.path("data"))
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "initdb: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let d = s.dir.path().display();
        let opts = format!(
            "-p {} -c listen_addresses=127.0.0.1,127.0.0.2 -k {d} -c ssl=on -c ssl_cert_file={d}/server.crt -c ssl_key_file={d}/server.key -c fsync=off",
            s.port
        );
        let o = s
            .as_owner("pg_ctl")
            .args(["-w", "-t", "30", "-o", &opts, "-l"])
            .arg(s.path("log"))
            .arg("-D")
            .arg(s.path("data"))
            .arg("start")
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "pg_ctl start: {}{}",
            String::from_utf8_lossy(&o.stderr),
            std::fs::read_to_string(s.path("log")).unwrap_or_default()
        );
        Some(s)
    }

    fn url(&self, host: &str, query: &str) -> String {
        format!("postgres://root@{host}:{}/postgres?{query}", self.port)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self
            .as_owner("pg_ctl")
            .args(["-m", "immediate", "-w", "-D"])
            .arg(self.path("data"))
            .arg("stop")
            .output();
    }
}

fn run(e: &Env, url: &str, args: &[&str]) -> Output {
    e.cmd().env("SEV_DB", url).args(args).output().unwrap()
}

fn ok(e: &Env, url: &str, args: &[&str]) -> String {
    let o = run(e, url, args);
    assert!(
        o.status.success(),
        "sev {args:?} on {url}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn fails(e: &Env, url: &str, args: &[&str], code: i32) -> String {
    let o = run(e, url, args);
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(o.status.code(), Some(code), "sev {args:?} on {url}: {err}");
    assert_eq!(err.lines().count(), 1, "one-line error expected: {err}");
    err
}

/// `sev doctor`'s report (it exits non-zero here: the role is a superuser,
/// which may alter events — not what this test is about).
fn doctor(e: &Env, url: &str) -> String {
    let o = run(e, url, &["doctor"]);
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn ca(s: &Server, name: &str) -> String {
    s.path(&format!("{name}.crt")).display().to_string()
}

/// sslmode=require encrypts; verify-full with the right CA encrypts and
/// verifies (doctor says which); verify-ca checks the CA but not the name;
/// a wrong CA or a host the certificate does not name is refused with
/// exit 5 naming TLS verification; disable never encrypts; prefer over
/// a Unix socket (where the server offers no TLS) falls back to plain,
/// require there is refused.
#[test]
fn tls_modes_against_a_server_of_our_own() {
    let t = std::time::Instant::now();
    let Some(s) = Server::start() else { return };
    eprintln!("TLS test server up in {:?}", t.elapsed());
    let e = Env::new();
    let require = s.url("127.0.0.1", "sslmode=require");
    ok(&e, &require, &["init"]);
    ok(&e, &require, &["new", "over tls", "fire"]);
    let doc = doctor(&e, &require);
    assert!(
        doc.contains("the connection is encrypted (TLS, sslmode=require)"),
        "{doc}"
    );
    let good = ca(&s, "server");
    let full = s.url(
        "127.0.0.1",
        &format!("sslmode=verify-full&sslrootcert={good}"),
    );
    assert!(ok(&e, &full, &["list"]).contains("over tls"));
    let doc = doctor(&e, &full);
    assert!(
        doc.contains("encrypted (TLS, sslmode=verify-full, the server's certificate verified)"),
        "{doc}"
    );
    // The CA is right but 127.0.0.2 is not a name on the certificate.
    let wrong_name = s.url(
        "127.0.0.2",
        &format!("sslmode=verify-full&sslrootcert={good}"),
    );
    let err = fails(&e, &wrong_name, &["list"], 5);
    assert!(err.contains("TLS verification"), "{err}");
    let ca_only = s.url(
        "127.0.0.2",
        &format!("sslmode=verify-ca&sslrootcert={good}"),
    );
    assert!(ok(&e, &ca_only, &["list"]).contains("over tls"));
    // A CA that did not sign the server's certificate.
    let bad = s.url(
        "127.0.0.1",
        &format!("sslmode=verify-full&sslrootcert={}", ca(&s, "other")),
    );
    let err = fails(&e, &bad, &["list"], 5);
    assert!(err.contains("TLS verification"), "{err}");
    assert!(err.contains("sslrootcert"), "{err}");
    let err = fails(&e, &s.url("127.0.0.1", "sslmode=verify-full"), &["list"], 2);
    assert!(err.contains("sslrootcert="), "{err}");
    let doc = doctor(&e, &s.url("127.0.0.1", "sslmode=disable"));
    assert!(doc.contains("not encrypted (sslmode=disable"), "{doc}");
    let doc = doctor(&e, &s.url("127.0.0.1", "sslmode=prefer"));
    assert!(doc.contains("encrypted (TLS, sslmode=prefer)"), "{doc}");
    // Over the Unix socket the server offers no TLS.
    let sock = |mode: &str| {
        format!(
            "postgres://root@{}:{}/postgres?sslmode={mode}",
            encode(s.dir.path()),
            s.port
        )
    };
    let doc = doctor(&e, &sock("prefer"));
    assert!(doc.contains("not encrypted (sslmode=prefer"), "{doc}");
    let err = fails(&e, &sock("require"), &["list"], 5);
    assert!(err.contains("does not offer TLS"), "{err}");
    eprintln!("TLS test done in {:?}", t.elapsed());
}

/// A socket directory as a URL host: `/tmp/x` → `%2Ftmp%2Fx`.
fn encode(p: &Path) -> String {
    p.display().to_string().replace('/', "%2F")
}
