//! What `?` says, as plain lines generated from the keymap in force (so a
//! rebinding shows up), and how far it scrolls. `ui::help` styles and draws
//! these lines; the app uses them to clamp scrolling and to search.

use super::App;
use crate::keymap::{Action, Mode};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

/// One line of the help.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HelpLine {
    /// The workflow, at the top.
    Workflow(String),
    Text(String),
    /// A section's title (a key mode, or the command line).
    Heading(String),
    Binding {
        keys: String,
        desc: String,
    },
    Blank,
}

impl HelpLine {
    pub fn text(&self) -> String {
        match self {
            HelpLine::Workflow(t) | HelpLine::Text(t) | HelpLine::Heading(t) => t.clone(),
            HelpLine::Binding { keys, desc } => format!("{}{desc}", key_cell(keys)),
            HelpLine::Blank => String::new(),
        }
    }
}

/// A binding's keys as the help's first column: padded to 16 cells, with
/// at least two spaces after keys of 15 cells or more (`pgdn space
/// ctrl-d`), so a key list never runs into its description.
pub fn key_cell(keys: &str) -> String {
    let w = unicode_width::UnicodeWidthStr::width(keys);
    let pad = if w < 15 { 16 - w } else { 2 };
    format!("  {keys}{}", " ".repeat(pad))
}

/// What an action does in this mode, for the help (a few keys mean
/// something more precise in one place).
pub fn describe(mode: Mode, a: Action) -> &'static str {
    match (mode, a) {
        (Mode::Postmortem, Action::ChangeStatus) => {
            "postmortem status (draft → in review → published)"
        }
        (Mode::Metrics, Action::Left) => "previous bar",
        (Mode::Metrics, Action::Right) => "next bar",
        (Mode::Metrics, Action::Up) => "previous measure",
        (Mode::Metrics, Action::Down) => "next measure",
        (Mode::Metrics, Action::SwitchPane) => "bars ↔ measures",
        (Mode::Metrics, Action::CycleSeverityFilter) => "bars: all severities → SEV1 → … → SEV5",
        (Mode::Metrics, Action::Open) => "list exactly the incidents of the bar or measure",
        _ => a.desc(),
    }
}

/// The measures' formulas, as README and `sev report --help` give them.
const METRICS_HELP: [&str; 9] = [
    "time to detect = impact start → detected",
    "time to acknowledge = logged → first acknowledged",
    "time to mitigate = logged → mitigated; time to resolve = logged → resolved (the latest)",
    "impact duration = impact start → resolved",
    "For incidents alerts opened, logged = the first alert received, impact start = its startsAt.",
    "n: incidents with both times; unknown: without one (never guessed); cancelled ones left out.",
    "Percentiles are nearest-rank: p of n sorted values is the value at rank ⌈p/100·n⌉.",
    "Bars: incidents logged per day (7 days), week (30, 90) or month (365), in [hours].time_zone.",
    "Lines: the median time to acknowledge and to resolve of each bar's incidents.",
];

