//! `sev config check|show`.

use crate::cli::{ConfigCommand, to_json};
use crate::config::Config;
use crate::error::Result;
use crate::text::sanitize_line;

pub(super) fn run(config: &Config, c: &ConfigCommand, json: bool) -> Result<()> {
    match c {
        ConfigCommand::Check => {
            // Key bindings are part of the config: check them too.
            crate::keymap::Keymap::load(&config.keys)?;
            if json {
                crate::outln!(
                    "{}",
                    to_json(&serde_json::json!({"ok": true, "sources": config.sources}))
                );
            } else {
                crate::outln!("config ok: {}", sanitize_line(&config.sources.join(", ")));
            }
        }
        ConfigCommand::Show => crate::out!("{}", crate::text::sanitize(&config.to_toml())),
    }
    Ok(())
}
