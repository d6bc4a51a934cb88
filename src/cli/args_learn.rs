//! Arguments of the commands that read the record for people elsewhere:
//! `sev report` and `sev export`.

use super::args::Filters;
use clap::Args;
use std::path::PathBuf;

/// Measures (each from the incident's own times; an incident missing one is
/// counted as unknown, never guessed; cancelled incidents are left out):
/// time_to_detect = impact start → detected; time_to_acknowledge = logged →
/// acknowledged; time_to_mitigate = logged → mitigated; time_to_resolve =
/// logged → resolved (the latest resolution); impact_duration = impact start
/// → resolved. For an incident opened by alerts, logged is when the first
/// alert arrived and impact start is the alert's startsAt. Percentiles are
/// nearest-rank (the median of an even count is the lower middle value).
///
/// Text, Markdown and JSON go on with a review of the period: incidents per
/// week (months beyond 92 days) by severity, kind, service and category;
/// interruptions in business, off and sleep hours ([hours] in config);
/// SEV1–2 postmortems published and the time to publish; action items open,
/// overdue, done on time; recurring services, top and flapping alerts; the
/// SEV1–2 list and the overdue action items. CSV holds the measures.
#[derive(Args, Debug)]
pub struct ReportArgs {
    /// Start of the period: a span before now (30d, 12h, 2w), a date (midnight, local) or an RFC 3339 time
    #[arg(long, default_value = "30d")]
    pub since: String,
    /// End of the period (default now): a date or an RFC 3339 time
    #[arg(long)]
    pub until: Option<String>,
    /// Also per severity, service, category, kind, week or month (weeks and months in local time)
    #[arg(long, value_name = "GROUP")]
    pub by: Option<String>,
    /// text, md (for a service review), json (seconds; stable field names) or csv (a header row)
    #[arg(long, value_parser = ["text", "md", "json", "csv"], default_value = "text")]
    pub format: String,
    /// Write to this file instead of stdout
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Where the Markdown links a SEV1–2 incident's postmortem ({ref} becomes INC-12); the default is the file the postmortem pane's export writes
    #[arg(long, value_name = "TEMPLATE", default_value = "{ref}-postmortem.md")]
    pub postmortem_url: String,
}

#[derive(Args, Debug)]
pub struct ExportArgs {
    /// csv (a header row, RFC 4180 quoting) or json (an array of the objects `sev show --json` prints)
    #[arg(long, value_parser = ["csv", "json"], default_value = "csv")]
    pub format: String,
    /// Export the selected incidents' timeline events, one row each, instead of the incidents
    #[arg(long)]
    pub events: bool,
    /// Write to this file instead of stdout
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// The list's filters (default: open incidents; --all for every one)
    #[command(flatten)]
    pub filters: Filters,
}
