//! `sev resolve ID --summary …`: impact is over.

use super::Env;
use crate::cli::{ResolveArgs, mutate, parse_id};
use crate::domain::Transition;
use crate::error::Result;

pub(super) fn run(env: &Env<'_>, a: &ResolveArgs) -> Result<()> {
    let id = parse_id(&a.id)?;
    let t = Transition::Resolve {
        summary: a.summary.clone(),
    };
    mutate(env, id, || env.cx.transition(id, &t, None))
}
