//! Links between incidents on PostgreSQL (see `store/links.rs`).

use super::*;
use crate::store::links::{LinkKind, LinkRow, NewLink};

fn link_row(r: &Row) -> Result<LinkRow> {
    let kind: String = r.get("kind");
    let at: i64 = r.get("at");
    Ok(LinkRow {
        a: IncidentId(r.get("a")),
        b: IncidentId(r.get("b")),
        kind: LinkKind::parse(&kind).ok_or_else(|| {
            Error::Unavailable(format!(
                "a link between incidents has kind '{kind}', which this sev does not know: upgrade sev"
            ))
        })?,
        at: DateTime::from_timestamp(at, 0).unwrap_or_default(),
        actor: r.get("actor"),
        note: r.get("note"),
    })
}

impl Pg {
    /// Is there already such a link (a related link either way)?
    fn link_exists<C: GenericClient>(&self, c: &mut C, l: &NewLink) -> Result<bool> {
        let sql = match l.kind {
            LinkKind::Related => {
                "SELECT 1 FROM incident_links WHERE kind = 'related' \
                 AND ((a = $1 AND b = $2) OR (a = $2 AND b = $1))"
            }
            LinkKind::Duplicate => {
                "SELECT 1 FROM incident_links WHERE kind = 'duplicate' AND a = $1 AND b = $2"
            }
        };
        c.query_opt(sql, &[&l.a.0, &l.b.0])
            .map(|r| r.is_some())
            .map_err(|e| self.err(e))
    }

    /// The row, both events, and both incidents' `updated_at` (no version
    /// change: a link changes no field).
    fn write_link<C: GenericClient>(
        &self,
        c: &mut C,
        l: &NewLink,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        // The row names the host as the events do (`append` adds it to theirs).
        let who = actor_from(actor, self.from_host.as_deref());
        let at = now.timestamp();
        c.execute(
            "INSERT INTO incident_links (a, b, kind, at, actor, note) VALUES ($1, $2, $3, $4, $5, $6)",
            &[&l.a.0, &l.b.0, &l.kind.as_str(), &at, &who, &l.note],
        )
        .map_err(|e| self.err(e))?;
        for (id, e) in l.events(now, actor) {
            self.append(c, id, &e)?;
            c.execute(
                "UPDATE incidents SET updated_at = greatest(updated_at, $1) WHERE id = $2",
                &[&at, &id.0],
            )
            .map_err(|e| self.err(e))?;
        }
        Ok(())
    }

    pub fn link(&self, l: &NewLink, actor: &str) -> Result<bool> {
        let mut c = self.client.borrow_mut();
        let mut tx = c.transaction().map_err(|e| self.err(e))?;
        let now = self.lock(&mut tx)?;
        for id in [l.a, l.b] {
            self.stored(&mut tx, id)?;
        }
        if self.link_exists(&mut tx, l)? {
            return Ok(false);
        }
        self.write_link(&mut tx, l, actor, now)?;
        notify(&mut tx).map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))?;
        Ok(true)
    }

    /// See `Lite::merge`: the duplicate changed by `f`, the link and both
    /// sides' events, and its alerts moved, in one transaction, at the
    /// server's time.
    pub fn merge<F>(&self, l: &NewLink, actor: &str, f: F) -> Result<(Incident, usize)>
    where
        F: FnOnce(&mut Incident, &Incident, DateTime<Utc>) -> Result<Vec<Record>>,
    {
        let mut c = self.client.borrow_mut();
        let mut tx = c.transaction().map_err(|e| self.err(e))?;
        let now = self.lock(&mut tx)?;
        let from = self.stored(&mut tx, l.a)?;
        let into = self.stored(&mut tx, l.b)?;
        let mut inc = from.clone();
        let records = f(&mut inc, &into, now)?;
        inc.id = from.id;
        if !records.is_empty() {
            inc.version = from.version + 1;
            inc.updated_at = now.max(inc.updated_at);
            self.update_row(&mut tx, &inc, from.version)?;
            for r in &records {
                self.append(&mut tx, from.id, &r.to_event(from.id, now, actor))?;
            }
        }
        if !self.link_exists(&mut tx, l)? {
            self.write_link(&mut tx, l, actor, now)?;
        }
        let moved =
            super::alert_reads::move_alerts_in(&mut tx, l.a, l.b).map_err(|e| self.err(e))?;
        notify(&mut tx).map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))?;
        Ok((inc, moved))
    }

    /// Every link of `id`, either side, oldest first.
    pub fn links(&self, id: IncidentId) -> Result<Vec<LinkRow>> {
        let mut c = self.client.borrow_mut();
        let rows = c
            .query(
                "SELECT a, b, kind, at, actor, note FROM incident_links \
                 WHERE a = $1 OR b = $1 ORDER BY at, a, b",
                &[&id.0],
            )
            .map_err(|e| self.err(e))?;
        rows.iter().map(link_row).collect()
    }
}
