//! Grafana Alerting's webhook contact point: Alertmanager's shape plus
//! `orgId`, `state`, `title`, `message` and, per alert, `values`,
//! `valueString`, `dashboardURL`, `panelURL`, `silenceURL`, `ruleUID`.
//!
//! Differences from [`super::alertmanager`]: the `fingerprint` is used as
//! given and required (Grafana hashes labels it strips before sending, so
//! it cannot be recomputed); `DatasourceNoData` / `DatasourceError` alerts
//! keep their alertname and their summary names the rule (`rulename`);
//! the panel link is kept.
//!
//! Signing (grafana/alerting `http/hmac.go`, Grafana 12): with a secret
//! configured, Grafana sends hex(HMAC-SHA256(secret, body)) in
//! [`SIGNATURE_HEADER`]; when the contact point also names a timestamp
//! header, it sends the Unix time there and signs `timestamp + ":" + body`.

use super::alertmanager::{Flavor, parse_webhook};
use crate::intake::model::{BadBody, Batch};
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

/// The header Grafana puts the signature in by default (the contact
/// point's `hmacConfig.header` may rename it).
pub const SIGNATURE_HEADER: &str = "X-Grafana-Alerting-Signature";

/// The header sev reads the signing timestamp from. Grafana has no default
/// name for it: a contact point that wants replay protection sets
/// `hmacConfig.timestampHeader` — to this name, for sev.
pub const TIMESTAMP_HEADER: &str = "X-Grafana-Alerting-Timestamp";

pub(super) fn parse(root: &Value) -> Result<Batch, BadBody> {
    parse_webhook(root, Flavor::Grafana)
}

/// Whether `signature_hex` is hex(HMAC-SHA256(secret, [timestamp ":"]
/// body)). The comparison is the `hmac` crate's constant-time one; a
/// signature that is not 64 hex digits is simply wrong.
pub(super) fn signature_ok(
    secret: &[u8],
    body: &[u8],
    signature_hex: &str,
    timestamp: Option<&str>,
) -> bool {
    let Some(sig) = unhex(signature_hex.trim()) else {
        return false;
    };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret) else {
        return false;
    };
    if let Some(ts) = timestamp {
        mac.update(ts.as_bytes());
        mac.update(b":");
    }
    mac.update(body);
    mac.verify_slice(&sig).is_ok()
}

/// 64 hex digits (either case) as 32 bytes.
fn unhex(s: &str) -> Option<[u8; 32]> {
    let b = s.as_bytes();
    if b.len() != 64 {
        return None;
    }
    let nibble = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    };
    let mut out = [0u8; 32];
    for (i, pair) in b.chunks_exact(2).enumerate() {
        out[i] = nibble(pair[0])? << 4 | nibble(pair[1])?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Vectors computed with Python's hmac module:
    //   hmac.new(b"s3cr3t", b'{"status":"firing"}', "sha256").hexdigest()
    //   hmac.new(b"s3cr3t", b'1788255072:{"status":"firing"}', "sha256").hexdigest()
    const SECRET: &[u8] = b"s3cr3t";
    const BODY: &[u8] = br#"{"status":"firing"}"#;
    const PLAIN: &str = "28a683a6144fb7c3f590b19d8b8c9082c07af22f920df265175758c7c0a749ec";
    const STAMPED: &str = "6c609f08271b4b5a987a00a6437b9f49af4b9c3022646a2b688545693c2a2955";

    #[test]
    fn known_vectors() {
        assert!(signature_ok(SECRET, BODY, PLAIN, None));
        assert!(signature_ok(SECRET, BODY, &PLAIN.to_uppercase(), None));
        assert!(signature_ok(SECRET, BODY, &format!(" {PLAIN}\n"), None));
        assert!(signature_ok(SECRET, BODY, STAMPED, Some("1788255072")));
        // RFC 4231 test case 2 (key "Jefe").
        assert!(signature_ok(
            b"Jefe",
            b"what do ya want for nothing?",
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
            None
        ));
    }

    #[test]
    fn anything_else_is_refused() {
        // The timestamp is part of what is signed, both ways.
        assert!(!signature_ok(SECRET, BODY, PLAIN, Some("1788255072")));
        assert!(!signature_ok(SECRET, BODY, STAMPED, None));
        assert!(!signature_ok(SECRET, BODY, STAMPED, Some("1788255073")));
        assert!(!signature_ok(b"other", BODY, PLAIN, None));
        assert!(!signature_ok(
            SECRET,
            br#"{"status":"resolved"}"#,
            PLAIN,
            None
        ));
        assert!(!signature_ok(SECRET, BODY, &PLAIN[..62], None));
        assert!(!signature_ok(SECRET, BODY, &format!("{PLAIN}00"), None));
        assert!(!signature_ok(
            SECRET,
            BODY,
            &format!("sha256={PLAIN}"),
            None
        ));
        assert!(!signature_ok(SECRET, BODY, "", None));
        assert!(!signature_ok(SECRET, BODY, &"zz".repeat(32), None));
        assert!(!signature_ok(SECRET, BODY, "é".repeat(32).as_str(), None));
    }
}
