//! `sev merge INTO FROM…`: each FROM ends cancelled as "duplicate of
//! INTO", with a link and an event on both timelines; its timeline stays
//! where it is and its alerts move to INTO. One line per FROM.

use super::Env;
use super::bulk::{self, Done, Targets};
use crate::cli::{MergeArgs, incident_json, parse_id};
use crate::domain::IncidentId;
use crate::error::Result;

pub(super) fn run(env: &Env<'_>, a: &MergeArgs) -> Result<()> {
    let into = parse_id(&a.into)?;
    let mut from: Vec<IncidentId> = Vec::new();
    for r in &a.from {
        let id = parse_id(r)?;
        if !from.contains(&id) {
            from.push(id);
        }
    }
    // The incident that stays must be there before anything changes.
    env.store().get(into)?;
    let t = match from.as_slice() {
        [one] => Targets::One(*one),
        _ => Targets::Many(from),
    };
    bulk::each(env, t, |id| {
        let m = env.cx.merge(into, id)?;
        let moved = m.alerts;
        let alerts = match moved {
            1 => "1 alert moved".to_string(),
            n => format!("{n} alerts moved"),
        };
        let text = if m.already {
            format!("{id}: already merged into {into}; {alerts}")
        } else {
            format!("{id}: merged into {into} (cancelled as its duplicate; {alerts})")
        };
        Ok(Done {
            text,
            json: serde_json::json!({
                "ref": id.to_string(),
                "into": into.to_string(),
                "already": m.already,
                "alerts_moved": moved,
                "incident": incident_json(&m.from, None),
            }),
        })
    })
}
