//! Drawing. Render functions only read the app's state; they never touch
//! the store. The last step of every frame scrubs the buffer so no control,
//! bidi or zero-width character can reach the terminal, whatever a widget did.

mod bars;
mod detail;
mod detail_paging;
mod dialog;
mod help;
mod list;
mod metrics;
mod postmortem;
pub mod theme;

use crate::app::{App, View};
use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};
use theme::Theme;

pub use crate::geometry::{MIN_HEIGHT, MIN_WIDTH, areas, body_split, list_rows};

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
    match app.screen() {
        View::Postmortem(p) => postmortem::render_pane(app, p, &theme, frame, body),
        View::Actions(v) => postmortem::render_actions(app, v, &theme, frame, body),
        View::Metrics(v) => metrics::render(app, v, &theme, frame, body),
        View::Detail if !app.wide() => detail::render(app, &theme, frame, body, true),
        _ => {
            let (l, d) = body_split(body, app.wide());
            list::render(app, &theme, frame, l);
            if let Some(d) = d {
                detail::render(app, &theme, frame, d, app.in_detail());
            }
        }
    }
    bars::status(app, &theme, frame, status);
    bars::hints(app, &theme, frame, hints);
    // What was opened over the screen, bottom to top.
    let from = app
        .stack
        .iter()
        .rposition(|v| v.is_screen())
        .map_or(0, |i| i + 1);
    for v in &app.stack[from..] {
        match v {
            View::Help(h) => help::render(app, &theme, frame, body, h),
            View::Dialog(d) => dialog::render(app, d, &theme, frame, area),
            View::Confirm(c) => dialog::confirm(app, c, &theme, frame, area),
            View::Message(m) => bars::message_box(m, &theme, frame, body),
            _ => {}
        }
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
