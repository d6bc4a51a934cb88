//! Alerts in: monitoring opens, updates and resolves incidents.
//!
//! body → [`parse`] → [`model::Batch`] → [`route`] per alert →
//! [`apply`] (one write transaction: alerts upserted, incidents opened,
//! updated, mitigated or resolved, the raw body stored) → [`apply::Outcome`].
//! `sev serve` (HTTP) and `sev ingest` (a file or stdin) call the same
//! [`apply::ingest`].

pub mod apply;
pub mod config;
pub mod config_file;
pub mod config_show;
pub mod matcher;
pub mod model;
mod open;
pub mod parse;
pub mod route;
pub mod timers;
pub mod tz;
pub mod window;
mod working;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_timers;
