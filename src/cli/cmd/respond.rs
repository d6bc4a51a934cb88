//! `sev update`, `sev outbox`, `sev me contact`: stakeholder updates, the
//! notifications waiting or failed, and where pages reach you.

use super::Env;
use crate::cli::args_respond::{ContactCommand, MeCommand, OutboxArgs, OutboxCommand, UpdateArgs};
use crate::cli::{parse_id, to_json};
use crate::error::{Error, Result};
use crate::paging::update::{self, Update};
use crate::store::respond::{ContactRow, OutboxQuery};
use crate::text::sanitize_line;
use std::io::{IsTerminal, Read};

pub(super) fn update(env: &Env<'_>, a: &UpdateArgs) -> Result<()> {
    let id = parse_id(&a.id)?;
    let inc = env.store().get(id)?;
    let p = &env.cx.config.paging;
    let given = a.status.is_some() || a.impact.is_some() || a.doing.is_some();
    let u = if given {
        let next_in = match a.next.as_deref().map(str::trim) {
            None => None,
            Some("none") => None,
            Some(n) => Some(
                crate::intake::config_file::parse_duration(n)
                    .map_err(|e| Error::Usage(format!("--next: {e}")))?,
            ),
        };
        Update {
            status: a
                .status
                .clone()
                .unwrap_or_else(|| inc.status.as_str().to_string()),
            impact: a.impact.clone().unwrap_or_default(),
            doing: a.doing.clone().unwrap_or_default(),
            next_in,
        }
    } else if std::io::stdin().is_terminal() {
        let last = update::last_status(&env.store().events(id)?);
        let text = crate::editor::edit(&update::template(&inc, p, last.as_deref()), ".md")?
            .ok_or_else(|| {
                Error::Usage("the editor exited with an error; no update was posted".into())
            })?;
        parse_or_keep(&text)?
    } else {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| Error::Usage(format!("cannot read the update from stdin: {e}")))?;
        update::parse(&s)?
    };
    let (ev, channels) = update::post(env.store(), p, id, &env.cx.actor, &u, env.cx.clock.now())?;
    if env.json {
        crate::outln!(
            "{}",
            to_json(&serde_json::json!({
                "incident": id.to_string(),
                "text": ev.text,
                "next_update_by": ev.new,
                "channels": channels,
            }))
        );
    } else {
        let to = if channels.is_empty() {
            "the timeline only (no stakeholder channels: [services.NAME] stakeholders or [paging] update_channels in the config)".to_string()
        } else {
            format!("the timeline and {}", channels.join(", "))
        };
        crate::outln!("{id}: update posted to {to}");
    }
    Ok(())
}

/// Parse an edited update; when it does not parse, keep the text in a
/// file so nothing typed is lost, and say where.
fn parse_or_keep(text: &str) -> Result<Update> {
    update::parse(text).map_err(|e| {
        let kept = crate::config::state_dir().join("update-draft.md");
        let saved = std::fs::create_dir_all(crate::config::state_dir())
            .and_then(|_| std::fs::write(&kept, text))
            .is_ok();
        if saved {
            Error::Usage(format!(
                "{e} (your text is kept in {}: sev update ID < that file posts it)",
                kept.display()
            ))
        } else {
            e
        }
    })
}

