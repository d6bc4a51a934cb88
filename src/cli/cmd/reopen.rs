//! `sev reopen ID…`: reopen resolved, closed or cancelled incidents.

use super::Env;
use super::bulk;
use crate::cli::RefsArgs;
use crate::domain::Transition;
use crate::error::Result;

pub(super) fn run(env: &Env<'_>, a: &RefsArgs) -> Result<()> {
    let t = bulk::targets(env, &a.ids, &a.select)?;
    bulk::change(env, t, |id| {
        env.cx.transition(id, &Transition::Reopen, None)
    })
}
