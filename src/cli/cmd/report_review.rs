//! The review sections of `sev report` (text and Markdown): summary, SEV1–2
//! incidents with their postmortems, counts per week or month, recurrence,
//! interruptions by hours, overdue action items.

use crate::clock::duration as human;
use crate::metrics::Report;
use crate::metrics::review::{CountRow, Review};
use crate::text::sanitize_line;
use std::fmt::Write as _;

/// How a report writes things: Markdown escapes table cells and links.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Style {
    Text,
    Md,
}

impl Style {
    fn cell(self, s: &str) -> String {
        let s = sanitize_line(s).into_owned();
        match self {
            Style::Text => s,
            Style::Md => s
                .replace('|', "\\|")
                .replace('[', "\\[")
                .replace(']', "\\]"),
        }
    }

    fn heading(self, out: &mut String, title: &str) {
        match self {
            Style::Md => {
                let _ = writeln!(out, "\n## {title}\n");
            }
            Style::Text => {
                let _ = writeln!(out, "\n{title}\n{}", "─".repeat(title.chars().count()));
            }
        }
    }

    /// A table: Markdown pipes, or text columns padded to their widths.
    fn table(self, out: &mut String, head: &[&str], rows: &[Vec<String>], right_from: usize) {
        if self == Style::Md {
            let _ = writeln!(out, "| {} |", head.join(" | "));
            let _ = writeln!(
                out,
                "|{}",
                (0..head.len())
                    .map(|i| if i >= right_from { " ---: |" } else { " --- |" })
                    .collect::<String>()
            );
            for r in rows {
                let _ = writeln!(out, "| {} |", r.join(" | "));
            }
            return;
        }
        let mut w: Vec<usize> = head.iter().map(|h| h.chars().count()).collect();
        for r in rows {
            for (i, c) in r.iter().enumerate() {
                w[i] = w[i].max(c.chars().count());
            }
        }
        let line = |cols: Vec<&str>| {
            let mut s = String::new();
            for (i, c) in cols.iter().enumerate() {
                let pad = w[i].saturating_sub(c.chars().count());
                if i > 0 {
                    s.push_str("  ");
                }
                if i >= right_from {
                    s.push_str(&" ".repeat(pad));
                    s.push_str(c);
                } else {
                    s.push_str(c);
                    s.push_str(&" ".repeat(pad));
                }
            }
            s.trim_end().to_string()
        };
        let _ = writeln!(out, "{}", line(head.to_vec()));
        for r in rows {
            let _ = writeln!(out, "{}", line(r.iter().map(String::as_str).collect()));
        }
    }
}

