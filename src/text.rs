//! Making untrusted text safe for a terminal.
//!
//! Titles, notes and alert payloads are typed by people and machines we do not
//! control. Every path that puts database or input text on a terminal (TUI,
//! CLI tables, exports, error messages) goes through [`sanitize`] or
//! [`sanitize_line`]. The raw text stays in the database untouched.

use std::borrow::Cow;

/// Characters that are invisible, reorder text, or break lines for a
/// terminal but not for our layout: every code point of general category
/// Cf (format), Zl (line separator), Zp (paragraph separator), and every
/// Default_Ignorable_Code_Point (DerivedCoreProperties.txt, Unicode 15.1,
/// including the ranges it reserves for future ignorables, so a newer
/// terminal's ignorable is hidden from us too). Sorted, non-overlapping,
/// inclusive. Written from the Unicode Character Database:
///
/// - Cf: 00AD 0600..0605 061C 06DD 070F 0890..0891 08E2 180E 200B..200F
///   202A..202E 2060..2064 2066..206F FEFF FFF9..FFFB 110BD 110CD
///   13430..1343F 1BCA0..1BCA3 1D173..1D17A E0001 E0020..E007F
/// - Zl: 2028; Zp: 2029
/// - Default_Ignorable_Code_Point, beyond Cf: 034F (grapheme joiner),
///   115F..1160 and 3164 and FFA0 (Hangul fillers), 17B4..17B5 (Khmer
///   inherent vowels), 180B..180F (Mongolian variation selectors), 2065,
///   FE00..FE0F and E0100..E01EF (variation selectors), FFF0..FFF8,
///   E0000..E0FFF (tags and reserved).
///
/// Ordinary combining marks (U+0301 in "é" written as e + U+0301) are not
/// here: they are visible and the terminal and ratatui agree on their width.
const INVISIBLE: &[(u32, u32)] = &[
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x0600, 0x0605),
    (0x061C, 0x061C),
    (0x06DD, 0x06DD),
    (0x070F, 0x070F),
    (0x0890, 0x0891),
    (0x08E2, 0x08E2),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x2028, 0x202E),
    (0x2060, 0x206F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFFB),
    (0x110BD, 0x110BD),
    (0x110CD, 0x110CD),
    (0x13430, 0x1343F),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
];

