//! Selection, reload and live refresh: what is on screen follows the
//! database, and only what changed is read again.

use super::*;

impl App {
    pub fn move_selection(&mut self, delta: isize) {
        self.list.move_by(delta);
        self.after_move(false);
    }

    /// After the selection or the ids changed: load the window and details.
    pub(super) fn after_move(&mut self, force: bool) {
        let r = self.list.load_window(&self.store, force);
        self.report(r);
        self.update_highlights();
        self.load_detail(force);
    }

    pub(super) fn load_detail(&mut self, force: bool) {
        let id = self.list.selected_id();
        let current = self.detail.incident.as_ref().map(|i| i.id);
        if !force && id == current {
            return;
        }
        if id != current {
            self.detail.scroll = 0;
        }
        match id {
            None => self.detail = Detail::default(),
            Some(id) => {
                let inc = self
                    .list
                    .selected_row()
                    .cloned()
                    .map(Ok)
                    .unwrap_or_else(|| self.store.get(id));
                let r = inc.and_then(|i| Ok((i, self.store.events(id)?)));
                if let Some((inc, events)) = self.report(r) {
                    self.detail.incident = Some(inc);
                    self.detail.events = events;
                }
                let q = crate::store::AlertQuery {
                    incident: Some(id),
                    limit: Some(super::DETAIL_ALERTS),
                    ..Default::default()
                };
                let r = self.store.alerts(&q).and_then(|a| {
                    let c = if a.is_empty() {
                        Default::default()
                    } else {
                        self.store
                            .alert_counts(&[id])?
                            .remove(&id)
                            .unwrap_or_default()
                    };
                    Ok((a, c))
                });
                let (alerts, counts) = self.report(r).unwrap_or_default();
                self.detail.alerts = alerts;
                self.detail.alert_counts = counts;
                let links = self.store.links(id);
                self.detail.links = self.report(links).unwrap_or_default();
                let esc = self.store.escalation(id);
                self.detail.escalation = self.report(esc).flatten();
                let out = self.store.outbox(&crate::store::respond::OutboxQuery {
                    incident: Some(id),
                    limit: 20,
                    ..Default::default()
                });
                self.detail.notes_out = self.report(out).unwrap_or_default();
            }
        }
    }

    /// Reload everything on screen from the database.
    pub fn reload(&mut self) -> Result<()> {
        self.last_event = self.store.last_event_id()?;
        self.search.reset();
        // The query in force is what is being typed in the search box, if
        // it is open, else the confirmed filter.
        let typing = matches!(self.top(), View::Search { input } if !input.trim().is_empty());
        if self.filter.is_empty() && !typing {
            let ids = self.store.list_ids(&self.list.facets.query(self.me()))?;
            self.list.set_ids(ids);
            if !self.marks.is_empty() {
                // A marked incident that left the view (resolved by someone,
                // say) is no longer acted on: the marks are what is seen.
                let seen: std::collections::HashSet<_> = self.list.ids.iter().collect();
                self.marks.retain(|id| seen.contains(id));
            }
            self.announce_alert_incidents();
        } else {
            self.request_search();
        }
        self.intake = self.store.intake_state(self.clock.now())?;
        self.oncall_minute = -1;
        self.refresh_oncall();
        self.after_move(true);
        self.reload_screen();
        self.flag_stale_dialog();
        Ok(())
    }

    /// Who is on call on each schedule, worked out again each minute
    /// (shifts hand over on the minute) and after a reload.
    pub(super) fn refresh_oncall(&mut self) {
        let now = self.clock.now();
        let minute = now.timestamp() / 60;
        if minute == self.oncall_minute || self.config.schedules.is_empty() {
            return;
        }
        self.oncall_minute = minute;
        let Some(rows) = self.report(self.store.overrides(None, now)) else {
            return;
        };
        let ovr: Vec<crate::oncall::Override> = rows
            .iter()
            .map(crate::paging::directory::to_override)
            .collect();
        self.oncall = self
            .config
            .schedules
            .names()
            .map(|n| {
                let who = self
                    .config
                    .schedules
                    .get(n)
                    .and_then(|s| s.on_call(now, &ovr))
                    .map(|s| s.user)
                    .unwrap_or_else(|| "nobody".into());
                (n.to_string(), who)
            })
            .collect();
    }

