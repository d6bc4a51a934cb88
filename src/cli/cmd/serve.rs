//! `sev serve`: the HTTP receiver for alerts. Everything is in
//! [`crate::serve`]; this only turns the flags into its options.

use crate::cli::ServeArgs;
use crate::config::Config;
use crate::error::Result;

pub(super) fn run(config: Config, a: &ServeArgs) -> Result<()> {
    let listen = crate::serve::Listen::parse(&a.listen)?;
    crate::serve::run(config, listen)
}
