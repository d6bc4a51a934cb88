//! TLS to PostgreSQL, as libpq's `sslmode` and `sslrootcert` say:
//!
//! - `disable`: never TLS.
//! - `prefer` (the default, as in libpq): TLS when the server offers it,
//!   plain otherwise (also when the handshake fails); the certificate is
//!   not checked.
//! - `require`: TLS or no connection; the certificate is checked against
//!   `sslrootcert` only when one is given (libpq's rule).
//! - `verify-ca`: TLS, and the server's certificate must chain to the CA
//!   in `sslrootcert` (or `~/.postgresql/root.crt`; `system`: the
//!   system's CAs).
//! - `verify-full`: as verify-ca, and the certificate must name the host.
//!
//! A client certificate, as libpq: `sslcert` (PEM, the certificate and
//! any intermediates) and `sslkey` (PEM, PKCS#8), by default
//! `~/.postgresql/postgresql.crt` and `postgresql.key` when the
//! certificate is there. The key file must be a regular file of this user
//! with no group or other access (libpq's rule; one owned by root may be
//! group-readable, 0640).
//!
//! The postgres crate knows only disable/prefer/require and none of the
//! file parameters, so they are taken out of the URL here and the rest is
//! handed to it. The TLS itself is the system's OpenSSL (native-tls).

use crate::error::{Error, Result};
use postgres::config::SslMode;
use postgres_native_tls::MakeTlsConnector;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Disable,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Disable => "disable",
            Mode::Prefer => "prefer",
            Mode::Require => "require",
            Mode::VerifyCa => "verify-ca",
            Mode::VerifyFull => "verify-full",
        }
    }

    fn parse(s: &str) -> Option<Mode> {
        Some(match s {
            "disable" => Mode::Disable,
            "prefer" => Mode::Prefer,
            "require" => Mode::Require,
            "verify-ca" => Mode::VerifyCa,
            "verify-full" => Mode::VerifyFull,
            _ => return None,
        })
    }
}

/// How this store talks TLS: the mode asked for and the connector for it.
#[derive(Clone)]
pub struct Tls {
    pub mode: Mode,
    connector: Option<MakeTlsConnector>,
    /// The CA file the certificate was checked against, when one was.
    pub root: Option<PathBuf>,
    /// Is a client certificate presented?
    pub client_cert: bool,
    /// Which one, for `sev doctor`.
    pub client_cert_info: Option<super::ClientCert>,
}

