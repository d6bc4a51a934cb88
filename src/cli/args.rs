//! The command line's shape: clap derive definitions, with `--help` text.

use super::args_pm::{ActionCommand, ActionsArgs, PostmortemArgs};
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

const AFTER_HELP: &str = "\
Exit codes: 0 ok, 1 output could not be written (or an internal error), 2 usage or validation
error, 3 not found, 4 conflict, 5 database unavailable, 6 a check failed (sev verify, sev doctor).
Several incidents (sev ack 12 13, sev ack --service checkout --all-matching, sev merge): each is its own
change, one line each; exit 0 when every one succeeded, else the code of the first that was refused.
Environment: SEV_DB (database file), SEV_CONFIG (config file), VISUAL/EDITOR, NO_COLOR.";

#[derive(Parser, Debug)]
#[command(
    name = "sev",
    version,
    about = "Incident management in the terminal. With no command, opens the TUI.",
    after_help = AFTER_HELP
)]
pub struct Cli {
    /// Database: a file (default: $XDG_DATA_HOME/sev/sev.db) or a postgres:// URL; env SEV_DB
    #[arg(long, global = true, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Config file (default: $XDG_CONFIG_HOME/sev/config.toml; env SEV_CONFIG)
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Print machine-readable JSON instead of text
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Log a new incident and print its reference (INC-42)
    New(NewArgs),
    /// List incidents (default: open ones), worst fire first: active (triage, acknowledged, investigating), then mitigated, then finished; within each by severity, priority, oldest
    #[command(alias = "ls")]
    List(ListArgs),
    /// Fuzzy search like the TUI's `/`: best matches first
    Search(SearchArgs),
    /// Show one incident with its whole timeline
    Show(IdArg),
    /// Acknowledge: you have it (assigns you if nobody is assigned); several: sev ack 12 INC-13 14
    Ack(RefsArgs),
    /// Move an incident to another state (triage, acknowledged, investigating, mitigated, resolved, closed, cancelled)
    Status(StatusArgs),
    /// Change fields: sev set 42 severity=SEV1 impact=high assignee=alice
    Set(SetArgs),
    /// Assign an incident to a user (yourself when USER is omitted)
    Assign(AssignArgs),
    /// Add a note to the timeline (text from arguments, stdin, or $EDITOR)
    Note(NoteArgs),
    /// Resolve: impact is over (needs a summary of what fixed it)
    Resolve(ResolveArgs),
    /// Close a resolved incident
    Close(RefsArgs),
    /// Reopen a resolved, closed or cancelled incident
    Reopen(RefsArgs),
    /// Cancel an open incident that is not one (needs a reason)
    Cancel(CancelArgs),
    /// Merge duplicates into one incident: each FROM ends cancelled as "duplicate of INTO", its alerts move to INTO
    Merge(MergeArgs),
    /// Record that two incidents are related (shown by sev show on both)
    Link(LinkArgs),
    /// Export incidents (or their timeline events) as CSV or JSON, with the list's filters
    Export(super::args_learn::ExportArgs),
    /// Response measures over a period: time to detect, acknowledge, mitigate, resolve, impact duration (n, mean, median, p90, max)
    Report(super::args_learn::ReportArgs),
    /// Export a postmortem (Markdown or JSON), or edit it: --section, --owner, --status
    #[command(alias = "pm")]
    Postmortem(PostmortemArgs),
    /// List action items across incidents
    Actions(ActionsArgs),
    /// Add, change or finish an action item
    #[command(subcommand)]
    Action(ActionCommand),
    /// Check the tamper-evident hash chain of the audit trail
    Verify(VerifyArgs),
    /// Check permissions, filesystem, schema, integrity and the audit trail; print fixes
    Doctor,
    /// Set up a database shared by a Unix group (setgid directory, 0660 file), or sev's schema on PostgreSQL (--db postgres://…)
    Init(InitArgs),
    /// Copy every record from one database to another, empty one (SQLite ↔ PostgreSQL)
    Migrate(MigrateArgs),
    /// Fill a database with realistic sample incidents
    Demo(DemoArgs),
    /// Check or print the configuration
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Alert routing rules: sev route test FILE shows what they do with a body, writing nothing
    #[command(subcommand)]
    Route(RouteCommand),
    /// Print a shell completion script: sev completions bash > /etc/bash_completion.d/sev
    Completions(CompletionsArgs),
    /// Print the man page (roff) to stdout, or write one page per command with --dir
    Man(ManArgs),
    /// Apply one alert body as `sev serve` would: sev ingest --source alertmanager body.json
    Ingest(super::args_intake::IngestArgs),
    /// List alerts (of one incident, or all), newest first
    Alerts(super::args_intake::AlertsArgs),
    /// Maintenance windows: silence matching alerts for a while
    #[command(subcommand)]
    Maintenance(super::args_intake::MaintenanceCommand),
    /// Receive alerts over HTTP (Alertmanager, Grafana, PagerDuty Events v2, generic senders, heartbeats) until SIGTERM
    Serve(ServeArgs),
    /// Post a stakeholder update (status, impact, what is being done, next update by) to the incident's stakeholder channels and timeline
    Update(super::args_respond::UpdateArgs),
    /// Notifications waiting, sent and failed (pages, updates); retry a failed one
    Outbox(super::args_respond::OutboxArgs),
    /// Your own settings: contact methods for pages
    #[command(subcommand)]
    Me(super::args_respond::MeCommand),
    /// Who is on call now and next (schedules in the config, overrides here); override, export as iCalendar
    Oncall(super::args_respond::OncallArgs),
    /// Notification channels: send a test message
    #[command(subcommand)]
    Notify(super::args_respond::NotifyCommand),
    /// Run a command and record it on the timeline (command, time, duration, exit, output): sev run 42 -- df -h
    Run(super::args_run::RunArgs),
}

