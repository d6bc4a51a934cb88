//! A note in one round trip: the busiest write when many responders work
//! one incident, so the one that holds the chain lock the shortest.
//!
//! Every write queues on one advisory lock (one linear hash chain across
//! hosts). A note used to hold it for three round trips to its client —
//! the lock with the chain head, the insert (prepared first: two more),
//! the commit — and with 20 writers on 2 cores a client that must run
//! between them is often not on a CPU, so each hold stretched and the
//! queue behind it grew. Here the whole transaction is one message:
//! the server takes the lock, reads the head, computes the event's hash
//! (SHA-256 over the previous hash and the canonical JSON, as
//! [`crate::store::audit::event_hash`] does — the JSON of every value the
//! client knows is sent ready-made, only the id, time and previous hash
//! are filled in by the server), appends the event, bumps `updated_at`,
//! notifies and commits; the lock is held for the server's work and the
//! commit's flush only.

use super::*;

/// `s` as a string literal for the simple query protocol: an escape
/// string (E'…'), so neither `standard_conforming_strings` nor any
/// character of `s` can end it early. `None` when `s` holds a NUL (the
/// protocol ends the query there; the caller takes the slower path, whose
/// error names the problem).
pub(super) fn literal(s: &str) -> Option<String> {
    if s.contains('\0') {
        return None;
    }
    let mut out = String::with_capacity(s.len() + 3);
    out.push_str("E'");
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("''"),
            c => out.push(c),
        }
    }
    out.push('\'');
    Some(out)
}

impl Pg {
    pub fn add_note(&self, id: IncidentId, actor: &str, text: &str) -> Result<Event> {
        let stored_actor = actor_from(actor, self.from_host.as_deref());
        // The canonical JSON after (id, incident, at): `,"actor","note",null,null,null,"text"]`.
        let json = serde_json::to_string(&(
            0,
            0,
            0,
            &stored_actor,
            EventKind::Note.as_str(),
            None::<&str>,
            None::<&str>,
            None::<&str>,
            Some(text),
        ))
        .map_err(|e| Error::Internal(format!("a note could not be encoded: {e}")))?;
        let tail = json.strip_prefix("[0,0,0").unwrap_or(&json);
        let (Some(actor_sql), Some(text_sql), Some(tail_sql)) =
            (literal(&stored_actor), literal(text), literal(tail))
        else {
            return self.add_text_prepared(id, actor, EventKind::Note, text);
        };
        let i = id.0;
        let sql = format!(
            "BEGIN;
             SELECT pg_advisory_xact_lock({WRITE_LOCK});
             WITH head AS (SELECT id, hash FROM events ORDER BY id DESC LIMIT 1),
                  ev AS (SELECT coalesce((SELECT id FROM head), 0) + 1 AS id,
                                floor(extract(epoch FROM clock_timestamp()))::bigint AS at,
                                coalesce((SELECT hash FROM head), {genesis}) AS prev
                           FROM incidents WHERE id = {i}),
                  ins AS (INSERT INTO events (id, incident_id, at, actor, kind, text, hash)
                          SELECT id, {i}, at, {actor_sql}, 'note', {text_sql},
                                 encode(sha256(convert_to(prev || E'\\n[' || id || ',{i},' || at || {tail_sql},
                                                          'UTF8')), 'hex')
                            FROM ev
                          RETURNING id, at),
                  upd AS (UPDATE incidents SET updated_at = greatest(updated_at, (SELECT at FROM ins))
                           WHERE id = {i} AND EXISTS (SELECT 1 FROM ins))
             SELECT id, at, pg_notify('{CHANNEL}', id::text) FROM ins;
             COMMIT;",
            genesis = literal(GENESIS).unwrap_or_default(),
        );
        let mut c = self.client.borrow_mut();
        let msgs = match c.simple_query(&sql) {
            Ok(m) => m,
            Err(e) => {
                // The message stops at the failing statement, inside the
                // transaction: end it, so the connection can be used again.
                let _ = c.batch_execute("ROLLBACK");
                return Err(self.err(e));
            }
        };
        let row = msgs.iter().find_map(|m| match m {
            postgres::SimpleQueryMessage::Row(r) if r.len() == 3 => Some(r),
            _ => None,
        });
        let Some(row) = row else {
            return Err(not_found(id));
        };
        let num = |i: usize| -> Result<i64> {
            row.try_get(i)
                .map_err(|e| self.err(e))?
                .and_then(|t| t.parse().ok())
                .ok_or_else(|| {
                    Error::Internal("the server did not say which note it stored".into())
                })
        };
        let (event_id, at) = (num(0)?, num(1)?);
        let at = DateTime::from_timestamp(at, 0).unwrap_or_else(Utc::now);
        let note = timeline::text_event(id, at, actor, EventKind::Note, text);
        Ok(Event {
            id: event_id,
            ..note
        })
    }
}

impl Pg {
    /// Append an evidence event (`text` is the record, ASCII JSON): like a
    /// note, it never conflicts and bumps only `updated_at`.
    pub fn add_evidence(&self, id: IncidentId, actor: &str, text: &str) -> Result<Event> {
        self.add_text_prepared(id, actor, EventKind::Evidence, text)
    }
}

#[cfg(test)]
mod tests {
    use super::literal;

    #[test]
    fn literals_cannot_be_ended_early() {
        assert_eq!(literal("it's").as_deref(), Some("E'it''s'"));
        assert_eq!(literal("a\\'; DROP").as_deref(), Some("E'a\\\\''; DROP'"));
        assert_eq!(literal("tab\tnl\n").as_deref(), Some("E'tab\tnl\n'"));
        assert_eq!(literal("nul\0"), None);
    }
}
