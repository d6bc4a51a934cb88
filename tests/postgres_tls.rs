//! TLS to PostgreSQL, for real: a second, private PostgreSQL server of this
//! test's own (initdb into a temp dir, a self-signed certificate from
//! openssl, ssl=on, a free port on 127.0.0.1 and 127.0.0.2), never the
//! shared one at 5432. For client certificates a server of its own that
//! requires them (pg_hba `cert`, `ssl_ca_file` the test's client CA). Without initdb/pg_ctl/openssl the test says it is
//! skipped — except under CI, which must run it.

mod common;

use common::Env;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

struct Server {
    dir: tempfile::TempDir,
    /// The client certificates and keys (this user's own files, not the
    /// server's).
    keys: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
    root: bool,
}

fn openssl(args: &[&str]) {
    let o = Command::new("openssl").args(args).output().unwrap();
    assert!(
        o.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// A new P-256 key and certificate: self-signed (`ca` None) or signed by
/// `ca` (its certificate and key).
fn certificate(key: &Path, crt: &Path, cn: &str, ca: Option<(&Path, &Path)>) {
    let (key, crt) = (key.to_str().unwrap(), crt.to_str().unwrap());
    let subj = format!("/CN={cn}");
    let new = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"];
    let Some((ca_crt, ca_key)) = ca else {
        let mut a = vec!["req", "-x509"];
        a.extend(new);
        a.extend(["-nodes", "-days", "2", "-subj", &subj, "-keyout", key]);
        a.extend(["-out", crt]);
        return openssl(&a);
    };
    let csr = format!("{crt}.csr");
    let mut a = vec!["req", "-new"];
    a.extend(new);
    a.extend(["-nodes", "-subj", &subj, "-keyout", key, "-out", &csr]);
    openssl(&a);
    openssl(&[
        "x509",
        "-req",
        "-in",
        &csr,
        "-CA",
        ca_crt.to_str().unwrap(),
        "-CAkey",
        ca_key.to_str().unwrap(),
        "-set_serial",
        "2",
        "-days",
        "2",
        "-out",
        crt,
    ]);
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
        Server::start_with(false)
    }

    /// `clients`: the server requires a client certificate signed by the
    /// test's client CA (whose CN is the role, root) on 127.0.0.1.
    fn start_with(clients: bool) -> Option<Server> {
        let Some(bin) = pg_bin() else {
            return skip("no initdb/pg_ctl under /usr/lib/postgresql".into());
        };
        if Command::new("openssl").arg("version").output().is_err() {
            return skip("no openssl to make a test certificate".into());
        }
        let s = Server {
            dir: tempfile::tempdir().unwrap(),
            keys: tempfile::tempdir().unwrap(),
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
        if clients {
            let (ca_crt, ca_key) = (s.path("client-ca.crt"), s.path("client-ca.key"));
            certificate(&ca_key, &ca_crt, "sev-test-client-ca", None);
            certificate(
                &s.key("client.key"),
                &s.key("client.crt"),
                "root",
                Some((&ca_crt, &ca_key)),
            );
            // Another CA's certificate for the same role.
            certificate(&s.key("rogue.key"), &s.key("rogue.crt"), "root", None);
            use std::os::unix::fs::PermissionsExt;
            for k in ["client.key", "rogue.key"] {
                std::fs::set_permissions(s.key(k), std::fs::Permissions::from_mode(0o600)).unwrap();
            }
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
        let mut opts = format!(
            "-p {} -c listen_addresses=127.0.0.1,127.0.0.2 -k {d} -c ssl=on -c ssl_cert_file={d}/server.crt -c ssl_key_file={d}/server.key -c fsync=off",
            s.port
        );
        if clients {
            opts.push_str(&format!(" -c ssl_ca_file={d}/client-ca.crt"));
            // Overwritten in place: the file stays the server's.
            std::fs::write(
                s.path("data/pg_hba.conf"),
                "local all all trust\nhostssl all all 127.0.0.1/32 cert\n",
            )
            .unwrap();
        }
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

    fn key(&self, f: &str) -> PathBuf {
        self.keys.path().join(f)
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

/// `HOME` is the test's own: no ~/.postgresql of whoever runs it counts.
fn run(e: &Env, url: &str, args: &[&str]) -> Output {
    e.cmd()
        .env("HOME", e.dir.path())
        .env("SEV_DB", url)
        .args(args)
        .output()
        .unwrap()
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
    assert!(doc.contains("none sent (none configured"), "{doc}");
    // A certificate configured for a server that asks for none (no
    // ssl_ca_file): doctor says it was not sent, and why.
    let (key, crt) = (e.dir.path().join("c.key"), e.dir.path().join("c.crt"));
    certificate(&key, &crt, "root", None);
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    let unasked = s.url(
        "127.0.0.1",
        &format!(
            "sslmode=require&sslcert={}&sslkey={}",
            crt.display(),
            key.display()
        ),
    );
    let doc = doctor(&e, &unasked);
    assert!(
        doc.contains("(CN=root, valid until ")
            && doc.contains("is configured but was not sent: the server did not ask for one"),
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

/// A server that requires client certificates (pg_hba `cert`): the right
/// certificate and key in the URL work (init, new, list), and so do
/// libpq's defaults in ~/.postgresql; no certificate, or one from a CA
/// the server does not trust, is refused with exit 5 saying which; a key
/// file others may read is refused with exit 2 naming it and `chmod 600`,
/// without a byte of the key.
#[test]
fn client_certificates_against_a_server_that_requires_them() {
    let t = std::time::Instant::now();
    let Some(s) = Server::start_with(true) else {
        return;
    };
    eprintln!("client-cert test server up in {:?}", t.elapsed());
    let e = Env::new();
    let with = |name: &str| {
        s.url(
            "127.0.0.1",
            &format!(
                "sslmode=verify-full&sslrootcert={}&sslcert={}&sslkey={}",
                ca(&s, "server"),
                encode(&s.key(&format!("{name}.crt"))),
                encode(&s.key(&format!("{name}.key")))
            ),
        )
    };
    let good = with("client");
    ok(&e, &good, &["init"]);
    // doctor names the certificate sent, what it says, and what the
    // server received.
    let doc = doctor(&e, &good);
    let sent = format!(
        "sent {} (CN=root, valid until ",
        s.key("client.crt").display()
    );
    assert!(doc.contains(&sent), "{doc}");
    // PostgreSQL 15 reports "/CN=root", newer ones "CN=root".
    assert!(
        doc.contains("; the server received ") && doc.contains("CN=root\n"),
        "{doc}"
    );
    // The test's certificates are good for two days: due for renewal.
    assert!(
        doc.contains("WARN client cert") && doc.contains("renew it before"),
        "{doc}"
    );
    ok(&e, &good, &["new", "with a client cert", "fire"]);
    assert!(ok(&e, &good, &["list"]).contains("with a client cert"));
    // No sslmode: a client certificate asks for TLS even on this host.
    let plain = s.url(
        "127.0.0.1",
        &format!(
            "sslcert={}&sslkey={}",
            s.key("client.crt").display(),
            s.key("client.key").display()
        ),
    );
    assert!(ok(&e, &plain, &["list"]).contains("with a client cert"));

    let err = fails(&e, &s.url("127.0.0.1", "sslmode=require"), &["list"], 5);
    eprintln!("without a certificate: {err}");
    assert!(err.contains("requires a client certificate"), "{err}");
    assert!(err.contains("sslcert="), "{err}");
    let err = fails(&e, &with("rogue"), &["list"], 5);
    eprintln!("another CA's certificate: {err}");
    // The alert, or (TLS 1.3, about half the time) only a reset.
    assert!(err.contains("client's certificate"), "{err}");
    assert!(
        err.contains("signed by a CA in the server's ssl_ca_file"),
        "{err}"
    );

    // A key others may read: refused before any connection.
    use std::os::unix::fs::PermissionsExt;
    let loose = s.key("loose.key");
    std::fs::copy(s.key("client.key"), &loose).unwrap();
    std::fs::set_permissions(&loose, std::fs::Permissions::from_mode(0o644)).unwrap();
    let url = s.url(
        "127.0.0.1",
        &format!(
            "sslmode=require&sslcert={}&sslkey={}",
            s.key("client.crt").display(),
            loose.display()
        ),
    );
    let err = fails(&e, &url, &["list"], 2);
    eprintln!("a key others may read: {err}");
    assert!(
        err.contains(&format!("chmod 600 {}", loose.display())),
        "{err}"
    );
    let key = std::fs::read_to_string(&loose).unwrap();
    for line in key.lines().filter(|l| !l.starts_with("-----")) {
        assert!(!err.contains(line), "key material in {err}");
    }
    let err = fails(
        &e,
        &s.url(
            "127.0.0.1",
            &format!("sslmode=require&sslcert={}", s.key("none.crt").display()),
        ),
        &["list"],
        2,
    );
    assert!(err.contains("cannot read sslcert"), "{err}");

    // libpq's defaults: ~/.postgresql/postgresql.crt and postgresql.key.
    let dot = e.dir.path().join(".postgresql");
    std::fs::create_dir(&dot).unwrap();
    std::fs::copy(s.key("client.crt"), dot.join("postgresql.crt")).unwrap();
    std::fs::copy(s.key("client.key"), dot.join("postgresql.key")).unwrap();
    std::fs::set_permissions(
        dot.join("postgresql.key"),
        std::fs::Permissions::from_mode(0o600),
    )
    .unwrap();
    let require = s.url("127.0.0.1", "sslmode=require");
    assert!(ok(&e, &require, &["list"]).contains("with a client cert"));
    eprintln!("client-cert test done in {:?}", t.elapsed());
}
