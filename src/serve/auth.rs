//! Who is sending: each integration's credential, read once at start from
//! a file only the service user can read, and matched in constant time.
//!
//! Alertmanager, Grafana and generic senders send `Authorization: Bearer
//! TOKEN` or `Basic base64(user:password)`; the integration's `secret_file`
//! holds the token, or `user:password`. PagerDuty senders put the routing
//! key in the body; `routing_key_file` holds it. Only SHA-256 digests are
//! kept in memory after start (Grafana's signing secret excepted: the HMAC
//! needs it), so nothing compared leaks its length or its prefix.

use crate::error::{Error, Result};
use crate::intake::config::AlertsConfig;
use crate::intake::model::Source;
use crate::text::sanitize_line;
use sha2::{Digest, Sha256};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::Path;

type Hash = [u8; 32];

fn digest(b: &[u8]) -> Hash {
    Sha256::digest(b).into()
}

/// Equal, in time that does not depend on where they differ.
fn same(a: &Hash, b: &Hash) -> bool {
    let mut d = 0u8;
    for (x, y) in a.iter().zip(b) {
        d |= x ^ y;
    }
    std::hint::black_box(d) == 0
}

/// One integration's credentials.
struct Entry {
    name: String,
    source: Source,
    secret: Option<Hash>,
    routing_key: Option<Hash>,
    signing: Option<Vec<u8>>,
}

/// Every integration's credentials, loaded at start.
pub struct Keys {
    entries: Vec<Entry>,
}

/// Why a request is not let in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// No credential, or one no integration holds (401).
    Unauthorized(&'static str),
    /// A valid credential for another endpoint (404, says which).
    Elsewhere(String),
}

/// Who a request is from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth<'a> {
    /// The integration its credential belongs to.
    Integration(&'a str),
    /// No credential, but a Grafana integration that signs instead: its
    /// signature decides ([`Keys::grafana_by_signature`]).
    BySignature,
}

fn signing_only(e: &Entry) -> bool {
    e.source == Source::Grafana && e.secret.is_none() && e.signing.is_some()
}

/// What a request presented.
pub struct Presented(Option<Hash>);

impl Presented {
    /// From the `Authorization` header: `Bearer TOKEN` or `Basic …`.
    pub fn from_header(h: Option<&[u8]>) -> Presented {
        let Some(h) = h else {
            return Presented(None);
        };
        let h = h.trim_ascii();
        let (scheme, rest) = match h.iter().position(|&b| b == b' ') {
            Some(i) => (&h[..i], h[i + 1..].trim_ascii()),
            None => return Presented(None),
        };
        if scheme.eq_ignore_ascii_case(b"bearer") && !rest.is_empty() {
            Presented(Some(digest(rest)))
        } else if scheme.eq_ignore_ascii_case(b"basic") {
            Presented(base64_decode(rest).map(|b| digest(&b)))
        } else {
            Presented(None)
        }
    }
}

impl Keys {
    /// Read every integration's secret files. A file that is a link, not
    /// a regular file, not the service user's, or readable by others stops
    /// `sev serve` with the fix. Returns warnings for integrations no HTTP
    /// request can reach.
    pub fn load(cfg: &AlertsConfig) -> Result<(Keys, Vec<String>)> {
        let mut entries = Vec::new();
        let mut warnings = Vec::new();
        for i in &cfg.integrations {
            let read = |p: &Option<std::path::PathBuf>, what: &str| -> Result<Option<Vec<u8>>> {
                p.as_deref()
                    .map(|p| read_secret(p, what, &i.name))
                    .transpose()
            };
            let e = Entry {
                name: i.name.clone(),
                source: i.source,
                secret: read(&i.secret_file, "secret_file")?.map(|s| digest(&s)),
                routing_key: read(&i.routing_key_file, "routing_key_file")?.map(|s| digest(&s)),
                signing: read(&i.signing_secret_file, "signing_secret_file")?,
            };
            let shown = sanitize_line(&i.name);
            match i.source {
                Source::Pagerduty if e.routing_key.is_none() => warnings.push(format!(
                    "integration {shown} (pagerduty) has no routing_key_file: no event can reach it"
                )),
                Source::Alertmanager | Source::Generic if e.secret.is_none() => {
                    warnings.push(format!(
                        "integration {shown} ({}) has no secret_file: every request to it is refused (401)",
                        i.source
                    ))
                }
                Source::Grafana if e.secret.is_none() && e.signing.is_none() => {
                    warnings.push(format!(
                        "integration {shown} (grafana) has neither secret_file nor signing_secret_file: every request to it is refused (401)"
                    ))
                }
                _ => {}
            }
            entries.push(e);
        }
        Ok((Keys { entries }, warnings))
    }

