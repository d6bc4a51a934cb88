//! The detail pane: every field, the roles and the timeline (newest last).

use super::theme::Theme;
use crate::app::App;
use crate::clock;
use crate::domain::{EventKind, Incident};
use crate::respond::targets_show::Tone;
use crate::text::{sanitize, sanitize_line};
use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

fn opt(o: &Option<String>) -> String {
    o.as_deref()
        .map(|s| sanitize_line(s).into_owned())
        .unwrap_or_else(|| "—".into())
}

fn when(app: &App, t: Option<DateTime<Utc>>) -> String {
    t.map(|t| app.clock.local(t)).unwrap_or_else(|| "—".into())
}

/// Width of a field label: values, and their wrapped lines, start here.
const LABEL_W: usize = 10;
/// Width of a timeline entry's time and actor: its text starts here.
const EVENT_LEAD_W: usize = 21;
/// Output lines of a `sev run` the timeline shows (first and last ones).
const EVIDENCE_LINES: usize = 6;

fn field<'a>(theme: &Theme, label: &'a str, value: String) -> Vec<Span<'a>> {
    vec![
        Span::styled(format!("{label:<LABEL_W$}"), theme.dim()),
        Span::raw(value),
    ]
}

/// Each response clock of `inc` on one line, with how to draw it.
fn clock_lines(app: &App, inc: &Incident) -> Vec<(String, Tone)> {
    let (now, zone) = (app.clock.now(), app.clock.zone());
    let clocks = app.config.response.clocks(
        inc,
        crate::respond::reopen_in(&app.detail.events).as_ref(),
        &app.config.hours.in_zone_of(zone),
        now,
    );
    clocks
        .iter()
        .map(|c| {
            let tone = if c.is_breached() {
                Tone::Breached
            } else {
                Tone::Running
            };
            (crate::respond::targets_show::line(c, now, zone), tone)
        })
        .collect()
}

/// The lines of the detail pane (before wrapping), each with the column its
/// wrapped continuation lines start at.
pub fn lines<'a>(app: &'a App, theme: &Theme, inc: &'a Incident) -> Vec<(Line<'a>, usize)> {
    let sev = app.config.severity(inc.severity);
    let now = app.clock.now();
    let mut l: Vec<(Line, usize)> = vec![
        (
            Line::from(vec![
                Span::styled(inc.id.to_string(), theme.header()),
                Span::raw("  "),
                Span::styled(
                    format!("{} {}", inc.severity, sanitize_line(&sev.name)),
                    theme.severity(inc.severity),
                ),
                Span::raw("  "),
                Span::styled(inc.priority.as_str(), theme.priority(inc.priority)),
                Span::raw("  "),
                Span::styled(inc.status.as_str().to_uppercase(), theme.status(inc.status)),
                Span::raw(format!("  {}", inc.kind)),
            ]),
            0,
        ),
        (
            Line::from(Span::styled(
                sanitize_line(&inc.title).into_owned(),
                theme.header(),
            )),
            0,
        ),
    ];
    let here: Vec<&crate::store::Presence> = app
        .viewers
        .iter()
        .filter(|v| v.incident == Some(inc.id))
        .collect();
    if !here.is_empty() {
        let who: Vec<String> = here
            .iter()
            .map(|v| {
                format!(
                    "{} ({}{})",
                    sanitize_line(&v.actor),
                    if v.editing { "editing" } else { "viewing" },
                    if v.origin == "local" {
                        String::new()
                    } else {
                        format!(", from {}", sanitize_line(&v.origin))
                    }
                )
            })
            .collect();
        let style = if here.iter().any(|v| v.editing) {
            theme.warn()
        } else {
            theme.ok()
        };
        l.push((
            Line::styled(format!("also here: {}", who.join(", ")), style),
            "also here: ".len(),
        ));
    }
    l.push((Line::from(""), 0));
    let mut push = |spans: Vec<Span<'a>>| l.push((Line::from(spans), LABEL_W));
    let mut a = field(theme, "service", opt(&inc.service));
    a.extend(field(theme, "   categ.", opt(&inc.category)));
    push(a);
    push(field(
        theme,
        "priority",
        format!(
            "impact {} × urgency {} → {}",
            inc.impact, inc.urgency, inc.priority
        ),
    ));
    let mut r = field(theme, "assignee", opt(&inc.assignee));
    r.extend(field(theme, "   IC", opt(&inc.commander)));
    push(r);
    let mut r = field(theme, "scribe", opt(&inc.scribe));
    r.extend(field(theme, "   comms", opt(&inc.comms)));
    push(r);
    let tags = if inc.tags.is_empty() {
        "—".to_string()
    } else {
        sanitize_line(&inc.tags.join(", ")).into_owned()
    };
    let mut r = field(theme, "reporter", sanitize_line(&inc.reporter).into_owned());
    r.extend(field(theme, "   tags", tags));
    push(r);
    push(field(
        theme,
        "created",
        format!(
            "{} ({} ago)",
            app.clock.local(inc.created_at),
            clock::age(inc.created_at, now)
        ),
    ));
    push(field(
        theme,
        "ack'd",
        format!(
            "{}   mitigated {}",
            when(app, inc.acknowledged_at),
            when(app, inc.mitigated_at)
        ),
    ));
    push(field(
        theme,
        "resolved",
        format!(
            "{}   closed {}",
            when(app, inc.resolved_at),
            when(app, inc.closed_at)
        ),
    ));
    for (text, tone) in clock_lines(app, inc) {
        let mut f = field(theme, "target", text);
        if tone == Tone::Breached {
            f[1] = f[1].clone().style(theme.error());
        }
        push(f);
    }
    if let Some(res) = &inc.resolution {
        push(field(theme, "fix", sanitize_line(res).into_owned()));
    }
    if let Some(c) = &inc.cancel_reason {
        push(field(theme, "cancelled", sanitize_line(c).into_owned()));
    }
    if !app.detail.links.is_empty() {
        push(field(
            theme,
            "linked",
            links_text(inc.id, &app.detail.links),
        ));
    }
    for f in super::detail_paging::fields(app, inc) {
        let mut spans = field(theme, f.label, f.value);
        if f.warn {
            spans[1] = spans[1].clone().style(theme.warn());
        }
        push(spans);
    }
    if !inc.description.trim().is_empty() {
        l.push((Line::from(""), 0));
        l.push((Line::from(Span::styled("── Description", theme.dim())), 0));
        for d in sanitize(&inc.description).lines() {
            l.push((Line::from(d.to_string()), 0));
        }
    }
    alerts(app, theme, &mut l);
    l.push((Line::from(""), 0));
    l.push((
        Line::from(Span::styled(
            format!("── Timeline ({}, local time)", app.detail.events.len()),
            theme.dim(),
        )),
        0,
    ));
    for e in &app.detail.events {
        let t = app.clock.local_time(e.at).format("%m-%d %H:%M").to_string();
        let style = match e.kind {
            EventKind::Note => ratatui::style::Style::new(),
            EventKind::Status => theme.header(),
            EventKind::Breach => theme.error(),
            _ => theme.dim().remove_modifier(Modifier::BOLD),
        };
        let summary = sanitize(&e.summary_brief(EVIDENCE_LINES)).into_owned();
        let mut first = true;
        for part in summary.split('\n') {
            let lead = if first {
                format!(
                    "{t} {:<8} ",
                    crate::text::truncate(&sanitize_line(&crate::text::short_actor(&e.actor)), 8)
                )
            } else {
                " ".repeat(EVENT_LEAD_W)
            };
            first = false;
            l.push((
                Line::from(vec![
                    Span::styled(lead, theme.dim()),
                    Span::styled(part.to_string(), style),
                ]),
                EVENT_LEAD_W,
            ));
        }
    }
    l
}

