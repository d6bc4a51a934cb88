//! A routing rule's time window: weekdays and hours of the day in a time
//! zone (`when = { days = ["mon-fri"], hours = "09:00-17:30", tz =
//! "Europe/Berlin" }`). The weekday and the time of day are both those of
//! the instant in that zone; hours include their start and exclude their
//! end (`09:00-17:00` holds 16:59:59, not 17:00), and `24:00` ends a day.

use super::tz::Tz;
use chrono::{DateTime, Datelike, Timelike, Utc};

const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const LONG: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

#[derive(Debug, Clone, PartialEq)]
pub struct Window {
    /// Monday first; all true when no days were given.
    pub days: [bool; 7],
    /// Minutes after midnight: start (inclusive), end (exclusive).
    pub hours: Option<(u16, u16)>,
    pub tz: Tz,
}

impl Window {
    /// Parse the three parts; `tz` absent is the system's zone.
    pub fn parse(days: &[String], hours: Option<&str>, tz: Option<&str>) -> Result<Window, String> {
        let mut set = [days.is_empty(); 7];
        for d in days {
            for i in parse_days(d)? {
                set[i] = true;
            }
        }
        let hours = hours.map(parse_hours).transpose()?;
        let tz = Tz::parse(tz.unwrap_or("local"))?;
        Ok(Window {
            days: set,
            hours,
            tz,
        })
    }

    /// Whether `now` falls in the window; `Err` says why not.
    pub fn check(&self, now: DateTime<Utc>) -> Result<(), String> {
        let local = self.tz.at(now);
        let day = local.weekday().num_days_from_monday() as usize;
        let minute = u16::try_from(local.hour() * 60 + local.minute()).unwrap_or(0);
        let shown = format!(
            "{} {:02}:{:02} {}",
            DAYS[day],
            local.hour(),
            local.minute(),
            self.tz.name()
        );
        if !self.days[day] {
            return Err(format!("{shown} is not on {}", self.days_text()));
        }
        if let Some((start, end)) = self.hours
            && !(start <= minute && minute < end)
        {
            return Err(format!("{shown} is outside {}", hours_text(start, end)));
        }
        Ok(())
    }

    /// The days as config lists them (ranges folded): `["mon-fri"]`.
    pub fn days_list(&self) -> Vec<String> {
        if self.days.iter().all(|d| *d) {
            return Vec::new();
        }
        let mut out = Vec::new();
        let mut i = 0;
        while i < 7 {
            if !self.days[i] {
                i += 1;
                continue;
            }
            let start = i;
            while i + 1 < 7 && self.days[i + 1] {
                i += 1;
            }
            out.push(if start == i {
                DAYS[i].to_string()
            } else {
                format!("{}-{}", DAYS[start], DAYS[i])
            });
            i += 1;
        }
        out
    }

    fn days_text(&self) -> String {
        self.days_list().join(", ")
    }

    pub fn hours_text(&self) -> Option<String> {
        self.hours.map(|(s, e)| hours_text(s, e))
    }

    /// One line for people: `mon-fri 09:00-17:00 Europe/Berlin`.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if !self.days.iter().all(|d| *d) {
            parts.push(self.days_text());
        }
        if let Some(h) = self.hours_text() {
            parts.push(h);
        }
        parts.push(self.tz.name());
        parts.join(" ")
    }
}

fn hours_text(start: u16, end: u16) -> String {
    format!(
        "{:02}:{:02}-{:02}:{:02}",
        start / 60,
        start % 60,
        end / 60,
        end % 60
    )
}

fn day(s: &str) -> Option<usize> {
    let t = s.trim().to_ascii_lowercase();
    DAYS.iter()
        .position(|d| *d == t)
        .or_else(|| LONG.iter().position(|d| *d == t))
}

/// `mon`, `Monday`, or a range `mon-fri` / `monday:friday` (a range may
/// wrap: `fri-mon`).
pub(crate) fn parse_days(s: &str) -> Result<Vec<usize>, String> {
    let bad = || {
        format!("bad day '{s}': write mon, tue, wed, thu, fri, sat, sun, or a range like mon-fri")
    };
    if let Some((a, b)) = s.split_once(['-', ':']) {
        let (a, b) = (day(a).ok_or_else(bad)?, day(b).ok_or_else(bad)?);
        let mut out = vec![a];
        let mut i = a;
        while i != b {
            i = (i + 1) % 7;
            out.push(i);
        }
        return Ok(out);
    }
    Ok(vec![day(s).ok_or_else(bad)?])
}

