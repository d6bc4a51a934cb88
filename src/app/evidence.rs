//! `:run CMD ARGS…`: run a command as evidence for the selected incident.
//! The words are split like a shell splits them (quotes only — nothing
//! runs through a shell); the terminal loop suspends the screen as for
//! `$EDITOR`, runs it in the foreground ([`crate::evidence::run`]), waits
//! for Enter and resumes; [`App::run_done`] records it.

use super::{App, Effect, Outcome};
use crate::domain::IncidentId;
use crate::domain::evidence::{Evidence, words};
use crate::error::{Error, Result};
use crate::evidence::LaunchError;

impl App {
    pub(super) fn run_evidence(&mut self, id: IncidentId, line: &str) -> Result<Outcome> {
        let argv = words::split(line).map_err(|e| Error::Usage(format!(":run: {e}")))?;
        if argv.is_empty() {
            return Err(Error::Usage(
                ":run needs a command: :run df -h (no shell: :run sh -c 'a | b')".into(),
            ));
        }
        self.effect = Some(Effect::Run { id, argv });
        Ok(Outcome::Stay)
    }

    /// The `:run` command came back: record it, or say why there is
    /// nothing to record.
    pub fn run_done(&mut self, id: IncidentId, r: std::result::Result<Evidence, LaunchError>) {
        match r {
            Ok(record) => self.apply(Outcome::Run(super::run::Op::Evidence { id, record })),
            Err(e) => self.error(e.to_string()),
        }
    }
}
