//! What the `sev serve` tests share: the real binary on a random loopback
//! port, with integrations whose secrets are private files, and a plain
//! HTTP client (ureq) that never treats a status as an error.
#![allow(dead_code)] // each test crate uses a different part

use crate::common::Env;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const AM_TOKEN: &str = "am-token-5f0c2b9e";
pub const GF_TOKEN: &str = "gf-token-81d4aa07";
pub const GF_HMAC: &str = "gf-hmac-secret-0a9f";
pub const ZBX_BASIC: &str = "zabbix:zbx-pass-77e1";
pub const PD_KEY: &str = "e93facc04764012d7bfb002500d5d1a6";

/// A fixture body from ../shared/data/ingest.
pub fn fixture(rel: &str) -> Vec<u8> {
    let p = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/data/ingest"
    ))
    .join(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// A private (0600) file in the test's directory.
pub fn secret_file(env: &Env, name: &str, text: &str) -> PathBuf {
    let p = env.dir.path().join(name);
    std::fs::write(&p, text).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
    p
}

/// A config with one integration of each kind (and `extra` TOML after it);
/// the database created empty. Returns the config file.
pub fn setup(env: &Env, extra: &str) -> PathBuf {
    env.ok(&["demo", "--count", "0"]);
    let am = secret_file(env, "am.token", &format!("{AM_TOKEN}\n"));
    let gf = secret_file(env, "gf.token", GF_TOKEN);
    let gfh = secret_file(env, "gf.hmac", GF_HMAC);
    let zbx = secret_file(env, "zbx.basic", ZBX_BASIC);
    let pd = secret_file(env, "pd.key", PD_KEY);
    let text = format!(
        r#"
[[integrations]]
name = "prod-am"
source = "alertmanager"
secret_file = "{}"

[[integrations]]
name = "grafana"
source = "grafana"
secret_file = "{}"
signing_secret_file = "{}"

[[integrations]]
name = "zabbix"
source = "generic"
secret_file = "{}"
[integrations.mapping]
key = "{{{{ body.triggerId }}}}"
summary = "{{{{ body.name }}}}"
severity = "{{{{ body.severity }}}}"
state = "{{{{ body.status }}}}"

[[integrations]]
name = "pd"
source = "pagerduty"
routing_key_file = "{}"
{extra}
"#,
        am.display(),
        gf.display(),
        gfh.display(),
        zbx.display(),
        pd.display()
    );
    let cfg = env.dir.path().join("config.toml");
    std::fs::write(&cfg, text).unwrap();
    cfg
}

/// A running `sev serve`; killed (SIGKILL) if the test ends without
/// stopping it.
pub struct Server {
    pub child: Child,
    /// `127.0.0.1:PORT`
    pub addr: String,
    log: Arc<Mutex<Vec<String>>>,
}

impl Server {
    /// Start `sev serve --listen 127.0.0.1:0 --config CFG` and wait for its
    /// first line, `listening on ADDR`.
    pub fn start(env: &Env, cfg: &Path) -> Server {
        Server::start_with(env, cfg, &["--listen", "127.0.0.1:0"])
    }

    pub fn start_with(env: &Env, cfg: &Path, args: &[&str]) -> Server {
        let mut child = env
            .cmd()
            .arg("--config")
            .arg(cfg)
            .arg("serve")
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut err = BufReader::new(child.stderr.take().unwrap());
        let mut first = String::new();
        err.read_line(&mut first).unwrap();
        let Some(addr) = first.trim().strip_prefix("listening on ") else {
            let mut rest = String::new();
            let _ = err.read_to_string(&mut rest);
            let _ = child.kill();
            panic!("sev serve did not start: {first}{rest}");
        };
        let addr = addr.to_string();
        let log = Arc::new(Mutex::new(vec![first.trim().to_string()]));
        let l = log.clone();
        std::thread::spawn(move || {
            for line in err.lines() {
                let Ok(line) = line else { break };
                l.lock().unwrap().push(line);
            }
        });
        Server { child, addr, log }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Everything it wrote on stderr so far.
    pub fn log(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    /// Send SIGTERM; wait (at most 30 s) for it to exit.
    pub fn term(&mut self) -> ExitStatus {
        signal(&self.child, libc::SIGTERM);
        self.wait(Duration::from_secs(30))
    }

    pub fn wait(&mut self, limit: Duration) -> ExitStatus {
        let t = Instant::now();
        loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                // Let the reader thread collect the last lines.
                std::thread::sleep(Duration::from_millis(50));
                return s;
            }
            assert!(
                t.elapsed() < limit,
                "sev serve did not stop: {:#?}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn kill9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

pub fn signal(child: &Child, sig: i32) {
    // SAFETY: kill(2) on our own child's pid.
    assert_eq!(unsafe { libc::kill(child.id() as i32, sig) }, 0);
}

/// An HTTP client that returns every status as a response.
pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into()
}

/// POST `body` with `headers`; the status and the body parsed as JSON.
pub fn post(
    a: &ureq::Agent,
    url: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, serde_json::Value) {
    let mut r = a.post(url).header("content-type", "application/json");
    for (k, v) in headers {
        r = r.header(*k, *v);
    }
    let mut resp = r.send(body).unwrap_or_else(|e| panic!("POST {url}: {e}"));
    let status = resp.status().as_u16();
    let text = resp.body_mut().read_to_string().unwrap();
    let v =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{status}: not JSON ({e}): {text}"));
    (status, v)
}

pub fn get(a: &ureq::Agent, url: &str) -> (u16, serde_json::Value) {
    let mut resp = a.get(url).call().unwrap();
    let status = resp.status().as_u16();
    let text = resp.body_mut().read_to_string().unwrap();
    (status, serde_json::from_str(&text).unwrap())
}

pub fn bearer(t: &str) -> String {
    format!("Bearer {t}")
}

/// Grafana's signature of `body`: hex(HMAC-SHA256(secret, body)), by the
/// `hmac` crate here, independently of the server's code.
pub fn grafana_signature(secret: &str, body: &[u8]) -> String {
    use hmac::Mac;
    let mut m = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    m.update(body);
    m.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// What is in the database: (incidents, alerts).
pub fn counts(env: &Env) -> (usize, usize) {
    let s = sev::store::Store::open_read_only(&env.db()).unwrap();
    let incidents = s
        .count(&sev::store::ListQuery {
            scope: sev::store::Scope::All,
            ..Default::default()
        })
        .unwrap();
    let alerts = s.alerts(&sev::store::AlertQuery::default()).unwrap().len();
    (incidents, alerts)
}

/// A raw HTTP/1.1 exchange on a fresh connection, for what a client
/// library would not do (a body sent in two halves).
pub fn raw(addr: &str) -> std::net::TcpStream {
    let s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    s
}

pub fn read_response(mut s: impl Read) -> String {
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    out
}

pub fn write_all(mut s: impl Write, b: &[u8]) {
    s.write_all(b).unwrap();
    s.flush().unwrap();
}