/// `HH:MM-HH:MM`, start before end; `24:00` may end it.
pub(crate) fn parse_hours(s: &str) -> Result<(u16, u16), String> {
    let bad = |why: &str| format!("bad hours '{s}': {why}");
    let (a, b) = s
        .split_once('-')
        .ok_or_else(|| bad("write a range like 09:00-17:30"))?;
    let clock = |t: &str| -> Option<u16> {
        let (h, m) = t.trim().split_once(':')?;
        let ok = |x: &str| x.len() == 2 && x.bytes().all(|b| b.is_ascii_digit());
        if !ok(h) || !ok(m) {
            return None;
        }
        let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
        (m < 60 && (h < 24 || (h == 24 && m == 0))).then_some(h * 60 + m)
    };
    let start = clock(a).ok_or_else(|| bad("times are HH:MM, 00:00 to 24:00"))?;
    let end = clock(b).ok_or_else(|| bad("times are HH:MM, 00:00 to 24:00"))?;
    if end <= start {
        return Err(bad(
            "the end must be after the start; a night shift is two rules (22:00-24:00 and 00:00-06:00)",
        ));
    }
    Ok((start, end))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn w(days: &[&str], hours: Option<&str>, tz: &str) -> Window {
        let days: Vec<String> = days.iter().map(|d| d.to_string()).collect();
        Window::parse(&days, hours, Some(tz)).unwrap()
    }

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap()
    }

    #[test]
    fn hour_and_weekday_boundaries_in_a_named_zone() {
        // Berlin office hours. 2026-01-09 is a Friday; Berlin is UTC+1 in
        // January and UTC+2 in July.
        let office = w(&["mon-fri"], Some("09:00-17:00"), "Europe/Berlin");
        assert!(
            office.check(utc(2026, 1, 9, 7, 59, 59)).is_err(),
            "08:59:59 Berlin"
        );
        assert!(
            office.check(utc(2026, 1, 9, 8, 0, 0)).is_ok(),
            "09:00 Berlin"
        );
        assert!(
            office.check(utc(2026, 1, 9, 15, 59, 59)).is_ok(),
            "16:59:59 Berlin"
        );
        let e = office.check(utc(2026, 1, 9, 16, 0, 0)).unwrap_err();
        assert_eq!(e, "fri 17:00 Europe/Berlin is outside 09:00-17:00");
        // Summer time moves the window an hour earlier in UTC.
        assert!(
            office.check(utc(2026, 7, 10, 7, 0, 0)).is_ok(),
            "09:00 CEST"
        );
        assert!(
            office.check(utc(2026, 7, 10, 15, 0, 0)).is_err(),
            "17:00 CEST"
        );
        // Sunday 23:30 UTC is already Monday 00:30 in Berlin: the day is
        // the zone's, not UTC's.
        let mondays = w(&["monday"], None, "Europe/Berlin");
        assert!(mondays.check(utc(2026, 1, 11, 23, 30, 0)).is_ok());
        let e = mondays.check(utc(2026, 1, 11, 22, 59, 0)).unwrap_err();
        assert_eq!(e, "sun 23:59 Europe/Berlin is not on mon");
    }

    #[test]
    fn fixed_offsets_and_wrapping_day_ranges() {
        // Friday 2026-01-09 20:00 UTC is Saturday 01:00 at +05:00.
        let weekend = w(&["sat:sun"], None, "+05:00");
        assert!(weekend.check(utc(2026, 1, 9, 20, 0, 0)).is_ok());
        assert!(weekend.check(utc(2026, 1, 9, 18, 59, 0)).is_err());
        let long = w(&["fri-mon"], Some("00:00-24:00"), "UTC");
        assert_eq!(long.days_list(), vec!["mon", "fri-sun"]);
        assert!(
            long.check(utc(2026, 1, 12, 23, 59, 59)).is_ok(),
            "monday 23:59"
        );
        assert!(long.check(utc(2026, 1, 13, 0, 0, 0)).is_err(), "tuesday");
        assert_eq!(
            w(&[], Some("22:00-24:00"), "UTC").describe(),
            "22:00-24:00 UTC"
        );
        let office = w(&["Mon", "tue", "wed-fri"], None, "UTC");
        assert_eq!(office.days_list(), vec!["mon-fri"]);
    }

    #[test]
    fn bad_windows_are_refused_with_the_fix() {
        let days = |d: &str| Window::parse(&[d.to_string()], None, Some("UTC")).unwrap_err();
        assert!(days("funday").contains("bad day 'funday'"));
        assert!(days("mon-xyz").contains("range like mon-fri"));
        let hours = |h: &str| Window::parse(&[], Some(h), Some("UTC")).unwrap_err();
        assert!(hours("9-17").contains("HH:MM"));
        assert!(hours("09:00").contains("range"));
        assert!(hours("22:00-06:00").contains("two rules"));
        assert!(hours("09:00-09:00").contains("after the start"));
        assert!(hours("24:30-25:00").contains("HH:MM"));
        assert!(
            Window::parse(&[], None, Some("Nowhere/City"))
                .unwrap_err()
                .contains("Nowhere/City")
        );
    }
}