/// True for a format, separator or default-ignorable character (see
/// [`INVISIBLE`]): one that a terminal may hide, use to reorder the line,
/// or draw with a width ratatui does not expect.
pub fn is_invisible(c: char) -> bool {
    let c = c as u32;
    INVISIBLE
        .binary_search_by(|&(lo, hi)| {
            if hi < c {
                std::cmp::Ordering::Less
            } else if lo > c {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

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
        // C1 controls (U+009B is a one-character CSI): shown as <U+XXXX>.
        '\u{80}'..='\u{9f}' => Some(Replacement::Code),
        // Bidi overrides/isolates/marks, zero-width and other format
        // characters, line/paragraph separators, fillers, variation
        // selectors, tags: shown as <U+XXXX>.
        c if is_invisible(c) => Some(Replacement::Code),
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

/// A character that ends a line for someone: LF, CR, VT, FF, NEL, and the
/// Unicode line and paragraph separators.
pub fn is_line_break(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r' | '\u{0b}' | '\u{0c}' | '\u{85}' | '\u{2028}' | '\u{2029}'
    )
}

/// Fold each run of line breaks (with the blanks around it) into one space.
/// Single-line fields (title, service, category, tags, action descriptions)
/// go through this on input, so a value can never start a new line in a
/// table, a heading or an export.
pub fn fold_lines(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_line_break) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if is_line_break(c) {
            out.truncate(out.trim_end().len());
            out.push(' ');
            while chars
                .peek()
                .is_some_and(|&n| is_line_break(n) || n.is_whitespace())
            {
                chars.next();
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// True when the string has nothing that [`sanitize`] would change.
pub fn is_clean(s: &str) -> bool {
    matches!(sanitize(s), Cow::Borrowed(_))
}

/// An actor for a narrow timeline column: an alert integration's
/// `alertmanager:prod` becomes `am:prod` (the integration's name is what
/// tells two apart; the source is one of four), anything else is as given.
pub fn short_actor(actor: &str) -> Cow<'_, str> {
    let abbreviated = [
        ("alertmanager:", "am:"),
        ("grafana:", "gf:"),
        ("pagerduty:", "pd:"),
        ("generic:", "gen:"),
    ];
    for (long, short) in abbreviated {
        if let Some(rest) = actor.strip_prefix(long) {
            return Cow::Owned(format!("{short}{rest}"));
        }
    }
    Cow::Borrowed(actor)
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
    fn integration_actors_keep_their_name_in_a_narrow_column() {
        assert_eq!(short_actor("alertmanager:prod-am"), "am:prod-am");
        assert_eq!(short_actor("pagerduty:pd"), "pd:pd");
        assert_eq!(short_actor("alice"), "alice");
        assert_eq!(short_actor("alertmanager"), "alertmanager");
    }

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

    /// Known code points of every class the sanitizer must cover, taken
    /// from the Unicode Character Database independently of [`INVISIBLE`].
    const KNOWN_INVISIBLE: &[(u32, &str)] = &[
        // Cf
        (0x00AD, "soft hyphen"),
        (0x0600, "Arabic number sign"),
        (0x0605, "Arabic number mark above"),
        (0x061C, "Arabic letter mark"),
        (0x06DD, "Arabic end of ayah"),
        (0x070F, "Syriac abbreviation mark"),
        (0x0890, "Arabic pound mark above"),
        (0x08E2, "Arabic disputed end of ayah"),
        (0x180E, "Mongolian vowel separator"),
        (0x200B, "zero width space"),
        (0x200C, "ZWNJ"),
        (0x200D, "ZWJ"),
        (0x200E, "LRM"),
        (0x200F, "RLM"),
        (0x202A, "LRE"),
        (0x202E, "RLO"),
        (0x2060, "word joiner"),
        (0x2064, "invisible plus"),
        (0x2066, "LRI"),
        (0x2069, "PDI"),
        (0x206A, "inhibit symmetric swapping"),
        (0x206F, "nominal digit shapes"),
        (0xFEFF, "BOM"),
        (0xFFF9, "interlinear annotation anchor"),
        (0xFFFB, "interlinear annotation terminator"),
        (0x110BD, "Kaithi number sign"),
        (0x110CD, "Kaithi number sign above"),
        (0x13430, "Egyptian hieroglyph vertical joiner"),
        (0x1343F, "Egyptian hieroglyph end walled enclosure"),
        (0x1BCA0, "shorthand format letter overlap"),
        (0x1D173, "musical symbol begin beam"),
        (0x1D17A, "musical symbol end phrase"),
        (0xE0001, "language tag"),
        (0xE0020, "tag space"),
        (0xE0041, "tag latin capital A"),
        (0xE007F, "cancel tag"),
        // Zl, Zp
        (0x2028, "line separator"),
        (0x2029, "paragraph separator"),
        // Default_Ignorable_Code_Point that is not Cf
        (0x034F, "combining grapheme joiner"),
        (0x115F, "Hangul choseong filler"),
        (0x1160, "Hangul jungseong filler"),
        (0x17B4, "Khmer vowel inherent AQ"),
        (0x17B5, "Khmer vowel inherent AA"),
        (0x180B, "Mongolian free variation selector one"),
        (0x180F, "Mongolian free variation selector four"),
        (0x2065, "reserved ignorable"),
        (0x3164, "Hangul filler"),
        (0xFE00, "variation selector 1"),
        (0xFE0F, "variation selector 16"),
        (0xFFA0, "halfwidth Hangul filler"),
        (0xFFF0, "reserved ignorable"),
        (0xE0000, "reserved tag"),
        (0xE0100, "variation selector 17"),
        (0xE01EF, "variation selector 256"),
        (0xE0FFF, "reserved ignorable"),
    ];

    #[test]
    fn every_format_separator_and_ignorable_class_is_made_visible() {
        for &(cp, name) in KNOWN_INVISIBLE {
            let c = char::from_u32(cp).unwrap();
            assert!(is_invisible(c), "U+{cp:04X} {name} not in the table");
            let s = format!("a{c}b");
            assert_eq!(sanitize(&s), format!("a<U+{cp:04X}>b"), "U+{cp:04X} {name}");
            assert!(!is_clean(&s), "U+{cp:04X} {name}");
        }
    }

    #[test]
    fn the_table_is_sorted_and_leaves_visible_text_alone() {
        for w in INVISIBLE.windows(2) {
            assert!(w[0].1 < w[1].0, "overlap or disorder at {:X?}", w);
        }
        assert!(INVISIBLE.iter().all(|(lo, hi)| lo <= hi));
        // Visible neighbours of the ranges, combining marks, CJK, emoji,
        // private use and spaces stay as they are.
        for c in [
            'a',
            'é',
            '\u{301}',
            '\u{300}',
            '\u{0E49}',
            '\u{093F}',
            '日',
            'ー',
            '\u{1F600}',
            '\u{E000}',
            '\u{F0000}',
            '\u{00A0}',
            '\u{3000}',
            '\u{2027}',
            '\u{202F}',
            '\u{205F}',
            '\u{2070}',
            '\u{115E}',
            '\u{1161}',
            '\u{3165}',
            '\u{FFA1}',
            '\u{FE10}',
            '\u{FFFC}',
            '\u{FFFD}',
            '\u{E1000}',
            '\u{0606}',
            '\u{17B6}',
        ] {
            assert!(!is_invisible(c), "U+{:04X} should stay visible", c as u32);
        }
        // e + combining acute stays readable (and borrowed).
        assert!(matches!(sanitize("cafe\u{301}"), Cow::Borrowed(_)));
    }

    #[test]
    fn width_after_sanitizing_is_what_a_terminal_draws() {
        use unicode_width::UnicodeWidthStr;
        // Each replacement is plain ASCII, so ratatui and the terminal agree
        // on how many columns the sanitized title takes.
        let hostile = "t\u{2028}i\u{3164}t\u{115F}l\u{E0041}e\u{FE0F}";
        let s = sanitize_line(hostile);
        assert_eq!(s, "t<U+2028>i<U+3164>t<U+115F>l<U+E0041>e<U+FE0F>");
        assert_eq!(s.width(), s.chars().count());
    }

    #[test]
    fn line_breaks_fold_into_one_space() {
        assert_eq!(
            fold_lines("Real title\n\n## Root cause(s)\nfake"),
            "Real title ## Root cause(s) fake"
        );
        assert_eq!(fold_lines("a \r\n  b\u{2028}c\u{2029}\u{85}d"), "a b c d");
        assert_eq!(fold_lines("x\u{0b}y\u{0c}z"), "x y z");
        assert!(matches!(fold_lines("one line"), Cow::Borrowed(_)));
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
