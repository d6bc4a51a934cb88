//! iCalendar (RFC 5545) export of a schedule's shifts, for people's
//! calendars: one VEVENT per shift, times in UTC, CRLF line endings,
//! lines folded at 75 octets, text escaped.

use super::{Override, Schedule};
use chrono::{DateTime, Utc};

impl Schedule {
    /// The shifts overlapping `[from, until)` as a VCALENDAR. `now` is the
    /// DTSTAMP. A shift's UID is stable for the schedule and the shift's
    /// start, so re-importing updates events instead of doubling them.
    pub fn ics(
        &self,
        name: &str,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
        overrides: &[Override],
        now: DateTime<Utc>,
    ) -> String {
        let stamp = |t: DateTime<Utc>| t.format("%Y%m%dT%H%M%SZ").to_string();
        let mut out = String::new();
        let mut line = |s: &str| out.push_str(&fold(s));
        line("BEGIN:VCALENDAR");
        line("VERSION:2.0");
        line("PRODID:-//sev//on-call schedules//EN");
        line("CALSCALE:GREGORIAN");
        line("METHOD:PUBLISH");
        line(&format!(
            "X-WR-CALNAME:{}",
            escape(&format!("On call: {name}"))
        ));
        for s in self.shifts(from, until, overrides) {
            let how = match (&s.layer, s.by_override) {
                (_, true) => "override".to_string(),
                (Some(l), _) => format!("layer: {l}"),
                (None, false) => String::new(),
            };
            line("BEGIN:VEVENT");
            line(&format!(
                "UID:{}-{}@sev-oncall",
                uid_part(name),
                stamp(s.from)
            ));
            line(&format!("DTSTAMP:{}", stamp(now)));
            line(&format!("DTSTART:{}", stamp(s.from)));
            line(&format!("DTEND:{}", stamp(s.until)));
            line(&format!(
                "SUMMARY:{}",
                escape(&format!("On call: {} ({name})", s.user))
            ));
            line(&format!(
                "DESCRIPTION:{}",
                escape(&format!("schedule {name}, {how}"))
            ));
            line("TRANSP:TRANSPARENT");
            line("END:VEVENT");
        }
        line("END:VCALENDAR");
        out
    }
}

/// TEXT value escaping (RFC 5545 3.3.11); other control characters, which
/// TEXT may not hold, are dropped.
pub(super) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => out.push_str("\\n"),
            c if c.is_control() && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

/// A schedule name as a UID part: names are already restricted to
/// `[A-Za-z0-9_.-]`, anything else becomes `_`.
fn uid_part(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "_.-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// One content line, folded so that no line is over 75 octets (a fold is
/// CRLF and a space, never inside a UTF-8 character), ending in CRLF.
pub(super) fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let mut len = 0;
    for c in s.chars() {
        if len + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            len = 1;
        }
        out.push(c);
        len += c.len_utf8();
    }
    out.push_str("\r\n");
    out
}