impl Command {
    /// Whether the command may create a missing database. Only `new` and
    /// `demo` do (and the TUI): every other command reads, or changes an
    /// incident that a missing database cannot hold, so for them a missing
    /// file is "no database at PATH" — a typo'd --db never leaves a file.
    pub fn creates(&self) -> bool {
        matches!(
            self,
            Command::New(_)
                | Command::Demo(_)
                | Command::Ingest(_)
                | Command::Maintenance(super::args_intake::MaintenanceCommand::Add(_))
        )
    }
}

#[derive(Args, Debug)]
pub struct IdArg {
    /// Incident: 42 or INC-42
    pub id: String,
}

#[derive(Args, Debug)]
pub struct NewArgs {
    /// What is broken (words are joined)
    #[arg(required = true, num_args = 1..)]
    pub title: Vec<String>,
    /// Details: what is seen, since when, who is affected
    #[arg(short, long)]
    pub description: Option<String>,
    /// incident, near-miss or security
    #[arg(long)]
    pub kind: Option<String>,
    /// SEV1 (critical) … SEV5 (cosmetic)
    #[arg(short, long)]
    pub severity: Option<String>,
    /// high, medium or low
    #[arg(long)]
    pub impact: Option<String>,
    /// high, medium or low
    #[arg(long)]
    pub urgency: Option<String>,
    /// The affected service (from the config's taxonomy, when it has one)
    #[arg(long)]
    pub service: Option<String>,
    /// The category (from the config's taxonomy, when it has one)
    #[arg(long)]
    pub category: Option<String>,
    /// A tag (repeatable, or comma-separated)
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,
    /// Who works on it (a login name)
    #[arg(long)]
    pub assignee: Option<String>,
    /// When the impact began: RFC 3339, or relative like -20m or "20m ago"
    /// (counted back from the database's clock)
    #[arg(long = "impact-start", value_name = "WHEN", allow_hyphen_values = true)]
    pub impact_start: Option<String>,
    /// When it was noticed: RFC 3339, or relative like -5m or "5m ago"
    #[arg(long, value_name = "WHEN", allow_hyphen_values = true)]
    pub detected: Option<String>,
}

/// The list's filters: `sev list` and every verb's `--all-matching` use
/// them, so the same filters select the same incidents.
#[derive(Args, Debug, Clone, Default)]
pub struct Filters {
    /// Include resolved, closed and cancelled incidents
    #[arg(short, long)]
    pub all: bool,
    /// Only this state (triage, acknowledged, investigating, mitigated, resolved,
    /// closed, cancelled), or open / all
    #[arg(long, value_name = "STATE")]
    pub status: Option<String>,
    /// Only this severity: SEV1 … SEV5 (or 1 … 5)
    #[arg(long, value_name = "SEV")]
    pub severity: Option<String>,
    /// Only this priority: P1 … P5
    #[arg(long, value_name = "P")]
    pub priority: Option<String>,
    /// Only incidents of this service
    #[arg(long)]
    pub service: Option<String>,
    /// Only incidents assigned to this user
    #[arg(long, value_name = "USER", conflicts_with = "mine")]
    pub assignee: Option<String>,
    /// Only incidents assigned to you
    #[arg(long)]
    pub mine: bool,
    /// Text in the reference, title, service or description
    #[arg(long)]
    pub search: Option<String>,
}

