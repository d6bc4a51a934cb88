//! Postmortems and action items on PostgreSQL.

use super::*;

impl Pg {
    pub(super) fn postmortem_of<C: GenericClient>(
        &self,
        c: &mut C,
        id: IncidentId,
    ) -> Result<Option<Postmortem>> {
        let r = c
            .query_opt(
                format!("SELECT {POSTMORTEM_COLUMNS} FROM postmortems WHERE incident_id = $1")
                    .as_str(),
                &[&id.0],
            )
            .map_err(|e| self.err(e))?;
        r.map(|r| postmortem(&r).map_err(|why| unreadable(format!("the postmortem of {id}"), why)))
            .transpose()
    }

    pub(super) fn actions_of<C: GenericClient>(
        &self,
        c: &mut C,
        id: IncidentId,
    ) -> Result<Vec<ActionItem>> {
        let rows = c
            .query(
                format!(
                    "SELECT {ACTION_COLUMNS} FROM action_items WHERE incident_id = $1 ORDER BY id"
                )
                .as_str(),
                &[&id.0],
            )
            .map_err(|e| self.err(e))?;
        rows.iter().map(action_named).collect()
    }

    pub(super) fn action_in<C: GenericClient>(
        &self,
        c: &mut C,
        id: ActionId,
    ) -> Result<ActionItem> {
        let r = c
            .query_opt(
                format!("SELECT {ACTION_COLUMNS} FROM action_items WHERE id = $1").as_str(),
                &[&id.0],
            )
            .map_err(|e| self.err(e))?;
        match r {
            None => Err(crate::store::error::action_not_found(id)),
            Some(r) => action_named(&r),
        }
    }

    pub(super) fn exists<C: GenericClient>(&self, c: &mut C, id: IncidentId) -> Result<bool> {
        c.query_opt("SELECT 1 FROM incidents WHERE id = $1", &[&id.0])
            .map(|r| r.is_some())
            .map_err(|e| self.err(e))
    }

    pub(super) fn insert_action<C: GenericClient>(
        &self,
        c: &mut C,
        id: IncidentId,
        a: &ActionItem,
    ) -> Result<ActionId> {
        let aid: i64 = c
            .query_one(
                "SELECT coalesce(max(id), 0)::bigint + 1 FROM action_items",
                &[],
            )
            .map_err(|e| self.err(e))?
            .get(0);
        self.insert_action_with(c, id, a, aid, a.version.max(1))
    }

    pub(super) fn insert_action_with<C: GenericClient>(
        &self,
        c: &mut C,
        id: IncidentId,
        a: &ActionItem,
        aid: i64,
        version: i64,
    ) -> Result<ActionId> {
        c.execute(
            format!("INSERT INTO action_items ({ACTION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)").as_str(),
            &[
                &aid,
                &id.0,
                &a.description,
                &a.kind.as_str(),
                &a.owner,
                &a.due.map(|d| d.format("%Y-%m-%d").to_string()),
                &a.status.as_str(),
                &a.created_at.timestamp(),
                &a.updated_at.timestamp(),
                &version,
                &a.done_at.map(|t| t.timestamp()),
            ],
        )
        .map_err(|e| self.err(e))?;
        Ok(ActionId(aid))
    }

    pub fn postmortem(&self, id: IncidentId) -> Result<Option<Postmortem>> {
        let mut c = self.client.borrow_mut();
        self.postmortem_of(&mut *c, id)
    }

