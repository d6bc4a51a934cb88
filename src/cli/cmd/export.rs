//! `sev export --format csv|json [--events] [list filters] [--output FILE]`:
//! incidents (or their timeline events) for spreadsheets and BI tools.
//!
//! Streaming: the ids the filters select are read first (8 bytes each),
//! then the rows in chunks, each written before the next is read, so 100k
//! incidents export in constant memory. Times are RFC 3339 in UTC (a
//! spreadsheet converts; a BI tool joins on them). Text is the record's,
//! passed through the one sanitizer (no escape sequence reaches a terminal
//! or a cell), and a CSV cell that a spreadsheet would run as a formula
//! (`=`, `+`, `-`, `@` first) is prefixed with `'`.

use super::Env;
use crate::cli::{ExportArgs, incident_json};
use crate::clock::rfc3339;
use crate::domain::{Event, Incident, IncidentId};
use crate::error::{Error, Result};
use std::io::{IsTerminal, Write};

/// Rows read per round trip.
const CHUNK: usize = 500;

/// The CSV columns of an incident, in order (README documents them).
pub const INCIDENT_COLUMNS: [&str; 28] = [
    "ref",
    "id",
    "title",
    "kind",
    "status",
    "severity",
    "priority",
    "impact",
    "urgency",
    "service",
    "category",
    "tags",
    "assignee",
    "commander",
    "scribe",
    "comms",
    "reporter",
    "created_at",
    "impact_started_at",
    "detected_at",
    "acknowledged_at",
    "mitigated_at",
    "resolved_at",
    "closed_at",
    "updated_at",
    "resolution",
    "cancel_reason",
    "description",
];

/// The CSV columns of an event.
pub const EVENT_COLUMNS: [&str; 10] = [
    "ref",
    "event_id",
    "at",
    "actor",
    "kind",
    "field",
    "old",
    "new",
    "text",
    "incident_id",
];

