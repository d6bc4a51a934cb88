//! Pickers, prompts, the prioritize matrix and the new-incident form.

use super::centered;
use super::theme::Theme;
use crate::app::App;
use crate::app::dialog::{Dialog, Form, FormField, Picker, Prioritize, Prompt};
use crate::domain::{Impact, Severity, Urgency};
use crate::keymap::{Action, Mode};
use crate::text::sanitize_line;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

pub fn render(app: &App, d: &Dialog, theme: &Theme, frame: &mut Frame<'_>, area: Rect) {
    match d {
        Dialog::Picker(p) => picker(app, p, theme, frame, area),
        Dialog::Prompt(p) => prompt(p, theme, frame, area),
        Dialog::Prioritize(p) => prioritize(app, p, theme, frame, area),
        Dialog::Form(f) => form(app, f, theme, frame, area),
        Dialog::ActionForm(f) => action_form(app, f, theme, frame, area),
    }
}

/// A key for a dialog footer, from the keymap.
fn k(app: &App, mode: Mode, a: Action) -> String {
    app.key(mode, a)
}

/// A yes/no question.
pub fn confirm(
    app: &App,
    c: &crate::app::view::Confirm,
    theme: &Theme,
    frame: &mut Frame<'_>,
    area: Rect,
) {
    let outer = centered(area, 64, 8);
    let inner = popup(frame, outer, &c.title);
    let lines = vec![
        Line::from(sanitize_line(&c.text).into_owned()),
        Line::from(""),
        Line::styled(
            format!(
                "{} yes · {} no",
                k(app, Mode::Confirm, Action::Accept),
                k(app, Mode::Confirm, Action::Cancel)
            ),
            theme.dim(),
        ),
    ];
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), inner);
}

fn action_form(
    app: &App,
    f: &crate::app::dialog::ActionForm,
    theme: &Theme,
    frame: &mut Frame<'_>,
    area: Rect,
) {
    let title = match f.editing {
        Some(id) => format!("Action item {id}"),
        None => format!("New action item — {}", f.incident),
    };
    let outer = centered(area, 72, 11 + u16::from(f.error.is_some()) * 2);
    let inner = popup(frame, outer, &title);
    let rows = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(0),
    ])
    .split(inner);
    let label = |i: usize, name: &str| {
        Span::styled(
            format!("{name:<13}"),
            if f.focus == i {
                theme.key()
            } else {
                theme.dim()
            },
        )
    };
    let text_row = |frame: &mut Frame<'_>,
                    area: Rect,
                    i: usize,
                    name: &str,
                    t: &ratatui_textarea::TextArea<'_>| {
        let [l, r] = Layout::horizontal([Constraint::Length(13), Constraint::Min(1)]).areas(area);
        frame.render_widget(Paragraph::new(Line::from(label(i, name))), l);
        text_field(frame, r, t, f.focus == i);
    };
    text_row(frame, rows[0], 0, "Action", &f.description);
    frame.render_widget(
        Paragraph::new(choice("Type", f.kind.as_str(), f.focus == 1, theme)),
        rows[1],
    );
    text_row(frame, rows[2], 2, "Owner", &f.owner);
    text_row(frame, rows[3], 3, "Due", &f.due);
    if f.editing.is_some() {
        frame.render_widget(
            Paragraph::new(choice("Status", f.status.as_str(), f.focus == 4, theme)),
            rows[4],
        );
    }
    let mut tail = vec![Line::from("")];
    if let Some(e) = &f.error {
        tail.push(Line::styled(
            format!("error: {}", sanitize_line(e)),
            theme.error(),
        ));
    }
    tail.push(Line::styled(
        format!(
            "types: mitigate, prevent, detect, process · due: 2026-12-01, +7d, +2w · {} next · {} save",
            k(app, Mode::Dialog, Action::NextField),
            k(app, Mode::Dialog, Action::Save)
        ),
        theme.dim(),
    ));
    frame.render_widget(Paragraph::new(tail).wrap(Wrap { trim: true }), rows[5]);
}

