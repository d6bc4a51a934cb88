//! The detail pane: every field, the roles and the timeline (newest last).

use super::theme::Theme;
use crate::app::App;
use crate::clock;
use crate::domain::{EventKind, Incident};
use crate::text::{sanitize, sanitize_line};
use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
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

fn field<'a>(theme: &Theme, label: &'a str, value: String) -> Vec<Span<'a>> {
    vec![
        Span::styled(format!("{label:<10}"), theme.dim()),
        Span::raw(value),
    ]
}

/// The lines of the detail pane (before wrapping).
pub fn lines<'a>(app: &'a App, theme: &Theme, inc: &'a Incident) -> Vec<Line<'a>> {
    let sev = app.config.severity(inc.severity);
    let now = app.clock.now();
    let mut l: Vec<Line> = vec![
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
        Line::from(Span::styled(
            sanitize_line(&inc.title).into_owned(),
            theme.header(),
        )),
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
        l.push(Line::styled(
            format!("also here: {}", who.join(", ")),
            style,
        ));
    }
    l.push(Line::from(""));
    let mut push = |spans: Vec<Span<'a>>| l.push(Line::from(spans));
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
    if let Some(res) = &inc.resolution {
        push(field(theme, "fix", sanitize_line(res).into_owned()));
    }
    if let Some(c) = &inc.cancel_reason {
        push(field(theme, "cancelled", sanitize_line(c).into_owned()));
    }
    if !inc.description.trim().is_empty() {
        l.push(Line::from(""));
        l.push(Line::from(Span::styled("── Description", theme.dim())));
        for d in sanitize(&inc.description).lines() {
            l.push(Line::from(d.to_string()));
        }
    }
    l.push(Line::from(""));
    l.push(Line::from(Span::styled(
        format!("── Timeline ({}, local time)", app.detail.events.len()),
        theme.dim(),
    )));
    for e in &app.detail.events {
        let t = app.clock.local_time(e.at).format("%m-%d %H:%M").to_string();
        let style = match e.kind {
            EventKind::Note => ratatui::style::Style::new(),
            EventKind::Status => theme.header(),
            _ => theme.dim().remove_modifier(Modifier::BOLD),
        };
        let summary = sanitize(&e.summary()).into_owned();
        let mut first = true;
        for part in summary.split('\n') {
            let lead = if first {
                format!(
                    "{t} {:<8} ",
                    crate::text::truncate(&sanitize_line(&e.actor), 8)
                )
            } else {
                " ".repeat(21)
            };
            first = false;
            l.push(Line::from(vec![
                Span::styled(lead, theme.dim()),
                Span::styled(part.to_string(), style),
            ]));
        }
    }
    l
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
    let lines = lines(app, theme, inc);
    let max = lines.len().saturating_sub(area.height as usize / 2);
    let scroll = app.detail.scroll.min(max) as u16;
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0))
            .block(block),
        area,
    );
}