/// Every line of the help.
pub fn lines(app: &App) -> Vec<HelpLine> {
    use Action as A;
    let k = |a: A| app.key(Mode::Normal, a);
    let mut out = vec![
        HelpLine::Workflow(format!(
            "The workflow: {} log → {} categorize → {} severity → {} prioritize → {} ack",
            k(A::NewIncident),
            k(A::SetCategory),
            k(A::SetSeverity),
            k(A::Prioritize),
            k(A::Acknowledge),
        )),
        HelpLine::Workflow(format!(
            "→ {} take command → {} investigate → {} mitigate → {} resolve → {} postmortem",
            k(A::TakeCommand),
            k(A::ChangeStatus),
            k(A::ChangeStatus),
            k(A::Resolve),
            k(A::OpenPostmortem),
        )),
        HelpLine::Workflow(format!(
            "(write, publish) → {} close. {} notes any time; {} action items.",
            k(A::ChangeStatus),
            k(A::AddNote),
            k(A::OpenActions),
        )),
        HelpLine::Workflow(format!(
            "{} goes back one level; only the list quits ({}).",
            k(A::Back),
            k(A::Quit)
        )),
        HelpLine::Text(
            "Choices: a digit or a first letter goes to the choice (again: the next one); in a form that sets it, in a picker enter picks it. A message box closes on any key, which does nothing else."
                .into(),
        ),
        HelpLine::Text(crate::geometry::LIST_LEGEND.into()),
        HelpLine::Blank,
    ];
    for mode in Mode::ALL {
        let title = match mode {
            Mode::Normal => "List and details".to_string(),
            Mode::Search => format!("Search ({})", k(A::Search)),
            Mode::Dialog => "Dialogs and forms (other keys type)".to_string(),
            Mode::Help => "This help".to_string(),
            Mode::Postmortem => format!(
                "Postmortem pane ({}; {} closes it)",
                k(A::OpenPostmortem),
                app.key(Mode::Postmortem, A::Back)
            ),
            Mode::Actions => format!("Action items ({})", k(A::OpenActions)),
            Mode::Metrics => format!("Metrics ({})", k(A::OpenMetrics)),
            Mode::Picker => "Pickers (a digit or a first letter chooses)".to_string(),
            Mode::Confirm => "Questions (yes / no)".to_string(),
        };
        out.push(HelpLine::Heading(title));
        for (action, keys) in app.keymap.bindings(*mode) {
            out.push(HelpLine::Binding {
                keys: keys.join(" "),
                desc: describe(*mode, action).to_string(),
            });
        }
        if *mode == Mode::Metrics {
            for t in METRICS_HELP {
                out.push(HelpLine::Text(format!("  {t}")));
            }
        }
        if *mode == Mode::Normal {
            out.push(HelpLine::Text(format!(
                "  Several at once: {} marks, {} marks all in view; then {} {} {} {} {} act on every marked incident after one question, {} merges them into the one under the cursor, {} clears the marks.",
                k(A::Mark),
                k(A::MarkAll),
                k(A::Acknowledge),
                k(A::ChangeStatus),
                k(A::Resolve),
                k(A::AddNote),
                k(A::Assign),
                k(A::Merge),
                k(A::Back),
            )));
        }
        out.push(HelpLine::Blank);
    }
    out.push(HelpLine::Heading("Command line (:)".into()));
    out.push(HelpLine::Text(format!("  {}", super::COMMAND_VERBS)));
    out
}

/// The lines a help search shows: those that mention the query, each under
/// its section's heading.
pub fn filtered(app: &App, query: &str) -> Vec<HelpLine> {
    let all = lines(app);
    let q = query.trim().to_lowercase();
    if q.is_empty() {
        return all;
    }
    let mut out = Vec::new();
    let mut heading: Option<&HelpLine> = None;
    let mut heading_shown = false;
    for l in &all {
        if let HelpLine::Heading(_) = l {
            heading = Some(l);
            heading_shown = false;
        }
        if !l.text().to_lowercase().contains(&q) {
            continue;
        }
        if let Some(h) = heading
            && !heading_shown
        {
            heading_shown = true;
            if h != l {
                out.push(h.clone());
            }
        }
        out.push(l.clone());
    }
    out
}

/// How far the help can scroll at this terminal size: the last line at the
/// bottom of the box, no further.
pub fn max_scroll(app: &App, query: &str) -> usize {
    let (w, h) = app.size;
    let [_, body, _, _] = crate::geometry::areas(ratatui::layout::Rect::new(0, 0, w, h));
    let inner_w = body.width.saturating_sub(2).max(1);
    let inner_h = body.height.saturating_sub(2) as usize;
    let text: Vec<Line> = filtered(app, query)
        .iter()
        .map(|l| Line::from(l.text()))
        .collect();
    let rows = Paragraph::new(text)
        .wrap(Wrap { trim: false })
        .line_count(inner_w);
    rows.saturating_sub(inner_h)
}
