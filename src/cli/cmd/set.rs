//! `sev set ID field=value…`: change fields (also impact_started_at and
//! detected_at, as RFC 3339 or relative like -20m).

use super::Env;
use crate::cli::{SetArgs, mutate, parse_id};
use crate::error::Result;
use crate::ops;

pub(super) fn run(env: &Env<'_>, a: &SetArgs) -> Result<()> {
    let id = parse_id(&a.id)?;
    let edits = a
        .assignments
        .iter()
        .map(|s| ops::parse_assignment(s))
        .collect::<Result<Vec<_>>>()?;
    mutate(env, id, || env.cx.set(id, &edits, a.if_version))
}
