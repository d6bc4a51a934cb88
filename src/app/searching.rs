//! The search overlay: asking the worker, taking its answers, highlights.

use super::{App, Outcome, View, search};
use crate::domain::IncidentId;
use crate::keymap::{Action, Mode};

impl App {
    /// Ask the worker for the current search input (or filter).
    pub(super) fn request_search(&mut self) {
        let q = match self.top() {
            View::Search { input } => input.clone(),
            _ => self.filter.clone(),
        };
        if q.trim().is_empty() {
            self.search.cancel();
            self.apply_base_ids();
            return;
        }
        let source = search::Source::Load {
            db: self.store.locator().to_path_buf(),
            query: self.list.facets.query(self.me()),
        };
        self.search.request(&q, source);
    }

    pub(super) fn search_key(&mut self, a: Action) -> Outcome {
        match a {
            Action::Accept => {
                self.widened_from = None; // the wider view was chosen
                if let Some(View::Search { input }) = self.stack.pop() {
                    self.filter = input.trim().to_string();
                }
                if self.filter.is_empty() {
                    self.apply_base_ids();
                } else {
                    let back = self.key(Mode::Normal, Action::Back);
                    self.info(format!("filtered by \"{}\" — {back} clears", self.filter));
                }
            }
            Action::Cancel | Action::Back => {
                self.stack.pop();
                if let Some(f) = self.widened_from.take() {
                    self.list.facets = f;
                }
                self.clear_filter();
            }
            Action::Down => self.move_selection(1),
            Action::Up => self.move_selection(-1),
            Action::SearchAll => {
                if self.widened_from.is_none() {
                    self.widened_from = Some(self.list.facets.clone());
                }
                self.list.facets = Default::default();
                self.list.facets.scope = crate::store::Scope::All;
                self.list.pinned = None;
                // Other rows to search: older answers no longer apply.
                self.search.reset();
                self.request_search();
            }
            _ => {}
        }
        Outcome::Stay
    }

    pub fn clear_filter(&mut self) {
        self.filter.clear();
        self.search.cancel();
        self.apply_base_ids();
    }

    pub(super) fn apply_base_ids(&mut self) {
        let q = self.list.facets.query(self.me());
        let ids = self.store.list_ids(&q);
        if let Some(ids) = self.report(ids) {
            self.list.set_ids(ids);
            self.after_move(true);
        }
    }

    /// Take a finished search answer if it is for the newest request.
    pub fn poll_search(&mut self) -> bool {
        let Some(ans) = self.search.worker.poll() else {
            return false;
        };
        self.take_answer(ans)
    }

    /// Wait for the newest search answer (tests and benchmarks).
    pub fn wait_for_search(&mut self) {
        if self.search.pending()
            && let Some(a) = self.search.worker.wait(self.search.generation)
        {
            self.take_answer(a);
        }
    }

    pub(super) fn take_answer(&mut self, ans: search::Answer) -> bool {
        if let Some(e) = &ans.error {
            self.error(format!("search failed: {e}"));
        }
        let ids: Vec<IncidentId> = ans.ids.to_vec();
        let newest = self.search.receive(ans);
        if newest {
            self.list.set_ids(ids);
            self.list.selected = 0;
            self.after_move(true);
        }
        newest
    }

    pub fn search_query(&self) -> &str {
        match self.top() {
            View::Search { input } => input,
            _ => &self.filter,
        }
    }

    pub(super) fn update_highlights(&mut self) {
        self.highlights.clear();
        let q = self.search_query().trim().to_string();
        if q.is_empty() {
            return;
        }
        use fuzzy_matcher::FuzzyMatcher;
        let m = fuzzy_matcher::skim::SkimMatcherV2::default().ignore_case();
        for r in &self.list.rows {
            if let Some((_, pos)) = m.fuzzy_indices(&r.title, &q) {
                self.highlights.insert(r.id, pos);
            }
        }
    }
}
