//! Incidents on PostgreSQL: reads, lists, search and writes.

use super::*;

impl Pg {
    pub(super) fn insert_row<C: GenericClient>(
        &self,
        c: &mut C,
        i: &Incident,
    ) -> Result<IncidentId> {
        // The id is max + 1 (callers hold the write lock), in the same
        // statement: one round trip.
        let v = IncidentValues::of(i);
        let pairs = v.pairs(&i.cancel_reason);
        let cols: Vec<&str> = pairs.iter().map(|(c, _)| *c).collect();
        let params: Vec<Param<'_>> = pairs.iter().map(|(_, p)| *p).collect();
        let sql = format!(
            "INSERT INTO incidents (id, {}) SELECT coalesce(max(id), 0)::bigint + 1, {} FROM incidents RETURNING id",
            cols.join(", "),
            marks(cols.len(), 1)
        );
        let st = self.prepared(c, &sql)?;
        let id: i64 = c.query_one(&st, &params).map_err(|e| self.err(e))?.get(0);
        Ok(IncidentId(id))
    }

    pub(super) fn append<C: GenericClient>(
        &self,
        c: &mut C,
        id: IncidentId,
        e: &Event,
    ) -> Result<i64> {
        let mut head = c
            .query_opt("SELECT id, hash FROM events ORDER BY id DESC LIMIT 1", &[])
            .map_err(|er| self.err(er))?
            .map(|r| {
                let h: Option<String> = r.get(1);
                Head {
                    id: r.get::<_, i64>(0),
                    hash: h.unwrap_or_else(|| GENESIS.to_string()),
                }
            })
            .unwrap_or(Head {
                id: 0,
                hash: GENESIS.to_string(),
            });
        let new = self.chained(id, e, &mut head);
        c.execute(INSERT_EVENT, &new.params())
            .map_err(|er| self.err(er))?;
        Ok(new.id)
    }

    /// The next event on the chain after `head` (which it then advances):
    /// its id, hash and the actor with the remote host recorded.
    pub(super) fn chained(&self, id: IncidentId, e: &Event, head: &mut Head) -> Chained {
        let event_id = head.id + 1;
        let at = e.at.timestamp();
        let actor = actor_from(&e.actor, self.from_host.as_deref());
        let e = Event { actor, ..e.clone() };
        let hash = event_hash(
            &head.hash,
            event_id,
            id.0,
            at,
            &e.actor,
            e.kind.as_str(),
            e.field.as_deref(),
            e.old.as_deref(),
            e.new.as_deref(),
            e.text.as_deref(),
        );
        *head = Head {
            id: event_id,
            hash: hash.clone(),
        };
        Chained {
            id: event_id,
            incident: id.0,
            at,
            kind: e.kind.as_str(),
            e,
            hash,
        }
    }

    pub(super) fn get_in<C: GenericClient>(
        &self,
        c: &mut C,
        id: IncidentId,
    ) -> Result<Option<std::result::Result<Incident, Unreadable>>> {
        let st = self.prepared(
            c,
            &format!("SELECT {INCIDENT_COLUMNS} FROM incidents WHERE id = $1"),
        )?;
        let r = c.query_opt(&st, &[&id.0]).map_err(|e| self.err(e))?;
        Ok(r.map(|r| incident_or_unreadable(&r)))
    }

    pub(super) fn stored<C: GenericClient>(&self, c: &mut C, id: IncidentId) -> Result<Incident> {
        match self.get_in(c, id)? {
            None => Err(not_found(id)),
            Some(Ok(i)) => Ok(i),
            Some(Err(u)) => Err(unreadable_error(&[u]).unwrap_or_else(|| not_found(id))),
        }
    }

    pub fn insert(&self, inc: &Incident, actor: &str) -> Result<Incident> {
        self.insert_with(inc, actor, |_, _| Ok(()))
    }

    /// See `Store::insert_with`: the time is the server's, after the lock.
    pub fn insert_with(
        &self,
        inc: &Incident,
        actor: &str,
        f: impl FnOnce(&mut Incident, DateTime<Utc>) -> Result<()>,
    ) -> Result<Incident> {
        self.write(|tx, now| {
            let mut inc = Incident {
                created_at: now,
                updated_at: now,
                ..inc.clone()
            };
            f(&mut inc, now)?;
            let id = self.insert_row(tx, &inc)?;
            let created = timeline::text_event(id, now, actor, EventKind::Created, &inc.title);
            self.append(tx, id, &created)?;
            Ok(Incident { id, ..inc })
        })
    }

    pub fn get(&self, id: IncidentId) -> Result<Incident> {
        let mut c = self.client.borrow_mut();
        self.stored(&mut *c, id)
    }

