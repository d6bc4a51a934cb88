//! A terminal backend that writes as few bytes as it can: over SSH at 3 a.m.
//! every byte of a keystroke's repaint is latency.
//!
//! ratatui hands a backend the cells that changed since the last frame.
//! This backend keeps its own copy of what the terminal shows and, before
//! writing those cells:
//!
//! - notices when a band of rows moved up or down as a whole (a list that
//!   scrolled) and moves them with one scroll-region command instead of
//!   repainting them;
//! - keeps the pen (colours, bold, reverse) across cells and frames and
//!   changes it with one combined SGR sequence;
//! - clears a changed run of blank cells that reaches the end of a row with
//!   one erase-line, and steps over a few unchanged cells by reprinting them
//!   when that is shorter than a cursor move;
//! - writes nothing at all for a frame that changed nothing (no cursor
//!   hide, no colour reset): an idle screen costs 0 bytes.

use ratatui::backend::{Backend, ClearType, WindowSize};
use ratatui::buffer::{Buffer, Cell};
use ratatui::layout::{Position, Rect, Size};
use ratatui::style::{Color, Modifier};
use std::hash::{Hash, Hasher};
use std::io::{self, Write};

/// Colours and modifiers the terminal is set to.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Pen {
    fg: Color,
    bg: Color,
    modifier: Modifier,
}

const DEFAULT_PEN: Pen = Pen {
    fg: Color::Reset,
    bg: Color::Reset,
    modifier: Modifier::empty(),
};

fn pen_of(c: &Cell) -> Pen {
    Pen {
        fg: c.fg,
        bg: c.bg,
        modifier: c.modifier,
    }
}

pub struct Lean<W: Write> {
    out: W,
    buf: Vec<u8>,
    /// What the terminal shows (after the last flush).
    shown: Buffer,
    /// The size to report: fixed (tests, benches) or asked of the terminal.
    fixed: Option<Size>,
    pen: Option<Pen>,
    cursor: Option<Position>,
    cursor_visible: Option<bool>,
}

impl<W: Write> Lean<W> {
    /// A backend for the real terminal (`size: None`) or one of a fixed size.
    pub fn new(out: W, size: Option<Size>) -> Lean<W> {
        let mut b = Lean {
            out,
            buf: Vec::with_capacity(4096),
            shown: Buffer::empty(Rect::default()),
            fixed: size,
            pen: None,
            cursor: None,
            cursor_visible: None,
        };
        b.shown = Buffer::empty(b.area());
        b
    }

    pub fn writer(&self) -> &W {
        &self.out
    }

    fn area(&self) -> Rect {
        let s = self.size().unwrap_or(Size::new(80, 24));
        Rect::new(0, 0, s.width, s.height)
    }

    fn move_to(&mut self, x: u16, y: u16) {
        if self.cursor == Some(Position { x, y }) {
            return;
        }
        // Forward on the same row: reprint unchanged cells if cheaper.
        if let Some(c) = self.cursor
            && c.y == y
            && x > c.x
        {
            let gap = (x - c.x) as usize;
            let start = self.shown.index_of(c.x, y);
            let cells = &self.shown.content[start..start + gap];
            let plain = self.pen.is_some_and(|p| {
                cells
                    .iter()
                    .all(|cell| pen_of(cell) == p && cell.symbol().len() == 1)
            });
            if plain && gap <= 4 {
                let bytes: Vec<u8> = cells.iter().flat_map(|c| c.symbol().bytes()).collect();
                self.buf.extend_from_slice(&bytes);
            } else {
                let _ = write!(self.buf, "\x1b[{gap}C");
            }
        } else {
            let _ = write!(self.buf, "\x1b[{};{}H", y + 1, x + 1);
        }
        self.cursor = Some(Position { x, y });
    }

    fn set_pen(&mut self, p: Pen) {
        if self.pen == Some(p) {
            return;
        }
        let mut codes: Vec<String> = Vec::new();
        let from = match self.pen {
            // Attributes can only be added one by one; removing one is
            // shortest as a reset followed by what stays.
            Some(old) if old.modifier & !p.modifier == Modifier::empty() => old,
            _ => {
                codes.push("0".into());
                DEFAULT_PEN
            }
        };
        for (m, code) in [
            (Modifier::BOLD, "1"),
            (Modifier::DIM, "2"),
            (Modifier::ITALIC, "3"),
            (Modifier::UNDERLINED, "4"),
            (Modifier::SLOW_BLINK, "5"),
            (Modifier::RAPID_BLINK, "6"),
            (Modifier::REVERSED, "7"),
            (Modifier::HIDDEN, "8"),
            (Modifier::CROSSED_OUT, "9"),
        ] {
            if p.modifier.contains(m) && !from.modifier.contains(m) {
                codes.push(code.into());
            }
        }
        if p.fg != from.fg {
            codes.push(color(p.fg, false));
        }
        if p.bg != from.bg {
            codes.push(color(p.bg, true));
        }
        if !codes.is_empty() {
            let _ = write!(self.buf, "\x1b[{}m", codes.join(";"));
        }
        self.pen = Some(p);
    }

