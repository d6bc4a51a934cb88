//! `sev close ID…`: close resolved incidents (the close policy applies to
//! each).

use super::Env;
use super::bulk;
use crate::cli::RefsArgs;
use crate::domain::{Status, Transition};
use crate::error::Result;

pub(super) fn run(env: &Env<'_>, a: &RefsArgs) -> Result<()> {
    let t = bulk::targets(env, &a.ids, &a.select)?;
    bulk::change(env, t, |id| {
        env.cx.transition(id, &Transition::To(Status::Closed), None)
    })
}