/// "duplicate of INC-4 · merged INC-7, INC-9 · related INC-2": the other
/// incidents by relation, in the order they were linked.
fn links_text(id: crate::domain::IncidentId, links: &[crate::store::LinkRow]) -> String {
    let mut by: Vec<(&str, Vec<String>)> = Vec::new();
    for l in links {
        let (other, relation) = l.seen_from(id);
        let label = match relation {
            "duplicate-of" => "duplicate of",
            r => r,
        };
        match by.iter_mut().find(|(r, _)| *r == label) {
            Some((_, v)) => v.push(other.to_string()),
            None => by.push((label, vec![other.to_string()])),
        }
    }
    by.into_iter()
        .map(|(r, v)| format!("{r} {}", v.join(", ")))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// Alerts the pane lists; the rest are counted (`sev alerts ID` has all).
const PANE_ALERTS: usize = 20;

/// The incident's alerts: counts, then each one's state, receipts and
/// summary, its labels and its links (as text: sev never opens them).
fn alerts<'a>(app: &'a App, theme: &Theme, l: &mut Vec<(Line<'a>, usize)>) {
    let c = app.detail.alert_counts;
    if c.total == 0 {
        return;
    }
    l.push((Line::from(""), 0));
    l.push((
        Line::from(Span::styled(
            format!(
                "── Alerts ({} · {} firing · {} resolved)",
                c.total,
                c.open(),
                c.resolved
            ),
            theme.dim(),
        )),
        0,
    ));
    let now = app.clock.now();
    for a in app.detail.alerts.iter().take(PANE_ALERTS) {
        let (state, style) = match (a.suppressed.is_some(), a.status.as_str()) {
            (_, "resolved") => ("resolved", theme.dim()),
            (true, _) => ("SUPPRESSED", theme.dim()),
            (false, "acknowledged") => ("ACKED", theme.warn()),
            _ => ("FIRING", theme.warn()),
        };
        let lead = format!("{state:<10} ×{:<4} ", a.receipts);
        let lead_w = lead.chars().count();
        l.push((
            Line::from(vec![
                Span::styled(lead, style),
                Span::raw(sanitize_line(&a.summary).into_owned()),
                Span::styled(
                    format!("  {} ago", clock::age(a.last_received, now)),
                    theme.dim(),
                ),
            ]),
            lead_w,
        ));
        let labels: Vec<String> = a
            .labels
            .iter()
            .filter(|(k, _)| k.as_str() != "alertname")
            .map(|(k, v)| format!("{}={}", sanitize_line(k), sanitize_line(v)))
            .collect();
        if !labels.is_empty() {
            l.push((
                Line::from(vec![
                    Span::raw(" ".repeat(lead_w)),
                    Span::styled(labels.join(" "), theme.dim()),
                ]),
                lead_w,
            ));
        }
        for link in &a.links {
            l.push((
                Line::from(vec![
                    Span::raw(" ".repeat(lead_w)),
                    Span::styled(
                        format!(
                            "{}: {}",
                            sanitize_line(&link.label),
                            sanitize_line(&link.url)
                        ),
                        theme.dim(),
                    ),
                ]),
                lead_w,
            ));
        }
    }
    let listed = app.detail.alerts.len().min(PANE_ALERTS) as i64;
    if c.total > listed {
        l.push((
            Line::styled(
                format!(
                    "… {} more: sev alerts {}",
                    c.total - listed,
                    app.detail.incident.as_ref().map(|i| i.id.0).unwrap_or(0)
                ),
                theme.dim(),
            ),
            0,
        ));
    }
}

pub fn render(app: &App, theme: &Theme, frame: &mut Frame<'_>, area: Rect, focused: bool) {
    let block = Block::default()
        .borders(Borders::LEFT)
        .border_style(if focused {
            theme.focus_border()
        } else {
            theme.dim()
        });
    let Some(inc) = &app.detail.incident else {
        frame.render_widget(
            Paragraph::new("No incident selected.")
                .style(theme.dim())
                .block(block),
            area,
        );
        return;
    };
    // The left border takes one column.
    let width = area.width.saturating_sub(1) as usize;
    let lines: Vec<Line> = lines(app, theme, inc)
        .into_iter()
        .flat_map(|(line, indent)| hang(line, indent, width))
        .collect();
    let max = lines.len().saturating_sub(area.height as usize);
    app.detail.max_scroll.set(max);
    let scroll = app.detail.scroll.min(max) as u16;
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0))
            .block(block),
        area,
    );
}