    /// Move rows that the new frame shows shifted, with a scroll region.
    fn scroll(&mut self, next: &Buffer) {
        let (w, h) = (
            self.shown.area.width as usize,
            self.shown.area.height as usize,
        );
        if w == 0 || h < 4 || next.area != self.shown.area {
            return;
        }
        let hash = |b: &Buffer, r: usize| {
            let mut s = std::collections::hash_map::DefaultHasher::new();
            b.content[r * w..(r + 1) * w].hash(&mut s);
            s.finish()
        };
        let old: Vec<u64> = (0..h).map(|r| hash(&self.shown, r)).collect();
        let new: Vec<u64> = (0..h).map(|r| hash(next, r)).collect();
        // The longest run of changed rows that sit k rows away on screen.
        let mut best: Option<(usize, usize, isize)> = None; // (start, len, k)
        for k in 1..h as isize / 2 + 1 {
            for k in [k, -k] {
                let mut run = 0;
                for r in 0..=h {
                    let src = r as isize + k;
                    let same = r < h
                        && (0..h as isize).contains(&src)
                        && new[r] == old[src as usize]
                        && new[r] != old[r];
                    if same {
                        run += 1;
                    } else {
                        if run >= 2 && best.is_none_or(|(_, l, _)| run > l) {
                            best = Some((r - run, run, k));
                        }
                        run = 0;
                    }
                }
            }
        }
        let Some((s, len, k)) = best else {
            return;
        };
        // Scrolled-in rows are blank in the default colours.
        self.set_pen(DEFAULT_PEN);
        let n = k.unsigned_abs();
        let (top, bottom) = if k > 0 {
            (s, s + len - 1 + n)
        } else {
            (s - n, s + len - 1)
        };
        let dir = if k > 0 { 'S' } else { 'T' };
        let _ = write!(
            self.buf,
            "\x1b[{};{}r\x1b[{n}{dir}\x1b[r",
            top + 1,
            bottom + 1
        );
        self.cursor = None; // DECSTBM homes the cursor
        let rows: Vec<Vec<Cell>> = (top..=bottom)
            .map(|r| {
                let src = r as isize + k;
                if (top as isize..=bottom as isize).contains(&src) {
                    self.shown.content[src as usize * w..(src as usize + 1) * w].to_vec()
                } else {
                    vec![Cell::EMPTY; w]
                }
            })
            .collect();
        for (i, row) in rows.into_iter().enumerate() {
            let r = top + i;
            self.shown.content[r * w..(r + 1) * w].clone_from_slice(&row);
        }
    }

    /// The cells of `next` to write: those that differ from what is shown,
    /// plus any half of a wide character that writing them wipes out.
    fn changes(&self, next: &Buffer) -> Vec<(u16, u16)> {
        let (w, h) = (next.area.width, next.area.height);
        let width = |c: &Cell| unicode_width::UnicodeWidthStr::width(c.symbol()).max(1) as u16;
        let mut out = Vec::new();
        for y in 0..h {
            let (mut x, mut force_until) = (0u16, 0u16);
            while x < w {
                let (n, o) = (&next[(x, y)], &self.shown[(x, y)]);
                let nw = width(n);
                if n != o || x < force_until {
                    out.push((x, y));
                    // Overwriting a wide character clears all of it; a wide
                    // one written here covers the next cells.
                    for dx in 0..nw {
                        if x + dx < w {
                            let ow = width(&self.shown[(x + dx, y)]);
                            force_until = force_until.max(x + dx + ow);
                        }
                    }
                }
                x += nw;
            }
        }
        out
    }

