//! `sev verify`: check the tamper-evident hash chain.

use super::Env;
use crate::cli::{VerifyArgs, to_json};
use crate::error::{Error, Result};
use crate::text::sanitize_line;

/// `--expect ID:HASH`, parsed.
fn expected(a: &VerifyArgs) -> Result<Option<(i64, String)>> {
    a.expect
        .as_deref()
        .map(|e| {
            e.split_once(':')
                .and_then(|(i, h)| Some((i.parse::<i64>().ok()?, h.to_string())))
                .ok_or_else(|| {
                    Error::Usage(format!(
                        "--expect takes ID:HASH as printed by sev verify --head, not '{}'",
                        sanitize_line(e)
                    ))
                })
        })
        .transpose()
}

pub(super) fn run(env: &Env<'_>, a: &VerifyArgs) -> Result<()> {
    let store = env.store();
    let expect = expected(a)?;
    let v = store.verify()?;
    if let Some(b) = &v.broken {
        return Err(Error::Check(format!(
            "audit trail broken at event #{} (INC-{}): {} — events from there on cannot be trusted; compare with a backup",
            b.event_id, b.incident, b.reason
        )));
    }
    let head = v
        .head
        .as_ref()
        .map(|(id, h)| format!("{id}:{h}"))
        .unwrap_or_else(|| "0:empty".into());
    if let Some((id, hash)) = &expect
        && !store.verify_head(*id, hash)?
    {
        return Err(Error::Check(format!(
            "event #{id} no longer has the logged hash: the audit trail was rewritten after it was logged"
        )));
    }
    if a.head {
        crate::outln!("{head}");
    } else if env.json {
        crate::outln!(
            "{}",
            to_json(&serde_json::json!({"ok": true, "events": v.events, "head": head}))
        );
    } else {
        crate::outln!("audit trail ok: {} events, head {head}", v.events);
    }
    Ok(())
}
