//! One key press, parsed from config text or from a terminal event.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Name {
    Char(char),
    Enter,
    Esc,
    Tab,
    BackTab,
    Backspace,
    Delete,
    Insert,
    Up,
    Down,
    Left,
    Right,
    PageUp,
    PageDown,
    Home,
    End,
    F(u8),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    pub name: Name,
    pub ctrl: bool,
    pub alt: bool,
}

impl Key {
    pub fn plain(name: Name) -> Key {
        Key {
            name,
            ctrl: false,
            alt: false,
        }
    }
    pub fn char(c: char) -> Key {
        Key::plain(Name::Char(c))
    }
    pub fn ctrl(c: char) -> Key {
        Key {
            name: Name::Char(c),
            ctrl: true,
            alt: false,
        }
    }

    /// From a terminal key event (`None` for keys sev never binds).
    pub fn from_event(ev: &KeyEvent) -> Option<Key> {
        let name = match ev.code {
            KeyCode::Char(c) => Name::Char(c),
            KeyCode::Enter => Name::Enter,
            KeyCode::Esc => Name::Esc,
            KeyCode::Tab if ev.modifiers.contains(KeyModifiers::SHIFT) => Name::BackTab,
            KeyCode::Tab => Name::Tab,
            KeyCode::BackTab => Name::BackTab,
            KeyCode::Backspace => Name::Backspace,
            KeyCode::Delete => Name::Delete,
            KeyCode::Insert => Name::Insert,
            KeyCode::Up => Name::Up,
            KeyCode::Down => Name::Down,
            KeyCode::Left => Name::Left,
            KeyCode::Right => Name::Right,
            KeyCode::PageUp => Name::PageUp,
            KeyCode::PageDown => Name::PageDown,
            KeyCode::Home => Name::Home,
            KeyCode::End => Name::End,
            KeyCode::F(n) => Name::F(n),
            _ => return None,
        };
        let ctrl = ev.modifiers.contains(KeyModifiers::CONTROL);
        let name = match name {
            Name::Char(c) if ctrl => Name::Char(c.to_ascii_lowercase()),
            n => n,
        };
        Some(Key {
            name,
            ctrl,
            alt: ev.modifiers.contains(KeyModifiers::ALT),
        })
    }

    /// The terminal event this key stands for (tests and replays).
    pub fn to_event(self) -> KeyEvent {
        let code = match self.name {
            Name::Char(c) => KeyCode::Char(c),
            Name::Enter => KeyCode::Enter,
            Name::Esc => KeyCode::Esc,
            Name::Tab => KeyCode::Tab,
            Name::BackTab => KeyCode::BackTab,
            Name::Backspace => KeyCode::Backspace,
            Name::Delete => KeyCode::Delete,
            Name::Insert => KeyCode::Insert,
            Name::Up => KeyCode::Up,
            Name::Down => KeyCode::Down,
            Name::Left => KeyCode::Left,
            Name::Right => KeyCode::Right,
            Name::PageUp => KeyCode::PageUp,
            Name::PageDown => KeyCode::PageDown,
            Name::Home => KeyCode::Home,
            Name::End => KeyCode::End,
            Name::F(n) => KeyCode::F(n),
        };
        let mut m = KeyModifiers::NONE;
        if self.ctrl {
            m |= KeyModifiers::CONTROL;
        }
        if self.alt {
            m |= KeyModifiers::ALT;
        }
        if let Name::Char(c) = self.name
            && c.is_uppercase()
        {
            m |= KeyModifiers::SHIFT;
        }
        KeyEvent::new(code, m)
    }

