//! Header, status line and key hints.

use super::theme::Theme;
use crate::app::dialog::Dialog;
use crate::app::{App, Message, View};
use crate::domain::Status;
use crate::keymap::{Action, Mode};
use crate::text::{sanitize_line, truncate, truncate_left};
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn header(app: &App, theme: &Theme, frame: &mut Frame<'_>, area: Rect) {
    let mut left = format!(
        " sev │ {} ({})",
        app.list.facets.describe(),
        app.list.ids.len()
    );
    if app.offline {
        left = " sev │ OFFLINE: not current, reconnecting".to_string();
    }
    if app.store.is_read_only() {
        left.push_str(" │ READ-ONLY: browse, search, export");
    }
    if !app.marks.is_empty() {
        left.push_str(&format!(" │ {} marked", app.marks.len()));
    }
    // A storm first (it needs someone now), then maintenance: with both,
    // the window is named short so the storm is not cut off.
    for (id, c) in &app.intake.storms {
        left.push_str(&format!(" │ STORM {id}: {} alerts", c.total));
    }
    let ws = &app.intake.windows;
    match ws.as_slice() {
        [] => {}
        [w] if app.intake.storms.is_empty() => left.push_str(&format!(
            " │ MAINT until {}: {}",
            app.clock.local_time(w.ends_at).format("%H:%M"),
            sanitize_line(&w.matchers)
        )),
        [w] => left.push_str(&format!(
            " │ MAINT until {}",
            app.clock.local_time(w.ends_at).format("%H:%M")
        )),
        _ => left.push_str(&format!(" │ MAINT ×{}", ws.len())),
    }
    // Policies that nobody runs: say so, or a page is expected that never
    // comes (sev serve pages; the lease says one is alive).
    let now = app.clock.now();
    if !app.config.paging.policies.is_empty() && app.intake.paging_until.is_none_or(|t| t < now) {
        left.push_str(" │ NOT PAGING: no sev serve running");
    }
    let r = app.intake.outbox.retrying;
    if r > 0 {
        left.push_str(&format!(
            " │ {r} NOTIFICATION{} RETRYING",
            if r == 1 { "" } else { "S" }
        ));
    }
    let f = app.intake.outbox.failed;
    if f > 0 {
        left.push_str(&format!(
            " │ {f} NOTIFICATION{} FAILED (sev outbox --failed)",
            if f == 1 { "" } else { "S" }
        ));
    }
    match app.oncall.as_slice() {
        [] => {}
        [(_, who)] => left.push_str(&format!(" │ on call: {}", sanitize_line(who))),
        many => {
            let all: Vec<String> = many
                .iter()
                .map(|(s, who)| format!("{} {}", sanitize_line(s), sanitize_line(who)))
                .collect();
            left.push_str(&format!(" │ on call: {}", all.join(", ")));
        }
    }
    if !app.filter.is_empty() && !matches!(app.top(), View::Search { .. }) {
        left.push_str(&format!(" │ search \"{}\"", sanitize_line(&app.filter)));
    }
    if !app.pending_keys.is_empty() {
        let keys: Vec<String> = app.pending_keys.iter().map(|k| k.to_string()).collect();
        left.push_str(&format!(" │ {} …", keys.join(" ")));
    }
    // The whole database path, cut from the left when long: the end of a
    // path is what tells two databases apart.
    let db = sanitize_line(&app.db_label);
    let w = area.width as usize;
    let actor = sanitize_line(&app.actor);
    let room = (w / 2).saturating_sub(unicode_width::UnicodeWidthStr::width(actor.as_ref()) + 4);
    let right = format!("{actor} @ {} ", truncate_left(&db, room.max(8)));
    let right_w = unicode_width::UnicodeWidthStr::width(right.as_str());
    let left = truncate(&left, w.saturating_sub(right_w + 2));
    let pad = w.saturating_sub(unicode_width::UnicodeWidthStr::width(left.as_str()) + right_w);
    let line = format!("{left}{}{right}", " ".repeat(pad));
    frame.render_widget(Paragraph::new(line).style(theme.bar()), area);
}

