//! Response-target breaches and reopens on PostgreSQL (see
//! `store::breaches` for the rules: once per clock per cycle, checked
//! again under the write lock).

use super::*;
use crate::store::breaches::{NewBreach, REOPEN_WHERE, Reopen};

/// `BREACH_EXISTS` with PostgreSQL's placeholders.
const EXISTS: &str = "SELECT 1 FROM events \
    WHERE incident_id = $1 AND id > $2 AND kind = 'breach' AND field = $3 LIMIT 1";

impl Pg {
    pub fn reopens(&self, ids: &[IncidentId]) -> Result<HashMap<IncidentId, Reopen>> {
        let list: Vec<i64> = ids.iter().map(|i| i.0).collect();
        let sql = format!(
            "SELECT e.incident_id, e.id, e.at FROM events e
              WHERE e.id IN (SELECT max(id) FROM events
                              WHERE incident_id = ANY($1) AND {REOPEN_WHERE}
                              GROUP BY incident_id)"
        );
        let rows = self.query(&sql, &[Box::new(list)])?;
        Ok(rows
            .iter()
            .map(|r| {
                (
                    IncidentId(r.get(0)),
                    Reopen {
                        event: r.get(1),
                        at: DateTime::from_timestamp(r.get(2), 0).unwrap_or_default(),
                    },
                )
            })
            .collect())
    }

    fn recorded<C: GenericClient>(&self, c: &mut C, b: &NewBreach) -> Result<bool> {
        let st = self.prepared(c, EXISTS)?;
        c.query_opt(&st, &[&b.incident.0, &b.after_event, &b.clock])
            .map(|r| r.is_some())
            .map_err(|e| self.err(e))
    }

    pub fn record_breaches(&self, list: &[NewBreach], actor: &str) -> Result<usize> {
        let mut todo = Vec::new();
        {
            let mut c = self.client.borrow_mut();
            for b in list {
                if !self.recorded(&mut *c, b)? {
                    todo.push(b);
                }
            }
        }
        if todo.is_empty() {
            return Ok(0);
        }
        self.write(|tx, now| {
            let mut n = 0;
            for b in todo {
                let version: Option<i64> = tx
                    .query_opt(
                        "SELECT version FROM incidents WHERE id = $1",
                        &[&b.incident.0],
                    )
                    .map_err(|e| self.err(e))?
                    .map(|r| r.get(0));
                if version != Some(b.version) || self.recorded(tx, b)? {
                    continue;
                }
                let mut e =
                    timeline::text_event(b.incident, now, actor, EventKind::Breach, &b.text);
                e.field = Some(b.clock.to_string());
                self.append(tx, b.incident, &e)?;
                n += 1;
            }
            Ok(n)
        })
    }
}
