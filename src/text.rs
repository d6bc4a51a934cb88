//! Making untrusted text safe for a terminal.
//!
//! Titles, notes and alert payloads are typed by people and machines we do not
//! control. Every path that puts database or input text on a terminal (TUI,
//! CLI tables, exports, error messages) goes through [`sanitize`] or
//! [`sanitize_line`]. The raw text stays in the database untouched.

use std::borrow::Cow;

/// How a character must be shown, if it cannot be shown as itself.
fn replacement(c: char, keep_newlines: bool) -> Option<Replacement> {
    match c {
        '\n' if keep_newlines => None,
        // Tabs are expanded rather than deleted (ratatui would drop them).
        '\t' => Some(Replacement::Text("    ")),
        '\n' => Some(Replacement::Text(" ")),
        '\r' => Some(Replacement::Caret('M')),
        // C0 controls and DEL: caret notation, like `cat -v` (ESC shows as ^[).
        '\u{0}'..='\u{1f}' => Some(Replacement::Caret((b'@' + c as u8) as char)),
        '\u{7f}' => Some(Replacement::Caret('?')),
        // C1 controls, bidi overrides/isolates/marks, zero-width and other
        // invisible format characters: shown as <U+XXXX>.
        '\u{80}'..='\u{9f}'
        | '\u{200b}'..='\u{200f}'
        | '\u{202a}'..='\u{202e}'
        | '\u{2060}'..='\u{2069}'
        | '\u{061c}'
        | '\u{00ad}'
        | '\u{feff}'
        | '\u{fff9}'..='\u{fffb}' => Some(Replacement::Code),
        _ => None,
    }
}

enum Replacement {
    Text(&'static str),
    Caret(char),
    Code,
}

fn sanitize_impl(s: &str, keep_newlines: bool) -> Cow<'_, str> {
    if !s.chars().any(|c| replacement(c, keep_newlines).is_some()) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match replacement(c, keep_newlines) {
            None => out.push(c),
            Some(Replacement::Text(t)) => out.push_str(t),
            Some(Replacement::Caret(k)) => {
                out.push('^');
                out.push(k);
            }
            Some(Replacement::Code) => out.push_str(&format!("<U+{:04X}>", c as u32)),
        }
    }
    Cow::Owned(out)
}

/// Make text safe for a terminal, keeping line breaks (multi-line layouts).
pub fn sanitize(s: &str) -> Cow<'_, str> {
    sanitize_impl(s, true)
}

/// Make text safe for a single line: newlines become spaces too.
pub fn sanitize_line(s: &str) -> Cow<'_, str> {
    sanitize_impl(s, false)
}

/// True when the string has nothing that [`sanitize`] would change.
pub fn is_clean(s: &str) -> bool {
    matches!(sanitize(s), Cow::Borrowed(_))
}

/// Cut a single-line string to at most `width` terminal columns, adding `…`
/// when it was cut.
pub fn truncate(s: &str, width: usize) -> String {
    use unicode_width::UnicodeWidthChar;
    let total: usize = s.chars().map(|c| c.width().unwrap_or(0)).sum();
    if total <= width {
        return s.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > width - 1 {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_are_made_visible() {
        assert_eq!(sanitize("a\x1b[31mred\x1b[0m"), "a^[[31mred^[[0m");
        assert_eq!(sanitize("bell\x07"), "bell^G");
        assert_eq!(sanitize("del\x7f"), "del^?");
        assert_eq!(sanitize("c1\u{9b}31m"), "c1<U+009B>31m");
    }

    #[test]
    fn bidi_and_zero_width_are_made_visible() {
        assert_eq!(sanitize("abc\u{202e}txt"), "abc<U+202E>txt");
        assert_eq!(sanitize("x\u{200b}y"), "x<U+200B>y");
        assert_eq!(sanitize("\u{2066}i\u{2069}"), "<U+2066>i<U+2069>");
        assert_eq!(
            sanitize("\u{061c}\u{200e}\u{200f}"),
            "<U+061C><U+200E><U+200F>"
        );
    }

    #[test]
    fn newlines_kept_or_folded_and_tabs_expanded() {
        assert_eq!(sanitize("a\nb\tc"), "a\nb    c");
        assert_eq!(sanitize_line("a\nb\r"), "a b^M");
    }

    #[test]
    fn clean_text_is_borrowed() {
        assert!(matches!(
            sanitize("DNS outage — ünïcode ✓"),
            Cow::Borrowed(_)
        ));
        assert!(is_clean("plain"));
        assert!(!is_clean("\x1b"));
    }

    #[test]
    fn truncate_respects_width() {
        assert_eq!(truncate("hello", 10), "hello");
        assert_eq!(truncate("hello world", 6), "hello…");
        assert_eq!(truncate("日本語テキスト", 5), "日本…");
    }
}

/// Serialized JSON made safe for a terminal without changing its meaning:
/// characters that [`sanitize`] would replace are written as `\uXXXX`
/// escapes, so a JSON reader still gets the exact original text.
pub fn json_safe(json: &str) -> Cow<'_, str> {
    let unsafe_char = |c: char| c != '\n' && c != '\t' && replacement(c, true).is_some();
    if !json.chars().any(unsafe_char) {
        return Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if unsafe_char(c) {
            let mut buf = [0u16; 2];
            for u in c.encode_utf16(&mut buf) {
                out.push_str(&format!("\\u{:04x}", u));
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod json_tests {
    #[test]
    fn json_keeps_meaning_but_not_raw_controls() {
        let v = serde_json::json!({"t": "a\u{1b}[2J\u{202e}b\u{7f}\u{9b}"});
        let s = serde_json::to_string(&v).unwrap();
        let safe = super::json_safe(&s);
        assert!(
            safe.chars().all(|c| !c.is_control() && c != '\u{202e}'),
            "{safe}"
        );
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back, v);
    }
}

/// Cut a single-line string to at most `width` columns from the left,
/// keeping its end: `…/share/sev/sev.db`.
pub fn truncate_left(s: &str, width: usize) -> String {
    use unicode_width::UnicodeWidthChar;
    let total: usize = s.chars().map(|c| c.width().unwrap_or(0)).sum();
    if total <= width {
        return s.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut kept = Vec::new();
    let mut used = 0;
    for c in s.chars().rev() {
        let w = c.width().unwrap_or(0);
        if used + w > width - 1 {
            break;
        }
        used += w;
        kept.push(c);
    }
    kept.push('…');
    kept.into_iter().rev().collect()
}

#[cfg(test)]
mod truncate_left_tests {
    #[test]
    fn keeps_the_end() {
        assert_eq!(
            super::truncate_left("/srv/sev/sev.db", 20),
            "/srv/sev/sev.db"
        );
        assert_eq!(super::truncate_left("/srv/sev/sev.db", 8), "…/sev.db");
    }
}
