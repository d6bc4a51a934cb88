//! Header, status line and key hints.

use super::theme::Theme;
use crate::app::dialog::Dialog;
use crate::app::{App, Overlay};
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
    if app.store.is_read_only() {
        left.push_str(" │ READ-ONLY: browse, search, export");
    }
    if !app.filter.is_empty() && !matches!(app.overlay, Overlay::Search { .. }) {
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
    let left = truncate(&left, w.saturating_sub(right_w + 1));
    let pad = w.saturating_sub(unicode_width::UnicodeWidthStr::width(left.as_str()) + right_w);
    let line = format!("{left}{}{right}", " ".repeat(pad));
    frame.render_widget(Paragraph::new(line).style(theme.bar()), area);
}

pub fn status(app: &App, theme: &Theme, frame: &mut Frame<'_>, area: Rect) {
    let w = area.width as usize;
    let line = match &app.overlay {
        Overlay::Search { input } => {
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
        Overlay::Command { input } => {
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

/// A message too long for the status line is shown whole, wrapped, in a box
/// at the bottom of the body (the next key clears it).
pub fn long_message(app: &App, theme: &Theme, frame: &mut Frame<'_>, body: Rect) {
    let Some(m) = &app.message else { return };
    if !matches!(app.overlay, Overlay::None) {
        return;
    }
    let text = sanitize_line(&m.text).into_owned();
    let width = body.width.saturating_sub(2).max(1) as usize;
    if unicode_width::UnicodeWidthStr::width(text.as_str()) + 7 <= body.width as usize {
        return;
    }
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
    let rows: u16 = lines
        .iter()
        .map(|l| {
            (unicode_width::UnicodeWidthStr::width(l.to_string().as_str())
                .max(1)
                .div_ceil(width)) as u16
        })
        .sum();
    let h = (rows + 2).min(body.height);
    let area = Rect::new(body.x, body.y + body.height - h, body.width, h);
    frame.render_widget(ratatui::widgets::Clear, area);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(ratatui::widgets::Wrap { trim: true })
            .block(ratatui::widgets::Block::bordered().title(" message — any key closes ")),
        area,
    );
}

/// Key hints for the current mode, generated from the keymap.
pub fn hints(app: &App, theme: &Theme, frame: &mut Frame<'_>, area: Rect) {
    use crate::app::postmortem::Screen;
    let (mode, actions): (Mode, &[Action]) = match &app.overlay {
        Overlay::None if matches!(app.screen, Screen::Postmortem(_)) => (
            Mode::Postmortem,
            &[
                Action::Edit,
                Action::SetOwner,
                Action::ChangeStatus,
                Action::AddAction,
                Action::ActionDone,
                Action::Export,
                Action::Back,
                Action::Help,
            ],
        ),
        Overlay::None if matches!(app.screen, Screen::Actions(_)) => (
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
        Overlay::None => (
            Mode::Normal,
            &[
                Action::NewIncident,
                Action::Acknowledge,
                Action::ChangeStatus,
                Action::Resolve,
                Action::AddNote,
                Action::Prioritize,
                Action::Search,
                Action::CommandLine,
                Action::Help,
                Action::Quit,
            ],
        ),
        Overlay::Search { .. } => (
            Mode::Search,
            &[Action::Accept, Action::Cancel, Action::Down, Action::Up],
        ),
        Overlay::Command { .. } => (Mode::Dialog, &[Action::Accept, Action::Cancel]),
        Overlay::Help { .. } => (Mode::Help, &[Action::Cancel, Action::Down, Action::Up]),
        Overlay::Dialog(Dialog::Prompt(p)) if p.multiline => (
            Mode::Dialog,
            &[
                Action::Save,
                Action::ExternalEditor,
                Action::Cancel,
                Action::Discard,
            ],
        ),
        Overlay::Dialog(Dialog::Prompt(_)) => (
            Mode::Dialog,
            &[Action::Accept, Action::Cancel, Action::Discard],
        ),
        Overlay::Dialog(Dialog::Form(_)) | Overlay::Dialog(Dialog::ActionForm(_)) => (
            Mode::Dialog,
            &[
                Action::Save,
                Action::NextField,
                Action::Cancel,
                Action::Discard,
                Action::ExternalEditor,
            ],
        ),
        Overlay::Dialog(_) => (Mode::Dialog, &[Action::Accept, Action::Cancel]),
    };
    let mut spans = Vec::new();
    let mut used = 0usize;
    for a in actions {
        let Some(k) = app.keymap.key_for(mode, *a) else {
            continue;
        };
        let label = a.short();
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
