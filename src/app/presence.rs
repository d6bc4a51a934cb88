//! Presence: this process's heartbeat and who else is on the incident.

use super::dialog::Dialog;
use super::{App, View};
use crate::domain::IncidentId;

impl App {
    /// Announce this process's presence as (host, pid, origin).
    pub fn enable_presence(&mut self, host: String, pid: u32, origin: String) {
        self.me = Some((host, pid, origin));
        self.beat();
    }

    /// This process is going away: take its presence with it.
    pub fn leave(&mut self) {
        if let Some((host, pid, _)) = &self.me {
            let _ = self.store.leave(host, *pid);
        }
    }

    /// The incident on screen, and whether a dialog is editing it.
    pub(super) fn focus_incident(&self) -> (Option<IncidentId>, bool) {
        let inc = match self.screen() {
            View::Postmortem(p) => Some(p.view.incident.id),
            View::Actions(_) | View::Metrics(_) => None,
            _ => self.list.selected_id(),
        };
        let editing = match self.dialog() {
            Some(Dialog::ActionForm(f)) => Some(f.incident) == inc,
            Some(d) => d.target().map(|(id, _)| id) == inc && inc.is_some(),
            None => false,
        };
        (inc, editing)
    }

    /// Heartbeat: every 15 s, and within a second of a change of incident or
    /// of starting or stopping an edit. Then refresh who else is here.
    pub(super) fn beat(&mut self) {
        let Some((host, pid, origin)) = self.me.clone() else {
            return;
        };
        let now = self.clock.now();
        let (inc, editing) = self.focus_incident();
        let due = match self.last_beat {
            None => true,
            Some((i, e, at)) => {
                let age = now - at;
                let changed = (i, e) != (inc, editing);
                // A clock that went back also forces a beat.
                age >= chrono::Duration::seconds(15)
                    || age < chrono::Duration::zero()
                    || (changed && age >= chrono::Duration::seconds(1))
            }
        };
        if due {
            let p = crate::store::Presence {
                host: host.clone(),
                pid,
                actor: self.actor.clone(),
                origin,
                incident: inc,
                editing,
                seen_at: now,
            };
            // Best effort: a read-only user cannot announce themselves.
            let _ = self.store.heartbeat(&p);
            self.last_beat = Some((inc, editing, now));
        }
        self.viewers = match inc {
            Some(id) => self
                .store
                .viewers(id, now)
                .unwrap_or_default()
                .into_iter()
                .filter(|v| !(v.host == host && v.pid == pid))
                .collect(),
            None => Vec::new(),
        };
    }
}
