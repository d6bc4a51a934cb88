//! `sev resolve ID… --summary …`: impact is over.

use super::Env;
use super::bulk;
use crate::cli::ResolveArgs;
use crate::domain::Transition;
use crate::error::Result;

pub(super) fn run(env: &Env<'_>, a: &ResolveArgs) -> Result<()> {
    let t = bulk::targets(env, &a.ids, &a.select)?;
    let tr = Transition::Resolve {
        summary: a.summary.clone(),
    };
    bulk::change(env, t, |id| {
        env.cx.transition_forced(id, &tr, None, a.force)
    })
}
