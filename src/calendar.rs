//! The team's hours: when a page lands in business hours, off hours or
//! sleep hours (`[hours]` in config). Reports split interruptions by it.
//!
//! ```toml
//! [hours]
//! time_zone = "Europe/Berlin"      # default: the system's zone
//! business = "mon-fri 09:00-17:00" # weekdays, then hours (start in, end out)
//! sleep = "23:00-07:00"            # may run past midnight
//! holidays = ["2026-12-25"]        # business days that are not
//! ```
//!
//! An instant is *business* when its local weekday is a business day, its
//! date is not a holiday and its time is within the business hours; else
//! *sleep* when its time is within the sleep hours; else *off*.

use crate::intake::tz::Tz;
use crate::intake::window::{parse_days, parse_hours};
use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use serde::Serialize;
use std::collections::BTreeSet;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Class {
    Business,
    Off,
    Sleep,
}

impl Class {
    pub const ALL: [Class; 3] = [Class::Business, Class::Off, Class::Sleep];
    pub fn name(self) -> &'static str {
        match self {
            Class::Business => "business",
            Class::Off => "off",
            Class::Sleep => "sleep",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Hours {
    pub tz: Tz,
    /// Monday first.
    pub days: [bool; 7],
    /// Minutes after midnight: start (inclusive), end (exclusive).
    pub business: (u16, u16),
    /// Minutes after midnight; `start > end` runs past midnight.
    pub sleep: (u16, u16),
    pub holidays: BTreeSet<NaiveDate>,
}

impl Default for Hours {
    fn default() -> Hours {
        Hours {
            tz: Tz::Clock(crate::clock::Zone::Local),
            days: [true, true, true, true, true, false, false],
            business: (9 * 60, 17 * 60),
            sleep: (23 * 60, 7 * 60),
            holidays: BTreeSet::new(),
        }
    }
}

impl Hours {
    /// These hours, read in the reader's zone unless config named one (the
    /// clock's zone is what tests and the display use for "local").
    pub fn in_zone_of(&self, reader: crate::clock::Zone) -> Hours {
        let mut h = self.clone();
        if h.tz == Tz::Clock(crate::clock::Zone::Local) {
            h.tz = Tz::Clock(reader);
        }
        h
    }

    /// `mon-fri 09:00-17:00` (days optional: every day when left out).
    pub fn set_business(&mut self, s: &str) -> Result<(), String> {
        let mut days = [false; 7];
        let mut hours = None;
        for part in s.split_whitespace() {
            if part.contains(':') && part.bytes().next().is_some_and(|b| b.is_ascii_digit()) {
                hours = Some(parse_hours(part)?);
            } else {
                for d in part.split(',').filter(|d| !d.is_empty()) {
                    for i in parse_days(d)? {
                        days[i] = true;
                    }
                }
            }
        }
        let hours = hours.ok_or_else(|| {
            format!("business hours '{s}' give no hours: write them like \"mon-fri 09:00-17:00\"")
        })?;
        if !days.contains(&true) {
            days = [true; 7];
        }
        self.days = days;
        self.business = hours;
        Ok(())
    }

    /// `23:00-07:00` (may run past midnight) or `00:00-06:00`.
    pub fn set_sleep(&mut self, s: &str) -> Result<(), String> {
        let t = s.trim();
        self.sleep = match parse_hours(t) {
            Ok(h) => h,
            Err(e) => {
                let (a, b) = t.split_once('-').ok_or(e.clone())?;
                let (start, _) =
                    parse_hours(&format!("{}-24:00", a.trim())).map_err(|_| e.clone())?;
                let end = if b.trim() == "00:00" {
                    0
                } else {
                    parse_hours(&format!("00:00-{}", b.trim()))
                        .map_err(|_| e.clone())?
                        .1
                };
                (start, end)
            }
        };
        Ok(())
    }

    pub fn set_holiday(&mut self, s: &str) -> Result<(), String> {
        let d = NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
            .map_err(|_| format!("bad holiday '{s}': write a date like 2026-12-25"))?;
        self.holidays.insert(d);
        Ok(())
    }

    pub fn class(&self, t: DateTime<Utc>) -> Class {
        let local = self.tz.at(t);
        let minute = (local.hour() * 60 + local.minute()) as u16;
        let day = local.weekday().num_days_from_monday() as usize;
        let (bs, be) = self.business;
        if self.days[day]
            && !self.holidays.contains(&local.date_naive())
            && bs <= minute
            && minute < be
        {
            return Class::Business;
        }
        let (ss, se) = self.sleep;
        let asleep = if ss <= se {
            ss <= minute && minute < se
        } else {
            minute >= ss || minute < se
        };
        if asleep { Class::Sleep } else { Class::Off }
    }

    /// One line: `mon-fri 09:00-17:00, sleep 23:00-07:00, Europe/Berlin`.
    pub fn describe(&self) -> String {
        let hm = |m: u16| format!("{:02}:{:02}", m / 60, m % 60);
        let days = crate::intake::window::Window {
            days: self.days,
            hours: None,
            tz: self.tz.clone(),
        }
        .days_list()
        .join(",");
        let days = if days.is_empty() {
            "every day".into()
        } else {
            days
        };
        format!(
            "business {days} {}-{}, sleep {}-{}, {}{}",
            hm(self.business.0),
            hm(self.business.1),
            hm(self.sleep.0),
            hm(self.sleep.1),
            self.tz.name(),
            if self.holidays.is_empty() {
                String::new()
            } else {
                format!(", {} holidays", self.holidays.len())
            }
        )
    }
}

/// Office hours in Berlin (mon-fri 09:00-17:00, sleep 23:00-07:00), its
/// rules written out so tests need no tzdata.
#[cfg(test)]
pub(crate) fn berlin_office() -> Hours {
    let mut h = Hours {
        tz: Tz::Named(std::sync::Arc::new(
            crate::intake::tz::Named::from_rule("Europe/Berlin", "CET-1CEST,M3.5.0,M10.5.0/3")
                .expect("a valid POSIX rule"),
        )),
        ..Hours::default()
    };
    h.business = (9 * 60, 17 * 60);
    h.sleep = (23 * 60, 7 * 60);
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn utc(d: u32, h: u32, m: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, d, h, m, s).unwrap()
    }

    fn berlin() -> Hours {
        let mut h = berlin_office();
        h.set_holiday("2026-11-20").unwrap();
        h
    }

    #[test]
    fn business_hours_boundaries_are_start_in_end_out_in_the_zone() {
        let h = berlin();
        // 2026-11-23 is a Monday; Berlin is UTC+1 in November.
        assert_eq!(h.class(utc(23, 7, 59, 59)), Class::Off); // 08:59:59
        assert_eq!(h.class(utc(23, 8, 0, 0)), Class::Business); // 09:00
        assert_eq!(h.class(utc(23, 15, 59, 59)), Class::Business); // 16:59:59
        assert_eq!(h.class(utc(23, 16, 0, 0)), Class::Off); // 17:00
        // Sleep runs past midnight: 23:00 in, 07:00 out.
        assert_eq!(h.class(utc(23, 21, 59, 59)), Class::Off); // 22:59:59
        assert_eq!(h.class(utc(23, 22, 0, 0)), Class::Sleep); // 23:00
        assert_eq!(h.class(utc(24, 5, 59, 59)), Class::Sleep); // 06:59:59
        assert_eq!(h.class(utc(24, 6, 0, 0)), Class::Off); // 07:00
        // A Saturday noon and a holiday (Friday 2026-11-20) are off hours.
        assert_eq!(h.class(utc(28, 11, 0, 0)), Class::Off);
        assert_eq!(h.class(utc(20, 11, 0, 0)), Class::Off);
        assert_eq!(h.class(utc(19, 11, 0, 0)), Class::Business);
    }

    #[test]
    fn bad_hours_name_the_fix() {
        let mut h = Hours::default();
        assert!(
            h.set_business("mon-fri")
                .unwrap_err()
                .contains("09:00-17:00")
        );
        assert!(
            h.set_business("mon-xyz 09:00-17:00")
                .unwrap_err()
                .contains("bad day")
        );
        assert!(h.set_sleep("25:00-07:00").unwrap_err().contains("HH:MM"));
        assert!(h.set_holiday("25/12").unwrap_err().contains("2026-12-25"));
        h.set_business("09:00-18:00").unwrap();
        assert_eq!(h.days, [true; 7]);
        h.set_sleep("00:00-06:00").unwrap();
        assert_eq!(h.sleep, (0, 360));
        h.set_sleep("22:00-00:00").unwrap();
        h.tz = Tz::Clock(crate::clock::Zone::UTC);
        assert_eq!(h.sleep, (1320, 0));
        assert_eq!(
            h.class(Utc.with_ymd_and_hms(2026, 1, 1, 23, 0, 0).unwrap())
                .name(),
            "sleep"
        );
    }
}
