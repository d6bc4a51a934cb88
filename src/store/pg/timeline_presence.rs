//! The timeline and presence on PostgreSQL.

use super::*;

impl Pg {
    pub(super) fn events_of<C: GenericClient>(
        &self,
        c: &mut C,
        id: IncidentId,
        field: Option<&str>,
    ) -> Result<Vec<Event>> {
        let rows = match field {
            None => c.query(
                format!("SELECT {EVENT_COLUMNS} FROM events WHERE incident_id = $1 ORDER BY id")
                    .as_str(),
                &[&id.0],
            ),
            Some(f) => c.query(
                format!(
                    "SELECT {EVENT_COLUMNS} FROM events WHERE incident_id = $1 AND field = $2 ORDER BY id"
                )
                .as_str(),
                &[&id.0, &f],
            ),
        }
        .map_err(|e| self.err(e))?;
        rows.iter()
            .map(|r| {
                event(r).map_err(|reason| {
                    unreadable(
                        format!("event #{} of {id}", r.try_get::<_, i64>("id").unwrap_or(0)),
                        reason,
                    )
                })
            })
            .collect()
    }

    pub fn events(&self, id: IncidentId) -> Result<Vec<Event>> {
        let mut c = self.client.borrow_mut();
        self.events_of(&mut *c, id, None)
    }

    pub fn verify(&self) -> Result<Verified> {
        let mut c = self.client.borrow_mut();
        let rows = c
            .query(
                "SELECT id, incident_id, at, actor, kind, field, old, new, text, hash FROM events ORDER BY id",
                &[],
            )
            .map_err(|e| self.err(e))?;
        drop(c);
        let mut prev = GENESIS.to_string();
        let mut prev_id = 0i64;
        let mut n = 0usize;
        let mut broken = None;
        for r in &rows {
            n += 1;
            let id: i64 = r.get(0);
            let incident: i64 = r.get(1);
            let hash: Option<String> = r.get(9);
            let expected = event_hash(
                &prev,
                id,
                incident,
                r.get(2),
                r.get(3),
                r.get(4),
                r.get(5),
                r.get(6),
                r.get(7),
                r.get(8),
            );
            if hash.as_deref() != Some(expected.as_str()) {
                broken = Some(Break {
                    event_id: id,
                    incident,
                    reason: crate::store::audit::break_reason(hash.is_none(), id, prev_id),
                });
                break;
            }
            prev = expected;
            prev_id = id;
        }
        let head = if n > 0 && broken.is_none() {
            Some((prev_id, prev))
        } else {
            None
        };
        Ok(Verified {
            events: n,
            head,
            broken,
        })
    }

    pub fn verify_head(&self, event_id: i64, hash: &str) -> Result<bool> {
        let mut c = self.client.borrow_mut();
        let r = c
            .query_opt("SELECT hash FROM events WHERE id = $1", &[&event_id])
            .map_err(|e| self.err(e))?;
        match r {
            None => Err(Error::Check(format!(
                "the logged head event #{event_id} is gone: events were deleted after it was logged"
            ))),
            Some(r) => Ok(r.get::<_, Option<String>>(0).as_deref() == Some(hash)),
        }
    }

    // ---- presence ----

    pub fn heartbeat(&self, p: &Presence) -> Result<()> {
        let mut c = self.client.borrow_mut();
        let now = "floor(extract(epoch FROM now()))::bigint";
        c.execute(
            format!(
                "INSERT INTO presence (host, pid, actor, origin, incident_id, editing, seen_at)
                 VALUES ($1, $2, $3, $4, $5, $6, {now})
                 ON CONFLICT (host, pid) DO UPDATE SET actor = $3, origin = $4, incident_id = $5,
                     editing = $6, seen_at = {now}"
            )
            .as_str(),
            &[
                &p.host,
                &i64::from(p.pid),
                &p.actor,
                &p.origin,
                &p.incident.map(|i| i.0),
                &p.editing,
            ],
        )
        .map_err(|e| self.err(e))?;
        c.execute(
            format!("DELETE FROM presence WHERE seen_at < {now} - 600").as_str(),
            &[],
        )
        .map_err(|e| self.err(e))?;
        Ok(())
    }

    pub fn leave(&self, host: &str, pid: u32) -> Result<()> {
        self.client
            .borrow_mut()
            .execute(
                "DELETE FROM presence WHERE host = $1 AND pid = $2",
                &[&host, &i64::from(pid)],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Who has `id` on screen, by the server's clock.
    pub fn viewers(&self, id: IncidentId) -> Result<Vec<Presence>> {
        let rows = self.query(
            "SELECT host, pid, actor, origin, incident_id, editing, seen_at FROM presence
             WHERE incident_id = $1 AND seen_at >= floor(extract(epoch FROM now()))::bigint - $2
             ORDER BY editing DESC, actor",
            &[Box::new(id.0), Box::new(EXPIRY.num_seconds())],
        )?;
        Ok(rows
            .iter()
            .map(|r| Presence {
                host: r.get("host"),
                pid: u32::try_from(r.get::<_, i64>("pid")).unwrap_or(0),
                actor: r.get("actor"),
                origin: r.get("origin"),
                incident: r.get::<_, Option<i64>>("incident_id").map(IncidentId),
                editing: r.get("editing"),
                seen_at: DateTime::from_timestamp(r.get("seen_at"), 0).unwrap_or_default(),
            })
            .collect())
    }
}
