//! Drawing. Render functions only read the app's state; they never touch
//! the store. The last step of every frame scrubs the buffer so no control,
//! bidi or zero-width character can reach the terminal, whatever a widget did.

mod bars;
mod detail;
mod dialog;
mod help;
mod list;
mod postmortem;
pub mod theme;

use crate::app::{App, Overlay};
use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};
use theme::Theme;

pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 15;

/// Screen areas: header, body, status line, key hints.
pub fn areas(area: Rect) -> [Rect; 4] {
    Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area)
}

/// The body split into list and (on wide terminals) details.
pub fn body_split(body: Rect, wide: bool) -> (Rect, Option<Rect>) {
    if wide {
        let [l, d] = Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)])
            .areas(body);
        (l, Some(d))
    } else {
        (body, None)
    }
}

/// How many incident rows fit on screen at this terminal size.
pub fn list_rows(w: u16, h: u16) -> usize {
    let [_, body, _, _] = areas(Rect::new(0, 0, w, h));
    body.height.saturating_sub(1) as usize // table header
}

pub fn render(app: &App, frame: &mut Frame<'_>) {
    let theme = Theme { color: app.color };
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        let msg = format!(
            "Terminal too small: {}×{}. sev needs at least {MIN_WIDTH}×{MIN_HEIGHT} — enlarge the window or the tmux pane.",
            area.width, area.height
        );
        frame.render_widget(
            Paragraph::new(Line::from(msg)).wrap(Wrap { trim: true }),
            area,
        );
        scrub(frame.buffer_mut());
        return;
    }
    let [header, body, status, hints] = areas(area);
    bars::header(app, &theme, frame, header);
    if let crate::app::postmortem::Screen::Postmortem(p) = &app.screen {
        postmortem::render_pane(app, p, &theme, frame, body);
    } else if let crate::app::postmortem::Screen::Actions(v) = &app.screen {
        postmortem::render_actions(app, v, &theme, frame, body);
    } else if app.detail_open && !app.wide() {
        detail::render(app, &theme, frame, body, true);
    } else {
        let (l, d) = body_split(body, app.wide());
        list::render(app, &theme, frame, l);
        if let Some(d) = d {
            detail::render(
                app,
                &theme,
                frame,
                d,
                app.focus == crate::app::Focus::Detail,
            );
        }
    }
    bars::status(app, &theme, frame, status);
    bars::long_message(app, &theme, frame, body);
    bars::hints(app, &theme, frame, hints);
    match &app.overlay {
        Overlay::Help { scroll } => help::render(app, &theme, frame, body, *scroll),
        Overlay::Dialog(d) => dialog::render(app, d, &theme, frame, area),
        _ => {}
    }
    scrub(frame.buffer_mut());
}

/// Replace any cell symbol that holds a character unsafe for a terminal.
pub fn scrub(buf: &mut Buffer) {
    for cell in buf.content.iter_mut() {
        if !crate::text::is_clean(cell.symbol()) {
            cell.set_symbol("?");
        }
    }
}

/// A centered rectangle of at most `w`×`h`.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

#[cfg(test)]
pub(crate) mod tests;
