//! `sev migrate`: everything a database records (incidents, events with
//! their hashes, postmortems, timeline marks, action items; not presence),
//! read from one backend and written into an empty one in one transaction,
//! ids and hashes as they were — so the copy's chain verifies as is.

use super::Lite;
use super::audit::{STORED_COLUMNS, Stored};
use super::error::decode;
use super::row::{self, POSTMORTEM_COLUMNS};
use crate::domain::{ActionItem, Incident, IncidentId, Mark, Postmortem};
use crate::error::{Error, Result};
use rusqlite::params;

/// One database's records.
#[derive(Debug, Clone, PartialEq)]
pub struct Dump {
    pub incidents: Vec<Incident>,
    pub events: Vec<Stored>,
    pub postmortems: Vec<Postmortem>,
    pub marks: Vec<(i64, IncidentId, Mark)>,
    pub actions: Vec<ActionItem>,
}

/// The refusal for a target that already holds records.
pub(crate) fn not_empty(target: &str, incidents: i64, events: i64) -> Error {
    Error::Usage(format!(
        "{target} already holds {incidents} incident(s) and {events} event(s): sev migrate copies only into an empty database — point --to at a new one"
    ))
}

impl Lite {
    pub fn dump(&self) -> Result<Dump> {
        let all = super::ListQuery {
            scope: super::Scope::All,
            ..Default::default()
        };
        let incidents = self.list(&all)?;
        incidents.check()?;
        let mut st = self
            .conn
            .prepare(&format!("SELECT {STORED_COLUMNS} FROM events ORDER BY id"))
            .map_err(|e| self.err(e))?;
        let events = st
            .query_map([], Stored::from_row)
            .map_err(|e| self.err(e))?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.err(e))?;
        let mut st = self
            .conn
            .prepare(&format!(
                "SELECT {POSTMORTEM_COLUMNS} FROM postmortems ORDER BY incident_id"
            ))
            .map_err(|e| self.err(e))?;
        let mut postmortems = Vec::new();
        for r in st
            .query_map([], |r| decode(r, row::postmortem_name, row::postmortem))
            .map_err(|e| self.err(e))?
        {
            postmortems.push(r.map_err(|e| self.err(e))??);
        }
        let mut st = self
            .conn
            .prepare("SELECT event_id, incident_id, highlight, hidden, annotation FROM timeline_marks ORDER BY event_id")
            .map_err(|e| self.err(e))?;
        let marks = st
            .query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, IncidentId>(1)?,
                    Mark {
                        highlight: r.get(2)?,
                        hidden: r.get(3)?,
                        annotation: r.get(4)?,
                    },
                ))
            })
            .map_err(|e| self.err(e))?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.err(e))?;
        let mut actions = self.actions(&super::ActionQuery::default())?;
        actions.sort_by_key(|a| a.id.0);
        Ok(Dump {
            incidents: incidents.rows,
            events,
            postmortems,
            marks,
            actions,
        })
    }

    pub fn restore(&self, d: &Dump) -> Result<()> {
        let tx = self.write_tx()?;
        let (incidents, events): (i64, i64) = tx
            .query_row(
                "SELECT (SELECT count(*) FROM incidents), (SELECT count(*) FROM events)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(|e| self.err(e))?;
        if incidents + events > 0 {
            return Err(not_empty(
                &super::error::shown(&self.path),
                incidents,
                events,
            ));
        }
        let e = |e| self.err(e);
        for i in &d.incidents {
            super::incidents::insert_row_as_is(&tx, i).map_err(e)?;
        }
        {
            let mut st = tx
                .prepare(&format!(
                    "INSERT INTO events ({STORED_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                ))
                .map_err(e)?;
            for v in &d.events {
                st.execute(params![
                    v.id, v.incident, v.at, v.actor, v.kind, v.field, v.old, v.new, v.text, v.hash
                ])
                .map_err(e)?;
            }
        }
        for pm in &d.postmortems {
            super::postmortems::insert_postmortem(&tx, pm.incident, pm).map_err(e)?;
        }
        for (event_id, incident, m) in &d.marks {
            tx.execute(
                "INSERT INTO timeline_marks (event_id, incident_id, highlight, hidden, annotation) VALUES (?, ?, ?, ?, ?)",
                params![event_id, incident, m.highlight, m.hidden, m.annotation],
            )
            .map_err(e)?;
        }
        for a in &d.actions {
            super::postmortems::insert_action_as_is(&tx, a).map_err(e)?;
        }
        tx.commit().map_err(e)
    }
}
