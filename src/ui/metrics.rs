//! The metrics view: the period picker, a bar chart of incidents per day,
//! week or month (ratatui's BarChart), the median time to acknowledge and
//! resolve per bar (Sparklines under the bars, one column per bar column),
//! and the period's measures (a Table). Reads without colour: the selected
//! bar and row are reverse video, every figure is also written as text.

use super::theme::Theme;
use crate::app::App;
use crate::app::metrics::{MetricsView, PERIODS};
use crate::metrics::series::Series;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, BarGroup, Block, Borders, Paragraph, Row, Sparkline, Table};

use crate::clock::duration as human;

pub fn render(app: &App, v: &MetricsView, theme: &Theme, frame: &mut Frame<'_>, area: Rect) {
    let [top, rest] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(area);
    frame.render_widget(Paragraph::new(title(app, v, theme)), top);
    let Some(d) = &v.data else {
        let text = match &v.error {
            Some(e) => Line::styled(
                format!(" error: the figures could not be computed: {e}"),
                theme.error(),
            ),
            None => Line::from(format!(" computing the last {} days…", v.days())),
        };
        frame.render_widget(Paragraph::new(text), rest);
        return;
    };
    let table_h = 6u16.min(rest.height.saturating_sub(8));
    let [chart, picked, spark, table] = Layout::vertical([
        Constraint::Min(5),
        Constraint::Length(1),
        Constraint::Length(4),
        Constraint::Length(table_h),
    ])
    .areas(rest);
    let (bar_w, gap) = bar_width(chart.width.saturating_sub(2), d.keys.len());
    bars(v, d, theme, frame, chart, bar_w, gap);
    frame.render_widget(Paragraph::new(selected_line(v, d, theme)), picked);
    sparklines(v, d, theme, frame, spark, bar_w + gap);
    measures(v, d, theme, frame, table);
}

fn title(app: &App, v: &MetricsView, theme: &Theme) -> Line<'static> {
    let mut spans = vec![Span::styled(" Metrics ", theme.header())];
    for (i, days) in PERIODS.iter().enumerate() {
        if i > 0 {
            spans.push(Span::raw(" "));
        }
        if i == v.period {
            spans.push(Span::styled(format!("[{days}d]"), theme.selected()));
        } else {
            spans.push(Span::raw(format!("{days}d")));
        }
    }
    if let Some(d) = &v.data {
        let r = &d.report;
        spans.push(Span::raw(format!(
            "  since {}: {} incidents{}",
            app.clock.local_time(d.since).format("%Y-%m-%d"),
            r.incidents,
            if r.cancelled_left_out > 0 {
                format!(" ({} cancelled out)", r.cancelled_left_out)
            } else {
                String::new()
            }
        )));
    }
    if v.loading && v.data.is_some() {
        spans.push(Span::styled("  updating…", theme.dim()));
    }
    Line::from(spans)
}

/// Bar width and gap for `n` bars in `inner` columns (labels need 3).
fn bar_width(inner: u16, n: usize) -> (u16, u16) {
    let n = n.max(1) as u16;
    let w = ((inner + 1) / n).saturating_sub(1).clamp(1, 9);
    (w, 1)
}

#[allow(clippy::too_many_arguments)]
fn bars(
    v: &MetricsView,
    d: &Series,
    theme: &Theme,
    frame: &mut Frame<'_>,
    area: Rect,
    bar_w: u16,
    gap: u16,
) {
    let color = match v.severity {
        Some(s) => theme.severity(s).remove_modifier(Modifier::BOLD),
        None => Style::new(),
    };
    let focus = !v.table;
    let list: Vec<Bar<'_>> = d
        .labels
        .iter()
        .enumerate()
        .map(|(i, label)| {
            let n = v.count(i) as u64;
            // The selected bar's count in brackets: seen without colour.
            let text = if i == v.bar {
                format!("[{n}]")
            } else {
                n.to_string()
            };
            let b = Bar::default().value(n).text_value(text);
            // The selected bar's label in reverse video (a reversed block
            // glyph would vanish), its bar bold and, in colour, cyan.
            if i == v.bar {
                let mark = if focus {
                    theme.selected()
                } else {
                    Style::new().add_modifier(Modifier::UNDERLINED)
                };
                b.label(Line::styled(label.clone(), mark))
                    .style(theme.focus_border().add_modifier(Modifier::BOLD))
            } else {
                b.label(Line::from(label.clone()))
            }
        })
        .collect();
    let what = match v.severity {
        Some(s) => format!("{s} incidents"),
        None => "Incidents".into(),
    };
    let border = if focus {
        theme.focus_border()
    } else {
        Style::new()
    };
    let chart = BarChart::default()
        .block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(border)
                .title(format!(" {what} per {} ", d.bucket)),
        )
        .data(BarGroup::default().bars(&list))
        .bar_width(bar_w)
        .bar_gap(gap)
        .bar_style(color)
        .value_style(Style::new().add_modifier(Modifier::REVERSED));
    frame.render_widget(chart, area);
}

