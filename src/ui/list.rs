//! The incident table: only the visible window of rows is drawn (and loaded).

use super::theme::Theme;
use crate::app::{App, View};
use crate::clock;
use crate::domain::Incident;
use crate::keymap::{Action, Mode};
use crate::text::{is_clean, sanitize_line, truncate};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, TableState, Wrap};

fn title_line<'a>(inc: &'a Incident, app: &App, theme: &Theme, width: usize) -> Line<'a> {
    let clean = is_clean(&inc.title);
    let title = if clean {
        inc.title.clone()
    } else {
        sanitize_line(&inc.title).into_owned()
    };
    let title = truncate(&title, width);
    match app.highlights.get(&inc.id) {
        Some(pos) if clean => {
            let spans: Vec<Span> = title
                .chars()
                .enumerate()
                .map(|(i, c)| {
                    if pos.contains(&i) {
                        Span::styled(c.to_string(), theme.matched())
                    } else {
                        Span::raw(c.to_string())
                    }
                })
                .collect();
            Line::from(spans)
        }
        _ => Line::from(title),
    }
}

pub fn render(app: &App, theme: &Theme, frame: &mut Frame<'_>, area: Rect) {
    let now = app.clock.now();
    let w = area.width as usize;
    let show_service = w >= 100;
    let show_assignee = w >= 70;
    let mut widths = vec![
        Constraint::Length(10),
        Constraint::Length(4),
        Constraint::Length(3),
        Constraint::Length(8),
        Constraint::Length(4),
        Constraint::Fill(1),
    ];
    let mut header = vec!["REF", "SEV", "PRI", "STATUS", "AGE", "TITLE"];
    // Fixed columns, one space between columns, and the 2-column selection marker.
    let mut fixed = 10 + 4 + 3 + 8 + 4 + 5 + 2;
    if show_service {
        widths.push(Constraint::Length(14));
        header.push("SERVICE");
        fixed += 15;
    }
    if show_assignee {
        widths.push(Constraint::Length(9));
        header.push("ASSIGNEE");
        fixed += 10;
    }
    let title_w = w.saturating_sub(fixed).max(10);

    if app.list.ids.is_empty() {
        let new = app
            .keymap
            .key_for(Mode::Normal, Action::NewIncident)
            .unwrap_or_default();
        let filt = app
            .keymap
            .key_for(Mode::Normal, Action::CycleStatusFilter)
            .unwrap_or_default();
        let query = app.search_query().trim();
        let text = if !query.is_empty() {
            let back = app.key(Mode::Search, Action::Cancel);
            let filt = if matches!(app.top(), View::Search { .. }) {
                app.key(Mode::Search, Action::SearchAll)
            } else {
                filt
            };
            format!(
                "Nothing matches \"{}\" in {} — {filt} widens the filter · {back} clears the search",
                sanitize_line(query),
                app.list.facets.describe()
            )
        } else if app.database_empty() {
            format!(
                "No incidents yet in this database.\n\n{new} logs the first one · `sev demo` fills a scratch database with examples to try sev on"
            )
        } else {
            format!(
                "No {} incidents.\n\n{new} logs a new one · {filt} changes the filter (open → all → each state)",
                app.list.facets.describe()
            )
        };
        frame.render_widget(
            Paragraph::new(text)
                .wrap(Wrap { trim: true })
                .style(theme.dim()),
            area,
        );
        return;
    }

    let rows: Vec<Row> = app
        .list
        .rows
        .iter()
        .map(|i| {
            let mut cells = vec![
                Cell::from(i.id.to_string()),
                Cell::from(Span::styled(
                    i.severity.as_str(),
                    theme.severity(i.severity),
                )),
                Cell::from(Span::styled(
                    i.priority.as_str(),
                    theme.priority(i.priority),
                )),
                Cell::from(Span::styled(i.status.marker(), theme.status(i.status))),
                Cell::from(clock::age(i.created_at, now)),
                Cell::from(title_line(i, app, theme, title_w)),
            ];
            if show_service {
                cells.push(Cell::from(truncate(
                    &sanitize_line(i.service.as_deref().unwrap_or("—")),
                    14,
                )));
            }
            if show_assignee {
                cells.push(Cell::from(truncate(
                    &sanitize_line(i.assignee.as_deref().unwrap_or("—")),
                    9,
                )));
            }
            Row::new(cells)
        })
        .collect();
    let mut state = TableState::default();
    // No second cursor while a dialog, question or help has the keys.
    let covered = matches!(
        app.top(),
        View::Dialog(_) | View::Confirm(_) | View::Help(_)
    );
    if !covered && (!app.in_detail() || app.wide()) {
        state.select(app.list.selected.checked_sub(app.list.offset));
    }
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(theme.header()))
        .row_highlight_style(theme.selected())
        .highlight_symbol("> ")
        .highlight_spacing(ratatui::widgets::HighlightSpacing::Always)
        .column_spacing(1);
    frame.render_stateful_widget(table, area, &mut state);
}
