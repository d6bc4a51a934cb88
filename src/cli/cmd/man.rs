//! `sev man`: the man page, from the clap definitions (so it never drifts
//! from `--help`). To stdout, or with `--dir` one page per subcommand.

use crate::cli::{Cli, ManArgs, show_path};
use crate::error::{Error, Result};
use clap::CommandFactory;
use std::io::Write;

pub(super) fn run(a: &ManArgs) -> Result<()> {
    let cmd = Cli::command();
    match &a.dir {
        None => {
            let mut out = Vec::new();
            clap_mangen::Man::new(cmd)
                .render(&mut out)
                .map_err(|e| Error::Internal(format!("cannot render the man page: {e}")))?;
            std::io::stdout()
                .write_all(&out)
                .map_err(|e| Error::Internal(format!("cannot write the man page: {e}")))
        }
        Some(dir) => {
            std::fs::create_dir_all(dir).map_err(|e| unwritable(dir, e))?;
            clap_mangen::generate_to(cmd, dir).map_err(|e| unwritable(dir, e))?;
            crate::outln!("man pages written to {}", show_path(dir));
            Ok(())
        }
    }
}

fn unwritable(dir: &std::path::Path, e: std::io::Error) -> Error {
    Error::Usage(format!(
        "cannot write man pages to {}: {e} (choose another --dir)",
        show_path(dir)
    ))
}