    pub fn modify_postmortem<F>(&self, id: IncidentId, actor: &str, f: F) -> Result<Postmortem>
    where
        F: FnOnce(&mut Postmortem, DateTime<Utc>) -> Result<Vec<FieldChange>>,
    {
        self.write(|tx, now| {
            if !self.exists(tx, id)? {
                return Err(not_found(id));
            }
            let stored = self
                .postmortem_of(tx, id)?
                .unwrap_or_else(|| Postmortem::new(id, now));
            let mut pm = stored.clone();
            let changes = f(&mut pm, now)?;
            if changes.is_empty() {
                return Ok(stored);
            }
            pm.version = stored.version + 1;
            pm.updated_at = now;
            let n = tx
                .execute(
                    "INSERT INTO postmortems (incident_id, status, owner, sections, created_at, updated_at, published_at, version)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                     ON CONFLICT (incident_id) DO UPDATE SET status = $2, owner = $3, sections = $4, updated_at = $6,
                         published_at = $7, version = $8
                     WHERE postmortems.version = $9",
                    &[
                        &id.0,
                        &pm.status.as_str(),
                        &pm.owner,
                        &sections_json(&pm),
                        &pm.created_at.timestamp(),
                        &pm.updated_at.timestamp(),
                        &pm.published_at.map(|t| t.timestamp()),
                        &pm.version,
                        &stored.version,
                    ],
                )
                .map_err(|e| self.err(e))?;
            if n != 1 {
                return Err(Error::Internal(format!(
                    "the postmortem of {id} changed under a write lock; nothing was saved"
                )));
            }
            for ch in &changes {
                let ev = timeline::change_event(id, now, actor, EventKind::Postmortem, ch);
                self.append(tx, id, &ev)?;
            }
            Ok(pm)
        })
    }

    pub fn marks(&self, id: IncidentId) -> Result<HashMap<i64, Mark>> {
        let rows = self.query(
            "SELECT event_id, highlight, hidden, annotation FROM timeline_marks WHERE incident_id = $1",
            &[Box::new(id.0)],
        )?;
        Ok(rows
            .iter()
            .map(|r| {
                (
                    r.get("event_id"),
                    Mark {
                        highlight: r.get("highlight"),
                        hidden: r.get("hidden"),
                        annotation: r.get("annotation"),
                    },
                )
            })
            .collect())
    }

    pub fn set_mark(&self, id: IncidentId, event_id: i64, mark: &Mark, actor: &str) -> Result<()> {
        self.write(|tx, now| {
            let belongs = tx
                .query_opt(
                    "SELECT 1 FROM events WHERE id = $1 AND incident_id = $2",
                    &[&event_id, &id.0],
                )
                .map_err(|e| self.err(e))?
                .is_some();
            if !belongs {
                return Err(Error::NotFound(format!(
                    "no timeline event {event_id} on {id}"
                )));
            }
            tx.execute(
                "INSERT INTO timeline_marks (event_id, incident_id, highlight, hidden, annotation) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (event_id) DO UPDATE SET highlight = $3, hidden = $4, annotation = $5",
                &[&event_id, &id.0, &mark.highlight, &mark.hidden, &mark.annotation],
            )
            .map_err(|e| self.err(e))?;
            let ch = crate::store::postmortems::mark_change(event_id, mark);
            let ev = timeline::change_event(id, now, actor, EventKind::Postmortem, &ch);
            self.append(tx, id, &ev).map(|_| ())
        })
    }

