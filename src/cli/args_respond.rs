//! Arguments of the paging commands: update, outbox, me.

use clap::{Args, Subcommand};

#[derive(Args, Debug)]
pub struct UpdateArgs {
    /// The incident (42 or INC-42)
    pub id: String,
    /// Where things stand ("investigating", "fix deployed, watching")
    #[arg(long, value_name = "TEXT")]
    pub status: Option<String>,
    /// Who or what is affected, and how badly
    #[arg(long, value_name = "TEXT")]
    pub impact: Option<String>,
    /// What is being done now
    #[arg(long, value_name = "TEXT")]
    pub doing: Option<String>,
    /// When the next update comes: 30m, 1h, or none (default: the cadence of the severity in [updates])
    #[arg(long, value_name = "DURATION")]
    pub next: Option<String>,
}

#[derive(Args, Debug)]
pub struct OutboxArgs {
    #[command(subcommand)]
    pub command: Option<OutboxCommand>,
    /// Only notifications that failed for good
    #[arg(long)]
    pub failed: bool,
    /// Only the notifications of this incident (42 or INC-42)
    #[arg(long, value_name = "ID")]
    pub incident: Option<String>,
    /// At most this many, newest first
    #[arg(long, default_value_t = 50)]
    pub limit: usize,
}

#[derive(Subcommand, Debug)]
pub enum OutboxCommand {
    /// Send a failed (or cancelled) notification again: sev outbox retry 17
    Retry(OutboxRetry),
}

#[derive(Args, Debug)]
pub struct OutboxRetry {
    /// The notification's number (sev outbox --failed lists them)
    pub id: i64,
}

#[derive(Subcommand, Debug)]
pub enum MeCommand {
    /// Your contact methods, where pages reach you
    #[command(subcommand)]
    Contact(ContactCommand),
}

#[derive(Subcommand, Debug)]
pub enum ContactCommand {
    /// Add one: sev me contact add ops-hook @alice (the channel is a [channels.NAME] of the config)
    Add(ContactAdd),
    /// Your contact methods (from the config and added here)
    List,
    /// Remove one you added: sev me contact rm 3
    Rm(ContactRm),
}

#[derive(Args, Debug)]
pub struct ContactAdd {
    /// A channel of the config ([channels.NAME])
    pub channel: String,
    /// Your address on it: an e-mail address, a chat handle, a phone number for an exec pager
    pub address: String,
}

#[derive(Args, Debug)]
pub struct ContactRm {
    /// The contact's number (sev me contact list shows it)
    pub id: i64,
}

#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub struct OncallArgs {
    #[command(subcommand)]
    pub command: Option<OncallCommand>,
    /// One schedule ([schedules.NAME] in the config); default: every schedule
    pub schedule: Option<String>,
    /// At another time: +8h, -1d, or an RFC 3339 time like 2026-12-24T18:00:00Z (default: now)
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum OncallCommand {
    /// Put someone on call for a while, over the rotation: sev oncall override --schedule primary --user bob --from now --until +8h
    Override(OverrideAdd),
    /// Overrides in force or to come
    Overrides(OverrideList),
    /// Remove an override (it stays on record as removed): sev oncall remove-override 4
    RemoveOverride(OverrideRm),
    /// The schedule as iCalendar (.ics) for people's calendars: sev oncall export primary -o primary.ics
    Export(OncallExport),
}

#[derive(Args, Debug)]
pub struct OverrideAdd {
    /// The schedule ([schedules.NAME] in the config)
    #[arg(long, value_name = "NAME")]
    pub schedule: String,
    /// Who is on call instead
    #[arg(long, value_name = "USER")]
    pub user: String,
    /// now, +2h, or an RFC 3339 time
    #[arg(long, value_name = "TIME")]
    pub from: String,
    /// +8h, or an RFC 3339 time
    #[arg(long, value_name = "TIME")]
    pub until: String,
}

#[derive(Args, Debug)]
pub struct OverrideList {
    /// Only this schedule's
    pub schedule: Option<String>,
}

#[derive(Args, Debug)]
pub struct OverrideRm {
    /// The override's number (sev oncall overrides lists them)
    pub id: i64,
}

#[derive(Args, Debug)]
pub struct OncallExport {
    /// The schedule ([schedules.NAME] in the config)
    pub schedule: String,
    /// How many days from today
    #[arg(long, default_value_t = 28)]
    pub days: u32,
    /// Write to this file instead of stdout
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<std::path::PathBuf>,
}

#[derive(Subcommand, Debug)]
pub enum NotifyCommand {
    /// Send a test message through a channel now and say what the receiver answered: sev notify test ops-hook
    Test(NotifyTest),
}

#[derive(Args, Debug)]
pub struct NotifyTest {
    /// A channel of the config ([channels.NAME])
    pub channel: String,
    /// The address to send to (an e-mail channel needs one; default: your first contact on that channel)
    #[arg(long, value_name = "ADDRESS")]
    pub to: Option<String>,
}