pub(super) fn outbox(env: &Env<'_>, a: &OutboxArgs) -> Result<()> {
    if let Some(OutboxCommand::Retry(r)) = &a.command {
        let now = env.cx.clock.now();
        let give_up = now
            + chrono::Duration::from_std(env.cx.config.paging.give_up)
                .unwrap_or(chrono::Duration::hours(1));
        if !env.store().retry_outbox(r.id, now, give_up)? {
            return Err(Error::NotFound(format!(
                "no failed or cancelled notification #{}: sev outbox --failed lists them",
                r.id
            )));
        }
        crate::outln!(
            "notification #{} will be sent again at sev serve's next round",
            r.id
        );
        return Ok(());
    }
    let incident = a.incident.as_deref().map(parse_id).transpose()?;
    let rows = env.store().outbox(&OutboxQuery {
        failed_only: a.failed,
        incident,
        limit: a.limit,
    })?;
    if env.json {
        crate::outln!("{}", to_json(&rows));
        return Ok(());
    }
    if rows.is_empty() {
        crate::outln!(
            "{}",
            if a.failed {
                "no failed notifications"
            } else {
                "no notifications"
            }
        );
        return Ok(());
    }
    for r in &rows {
        let inc = r
            .incident
            .map(|i| i.to_string())
            .unwrap_or_else(|| "-".into());
        let to = if r.recipient.is_empty() {
            r.channel.clone()
        } else {
            format!("{} via {}", r.recipient, r.channel)
        };
        crate::outln!(
            "#{:<5} {:<9} {:<7} {:<8} {} ({} attempt{}, {})",
            r.id,
            r.state,
            r.kind,
            inc,
            sanitize_line(&to),
            r.attempts,
            if r.attempts == 1 { "" } else { "s" },
            env.cx.clock.local(r.updated_at)
        );
        if let Some(d) = r.detail.as_deref().filter(|d| !d.is_empty()) {
            crate::outln!("       {}", sanitize_line(d));
        }
    }
    Ok(())
}

pub(super) fn me(env: &Env<'_>, c: &MeCommand) -> Result<()> {
    let MeCommand::Contact(c) = c;
    let user = env.cx.me().to_string();
    match c {
        ContactCommand::Add(a) => {
            if !env.cx.config.channels.contains_key(a.channel.trim()) {
                return Err(Error::Usage(format!(
                    "no channel named '{}': the channels are {} ([channels.NAME] in the config)",
                    sanitize_line(&a.channel),
                    channel_names(env)
                )));
            }
            let address = a.address.trim();
            if address.is_empty() || address.chars().any(char::is_control) {
                return Err(Error::Usage(
                    "the address is empty or holds control characters: give an e-mail address or a handle".into(),
                ));
            }
            let row = ContactRow {
                id: 0,
                user: user.clone(),
                channel: a.channel.trim().to_string(),
                address: address.to_string(),
                created_at: env.cx.clock.now(),
            };
            let id = env
                .store()
                .respond(env.cx.clock.now(), |tx| tx.add_contact(&row))?;
            if id == 0 {
                crate::outln!("you already have that contact method");
            } else {
                crate::outln!(
                    "contact #{id} added: pages for {user} go to {} via {}",
                    sanitize_line(address),
                    sanitize_line(&row.channel)
                );
            }
            Ok(())
        }
        ContactCommand::List => {
            let rows = crate::paging::directory::contacts_of(
                env.cx.config,
                &env.store().contacts(Some(&user))?,
                &user,
            );
            if env.json {
                crate::outln!("{}", to_json(&rows));
            } else if rows.is_empty() {
                crate::outln!(
                    "no contact methods: pages cannot reach you — sev me contact add CHANNEL ADDRESS"
                );
            } else {
                for c in &rows {
                    let from = c.id.map(|i| format!("#{i}")).unwrap_or("config".into());
                    crate::outln!(
                        "{from:<7} {} via {}",
                        sanitize_line(&c.address),
                        sanitize_line(&c.channel)
                    );
                }
            }
            Ok(())
        }
        ContactCommand::Rm(r) => {
            let gone = env
                .store()
                .respond(env.cx.clock.now(), |tx| tx.remove_contact(&user, r.id))?;
            if !gone {
                return Err(Error::NotFound(format!(
                    "you have no contact #{} (sev me contact list shows yours)",
                    r.id
                )));
            }
            crate::outln!("contact #{} removed", r.id);
            Ok(())
        }
    }
}

fn channel_names(env: &Env<'_>) -> String {
    let names: Vec<&str> = env.cx.config.channels.keys().map(String::as_str).collect();
    if names.is_empty() {
        "none yet".into()
    } else {
        names.join(", ")
    }
}