/// `%2F` → `/` (a URL's query value).
fn percent_decoded(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && let Some(v) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The files a URL names for TLS (each as given, percent-decoded).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Files {
    /// `sslrootcert`: the CA the server's certificate must chain to.
    pub root: Option<String>,
    /// `sslcert`: this client's certificate.
    pub cert: Option<String>,
    /// `sslkey`: the private key of `cert`.
    pub key: Option<String>,
}

/// The URL without sev's TLS parameters (for the postgres crate), the
/// mode and the files given. `shown`: the masked URL, for errors.
pub fn split(url: &str, shown: &str) -> Result<(String, Mode, Files)> {
    let Some((base, query)) = url.split_once('?') else {
        return Ok((url.to_string(), Mode::Prefer, Files::default()));
    };
    let mut mode = Mode::Prefer;
    let mut files = Files::default();
    let mut rest = Vec::new();
    for kv in query.split('&').filter(|kv| !kv.is_empty()) {
        let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
        match k {
            "sslmode" => {
                let v = percent_decoded(v);
                mode = Mode::parse(&v).ok_or_else(|| {
                    Error::Usage(format!(
                        "{shown}: sslmode={} is not one sev knows: write disable, prefer, require, verify-ca or verify-full",
                        crate::text::sanitize_line(&v)
                    ))
                })?;
            }
            "sslrootcert" => files.root = Some(percent_decoded(v)),
            "sslcert" => files.cert = Some(percent_decoded(v)),
            "sslkey" => files.key = Some(percent_decoded(v)),
            _ => rest.push(kv),
        }
    }
    rest.push(match mode {
        Mode::Disable => "sslmode=disable",
        Mode::Prefer => "sslmode=prefer",
        _ => "sslmode=require",
    });
    Ok((format!("{base}?{}", rest.join("&")), mode, files))
}

/// A file of libpq's in `~/.postgresql`, when it exists.
fn default_file(name: &str) -> Option<PathBuf> {
    let f = directories::BaseDirs::new()?
        .home_dir()
        .join(".postgresql")
        .join(name);
    f.is_file().then_some(f)
}

/// libpq's default CA file, `~/.postgresql/root.crt`, when it exists.
fn default_root() -> Option<PathBuf> {
    default_file("root.crt")
}

/// A path for messages: one line, nothing raw.
fn shown_path(f: &Path) -> String {
    crate::text::sanitize_line(&f.display().to_string()).into_owned()
}

/// The client certificate and key to present, when there is one: the
/// files named in the URL, else libpq's defaults when the certificate is
/// there. A file named in the URL that cannot be read is an error (libpq
/// would quietly send no certificate; then the server's refusal would not
/// say why).
fn client_identity(files: &Files) -> Result<Option<(native_tls::Identity, super::ClientCert)>> {
    let cert = match files.cert.as_deref() {
        Some(c) if !c.is_empty() => PathBuf::from(c),
        _ => match default_file("postgresql.crt") {
            Some(c) => c,
            None if files.key.as_deref().is_some_and(|k| !k.is_empty()) => {
                return Err(Error::Usage(
                    "sslkey= is given without a certificate: add sslcert=/path/to/client.crt to the URL (or put it in ~/.postgresql/postgresql.crt)".into(),
                ));
            }
            None => return Ok(None),
        },
    };
    let key = match files.key.as_deref() {
        Some(k) if !k.is_empty() => PathBuf::from(k),
        _ => directories::BaseDirs::new()
            .map(|d| d.home_dir().join(".postgresql/postgresql.key"))
            .unwrap_or_else(|| PathBuf::from("postgresql.key")),
    };
    let (cert_f, key_f) = (shown_path(&cert), shown_path(&key));
    let cert_pem = std::fs::read(&cert).map_err(|e| {
        Error::Usage(format!(
            "cannot read sslcert {cert_f}: {e} — name this client's certificate file (PEM) in the URL"
        ))
    })?;
    if !String::from_utf8_lossy(&cert_pem).contains("-----BEGIN CERTIFICATE-----") {
        return Err(Error::Usage(format!(
            "sslcert {cert_f} holds no PEM certificate (-----BEGIN CERTIFICATE-----): give the client certificate in PEM form"
        )));
    }
    let key_pem = read_key(&key, &key_f)?;
    native_tls::Identity::from_pkcs8(&cert_pem, &key_pem)
        .map(|id| Some((id, super::ClientCert::read(cert_f.clone(), &cert_pem))))
        .map_err(|e| {
            Error::Usage(format!(
                "sslcert {cert_f} with sslkey {key_f} is not a certificate and key sev can use ({}): give the certificate in PEM form and its key as PKCS#8 PEM",
                crate::text::sanitize_line(&e.to_string())
            ))
        })
}

/// The private key of a client certificate: a regular file of this user
/// that no one else may read (libpq's rule: group/other access refused;
/// a key owned by root may be group-readable), in PKCS#8 PEM. Errors name
/// the file, never what is in it.
fn read_key(key: &Path, key_f: &str) -> Result<Vec<u8>> {
    use std::io::Read;
    use std::os::unix::fs::MetadataExt;
    let mut file = std::fs::File::open(key).map_err(|e| {
        Error::Usage(format!(
            "cannot read sslkey {key_f}: {e} — name the client certificate's private key file in the URL (sslkey=)"
        ))
    })?;
    let m = file
        .metadata()
        .map_err(|e| Error::Usage(format!("cannot read sslkey {key_f}: {e}")))?;
    if !m.is_file() {
        return Err(Error::Usage(format!(
            "sslkey {key_f} is not a regular file: name the client certificate's private key file"
        )));
    }
    let me = nix::unistd::geteuid().as_raw();
    let mode = m.mode() & 0o7777;
    let open = if m.uid() == me {
        mode & 0o077 != 0
    } else if m.uid() == 0 {
        mode & 0o037 != 0
    } else {
        return Err(Error::Usage(format!(
            "sslkey {key_f} belongs to {}, not to you: a private key must be your own file (chown it, then chmod 600 {key_f})",
            crate::access::user_name(m.uid())
        )));
    };
    if open {
        return Err(Error::Usage(format!(
            "sslkey {key_f} has mode {mode:04o}, so others may read the private key: chmod 600 {key_f}"
        )));
    }
    let mut pem = Vec::new();
    file.read_to_end(&mut pem)
        .map_err(|e| Error::Usage(format!("cannot read sslkey {key_f}: {e}")))?;
    let start = pem
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(pem.len());
    pem.drain(..start);
    if pem.starts_with(b"-----BEGIN PRIVATE KEY-----") {
        return Ok(pem);
    }
    Err(Error::Usage(
        if pem.starts_with(b"-----BEGIN ENCRYPTED PRIVATE KEY-----") {
            format!(
                "sslkey {key_f} is encrypted, and sev cannot ask for its passphrase: keep an unencrypted copy of mode 0600 (openssl pkcs8 -topk8 -nocrypt -in {key_f} -out client.key)"
            )
        } else if pem.starts_with(b"-----BEGIN ") {
            format!(
                "sslkey {key_f} is not in PKCS#8 form (-----BEGIN PRIVATE KEY-----): convert it with openssl pkcs8 -topk8 -nocrypt -in {key_f} -out client.key (then chmod 600)"
            )
        } else {
            format!(
                "sslkey {key_f} holds no PEM private key: give the client certificate's key as PKCS#8 PEM (-----BEGIN PRIVATE KEY-----)"
            )
        },
    ))
}

impl Tls {
    /// The connector for `mode` and the files the URL gave.
    pub fn new(mode: Mode, files: &Files, shown: &str) -> Result<Tls> {
        if mode == Mode::Disable {
            return Ok(Tls {
                mode,
                connector: None,
                root: None,
                client_cert: false,
                client_cert_info: None,
            });
        }
        let root = files.root.as_deref();
        let verify = matches!(mode, Mode::VerifyCa | Mode::VerifyFull);
        let root: Option<PathBuf> = match root {
            Some(r) if !r.is_empty() => Some(PathBuf::from(r)),
            _ if verify => Some(default_root().ok_or_else(|| {
                Error::Usage(format!(
                    "{shown} asks for sslmode={}, which checks the server's certificate against a CA: add sslrootcert=/path/to/ca.crt to the URL (or sslrootcert=system for the system's CAs)",
                    mode.as_str()
                ))
            })?),
            _ => None,
        };
        let mut b = native_tls::TlsConnector::builder();
        match &root {
            None => {
                // prefer/require without a CA: encrypted, not verified (libpq).
                b.danger_accept_invalid_certs(true);
            }
            Some(r) if r == Path::new("system") => {}
            Some(r) => {
                b.disable_built_in_roots(true);
                for c in ca_certificates(r)? {
                    b.add_root_certificate(c);
                }
            }
        }
        if mode != Mode::VerifyFull {
            b.danger_accept_invalid_hostnames(true);
        }
        let identity = client_identity(files)?;
        let client_cert = identity.is_some();
        let mut client_cert_info = None;
        if let Some((id, info)) = identity {
            b.identity(id);
            client_cert_info = Some(info);
        }
        let c = b.build().map_err(|e| {
            let d = crate::text::sanitize_line(&e.to_string()).into_owned();
            if client_cert && d.contains("mismatch") {
                Error::Usage(format!(
                    "the client certificate (sslcert) and the key (sslkey) given for {shown} do not belong together ({d}): name the key made with that certificate"
                ))
            } else {
                Error::Unavailable(format!("cannot set up TLS for {shown}: {d}"))
            }
        })?;
        Ok(Tls {
            mode,
            connector: Some(MakeTlsConnector::new(c)),
            root,
            client_cert,
            client_cert_info,
        })
    }

    /// Connect as this mode says; `prefer` falls back to a plain
    /// connection when the TLS handshake fails, as libpq does.
    pub fn connect(
        &self,
        config: &postgres::Config,
    ) -> std::result::Result<postgres::Client, postgres::Error> {
        let Some(c) = &self.connector else {
            return config.connect(postgres::NoTls);
        };
        match config.connect(c.clone()) {
            // Not with a client certificate: its refusal must be told, not
            // hidden behind a plain connection the server refuses anyway.
            Err(e) if self.mode == Mode::Prefer && !self.client_cert && is_tls_error(&e) => {
                let mut plain = config.clone();
                plain.ssl_mode(SslMode::Disable);
                plain.connect(postgres::NoTls)
            }
            r => r,
        }
    }

    /// Is the server's certificate checked (against a CA)?
    pub fn verified(&self) -> bool {
        self.root.is_some()
    }
}

/// Every certificate of a PEM file.
fn ca_certificates(f: &Path) -> Result<Vec<native_tls::Certificate>> {
    let shown_f = crate::text::sanitize_line(&f.display().to_string()).into_owned();
    let text = std::fs::read_to_string(f).map_err(|e| {
        Error::Usage(format!(
            "cannot read sslrootcert {shown_f}: {e} — name the CA certificate file (PEM) in the URL"
        ))
    })?;
    const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
    let mut out = Vec::new();
    for block in text.split(BEGIN).skip(1) {
        let pem = format!("{BEGIN}{block}");
        out.push(native_tls::Certificate::from_pem(pem.as_bytes()).map_err(|e| {
            Error::Usage(format!(
                "sslrootcert {shown_f} holds a certificate sev cannot read ({}): give the CA certificate in PEM form",
                crate::text::sanitize_line(&e.to_string())
            ))
        })?);
    }
    if out.is_empty() {
        return Err(Error::Usage(format!(
            "sslrootcert {shown_f} holds no PEM certificate (-----BEGIN CERTIFICATE-----): give the CA certificate in PEM form"
        )));
    }
    Ok(out)
}

/// A failure in TLS (the server refused it, or the handshake failed).
pub fn is_tls_error(e: &postgres::Error) -> bool {
    e.to_string().contains("TLS")
}

/// What went wrong, from the innermost error (OpenSSL's reason).
fn detail(e: &postgres::Error) -> String {
    let mut s: &dyn std::error::Error = e;
    let mut out = e.to_string();
    while let Some(src) = s.source() {
        out = src.to_string();
        s = src;
    }
    crate::text::sanitize_line(&out).into_owned()
}

/// The server's refusal of this client's certificate (or of its lack of
/// one), with what to do. `why`: what the server or OpenSSL said.
pub fn client_cert_refused(shown: &str, tls: &Tls, why: &str) -> String {
    if tls.client_cert {
        format!(
            "PostgreSQL at {shown} refused this client's certificate ({why}): the certificate in sslcert must be signed by a CA in the server's ssl_ca_file, and its CN must be the user name in the URL"
        )
    } else {
        format!(
            "PostgreSQL at {shown} requires a client certificate ({why}): add sslcert=/path/to/client.crt&sslkey=/path/to/client.key to the URL (or put them in ~/.postgresql/postgresql.crt and postgresql.key, the key mode 0600)"
        )
    }
}

/// The server's TLS alert about this client's certificate (OpenSSL's
/// "tlsv13 alert certificate required", "alert unknown ca", …) as sev's
/// error. Under TLS 1.3 the server checks the certificate after the
/// handshake, so its refusal arrives as a failure to read the first
/// answer — and as often as not as a bare connection reset, the alert
/// lost (the server closed while the startup message was on its way): a
/// connection closed like that while a client certificate is presented is
/// told as the probable refusal it is.
pub fn certificate_alert(shown: &str, tls: &Tls, e: &postgres::Error) -> Option<Error> {
    let d = detail(e);
    if d.contains("alert") && ["certificate", "unknown ca"].iter().any(|w| d.contains(w)) {
        return Some(Error::Unavailable(client_cert_refused(shown, tls, &d)));
    }
    let mut s: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(e);
    while let Some(x) = s {
        if let Some(io) = x.downcast_ref::<std::io::Error>()
            && tls.client_cert
            && matches!(
                io.kind(),
                std::io::ErrorKind::ConnectionReset
                    | std::io::ErrorKind::UnexpectedEof
                    | std::io::ErrorKind::BrokenPipe
            )
        {
            return Some(Error::Unavailable(format!(
                "PostgreSQL at {shown} closed the connection as TLS was set up ({d}), which is how a server refuses a client's certificate: the certificate in sslcert must be signed by a CA in the server's ssl_ca_file, and its CN must be the user name in the URL"
            )));
        }
        s = x.source();
    }
    None
}

/// A TLS failure as sev's error (exit 5), with what to do.
pub fn tls_error(shown: &str, tls: &Tls, e: &postgres::Error) -> Error {
    let mode = tls.mode;
    let d = detail(e);
    if let Some(refused) = certificate_alert(shown, tls, e) {
        return refused;
    }
    if d.contains("does not support TLS") {
        return Error::Unavailable(format!(
            "PostgreSQL at {shown} does not offer TLS, and sslmode={} requires it: turn ssl on in the server's postgresql.conf, or use sslmode=disable only on a trusted network",
            mode.as_str()
        ));
    }
    if matches!(mode, Mode::VerifyCa | Mode::VerifyFull | Mode::Require) && d.contains("verify") {
        return Error::Unavailable(format!(
            "TLS verification of PostgreSQL at {shown} failed ({d}): the server's certificate is not signed by the CA in sslrootcert{} — fix sslrootcert or the host in the URL",
            if mode == Mode::VerifyFull {
                ", or does not name this host"
            } else {
                ""
            }
        ));
    }
    Error::Unavailable(format!(
        "TLS with PostgreSQL at {shown} failed ({d}): check the server's ssl settings and sslmode={} in the URL",
        mode.as_str()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sslmode_and_rootcert_are_taken_out_of_the_url() {
        let (u, m, r) = split(
            "postgres://a@h:5432/db?sslmode=verify-full&sslrootcert=%2Fetc%2Fca.crt&application_name=x&sslcert=%2Fc.crt&sslkey=%2Fc.key",
            "shown",
        )
        .unwrap();
        assert_eq!(
            u,
            "postgres://a@h:5432/db?application_name=x&sslmode=require"
        );
        assert_eq!(m, Mode::VerifyFull);
        assert_eq!(r.root.as_deref(), Some("/etc/ca.crt"));
        assert_eq!(r.cert.as_deref(), Some("/c.crt"));
        assert_eq!(r.key.as_deref(), Some("/c.key"));
        let (u, m, r) = split("postgres://a@h/db", "shown").unwrap();
        assert_eq!(
            (u.as_str(), m, r),
            ("postgres://a@h/db", Mode::Prefer, Files::default())
        );
        let (u, m, _) = split("postgres://a@h/db?sslmode=disable", "s").unwrap();
        assert_eq!(
            (u.as_str(), m),
            ("postgres://a@h/db?sslmode=disable", Mode::Disable)
        );
        let e = split("postgres://a@h/db?sslmode=allow", "s").unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(e.to_string().contains("verify-full"), "{e}");
    }

    #[test]
    fn verify_modes_need_a_readable_ca() {
        if default_root().is_none() {
            let e = Tls::new(Mode::VerifyFull, &Files::default(), "s")
                .err()
                .unwrap();
            assert_eq!(e.exit_code(), 2);
            assert!(e.to_string().contains("sslrootcert="), "{e}");
        }
        let files = Files {
            root: Some("/nonexistent/ca.crt".into()),
            ..Files::default()
        };
        let e = Tls::new(Mode::VerifyCa, &files, "s").err().unwrap();
        assert_eq!(e.exit_code(), 2);
        assert!(e.to_string().contains("cannot read sslrootcert"), "{e}");
        let tls = Tls::new(Mode::Require, &Files::default(), "s").unwrap();
        assert!(!tls.verified());
    }

    #[test]
    fn a_client_key_must_be_private_pkcs8_and_is_never_shown() {
        use std::os::unix::fs::PermissionsExt;
        let d = tempfile::tempdir().unwrap();
        let key = d.path().join("client.key");
        let secret = "-----BEGIN RSA PRIVATE KEY-----\nSECRETBITS\n-----END RSA PRIVATE KEY-----\n";
        std::fs::write(&key, secret).unwrap();
        let shown = key.display().to_string();
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
        let e = read_key(&key, &shown).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        let m = e.to_string();
        assert!(m.contains(&format!("chmod 600 {shown}")), "{m}");
        assert!(m.contains("0644"), "{m}");
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
        let m = read_key(&key, &shown).unwrap_err().to_string();
        assert!(
            m.contains("not in PKCS#8 form") && m.contains(&shown),
            "{m}"
        );
        assert!(!m.contains("SECRETBITS"), "{m}");
        std::fs::write(&key, "  -----BEGIN PRIVATE KEY-----\nX\n").unwrap();
        assert!(
            read_key(&key, &shown)
                .unwrap()
                .starts_with(b"-----BEGIN PRIVATE KEY-----")
        );
        let e = read_key(&d.path().join("none.key"), "none.key").unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(e.to_string().contains("cannot read sslkey none.key"), "{e}");
        let e = read_key(d.path(), "dir").unwrap_err();
        assert!(e.to_string().contains("not a regular file"), "{e}");
    }

    #[test]
    fn a_named_client_certificate_must_exist() {
        let files = Files {
            cert: Some("/nonexistent/client.crt".into()),
            key: Some("/nonexistent/client.key".into()),
            ..Files::default()
        };
        let e = Tls::new(Mode::Require, &files, "s").err().unwrap();
        assert_eq!(e.exit_code(), 2);
        assert!(
            e.to_string()
                .contains("cannot read sslcert /nonexistent/client.crt"),
            "{e}"
        );
        // Without TLS there is no certificate to present.
        assert!(!Tls::new(Mode::Disable, &files, "s").unwrap().client_cert);
    }
}
