//! `sev cancel ID… --reason …`: it was not an incident.

use super::Env;
use super::bulk;
use crate::cli::CancelArgs;
use crate::domain::Transition;
use crate::error::Result;

pub(super) fn run(env: &Env<'_>, a: &CancelArgs) -> Result<()> {
    let t = bulk::targets(env, &a.ids, &a.select)?;
    let tr = Transition::Cancel {
        reason: a.reason.clone(),
    };
    bulk::change(env, t, |id| env.cx.transition(id, &tr, None))
}
