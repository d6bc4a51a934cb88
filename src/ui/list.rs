//! The incident table: only the visible window of rows is drawn (and loaded).

use super::theme::Theme;
use crate::app::{App, View};
use crate::clock;
use crate::columns;
use crate::domain::Incident;
use crate::keymap::{Action, Mode};
use crate::text::{is_clean, sanitize_line, truncate};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, TableState, Wrap};

/// The alert count after a title: " (180 alerts · 3 resolved)", or where
/// the title column is narrow " (177/180)" (open of all).
fn alert_suffix(c: &crate::store::AlertCounts, width: usize) -> String {
    let plural = if c.total == 1 { "" } else { "s" };
    match (width >= 36, c.resolved) {
        (true, 0) => format!(" ({} alert{plural})", c.total),
        (true, r) => format!(" ({} alert{plural} · {r} resolved)", c.total),
        (false, _) => format!(" ({}/{})", c.open(), c.total),
    }
}

fn title_line<'a>(inc: &'a Incident, app: &App, theme: &Theme, width: usize) -> Line<'a> {
    let counts = app.list.alerts.get(&inc.id);
    // Over (resolved, closed, cancelled) while its monitoring still fires:
    // said louder than a count.
    let (suffix, style) = match counts {
        Some(c) if !inc.status.is_open() && c.open() > 0 => {
            (Some(format!(" ({} still firing)", c.open())), theme.warn())
        }
        Some(c) => (Some(alert_suffix(c, width)), theme.dim()),
        None => (None, theme.dim()),
    };
    let suffix = suffix.filter(|s| s.chars().count() * 2 <= width);
    let width = width.saturating_sub(suffix.as_ref().map_or(0, |s| s.chars().count()));
    let mut line = title_only(inc, app, theme, width);
    if let Some(s) = suffix {
        line.spans.push(Span::styled(s, style));
    }
    line
}

fn title_only<'a>(inc: &'a Incident, app: &App, theme: &Theme, width: usize) -> Line<'a> {
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

/// The response clock of a row: "4m" left, "!12m" breached (error style),
/// "✓" met; blank without targets. A stakeholder update overdue ("upd!")
/// or due within minutes ("upd") shows instead, unless a target is missed.
fn clock_cell<'a>(
    app: &App,
    theme: &Theme,
    hours: &crate::calendar::Hours,
    i: &Incident,
    now: chrono::DateTime<chrono::Utc>,
) -> Cell<'a> {
    use crate::respond::targets_show::{Tone, cell};
    let clocks = app
        .config
        .response
        .clocks(i, app.list.reopens.get(&i.id), hours, now);
    let due = crate::paging::update::due(
        i,
        app.list.updates.get(&i.id).copied(),
        &app.config.paging,
        now,
    );
    let breached = matches!(cell(&clocks), Some((_, Tone::Breached)));
    match due {
        crate::paging::update::Due::Overdue(_) if !breached => {
            return Cell::from(Span::styled("upd!", theme.error()));
        }
        crate::paging::update::Due::Soon(_) if !breached => {
            return Cell::from(Span::styled("upd", theme.warn()));
        }
        _ => {}
    }
    match cell(&clocks) {
        Some((text, Tone::Breached)) => Cell::from(Span::styled(text, theme.error())),
        Some((text, Tone::Met)) => Cell::from(Span::styled(text, theme.ok())),
        Some((text, Tone::Running)) => Cell::from(text),
        None => Cell::from(""),
    }
}

pub fn render(app: &App, theme: &Theme, frame: &mut Frame<'_>, area: Rect) {
    let now = app.clock.now();
    // The widest reference in the view (not just the window, so columns do
    // not move while scrolling); 2 cells for the selection marker and one
    // blank on the right, so nothing touches the details or a dialog's edge.
    let reference = app
        .list
        .ids
        .iter()
        .max()
        .map_or(0, |id| id.to_string().len());
    // With marks, a column of `*` before the reference (it reads without
    // colour); without, none, so the list keeps its width.
    let marking = !app.marks.is_empty();
    let gutter = if marking { 2 } else { 0 };
    let cols = columns::fit_with_clock((area.width as usize).saturating_sub(3 + gutter), reference);
    let mut widths = vec![];
    let mut header = vec![];
    if marking {
        widths.push(Constraint::Length(1));
        header.push("*");
    }
    widths.extend([
        Constraint::Length(cols.reference as u16),
        Constraint::Length(columns::KIND_W as u16),
        Constraint::Length(columns::SEV_W as u16),
    ]);
    header.extend(["REF", "K", "SEV"]);
    if cols.priority {
        widths.push(Constraint::Length(columns::PRI_W as u16));
        header.push("PRI");
    }
    widths.push(Constraint::Length(columns::STATUS_W as u16));
    header.push("STATUS");
    if cols.age {
        widths.push(Constraint::Length(columns::AGE_W as u16));
        header.push("AGE");
    }
    if cols.clock {
        widths.push(Constraint::Length(columns::CLOCK_W as u16));
        header.push("DUE");
    }
    widths.push(Constraint::Fill(1));
    header.push("TITLE");
    if cols.service > 0 {
        widths.push(Constraint::Length(cols.service as u16));
        header.push("SERVICE");
    }
    if cols.assignee {
        widths.push(Constraint::Length(columns::ASSIGNEE_W as u16));
        header.push("ASSIGNEE");
    }
    let title_w = cols.title;
    let hours = app.config.hours.in_zone_of(app.clock.zone());

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
            let mut cells = Vec::with_capacity(10);
            if marking {
                let mark = if app.marks.contains(&i.id) { "*" } else { " " };
                cells.push(Cell::from(Span::styled(mark, theme.header())));
            }
            cells.extend([
                Cell::from(i.id.to_string()),
                Cell::from(Span::styled(i.kind.marker(), theme.kind(i.kind))),
                Cell::from(Span::styled(
                    i.severity.as_str(),
                    theme.severity(i.severity),
                )),
            ]);
            if cols.priority {
                cells.push(Cell::from(Span::styled(
                    i.priority.as_str(),
                    theme.priority(i.priority),
                )));
            }
            cells.push(Cell::from(Span::styled(
                i.status.marker(),
                theme.status(i.status),
            )));
            if cols.age {
                cells.push(Cell::from(clock::age(i.created_at, now)));
            }
            if cols.clock {
                cells.push(clock_cell(app, theme, &hours, i, now));
            }
            cells.push(Cell::from(title_line(i, app, theme, title_w)));
            if cols.service > 0 {
                cells.push(Cell::from(truncate(
                    &sanitize_line(i.service.as_deref().unwrap_or("—")),
                    cols.service,
                )));
            }
            if cols.assignee {
                cells.push(Cell::from(truncate(
                    &sanitize_line(i.assignee.as_deref().unwrap_or("—")),
                    columns::ASSIGNEE_W,
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
    let area = Rect {
        width: area.width.saturating_sub(1),
        ..area
    };
    frame.render_stateful_widget(table, area, &mut state);
}
