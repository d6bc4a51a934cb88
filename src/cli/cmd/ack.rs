//! `sev ack`: "I've got it" — one incident, several, or every one the
//! list's filters select (--all-matching).

use super::Env;
use super::bulk;
use crate::cli::RefsArgs;
use crate::error::Result;

pub(super) fn run(env: &Env<'_>, a: &RefsArgs) -> Result<()> {
    let t = bulk::targets(env, &a.ids, &a.select)?;
    bulk::change(env, t, |id| env.cx.acknowledge(id, None))
}
