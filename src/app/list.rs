//! The incident list: the ids of the whole view (cheap even at 100k) and the
//! rows of only the visible window.

use crate::domain::{Incident, IncidentId, Severity, Status};
use crate::error::Result;
use crate::store::{ListQuery, Scope, Store};

/// The quick facets.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Facets {
    pub scope: Scope,
    pub severity: Option<Severity>,
    pub mine: bool,
    /// Exactly these incidents: a bar or row drilled into from the
    /// metrics view (Esc or the clear-filters key drops it).
    pub drill: Option<Drill>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drill {
    /// What was drilled into: `SEV2 · 2026-W47`.
    pub label: String,
    pub ids: std::sync::Arc<Vec<IncidentId>>,
}

impl Facets {
    pub fn query(&self, actor: &str) -> ListQuery {
        ListQuery {
            scope: self.scope,
            severity: self.severity,
            assignee: self.mine.then(|| actor.to_string()),
            only: self.drill.as_ref().map(|d| d.ids.clone()),
            ..Default::default()
        }
    }

    /// open → all → triage → … → cancelled → open
    pub fn next_scope(&mut self) {
        self.scope = match self.scope {
            Scope::Open => Scope::All,
            Scope::All => Scope::Status(Status::ALL[0]),
            Scope::Status(s) => match Status::ALL.iter().position(|x| *x == s) {
                Some(i) if i + 1 < Status::ALL.len() => Scope::Status(Status::ALL[i + 1]),
                _ => Scope::Open,
            },
        };
    }

    /// any → SEV1 → … → SEV5 → any
    pub fn next_severity(&mut self) {
        self.severity = match self.severity {
            None => Some(Severity::Sev1),
            Some(s) => Severity::from_level(s.level() + 1),
        };
    }

    pub fn describe(&self) -> String {
        let mut parts = vec![match self.scope {
            Scope::Open => "open".to_string(),
            Scope::All => "all".to_string(),
            Scope::Status(s) => s.to_string(),
        }];
        if let Some(s) = self.severity {
            parts.push(s.to_string());
        }
        if self.mine {
            parts.push("mine".into());
        }
        if let Some(d) = &self.drill {
            parts.push(format!("metrics: {}", d.label));
        }
        parts.join(" · ")
    }
}

#[derive(Debug, Default)]
pub struct List {
    pub facets: Facets,
    /// Every id in the view, in order (search results when filtering).
    pub ids: Vec<IncidentId>,
    pub selected: usize,
    pub offset: usize,
    /// Rows `offset .. offset + rows.len()` of `ids`.
    pub rows: Vec<Incident>,
    /// Alert counts of the rows that have alerts (reloaded with them, so
    /// "180 alerts · 3 resolved" is live).
    pub alerts: std::collections::HashMap<IncidentId, crate::store::AlertCounts>,
    /// The latest reopen of the rows ever reopened (their response
    /// clocks' cycle start), reloaded with them.
    pub reopens: std::collections::HashMap<IncidentId, crate::store::Reopen>,
    /// The last stakeholder update of the rows that had one.
    pub updates: std::collections::HashMap<IncidentId, crate::paging::update::Last>,
    pub height: usize,
    /// The list has whole terminal lines to itself (no side pane), so a
    /// one-row shift is one scroll command for the terminal; beside the
    /// detail pane it would repaint every row, so the window jumps instead.
    pub full_width: bool,
    /// The incident just acted on: it stays selected (and listed) even when
    /// the change took it out of the filter, until the selection moves.
    pub pinned: Option<IncidentId>,
    /// Set when `pinned` is listed only because it is pinned.
    pub extra: Option<IncidentId>,
}

impl List {
    pub fn selected_id(&self) -> Option<IncidentId> {
        self.ids.get(self.selected).copied()
    }

    pub fn selected_row(&self) -> Option<&Incident> {
        self.selected
            .checked_sub(self.offset)
            .and_then(|i| self.rows.get(i))
    }

