//! Which columns of the incident table fit a width, and how wide each is.
//! The TUI list and `sev list` both use it, so they give way alike.
//!
//! Every column but the title has a fixed width. As the width narrows, they
//! give way in this order (each step only if the row still does not fit):
//!
//! 1. TITLE shrinks, down to 20 cells;
//! 2. SERVICE narrows from 12 cells to 7;
//! 3. AGE goes;
//! 4. CLOCK (the response clock, TUI only) goes;
//! 5. SERVICE goes;
//! 6. TITLE shrinks further, down to 12 cells;
//! 7. PRI goes;
//! 8. ASSIGNEE goes — last of all: who owns an incident is never hidden
//!    while anything but the reference, kind, severity, status and title
//!    is shown.
//!
//! REF is as wide as the largest reference in the view, K (kind) is one cell.

/// Widths of the fixed columns.
pub const KIND_W: usize = 1;
pub const SEV_W: usize = 4;
pub const PRI_W: usize = 3;
pub const STATUS_W: usize = 8;
pub const AGE_W: usize = 4;
pub const SERVICE_W: usize = 12;
pub const SERVICE_NARROW_W: usize = 7;
pub const ASSIGNEE_W: usize = 8;
/// The response clock: "4m", "!12m", "✓".
pub const CLOCK_W: usize = crate::respond::targets_show::CELL_W;
/// The title gives up width first, down to this…
pub const TITLE_MIN: usize = 20;
/// …and after AGE and SERVICE went, down to this.
pub const TITLE_FLOOR: usize = 12;

/// The columns that fit, with their widths; a width of 0 means "not shown".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Columns {
    pub reference: usize,
    pub priority: bool,
    pub age: bool,
    /// The response clock (only where asked for: see [`fit_with_clock`]).
    pub clock: bool,
    pub service: usize,
    pub assignee: bool,
    pub title: usize,
}

impl Columns {
    /// Cells the columns take, one space between neighbours.
    pub fn used(&self) -> usize {
        let widths = [
            self.reference,
            KIND_W,
            SEV_W,
            if self.priority { PRI_W } else { 0 },
            STATUS_W,
            if self.age { AGE_W } else { 0 },
            if self.clock { CLOCK_W } else { 0 },
            self.title,
            self.service,
            if self.assignee { ASSIGNEE_W } else { 0 },
        ];
        let shown = widths.iter().filter(|w| **w > 0).count();
        widths.iter().sum::<usize>() + shown.saturating_sub(1)
    }
}

/// The give-way steps, in order.
const STEPS: [fn(&mut Columns); 7] = [
    |c| c.service = SERVICE_NARROW_W,
    |c| c.age = false,
    |c| c.clock = false,
    |c| c.service = 0,
    |c| c.title = TITLE_FLOOR,
    |c| c.priority = false,
    |c| c.assignee = false,
];

/// Fit the table into `width` cells: `reference` is the display width of the
/// widest reference shown. The title takes whatever is left over. When even
/// the last step does not fit (only a CLI piped to a very narrow width), the
/// row is wider than `width`.
pub fn fit(width: usize, reference: usize) -> Columns {
    fit_cols(width, reference, false)
}

/// [`fit`] with the response clock column (the TUI list).
pub fn fit_with_clock(width: usize, reference: usize) -> Columns {
    fit_cols(width, reference, true)
}

fn fit_cols(width: usize, reference: usize, clock: bool) -> Columns {
    let mut c = Columns {
        reference: reference.max("REF".len()),
        priority: true,
        age: true,
        clock,
        service: SERVICE_W,
        assignee: true,
        title: TITLE_MIN,
    };
    for step in STEPS {
        if c.used() <= width {
            break;
        }
        step(&mut c);
    }
    c.title += width.saturating_sub(c.used());
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn everything_fits_a_wide_row_and_the_title_takes_the_rest() {
        let c = fit(120, 7);
        assert!(c.priority && c.age && c.assignee);
        assert_eq!(c.service, SERVICE_W);
        assert_eq!(c.used(), 120);
        assert!(c.title > TITLE_MIN);
        assert!(!c.clock, "the CLI table has no clock column");
        let c = fit_with_clock(120, 7);
        assert!(c.clock && c.age);
        assert_eq!(c.used(), 120);
        // At 80 columns the TUI list (77 cells) keeps the clock.
        assert!(fit_with_clock(77, 7).clock);
    }

    #[test]
    fn columns_give_way_in_the_documented_order_and_the_owner_last() {
        // Narrow one cell at a time: each column, once gone, stays gone, and
        // they go in the documented order.
        let mut order: Vec<&str> = Vec::new();
        let mut prev = fit_with_clock(200, 10);
        for w in (20..200).rev() {
            let c = fit_with_clock(w, 10);
            assert!(c.used() <= w || !c.assignee, "{w}: {c:?}");
            let mut gone = |cond: bool, name: &'static str| {
                if cond && !order.contains(&name) {
                    order.push(name);
                }
            };
            gone(c.title < prev.title, "title");
            gone(c.service == SERVICE_NARROW_W, "service narrows");
            gone(!c.age, "age");
            gone(!c.clock, "clock");
            gone(c.service == 0, "service");
            gone(c.title < TITLE_MIN, "title below its minimum");
            gone(!c.priority, "priority");
            gone(!c.assignee, "assignee");
            prev = c;
        }
        assert_eq!(
            order,
            [
                "title",
                "service narrows",
                "age",
                "clock",
                "service",
                "title below its minimum",
                "priority",
                "assignee"
            ]
        );
    }

    #[test]
    fn the_owner_and_service_fit_the_tui_sizes() {
        // 80 columns, and the list beside the details from 120 columns on
        // (60% of the width), with references up to INC-100000; the TUI
        // keeps 2 cells for the selection marker and 1 for a right margin.
        for (w, reference) in [(80, 6), (80, 10), (72, 6), (72, 10), (78, 10)] {
            let c = fit_with_clock(w - 3, reference);
            assert!(c.assignee, "{w}/{reference}: {c:?}");
            assert!(c.service > 0, "{w}/{reference}: {c:?}");
            assert!(c.title >= TITLE_MIN, "{w}/{reference}: {c:?}");
        }
        // The narrowest terminal sev draws on still shows the owner.
        let c = fit_with_clock(crate::geometry::MIN_WIDTH as usize - 3, 10);
        assert!(c.assignee, "{c:?}");
    }
}