    /// The integration of `source` (named `name`, for generic senders and
    /// heartbeats; any source, for heartbeats) that `p` is the credential
    /// of. Every entry is compared, whatever matches first. Without a
    /// credential, a Grafana request may still be let in by its signature
    /// alone ([`Auth::BySignature`]).
    pub fn authenticate(
        &self,
        source: Option<Source>,
        name: Option<&str>,
        p: &Presented,
    ) -> std::result::Result<Auth<'_>, Refusal> {
        let fits =
            |e: &Entry| source.is_none_or(|s| s == e.source) && name.is_none_or(|n| n == e.name);
        let mut found: Option<&Entry> = None;
        let mut other: Option<&Entry> = None;
        if let Some(h) = &p.0 {
            for e in &self.entries {
                let m = e.secret.as_ref().is_some_and(|s| same(s, h))
                    | (source.is_none() && e.routing_key.as_ref().is_some_and(|k| same(k, h)));
                if m && fits(e) && found.is_none() {
                    found = Some(e);
                } else if m && other.is_none() {
                    other = Some(e);
                }
            }
        } else if source == Some(Source::Grafana)
            && self.entries.iter().any(|e| fits(e) && signing_only(e))
        {
            return Ok(Auth::BySignature);
        }
        if let Some(e) = found {
            return Ok(Auth::Integration(&e.name));
        }
        match (other, &p.0) {
            (Some(o), _) => Err(Refusal::Elsewhere(format!(
                "this credential is integration {}'s, a {} integration: send to {}",
                sanitize_line(&o.name),
                o.source,
                endpoint_of(o)
            ))),
            (None, None) => Err(Refusal::Unauthorized(
                "no credential: send Authorization: Bearer TOKEN (or basic auth) with the token in the integration's secret_file",
            )),
            (None, Some(_)) => Err(Refusal::Unauthorized(
                "the credential matches no integration of this endpoint",
            )),
        }
    }

    /// The Grafana integration with a signing secret and no other
    /// credential whose secret `verify` accepts.
    pub fn grafana_by_signature(&self, verify: impl Fn(&[u8]) -> bool) -> Option<&str> {
        let mut found = None;
        for e in self.entries.iter().filter(|e| e.source == Source::Grafana) {
            if signing_only(e)
                && verify(e.signing.as_deref().unwrap_or_default())
                && found.is_none()
            {
                found = Some(e.name.as_str());
            }
        }
        found
    }

    /// The PagerDuty integration whose routing key is `key`.
    pub fn by_routing_key(&self, key: &str) -> Option<&str> {
        let h = digest(key.as_bytes());
        let mut found = None;
        for e in &self.entries {
            if e.source == Source::Pagerduty
                && e.routing_key.as_ref().is_some_and(|k| same(k, &h))
                && found.is_none()
            {
                found = Some(e.name.as_str());
            }
        }
        found
    }

    /// Grafana's signing secret for integration `name`, when it has one.
    pub fn signing_secret(&self, name: &str) -> Option<&[u8]> {
        self.entries
            .iter()
            .find(|e| e.name == name)
            .and_then(|e| e.signing.as_deref())
    }
}

fn endpoint_of(e: &Entry) -> String {
    match e.source {
        Source::Generic => format!("/ingest/generic/{}", sanitize_line(&e.name)),
        Source::Pagerduty => "/v2/enqueue (the routing key goes in the body)".into(),
        s => format!("/ingest/{s}"),
    }
}

/// Secrets are short; anything bigger is not one.
const SECRET_MAX: u64 = 64 * 1024;

/// Read a secret file: a regular file (never through a link), the service
/// user's own, with no group or other bits. Leading and trailing
/// whitespace (the newline an editor adds) is not part of the secret.
pub fn read_secret(path: &Path, what: &str, integration: &str) -> Result<Vec<u8>> {
    let f = sanitize_line(&path.display().to_string()).into_owned();
    let name = sanitize_line(integration);
    let refuse = |why: String| Error::Usage(format!("{what} {f} of integration {name}: {why}"));
    let link = std::fs::symlink_metadata(path).map_err(|e| refuse(format!("{e}")))?;
    if link.file_type().is_symlink() {
        return Err(refuse(format!(
            "it is a symbolic link; name the real file (and make sure you made the link): sev reads secrets only from the service user's own file, chmod 600 {f}"
        )));
    }
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(nix::libc::O_NOFOLLOW | nix::libc::O_NONBLOCK)
        .open(path)
        .map_err(|e| refuse(format!("{e}")))?;
    let m = file.metadata().map_err(|e| refuse(format!("{e}")))?;
    if !m.is_file() {
        return Err(refuse("not a regular file".into()));
    }
    let me = nix::unistd::geteuid().as_raw();
    if m.uid() != me {
        return Err(refuse(format!(
            "it belongs to {}, not to {} who runs sev serve: chown it to the service user, then chmod 600 {f}",
            crate::access::user_name(m.uid()),
            crate::access::user_name(me)
        )));
    }
    let mode = m.mode() & 0o7777;
    if mode & 0o077 != 0 {
        return Err(refuse(format!(
            "it has mode {mode:04o}, so others may read the secret: chmod 600 {f}"
        )));
    }
    if m.len() > SECRET_MAX {
        return Err(refuse(format!(
            "it is {} bytes, not a secret: name the file holding only the token",
            m.len()
        )));
    }
    let mut buf = Vec::new();
    std::io::Read::read_to_end(&mut std::io::Read::take(&mut file, SECRET_MAX), &mut buf)
        .map_err(|e| refuse(format!("{e}")))?;
    let s = buf.trim_ascii();
    if s.is_empty() {
        return Err(refuse(
            "it is empty: write the token (or user:password) into it".into(),
        ));
    }
    Ok(s.to_vec())
}

/// Standard base64 (padding optional); `None` when it is not.
fn base64_decode(s: &[u8]) -> Option<Vec<u8>> {
    use base64::Engine;
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    const ANY_PADDING: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );
    ANY_PADDING.decode(s).ok()
}

#[cfg(test)]
#[path = "auth_tests.rs"]
mod tests;
