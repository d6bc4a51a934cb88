//! Writing the CLI's output. `println!` panics when stdout cannot be
//! written (`> /dev/full`, a failing disk): that would be a crash report
//! for an ordinary condition. These write through a locked stdout and turn
//! a failure into one clear line on stderr and exit code 1. A closed pipe
//! (`sev list | head`) ends the process quietly by SIGPIPE, as for any
//! Unix filter (see [`default_sigpipe`]).

use std::fmt::Arguments;
use std::io::Write;

/// Write `args` to stdout, exiting with a clear message if it cannot be.
pub fn write(args: Arguments<'_>, newline: bool) {
    let mut o = std::io::stdout().lock();
    let r = o
        .write_fmt(args)
        .and_then(|()| if newline { o.write_all(b"\n") } else { Ok(()) })
        .and_then(|()| o.flush());
    if let Err(e) = r {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(crate::error::exit::OK);
        }
        eprintln!(
            "sev: cannot write the output: {e} (any change the command made was already saved)"
        );
        std::process::exit(crate::error::exit::INTERNAL);
    }
}

/// Restore the default SIGPIPE action (Rust ignores it): a reader that
/// closes the pipe ends `sev` quietly, like `cat` or `grep`.
pub fn default_sigpipe() {
    use nix::sys::signal::{SigHandler, Signal, signal};
    // SAFETY: SIG_DFL installs no Rust code as a handler; called once at
    // start-up, before any other thread exists.
    let _ = unsafe { signal(Signal::SIGPIPE, SigHandler::SigDfl) };
}

/// `println!` for the CLI's stdout.
#[macro_export]
macro_rules! outln {
    () => { $crate::cli::out::write(format_args!(""), true) };
    ($($t:tt)*) => { $crate::cli::out::write(format_args!($($t)*), true) };
}

/// `print!` for the CLI's stdout.
#[macro_export]
macro_rules! out {
    ($($t:tt)*) => { $crate::cli::out::write(format_args!($($t)*), false) };
}
