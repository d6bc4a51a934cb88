//! Notification channels: where a message goes (`[channels.NAME]` in the
//! config: a webhook, a command, or email) and who is reached through which
//! channel (`[users.NAME] contacts`). [`deliver`] sends one message once,
//! synchronously, and says whether a failure is worth retrying; the outbox
//! and its worker (retries, backoff, the lease) are built on top of it.
//!
//! Incident text is data on every path: JSON-escaped in webhook bodies and
//! on an exec channel's stdin (argv is never a shell command line), and
//! stripped of line breaks and RFC 2047-encoded in mail headers.

pub mod config_file;
mod email;
mod exec;
mod headers;
mod smtp;
mod template;
mod webhook;

#[cfg(test)]
mod test_http;
#[cfg(test)]
mod tests_config;
#[cfg(test)]
mod tests_email;
#[cfg(test)]
mod tests_exec;
#[cfg(test)]
mod tests_webhook;

pub use headers::read_headers;
pub use template::{KINDS, render};

use serde::Serialize;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

/// Channel name → channel.
pub type Channels = BTreeMap<String, Channel>;
/// User name (the Unix login) → how to reach them.
pub type Users = BTreeMap<String, User>;

/// One way of sending messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Channel {
    Webhook(Webhook),
    Exec(Exec),
    Email(Email),
}

impl Channel {
    /// `webhook`, `exec` or `email`.
    pub fn kind(&self) -> &'static str {
        match self {
            Channel::Webhook(_) => "webhook",
            Channel::Exec(_) => "exec",
            Channel::Email(_) => "email",
        }
    }

    /// How long one delivery may take.
    pub fn timeout(&self) -> Duration {
        match self {
            Channel::Webhook(w) => w.timeout,
            Channel::Exec(e) => e.timeout,
            Channel::Email(m) => m.timeout,
        }
    }
}

/// The default time one delivery may take.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// An HTTP POST of the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Webhook {
    /// `http://` or `https://`.
    pub url: String,
    pub format: Format,
    /// Extra request headers ("Name: value" lines), private to the user
    /// who runs the delivery; read when sending, not when loading config.
    pub headers_file: Option<PathBuf>,
    pub timeout: Duration,
}

/// The body a webhook receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// The [`Message`] as JSON.
    Json,
    /// `{"text": "subject\ntext"}`: Slack and Mattermost incoming webhooks.
    Slack,
}

/// A command run with the message as JSON on stdin; never through a shell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exec {
    /// Program and arguments; never empty.
    pub command: Vec<String>,
    pub timeout: Duration,
}

/// Mail, through an SMTP relay or the host's sendmail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    pub transport: MailTransport,
    /// The envelope sender and `From:` address.
    pub from: String,
    pub timeout: Duration,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailTransport {
    /// `host:port` of a relay taking plain SMTP (no auth, no TLS).
    Smtp(String),
    /// A sendmail-compatible program, run as `PROGRAM -t -i`.
    Sendmail(PathBuf),
}

/// How to reach one person.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct User {
    pub contacts: Vec<Contact>,
}

/// One contact method: a channel and the address on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Contact {
    pub channel: String,
    /// `@alice`, `alice@example.com`, a phone number, …; may be empty.
    pub to: String,
}

/// One notification, as every channel receives it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Message {
    /// The outbox row id.
    pub id: i64,
    /// The same for every attempt at this message: receivers drop repeats.
    pub idempotency_key: String,
    /// `page`, `update`, `breach`, `test` or `escalation`.
    pub kind: String,
    /// The contact address; empty for a stakeholder channel.
    pub to: String,
    pub incident: Option<IncidentInfo>,
    pub subject: String,
    pub text: String,
    /// Anything else (the escalation step, …).
    pub fields: serde_json::Value,
}

