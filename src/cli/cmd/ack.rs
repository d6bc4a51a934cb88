//! `sev ack`: "I've got it".

use super::Env;
use crate::cli::{IdArg, mutate, parse_id};
use crate::error::Result;

pub(super) fn run(env: &Env<'_>, a: &IdArg) -> Result<()> {
    let id = parse_id(&a.id)?;
    mutate(env, id, || env.cx.acknowledge(id, None))
}