    /// Called a few times a second: take search answers, notice other
    /// processes' commits, save drafts, heartbeat.
    pub fn tick(&mut self) {
        self.beat();
        self.refresh_oncall();
        self.poll_search();
        self.poll_metrics();
        let version = self.store.data_version();
        if version.is_ok() && self.offline {
            self.offline = false;
            self.info("connection to the database is back; reloaded");
        }
        match version {
            Ok(v) if v != self.data_version => {
                self.data_version = v;
                // Presence heartbeats change the file but not the record:
                // reload only when an event was appended.
                match self.store.last_event_id() {
                    Ok(last) if last == self.last_event => {
                        // No new event, but a maintenance window may have
                        // started or ended (they append none).
                        let now = self.clock.now();
                        if let Some(s) = self.report(self.store.intake_state(now)) {
                            self.intake = s;
                        }
                    }
                    Ok(last) => {
                        self.last_event = last;
                        let r = self.reload();
                        self.report(r);
                    }
                    Err(e) => self.error(e.to_string()),
                }
            }
            Ok(_) => {}
            // Said once, then kept in the header while it lasts.
            Err(e) if self.offline => drop(e),
            Err(e) => {
                self.offline = matches!(e, crate::error::Error::Unavailable(_));
                self.error(e.to_string());
            }
        }
        if self.drafts_dirty {
            self.save_drafts();
        }
        // Something that happened in the background (a lost connection, a
        // change elsewhere) must not open a box over a dialog the user is
        // typing into: the box would take their next key.
        if !matches!(self.top(), View::Dialog(_)) {
            self.box_long_message();
        }
    }

    /// If the incident a dialog edits changed under it, say so (the text
    /// typed stays; saving checks for a real conflict).
    pub(super) fn flag_stale_dialog(&mut self) {
        let Some(d) = self.dialog() else {
            return;
        };
        let Some((id, seen_version)) = d.target() else {
            return;
        };
        let now = match &self.detail.incident {
            Some(i) if i.id == id => Some((
                i.version,
                self.detail.events.last().map(|e| e.actor.clone()),
            )),
            _ => self.store.get(id).ok().map(|i| (i.version, None)),
        };
        if let Some((v, who)) = now
            && v != seen_version
        {
            let by = who.map(|w| format!(" by {w}")).unwrap_or_default();
            let text = format!(
                "{id} was changed{by} while you were editing; your text is kept — saving checks for conflicts"
            );
            if let Some(Dialog::Prompt(p)) = self.dialog_mut() {
                p.stale = Some(text);
            } else {
                self.error(text);
            }
        }
    }
}

impl App {
    /// A cue when alerts opened an incident that is now in the list in
    /// view: a status line (and the bell, with `alerts.bell = true`). New
    /// incidents have the highest ids, so only ids above the highest seen
    /// are looked at; the first load announces nothing.
    fn announce_alert_incidents(&mut self) {
        let top = self.list.ids.iter().map(|i| i.0).max().unwrap_or(0);
        let Some(seen) = self
            .announced_up_to
            .replace(top.max(self.announced_up_to.unwrap_or(0)))
        else {
            return;
        };
        let fresh: Vec<IncidentId> = self
            .list
            .ids
            .iter()
            .copied()
            .filter(|i| i.0 > seen && !self.announced.contains(i))
            .take(50)
            .collect();
        if fresh.is_empty() {
            return;
        }
        let Ok(rows) = self.store.get_many(&fresh) else {
            return;
        };
        let by_alerts: Vec<&Incident> = rows
            .rows
            .iter()
            .filter(|i| i.tags.iter().any(|t| t == "alert"))
            .collect();
        for i in &by_alerts {
            self.announced.insert(i.id);
        }
        if let Some(first) = by_alerts.first() {
            let more = match by_alerts.len() {
                1 => String::new(),
                n => format!(" (and {} more)", n - 1),
            };
            self.info(format!(
                "new alert incident {}: {}{more}",
                first.id,
                crate::text::sanitize_line(&first.title)
            ));
            self.bell |= self.config.alerts.bell;
        }
    }
}