fn popup(frame: &mut Frame<'_>, area: Rect, title: &str) -> Rect {
    // Clear a column either side too: a letter of the text underneath
    // left next to the border reads as part of the dialog.
    let full = frame.area();
    let x0 = area.x.saturating_sub(1).max(full.x);
    let x1 = (area.x + area.width + 1).min(full.x + full.width);
    frame.render_widget(Clear, Rect::new(x0, area.y, x1 - x0, area.height));
    frame.render_widget(Clear, area);
    let block = Block::bordered().title(format!(" {} ", sanitize_line(title)));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    inner
}

/// A text field; only the focused one shows its cursor.
fn text_field(
    frame: &mut Frame<'_>,
    area: Rect,
    t: &ratatui_textarea::TextArea<'_>,
    focused: bool,
) {
    if focused {
        frame.render_widget(t, area);
    } else {
        let mut quiet = t.clone();
        quiet.set_cursor_style(ratatui::style::Style::default());
        frame.render_widget(&quiet, area);
    }
}

fn picker(app: &App, p: &Picker, theme: &Theme, frame: &mut Frame<'_>, area: Rect) {
    let item = p
        .items
        .get(p.selected)
        .map(|i| i.detail.clone())
        .unwrap_or_default();
    let keys = format!(
        "{}/{} move · number or letter goes to it · {} picks · {} cancels",
        k(app, Mode::Picker, Action::Down),
        k(app, Mode::Picker, Action::Up),
        k(app, Mode::Picker, Action::Accept),
        k(app, Mode::Picker, Action::Cancel)
    );
    let detail = if item.is_empty() {
        keys
    } else {
        format!("{item}\n{keys}")
    };
    let h = p.items.len() as u16 + 2 + 4;
    let outer = centered(area, 72, h);
    let inner = popup(frame, outer, &p.title);
    let [list, det] =
        Layout::vertical([Constraint::Length(p.items.len() as u16), Constraint::Min(0)])
            .areas(inner);
    let lines: Vec<Line> = p
        .items
        .iter()
        .enumerate()
        .map(|(i, it)| {
            // The number a digit picks, so digits are not a guess.
            let num = if i < 9 {
                format!("{}", i + 1)
            } else {
                " ".into()
            };
            let label = format!(
                "{} {num} {}",
                if i == p.selected { ">" } else { " " },
                sanitize_line(&it.label)
            );
            if i == p.selected {
                Line::styled(label, theme.selected())
            } else {
                Line::from(label)
            }
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), list);
    let text: Vec<Line> = std::iter::once(Line::from(""))
        .chain(
            detail
                .lines()
                .map(|l| Line::from(sanitize_line(l).into_owned())),
        )
        .collect();
    frame.render_widget(
        Paragraph::new(text)
            .wrap(Wrap { trim: true })
            .style(theme.dim()),
        det,
    );
}

fn prompt(p: &Prompt, theme: &Theme, frame: &mut Frame<'_>, area: Rect) {
    let text_h: u16 = if p.multiline { 8 } else { 1 };
    let mut lines = vec![
        Line::from(""),
        Line::styled(sanitize_line(&p.hint).into_owned(), theme.dim()),
    ];
    if let Some(s) = &p.stale {
        lines.push(Line::styled(
            format!("! {}", sanitize_line(s)),
            theme.warn(),
        ));
    }
    if let Some(e) = &p.error {
        lines.push(Line::styled(
            format!("error: {}", sanitize_line(e)),
            theme.error(),
        ));
    }
    // As tall as the wrapped text needs (a conflict names both values in
    // full), within the screen.
    let width = 72.min(area.width);
    let para = Paragraph::new(lines).wrap(Wrap { trim: true });
    let rest_h = para.line_count(width.saturating_sub(2)) as u16;
    let outer = centered(area, width, text_h + rest_h + 2);
    let inner = popup(frame, outer, &p.title);
    let [input, rest] =
        Layout::vertical([Constraint::Length(text_h), Constraint::Min(0)]).areas(inner);
    frame.render_widget(&p.input, input);
    frame.render_widget(para, rest);
}