pub(super) fn run(env: &Env<'_>, a: ExportArgs) -> Result<()> {
    let mut q = super::bulk::query(env, &a.filters)?;
    q.limit = None;
    let ids = env.store().list_ids(&q)?;
    let shown = a
        .output
        .as_ref()
        .map(|p| crate::text::sanitize_line(&p.display().to_string()).into_owned());
    let sink: Box<dyn Write> = match &a.output {
        Some(p) => Box::new(std::fs::File::create(p).map_err(|e| {
            Error::Usage(format!(
                "cannot write {}: {e} (choose another --output path)",
                shown.as_deref().unwrap_or_default()
            ))
        })?),
        None => Box::new(std::io::stdout().lock()),
    };
    let bar = progress(ids.len(), a.output.is_some());
    // The global --json means JSON here too.
    let format = if env.json { "json" } else { a.format.as_str() };
    let mut w = Writer::new(sink, format, a.events)?;
    let mut unreadable = Vec::new();
    for chunk in ids.chunks(CHUNK) {
        let got = env.store().get_many(chunk)?;
        for inc in &got.rows {
            if a.events {
                let events = env.store().events(inc.id)?;
                for e in &events {
                    w.event(inc.id, e)?;
                }
            } else {
                w.incident(inc)?;
            }
        }
        unreadable.extend(got.unreadable);
        bar.inc(chunk.len() as u64);
    }
    w.finish()?;
    bar.finish_and_clear();
    if let Some(path) = shown {
        eprintln!(
            "{} {} written to {path}",
            ids.len() - unreadable.len(),
            if a.events {
                "incidents' events"
            } else {
                "incidents"
            }
        );
    }
    match crate::store::unreadable_error(&unreadable) {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// A bar on stderr when writing a file from a terminal and there is
/// enough to wait for.
fn progress(n: usize, to_file: bool) -> indicatif::ProgressBar {
    let show = to_file && n >= 20_000 && std::io::stderr().is_terminal();
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(n as u64),
        if show {
            indicatif::ProgressDrawTarget::stderr()
        } else {
            indicatif::ProgressDrawTarget::hidden()
        },
    );
    if let Ok(style) = indicatif::ProgressStyle::with_template("exporting [{bar:40}] {pos}/{len}") {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

enum Writer {
    Csv(Box<csv::Writer<Box<dyn Write>>>),
    Json { out: Box<dyn Write>, first: bool },
}

fn io(e: impl std::fmt::Display) -> Error {
    Error::Unavailable(format!("cannot write the export: {e}"))
}

/// A write that failed because the reader went away (`| head`) ends the
/// process quietly, as for any Unix filter.
fn written<T>(r: std::result::Result<T, std::io::Error>) -> Result<T> {
    match r {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            std::process::exit(crate::error::exit::OK)
        }
        r => r.map_err(io),
    }
}

fn csv_written<T>(r: std::result::Result<T, csv::Error>) -> Result<T> {
    match r {
        Ok(v) => Ok(v),
        Err(e) => match e.into_kind() {
            csv::ErrorKind::Io(e) => written(Err(e)),
            other => Err(io(format!("{other:?}"))),
        },
    }
}

impl Writer {
    fn new(out: Box<dyn Write>, format: &str, events: bool) -> Result<Writer> {
        Ok(match format {
            "csv" => {
                let mut w = csv::WriterBuilder::new().from_writer(out);
                let header: &[&str] = if events {
                    &EVENT_COLUMNS
                } else {
                    &INCIDENT_COLUMNS
                };
                csv_written(w.write_record(header))?;
                Writer::Csv(Box::new(w))
            }
            _ => {
                let mut out: Box<dyn Write> = Box::new(std::io::BufWriter::new(out));
                written(out.write_all(b"["))?;
                Writer::Json { out, first: true }
            }
        })
    }

    fn incident(&mut self, i: &Incident) -> Result<()> {
        match self {
            Writer::Csv(w) => csv_written(w.write_record(incident_row(i))),
            Writer::Json { out, first } => {
                let v = serde_json::to_vec(&incident_json(i, None)).map_err(io)?;
                json_item(out, first, &v)
            }
        }
    }

    fn event(&mut self, id: IncidentId, e: &Event) -> Result<()> {
        match self {
            Writer::Csv(w) => csv_written(w.write_record(event_row(id, e))),
            Writer::Json { out, first } => {
                let v = serde_json::to_vec(&serde_json::json!({
                    "ref": id.to_string(),
                    "incident_id": id.0,
                    "event_id": e.id,
                    "at": rfc3339(e.at),
                    "actor": e.actor,
                    "kind": e.kind.as_str(),
                    "field": e.field,
                    "old": e.old,
                    "new": e.new,
                    "text": e.text,
                }))
                .map_err(io)?;
                json_item(out, first, &v)
            }
        }
    }

    fn finish(self) -> Result<()> {
        match self {
            Writer::Csv(mut w) => csv_written(w.flush().map_err(csv::Error::from)),
            Writer::Json { mut out, .. } => {
                written(out.write_all(b"]\n"))?;
                written(out.flush())
            }
        }
    }
}

fn json_item(out: &mut Box<dyn Write>, first: &mut bool, v: &[u8]) -> Result<()> {
    if !*first {
        written(out.write_all(b",\n"))?;
    } else {
        written(out.write_all(b"\n"))?;
    }
    *first = false;
    written(out.write_all(v))
}

/// Text for a cell: sanitized, and never read as a formula.
pub fn cell(s: &str) -> String {
    let clean = crate::text::sanitize(s);
    match clean.chars().next() {
        Some('=' | '+' | '-' | '@') => format!("'{clean}"),
        _ => clean.into_owned(),
    }
}

fn opt(s: &Option<String>) -> String {
    s.as_deref().map(cell).unwrap_or_default()
}

fn time(t: Option<chrono::DateTime<chrono::Utc>>) -> String {
    t.map(rfc3339).unwrap_or_default()
}

fn incident_row(i: &Incident) -> Vec<String> {
    vec![
        i.id.to_string(),
        i.id.0.to_string(),
        cell(&i.title),
        i.kind.to_string(),
        i.status.to_string(),
        i.severity.to_string(),
        i.priority.to_string(),
        i.impact.to_string(),
        i.urgency.to_string(),
        opt(&i.service),
        opt(&i.category),
        cell(&i.tags.join(",")),
        opt(&i.assignee),
        opt(&i.commander),
        opt(&i.scribe),
        opt(&i.comms),
        cell(&i.reporter),
        rfc3339(i.created_at),
        time(i.impact_started_at),
        time(i.detected_at),
        time(i.acknowledged_at),
        time(i.mitigated_at),
        time(i.resolved_at),
        time(i.closed_at),
        rfc3339(i.updated_at),
        opt(&i.resolution),
        opt(&i.cancel_reason),
        cell(&i.description),
    ]
}

fn event_row(id: IncidentId, e: &Event) -> Vec<String> {
    vec![
        id.to_string(),
        e.id.to_string(),
        rfc3339(e.at),
        cell(&e.actor),
        e.kind.as_str().to_string(),
        opt(&e.field),
        opt(&e.old),
        opt(&e.new),
        opt(&e.text),
        id.0.to_string(),
    ]
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn cells_never_run_as_formulas_or_carry_escapes() {
        assert_eq!(cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(cell("+1"), "'+1");
        assert_eq!(cell("-5% traffic"), "'-5% traffic");
        assert_eq!(cell("@sum"), "'@sum");
        assert_eq!(cell("db down"), "db down");
        assert!(!cell("red \u{1b}[31mtext").contains('\u{1b}'));
        assert_eq!(cell("two\nlines"), "two\nlines");
    }
}