pub fn status(app: &App, theme: &Theme, frame: &mut Frame<'_>, area: Rect) {
    let w = area.width as usize;
    let line = match app.top() {
        View::Search { input } => {
            let state = if app.search.pending() {
                "searching…".to_string()
            } else {
                format!(
                    "{} match{}",
                    app.list.ids.len(),
                    if app.list.ids.len() == 1 { "" } else { "es" }
                )
            };
            let text = format!("/{}", sanitize_line(input));
            let cursor_x = area.x
                + unicode_width::UnicodeWidthStr::width(text.as_str()).min(w.saturating_sub(1))
                    as u16;
            frame.set_cursor_position(Position::new(cursor_x, area.y));
            Line::from(vec![
                Span::raw(truncate(&text, w.saturating_sub(20))),
                Span::styled(format!("   {state}"), theme.dim()),
            ])
        }
        View::Command { input, .. } => {
            let text = format!(":{}", sanitize_line(input));
            let cursor_x = area.x
                + unicode_width::UnicodeWidthStr::width(text.as_str()).min(w.saturating_sub(1))
                    as u16;
            frame.set_cursor_position(Position::new(cursor_x, area.y));
            Line::from(truncate(&text, w))
        }
        _ => match &app.message {
            Some(m) if m.error => Line::from(Span::styled(
                truncate(&format!("error: {}", sanitize_line(&m.text)), w),
                theme.error(),
            )),
            Some(m) => Line::from(Span::styled(
                truncate(&sanitize_line(&m.text), w),
                theme.ok(),
            )),
            None => Line::from(""),
        },
    };
    frame.render_widget(Paragraph::new(line), area);
}

/// A message too long for the status line, shown whole, wrapped, in a box
/// at the bottom of the body. The key that closes it does nothing else.
pub fn message_box(m: &Message, theme: &Theme, frame: &mut Frame<'_>, body: Rect) {
    let text = sanitize_line(&m.text).into_owned();
    let width = body.width.saturating_sub(2).max(1) as usize;
    // Lists ("missing: a; b; c") read better one item per line.
    let mut lines: Vec<Line> = Vec::new();
    let (head, items) = match text.split_once(": ") {
        Some((h, rest)) if rest.contains("; ") => (
            format!("{h}:"),
            rest.split("; ").map(|s| format!("  • {s}")).collect(),
        ),
        _ => (text.clone(), Vec::new()),
    };
    let style = if m.error { theme.error() } else { theme.ok() };
    lines.push(Line::styled(
        if m.error {
            format!("error: {head}")
        } else {
            head
        },
        style,
    ));
    lines.extend(items.into_iter().map(Line::from));
    // As tall as the text once wrapped at word boundaries (counting
    // characters under-counts: a word that does not fit moves down whole).
    let para = Paragraph::new(lines).wrap(ratatui::widgets::Wrap { trim: true });
    let rows = u16::try_from(para.line_count(width as u16)).unwrap_or(u16::MAX);
    let h = rows.saturating_add(2).min(body.height);
    let area = Rect::new(body.x, body.y + body.height - h, body.width, h);
    frame.render_widget(ratatui::widgets::Clear, area);
    frame.render_widget(
        para.block(
            ratatui::widgets::Block::bordered()
                .title(" message — any key closes it (and does nothing else) "),
        ),
        area,
    );
}

/// The list's hints for an incident in this state: what applies next.
fn list_actions(status: Option<Status>) -> &'static [Action] {
    use Action as A;
    match status {
        None => &[A::NewIncident, A::Search, A::CommandLine, A::Help, A::Quit],
        Some(Status::Triage) => &[
            A::Acknowledge,
            A::TakeCommand,
            A::SetCategory,
            A::Prioritize,
            A::ChangeStatus,
            A::AddNote,
            A::NewIncident,
            A::Search,
            A::Help,
            A::Quit,
        ],
        Some(Status::Acknowledged | Status::Investigating | Status::Mitigated) => &[
            A::ChangeStatus,
            A::Resolve,
            A::AddNote,
            A::PostUpdate,
            A::TakeCommand,
            A::Prioritize,
            A::NewIncident,
            A::Search,
            A::Help,
            A::Quit,
        ],
        Some(Status::Resolved) => &[
            A::OpenPostmortem,
            A::ChangeStatus,
            A::OpenActions,
            A::AddNote,
            A::NewIncident,
            A::Search,
            A::Help,
            A::Quit,
        ],
        Some(Status::Closed | Status::Cancelled) => &[
            A::OpenPostmortem,
            A::OpenActions,
            A::NewIncident,
            A::Search,
            A::CommandLine,
            A::Help,
            A::Quit,
        ],
    }
}

/// The hints while incidents are marked: what acts on all of them.
const MARKED: &[Action] = &[
    Action::Acknowledge,
    Action::ChangeStatus,
    Action::Resolve,
    Action::AddNote,
    Action::Assign,
    Action::Merge,
    Action::Mark,
    Action::MarkAll,
    Action::Back,
];