fn choice(label: &str, value: &str, focused: bool, theme: &Theme) -> Line<'static> {
    let v = format!("‹ {value} ›");
    Line::from(vec![
        Span::styled(
            format!("{label:<13}"),
            if focused { theme.key() } else { theme.dim() },
        ),
        if focused {
            Span::styled(v, theme.selected())
        } else {
            Span::raw(v)
        },
    ])
}

fn matrix_lines(app: &App, impact: Impact, urgency: Urgency, theme: &Theme) -> Vec<Line<'static>> {
    // The header is laid out with the same widths as the rows below it.
    let mut head = format!("{:<18}", "impact \\ urgency");
    for u in Urgency::ALL {
        head.push_str(&format!(" {:<6}", u.as_str()));
    }
    let mut out = vec![Line::from(Span::styled(
        head.trim_end().to_string(),
        theme.dim(),
    ))];
    for i in Impact::ALL {
        let mut spans = vec![Span::styled(format!("{:<18}", i.as_str()), theme.dim())];
        for u in Urgency::ALL {
            let p = app.config.priority.priority(*i, *u);
            let cell = format!(" {:<6}", p.as_str());
            spans.push(if *i == impact && *u == urgency {
                Span::styled(cell, theme.selected())
            } else {
                Span::raw(cell)
            });
        }
        out.push(Line::from(spans));
    }
    out
}

fn prioritize(app: &App, p: &Prioritize, theme: &Theme, frame: &mut Frame<'_>, area: Rect) {
    let outer = centered(area, 52, 13 + u16::from(p.error.is_some()) * 2);
    let inner = popup(frame, outer, &format!("Prioritize {}", p.target));
    let pr = app.config.priority.priority(p.impact, p.urgency);
    let mut lines = vec![
        choice("Impact", p.impact.as_str(), p.row == 0, theme),
        choice("Urgency", p.urgency.as_str(), p.row == 1, theme),
        Line::from(vec![
            Span::styled(format!("{:<13}", "→ Priority"), theme.dim()),
            Span::styled(pr.as_str(), theme.priority(pr)),
        ]),
        Line::from(""),
    ];
    lines.extend(matrix_lines(app, p.impact, p.urgency, theme));
    lines.push(Line::from(""));
    lines.push(Line::styled(
        format!(
            "{}/{} change · {}/{} impact/urgency · {} saves · {} cancels",
            k(app, Mode::Dialog, Action::Left),
            k(app, Mode::Dialog, Action::Right),
            k(app, Mode::Dialog, Action::Up),
            k(app, Mode::Dialog, Action::Down),
            k(app, Mode::Dialog, Action::Accept),
            k(app, Mode::Dialog, Action::Cancel)
        ),
        theme.dim(),
    ));
    if let Some(e) = &p.error {
        lines.push(Line::styled(
            format!("error: {}", sanitize_line(e)),
            theme.error(),
        ));
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), inner);
}

