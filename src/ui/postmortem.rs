//! The postmortem pane (sections, measures, timeline, action items) and the
//! actions view across incidents.

use super::theme::Theme;
use crate::app::App;
use crate::app::postmortem::{ActionsView, PmEntry, PmPane};
use crate::clock;
use crate::domain::{ActionItem, measures};
use crate::keymap::Mode;
use crate::text::{sanitize, sanitize_line, truncate};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

fn dur(x: Option<i64>) -> String {
    x.map(clock::duration).unwrap_or_else(|| "unknown".into())
}

fn action_line(
    a: &ActionItem,
    today: chrono::NaiveDate,
    theme: &Theme,
    cursor: bool,
    width: usize,
) -> Line<'static> {
    let overdue = a.overdue(today);
    let due = a
        .due
        .map(|d| d.to_string())
        .unwrap_or_else(|| "no date".into());
    // Plain "open" needs no tag; anything else is said.
    let tag = if overdue {
        " [OVERDUE]".to_string()
    } else if a.status == crate::domain::ActionStatus::Open {
        String::new()
    } else {
        format!(" [{}]", a.status)
    };
    let head = format!(
        "{} {:<6} {:<8} {:<10} ",
        if cursor { ">" } else { " " },
        a.id,
        truncate(&sanitize_line(a.owner.as_deref().unwrap_or("—")), 8),
        due
    );
    // The description gives way (with …); the status tag never does.
    let room = width
        .saturating_sub(head.chars().count() + unicode_width::UnicodeWidthStr::width(tag.as_str()));
    let rest = format!(
        "{}{tag}",
        truncate(&sanitize_line(&a.description), room.max(1))
    );
    let style = if overdue {
        theme.error()
    } else if a.status.is_open() {
        ratatui::style::Style::new()
    } else {
        theme.dim()
    };
    let line = Line::from(vec![Span::styled(head, style), Span::styled(rest, style)]);
    if cursor {
        line.style(theme.selected())
    } else {
        line
    }
}