    pub fn modify<F>(&self, id: IncidentId, actor: &str, f: F) -> Result<Incident>
    where
        F: FnOnce(&mut Incident, &TxView<'_>) -> Result<Vec<Record>>,
    {
        let mut c = self.client.borrow_mut();
        let mut tx = c.transaction().map_err(|e| self.err(e))?;
        let (now, mut head) = self.lock_at_head(&mut tx)?;
        let stored = self.stored(&mut tx, id)?;
        let mut inc = stored.clone();
        let view = TxView::pg(tx, self, now);
        let records = f(&mut inc, &view)?;
        let mut tx = view.into_pg().ok_or_else(|| {
            Error::Internal("a change lost its transaction; nothing was saved".into())
        })?;
        if records.is_empty() {
            return Ok(stored);
        }
        inc.id = stored.id;
        inc.version = stored.version + 1;
        inc.updated_at = now.max(inc.updated_at);
        self.update_row(&mut tx, &inc, stored.version)?;
        for r in &records {
            let new = self.chained(id, &r.to_event(id, now, actor), &mut head);
            tx.execute(INSERT_EVENT, &new.params())
                .map_err(|e| self.err(e))?;
        }
        tx.execute(
            "SELECT pg_notify($1, $2)",
            &[&CHANNEL, &head.id.to_string()],
        )
        .map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))?;
        Ok(inc)
    }

    /// Write `inc` over the stored row, which must still be at `version`.
    pub(super) fn update_row<C: GenericClient>(
        &self,
        c: &mut C,
        inc: &Incident,
        version: i64,
    ) -> Result<()> {
        let v = IncidentValues::of(inc);
        let pairs = v.pairs(&inc.cancel_reason);
        let set: Vec<String> = pairs
            .iter()
            .enumerate()
            .map(|(i, (c, _))| format!("{c} = ${}", i + 1))
            .collect();
        let mut params: Vec<Param<'_>> = pairs.iter().map(|(_, p)| *p).collect();
        params.push(&inc.id.0);
        params.push(&version);
        let sql = format!(
            "UPDATE incidents SET {} WHERE id = ${} AND version = ${}",
            set.join(", "),
            pairs.len() + 1,
            pairs.len() + 2
        );
        let n = c.execute(sql.as_str(), &params).map_err(|e| self.err(e))?;
        if n != 1 {
            return Err(Error::Internal(format!(
                "{} changed under a write lock; nothing was saved",
                inc.id
            )));
        }
        Ok(())
    }

    /// A note the slower way, for text the one-message path cannot carry
    /// (see `notes.rs`), and any other text event (evidence): the lock
    /// with the clock and chain head (one message), then one statement that appends the event, bumps
    /// `updated_at` and notifies; then the commit. The existence check runs
    /// before the lock (incidents are never deleted, and notes never
    /// conflict, so nothing read there can go stale).
    pub(super) fn add_text_prepared(
        &self,
        id: IncidentId,
        actor: &str,
        kind: EventKind,
        text: &str,
    ) -> Result<Event> {
        let mut c = self.client.borrow_mut();
        let mut tx = c.transaction().map_err(|e| self.err(e))?;
        if !self.exists(&mut tx, id)? {
            return Err(not_found(id));
        }
        let (now, mut head) = self.lock_at_head(&mut tx)?;
        let note = timeline::text_event(id, now, actor, kind, text);
        let new = self.chained(id, &note, &mut head);
        let payload = new.id.to_string();
        let mut params = new.params().to_vec();
        params.push(&CHANNEL);
        params.push(&payload);
        tx.execute(
            format!(
                "WITH e AS ({INSERT_EVENT}),
                      u AS (UPDATE incidents SET updated_at = greatest(updated_at, $3)
                             WHERE id = $2)
                 SELECT pg_notify($11, $12)"
            )
            .as_str(),
            &params,
        )
        .map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))?;
        Ok(Event { id: new.id, ..note })
    }

    /// The WHERE clause of a list query, with `$n` placeholders from 1.
    pub(super) fn where_clause(q: &ListQuery) -> (String, Vec<Box<dyn ToSql + Sync>>) {
        let mut conds: Vec<String> = Vec::new();
        let mut args: Vec<Box<dyn ToSql + Sync>> = Vec::new();
        let mut add = |cond: &str,
                       vals: Vec<Box<dyn ToSql + Sync>>,
                       args: &mut Vec<Box<dyn ToSql + Sync>>| {
            let mut c = cond.to_string();
            for v in vals {
                args.push(v);
                c = c.replacen('?', &format!("${}", args.len()), 1);
            }
            conds.push(c);
        };
        match q.scope {
            Scope::Open => add("attention < 2", vec![], &mut args),
            Scope::All => {}
            Scope::Status(s) => add(
                "status = ?",
                vec![Box::new(s.as_str().to_string())],
                &mut args,
            ),
        }
        if let Some(s) = q.severity {
            add(
                "severity = ?",
                vec![Box::new(i64::from(s.level()))],
                &mut args,
            );
        }
        if let Some(p) = q.priority {
            add(
                "priority = ?",
                vec![Box::new(i64::from(p.level()))],
                &mut args,
            );
        }
        if let Some(s) = &q.service {
            add("service = ?", vec![Box::new(s.clone())], &mut args);
        }
        if let Some(a) = &q.assignee {
            add("assignee = ?", vec![Box::new(a.clone())], &mut args);
        }
        if let Some(ids) = &q.only {
            let list: Vec<i64> = ids.iter().map(|i| i.0).collect();
            add("id = ANY(?)", vec![Box::new(list)], &mut args);
        }
        if let Some(s) = q.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            let pat = crate::store::incidents::like_pattern(s);
            // SQLite's LIKE is case-insensitive for ASCII: ILIKE here.
            if let Ok(id) = s.parse::<IncidentId>() {
                add(
                    "(id = ? OR title ILIKE ? OR description ILIKE ?)",
                    vec![Box::new(id.0), Box::new(pat.clone()), Box::new(pat)],
                    &mut args,
                );
            } else {
                add(
                    "(title ILIKE ? OR description ILIKE ? OR service ILIKE ?)",
                    vec![Box::new(pat.clone()), Box::new(pat.clone()), Box::new(pat)],
                    &mut args,
                );
            }
        }
        let w = if conds.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conds.join(" AND "))
        };
        (w, args)
    }

    pub(super) fn query(&self, sql: &str, args: &[Box<dyn ToSql + Sync>]) -> Result<Vec<Row>> {
        let params: Vec<Param<'_>> = args.iter().map(|b| b.as_ref() as Param<'_>).collect();
        self.client
            .borrow_mut()
            .query(sql, &params)
            .map_err(|e| self.err(e))
    }

    pub fn list(&self, q: &ListQuery) -> Result<Partial<Incident>> {
        let (w, mut args) = Pg::where_clause(q);
        let mut sql = format!("SELECT {INCIDENT_COLUMNS} FROM incidents {w} {ORDER}");
        if let Some(l) = q.limit {
            args.push(Box::new(l as i64));
            sql.push_str(&format!(" LIMIT ${}", args.len()));
        }
        args.push(Box::new(q.offset as i64));
        sql.push_str(&format!(" OFFSET ${}", args.len()));
        let mut out = Partial {
            rows: Vec::new(),
            unreadable: Vec::new(),
        };
        for r in self.query(&sql, &args)? {
            match incident_or_unreadable(&r) {
                Ok(i) => out.rows.push(i),
                Err(u) => out.unreadable.push(u),
            }
        }
        Ok(out)
    }

    pub fn list_ids(&self, q: &ListQuery) -> Result<Vec<IncidentId>> {
        let (w, args) = Pg::where_clause(q);
        let rows = self.query(&format!("SELECT id FROM incidents {w} {ORDER}"), &args)?;
        Ok(rows.iter().map(|r| IncidentId(r.get(0))).collect())
    }

    pub fn count(&self, q: &ListQuery) -> Result<usize> {
        let (w, args) = Pg::where_clause(q);
        let rows = self.query(&format!("SELECT count(*) FROM incidents {w}"), &args)?;
        Ok(rows.first().map(|r| r.get::<_, i64>(0)).unwrap_or(0) as usize)
    }

    /// See `Lite::incidents_logged`.
    pub fn incidents_logged(
        &self,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
        slim: bool,
    ) -> Result<Partial<Incident>> {
        let cols = if slim {
            crate::store::row::SLIM_COLUMNS
        } else {
            crate::store::row::TIMES_COLUMNS.as_str()
        };
        use postgres::fallible_iterator::FallibleIterator;
        let sql = format!(
            "SELECT {cols} FROM incidents WHERE created_at >= $1 AND created_at < $2 ORDER BY id"
        );
        let (mut ok, mut bad) = (Vec::new(), Vec::new());
        // Rows decoded as they arrive rather than after the last one.
        let mut client = self.client.borrow_mut();
        let mut rows = client
            .query_raw(sql.as_str(), [since.timestamp(), until.timestamp()])
            .map_err(|e| self.err(e))?;
        while let Some(r) = rows.next().map_err(|e| self.err(e))? {
            let got = if slim {
                slim_row(&r)
            } else {
                incident_or_unreadable(&r)
            };
            match got {
                Ok(i) => ok.push(i),
                Err(u) => bad.push(u),
            }
        }
        Ok(Partial {
            rows: ok,
            unreadable: bad,
        })
    }

    pub fn get_many(&self, ids: &[IncidentId]) -> Result<Partial<Incident>> {
        let raw: Vec<i64> = ids.iter().map(|i| i.0).collect();
        let rows = self.query(
            &format!("SELECT {INCIDENT_COLUMNS} FROM incidents WHERE id = ANY($1)"),
            &[Box::new(raw)],
        )?;
        let mut got: HashMap<IncidentId, Incident> = HashMap::new();
        let mut bad = Vec::new();
        for r in rows {
            match incident_or_unreadable(&r) {
                Ok(i) => {
                    got.insert(i.id, i);
                }
                Err(u) => bad.push(u),
            }
        }
        bad.sort_by_key(|u: &Unreadable| ids.iter().position(|i| *i == u.id));
        Ok(Partial {
            rows: ids.iter().filter_map(|id| got.remove(id)).collect(),
            unreadable: bad,
        })
    }

    /// Searchable text of every incident `q` matches, in list order.
    pub fn search_rows(&self, q: &ListQuery) -> Result<Partial<SearchRow>> {
        let mut rows = Vec::new();
        let unreadable = self.each_search_row(q, |r| rows.push(r.to_row()))?;
        rows.sort_unstable_by_key(|r| r.key);
        Ok(Partial { rows, unreadable })
    }

    pub fn each_search_row(
        &self,
        q: &ListQuery,
        mut f: impl FnMut(SearchRef<'_>),
    ) -> Result<Vec<Unreadable>> {
        let (w, args) = Pg::where_clause(&crate::store::search::facets(q));
        let sql = format!("SELECT {SEARCH_COLUMNS} FROM incidents {w}");
        let mut unreadable = Vec::new();
        for r in self.query(&sql, &args)? {
            let id = IncidentId(r.try_get("id").unwrap_or(0));
            match search_ref(&r, id) {
                Ok(row) => f(row),
                Err(reason) => unreadable.push(Unreadable { id, reason }),
            }
        }
        Ok(unreadable)
    }

    /// The incidents of list `q` whose timeline moved after event `since`.
    pub fn search_changes(&self, q: &ListQuery, since: i64) -> Result<SearchDelta> {
        // The bound first: a commit between the two reads is seen next time.
        let upto = self.last_event_id()?;
        let (w, mut args) = Pg::where_clause(&crate::store::search::facets(q));
        let member = match w.strip_prefix("WHERE ") {
            Some(cond) => format!("({cond})"),
            None => "true".into(),
        };
        args.push(Box::new(since));
        let sql = format!(
            "SELECT {SEARCH_COLUMNS}, {member} AS member FROM incidents \
             WHERE id IN (SELECT incident_id FROM events WHERE id > ${})",
            args.len()
        );
        let mut delta = SearchDelta {
            upto,
            rows: Vec::new(),
            gone: Vec::new(),
            unreadable: Vec::new(),
        };
        for r in self.query(&sql, &args)? {
            let id = IncidentId(r.try_get("id").unwrap_or(0));
            let member: bool = r.try_get("member").unwrap_or(false);
            match search_ref(&r, id) {
                Ok(row) if member => delta.rows.push(row.to_row()),
                Ok(_) => delta.gone.push(id),
                Err(reason) => {
                    delta.gone.push(id);
                    delta.unreadable.push(Unreadable { id, reason });
                }
            }
        }
        Ok(delta)
    }

    pub fn distinct_services(&self) -> Result<Vec<String>> {
        let rows = self.query(
            "SELECT DISTINCT service FROM incidents WHERE service IS NOT NULL ORDER BY service LIMIT 500",
            &[],
        )?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    pub fn known_people(&self) -> Result<Vec<String>> {
        let rows = self.query(
            "SELECT actor FROM (SELECT DISTINCT actor FROM events LIMIT 2000) a \
             UNION SELECT assignee FROM incidents WHERE assignee IS NOT NULL \
             UNION SELECT commander FROM incidents WHERE commander IS NOT NULL",
            &[],
        )?;
        let mut out: Vec<String> = rows
            .iter()
            .map(|r| crate::identity::login_of(&r.get::<_, String>(0)).to_string())
            .collect();
        out.sort();
        out.dedup();
        Ok(out)
    }
}
