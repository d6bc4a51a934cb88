//! What the terminal shows after Lean's bytes (parsed by a VT100 emulator)
//! is exactly the frame ratatui rendered, cell by cell, colours included.

use super::*;
use ratatui::Terminal;
use ratatui::style::Style;
use ratatui::widgets::Paragraph;

fn screen_text(p: &vt100::Parser, w: u16, h: u16) -> Vec<String> {
    (0..h)
        .map(|r| {
            (0..w)
                .map(|c| {
                    p.screen()
                        .cell(r, c)
                        .map(|c| {
                            let s = c.contents();
                            if s.is_empty() {
                                " ".to_string()
                            } else {
                                s.to_string()
                            }
                        })
                        .unwrap_or_default()
                })
                .collect()
        })
        .collect()
}

fn buffer_text(b: &Buffer) -> Vec<String> {
    (0..b.area.height)
        .map(|y| {
            (0..b.area.width)
                .map(|x| b[(x, y)].symbol().to_string())
                .collect()
        })
        .collect()
}

fn vt_color(c: Color) -> vt100::Color {
    match c {
        Color::Reset => vt100::Color::Default,
        Color::Indexed(n) => vt100::Color::Idx(n),
        Color::Rgb(r, g, b) => vt100::Color::Rgb(r, g, b),
        other => {
            let n = [
                Color::Black,
                Color::Red,
                Color::Green,
                Color::Yellow,
                Color::Blue,
                Color::Magenta,
                Color::Cyan,
                Color::Gray,
                Color::DarkGray,
                Color::LightRed,
                Color::LightGreen,
                Color::LightYellow,
                Color::LightBlue,
                Color::LightMagenta,
                Color::LightCyan,
                Color::White,
            ]
            .iter()
            .position(|x| *x == other)
            .unwrap();
            vt100::Color::Idx(n as u8)
        }
    }
}

/// Assert the emulated screen shows exactly `want`, colours included.
fn assert_shows(vt: &vt100::Parser, want: &Buffer, what: &str) {
    let (w, h) = (want.area.width, want.area.height);
    assert_eq!(screen_text(vt, w, h), buffer_text(want), "{what}");
    for y in 0..h {
        for x in 0..w {
            // The right half of a wide character shows its style.
            if x > 0 && unicode_width::UnicodeWidthStr::width(want[(x - 1, y)].symbol()) > 1 {
                continue;
            }
            let (got, cell) = (vt.screen().cell(y, x).unwrap(), &want[(x, y)]);
            let at = format!("{what} at {x},{y}");
            assert_eq!(got.fgcolor(), vt_color(cell.fg), "fg {at}");
            assert_eq!(got.bgcolor(), vt_color(cell.bg), "bg {at}");
            assert_eq!(
                got.inverse(),
                cell.modifier.contains(Modifier::REVERSED),
                "{at}"
            );
            assert_eq!(got.bold(), cell.modifier.contains(Modifier::BOLD), "{at}");
            assert_eq!(
                got.italic(),
                cell.modifier.contains(Modifier::ITALIC),
                "{at}"
            );
            assert_eq!(
                got.underline(),
                cell.modifier.contains(Modifier::UNDERLINED),
                "{at}"
            );
            assert_eq!(got.dim(), cell.modifier.contains(Modifier::DIM), "{at}");
        }
    }
}

fn parser(w: u16, h: u16) -> vt100::Parser {
    vt100::Parser::new(
        std::num::NonZero::new(h).unwrap(),
        std::num::NonZero::new(w).unwrap(),
        0,
    )
}

/// Draw frames through Lean and check the emulated screen after each.
fn check(frames: &[Vec<(String, Style)>], w: u16, h: u16) -> Vec<usize> {
    let mut t = Terminal::new(Lean::new(Vec::new(), Some(Size::new(w, h)))).unwrap();
    let mut vt = parser(w, h);
    let mut sizes = Vec::new();
    let mut fed = 0;
    for (n, lines) in frames.iter().enumerate() {
        let completed = t
            .draw(|f| {
                let text: Vec<ratatui::text::Line> = lines
                    .iter()
                    .map(|(s, st)| ratatui::text::Line::styled(s.clone(), *st))
                    .collect();
                f.render_widget(Paragraph::new(text), f.area());
            })
            .unwrap();
        let want = completed.buffer.clone();
        let out = t.backend().writer();
        sizes.push(out.len() - fed);
        vt.process(&out[fed..]);
        fed = out.len();
        assert_shows(&vt, &want, &format!("frame {n}"));
    }
    sizes
}

