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
//! The postgres crate knows only disable/prefer/require and no
//! `sslrootcert`, so both are taken out of the URL here and the rest is
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

/// The URL without sev's TLS parameters (for the postgres crate), the
/// mode and the `sslrootcert` given. `shown`: the masked URL, for errors.
pub fn split(url: &str, shown: &str) -> Result<(String, Mode, Option<String>)> {
    let Some((base, query)) = url.split_once('?') else {
        return Ok((url.to_string(), Mode::Prefer, None));
    };
    let mut mode = Mode::Prefer;
    let mut root = None;
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
            "sslrootcert" => root = Some(percent_decoded(v)),
            _ => rest.push(kv),
        }
    }
    rest.push(match mode {
        Mode::Disable => "sslmode=disable",
        Mode::Prefer => "sslmode=prefer",
        _ => "sslmode=require",
    });
    Ok((format!("{base}?{}", rest.join("&")), mode, root))
}

/// libpq's default CA file, `~/.postgresql/root.crt`, when it exists.
fn default_root() -> Option<PathBuf> {
    let f = directories::BaseDirs::new()?
        .home_dir()
        .join(".postgresql/root.crt");
    f.is_file().then_some(f)
}

impl Tls {
    /// The connector for `mode`; `root`: the `sslrootcert` given.
    pub fn new(mode: Mode, root: Option<&str>, shown: &str) -> Result<Tls> {
        if mode == Mode::Disable {
            return Ok(Tls {
                mode,
                connector: None,
                root: None,
            });
        }
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
        let c = b.build().map_err(|e| {
            Error::Unavailable(format!(
                "cannot set up TLS for {shown}: {}",
                crate::text::sanitize_line(&e.to_string())
            ))
        })?;
        Ok(Tls {
            mode,
            connector: Some(MakeTlsConnector::new(c)),
            root,
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
            Err(e) if self.mode == Mode::Prefer && is_tls_error(&e) => {
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

/// A TLS failure as sev's error (exit 5), with what to do.
pub fn tls_error(shown: &str, mode: Mode, e: &postgres::Error) -> Error {
    let d = detail(e);
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
            "postgres://a@h:5432/db?sslmode=verify-full&sslrootcert=%2Fetc%2Fca.crt&application_name=x",
            "shown",
        )
        .unwrap();
        assert_eq!(
            u,
            "postgres://a@h:5432/db?application_name=x&sslmode=require"
        );
        assert_eq!(m, Mode::VerifyFull);
        assert_eq!(r.as_deref(), Some("/etc/ca.crt"));
        let (u, m, r) = split("postgres://a@h/db", "shown").unwrap();
        assert_eq!(
            (u.as_str(), m, r),
            ("postgres://a@h/db", Mode::Prefer, None)
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
            let e = Tls::new(Mode::VerifyFull, None, "s").err().unwrap();
            assert_eq!(e.exit_code(), 2);
            assert!(e.to_string().contains("sslrootcert="), "{e}");
        }
        let e = Tls::new(Mode::VerifyCa, Some("/nonexistent/ca.crt"), "s")
            .err()
            .unwrap();
        assert_eq!(e.exit_code(), 2);
        assert!(e.to_string().contains("cannot read sslrootcert"), "{e}");
        assert!(!Tls::new(Mode::Require, None, "s").unwrap().verified());
    }
}
