//! `sev cancel ID --reason …`: it was not an incident.

use super::Env;
use crate::cli::{CancelArgs, mutate, parse_id};
use crate::domain::Transition;
use crate::error::Result;

pub(super) fn run(env: &Env<'_>, a: &CancelArgs) -> Result<()> {
    let id = parse_id(&a.id)?;
    let t = Transition::Cancel {
        reason: a.reason.clone(),
    };
    mutate(env, id, || env.cx.transition(id, &t, None))
}