fn form(app: &App, f: &Form, theme: &Theme, frame: &mut Frame<'_>, area: Rect) {
    let outer = centered(area, 78, area.height.min(22));
    let inner = popup(frame, outer, "New incident");
    let label = |fld: FormField| {
        Span::styled(
            format!("{:<13}", fld.label()),
            if f.focus == fld {
                theme.key()
            } else {
                theme.dim()
            },
        )
    };
    let rows = Layout::vertical([
        Constraint::Length(1), // title
        Constraint::Length(3), // description
        Constraint::Length(1), // kind
        Constraint::Length(1), // service
        Constraint::Length(1), // suggestions
        Constraint::Length(1), // category
        Constraint::Length(1), // severity
        Constraint::Length(2), // severity definition
        Constraint::Length(1), // impact
        Constraint::Length(1), // urgency
        Constraint::Length(1), // priority
        Constraint::Min(0),    // error + help
    ])
    .split(inner);
    let text_row =
        |frame: &mut Frame<'_>, area: Rect, fld: FormField, t: &ratatui_textarea::TextArea<'_>| {
            let [l, r] =
                Layout::horizontal([Constraint::Length(13), Constraint::Min(1)]).areas(area);
            frame.render_widget(Paragraph::new(Line::from(label(fld))), l);
            text_field(frame, r, t, f.focus == fld);
        };
    text_row(frame, rows[0], FormField::Title, &f.title);
    text_row(frame, rows[1], FormField::Description, &f.description);
    frame.render_widget(
        Paragraph::new(choice(
            "Kind",
            f.kind.as_str(),
            f.focus == FormField::Kind,
            theme,
        )),
        rows[2],
    );
    text_row(frame, rows[3], FormField::Service, &f.service);
    if f.focus == FormField::Service {
        let s = f.service_suggestions();
        if !s.is_empty() {
            let text = format!(
                "{:13}{} or → completes: {}",
                "",
                k(app, Mode::Dialog, Action::NextField),
                sanitize_line(&s.join(", "))
            );
            frame.render_widget(Paragraph::new(Line::styled(text, theme.dim())), rows[4]);
        }
    }
    frame.render_widget(
        Paragraph::new(choice(
            "Category",
            f.category_name().unwrap_or("(none)"),
            f.focus == FormField::Category,
            theme,
        )),
        rows[5],
    );
    let sev = app.config.severity(f.severity);
    frame.render_widget(
        Paragraph::new(choice(
            "Severity",
            &format!("{} {}", f.severity, sanitize_line(&sev.name)),
            f.focus == FormField::Severity,
            theme,
        )),
        rows[6],
    );
    let [_, def] = Layout::horizontal([Constraint::Length(13), Constraint::Min(1)]).areas(rows[7]);
    frame.render_widget(
        Paragraph::new(sanitize_line(&sev.description).into_owned())
            .wrap(Wrap { trim: true })
            .style(theme.dim()),
        def,
    );
    frame.render_widget(
        Paragraph::new(choice(
            "Impact",
            f.impact.as_str(),
            f.focus == FormField::Impact,
            theme,
        )),
        rows[8],
    );
    frame.render_widget(
        Paragraph::new(choice(
            "Urgency",
            f.urgency.as_str(),
            f.focus == FormField::Urgency,
            theme,
        )),
        rows[9],
    );
    let pr = app.config.priority.priority(f.impact, f.urgency);
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(format!("{:<13}", "Priority"), theme.dim()),
            Span::styled(pr.as_str(), theme.priority(pr)),
            Span::styled(
                format!("   (impact {} × urgency {})", f.impact, f.urgency),
                theme.dim(),
            ),
        ])),
        rows[10],
    );
    let mut tail = vec![];
    if let Some(e) = &f.error {
        tail.push(Line::styled(
            format!("error: {}", sanitize_line(e)),
            theme.error(),
        ));
    }
    tail.push(Line::styled(
        format!(
            "{}/{} field · {}/{}, a letter or digit: choice · {} save · {} keeps draft · {} discards",
            k(app, Mode::Dialog, Action::NextField),
            k(app, Mode::Dialog, Action::PrevField),
            k(app, Mode::Dialog, Action::Left),
            k(app, Mode::Dialog, Action::Right),
            k(app, Mode::Dialog, Action::Save),
            k(app, Mode::Dialog, Action::Cancel),
            k(app, Mode::Dialog, Action::Discard)
        ),
        theme.dim(),
    ));
    frame.render_widget(Paragraph::new(tail).wrap(Wrap { trim: true }), rows[11]);
    let _ = Severity::ALL;
}
