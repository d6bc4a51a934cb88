//! sev: incident management in the terminal.
//!
//! Layers, from the inside out: [`domain`] (pure rules), [`store`] (all SQL),
//! [`config`], then the two front ends, [`cli`] and the TUI ([`app`], [`ui`],
//! [`keymap`]), which call the same domain and store functions; fuzzy
//! ranking ([`search`]) is shared by both.

pub mod access;
pub mod admin;
pub mod app;
pub mod calendar;
pub mod cli;
pub mod clock;
pub mod columns;
pub mod config;
pub mod demo;
pub mod domain;
pub mod editor;
pub mod error;
pub mod evidence;
pub mod export;
pub mod fsafe;
pub mod geometry;
pub mod identity;
pub mod intake;
pub mod keymap;
pub mod metrics;
pub mod notify;
pub mod oncall;
pub mod ops;
pub mod paging;
pub mod respond;
pub mod search;
pub mod serve;
pub mod store;
pub mod text;
pub mod tui;
pub mod ui;