fn selected_line(v: &MetricsView, d: &Series, theme: &Theme) -> Line<'static> {
    let Some(key) = d.keys.get(v.bar) else {
        return Line::default();
    };
    let b = &d.ids[v.bar];
    let total: usize = b.iter().map(Vec::len).sum();
    // The newest bar is still filling: said, so it is not read as a drop.
    let so_far = if v.bar + 1 == d.keys.len() {
        " so far"
    } else {
        ""
    };
    let mut spans = vec![Span::styled(
        format!(" {key}{so_far}: {total} "),
        theme.header(),
    )];
    for (i, ids) in b.iter().enumerate() {
        let Some(s) = crate::domain::Severity::from_level(i as u8 + 1) else {
            continue;
        };
        let text = format!("{s} {}", ids.len());
        let style = if v.severity == Some(s) {
            theme.severity(s).add_modifier(Modifier::UNDERLINED)
        } else {
            theme.severity(s)
        };
        spans.push(Span::raw(if i == 0 { "— " } else { " · " }));
        spans.push(Span::styled(text, style));
    }
    Line::from(spans)
}

fn sparklines(
    v: &MetricsView,
    d: &Series,
    theme: &Theme,
    frame: &mut Frame<'_>,
    area: Rect,
    step: u16,
) {
    let rows = Layout::vertical([Constraint::Length(1); 4]).split(area);
    let sev = v.severity.map_or(0, |s| usize::from(s.level()));
    let of = v.severity.map(|s| format!(" of {s}")).unwrap_or_default();
    for (k, (name, per)) in [("acknowledge", &d.tta), ("resolve", &d.ttr)]
        .into_iter()
        .enumerate()
    {
        let values: Vec<Option<i64>> = per.iter().map(|b| b[sev]).collect();
        let here = values
            .get(v.bar)
            .copied()
            .flatten()
            .map(human)
            .unwrap_or_else(|| "—".into());
        let known: Vec<i64> = values.iter().flatten().copied().collect();
        let range = match (known.iter().min(), known.iter().max()) {
            (Some(lo), Some(hi)) if lo != hi => {
                format!(" (bars from {} to {})", human(*lo), human(*hi))
            }
            _ => String::new(),
        };
        frame.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled(format!(" median time to {name}{of}"), theme.header()),
                Span::raw(format!(
                    " at {}: {here}",
                    d.keys.get(v.bar).map_or("", String::as_str)
                )),
                Span::styled(range, theme.dim()),
            ])),
            rows[k * 2],
        );
        // One column per bar column, so each median sits under its bar.
        let data: Vec<Option<u64>> = values
            .iter()
            .flat_map(|m| std::iter::repeat_n(m.map(|s| s.max(0) as u64), usize::from(step)))
            .collect();
        let line = rows[k * 2 + 1];
        let line = Rect {
            x: line.x + 1,
            width: line.width.saturating_sub(1),
            ..line
        };
        frame.render_widget(
            Sparkline::default()
                .data(&data)
                .absent_value_symbol("·")
                .absent_value_style(theme.dim()),
            line,
        );
    }
}

fn measures(v: &MetricsView, d: &Series, theme: &Theme, frame: &mut Frame<'_>, area: Rect) {
    let cell = |x: Option<i64>| x.map(human).unwrap_or_else(|| "—".into());
    let rows: Vec<Row<'_>> = d
        .report
        .total
        .measures
        .iter()
        .enumerate()
        .map(|(i, (name, st))| {
            let r = Row::new(vec![
                name.to_string(),
                st.n.to_string(),
                st.unknown.to_string(),
                cell(st.mean_s.map(|m| m.round() as i64)),
                cell(st.median_s),
                cell(st.p90_s),
                cell(st.max_s),
            ]);
            if v.table && i == v.row {
                r.style(theme.selected())
            } else {
                r
            }
        })
        .collect();
    let widths = [
        Constraint::Length(20),
        Constraint::Length(6),
        Constraint::Length(7),
        Constraint::Length(8),
        Constraint::Length(8),
        Constraint::Length(8),
        Constraint::Length(8),
    ];
    let table = Table::new(rows, widths)
        .header(
            Row::new(vec![
                "measure (all)",
                "n",
                "unknown",
                "mean",
                "median",
                "p90",
                "max",
            ])
            .style(theme.header()),
        )
        .column_spacing(1);
    frame.render_widget(table, area);
}
