//! `sev close ID`: close a resolved incident (the close policy applies).

use super::Env;
use crate::cli::{IdArg, mutate, parse_id};
use crate::domain::{Status, Transition};
use crate::error::Result;

pub(super) fn run(env: &Env<'_>, a: &IdArg) -> Result<()> {
    let id = parse_id(&a.id)?;
    mutate(env, id, || {
        env.cx.transition(id, &Transition::To(Status::Closed), None)
    })
}