    /// Write the cells of `next` that differ from what is shown.
    fn paint(&mut self, next: &Buffer) {
        let w = next.area.width;
        let updates = self.changes(next);
        let mut i = 0;
        while i < updates.len() {
            let (x, y) = updates[i];
            let cell = next[(x, y)].clone();
            // A changed blank run to the end of the row: erase the line.
            let row_end = next.index_of(w - 1, y);
            let here = next.index_of(x, y);
            let blank_to_end = x + 8 < w
                && next.content[here..=row_end]
                    .iter()
                    .all(|c| *c == Cell::EMPTY);
            if blank_to_end {
                self.move_to(x, y);
                self.set_pen(DEFAULT_PEN);
                self.buf.extend_from_slice(b"\x1b[K");
                while i < updates.len() && updates[i].1 == y {
                    i += 1;
                }
                continue;
            }
            self.move_to(x, y);
            self.set_pen(pen_of(&cell));
            self.buf.extend_from_slice(cell.symbol().as_bytes());
            let width = unicode_width::UnicodeWidthStr::width(cell.symbol()).max(1) as u16;
            let nx = x + width;
            self.cursor = (nx < w).then_some(Position { x: nx, y });
            i += 1;
        }
        self.shown.clone_from(next);
    }
}

fn color(c: Color, bg: bool) -> String {
    let base = if bg { 40 } else { 30 };
    let named = |n: u8| -> String {
        if n < 8 {
            (base + n).to_string()
        } else {
            (base + 60 + n - 8).to_string()
        }
    };
    let sel = if bg { 48 } else { 38 };
    match c {
        Color::Reset => (base + 9).to_string(),
        Color::Black => named(0),
        Color::Red => named(1),
        Color::Green => named(2),
        Color::Yellow => named(3),
        Color::Blue => named(4),
        Color::Magenta => named(5),
        Color::Cyan => named(6),
        Color::Gray => named(7),
        Color::DarkGray => named(8),
        Color::LightRed => named(9),
        Color::LightGreen => named(10),
        Color::LightYellow => named(11),
        Color::LightBlue => named(12),
        Color::LightMagenta => named(13),
        Color::LightCyan => named(14),
        Color::White => named(15),
        Color::Indexed(n) => format!("{sel};5;{n}"),
        Color::Rgb(r, g, b) => format!("{sel};2;{r};{g};{b}"),
    }
}

impl<W: Write> Backend for Lean<W> {
    type Error = io::Error;

    fn draw<'a, I>(&mut self, content: I) -> io::Result<()>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        let mut next = self.shown.clone();
        let mut any = false;
        for (x, y, cell) in content {
            if next.area.contains(Position { x, y }) {
                next[(x, y)] = cell.clone();
                any = true;
                // ratatui sends a wide character but not the cells it
                // covers: they are blank in its buffer.
                let wide = unicode_width::UnicodeWidthStr::width(cell.symbol()) as u16;
                for dx in 1..wide {
                    if x + dx < next.area.width {
                        next[(x + dx, y)] = Cell::EMPTY;
                    }
                }
            }
        }
        if any {
            self.scroll(&next);
            self.paint(&next);
        }
        Ok(())
    }

    fn hide_cursor(&mut self) -> io::Result<()> {
        if self.cursor_visible != Some(false) {
            self.buf.extend_from_slice(b"\x1b[?25l");
            self.cursor_visible = Some(false);
        }
        Ok(())
    }

    fn show_cursor(&mut self) -> io::Result<()> {
        if self.cursor_visible != Some(true) {
            self.buf.extend_from_slice(b"\x1b[?25h");
            self.cursor_visible = Some(true);
        }
        Ok(())
    }

    fn get_cursor_position(&mut self) -> io::Result<Position> {
        Ok(self.cursor.unwrap_or_default())
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> io::Result<()> {
        let p = position.into();
        if self.cursor != Some(p) {
            let _ = write!(self.buf, "\x1b[{};{}H", p.y + 1, p.x + 1);
            self.cursor = Some(p);
        }
        Ok(())
    }

    fn clear(&mut self) -> io::Result<()> {
        self.buf.extend_from_slice(b"\x1b[0m\x1b[2J");
        self.pen = Some(DEFAULT_PEN);
        self.cursor = None;
        self.cursor_visible = None;
        self.shown = Buffer::empty(self.area());
        Ok(())
    }

    fn clear_region(&mut self, _: ClearType) -> io::Result<()> {
        // sev only ever clears the whole screen; a partial clear would
        // leave this backend unsure of what is shown, so clear it all.
        self.clear()
    }

    fn size(&self) -> io::Result<Size> {
        match self.fixed {
            Some(s) => Ok(s),
            None => ratatui::crossterm::terminal::size().map(|(w, h)| Size::new(w, h)),
        }
    }

    fn window_size(&mut self) -> io::Result<WindowSize> {
        let columns_rows = self.size()?;
        Ok(WindowSize {
            columns_rows,
            pixels: Size::default(),
        })
    }

    fn flush(&mut self) -> io::Result<()> {
        if !self.buf.is_empty() {
            self.out.write_all(&self.buf)?;
            self.buf.clear();
        }
        self.out.flush()
    }
}

#[cfg(test)]
mod tests;
