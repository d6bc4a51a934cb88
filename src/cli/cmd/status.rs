//! `sev status ID… STATE`: move incidents to another state — the same
//! transition path as the TUI's `:status` and status picker.

use super::Env;
use super::bulk;
use crate::cli::StatusArgs;
use crate::domain::{Needs, Status, StatusMove};
use crate::error::{Error, Result};

pub(super) fn run(env: &Env<'_>, a: StatusArgs) -> Result<()> {
    // The last word is the state; the ones before it name the incidents.
    let (state, refs) = a
        .words
        .split_last()
        .ok_or_else(|| Error::Usage("name the state: sev status 42 mitigated".into()))?;
    let target = state.parse::<Status>()?;
    let t = bulk::targets(env, refs, &a.select)?;
    let text = match StatusMove::to(target).needs {
        Needs::Summary => a.summary,
        Needs::Reason => a.reason,
        Needs::Nothing => None,
    };
    bulk::change(env, t, |id| {
        env.cx
            .move_to_forced(id, target, text.as_deref(), None, a.force)
    })
}
