//! `sev notify test CHANNEL`: send a test message through a channel now,
//! without the outbox, and say what the receiver answered (exit 1 when it
//! did not take it).

use super::Env;
use crate::cli::args_respond::NotifyCommand;
use crate::error::{Error, Result};
use crate::notify::{Message, Sender};
use crate::text::sanitize_line;

pub(super) fn run(env: &Env<'_>, c: &NotifyCommand) -> Result<()> {
    let NotifyCommand::Test(t) = c;
    let cfg = env.cx.config;
    let name = t.channel.trim();
    if !cfg.channels.contains_key(name) {
        let names: Vec<&str> = cfg.channels.keys().map(String::as_str).collect();
        return Err(Error::Usage(format!(
            "no channel named '{}': {}",
            sanitize_line(name),
            if names.is_empty() {
                "define one as [channels.NAME] in the config (see README: notifications)".into()
            } else {
                format!("the channels are {}", names.join(", "))
            }
        )));
    }
    let me = env.cx.me().to_string();
    let to = match &t.to {
        Some(a) => a.trim().to_string(),
        None => crate::paging::directory::contacts_of(cfg, &env.store().contacts(Some(&me))?, &me)
            .into_iter()
            .find(|c| c.channel == name)
            .map(|c| c.address)
            .unwrap_or_default(),
    };
    let now = env.cx.clock.now();
    let ctx = serde_json::json!({
        "channel": name, "sent_by": me, "sent_at": crate::clock::rfc3339(now),
    });
    let (subject, text) = crate::notify::render(
        "test",
        &ctx,
        crate::paging::directory::templates_dir().as_deref(),
    )
    .map_err(|e| Error::Usage(format!("the test template: {e}")))?;
    let key = crate::paging::escalate::idem_key(&["test", name, &now.to_rfc3339()]);
    let msg = Message {
        id: 0,
        idempotency_key: key,
        kind: "test".into(),
        to: to.clone(),
        incident: None,
        subject,
        text,
        fields: serde_json::json!({}),
    };
    let sender = Sender::new(&cfg.channels);
    match sender.deliver(name, &msg) {
        Ok(d) => {
            crate::outln!(
                "test message sent via {name}{}: {}",
                if to.is_empty() {
                    String::new()
                } else {
                    format!(" to {}", sanitize_line(&to))
                },
                sanitize_line(&d.detail)
            );
            Ok(())
        }
        Err(e) => Err(Error::Unavailable(format!(
            "the test message via {name} was not delivered: {}{}",
            sanitize_line(&e.message),
            if e.retryable {
                " (a temporary failure: the outbox would retry it)"
            } else {
                ""
            }
        ))),
    }
}
