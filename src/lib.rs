//! sev: incident management in the terminal.
//!
//! Layers, from the inside out: [`domain`] (pure rules), [`store`] (all SQL),
//! [`config`], then the two front ends, [`cli`] and the TUI ([`app`], [`ui`],
//! [`keymap`]), which call the same domain and store functions.

pub mod clock;
pub mod domain;
pub mod identity;
pub mod text;
pub mod config;
pub mod error;
pub mod ops;
pub mod store;
