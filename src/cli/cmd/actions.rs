//! `sev actions` (list action items) and `sev action add|set|done`.

use super::Env;
use crate::cli::{ActionCommand, ActionsArgs, output, parse_id, parse_opt, term_width, to_json};
use crate::domain::ActionItem;
use crate::error::Result;
use crate::ops;

pub(super) fn list(env: &Env<'_>, a: ActionsArgs) -> Result<()> {
    let today = env.cx.clock.today();
    let incident = a.incident.as_deref().map(parse_id).transpose()?;
    if let Some(id) = incident {
        env.store().get(id)?; // no such incident is exit 3, not an empty list
    }
    let q = crate::store::ActionQuery {
        incident,
        open_only: a.open,
        overdue_on: a.overdue.then_some(today),
        owner: if a.mine {
            Some(env.cx.me().to_string())
        } else {
            a.owner
        },
        ..Default::default()
    };
    let items = env.store().actions(&q)?;
    print_items(env, &items);
    Ok(())
}

fn print_items(env: &Env<'_>, items: &[ActionItem]) {
    let today = env.cx.clock.today();
    if env.json {
        let v: Vec<_> = items
            .iter()
            .map(|i| output::action_json(i, today))
            .collect();
        crate::outln!("{}", to_json(&v));
    } else {
        crate::out!("{}", output::actions_table(items, today, term_width()));
    }
}

pub(super) fn change(env: &Env<'_>, c: ActionCommand) -> Result<()> {
    let cx = &env.cx;
    let item = match c {
        ActionCommand::Add(a) => cx.add_action(
            parse_id(&a.id)?,
            &ops::NewAction {
                description: a.description.join(" "),
                kind: parse_opt(&a.kind)?,
                owner: a.owner,
                due: a.due,
            },
        )?,
        ActionCommand::Set(a) => {
            let edits = a
                .assignments
                .iter()
                .map(|s| ops::parse_action_assignment(s))
                .collect::<Result<Vec<_>>>()?;
            cx.edit_action(a.id.parse()?, &edits)?
        }
        ActionCommand::Done(a) => cx.action_done(a.id.parse()?)?,
    };
    if env.json {
        crate::outln!("{}", to_json(&output::action_json(&item, cx.clock.today())));
    } else {
        print_items(env, std::slice::from_ref(&item));
    }
    Ok(())
}
