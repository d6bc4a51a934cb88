//! `[channels.NAME]` and `[users.NAME]` as written, and how they lay over
//! the effective [`Channels`] and [`Users`]: a later file's channel or user
//! of the same name replaces the earlier one as a whole. Every mistake is
//! a [`ConfigError`] at the file, line and column of the value.
//!
//! A webhook's `headers_file` is only named here; it is read (and its
//! permissions checked) when sending, by the user who sends, so that
//! other users loading the same system config are not refused.

use super::{Channel, Channels, Contact, Email, Exec, Format, MailTransport, User, Users, Webhook};
use crate::config::ConfigError;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::time::Duration;
use toml::Spanned;

type S = Spanned<String>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelFile {
    #[serde(rename = "type")]
    kind: S,
    url: Option<S>,
    format: Option<S>,
    headers_file: Option<S>,
    timeout: Option<S>,
    command: Option<Spanned<Vec<S>>>,
    smtp: Option<S>,
    sendmail: Option<S>,
    from: Option<S>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserFile {
    contacts: Option<Vec<Spanned<ContactFile>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ContactFile {
    channel: S,
    to: Option<S>,
}

/// The longest timeout a channel may have: a delivery holds the worker.
const TIMEOUT_MAX: Duration = Duration::from_secs(300);

type Cx<'a> = crate::config::ConfigText<'a>;

/// Lay one file's `[channels]` and `[users]` over `channels` and `users`.
pub fn apply(
    channel_files: Option<&BTreeMap<S, ChannelFile>>,
    user_files: Option<&BTreeMap<S, UserFile>>,
    channels: &mut Channels,
    users: &mut Users,
    text: &str,
    name: &str,
) -> Result<(), ConfigError> {
    let cx = Cx { text, name };
    for (n, f) in channel_files.into_iter().flatten() {
        check_name(&cx, n, "channel")?;
        let c = channel(&cx, n, f)?;
        channels.insert(n.get_ref().clone(), c);
    }
    for (n, f) in user_files.into_iter().flatten() {
        check_name(&cx, n, "user")?;
        let mut u = User::default();
        for c in f.contacts.iter().flatten() {
            u.contacts.push(contact(&cx, c, channels)?);
        }
        users.insert(n.get_ref().clone(), u);
    }
    Ok(())
}

fn check_name(cx: &Cx<'_>, n: &S, what: &str) -> Result<(), ConfigError> {
    let v = n.get_ref();
    let ok = !v.is_empty()
        && v.len() <= 64
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.@".contains(c));
    if !ok {
        return Err(cx.err(
            n,
            format!("a {what} name is 1 to 64 letters, digits, '-', '_', '.' or '@'"),
        ));
    }
    Ok(())
}

fn channel(cx: &Cx<'_>, n: &S, f: &ChannelFile) -> Result<Channel, ConfigError> {
    let kind = f.kind.get_ref().as_str();
    // Which keys each type takes; any other is a mistake worth naming.
    let allowed: &[&str] = match kind {
        "webhook" => &["url", "format", "headers_file", "timeout"],
        "exec" => &["command", "timeout"],
        "email" => &["smtp", "sendmail", "from", "timeout"],
        other => {
            return Err(cx.err(
                &f.kind,
                format!(
                    "unknown channel type {:?}: use webhook, exec or email",
                    crate::text::sanitize_line(other)
                ),
            ));
        }
    };
    let given: [(&str, Option<std::ops::Range<usize>>); 7] = [
        ("url", f.url.as_ref().map(|s| s.span())),
        ("format", f.format.as_ref().map(|s| s.span())),
        ("headers_file", f.headers_file.as_ref().map(|s| s.span())),
        ("command", f.command.as_ref().map(|s| s.span())),
        ("smtp", f.smtp.as_ref().map(|s| s.span())),
        ("sendmail", f.sendmail.as_ref().map(|s| s.span())),
        ("from", f.from.as_ref().map(|s| s.span())),
    ];
    for (key, span) in given {
        if let Some(span) = span
            && !allowed.contains(&key)
        {
            return Err(cx.err(
                &Spanned::new(span, ()),
                format!(
                    "{key} is not a setting of a {kind} channel (it takes {})",
                    allowed.join(", ")
                ),
            ));
        }
    }
    let timeout = match &f.timeout {
        None => super::DEFAULT_TIMEOUT,
        Some(t) => {
            let d = crate::intake::config_file::parse_duration(t.get_ref())
                .map_err(|e| cx.err(t, format!("timeout: {e}")))?;
            if d.is_zero() || d > TIMEOUT_MAX {
                return Err(cx.err(t, "timeout must be from 1s to 5m"));
            }
            d
        }
    };
    let missing = |key: &str, example: &str| {
        cx.err(
            n,
            format!(
                "channel {} ({kind}) needs {key}: add {key} = {example}",
                n.get_ref()
            ),
        )
    };
    Ok(match kind {
        "webhook" => {
            let url = f
                .url
                .as_ref()
                .ok_or_else(|| missing("url", "\"https://…\""))?;
            check_url(url.get_ref()).map_err(|e| cx.err(url, e))?;
            let format = match &f.format {
                None => Format::Json,
                Some(s) => match s.get_ref().as_str() {
                    "json" => Format::Json,
                    "slack" | "mattermost" => Format::Slack,
                    _ => {
                        return Err(cx.err(
                            s,
                            "format is json (sev's message) or slack (a Slack or Mattermost incoming webhook)",
                        ));
                    }
                },
            };
            let headers_file = match &f.headers_file {
                None => None,
                Some(p) if p.get_ref().trim().is_empty() => {
                    return Err(cx.err(p, "headers_file is empty: name a file or remove the key"));
                }
                Some(p) => Some(crate::config::expand_home(p.get_ref())),
            };
            Channel::Webhook(Webhook {
                url: url.get_ref().trim().to_string(),
                format,
                headers_file,
                timeout,
            })
        }
        "exec" => {
            let cmd = f
                .command
                .as_ref()
                .ok_or_else(|| missing("command", "[\"/usr/local/bin/page\", \"--quiet\"]"))?;
            let argv: Vec<String> = cmd.get_ref().iter().map(|s| s.get_ref().clone()).collect();
            if argv.first().is_none_or(|p| p.trim().is_empty()) {
                return Err(cx.err(
                    cmd,
                    "command is empty: give the program and its arguments as a list, e.g. [\"/usr/local/bin/page\", \"--quiet\"]",
                ));
            }
            if let Some(bad) = cmd.get_ref().iter().find(|s| s.get_ref().contains('\0')) {
                return Err(cx.err(bad, "an argument cannot contain a NUL character"));
            }
            Channel::Exec(Exec {
                command: argv,
                timeout,
            })
        }
        _ => {
            let from = f
                .from
                .as_ref()
                .ok_or_else(|| missing("from", "\"sev@your-host\""))?;
            if !super::email::valid_address(from.get_ref()) {
                return Err(cx.err(from, "from must be a bare address like sev@jump-eu"));
            }
            let transport = match (&f.smtp, &f.sendmail) {
                (Some(_), Some(s)) => {
                    return Err(cx.err(s, "give smtp or sendmail, not both"));
                }
                (None, None) => {
                    return Err(missing("smtp or sendmail", "\"127.0.0.1:25\""));
                }
                (Some(s), None) => {
                    check_relay(s.get_ref()).map_err(|e| cx.err(s, e))?;
                    MailTransport::Smtp(s.get_ref().trim().to_string())
                }
                (None, Some(p)) => {
                    if p.get_ref().trim().is_empty() {
                        return Err(cx.err(p, "sendmail is empty: e.g. \"/usr/sbin/sendmail\""));
                    }
                    MailTransport::Sendmail(crate::config::expand_home(p.get_ref()))
                }
            };
            Channel::Email(Email {
                transport,
                from: from.get_ref().clone(),
                timeout,
            })
        }
    })
}

fn contact(
    cx: &Cx<'_>,
    c: &Spanned<ContactFile>,
    channels: &Channels,
) -> Result<Contact, ConfigError> {
    let f = c.get_ref();
    let name = f.channel.get_ref();
    let Some(ch) = channels.get(name) else {
        let known: Vec<&str> = channels.keys().map(String::as_str).collect();
        return Err(cx.err(
            &f.channel,
            format!(
                "no channel named {:?}: define [channels.{}] first{}",
                crate::text::sanitize_line(name),
                crate::text::sanitize_line(name),
                if known.is_empty() {
                    String::new()
                } else {
                    format!(" (known: {})", known.join(", "))
                }
            ),
        ));
    };
    let to = f.to.as_ref().map(|t| t.get_ref().trim().to_string());
    if let Some(t) = &f.to
        && t.get_ref().chars().any(|c| c.is_control())
    {
        return Err(cx.err(t, "to cannot contain control characters or line breaks"));
    }
    if let Channel::Email(_) = ch {
        let Some(t) = &f.to else {
            return Err(cx.err(c, "an email contact needs to = \"name@example.com\""));
        };
        if let Err(e) = super::email::recipients(t.get_ref()) {
            return Err(cx.err(t, e.message));
        }
    }
    Ok(Contact {
        channel: name.clone(),
        to: to.unwrap_or_default(),
    })
}

/// `http://host[:port]/…` or `https://…`, nothing that is not a URL.
fn check_url(u: &str) -> Result<(), String> {
    let u = u.trim();
    let bad = |why: &str| format!("bad url {:?}: {why}", crate::text::sanitize_line(u));
    if u.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad("it contains spaces or control characters"));
    }
    let uri: ureq::http::Uri = u.parse().map_err(|e| bad(&format!("{e}")))?;
    match uri.scheme_str() {
        Some("http") | Some("https") => {}
        _ => return Err(bad("write it with http:// or https://")),
    }
    match uri.host() {
        Some(h) if !h.is_empty() => {}
        _ => return Err(bad("it has no host")),
    }
    if uri.authority().is_some_and(|a| a.as_str().contains('@')) {
        return Err(bad(
            "credentials in the URL end up in logs: put an Authorization header in headers_file",
        ));
    }
    Ok(())
}