fn pct(part: usize, of: usize) -> String {
    if of == 0 {
        "—".into()
    } else {
        format!("{:.0}%", part as f64 * 100.0 / of as f64)
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The summary paragraph.
pub(super) fn summary(out: &mut String, r: &Report, v: &Review, today: &str, style: Style) {
    style.heading(out, "Summary");
    let sev: Vec<String> = v
        .counts
        .rows
        .iter()
        .filter(|c| c.by == "severity")
        .map(|c| format!("{} {}", c.value, c.total))
        .collect();
    let i = &v.interruptions;
    let p = &v.postmortems;
    let a = &v.actions;
    let mut lines = vec![
        format!(
            "{}{}.",
            plural(r.incidents, "incident", "incidents"),
            if sev.is_empty() {
                String::new()
            } else {
                format!(" ({})", sev.join(" · "))
            }
        ),
        format!(
            "Interruptions: {} in business hours, {} off hours while awake, {} in sleep hours ({}); of them SEV1–2: {} / {} / {}.",
            i.business,
            i.off,
            i.sleep,
            style.cell(&i.hours),
            i.severe[0],
            i.severe[1],
            i.severe[2]
        ),
        format!(
            "Postmortems: {} of {} resolved SEV1–2 published ({}){}.",
            p.published,
            p.due,
            pct(p.published, p.due),
            p.time_to_publish
                .median_s
                .map(|m| format!(", median {} from resolved to published", human(m)))
                .unwrap_or_default()
        ),
        format!(
            "Action items: {} open and {} overdue as of {today}; {} done in the period ({} on time, {} late, {} without a due date){}.",
            a.open,
            a.overdue,
            a.done_in_period,
            a.done_on_time,
            a.done_late,
            a.done_without_due,
            a.time_to_done
                .median_s
                .map(|d| format!(", median {} from created to done", human(d)))
                .unwrap_or_default()
        ),
    ];
    if a.time_to_done.unknown > 0 {
        lines.push(format!(
            "({} done before sev kept the time an item was done: not in the time to done.)",
            a.time_to_done.unknown
        ));
    }
    for l in lines {
        match style {
            Style::Md => {
                let _ = writeln!(out, "- {l}");
            }
            Style::Text => {
                let _ = writeln!(out, "{l}");
            }
        }
    }
}

/// SEV1–2 incidents with their postmortems (Markdown: linked).
pub(super) fn severe(
    out: &mut String,
    v: &Review,
    titles: &crate::store::review::Titles,
    link: &str,
    style: Style,
) {
    style.heading(out, "SEV1–2 incidents");
    if v.postmortems.incidents.is_empty() {
        let _ = writeln!(out, "None in this period.");
        return;
    }
    let rows: Vec<Vec<String>> = v
        .postmortems
        .incidents
        .iter()
        .map(|l| {
            let inc = titles.get(&l.id);
            let title = inc
                .map(|(t, _)| match style {
                    Style::Md => style.cell(t),
                    Style::Text => style.cell(&crate::text::truncate(t, 50)),
                })
                .unwrap_or_default();
            let service = inc
                .and_then(|(_, s)| s.as_deref())
                .map(|s| style.cell(s))
                .unwrap_or_else(|| "—".into());
            let pm = match (l.postmortem, style) {
                (None, _) => "none".to_string(),
                (Some(s), Style::Text) => s.to_string(),
                (Some(s), Style::Md) => {
                    format!("[{s}]({})", link.replace("{ref}", &l.id.to_string()))
                }
            };
            vec![
                l.id.to_string(),
                l.severity.to_string(),
                service,
                title,
                l.status.to_string(),
                pm,
            ]
        })
        .collect();
    style.table(
        out,
        &[
            "incident",
            "sev",
            "service",
            "title",
            "status",
            "postmortem",
        ],
        &rows,
        usize::MAX,
    );
}

/// Incidents per bucket by severity and kind; services and categories.
pub(super) fn counts(out: &mut String, v: &Review, style: Style) {
    let c = &v.counts;
    let short = |i: usize, k: &str| {
        let s = match k.split_once("-W") {
            Some((_, w)) => format!("W{w}"),
            None => k.to_string(),
        };
        if c.partial.get(i).copied().unwrap_or(false) {
            format!("{s}*")
        } else {
            s
        }
    };
    for (by, title) in [
        ("severity", "by severity"),
        ("kind", "by kind"),
        ("service", "by service"),
        ("category", "by category"),
    ] {
        let rows: Vec<&CountRow> = c.rows.iter().filter(|r| r.by == by).take(12).collect();
        if rows.is_empty() {
            continue;
        }
        style.heading(out, &format!("Incidents per {} {title}", c.bucket));
        let mut head: Vec<String> = vec![by.to_string()];
        head.extend(c.buckets.iter().enumerate().map(|(i, k)| short(i, k)));
        head.push("total".into());
        let head: Vec<&str> = head.iter().map(String::as_str).collect();
        let body: Vec<Vec<String>> = rows
            .iter()
            .map(|r| {
                let mut row = vec![style.cell(&r.value)];
                row.extend(r.counts.iter().map(|n| n.to_string()));
                row.push(r.total.to_string());
                row
            })
            .collect();
        style.table(out, &head, &body, 1);
        let more = c.rows.iter().filter(|r| r.by == by).count();
        if more > rows.len() {
            let _ = writeln!(
                out,
                "\n{} more {by} values with fewer incidents (`sev report --by {by}` has each).",
                more - rows.len()
            );
        }
    }
    if c.partial.contains(&true) {
        let star = if style == Style::Md { "\\*" } else { "*" };
        let _ = writeln!(
            out,
            "\n{star} the period covers only part of this {}: not a full {}'s count.",
            c.bucket, c.bucket
        );
    }
}

pub(super) fn recurrence(out: &mut String, v: &Review, style: Style) {
    let r = &v.recurrence;
    style.heading(out, "Recurrence");
    let list = |xs: &[(String, usize)]| {
        if xs.is_empty() {
            "none".to_string()
        } else {
            xs.iter()
                .map(|(k, n)| format!("{} ({n})", style.cell(k)))
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    let bullet = if style == Style::Md { "- " } else { "" };
    let _ = writeln!(
        out,
        "{bullet}Services with repeated incidents: {}",
        list(&r.services)
    );
    let _ = writeln!(
        out,
        "{bullet}Categories with repeated incidents: {}",
        list(&r.categories)
    );
    let _ = writeln!(
        out,
        "{bullet}Top alerts by incidents: {}",
        list(&r.top_alerts)
    );
    if r.flapping.is_empty() {
        let _ = writeln!(
            out,
            "{bullet}Flapping alerts (fired {}+ times): none",
            crate::metrics::review::FLAPPING
        );
    } else {
        let _ = writeln!(out);
        let rows: Vec<Vec<String>> = r
            .flapping
            .iter()
            .map(|f| {
                vec![
                    style.cell(&f.name),
                    style.cell(&f.integration),
                    f.fired.to_string(),
                    f.incidents.to_string(),
                ]
            })
            .collect();
        style.table(
            out,
            &["flapping alert", "integration", "fired", "incidents"],
            &rows,
            2,
        );
    }
}

pub(super) fn overdue(out: &mut String, v: &Review, today: &str, style: Style) {
    style.heading(out, &format!("Overdue action items as of {today}"));
    if v.actions.overdue_items.is_empty() {
        let _ = writeln!(out, "None.");
        return;
    }
    let rows: Vec<Vec<String>> = v
        .actions
        .overdue_items
        .iter()
        .take(OVERDUE_SHOWN)
        .map(|a| {
            vec![
                a.id.clone(),
                a.incident.to_string(),
                style.cell(a.owner.as_deref().unwrap_or("—")),
                a.due.to_string(),
                style.cell(&crate::text::truncate(&a.description, 60)),
            ]
        })
        .collect();
    style.table(
        out,
        &["item", "incident", "owner", "due", "description"],
        &rows,
        usize::MAX,
    );
    let more = v.actions.overdue_items.len().saturating_sub(OVERDUE_SHOWN);
    if more > 0 {
        let _ = writeln!(
            out,
            "\n… and {more} more, due later: `sev actions --overdue` lists them all."
        );
    }
}

/// The oldest overdue items a report lists (JSON has them all).
const OVERDUE_SHOWN: usize = 50;
