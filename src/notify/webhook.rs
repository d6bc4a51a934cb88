//! Webhook channel: one HTTP POST per message, through an agent that keeps
//! connections alive between messages.

use super::{Delivered, DeliveryError, Format, Message, Webhook, head};
use std::io::Read;
use ureq::tls::{RootCerts, TlsConfig, TlsProvider};

/// The most of a response body that is read (and kept for the record).
const BODY_MAX: u64 = 64 * 1024;
/// The most of a response body quoted in an error.
const QUOTE_MAX: usize = 512;

/// An agent for one webhook channel: every status comes back as a
/// response, no redirects (a POST that is redirected is a config mistake,
/// reported with the new location), the channel's timeout over the whole
/// exchange, TLS through native-tls with the system's root certificates.
pub(super) fn agent(w: &Webhook) -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .max_redirects_will_error(false)
        .timeout_global(Some(w.timeout))
        .user_agent(concat!("sev/", env!("CARGO_PKG_VERSION")))
        .tls_config(
            TlsConfig::builder()
                .provider(TlsProvider::NativeTls)
                .root_certs(RootCerts::PlatformVerifier)
                .build(),
        )
        .build()
        .into()
}

/// The request body for this channel's format.
pub(super) fn body(format: Format, msg: &Message) -> Vec<u8> {
    let v = match format {
        Format::Json => serde_json::to_value(msg).unwrap_or_default(),
        Format::Slack => {
            let text = if msg.text.is_empty() {
                msg.subject.clone()
            } else {
                format!("{}\n{}", msg.subject, msg.text)
            };
            serde_json::json!({ "text": slack_escape(&text) })
        }
    };
    serde_json::to_vec(&v).unwrap_or_default()
}

/// Slack reads `<…>` as a link or a mention (`<!channel>` pings everyone)
/// and asks senders to escape `&`, `<` and `>`; Mattermost's Markdown
/// shows the entities as the characters.
fn slack_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

pub(super) fn post(
    agent: &ureq::Agent,
    w: &Webhook,
    headers: &[(String, String)],
    msg: &Message,
) -> Result<Delivered, DeliveryError> {
    let mut req = agent
        .post(&w.url)
        .header("Content-Type", "application/json")
        .header("Idempotency-Key", header_safe(&msg.idempotency_key))
        .header("X-Sev-Message-Id", msg.id.to_string());
    for (k, v) in headers {
        req = req.header(k, v);
    }
    let mut resp = req
        .send(&body(w.format, msg)[..])
        .map_err(|e| transport_error(e, w))?;
    let status = resp.status().as_u16();
    let location = resp
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(|s| crate::text::sanitize_line(head(s, QUOTE_MAX)).into_owned());
    let mut buf = Vec::new();
    // A body cut short (or cut off at the limit) still leaves the status.
    let _ = resp
        .body_mut()
        .as_reader()
        .take(BODY_MAX)
        .read_to_end(&mut buf);
    let text = String::from_utf8_lossy(&buf);
    let quoted = head(text.trim(), QUOTE_MAX);
    let with_body = |what: String| {
        if quoted.is_empty() {
            what
        } else {
            format!("{what}: {quoted}")
        }
    };
    match status {
        200..=299 => Ok(Delivered {
            detail: format!("HTTP {status}"),
        }),
        300..=399 => Err(DeliveryError::fatal(format!(
            "HTTP {status}: the webhook answers with a redirect{}; put the final URL in the channel's url",
            location.map(|l| format!(" to {l}")).unwrap_or_default()
        ))),
        408 | 425 | 429 | 500..=599 => {
            Err(DeliveryError::retry(with_body(format!("HTTP {status}"))))
        }
        _ => Err(DeliveryError::fatal(with_body(format!("HTTP {status}")))),
    }
}

/// The idempotency key as a header value: printable ASCII only.
fn header_safe(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_ascii_graphic() { c } else { '_' })
        .collect()
}

fn transport_error(e: ureq::Error, w: &Webhook) -> DeliveryError {
    use ureq::Error as E;
    match e {
        E::Timeout(_) => DeliveryError::retry(format!(
            "no answer within the timeout ({}s)",
            w.timeout.as_secs_f64()
        )),
        E::Io(io) => DeliveryError::retry(format!("connection failed: {io}")),
        E::HostNotFound => DeliveryError::retry("host not found (DNS)"),
        E::ConnectionFailed => DeliveryError::retry("connection failed"),
        E::Protocol(p) => DeliveryError::retry(format!("bad HTTP answer: {p}")),
        E::Tls(t) => DeliveryError::retry(format!("TLS: {t}")),
        E::BadUri(u) => DeliveryError::fatal(format!("bad URL: {u}")),
        E::Http(h) => DeliveryError::fatal(format!("bad request: {h}")),
        other => DeliveryError::retry(other.to_string()),
    }
}
