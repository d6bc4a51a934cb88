//! `sev completions bash|zsh|fish|elvish|powershell`: a completion script
//! generated from the same clap definitions the parser uses.

use crate::cli::{Cli, CompletionsArgs};
use crate::error::Result;
use clap::CommandFactory;

pub(super) fn run(a: &CompletionsArgs) -> Result<()> {
    let mut cmd = Cli::command();
    clap_complete::generate(a.shell, &mut cmd, "sev", &mut std::io::stdout());
    Ok(())
}
