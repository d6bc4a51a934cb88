//! `sev reopen ID`: reopen a resolved, closed or cancelled incident.

use super::Env;
use crate::cli::{IdArg, mutate, parse_id};
use crate::domain::Transition;
use crate::error::Result;

pub(super) fn run(env: &Env<'_>, a: &IdArg) -> Result<()> {
    let id = parse_id(&a.id)?;
    mutate(env, id, || env.cx.transition(id, &Transition::Reopen, None))
}
