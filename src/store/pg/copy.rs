//! Bulk loads (migrate, demo) and copies out, with COPY.

use super::*;

/// The rows of a bulk load, one buffer per table, sent in the order the
/// foreign keys need.
#[derive(Default)]
pub(super) struct Copy {
    pub(super) incidents: Rows,
    pub(super) events: Rows,
    pub(super) postmortems: Rows,
    pub(super) marks: Rows,
    pub(super) actions: Rows,
}

/// The incident columns in the order [`Copy::incident`] writes them.
pub(super) const INCIDENT_COPY_COLUMNS: &str = "id, title, description, kind, status, severity, impact, \
    urgency, priority, category, service, tags, assignee, commander, scribe, comms, reporter, \
    created_at, impact_started_at, detected_at, acknowledged_at, mitigated_at, resolved_at, \
    closed_at, updated_at, resolution, cancel_reason, version";

impl Copy {
    pub(super) fn incident(&mut self, i: &Incident, id: i64) {
        let t = |d: Option<DateTime<Utc>>| d.map(|d| d.timestamp());
        self.incidents
            .int(Some(id))
            .text(Some(&i.title))
            .text(Some(&i.description))
            .text(Some(i.kind.as_str()))
            .text(Some(i.status.as_str()))
            .int(Some(i64::from(i.severity.level())))
            .text(Some(i.impact.as_str()))
            .text(Some(i.urgency.as_str()))
            .int(Some(i64::from(i.priority.level())))
            .text(i.category.as_deref())
            .text(i.service.as_deref())
            .text(Some(&i.tags.join(",")))
            .text(i.assignee.as_deref())
            .text(i.commander.as_deref())
            .text(i.scribe.as_deref())
            .text(i.comms.as_deref())
            .text(Some(&i.reporter))
            .int(Some(i.created_at.timestamp()))
            .int(t(i.impact_started_at))
            .int(t(i.detected_at))
            .int(t(i.acknowledged_at))
            .int(t(i.mitigated_at))
            .int(t(i.resolved_at))
            .int(t(i.closed_at))
            .int(Some(i.updated_at.timestamp()))
            .text(i.resolution.as_deref())
            .text(i.cancel_reason.as_deref())
            .int(Some(i.version))
            .end();
    }

    pub(super) fn postmortem(&mut self, id: IncidentId, pm: &Postmortem) {
        self.postmortems
            .int(Some(id.0))
            .text(Some(pm.status.as_str()))
            .text(pm.owner.as_deref())
            .text(Some(&sections_json(pm)))
            .int(Some(pm.created_at.timestamp()))
            .int(Some(pm.updated_at.timestamp()))
            .int(pm.published_at.map(|t| t.timestamp()))
            .int(Some(pm.version.max(1)))
            .end();
    }

    pub(super) fn action(&mut self, id: IncidentId, a: &ActionItem, aid: i64, version: i64) {
        let due = a.due.map(|d| d.format("%Y-%m-%d").to_string());
        self.actions
            .int(Some(aid))
            .int(Some(id.0))
            .text(Some(&a.description))
            .text(Some(a.kind.as_str()))
            .text(a.owner.as_deref())
            .text(due.as_deref())
            .text(Some(a.status.as_str()))
            .int(Some(a.created_at.timestamp()))
            .int(Some(a.updated_at.timestamp()))
            .int(Some(version))
            .end();
    }

    pub(super) fn send(
        &self,
        tx: &mut Transaction<'_>,
    ) -> std::result::Result<(), postgres::Error> {
        self.incidents
            .send(tx, "incidents", INCIDENT_COPY_COLUMNS)?;
        self.events.send(
            tx,
            "events",
            "id, incident_id, at, actor, kind, field, old, new, text, hash",
        )?;
        self.postmortems
            .send(tx, "postmortems", POSTMORTEM_COLUMNS)?;
        self.marks.send(
            tx,
            "timeline_marks",
            "event_id, incident_id, highlight, hidden, annotation",
        )?;
        self.actions.send(tx, "action_items", ACTION_COLUMNS)
    }
}
