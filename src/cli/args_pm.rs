//! Arguments of the postmortem and action-item commands.

use clap::{Args, Subcommand};
#[allow(unused_imports)]
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct PostmortemArgs {
    /// Incident: 42 or INC-42
    pub id: String,
    /// Export format
    #[arg(long, value_parser = ["md", "json"], default_value = "md")]
    pub format: String,
    /// Write the export to this file instead of stdout
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Write a section (summary, impact, detection, trigger, root-cause, resolution,
    /// contributing-factors, five-whys, went-well, went-wrong, lucky, data-exposure,
    /// disclosure, lessons, links); text from --text, stdin, or $EDITOR on a terminal
    #[arg(long, value_name = "SECTION")]
    pub section: Option<String>,
    /// The section's text (with --section)
    #[arg(long, requires = "section")]
    pub text: Option<String>,
    /// Empty the section (with --section); empty text is refused otherwise
    #[arg(long, requires = "section", conflicts_with = "text")]
    pub clear: bool,
    /// Set the postmortem owner (- clears)
    #[arg(long, value_name = "USER")]
    pub owner: Option<String>,
    /// draft, in-review or published
    #[arg(long)]
    pub status: Option<String>,
}

#[derive(Args, Debug)]
pub struct ActionsArgs {
    /// Only open and in-progress items
    #[arg(long)]
    pub open: bool,
    /// Only open items past their due date
    #[arg(long)]
    pub overdue: bool,
    /// Only items this user owns
    #[arg(long, value_name = "USER", conflicts_with = "mine")]
    pub owner: Option<String>,
    /// Only items you own
    #[arg(long)]
    pub mine: bool,
    /// Only this incident's items
    #[arg(long, value_name = "ID")]
    pub incident: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum ActionCommand {
    /// Add an action item to an incident: sev action add 42 Add a canary --owner bob --due +14d
    Add(ActionAddArgs),
    /// Change an action item: sev action set ACT-7 owner=carol due=2026-12-01 status=in-progress
    Set(ActionSetArgs),
    /// Mark an action item done
    Done(ActionIdArg),
}

#[derive(Args, Debug)]
pub struct ActionAddArgs {
    /// Incident: 42 or INC-42
    pub id: String,
    /// What will be done (words are joined)
    #[arg(required = true, num_args = 1..)]
    pub description: Vec<String>,
    /// mitigate, prevent, detect or process (default prevent)
    #[arg(long = "type", value_name = "TYPE")]
    pub kind: Option<String>,
    /// Who will do it (a login name)
    #[arg(long, value_name = "USER")]
    pub owner: Option<String>,
    /// 2026-12-01, +7d, +2w, today, tomorrow
    #[arg(long)]
    pub due: Option<String>,
}

#[derive(Args, Debug)]
pub struct ActionSetArgs {
    /// ACT-7 or 7
    pub id: String,
    /// field=value: description, type, owner, due, status (open, in-progress, done, wont-do)
    #[arg(required = true, num_args = 1..)]
    pub assignments: Vec<String>,
}

#[derive(Args, Debug)]
pub struct ActionIdArg {
    /// ACT-7 or 7
    pub id: String,
}
