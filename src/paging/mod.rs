//! Reaching people: escalation of unacknowledged incidents through
//! on-call schedules, the outbox delivery worker, stakeholder updates.
//! Decisions live here; the rows they write live in `crate::store::respond`.

pub mod config;
pub mod config_file;
pub mod escalate;

use crate::domain::Incident;
use chrono::{DateTime, Utc};

/// What paging needs to know about people: who is on call, how to reach
/// them, and the words of a page. `sev serve` answers from the config
/// and the database; tests answer from a table.
pub trait Directory {
    /// Who is on call on `schedule` at `at`.
    fn on_call(&self, schedule: &str, at: DateTime<Utc>) -> Option<String>;
    /// `user`'s contact methods: (channel, address).
    fn contacts(&self, user: &str) -> Vec<(String, String)>;
    /// Subject and body of a page to `user` at step `step` of `of`:
    /// `previous` is None for an escalation's first page, else who the
    /// step before paged and did not acknowledge (not `user`; may be empty).
    fn render_page(
        &self,
        inc: &Incident,
        user: &str,
        step: usize,
        of: usize,
        previous: Option<&[String]>,
        now: DateTime<Utc>,
    ) -> (String, String);
}
pub mod deliver;
pub mod update;

pub mod directory;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_people;
pub mod worker;
