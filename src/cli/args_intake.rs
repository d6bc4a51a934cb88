//! Arguments of the alert-intake commands: ingest, alerts, maintenance.

use clap::{Args, Subcommand};
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct IngestArgs {
    /// The body's format: alertmanager, grafana, pagerduty, or generic:NAME (a mapping in the config)
    #[arg(long, value_name = "SOURCE")]
    pub source: String,
    /// The integration it came through (default: the source's name, or NAME for generic:NAME)
    #[arg(long, value_name = "NAME")]
    pub integration: Option<String>,
    /// The request body: a file, or - (the default) for stdin
    #[arg(value_name = "FILE|-", default_value = "-")]
    pub file: PathBuf,
}

#[derive(Args, Debug)]
pub struct AlertsArgs {
    /// Only the alerts of this incident (42 or INC-42)
    pub id: Option<String>,
    /// Only alerts still firing (or acknowledged at the source)
    #[arg(long)]
    pub firing: bool,
    /// Only alerts a route or a maintenance window suppressed
    #[arg(long)]
    pub suppressed: bool,
    /// At most this many, newest first
    #[arg(long, default_value_t = 200)]
    pub limit: usize,
}

#[derive(Subcommand, Debug)]
pub enum MaintenanceCommand {
    /// Silence matching alerts for a while: sev maintenance add --match 'service="checkout"' --until +2h --reason "db upgrade"
    Add(MaintenanceAdd),
    /// Windows in force or to come (--all: ended ones too)
    List(MaintenanceList),
    /// End a window now; alerts it held that still fire open their incidents
    End(MaintenanceEnd),
}

#[derive(Args, Debug)]
pub struct MaintenanceAdd {
    /// Alertmanager matchers over alert labels: 'service="checkout"', 'env=~"prod.*", team!="db"'
    #[arg(long = "match", value_name = "MATCHERS")]
    pub matchers: String,
    /// Start: now (default), +30m, or an RFC 3339 time
    #[arg(
        long,
        default_value = "now",
        value_name = "TIME",
        allow_hyphen_values = true
    )]
    pub from: String,
    /// End: +2h (relative to --from), or an RFC 3339 time
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    pub until: String,
    /// Why (shown in the TUI header and recorded on suppressed alerts)
    #[arg(long, value_name = "TEXT")]
    pub reason: String,
}

#[derive(Args, Debug)]
pub struct MaintenanceList {
    /// Ended windows too
    #[arg(long)]
    pub all: bool,
}

#[derive(Args, Debug)]
pub struct MaintenanceEnd {
    /// The window's number (from `sev maintenance list`)
    pub id: i64,
}
