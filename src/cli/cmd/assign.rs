//! `sev assign ID… [USER]`: assign (yourself by default). The last word
//! is the user unless it is an incident reference.

use super::Env;
use super::bulk;
use crate::cli::AssignArgs;
use crate::domain::{Field, IncidentId};
use crate::error::Result;
use crate::ops::Edit;

pub(super) fn run(env: &Env<'_>, a: AssignArgs) -> Result<()> {
    let mut refs = a.items;
    let user = match refs.last() {
        // With --all-matching every word is the user (there is at most one).
        Some(_) if a.select.all_matching => refs.pop(),
        Some(last) if refs.len() > 1 && last.parse::<IncidentId>().is_err() => refs.pop(),
        _ => None,
    };
    let who = user.unwrap_or_else(|| env.cx.me().to_string());
    let t = bulk::targets(env, &refs, &a.select)?;
    let edit = [Edit::new(Field::Assignee, who)];
    bulk::change(env, t, |id| env.cx.set(id, &edit, None))
}