impl Filters {
    /// Was any filter given (`--all` counts: it says "every incident")?
    pub fn any(&self) -> bool {
        let Filters {
            all,
            status,
            severity,
            priority,
            service,
            assignee,
            mine,
            search,
        } = self;
        *all || *mine
            || [status, severity, priority, service, assignee, search]
                .iter()
                .any(|o| o.is_some())
    }
}

#[derive(Args, Debug)]
pub struct ListArgs {
    #[command(flatten)]
    pub filters: Filters,
    /// At most this many rows (default 50; 0 = no limit)
    #[arg(short = 'n', long, default_value_t = 50)]
    pub limit: usize,
    #[command(flatten)]
    pub clocks: super::args_respond_sla::ClockFilter,
}

#[derive(Args, Debug)]
pub struct SearchArgs {
    /// What to look for (words are joined): fuzzy over titles, plus service,
    /// reference and description words
    #[arg(required = true, num_args = 1..)]
    pub query: Vec<String>,
    /// Only open incidents
    #[arg(long)]
    pub open: bool,
    /// At most this many rows (default 20; 0 = all matches)
    #[arg(short = 'n', long, default_value_t = 20)]
    pub limit: usize,
}

/// Which incidents a state-changing verb changes, besides the references
/// it is given: every one the list's filters select.
#[derive(Args, Debug, Clone, Default)]
#[command(next_help_heading = "Select with the list's filters")]
pub struct Select {
    /// Change every incident the filters select (those `sev list` shows with the same filters, without its limit); refused without a filter
    #[arg(long)]
    pub all_matching: bool,
    #[command(flatten)]
    pub filters: Filters,
}

#[derive(Args, Debug)]
pub struct RefsArgs {
    /// Incidents: 42 or INC-42; several are changed one by one
    #[arg(value_name = "ID")]
    pub ids: Vec<String>,
    #[command(flatten)]
    pub select: Select,
}

#[derive(Args, Debug)]
pub struct StatusArgs {
    /// Incidents (42 or INC-42, several allowed), then the state: triage, acknowledged,
    /// investigating, mitigated, resolved, closed or cancelled (the last word)
    #[arg(required = true, num_args = 1.., value_name = "ID|STATE")]
    pub words: Vec<String>,
    /// Resolution summary (when moving to resolved)
    #[arg(long)]
    pub summary: Option<String>,
    /// Reason (when moving to cancelled)
    #[arg(long)]
    pub reason: Option<String>,
    /// Resolve even though alerts still fire (recorded on the timeline)
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub select: Select,
}

#[derive(Args, Debug)]
pub struct SetArgs {
    /// Incidents (42 or INC-42, several allowed), then field=value pairs; fields: title,
    /// description, kind, severity, impact, urgency, category, service, tags, assignee,
    /// commander, scribe, comms, impact_started_at, detected_at (value - clears). Times:
    /// RFC 3339 (2026-11-28T03:10:00Z) or relative to now (-20m, -2h, -1d)
    #[arg(required = true, num_args = 1.., value_name = "ID|FIELD=VALUE")]
    pub items: Vec<String>,
    /// Refuse (exit 4) unless the incident is still at this version (one incident only)
    #[arg(long, value_name = "N")]
    pub if_version: Option<i64>,
    #[command(flatten)]
    pub select: Select,
}

#[derive(Args, Debug)]
pub struct AssignArgs {
    /// Incidents (42 or INC-42, several allowed), then a login name (default: you); the
    /// last word is the user unless it is an incident reference
    #[arg(value_name = "ID|USER")]
    pub items: Vec<String>,
    #[command(flatten)]
    pub select: Select,
}

#[derive(Args, Debug)]
pub struct NoteArgs {
    /// Incident (42 or INC-42), then the note (words are joined); with --message or
    /// --all-matching every word names an incident. Without text: stdin, or $EDITOR on a terminal.
    #[arg(value_name = "ID|TEXT")]
    pub items: Vec<String>,
    /// The note, for several incidents: sev note 12 13 -m "rolled back"
    #[arg(short, long, value_name = "TEXT")]
    pub message: Option<String>,
    #[command(flatten)]
    pub select: Select,
}

#[derive(Args, Debug)]
pub struct ResolveArgs {
    /// Incidents: 42 or INC-42; several are resolved one by one with the same summary
    #[arg(value_name = "ID")]
    pub ids: Vec<String>,
    /// What fixed it
    #[arg(short, long)]
    pub summary: String,
    /// Resolve even though alerts still fire (recorded on the timeline)
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub select: Select,
}

#[derive(Args, Debug)]
pub struct CancelArgs {
    /// Incidents: 42 or INC-42; several are cancelled one by one with the same reason
    #[arg(value_name = "ID")]
    pub ids: Vec<String>,
    /// Why this is not an incident
    #[arg(short, long)]
    pub reason: String,
    #[command(flatten)]
    pub select: Select,
}