pub fn render_pane(app: &App, p: &PmPane, theme: &Theme, frame: &mut Frame<'_>, area: Rect) {
    use crate::keymap::Action as A;
    let k = |a| app.key(Mode::Postmortem, a);
    let inc = &p.view.incident;
    let pm = &p.view.postmortem;
    let [head, body] = Layout::vertical([Constraint::Length(2), Constraint::Min(1)]).areas(area);
    let owner = pm
        .owner
        .as_deref()
        .map(|o| sanitize_line(o).into_owned())
        .unwrap_or_else(|| "no owner".into());
    frame.render_widget(
        Paragraph::new(vec![
            Line::from(vec![
                Span::styled(format!("Postmortem {}", inc.id), theme.header()),
                Span::raw(format!("  {}  {}  ", inc.severity, inc.status)),
                Span::styled(pm.status.to_string().to_uppercase(), theme.warn()),
                Span::raw(format!("  owner {owner}")),
            ]),
            Line::from(Span::styled(
                truncate(&sanitize_line(&inc.title), area.width as usize),
                theme.dim(),
            )),
        ]),
        head,
    );
    let left_w = 24.min(area.width / 3);
    let [left, right] =
        Layout::horizontal([Constraint::Length(left_w), Constraint::Min(1)]).areas(body);
    // Required only when the close policy asks for a postmortem for this
    // incident (at the worst severity it had, as `close` judges it).
    let required = app
        .config
        .postmortem
        .required_for(&crate::domain::Incident {
            severity: crate::domain::worst_severity(inc, &p.view.events),
            ..inc.clone()
        });
    let entries: Vec<Line> = p
        .entries
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let mark = match e {
                PmEntry::Section(s) if pm.text(s.key).is_some() => "✓",
                PmEntry::Section(s) if required.contains(&s.key) => "!",
                PmEntry::Section(_) => "·",
                PmEntry::Actions => "»",
                _ => " ",
            };
            let text = format!(
                "{} {mark} {}",
                if i == p.selected { ">" } else { " " },
                e.label()
            );
            let text = truncate(&text, left_w as usize - 1);
            if i == p.selected {
                Line::styled(text, theme.selected())
            } else {
                Line::from(text)
            }
        })
        .collect();
    frame.render_widget(Paragraph::new(entries), left);

    let block = Block::default()
        .borders(Borders::LEFT)
        .border_style(theme.dim());
    let w = right.width.saturating_sub(2) as usize;
    let today = app.clock.today();
    let mut lines: Vec<Line> = Vec::new();
    let mut scroll = 0usize;
    match p.entry() {
        PmEntry::Overview => {
            let m = measures(inc);
            for (label, v) in [
                (
                    "time to detect (impact start → detected)",
                    dur(m.time_to_detect),
                ),
                (
                    "time to acknowledge (logged → ack)",
                    dur(m.time_to_acknowledge),
                ),
                (
                    "time to mitigate (logged → mitigated)",
                    dur(m.time_to_mitigate),
                ),
                (
                    "time to resolve (logged → resolved)",
                    dur(m.time_to_resolve),
                ),
                ("impact duration (start → resolved)", dur(m.impact_duration)),
            ] {
                lines.push(Line::from(vec![
                    Span::styled(format!("{label:<42}"), theme.dim()),
                    Span::raw(v),
                ]));
            }
            lines.push(Line::from(""));
            // Judged like `close` judges it: at the worst severity it had.
            let judged = crate::domain::Incident {
                severity: crate::domain::worst_severity(inc, &p.view.events),
                ..inc.clone()
            };
            let blockers = app
                .config
                .postmortem
                .close_blockers(&judged, Some(pm), &p.view.actions);
            if matches!(
                inc.status,
                crate::domain::Status::Closed | crate::domain::Status::Cancelled
            ) {
                lines.push(Line::styled(
                    format!("{} is {}.", inc.id, inc.status),
                    theme.dim(),
                ));
            } else if !app
                .config
                .postmortem
                .close_requires
                .contains(&judged.severity)
            {
                lines.push(Line::styled(
                    format!("{} can close without a postmortem.", inc.severity),
                    theme.dim(),
                ));
            } else if blockers.is_empty() {
                lines.push(Line::styled(
                    "Ready to close: everything the close policy asks for is here.",
                    theme.ok(),
                ));
            } else {
                lines.push(Line::styled(
                    format!("Before {} can close:", inc.id),
                    theme.warn(),
                ));
                for b in blockers {
                    lines.push(Line::from(format!("  • {b}")));
                }
            }
            let overdue = crate::app::postmortem::overdue_count(&p.view.actions, today);
            if overdue > 0 {
                lines.push(Line::styled(
                    format!("{overdue} action item(s) overdue."),
                    theme.error(),
                ));
            }
            lines.push(Line::from(""));
            lines.push(Line::styled(
                format!(
                    "{}/{} sections · {} edit · {} owner · {} status · {} add action · {} export · {} closes",
                    k(A::Down),
                    k(A::Up),
                    k(A::Edit),
                    k(A::SetOwner),
                    k(A::ChangeStatus),
                    k(A::AddAction),
                    k(A::Export),
                    k(A::Back)
                ),
                theme.dim(),
            ));
        }
        PmEntry::Section(s) => {
            lines.push(Line::styled(s.title.to_string(), theme.header()));
            match pm.text(s.key) {
                Some(t) => lines.extend(sanitize(t).lines().map(|l| Line::from(l.to_string()))),
                None => {
                    lines.push(Line::styled(
                        format!("Not written. {}", s.hint),
                        theme.dim(),
                    ));
                    lines.push(Line::styled(
                        format!(
                            "{} writes it ({} in the dialog opens $EDITOR)",
                            k(A::Edit),
                            app.key(Mode::Dialog, A::ExternalEditor)
                        ),
                        theme.dim(),
                    ));
                }
            }
        }
        PmEntry::Timeline => {
            lines.push(Line::styled(
                format!(
                    "Timeline from the record ({}/{} entry · {} highlight · {} hide · {} annotate)",
                    k(A::NextItem),
                    k(A::PrevItem),
                    k(A::ToggleHighlight),
                    k(A::ToggleHidden),
                    k(A::Annotate)
                ),
                theme.dim(),
            ));
            let tl = p.timeline();
            for (i, e) in tl.iter().enumerate() {
                let mark = p.view.marks.get(&e.id).cloned().unwrap_or_default();
                let t = app.clock.local_time(e.at).format("%m-%d %H:%M").to_string();
                let what = sanitize_line(&e.summary()).into_owned();
                let text = truncate(
                    &format!(
                        "{} {t} {:<8} {}{what}",
                        if i == p.item { ">" } else { " " },
                        truncate(&sanitize_line(&e.actor), 8),
                        if mark.hidden { "(hidden) " } else { "" }
                    ),
                    w,
                );
                let mut style = if mark.highlight {
                    theme.header()
                } else {
                    ratatui::style::Style::new()
                };
                if mark.hidden {
                    style = theme.dim();
                }
                let line = Line::styled(text, style);
                lines.push(if i == p.item {
                    line.style(theme.selected())
                } else {
                    line
                });
                if let Some(a) = &mark.annotation {
                    lines.push(Line::styled(
                        format!(
                            "      ↳ {}",
                            truncate(&sanitize_line(a), w.saturating_sub(8))
                        ),
                        theme.warn(),
                    ));
                }
                if i == p.item {
                    scroll = lines.len().saturating_sub(body.height as usize / 2);
                }
            }
        }
        PmEntry::Actions => {
            lines.push(Line::styled(
                format!(
                    "{}/{} item · {} add · {} edit · {} done",
                    k(A::NextItem),
                    k(A::PrevItem),
                    k(A::AddAction),
                    k(A::Edit),
                    k(A::ActionDone)
                ),
                theme.dim(),
            ));
            if p.view.actions.is_empty() {
                lines.push(Line::styled(
                    format!(
                        "No action items yet: {} adds one (description, type, owner, due date).",
                        k(A::AddAction)
                    ),
                    theme.dim(),
                ));
            }
            for (i, a) in p.view.actions.iter().enumerate() {
                lines.push(action_line(a, today, theme, i == p.item, w));
            }
        }
    }
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((scroll as u16, 0))
            .block(block),
        right,
    );
}

