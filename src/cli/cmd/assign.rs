//! `sev assign ID [USER]`: assign (yourself by default).

use super::Env;
use crate::cli::{AssignArgs, mutate, parse_id};
use crate::domain::Field;
use crate::error::Result;
use crate::ops::Edit;

pub(super) fn run(env: &Env<'_>, a: AssignArgs) -> Result<()> {
    let id = parse_id(&a.id)?;
    let who = a.user.unwrap_or_else(|| env.cx.me().to_string());
    mutate(env, id, || {
        env.cx
            .set(id, &[Edit::new(Field::Assignee, who.clone())], None)
    })
}