    pub fn actions(&self, q: &ActionQuery) -> Result<Vec<ActionItem>> {
        let mut conds: Vec<String> = Vec::new();
        let mut args: Vec<Box<dyn ToSql + Sync>> = Vec::new();
        if let Some(i) = q.incident {
            args.push(Box::new(i.0));
            conds.push(format!("incident_id = ${}", args.len()));
        }
        if q.open_only || q.overdue_on.is_some() {
            conds.push("status IN ('open', 'in-progress')".into());
        }
        if let Some(d) = q.overdue_on {
            args.push(Box::new(d.format("%Y-%m-%d").to_string()));
            conds.push(format!(
                "due_date IS NOT NULL AND due_date < ${}",
                args.len()
            ));
        }
        if let Some(o) = &q.owner {
            args.push(Box::new(o.clone()));
            conds.push(format!("owner = ${}", args.len()));
        }
        if let Some((from, until)) = q.done_between {
            args.push(Box::new(from.timestamp()));
            args.push(Box::new(until.timestamp()));
            conds.push(format!(
                "status = 'done' AND done_at >= ${} AND done_at < ${}",
                args.len() - 1,
                args.len()
            ));
        }
        if q.done_time_unknown {
            conds.push("status = 'done' AND done_at IS NULL".into());
        }
        let w = if conds.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conds.join(" AND "))
        };
        let sql = format!(
            "SELECT {ACTION_COLUMNS} FROM action_items {w}
             ORDER BY status NOT IN ('open', 'in-progress'), due_date IS NULL, due_date COLLATE \"C\", id"
        );
        self.query(&sql, &args)?.iter().map(action_named).collect()
    }

    pub fn action(&self, id: ActionId) -> Result<ActionItem> {
        let mut c = self.client.borrow_mut();
        self.action_in(&mut *c, id)
    }

    pub fn add_action(&self, item: &ActionItem, actor: &str) -> Result<ActionItem> {
        self.write(|tx, now| {
            let item = &ActionItem {
                created_at: now,
                updated_at: now,
                ..item.clone()
            };
            if !self.exists(tx, item.incident)? {
                return Err(not_found(item.incident));
            }
            let id = self.insert_action(tx, item.incident, item)?;
            let ch = FieldChange {
                field: "added",
                old: None,
                new: Some(format!("{id}: {}", item.description)),
            };
            let ev = timeline::change_event(item.incident, now, actor, EventKind::Action, &ch);
            self.append(tx, item.incident, &ev)?;
            Ok(ActionItem {
                id,
                version: 1,
                ..item.clone()
            })
        })
    }

    pub fn modify_action<F>(&self, id: ActionId, actor: &str, f: F) -> Result<ActionItem>
    where
        F: FnOnce(&mut ActionItem) -> Result<Vec<FieldChange>>,
    {
        self.write(|tx, now| {
            let stored = self.action_in(tx, id)?;
            let mut a = stored.clone();
            let changes = f(&mut a)?;
            if changes.is_empty() {
                return Ok(stored);
            }
            a.version = stored.version + 1;
            a.updated_at = now;
            a.settle_done(stored.status, now);
            tx.execute(
                "UPDATE action_items SET description = $1, type = $2, owner = $3, due_date = $4, status = $5,
                 updated_at = $6, version = $7, done_at = $10 WHERE id = $8 AND version = $9",
                &[
                    &a.description,
                    &a.kind.as_str(),
                    &a.owner,
                    &a.due.map(|d| d.format("%Y-%m-%d").to_string()),
                    &a.status.as_str(),
                    &now.timestamp(),
                    &a.version,
                    &id.0,
                    &stored.version,
                    &a.done_at.map(|t| t.timestamp()),
                ],
            )
            .map_err(|e| self.err(e))?;
            for ch in &changes {
                let mut ev = ch.clone();
                ev.new = ev.new.map(|n| format!("{id} {n}"));
                let e = timeline::change_event(a.incident, now, actor, EventKind::Action, &ev);
                self.append(tx, a.incident, &e)?;
            }
            Ok(a)
        })
    }

    /// Load `items` in one transaction (ids and the chain continue from
    /// the database's), sent with COPY: the chain is computed here from the
    /// head read once under the write lock, so no row needs a round trip.
    pub fn insert_batch(&self, items: &[BatchItem]) -> Result<Vec<IncidentId>> {
        self.write(|tx, _now| {
            let r = tx
                .query_one(
                    "SELECT (SELECT coalesce(max(id), 0)::bigint FROM incidents),
                            (SELECT coalesce(max(id), 0)::bigint FROM action_items),
                            (SELECT id FROM events ORDER BY id DESC LIMIT 1),
                            (SELECT hash FROM events ORDER BY id DESC LIMIT 1)",
                    &[],
                )
                .map_err(|e| self.err(e))?;
            let (mut last_incident, mut last_action): (i64, i64) = (r.get(0), r.get(1));
            let mut last_event: i64 = r.get::<_, Option<i64>>(2).unwrap_or(0);
            let mut prev: String = r
                .get::<_, Option<String>>(3)
                .unwrap_or_else(|| GENESIS.to_string());
            let before = last_incident;
            let mut copy = Copy::default();
            let mut ids = Vec::with_capacity(items.len());
            for item in items {
                last_incident += 1;
                let id = IncidentId(last_incident);
                copy.incident(&item.incident, id.0);
                for e in &item.events {
                    last_event += 1;
                    let at = e.at.timestamp();
                    let actor = actor_from(&e.actor, self.from_host.as_deref());
                    let hash = event_hash(
                        &prev,
                        last_event,
                        id.0,
                        at,
                        &actor,
                        e.kind.as_str(),
                        e.field.as_deref(),
                        e.old.as_deref(),
                        e.new.as_deref(),
                        e.text.as_deref(),
                    );
                    copy.events
                        .int(Some(last_event))
                        .int(Some(id.0))
                        .int(Some(at))
                        .text(Some(&actor))
                        .text(Some(e.kind.as_str()))
                        .text(e.field.as_deref())
                        .text(e.old.as_deref())
                        .text(e.new.as_deref())
                        .text(e.text.as_deref())
                        .text(Some(&hash))
                        .end();
                    prev = hash;
                }
                if let Some(pm) = &item.postmortem {
                    copy.postmortem(id, pm);
                }
                for a in &item.actions {
                    last_action += 1;
                    copy.action(id, a, last_action, a.version.max(1));
                }
                ids.push(id);
            }
            copy.send(tx).map_err(|e| self.err(e))?;
            // Fresh statistics (ANALYZE inside the transaction counts its
            // own rows): before autovacuum's first visit the planner guesses
            // a fifth of the table is open and sorts all of it for the list
            // (23 ms at 100k) instead of walking incidents_attention (0.03 ms).
            // Only when this batch is at least as big as the table was: the
            // planner scales the row count by the table's pages, so sampled
            // selectivities stay right as it grows (50 ANALYZEs doubled the
            // time of `sev demo --count 100000`).
            if before <= items.len() as i64 {
                tx.batch_execute("ANALYZE incidents")
                    .map_err(|e| self.err(e))?;
            }
            Ok(ids)
        })
    }

    /// What `sev doctor` checks on a server, read without changing anything.
    pub fn health(&self) -> Result<Health> {
        let mut c = self.client.borrow_mut();
        let r = c
            .query_one(
                "SELECT current_user::text, current_setting('server_version'),
                    coalesce((SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()), false),
                    has_table_privilege('incidents', 'INSERT, UPDATE')
                        AND has_table_privilege('events', 'INSERT'),
                    has_table_privilege('events', 'UPDATE') OR has_table_privilege('events', 'DELETE')
                        OR has_table_privilege('events', 'TRUNCATE')
                        OR pg_has_role(current_user,
                            (SELECT tableowner FROM pg_tables WHERE tablename = 'events'
                                AND schemaname = current_schema()), 'USAGE')
                        OR (SELECT rolsuper FROM pg_roles WHERE rolname = current_user),
                    ARRAY(SELECT tgname::text FROM pg_trigger
                          WHERE tgrelid = 'events'::regclass AND NOT tgisinternal AND tgenabled <> 'D'
                          ORDER BY tgname),
                    (SELECT client_dn FROM pg_stat_ssl WHERE pid = pg_backend_pid())",
                &[],
            )
            .map_err(|e| self.err(e))?;
        Ok(Health {
            role: r.get(0),
            server_version: r.get(1),
            tls: r.get(2),
            tls_mode: self.tls.mode.as_str(),
            tls_verified: self.tls.verified(),
            can_write: r.get(3),
            can_alter_events: r.get(4),
            event_triggers: r.get(5),
            client_cert: self.tls.client_cert_info.clone(),
            client_dn: r.get(6),
        })
    }

    /// Run raw SQL (tests and diagnostics only).
    #[doc(hidden)]
    pub fn batch_execute(&self, sql: &str) -> Result<()> {
        self.client
            .borrow_mut()
            .batch_execute(sql)
            .map_err(|e| self.err(e))
    }
}
