//! Paging's view of people and channels from the config and the database:
//! who is on call (schedules + stored overrides), how to reach a user
//! (`[users.NAME]` contacts + `sev me contact add`), the words of a
//! message (the templates of `crate::notify`), and the courier that sends
//! outbox rows through the configured channels.

use super::Directory;
use super::deliver::Courier;
use crate::config::Config;
use crate::domain::Incident;
use crate::error::Result;
use crate::notify::{IncidentInfo, Message, Sender};
use crate::oncall::Override;
use crate::store::Store;
use crate::store::respond::{ContactRow, OutboxRow, OverrideRow};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// One way to reach a user: from the config (`id` None) or added with
/// `sev me contact add` (its number).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContactView {
    pub id: Option<i64>,
    pub channel: String,
    pub address: String,
}

/// `user`'s contacts: the config's, then the stored ones (`db`, any
/// user's: only `user`'s are taken), without repeats.
pub fn contacts_of(cfg: &Config, db: &[ContactRow], user: &str) -> Vec<ContactView> {
    let from_config = cfg.users.get(user).into_iter().flat_map(|u| {
        u.contacts.iter().map(|c| ContactView {
            id: None,
            channel: c.channel.clone(),
            address: c.to.clone(),
        })
    });
    let added = db.iter().filter(|c| c.user == user).map(|c| ContactView {
        id: Some(c.id),
        channel: c.channel.clone(),
        address: c.address.clone(),
    });
    // Each (channel, address) once, the config's first: a page per
    // contact carries a key made of them, and a repeat would be refused.
    let mut out: Vec<ContactView> = Vec::new();
    for c in from_config.chain(added) {
        if !out
            .iter()
            .any(|o| o.channel == c.channel && o.address == c.address)
        {
            out.push(c);
        }
    }
    out
}

pub fn to_override(o: &OverrideRow) -> Override {
    Override {
        id: o.id,
        schedule: o.schedule.clone(),
        user: o.user.clone(),
        from: o.from,
        until: o.until,
        created_by: o.created_by.clone(),
    }
}

/// The directory as the database and config say now (read once per tick).
pub struct Live<'a> {
    cfg: &'a Config,
    overrides: Vec<Override>,
    contacts: Vec<ContactRow>,
}

impl<'a> Live<'a> {
    pub fn load(cfg: &'a Config, store: &Store, now: DateTime<Utc>) -> Result<Live<'a>> {
        let since = now - chrono::Duration::days(1);
        Ok(Live {
            cfg,
            overrides: store
                .overrides(None, since)?
                .iter()
                .map(to_override)
                .collect(),
            contacts: store.contacts(None)?,
        })
    }
}

impl Directory for Live<'_> {
    fn on_call(&self, schedule: &str, at: DateTime<Utc>) -> Option<String> {
        // A schedule reads only its own overrides out of all of them.
        let s = self.cfg.schedules.get(schedule)?;
        s.on_call(at, &self.overrides).map(|shift| shift.user)
    }

    fn contacts(&self, user: &str) -> Vec<(String, String)> {
        contacts_of(self.cfg, &self.contacts, user)
            .into_iter()
            .map(|c| (c.channel, c.address))
            .collect()
    }

    fn render_page(
        &self,
        inc: &Incident,
        user: &str,
        step: usize,
        of: usize,
        previous: Option<&[String]>,
        _now: DateTime<Utc>,
    ) -> (String, String) {
        // The first page is a page; a later one says it escalated, and
        // from whom (templates page.txt and escalation.txt).
        let kind = if previous.is_some() {
            "escalation"
        } else {
            "page"
        };
        render(
            kind,
            inc,
            serde_json::json!({
                "to": user,
                "step": format!("{step} of {of}"),
                "previous": previous.unwrap_or_default().join(", "),
            }),
        )
    }
}

pub fn info(inc: &Incident) -> IncidentInfo {
    IncidentInfo {
        reference: inc.id.to_string(),
        title: inc.title.clone(),
        severity: inc.severity.to_string(),
        priority: inc.priority.to_string(),
        status: inc.status.as_str().to_string(),
        service: inc.service.clone(),
        assignee: inc.assignee.clone(),
    }
}

/// Where message templates may be overridden: `<config dir>/templates`.
pub fn templates_dir() -> Option<std::path::PathBuf> {
    crate::config::default_config_path().and_then(|p| p.parent().map(|d| d.join("templates")))
}

/// Subject and body of a message of `kind` about `inc`; `extra` adds
/// variables. A template that fails to render must not lose the message:
/// the plain facts go out instead.
pub fn render(kind: &str, inc: &Incident, extra: serde_json::Value) -> (String, String) {
    let mut ctx = serde_json::json!({ "incident": info(inc) });
    if let (Some(m), serde_json::Value::Object(e)) = (ctx.as_object_mut(), extra) {
        m.extend(e);
    }
    match crate::notify::render(kind, &ctx, templates_dir().as_deref()) {
        Ok(r) => r,
        Err(e) => (
            format!("[{}] {} {}", inc.severity, inc.id, inc.title),
            format!(
                "{}: {}\nSeverity {} · {}\n(the {kind} template failed: {e})",
                inc.id,
                inc.title,
                inc.severity,
                inc.status.as_str()
            ),
        ),
    }
}

/// Sends outbox rows through the config's channels.
pub struct ChannelCourier {
    sender: Sender,
}

impl ChannelCourier {
    pub fn new(cfg: &Config) -> ChannelCourier {
        ChannelCourier {
            sender: Sender::new(&cfg.channels),
        }
    }
}

/// The message a row carries to its receiver.
pub fn message(row: &OutboxRow) -> Message {
    let mut fields: serde_json::Value =
        serde_json::from_str(&row.payload).unwrap_or(serde_json::json!({}));
    let incident = fields
        .as_object_mut()
        .and_then(|m| m.remove("incident"))
        .and_then(|v| {
            let s = |k: &str| v.get(k).and_then(|x| x.as_str()).map(String::from);
            Some(IncidentInfo {
                reference: s("reference")?,
                title: s("title").unwrap_or_default(),
                severity: s("severity").unwrap_or_default(),
                priority: s("priority").unwrap_or_default(),
                status: s("status").unwrap_or_default(),
                service: s("service"),
                assignee: s("assignee"),
            })
        });
    Message {
        id: row.id,
        idempotency_key: row.idem_key.clone(),
        kind: row.kind.clone(),
        to: row.address.clone(),
        incident,
        subject: row.subject.clone(),
        text: row.body.clone(),
        fields,
    }
}

impl Courier for ChannelCourier {
    fn send(&mut self, row: &OutboxRow) -> std::result::Result<String, (String, bool)> {
        self.sender
            .deliver(&row.channel, &message(row))
            .map(|d| d.detail)
            .map_err(|e| (e.message, e.retryable))
    }
}
