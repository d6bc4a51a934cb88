//! `sev run ID [--] CMD ARGS…`: clap's shape (its own file: args.rs is full).

use clap::Args;

#[derive(Args, Debug)]
#[command(after_help = "\
The command runs directly, without a shell: write `sh -c '…'` for pipes, globs or variables.
Its output is shown as it comes (control characters made visible) and kept on the timeline with
the command line, start time, duration and exit code; past [evidence] max_output (default 64KiB)
the first and last halves are kept. Ctrl-C reaches the command; the run is still recorded.
Exit code: the command's (128+N when killed by signal N; 127 when it is not found, and nothing is
recorded). With --json the output goes to stderr and the record to stdout.")]
pub struct RunArgs {
    /// Incident: 42 or INC-42
    pub id: String,
    /// The command and its arguments (`--` before them is optional;
    /// everything from the command's name on is the command's, `-h` too)
    #[arg(required = true, value_name = "CMD", trailing_var_arg = true)]
    pub command: Vec<String>,
}
