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
        Line::from(Span::styled(
            format!(
                "→ {} postmortem → {} action items. {} goes back one level; only the list quits ({}).",
                k(A::OpenPostmortem),
                k(A::OpenActions),
                k(A::Back),
                k(A::Quit)
            ),
            theme.header(),
        )),
        Line::from(
            "Choices: a digit or a first letter picks. A message box closes on any key, which does nothing else.",
        ),
        Line::from(super::list::LEGEND),
        Line::from(""),
    ];
    for mode in Mode::ALL {
        let pm = format!(
            "Postmortem pane ({}; {} closes it)",
            k(A::OpenPostmortem),
            app.key(Mode::Postmortem, A::Back)
        );
        let actions = format!("Action items ({})", k(A::OpenActions));
        let search = format!("Search ({})", k(A::Search));
        let title = match mode {
            Mode::Normal => "List and details",
            Mode::Search => search.as_str(),
            Mode::Dialog => "Dialogs and forms (other keys type)",
            Mode::Help => "This help",
            Mode::Postmortem => pm.as_str(),
            Mode::Actions => actions.as_str(),
            Mode::Picker => "Pickers (a digit or a first letter chooses)",
            Mode::Confirm => "Questions (yes / no)",
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

pub fn render(
    app: &App,
    theme: &Theme,
    frame: &mut Frame<'_>,
    area: Rect,
    h: &crate::app::view::HelpView,
) {
    let mut lines = lines(app, theme);
    let q = h.query.trim().to_lowercase();
    if !q.is_empty() {
        lines.retain(|l| l.to_string().to_lowercase().contains(&q));
        if lines.is_empty() {
            lines.push(Line::from(format!(
                "nothing in the help mentions \"{}\"",
                crate::text::sanitize_line(&q)
            )));
        }
    }
    let scroll = h.scroll.min(lines.len().saturating_sub(3)) as u16;
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