/// The real screens of sev over demo data, key after key, at both sizes.
#[test]
fn sev_screens_arrive_exactly_as_rendered() {
    let dir = tempfile::tempdir().unwrap();
    let store = crate::store::Store::open(&dir.path().join("sev.db")).unwrap();
    let items: Vec<_> = crate::demo::Generator::new(300, 7, chrono::Utc::now()).collect();
    store.insert_batch(&items).unwrap();
    let mut app = crate::app::App::new(
        store,
        crate::config::Config::builtin(),
        crate::keymap::Keymap::defaults(),
        std::sync::Arc::new(crate::clock::SystemClock),
        "alice".into(),
    )
    .unwrap();
    app.list.facets.scope = crate::store::Scope::All;
    app.reload().unwrap();
    for (w, h) in [(80u16, 24u16), (120, 40)] {
        app.resize(w, h);
        let mut t = Terminal::new(Lean::new(Vec::new(), Some(Size::new(w, h)))).unwrap();
        let mut vt = parser(w, h);
        let mut fed = 0;
        let mut keys: Vec<&str> = vec!["j"; 45];
        keys.extend(["pagedown", "pagedown", "G", "g g", "enter", "esc"]);
        keys.extend(vec!["k"; 5]);
        keys.extend(["/", "d", "n", "s", "esc", "?", "esc"]);
        for (n, k) in keys.iter().enumerate() {
            for key in crate::keymap::parse_chord(k).unwrap() {
                app.on_key(key.to_event());
            }
            app.wait_for_search();
            let want = t
                .draw(|f| crate::ui::render(&app, f))
                .unwrap()
                .buffer
                .clone();
            let out = t.backend().writer();
            vt.process(&out[fed..]);
            fed = out.len();
            assert_shows(&vt, &want, &format!("{w}x{h} after key {n} ({k})"));
        }
    }
}

fn list(first: usize, selected: usize, h: usize) -> Vec<(String, Style)> {
    (first..first + h)
        .map(|i| {
            let st = if i == selected {
                Style::new().add_modifier(Modifier::REVERSED)
            } else if i % 3 == 0 {
                Style::new()
                    .fg(Color::Red)
                    .bg(Color::Indexed(236))
                    .add_modifier(Modifier::BOLD)
            } else {
                Style::new()
            };
            (format!("INC-{i:<5} SEV{} row {i} ünï 漢字", i % 5), st)
        })
        .collect()
}

#[test]
fn scrolling_lists_and_styles_end_up_exactly_as_rendered() {
    let h = 12;
    let mut frames = Vec::new();
    for sel in 0..30usize {
        let first = sel.saturating_sub(h - 2);
        frames.push(list(first, sel, h));
    }
    for sel in (0..30usize).rev() {
        frames.push(list(sel.min(18), sel, h));
    }
    // Jumps, a blank screen, and back.
    frames.push(list(100, 105, h));
    frames.push(vec![]);
    frames.push(list(3, 4, h / 2));
    check(&frames, 40, h as u16);
}

#[test]
fn an_unchanged_frame_writes_nothing_and_a_scroll_is_cheap() {
    let h = 20;
    let frames = vec![list(0, 18, h), list(0, 18, h), list(1, 19, h)];
    let sizes = check(&frames, 60, h as u16);
    assert!(sizes[0] > 500, "the first frame paints everything");
    assert_eq!(sizes[1], 0, "nothing changed, nothing written");
    // One row scrolled in, two rows restyled: far less than 20 rows.
    assert!(sizes[2] < 250, "scrolled by one row: {} bytes", sizes[2]);
}