/// Wrap `line` at word boundaries into rows of `width` cells; rows after the
/// first start at column `indent`, under the value of their label. A word
/// longer than a row is broken. With too little room for the indent, wrapped
/// rows start at column 0.
pub fn hang(line: Line<'_>, indent: usize, width: usize) -> Vec<Line<'_>> {
    use unicode_width::UnicodeWidthChar;
    if width == 0 || line.width() <= width {
        return vec![line];
    }
    let indent = if indent + 10 <= width { indent } else { 0 };
    let base = line.style;
    let cells: Vec<(char, Style, usize)> = line
        .spans
        .iter()
        .flat_map(|sp| {
            sp.content
                .chars()
                .map(move |c| (c, sp.style, c.width().unwrap_or(0)))
        })
        .collect();
    // Tokens: runs of spaces and runs of anything else.
    let mut tokens: Vec<&[(char, Style, usize)]> = Vec::new();
    let mut start = 0;
    for i in 1..=cells.len() {
        if i == cells.len() || (cells[i].0 == ' ') != (cells[start].0 == ' ') {
            tokens.push(&cells[start..i]);
            start = i;
        }
    }
    let mut rows: Vec<Vec<(char, Style)>> = vec![Vec::new()];
    // Width of the current row and where its text starts.
    let (mut used, mut row_start) = (0, 0);
    let new_row = |rows: &mut Vec<Vec<(char, Style)>>| {
        if let Some(r) = rows.last_mut() {
            while r.last().is_some_and(|(c, _)| *c == ' ') {
                r.pop();
            }
        }
        rows.push(vec![(' ', Style::new()); indent]);
    };
    for tok in tokens {
        let tw: usize = tok.iter().map(|t| t.2).sum();
        let space = tok[0].0 == ' ';
        if space {
            // A wrapped row never starts with the spaces it was broken at,
            // and spaces never wrap by themselves: those that fit stay (a
            // break trims them), the rest go.
            if rows.len() > 1 && used == row_start {
                continue;
            }
            for &(c, st, w) in tok {
                if used + w > width {
                    break;
                }
                rows.last_mut().expect("a row").push((c, st));
                used += w;
            }
            continue;
        }
        if used + tw > width && used > row_start {
            new_row(&mut rows);
            (used, row_start) = (indent, indent);
        }
        for &(c, st, w) in tok {
            if used + w > width && used > row_start {
                new_row(&mut rows);
                (used, row_start) = (indent, indent);
            }
            rows.last_mut().expect("a row").push((c, st));
            used += w;
        }
    }
    rows.into_iter()
        .map(|r| {
            let mut spans: Vec<Span> = Vec::new();
            let mut text = String::new();
            let mut style = None;
            for (c, st) in r {
                if style.is_some_and(|s| s != st) {
                    spans.push(Span::styled(
                        std::mem::take(&mut text),
                        style.unwrap_or_default(),
                    ));
                }
                style = Some(st);
                text.push(c);
            }
            if let Some(s) = style {
                spans.push(Span::styled(text, s));
            }
            Line::from(spans).style(base)
        })
        .collect()
}