    /// Parse `a`, `A`, `ctrl-s`, `alt-enter`, `shift-tab`, `space`, `f5`.
    /// Any text is safe to pass: prefixes are stripped at character
    /// boundaries, never by byte index.
    pub fn parse(s: &str) -> Result<Key, String> {
        let mut rest = s;
        let (mut ctrl, mut alt, mut shift) = (false, false, false);
        // A lone `-` (or `c`, `m` …) is a key, not a modifier.
        while rest.chars().count() > 1 {
            if let Some(r) = strip_ci(rest, "ctrl-").or_else(|| strip_ci(rest, "c-")) {
                ctrl = true;
                rest = r;
            } else if let Some(r) = strip_ci(rest, "alt-").or_else(|| strip_ci(rest, "m-")) {
                alt = true;
                rest = r;
            } else if let Some(r) = strip_ci(rest, "shift-") {
                shift = true;
                rest = r;
            } else {
                break;
            }
        }
        let mut chars = rest.chars();
        let name = match (chars.next(), chars.next()) {
            (Some(c), None)
                if ctrl && shift && c.to_ascii_uppercase() != c.to_ascii_lowercase() =>
            {
                // Terminals send ctrl-shift-a as ctrl-a (and sev folds it so):
                // a binding for it could never fire.
                return Err(format!(
                    "cannot bind '{s}': terminals do not tell ctrl-shift-{l} from ctrl-{l}; bind ctrl-{l}",
                    l = c.to_ascii_lowercase()
                ));
            }
            (Some(c), None) => Name::Char(if shift {
                c.to_ascii_uppercase()
            } else if ctrl {
                c.to_ascii_lowercase()
            } else {
                c
            }),
            _ => match rest.to_ascii_lowercase().as_str() {
                "enter" | "return" | "cr" => Name::Enter,
                "esc" | "escape" => Name::Esc,
                "tab" if shift => Name::BackTab,
                "tab" => Name::Tab,
                "backtab" => Name::BackTab,
                "backspace" | "bs" => Name::Backspace,
                "delete" | "del" => Name::Delete,
                "insert" | "ins" => Name::Insert,
                "space" => Name::Char(' '),
                "up" => Name::Up,
                "down" => Name::Down,
                "left" => Name::Left,
                "right" => Name::Right,
                "pageup" | "pgup" => Name::PageUp,
                "pagedown" | "pgdn" => Name::PageDown,
                "home" => Name::Home,
                "end" => Name::End,
                f => match function_key(f) {
                    Some(n) => Name::F(n),
                    None => {
                        return Err(format!(
                            "cannot parse key '{s}': use a character, ctrl-x, alt-x, enter, esc, tab, backtab, space, up/down/left/right, pageup, pagedown, home, end, f1-f24"
                        ));
                    }
                },
            },
        };
        Ok(Key { name, ctrl, alt })
    }
}

/// `s` without `prefix`, compared ignoring ASCII case; `None` when `s` does
/// not start with it (or the prefix length falls inside a character).
fn strip_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| s.get(prefix.len()..))
        .flatten()
}

/// `f1` … `f24` (lowercase already): ASCII digits only, no sign.
fn function_key(f: &str) -> Option<u8> {
    let n = f.strip_prefix('f')?;
    if n.is_empty() || n.len() > 2 || !n.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    n.parse::<u8>().ok().filter(|n| (1..=24).contains(n))
}

/// `"g g"` → two keys.
pub fn parse_chord(s: &str) -> Result<Vec<Key>, String> {
    let parts: Vec<&str> = s.split_whitespace().collect();
    if parts.is_empty() {
        // A lone space is the space key.
        return if s == " " {
            Ok(vec![Key::char(' ')])
        } else {
            Err("empty key: write a key such as \"a\" or \"ctrl-s\"".into())
        };
    }
    parts.into_iter().map(Key::parse).collect()
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            f.write_str("ctrl-")?;
        }
        if self.alt {
            f.write_str("alt-")?;
        }
        match self.name {
            Name::Char(' ') => f.write_str("space"),
            Name::Char(c) => write!(f, "{c}"),
            Name::Enter => f.write_str("enter"),
            Name::Esc => f.write_str("esc"),
            Name::Tab => f.write_str("tab"),
            Name::BackTab => f.write_str("shift-tab"),
            Name::Backspace => f.write_str("backspace"),
            Name::Delete => f.write_str("delete"),
            Name::Insert => f.write_str("insert"),
            Name::Up => f.write_str("↑"),
            Name::Down => f.write_str("↓"),
            Name::Left => f.write_str("←"),
            Name::Right => f.write_str("→"),
            Name::PageUp => f.write_str("pgup"),
            Name::PageDown => f.write_str("pgdn"),
            Name::Home => f.write_str("home"),
            Name::End => f.write_str("end"),
            Name::F(n) => write!(f, "f{n}"),
        }
    }
}
