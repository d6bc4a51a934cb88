//! `?`: every binding of every mode, generated from the keymap in force, so a
//! rebinding shows up here.

use super::theme::Theme;
use crate::app::App;
use crate::keymap::Mode;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

pub fn lines(app: &App, theme: &Theme) -> Vec<Line<'static>> {
    use crate::keymap::Action as A;
    let k = |a: A| {
        app.keymap
            .key_for(Mode::Normal, a)
            .unwrap_or_else(|| format!(":{}", a.name()))
    };
    let mut out = vec![
        Line::from(Span::styled(
            format!(
                "The workflow: {} log → {} categorize → {} severity → {} prioritize → {} ack",
                k(A::NewIncident),
                k(A::SetCategory),
                k(A::SetSeverity),
                k(A::Prioritize),
                k(A::Acknowledge)
            ),
            theme.header(),
        )),
        Line::from(Span::styled(
            format!(
                "→ {} take command → {} notes → {} status (mitigated, closed…) → {} resolve",
                k(A::TakeCommand),
                k(A::AddNote),
                k(A::ChangeStatus),
                k(A::Resolve)
            ),
            theme.header(),
        )),
        Line::from(""),
    ];
    for mode in Mode::ALL {
        let title = match mode {
            Mode::Normal => "List and details",
            Mode::Search => "Search (/)",
            Mode::Dialog => "Dialogs and forms (other keys type)",
            Mode::Help => "This help",
            Mode::Postmortem => "Postmortem pane (P)",
            Mode::Actions => "Action items (X)",
        };
        out.push(Line::from(Span::styled(title.to_string(), theme.header())));
        for (action, keys) in app.keymap.bindings(*mode) {
            out.push(Line::from(vec![
                Span::styled(format!("  {:<16}", keys.join(" ")), theme.key()),
                Span::raw(action.desc().to_string()),
            ]));
        }
        out.push(Line::from(""));
    }
    out.push(Line::from(Span::styled("Command line (:)", theme.header())));
    out.push(Line::from(format!("  {}", crate::app::COMMAND_VERBS)));
    out
}

pub fn render(app: &App, theme: &Theme, frame: &mut Frame<'_>, area: Rect, scroll: usize) {
    let lines = lines(app, theme);
    let scroll = scroll.min(lines.len().saturating_sub(3)) as u16;
    let block = Block::bordered().title(" Help — esc closes, j/k scroll ");
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0)),
        area,
    );
}
