//! `sev set ID… field=value…`: change fields (also impact_started_at and
//! detected_at, as RFC 3339 or relative like -20m). The words before the
//! first `field=value` name the incidents.

use super::Env;
use super::bulk;
use crate::cli::SetArgs;
use crate::error::{Error, Result};
use crate::ops;

pub(super) fn run(env: &Env<'_>, a: &SetArgs) -> Result<()> {
    let split = a
        .items
        .iter()
        .position(|s| s.contains('='))
        .unwrap_or(a.items.len());
    let (refs, assignments) = a.items.split_at(split);
    if assignments.is_empty() {
        return Err(Error::Usage(
            "nothing to set: give one or more field=value after the incidents".into(),
        ));
    }
    let edits = assignments
        .iter()
        .map(|s| ops::parse_assignment(s))
        .collect::<Result<Vec<_>>>()?;
    let t = bulk::targets(env, refs, &a.select)?;
    if a.if_version.is_some() && t.is_many() {
        return Err(Error::Usage(
            "--if-version is one incident's version: use it with one incident".into(),
        ));
    }
    bulk::change(env, t, |id| env.cx.set(id, &edits, a.if_version))
}