/// Key hints for the view on top, generated from the keymap.
pub fn hints(app: &App, theme: &Theme, frame: &mut Frame<'_>, area: Rect) {
    let status = app.detail.incident.as_ref().map(|i| i.status);
    let (mode, actions): (Mode, &[Action]) = match app.top() {
        View::Postmortem(_) => (
            Mode::Postmortem,
            &[
                Action::Edit,
                Action::Back,
                Action::ChangeStatus,
                Action::AddAction,
                Action::ActionDone,
                Action::SetOwner,
                Action::Export,
                Action::Help,
            ],
        ),
        View::Metrics(_) => (
            Mode::Metrics,
            &[
                Action::CyclePeriod,
                Action::CycleSeverityFilter,
                Action::Open,
                Action::SwitchPane,
                Action::Back,
                Action::Help,
            ],
        ),
        View::Actions(_) => (
            Mode::Actions,
            &[
                Action::CycleActionFilter,
                Action::ActionDone,
                Action::Edit,
                Action::OpenPostmortem,
                Action::Back,
                Action::Help,
            ],
        ),
        View::List | View::Detail if !app.marks.is_empty() => (Mode::Normal, MARKED),
        View::List => (Mode::Normal, list_actions(status)),
        View::Detail => (Mode::Normal, list_actions(status)),
        View::Search { .. } => (
            Mode::Search,
            &[
                Action::Accept,
                Action::Cancel,
                Action::SearchAll,
                Action::Down,
                Action::Up,
            ],
        ),
        View::Command { candidates, .. } if !candidates.is_empty() => {
            // Tab could not choose: the choices, as a shell lists them.
            let text = sanitize_line(&candidates.join("  ")).into_owned();
            let line = Line::styled(
                truncate(&format!(" {text}"), area.width as usize),
                theme.dim(),
            );
            frame.render_widget(Paragraph::new(line), area);
            return;
        }
        View::Command { .. } => (Mode::Dialog, &[Action::Accept, Action::Cancel]),
        View::Help(h) if h.typing => (Mode::Search, &[Action::Accept, Action::Cancel]),
        View::Help(_) => (
            Mode::Help,
            &[Action::Cancel, Action::Search, Action::Down, Action::Up],
        ),
        View::Confirm(_) => (Mode::Confirm, &[Action::Accept, Action::Cancel]),
        View::Message(_) => {
            let line = Line::styled(" any key closes the message", theme.dim());
            frame.render_widget(Paragraph::new(line), area);
            return;
        }
        View::Dialog(Dialog::Prompt(p)) if p.multiline => (
            Mode::Dialog,
            &[
                Action::Save,
                Action::ExternalEditor,
                Action::Cancel,
                Action::Discard,
            ],
        ),
        View::Dialog(Dialog::Prompt(_)) => (
            Mode::Dialog,
            &[Action::Accept, Action::Cancel, Action::Discard],
        ),
        View::Dialog(Dialog::Form(_)) | View::Dialog(Dialog::ActionForm(_)) => (
            Mode::Dialog,
            &[
                Action::Save,
                Action::NextField,
                Action::Cancel,
                Action::Discard,
                Action::ExternalEditor,
            ],
        ),
        View::Dialog(Dialog::Picker(_)) => (
            Mode::Picker,
            &[Action::Accept, Action::Down, Action::Up, Action::Cancel],
        ),
        View::Dialog(_) => (Mode::Dialog, &[Action::Accept, Action::Cancel]),
    };
    // Esc in a dialog with typed text keeps it as a draft: say so.
    let keeps_draft = matches!(
        app.top(),
        View::Dialog(Dialog::Prompt(_) | Dialog::Form(_) | Dialog::ActionForm(_))
    );
    // At full screen (narrow terminals) the details say how to get back.
    let back_first = [Action::Back];
    let detail_alone = matches!(app.top(), View::Detail) && !app.wide();
    let me = app.me();
    let commander = app
        .detail
        .incident
        .as_ref()
        .is_some_and(|i| i.commander.as_deref() == Some(me));
    let mut spans = Vec::new();
    let mut used = 0usize;
    let shown = if detail_alone { &back_first[..] } else { &[] };
    for a in shown.iter().chain(actions) {
        // Already commander: taking command is not a next step.
        if *a == Action::TakeCommand && commander && mode == Mode::Normal {
            continue;
        }
        let Some(k) = app.keymap.key_for(mode, *a) else {
            continue;
        };
        let label = if *a == Action::Cancel && keeps_draft {
            "close (keeps draft)"
        } else if *a == Action::Back && actions == MARKED {
            "unmark all"
        } else {
            a.short()
        };
        let n = k.chars().count() + label.len() + 3;
        if used + n > area.width as usize {
            break;
        }
        used += n;
        spans.push(Span::styled(format!(" {k}"), theme.key()));
        spans.push(Span::styled(format!(" {label} "), Style::new()));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
