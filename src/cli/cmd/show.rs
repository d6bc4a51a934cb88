//! `sev show`: one incident with its whole timeline.

use super::Env;
use crate::cli::{IdArg, incident_json, output, parse_id, to_json};
use crate::error::Result;

pub(super) fn run(env: &Env<'_>, a: &IdArg) -> Result<()> {
    let id = parse_id(&a.id)?;
    let inc = env.store().get(id)?;
    let events = env.store().events(id)?;
    if env.json {
        crate::outln!("{}", to_json(&incident_json(&inc, Some(&events))));
    } else {
        let name = &env.cx.config.severity(inc.severity).name;
        crate::out!("{}", output::record(&inc, &events, name, env.cx.clock));
    }
    Ok(())
}