/// The incident a message is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IncidentInfo {
    /// `INC-12`.
    pub reference: String,
    pub title: String,
    pub severity: String,
    pub priority: String,
    pub status: String,
    pub service: Option<String>,
    pub assignee: Option<String>,
}

/// A message handed over: `HTTP 200`, `exit 0` (and its output), `SMTP 250 …`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivered {
    pub detail: String,
}

/// A message not handed over, and whether trying again may help.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct DeliveryError {
    pub message: String,
    /// Worth another attempt later (a 5xx, a timeout, a refused
    /// connection, a non-zero exit); false when only a config or message
    /// change can help (a 4xx, a 5xx SMTP reply, a missing program).
    pub retryable: bool,
}

impl DeliveryError {
    pub(crate) fn retry(message: impl Into<String>) -> Self {
        DeliveryError {
            message: message.into(),
            retryable: true,
        }
    }
    pub(crate) fn fatal(message: impl Into<String>) -> Self {
        DeliveryError {
            message: message.into(),
            retryable: false,
        }
    }
}

/// Send one message through one channel, once. A webhook gets a fresh
/// connection; use a [`Sender`] to keep connections between messages.
pub fn deliver(channel: &Channel, msg: &Message) -> Result<Delivered, DeliveryError> {
    match channel {
        Channel::Webhook(w) => {
            let headers = match &w.headers_file {
                Some(p) => read_headers(p).map_err(DeliveryError::fatal)?,
                None => Vec::new(),
            };
            webhook::post(&webhook::agent(w), w, &headers, msg)
        }
        Channel::Exec(e) => exec::deliver(e, msg),
        Channel::Email(m) => email::deliver(m, msg),
    }
}

/// Delivers through every configured channel, keeping one HTTP agent (and
/// its pool of kept-alive connections) per webhook channel between calls.
/// `deliver` takes `&self`: one sender may be shared by worker threads.
pub struct Sender {
    channels: BTreeMap<String, Slot>,
}

struct Slot {
    channel: Channel,
    agent: Option<ureq::Agent>,
    /// The headers file, read once it could be read; a refusal is read
    /// again on the next message (the owner may have fixed the mode).
    headers: Mutex<Option<Vec<(String, String)>>>,
}

impl Sender {
    pub fn new(channels: &Channels) -> Sender {
        let channels = channels
            .iter()
            .map(|(name, c)| {
                let agent = match c {
                    Channel::Webhook(w) => Some(webhook::agent(w)),
                    _ => None,
                };
                let slot = Slot {
                    channel: c.clone(),
                    agent,
                    headers: Mutex::new(None),
                };
                (name.clone(), slot)
            })
            .collect();
        Sender { channels }
    }

    /// The channels this sender knows.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.channels.keys().map(String::as_str)
    }

    /// Send `msg` through the channel called `name`.
    pub fn deliver(&self, name: &str, msg: &Message) -> Result<Delivered, DeliveryError> {
        let Some(slot) = self.channels.get(name) else {
            return Err(DeliveryError::fatal(format!(
                "no channel named {:?} in the config: add [channels.{}] or change the contact",
                name,
                crate::text::sanitize_line(name)
            )));
        };
        match (&slot.channel, &slot.agent) {
            (Channel::Webhook(w), Some(agent)) => {
                let headers = slot.headers(w)?;
                webhook::post(agent, w, &headers, msg)
            }
            (c, _) => deliver(c, msg),
        }
    }
}

impl Slot {
    fn headers(&self, w: &Webhook) -> Result<Vec<(String, String)>, DeliveryError> {
        let Some(path) = &w.headers_file else {
            return Ok(Vec::new());
        };
        let mut cache = self.headers.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(h) = &*cache {
            return Ok(h.clone());
        }
        let h = read_headers(path).map_err(DeliveryError::fatal)?;
        *cache = Some(h.clone());
        Ok(h)
    }
}

/// Cut `s` to at most `max` bytes on a character boundary.
pub(crate) fn head(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}
