//! `sev status ID STATE`: move an incident to another state — the same
//! transition path as the TUI's `:status` and status picker.

use super::Env;
use crate::cli::{StatusArgs, mutate, parse_id};
use crate::domain::{Needs, Status, StatusMove};
use crate::error::Result;

pub(super) fn run(env: &Env<'_>, a: StatusArgs) -> Result<()> {
    let id = parse_id(&a.id)?;
    let target = a.state.parse::<Status>()?;
    let text = match StatusMove::to(target).needs {
        Needs::Summary => a.summary,
        Needs::Reason => a.reason,
        Needs::Nothing => None,
    };
    mutate(env, id, || {
        env.cx.move_to(id, target, text.as_deref(), None)
    })
}