    /// Replace the ids, keeping the selection on the same incident if it is
    /// still there.
    pub fn set_ids(&mut self, mut ids: Vec<IncidentId>) {
        let keep = self.selected_id();
        self.extra = None;
        if let Some(p) = self.pinned
            && keep == Some(p)
            && !ids.contains(&p)
        {
            ids.insert(self.selected.min(ids.len()), p);
            self.extra = Some(p);
        }
        self.ids = ids;
        self.selected = keep
            .and_then(|k| self.ids.iter().position(|i| *i == k))
            .unwrap_or(self.selected.min(self.ids.len().saturating_sub(1)));
    }

    /// Is this incident in the view on its own merit (not only pinned)?
    pub fn in_view(&self, id: IncidentId) -> bool {
        self.extra != Some(id) && self.ids.contains(&id)
    }

    /// Move the selection by `delta`, clamped.
    pub fn move_by(&mut self, delta: isize) {
        self.pinned = None;
        if self.ids.is_empty() {
            self.selected = 0;
            return;
        }
        let max = self.ids.len() - 1;
        self.selected = (self.selected as isize + delta).clamp(0, max as isize) as usize;
    }

    pub fn select_index(&mut self, i: usize) {
        self.selected = i.min(self.ids.len().saturating_sub(1));
    }

    /// Keep the selection on screen; returns true when the window moved.
    /// When the list has whole lines to itself, a step past the edge (j on
    /// the last row) moves the window by that one row — the terminal
    /// backend shifts the rows with one scroll command and draws only the
    /// new one. Otherwise, and for a jump (a page, G, a search), the window
    /// moves so the selection sits in its middle.
    fn scroll_to_selection(&mut self) -> bool {
        let h = self.height.max(1);
        let old = self.offset;
        if self.full_width && self.selected + 1 == self.offset {
            self.offset = self.selected;
        } else if self.full_width && self.selected == self.offset + h {
            self.offset += 1;
        } else if self.selected < self.offset || self.selected >= self.offset + h {
            self.offset = self.selected.saturating_sub(h / 2);
        }
        let max_off = self.ids.len().saturating_sub(h);
        self.offset = self.offset.min(max_off);
        self.offset != old
    }

    /// Make sure the visible rows are loaded. Only fetches when the window
    /// moved or `force` (data changed).
    pub fn load_window(&mut self, store: &Store, force: bool) -> Result<()> {
        let moved = self.scroll_to_selection();
        let end = (self.offset + self.height.max(1)).min(self.ids.len());
        let want: Vec<IncidentId> = self.ids[self.offset.min(end)..end].to_vec();
        let have: Vec<IncidentId> = self.rows.iter().map(|r| r.id).collect();
        if force || moved || have != want {
            let got = store.get_many(&want)?;
            self.rows = got.rows;
            self.alerts = store.alert_counts(&want)?;
            self.reopens = store.reopens(&want)?;
            self.updates = store.last_updates(&want)?;
            // Rows deleted under us, or that cannot be read, are skipped by
            // get_many; keep ids aligned.
            if self.rows.len() != want.len() {
                let present: std::collections::HashSet<_> =
                    self.rows.iter().map(|r| r.id).collect();
                self.ids
                    .retain(|i| present.contains(i) || !want.contains(i));
            }
            // The readable rows are shown; the caller reports the others.
            if let Some(e) = crate::store::unreadable_error(&got.unreadable) {
                return Err(e);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facets_cycle_through_every_scope_and_severity() {
        let mut f = Facets::default();
        let mut seen = vec![f.scope];
        for _ in 0..Status::ALL.len() + 2 {
            f.next_scope();
            seen.push(f.scope);
        }
        assert_eq!(seen.first(), seen.last());
        assert_eq!(seen.len(), Status::ALL.len() + 3);
        let mut f = Facets::default();
        for _ in 0..6 {
            f.next_severity();
        }
        assert_eq!(f.severity, None);
    }

    #[test]
    fn selection_survives_reordering() {
        let mut l = List {
            height: 3,
            ..Default::default()
        };
        l.set_ids(vec![IncidentId(1), IncidentId(2), IncidentId(3)]);
        l.move_by(1);
        l.set_ids(vec![IncidentId(9), IncidentId(3), IncidentId(2)]);
        assert_eq!(l.selected_id(), Some(IncidentId(2)));
        l.set_ids(vec![IncidentId(9)]);
        assert_eq!(l.selected_id(), Some(IncidentId(9)));
        l.move_by(-5);
        assert_eq!(l.selected, 0);
    }
}