/// `host:port` of an SMTP relay.
fn check_relay(s: &str) -> Result<(), String> {
    let s = s.trim();
    let ok = s.rsplit_once(':').is_some_and(|(h, p)| {
        !h.is_empty()
            && p.parse::<u16>().is_ok_and(|p| p > 0)
            && h.chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
    });
    if ok {
        Ok(())
    } else {
        Err(format!(
            "smtp is host:port of a relay taking plain SMTP, e.g. \"127.0.0.1:25\", not {:?}",
            crate::text::sanitize_line(s)
        ))
    }
}

/// The channels and users as TOML, for `sev config show`; empty when
/// there are none.
pub fn render(channels: &Channels, users: &Users) -> String {
    use std::fmt::Write;
    let q = |s: &str| toml::Value::String(s.to_string()).to_string();
    let secs = |d: Duration| format!("{}s", d.as_secs());
    let mut out = String::new();
    for (name, c) in channels {
        let _ = writeln!(out, "\n[channels.{}]", q(name));
        let _ = writeln!(out, "type = {}", q(c.kind()));
        match c {
            Channel::Webhook(w) => {
                let _ = writeln!(out, "url = {}", q(&w.url));
                let f = match w.format {
                    Format::Json => "json",
                    Format::Slack => "slack",
                };
                let _ = writeln!(out, "format = {}", q(f));
                if let Some(p) = &w.headers_file {
                    let _ = writeln!(out, "headers_file = {}", q(&p.display().to_string()));
                }
            }
            Channel::Exec(e) => {
                let argv: Vec<String> = e.command.iter().map(|a| q(a)).collect();
                let _ = writeln!(out, "command = [{}]", argv.join(", "));
            }
            Channel::Email(m) => {
                match &m.transport {
                    MailTransport::Smtp(a) => writeln!(out, "smtp = {}", q(a)),
                    MailTransport::Sendmail(p) => {
                        writeln!(out, "sendmail = {}", q(&p.display().to_string()))
                    }
                }
                .ok();
                let _ = writeln!(out, "from = {}", q(&m.from));
            }
        }
        let _ = writeln!(out, "timeout = {}", q(&secs(c.timeout())));
    }
    for (name, u) in users {
        let list: Vec<String> = u
            .contacts
            .iter()
            .map(|c| format!("{{ channel = {}, to = {} }}", q(&c.channel), q(&c.to)))
            .collect();
        let _ = writeln!(out, "\n[users.{}]", q(name));
        let _ = writeln!(out, "contacts = [{}]", list.join(", "));
    }
    out
}
