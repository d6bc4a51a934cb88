//! `sev new`: log an incident, print its reference.

use super::Env;
use crate::cli::{NewArgs, incident_json, parse_opt, to_json};
use crate::domain::{Impact, Kind, NewIncident, Urgency};
use crate::error::Result;

pub(super) fn run(env: &Env<'_>, a: NewArgs) -> Result<()> {
    let new = NewIncident {
        title: a.title.join(" "),
        description: a.description.unwrap_or_default(),
        kind: parse_opt::<Kind>(&a.kind)?,
        severity: a
            .severity
            .as_deref()
            .map(crate::domain::parse_severity)
            .transpose()?,
        impact: parse_opt::<Impact>(&a.impact)?,
        urgency: parse_opt::<Urgency>(&a.urgency)?,
        category: a.category,
        service: a.service,
        tags: a.tags,
        assignee: a.assignee,
        ..Default::default()
    };
    let given = crate::ops::GivenTimes {
        impact_started: a.impact_start,
        detected: a.detected,
    };
    let inc = env.cx.create_with_times(&new, &given)?;
    if env.json {
        crate::outln!("{}", to_json(&incident_json(&inc, None)));
    } else {
        crate::outln!("{}", inc.id);
    }
    Ok(())
}
