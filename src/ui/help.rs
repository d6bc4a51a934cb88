//! `?`: every binding of every mode, generated from the keymap in force, so a
//! rebinding shows up here.

use super::theme::Theme;
use crate::app::App;
use crate::app::help::HelpLine;
use crate::keymap::Mode;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

#[cfg(test)]
pub fn lines(app: &App, theme: &Theme) -> Vec<Line<'static>> {
    crate::app::help::lines(app)
        .iter()
        .map(|l| styled(l, theme))
        .collect()
}

fn styled(l: &HelpLine, theme: &Theme) -> Line<'static> {
    match l {
        HelpLine::Workflow(t) | HelpLine::Heading(t) => {
            Line::from(Span::styled(t.clone(), theme.header()))
        }
        HelpLine::Text(t) => Line::from(t.clone()),
        HelpLine::Binding { keys, desc } => Line::from(vec![
            Span::styled(crate::app::help::key_cell(keys), theme.key()),
            Span::raw(desc.clone()),
        ]),
        HelpLine::Blank => Line::from(""),
    }
}

pub fn render(
    app: &App,
    theme: &Theme,
    frame: &mut Frame<'_>,
    area: Rect,
    h: &crate::app::view::HelpView,
) {
    let q = h.query.trim().to_lowercase();
    // A search keeps each match under its section's heading.
    let mut lines: Vec<Line> = crate::app::help::filtered(app, &q)
        .iter()
        .map(|l| styled(l, theme))
        .collect();
    if !q.is_empty() && lines.is_empty() {
        lines.push(Line::from(format!(
            "nothing in the help mentions \"{}\"",
            crate::text::sanitize_line(&q)
        )));
    }
    let scroll = h.scroll.min(crate::app::help::max_scroll(app, &q)) as u16;
    let k = |a| app.key(Mode::Help, a);
    use crate::keymap::Action as A;
    let title = if h.typing || !q.is_empty() {
        format!(
            " Help — /{}  ({} keeps, {} clears) ",
            crate::text::sanitize_line(&h.query),
            app.key(Mode::Search, A::Accept),
            app.key(Mode::Search, A::Cancel)
        )
    } else {
        format!(
            " Help — {} closes · {}/{} scroll · {} searches ",
            k(A::Cancel),
            k(A::Down),
            k(A::Up),
            k(A::Search)
        )
    };
    let block = Block::bordered().title(title);
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0)),
        area,
    );
}
