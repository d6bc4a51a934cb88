//! Email channel: the message as RFC 5322 text (headers stripped of line
//! breaks and RFC 2047-encoded when not plain ASCII, the body
//! quoted-printable when it has to be), handed to an SMTP relay or to
//! the host's sendmail.

use super::{Delivered, DeliveryError, Email, MailTransport, Message};
use chrono::{DateTime, Utc};

pub(super) fn deliver(m: &Email, msg: &Message) -> Result<Delivered, DeliveryError> {
    let to = recipients(&msg.to)?;
    let text = compose(&m.from, &to, msg, Utc::now());
    match &m.transport {
        MailTransport::Smtp(addr) => super::smtp::send(addr, &m.from, &to, &text, m.timeout),
        MailTransport::Sendmail(prog) => {
            let argv = [prog.display().to_string(), "-t".into(), "-i".into()];
            // sendmail reads lines ending in LF.
            let lf = text.replace("\r\n", "\n");
            super::exec::run(&argv, &[], lf.as_bytes(), m.timeout)?
                // sysexits: usage, data, no user, no host, config — a
                // second try cannot help; EX_TEMPFAIL (75) and others may.
                .verdict(|c| !matches!(c, 64 | 65 | 67 | 68 | 78))
        }
    }
}

/// The recipients in a contact address: one address, or several
/// separated by commas (a stakeholder list).
pub(super) fn recipients(to: &str) -> Result<Vec<String>, DeliveryError> {
    let list: Vec<String> = to
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect();
    if list.is_empty() {
        return Err(DeliveryError::fatal(
            "no recipient: an email contact needs an address in 'to'",
        ));
    }
    if let Some(bad) = list.iter().find(|a| !valid_address(a)) {
        return Err(DeliveryError::fatal(format!(
            "{:?} is not an email address (write it like alice@example.com)",
            crate::text::sanitize_line(bad)
        )));
    }
    Ok(list)
}

/// A bare ASCII address `local@domain`, with nothing that could end a
/// header or an SMTP command early.
pub fn valid_address(a: &str) -> bool {
    let Some((local, domain)) = a.split_once('@') else {
        return false;
    };
    a.len() <= 254
        && !local.is_empty()
        && !domain.is_empty()
        && !domain.contains('@')
        && a.bytes()
            .all(|b| b.is_ascii_graphic() && !b"<>()[],;:\\\"".contains(&b))
}

/// The whole message, lines ending in CRLF.
pub(super) fn compose(from: &str, to: &[String], msg: &Message, now: DateTime<Utc>) -> String {
    let key: String = msg
        .idempotency_key
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-+".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let key = if key.is_empty() {
        format!("sev-{}", msg.id)
    } else {
        key
    };
    let (encoding, body) = body(&msg.text);
    let mut h = String::new();
    let mut add = |name: &str, value: &str| {
        h.push_str(name);
        h.push_str(": ");
        h.push_str(value);
        h.push_str("\r\n");
    };
    add("From", from);
    add("To", &to.join(", "));
    add("Subject", &header_text(&msg.subject));
    add("Date", &now.to_rfc2822());
    add("Message-ID", &format!("<{key}@sev>"));
    add("X-Sev-Message-Id", &msg.id.to_string());
    add("Auto-Submitted", "auto-generated");
    add("MIME-Version", "1.0");
    add("Content-Type", "text/plain; charset=utf-8");
    add("Content-Transfer-Encoding", encoding);
    h.push_str("\r\n");
    h.push_str(&body);
    h
}

/// The longest unencoded header value kept (lines may be 998 octets).
const HEADER_MAX: usize = 900;

/// A header value: every control and line-break character becomes a
/// space (no header injection), then RFC 2047 `=?UTF-8?B?…?=` words when
/// the text is not plain ASCII, folded at 75 characters per word.
pub(super) fn header_text(s: &str) -> String {
    let clean: String = s
        .chars()
        .map(|c| {
            if c.is_control() || crate::text::is_line_break(c) {
                ' '
            } else {
                c
            }
        })
        .collect();
    let clean = super::head(clean.trim(), HEADER_MAX * 2);
    if clean.is_ascii() && !clean.contains("=?") && clean.len() <= HEADER_MAX {
        return clean.to_string();
    }
    // 45 bytes → 60 base64 characters + 12 of framing ≤ 75.
    let mut words = Vec::new();
    let mut rest = clean;
    while !rest.is_empty() {
        let chunk = super::head(rest, 45);
        let chunk = if chunk.is_empty() {
            // One character longer than 45 bytes cannot happen in UTF-8.
            rest
        } else {
            chunk
        };
        words.push(format!("=?UTF-8?B?{}?=", base64(chunk.as_bytes())));
        rest = &rest[chunk.len()..];
    }
    words.join("\r\n ")
}

/// The body and its transfer encoding: plain ASCII with short lines as
/// is; anything else quoted-printable (safe through any relay, no
/// 8BITMIME needed, no line over 76 characters).
fn body(text: &str) -> (&'static str, String) {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let plain = text.is_ascii()
        && text.lines().all(|l| l.len() <= 998)
        && !text
            .bytes()
            .any(|b| b.is_ascii_control() && b != b'\n' && b != b'\t');
    let mut out = String::with_capacity(text.len() + 16);
    if plain {
        for line in text.lines() {
            out.push_str(line);
            out.push_str("\r\n");
        }
        return ("7bit", out);
    }
    for line in text.lines() {
        quoted_printable_line(line.as_bytes(), &mut out);
    }
    ("quoted-printable", out)
}

fn quoted_printable_line(line: &[u8], out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut col = 0;
    for (i, &b) in line.iter().enumerate() {
        let last = i + 1 == line.len();
        let literal = (b == b' ' || b == b'\t') && !last || (33..=126).contains(&b) && b != b'=';
        let piece_len = if literal { 1 } else { 3 };
        // Room for the soft break "=" at the end of each line.
        if col + piece_len > 75 {
            out.push_str("=\r\n");
            col = 0;
        }
        if literal {
            out.push(b as char);
        } else {
            out.push('=');
            out.push(HEX[(b >> 4) as usize] as char);
            out.push(HEX[(b & 15) as usize] as char);
        }
        col += piece_len;
    }
    out.push_str("\r\n");
}

/// Standard base64 with padding.
pub(super) fn base64(data: &[u8]) -> String {
    crate::domain::evidence::b64::encode(data)
}
