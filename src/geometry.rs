//! Screen geometry: where the header, body, status line and hints go, and how
//! many list rows fit. Both `app` (to know how far a page moves and whether a
//! message fits the status line) and `ui` (to draw) use it, so `app` never
//! has to ask `ui`.

use ratatui::layout::{Constraint, Layout, Rect};

/// What `?` says about the list's columns (README says the same).
pub const LIST_LEGEND: &str = "List columns — K: S security, N near miss, blank an incident. \
As the terminal narrows, TITLE shrinks first (to 20 cells), then SERVICE narrows, \
AGE goes, SERVICE goes, TITLE shrinks to 12 and PRI goes; ASSIGNEE stays.";

/// Terminal width from which list and details sit side by side.
pub const WIDE: u16 = 120;
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 15;

/// Screen areas: header, body, status line, key hints.
pub fn areas(area: Rect) -> [Rect; 4] {
    Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area)
}

/// The body split into list and (on wide terminals) details. The list gets
/// 60% so that from 120 columns on it still shows SERVICE and ASSIGNEE (see
/// `columns`); the details wrap under their labels in the rest.
pub fn body_split(body: Rect, wide: bool) -> (Rect, Option<Rect>) {
    if wide {
        let [l, d] = Layout::horizontal([Constraint::Percentage(60), Constraint::Percentage(40)])
            .areas(body);
        (l, Some(d))
    } else {
        (body, None)
    }
}

/// How many incident rows fit on screen at this terminal size.
pub fn list_rows(w: u16, h: u16) -> usize {
    let [_, body, _, _] = areas(Rect::new(0, 0, w, h));
    body.height.saturating_sub(1) as usize // table header
}

/// Does a message of this display width fit the status line (with room for
/// the "error: " prefix)? Longer ones are shown whole in a message box.
pub fn fits_status_line(width: u16, text_width: usize) -> bool {
    text_width + 7 <= width as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_follow_the_terminal_height() {
        assert_eq!(list_rows(80, 24), 20);
        assert_eq!(list_rows(120, 40), 36);
        assert!(fits_status_line(80, 70));
        assert!(!fits_status_line(80, 74));
    }
}
