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
    // A policy would page for it, but nothing is running to do so: say it
    // now, not after a silent hour.
    let paging = &env.cx.config.paging;
    if let Some(p) = paging.policy_tagged(inc.service.as_deref(), inc.severity, &inc.tags) {
        let now = env.cx.clock.now();
        let alive = env
            .store()
            .lease(crate::paging::deliver::LEASE_NAME)
            .ok()
            .flatten()
            .is_some_and(|(_, until)| until > now);
        if !alive {
            eprintln!(
                "sev: warning: nobody is paged for {} until `sev serve` runs (policy {} would page now)",
                inc.id,
                crate::text::sanitize_line(&p.name)
            );
        }
    }
    Ok(())
}
