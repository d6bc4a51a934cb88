//! `sev ingest`: apply one alert body exactly as `sev serve` would.

use super::Env;
use crate::cli::args_intake::IngestArgs;
use crate::cli::to_json;
use crate::error::{Error, Result};
use crate::intake::apply::{IngestError, Outcome, ingest};
use crate::intake::model::Source;
use crate::text::sanitize_line;
use std::io::Read;

/// `alertmanager` → (Alertmanager, "alertmanager"); `generic:NAME` →
/// (Generic, NAME).
pub(crate) fn source_arg(s: &str) -> Result<(Source, Option<String>)> {
    let bad = || {
        Error::Usage(format!(
            "--source {}: write alertmanager, grafana, pagerduty or generic:NAME",
            sanitize_line(s)
        ))
    };
    if let Some(name) = s.strip_prefix("generic:") {
        if name.is_empty() {
            return Err(bad());
        }
        return Ok((Source::Generic, Some(name.to_string())));
    }
    match Source::parse(s) {
        Some(src @ (Source::Alertmanager | Source::Grafana | Source::Pagerduty)) => Ok((src, None)),
        _ => Err(bad()),
    }
}

/// Read FILE or stdin, refusing more than `limit` bytes without holding more.
pub(crate) fn read_body(file: &std::path::Path, limit: usize) -> Result<Vec<u8>> {
    let shown = file.display().to_string();
    let mut buf = Vec::new();
    let cap = limit as u64 + 1;
    let read = if shown == "-" {
        std::io::stdin().lock().take(cap).read_to_end(&mut buf)
    } else {
        std::fs::File::open(file).and_then(|f| f.take(cap).read_to_end(&mut buf))
    };
    read.map_err(|e| Error::Usage(format!("cannot read {}: {e}", sanitize_line(&shown))))?;
    if buf.len() > limit {
        return Err(Error::Usage(format!(
            "{}: the body is over {limit} bytes (alerts.max_body_bytes); nothing was written",
            sanitize_line(&shown)
        )));
    }
    Ok(buf)
}

pub(super) fn run(env: &Env<'_>, a: &IngestArgs) -> Result<()> {
    let cfg = env.cx.config;
    let (source, generic) = source_arg(&a.source)?;
    let name = a
        .integration
        .clone()
        .or(generic)
        .unwrap_or_else(|| source.as_str().to_string());
    let body = read_body(&a.file, cfg.alerts.max_body_bytes)?;
    let out =
        ingest(env.store(), cfg, &name, source, &body, env.cx.clock.now()).map_err(
            |e| match e {
                IngestError::Bad(b) => Error::Usage(format!(
                    "{}: not a {source} body: {}; nothing was written",
                    sanitize_line(&a.file.display().to_string()),
                    sanitize_line(&b.0)
                )),
                IngestError::Unknown(m) => Error::Usage(m),
                IngestError::Store(e) => e,
            },
        )?;
    if env.json {
        crate::outln!("{}", to_json(&out));
        return Ok(());
    }
    print(env, &out)
}

fn print(env: &Env<'_>, out: &Outcome) -> Result<()> {
    for c in &out.incidents {
        let inc = env.store().get(c.id)?;
        let change = serde_json::to_value(c.change)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        crate::outln!(
            "{:<9} {:<12} {}  {}",
            c.id.to_string(),
            change,
            inc.severity,
            sanitize_line(&inc.title)
        );
    }
    if let Some(k) = &out.dedup_key {
        crate::outln!("dedup_key: {}", sanitize_line(k));
    }
    crate::outln!(
        "alerts: {} new · {} updated · {} resolved · {} suppressed",
        out.alerts_new,
        out.alerts_updated,
        out.alerts_resolved,
        out.alerts_suppressed
    );
    Ok(())
}
