//! Postmortem export: Markdown from a template (assets/postmortem.md, or a
//! path in the config) and JSON. Deterministic: the same record gives the
//! same bytes; times are UTC. In Markdown every field is sanitized and
//! escaped so it cannot add structure (a title cannot forge a heading);
//! JSON carries the exact text, escaped by `text::json_safe`.

use crate::clock;
use crate::config::Config;
use crate::domain::{SECTIONS, timeline_worthy};
use crate::error::{Error, Result};
use crate::ops::PostmortemView;
use crate::text::{fold_lines, sanitize, sanitize_line};
use serde::Serialize;

pub const TEMPLATE: &str = include_str!("../../assets/postmortem.md");

#[derive(Serialize)]
struct Doc {
    incident: IncidentDoc,
    postmortem: PmDoc,
    measures: MeasuresDoc,
    sections: Vec<SectionDoc>,
    /// Titles of the optional sections nobody wrote (listed once, at the
    /// end of the Markdown, instead of a heading each).
    not_written: Vec<String>,
    timeline: Vec<TimelineDoc>,
    actions: Vec<ActionDoc>,
}

#[derive(Serialize)]
struct IncidentDoc {
    id: i64,
    #[serde(rename = "ref")]
    reference: String,
    title: String,
    /// What was seen, as the responders wrote it (may be several lines).
    description: String,
    kind: String,
    status: String,
    severity: String,
    severity_name: String,
    impact: String,
    urgency: String,
    priority: String,
    service: String,
    category: String,
    commander: String,
    assignee: String,
    created: String,
    started: String,
    detected: String,
    acknowledged: String,
    mitigated: String,
    resolved: String,
    closed: String,
    resolution: String,
}

#[derive(Serialize)]
struct PmDoc {
    status: String,
    owner: String,
    published: String,
}

#[derive(Serialize)]
struct MeasuresDoc {
    detect: String,
    acknowledge: String,
    mitigate: String,
    resolve: String,
    impact: String,
    /// The same in seconds (null = unknown), for JSON readers.
    seconds: crate::domain::Measures,
}

#[derive(Serialize)]
struct SectionDoc {
    key: String,
    title: String,
    text: String,
    written: bool,
    /// Required before the incident may close (shown as missing when not
    /// written; optional unwritten sections are only listed).
    required: bool,
}

#[derive(Serialize)]
struct TimelineDoc {
    event_id: i64,
    at: String,
    actor: String,
    kind: String,
    what: String,
    highlight: bool,
    annotation: String,
}

#[derive(Serialize)]
struct ActionDoc {
    id: i64,
    #[serde(rename = "ref")]
    reference: String,
    #[serde(rename = "type")]
    kind: String,
    description: String,
    owner: String,
    due: String,
    status: String,
}

fn utc(t: Option<chrono::DateTime<chrono::Utc>>) -> String {
    t.map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// Who will read the export, which decides how field text is written.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Target {
    /// Markdown for people: terminal-safe, and no field can change the
    /// document's structure.
    Markdown,
    /// JSON for programs: the exact stored text (`json_safe` makes the
    /// serialized document terminal-safe without changing it).
    Json,
}

impl Target {
    /// A one-line field (title, service, owner…): line breaks folded,
    /// sanitized and Markdown-escaped, so it stays inside its heading or
    /// table cell.
    fn line(self, x: &str) -> String {
        match self {
            Target::Json => x.to_string(),
            Target::Markdown => md_inline(&sanitize_line(&fold_lines(x))),
        }
    }

