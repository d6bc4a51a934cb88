//! `sev status ID STATE`: move an incident to another state.

use super::Env;
use crate::cli::{StatusArgs, mutate, parse_id};
use crate::domain::{Status, Transition};
use crate::error::Result;

pub(super) fn run(env: &Env<'_>, a: StatusArgs) -> Result<()> {
    let id = parse_id(&a.id)?;
    let target = a.state.parse::<Status>()?;
    let t = match target {
        Status::Resolved => Transition::Resolve {
            summary: a.summary.unwrap_or_default(),
        },
        Status::Cancelled => Transition::Cancel {
            reason: a.reason.unwrap_or_default(),
        },
        s => Transition::To(s),
    };
    if target == Status::Acknowledged {
        mutate(env, id, || env.cx.acknowledge(id, None))
    } else {
        mutate(env, id, || env.cx.transition(id, &t, None))
    }
}