pub fn render_actions(
    app: &App,
    v: &ActionsView,
    theme: &Theme,
    frame: &mut Frame<'_>,
    area: Rect,
) {
    use crate::keymap::Action as A;
    let ak = |a| app.key(crate::keymap::Mode::Actions, a);
    let today = app.clock.today();
    let w = area.width as usize;
    let head = format!("Action items — {} ({})", v.filter.label(), v.items.len());
    let head_w = unicode_width::UnicodeWidthStr::width(head.as_str());
    let mut lines = vec![
        Line::from(vec![
            Span::styled(head, theme.header()),
            Span::styled(
                whole_hints(
                    &[
                        format!("{} back", ak(A::Back)),
                        format!("{} done", ak(A::ActionDone)),
                        format!("{} edit", ak(A::Edit)),
                        format!("{} filter", ak(A::CycleActionFilter)),
                        format!("{} postmortem", ak(A::OpenPostmortem)),
                    ],
                    w.saturating_sub(head_w),
                ),
                theme.dim(),
            ),
        ]),
        Line::styled(
            format!(
                "  {:<6} {:<8} {:<10} {:<9} ACTION",
                "REF", "OWNER", "DUE", "INCIDENT"
            ),
            theme.header(),
        ),
    ];
    if v.items.is_empty() {
        lines.push(Line::styled(
            format!(
                "  Nothing here. {} shows other filters.",
                ak(A::CycleActionFilter)
            ),
            theme.dim(),
        ));
    }
    let height = area.height.saturating_sub(2) as usize;
    let offset = v.selected.saturating_sub(height.saturating_sub(1));
    for (i, a) in v.items.iter().enumerate().skip(offset).take(height) {
        // Room for the incident column inserted below.
        let mut line = action_line(a, today, theme, i == v.selected, w.saturating_sub(10));
        // Insert the incident before the description.
        let inc = Span::styled(format!("{:<9} ", a.incident), theme.dim());
        if line.spans.len() == 2 {
            let desc = line.spans.pop();
            line.spans.push(inc);
            line.spans.extend(desc);
        }
        lines.push(line);
    }
    frame.render_widget(Paragraph::new(lines), area);
}

/// Key hints, most important first, as many whole ones as fit in `room`
/// columns (a hint is never cut in the middle).
fn whole_hints(hints: &[String], room: usize) -> String {
    let mut out = String::new();
    for h in hints {
        let h = sanitize_line(h);
        let sep = if out.is_empty() { "   " } else { " · " };
        let w = unicode_width::UnicodeWidthStr::width(out.as_str())
            + sep.len()
            + unicode_width::UnicodeWidthStr::width(h.as_ref());
        if w > room {
            break;
        }
        out.push_str(sep);
        out.push_str(&h);
    }
    out
}