    /// A possibly multi-line value shown in a table cell (a note, an
    /// annotation): every line escaped; the `cell` filter joins them.
    fn lines(self, x: &str) -> String {
        match self {
            Target::Json => x.to_string(),
            Target::Markdown => sanitize(x)
                .lines()
                .map(md_inline)
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }

    /// A postmortem section: the author's own Markdown, sanitized only.
    fn block(self, x: &str) -> String {
        match self {
            Target::Json => x.to_string(),
            Target::Markdown => sanitize(x).into_owned(),
        }
    }

    fn opt(self, x: &Option<String>) -> String {
        x.as_deref()
            .map(|v| self.line(v))
            .unwrap_or_else(|| "—".into())
    }
}

/// Escape one line of text so that, wherever a template puts it, it is
/// plain text: no emphasis, link, image, code span, HTML or entity, no
/// table cell border, and nothing at the start that opens a heading,
/// list, quote, code block, fence or thematic break.
pub fn md_inline(line: &str) -> String {
    let line = line.trim_start();
    let mut out = String::with_capacity(line.len() + 8);
    for c in line.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '&' | '#'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    // Block starts the loop above does not already neutralise.
    if out.starts_with(['-', '+', '=']) {
        out.insert(0, '\\');
    }
    let digits = out.chars().take_while(char::is_ascii_digit).count();
    if digits > 0 && out[digits..].starts_with(['.', ')']) {
        out.insert(digits, '\\');
    }
    out
}

fn dur(x: Option<i64>) -> String {
    x.map(clock::duration).unwrap_or_else(|| "unknown".into())
}

/// The sections of the kind's template, plus any others that were written,
/// and the titles of the optional ones nobody wrote.
fn sections_doc(v: &PostmortemView, config: &Config, to: Target) -> (Vec<SectionDoc>, Vec<String>) {
    let kind = v.incident.kind;
    let keys = config.postmortem.sections_for(kind);
    // Required only when the close policy asks for a postmortem for this
    // incident (judged at its worst severity, as `close` judges it).
    let judged = crate::domain::Incident {
        severity: crate::domain::worst_severity(&v.incident, &v.events),
        ..v.incident.clone()
    };
    let required = config.postmortem.required_for(&judged);
    let sections: Vec<SectionDoc> = SECTIONS
        .iter()
        .filter(|sec| keys.iter().any(|k| k.key == sec.key) || v.postmortem.text(sec.key).is_some())
        .map(|sec| {
            let text = v
                .postmortem
                .text(sec.key)
                .map(|t| to.block(t))
                .unwrap_or_default();
            SectionDoc {
                key: sec.key.into(),
                title: sec.title.into(),
                written: !text.is_empty(),
                required: required.contains(&sec.key),
                text,
            }
        })
        .collect();
    let not_written = sections
        .iter()
        .filter(|s| !s.written && !s.required)
        .map(|s| s.title.clone())
        .collect();
    (sections, not_written)
}

/// The timeline events worth a postmortem, with the author's marks.
fn timeline_doc(v: &PostmortemView, to: Target) -> Vec<TimelineDoc> {
    v.events
        .iter()
        .filter(|e| timeline_worthy(e))
        .filter(|e| !v.marks.get(&e.id).is_some_and(|m| m.hidden))
        .map(|e| {
            let mark = v.marks.get(&e.id).cloned().unwrap_or_default();
            TimelineDoc {
                event_id: e.id,
                at: utc(Some(e.at)),
                actor: to.line(&e.actor),
                kind: e.kind.as_str().into(),
                what: to.lines(&e.summary()),
                highlight: mark.highlight,
                annotation: mark
                    .annotation
                    .as_deref()
                    .map(|a| to.lines(a))
                    .unwrap_or_default(),
            }
        })
        .collect()
}

fn actions_doc(v: &PostmortemView, to: Target) -> Vec<ActionDoc> {
    v.actions
        .iter()
        .map(|a| ActionDoc {
            id: a.id.0,
            reference: a.id.to_string(),
            kind: a.kind.to_string(),
            description: to.lines(&a.description),
            owner: to.opt(&a.owner),
            due: a.due.map(|d| d.to_string()).unwrap_or_else(|| "—".into()),
            status: a.status.to_string(),
        })
        .collect()
}

fn incident_doc(v: &PostmortemView, config: &Config, to: Target) -> IncidentDoc {
    let i = &v.incident;
    IncidentDoc {
        id: i.id.0,
        reference: i.id.to_string(),
        title: to.line(&i.title),
        description: to.lines(&i.description),
        kind: i.kind.to_string(),
        status: i.status.to_string(),
        severity: i.severity.to_string(),
        severity_name: to.line(&config.severity(i.severity).name),
        impact: i.impact.to_string(),
        urgency: i.urgency.to_string(),
        priority: i.priority.to_string(),
        service: to.opt(&i.service),
        category: to.opt(&i.category),
        commander: to.opt(&i.commander),
        assignee: to.opt(&i.assignee),
        created: utc(Some(i.created_at)),
        started: utc(i.impact_started_at),
        detected: utc(i.detected_at),
        acknowledged: utc(i.acknowledged_at),
        mitigated: utc(i.mitigated_at),
        resolved: utc(i.resolved_at),
        closed: utc(i.closed_at),
        resolution: to.opt(&i.resolution),
    }
}

fn doc(v: &PostmortemView, config: &Config, to: Target) -> Doc {
    let m = crate::domain::measures(&v.incident);
    let pm = &v.postmortem;
    let (sections, not_written) = sections_doc(v, config, to);
    Doc {
        incident: incident_doc(v, config, to),
        postmortem: PmDoc {
            status: pm.status.to_string(),
            owner: pm.owner.as_deref().map(|o| to.line(o)).unwrap_or_default(),
            published: pm.published_at.map(|t| utc(Some(t))).unwrap_or_default(),
        },
        measures: MeasuresDoc {
            detect: dur(m.time_to_detect),
            acknowledge: dur(m.time_to_acknowledge),
            mitigate: dur(m.time_to_mitigate),
            resolve: dur(m.time_to_resolve),
            impact: dur(m.impact_duration),
            seconds: m,
        },
        sections,
        not_written,
        timeline: timeline_doc(v, to),
        actions: actions_doc(v, to),
    }
}

/// Make text fit in one Markdown table cell: the values are escaped
/// already (see [`md_inline`]); line breaks become `<br>`.
fn cell(v: String) -> String {
    v.replace('\n', "<br>")
}

/// Render the postmortem as Markdown.
pub fn markdown(v: &PostmortemView, config: &Config) -> Result<String> {
    let (source, name) = match &config.postmortem_template {
        Some(p) => (
            std::fs::read_to_string(p).map_err(|e| {
                Error::Usage(format!(
                    "cannot read the postmortem template {}: {e} (fix [postmortem] template in your config)",
                    p.display()
                ))
            })?,
            p.display().to_string(),
        ),
        None => (TEMPLATE.to_string(), "assets/postmortem.md".to_string()),
    };
    let mut env = minijinja::Environment::new();
    if let Ok(syntax) = minijinja::syntax::SyntaxConfig::builder()
        .trim_blocks(true)
        .lstrip_blocks(true)
        .keep_trailing_newline(true)
        .build()
    {
        env.set_syntax(syntax);
    }
    env.add_filter("cell", cell);
    let located = |e: minijinja::Error| {
        Error::Usage(format!(
            "{name}:{}: template error: {}",
            e.line().unwrap_or(1),
            e
        ))
    };
    let tmpl = env.template_from_str(&source).map_err(located)?;
    let out = tmpl
        .render(minijinja::Value::from(minijinja::value::Serde(doc(
            v,
            config,
            Target::Markdown,
        ))))
        .map_err(located)?;
    // Collapse the blank lines the template's loops leave behind.
    let mut clean = String::with_capacity(out.len());
    let mut blank = 0;
    for line in out.lines() {
        if line.trim().is_empty() {
            blank += 1;
            if blank > 1 {
                continue;
            }
        } else {
            blank = 0;
        }
        clean.push_str(line.trim_end());
        clean.push('\n');
    }
    Ok(clean)
}

/// The same data as JSON: the exact stored text, written terminal-safe.
pub fn json(v: &PostmortemView, config: &Config) -> String {
    let s = serde_json::to_string_pretty(&doc(v, config, Target::Json)).unwrap_or_default();
    crate::text::json_safe(&s).into_owned() + "\n"
}

#[cfg(test)]
mod tests;
