//! The terminal UI entry point.
use crate::config::Config;
use crate::error::Result;

pub fn run(config: Config) -> Result<()> {
    let store = crate::store::Store::open(&config.database)?;
    let _ = store;
    Err(crate::error::Error::Usage(
        "the TUI is not built yet: use `sev list`".into(),
    ))
}
