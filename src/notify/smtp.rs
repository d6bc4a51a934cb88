//! A small SMTP client for a local relay: plain TCP, no AUTH, no TLS;
//! EHLO (HELO when refused), MAIL FROM, RCPT TO, DATA with dot-stuffing,
//! QUIT. The channel's timeout bounds the whole conversation. A 4xx reply
//! is worth another try, a 5xx is not.

use super::{Delivered, DeliveryError, head};
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

/// The longest reply line read; the most reply lines.
const LINE_MAX: u64 = 4096;
const LINES_MAX: usize = 100;

struct Conn {
    reader: BufReader<TcpStream>,
    deadline: Instant,
    relay: String,
}

pub(super) fn send(
    relay: &str,
    from: &str,
    to: &[String],
    message: &str,
    timeout: Duration,
) -> Result<Delivered, DeliveryError> {
    let deadline = Instant::now() + timeout;
    let mut c = Conn::open(relay, deadline)?;
    c.expect("greeting", None)?;
    let host = hostname();
    if let Err(e) = c.expect("EHLO", Some(&format!("EHLO {host}"))) {
        if e.retryable {
            return Err(e);
        }
        c.expect("HELO", Some(&format!("HELO {host}")))?;
    }
    c.expect("MAIL FROM", Some(&format!("MAIL FROM:<{from}>")))?;
    for r in to {
        c.expect("RCPT TO", Some(&format!("RCPT TO:<{r}>")))?;
    }
    let (code, _) = c.command("DATA", Some("DATA"))?;
    if code != 354 {
        return Err(c.refused("DATA", code, ""));
    }
    c.write(&dot_stuff(message))?;
    let (code, text) = c.command("end of data", Some("."))?;
    if !(200..300).contains(&code) {
        return Err(c.refused("end of data", code, &text));
    }
    let _ = c.command("QUIT", Some("QUIT"));
    let text = crate::text::sanitize_line(head(text.trim(), 200)).into_owned();
    Ok(Delivered {
        detail: format!("SMTP {code} {text}").trim_end().to_string(),
    })
}

/// A line beginning with `.` gets one more (RFC 5321 4.5.2), so a body
/// line of a single dot cannot end the message early. The input's lines
/// end in CRLF.
pub(super) fn dot_stuff(message: &str) -> String {
    let mut out = String::with_capacity(message.len() + 8);
    for line in message.split_inclusive("\r\n") {
        if line.starts_with('.') {
            out.push('.');
        }
        out.push_str(line);
    }
    if !out.ends_with("\r\n") {
        out.push_str("\r\n");
    }
    out
}

impl Conn {
    fn open(relay: &str, deadline: Instant) -> Result<Conn, DeliveryError> {
        let shown = crate::text::sanitize_line(relay).into_owned();
        let addrs = relay.to_socket_addrs().map_err(|e| {
            DeliveryError::retry(format!("SMTP relay {shown}: cannot resolve: {e}"))
        })?;
        let mut last = None;
        for a in addrs {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            match TcpStream::connect_timeout(&a, left) {
                Ok(s) => {
                    let _ = s.set_nodelay(true);
                    return Ok(Conn {
                        reader: BufReader::new(s),
                        deadline,
                        relay: shown,
                    });
                }
                Err(e) => last = Some(e),
            }
        }
        Err(DeliveryError::retry(match last {
            Some(e) => format!("SMTP relay {shown}: cannot connect: {e}"),
            None => format!("SMTP relay {shown}: no answer within the timeout"),
        }))
    }

    fn left(&self, stage: &str) -> Result<Duration, DeliveryError> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left < Duration::from_millis(1) {
            return Err(self.timed_out(stage));
        }
        Ok(left)
    }

    fn timed_out(&self, stage: &str) -> DeliveryError {
        DeliveryError::retry(format!(
            "SMTP relay {}: no answer within the timeout (at {stage})",
            self.relay
        ))
    }

    fn io(&self, stage: &str, e: std::io::Error) -> DeliveryError {
        if matches!(
            e.kind(),
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
        ) {
            return self.timed_out(stage);
        }
        DeliveryError::retry(format!("SMTP relay {} at {stage}: {e}", self.relay))
    }

    fn write(&mut self, data: &str) -> Result<(), DeliveryError> {
        let left = self.left("sending")?;
        let s = self.reader.get_mut();
        s.set_write_timeout(Some(left))
            .map_err(|e| DeliveryError::retry(e.to_string()))?;
        s.write_all(data.as_bytes())
            .and_then(|_| s.flush())
            .map_err(|e| self.io("sending", e))
    }

    /// Send `line` (if any) and read the reply: its code and text.
    fn command(&mut self, stage: &str, line: Option<&str>) -> Result<(u16, String), DeliveryError> {
        if let Some(l) = line {
            self.write(&format!("{l}\r\n"))?;
        }
        let mut text = String::new();
        for _ in 0..LINES_MAX {
            let left = self.left(stage)?;
            self.reader
                .get_ref()
                .set_read_timeout(Some(left))
                .map_err(|e| DeliveryError::retry(e.to_string()))?;
            let mut raw = Vec::new();
            let n = std::io::Read::take(&mut self.reader, LINE_MAX)
                .read_until(b'\n', &mut raw)
                .map_err(|e| self.io(stage, e))?;
            if n == 0 {
                return Err(DeliveryError::retry(format!(
                    "SMTP relay {} closed the connection at {stage}",
                    self.relay
                )));
            }
            let l = String::from_utf8_lossy(&raw);
            let l = l.trim_end_matches(['\r', '\n']);
            let code = l.get(..3).and_then(|c| c.parse::<u16>().ok());
            let Some(code) = code.filter(|c| (200..600).contains(c)) else {
                return Err(DeliveryError::retry(format!(
                    "SMTP relay {} at {stage}: not an SMTP reply: {}",
                    self.relay,
                    crate::text::sanitize_line(head(l, 200))
                )));
            };
            if !text.is_empty() {
                text.push(' ');
            }
            text.push_str(l.get(4..).unwrap_or(""));
            if l.as_bytes().get(3) != Some(&b'-') {
                return Ok((code, text));
            }
        }
        Err(DeliveryError::retry(format!(
            "SMTP relay {} at {stage}: a reply of more than {LINES_MAX} lines",
            self.relay
        )))
    }

    /// Send `line` and require a 2xx reply.
    fn expect(&mut self, stage: &str, line: Option<&str>) -> Result<String, DeliveryError> {
        let (code, text) = self.command(stage, line)?;
        if (200..300).contains(&code) {
            return Ok(text);
        }
        Err(self.refused(stage, code, &text))
    }

    fn refused(&mut self, stage: &str, code: u16, text: &str) -> DeliveryError {
        let msg = format!(
            "SMTP relay {} refused {stage}: {code} {}",
            self.relay,
            crate::text::sanitize_line(head(text.trim(), 300))
        );
        // Be polite on the way out; the answer does not matter.
        if stage != "EHLO" {
            let _ = self.write("QUIT\r\n");
        }
        if (400..500).contains(&code) {
            DeliveryError::retry(msg)
        } else {
            DeliveryError::fatal(msg)
        }
    }
}

/// This host's name for EHLO: letters, digits, dots and dashes only.
fn hostname() -> String {
    let h = nix::unistd::gethostname()
        .map(|h| h.to_string_lossy().into_owned())
        .unwrap_or_default();
    let h: String = h
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '.' || *c == '-')
        .collect();
    if h.is_empty() { "localhost".into() } else { h }
}