#[derive(Args, Debug)]
pub struct MergeArgs {
    /// The incident that stays: 42 or INC-42
    pub into: String,
    /// Its duplicates: each ends cancelled as "duplicate of INTO"; its timeline stays, its alerts move
    #[arg(required = true, num_args = 1.., value_name = "FROM")]
    pub from: Vec<String>,
}

#[derive(Args, Debug)]
pub struct LinkArgs {
    /// One incident: 42 or INC-42
    pub a: String,
    /// The incident it is related to
    pub b: String,
    /// Why they are related (shown with the link)
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
}

#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// Print only the current chain head (ID:HASH), to log outside the database
    #[arg(long, conflicts_with = "expect")]
    pub head: bool,
    /// Also check that a head logged earlier (ID:HASH) is still there, unchanged
    #[arg(long, value_name = "ID:HASH")]
    pub expect: Option<String>,
}

#[derive(Args, Debug)]
pub struct InitArgs {
    /// Directory for the shared database (created if missing), e.g. /srv/sev
    #[arg(long, value_name = "DIR", requires = "group")]
    pub shared: Option<PathBuf>,
    /// The Unix group whose members may use it
    #[arg(long, requires = "shared")]
    pub group: Option<String>,
}

#[derive(Args, Debug)]
pub struct MigrateArgs {
    /// The database to copy: a file path or postgres://USER@HOST/DB
    #[arg(long, value_name = "DB")]
    pub from: PathBuf,
    /// The empty database to copy into (created if it is a new file)
    #[arg(long, value_name = "DB")]
    pub to: PathBuf,
}

#[derive(Args, Debug)]
pub struct DemoArgs {
    /// How many incidents (100000 makes a large one for benchmarks)
    #[arg(long, default_value_t = 300)]
    pub count: usize,
    /// Add to a database that already has incidents
    #[arg(long)]
    pub append: bool,
    /// Random seed (same seed, same data)
    #[arg(long, default_value_t = 2026)]
    pub seed: u64,
}

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Where to listen: IP:PORT, or unix:/path/to/socket for a reverse proxy. Only a
    /// loopback address unless you name another IP here (TLS belongs to a reverse proxy)
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub listen: String,
}

#[derive(Subcommand, Debug)]
pub enum ConfigCommand {
    /// Validate every config layer; report problems with file:line:column
    Check,
    /// Print the effective configuration as TOML
    Show,
}

#[derive(Subcommand, Debug)]
pub enum RouteCommand {
    /// Run a body's alerts through the [[routes]] rules: every rule tried, which matched and
    /// why, and the incident each alert would open. Reads the config only; writes nothing.
    Test(RouteTestArgs),
}

#[derive(Args, Debug)]
pub struct RouteTestArgs {
    /// The body's format: alertmanager, grafana, pagerduty or generic:NAME (default: the
    /// integration's, else alertmanager)
    #[arg(long, value_name = "SOURCE")]
    pub source: Option<String>,
    /// The configured integration the body comes through (its mapping, group_by and service
    /// apply; default: the only one configured for the source)
    #[arg(long, value_name = "NAME")]
    pub integration: Option<String>,
    /// Route as if it were this time (RFC 3339, e.g. 2026-01-07T09:00:00Z), for time windows
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// The request body as the sender posts it (- reads stdin)
    pub file: PathBuf,
}

#[derive(Args, Debug)]
pub struct CompletionsArgs {
    /// The shell to complete for
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Args, Debug)]
pub struct ManArgs {
    /// Write sev.1 and one page per subcommand (sev-list.1 …) into this directory
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

#[cfg(test)]
mod tests {
    use super::Cli;
    use clap::CommandFactory;

    /// Issue 10 fix 13: every flag and argument says what it is for.
    #[test]
    fn every_argument_has_help() {
        fn walk(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
            for a in cmd.get_arguments() {
                let id = a.get_id().as_str();
                if matches!(id, "help" | "version") {
                    continue;
                }
                if a.get_help().is_none() && a.get_long_help().is_none() {
                    missing.push(format!("{path} {id}"));
                }
            }
            for sub in cmd.get_subcommands() {
                if sub.get_about().is_none() {
                    missing.push(format!("{path} {} (the command)", sub.get_name()));
                }
                walk(sub, &format!("{path} {}", sub.get_name()), missing);
            }
        }
        let cmd = Cli::command();
        cmd.clone().debug_assert();
        let mut missing = Vec::new();
        walk(&cmd, "sev", &mut missing);
        assert!(missing.is_empty(), "no --help text: {missing:#?}");
    }
}
