//! One rotation layer: who holds shift number `k`, where shift `k` starts,
//! and when the layer is active. All instants are Unix seconds; `NEG` and
//! `POS` stand for "no bound".
//!
//! Shift `k` of a whole-day shift (`1d`, `1w`, `2w`) starts at the handoff
//! wall time on `start + k × days` in the schedule's zone, so a handoff at
//! 09:00 stays at 09:00 local across DST (the shift across the spring
//! change is an hour shorter, across the autumn change an hour longer).
//! Any other length (`8h`, `12h`, `36h`) counts in absolute time from the
//! first handoff. The index of the shift holding an instant is computed,
//! never iterated to.

use crate::intake::tz::Tz;
use chrono::{Datelike, Days, NaiveDate, NaiveTime, Timelike};

pub(super) const NEG: i64 = i64::MIN;
pub(super) const POS: i64 = i64::MAX;

/// How long one shift lasts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShiftLen {
    /// Whole days, counted on the local calendar.
    Days(u32),
    /// Seconds of absolute time.
    Secs(i64),
}

impl ShiftLen {
    /// `8h`, `1d`, `1w`, `12h30m`: whole days (a multiple of 24h) count on
    /// the calendar, anything else in absolute time. At least 1 hour, at
    /// most 52 weeks.
    pub fn parse(s: &str) -> Result<ShiftLen, String> {
        let bad = || format!("bad shift length '{s}': write it like 8h, 12h, 1d, 1w or 12h30m");
        let t = s.trim();
        let mut total: i64 = 0;
        let mut digits = String::new();
        for ch in t.chars() {
            if ch.is_ascii_digit() {
                digits.push(ch);
                continue;
            }
            let unit = match ch {
                'm' => 60,
                'h' => 3600,
                'd' => 86400,
                'w' => 7 * 86400,
                _ => return Err(bad()),
            };
            if digits.is_empty() || digits.len() > 6 {
                return Err(bad());
            }
            let n: i64 = digits.parse().map_err(|_| bad())?;
            total = total.saturating_add(n.saturating_mul(unit));
            digits.clear();
        }
        if t.is_empty() || !digits.is_empty() {
            return Err(bad());
        }
        if total < 3600 {
            return Err(format!("shift length '{s}' is under an hour"));
        }
        if total > 52 * 7 * 86400 {
            return Err(format!("shift length '{s}' is over 52 weeks"));
        }
        Ok(if total % 86400 == 0 {
            ShiftLen::Days(u32::try_from(total / 86400).unwrap_or(1))
        } else {
            ShiftLen::Secs(total)
        })
    }

    /// As config writes it: `1w`, `3d`, `12h30m`.
    pub fn show(self) -> String {
        match self {
            ShiftLen::Days(d) if d % 7 == 0 => format!("{}w", d / 7),
            ShiftLen::Days(d) => format!("{d}d"),
            ShiftLen::Secs(s) => {
                let mut out = String::new();
                let mut s = s;
                for (unit, n) in [("d", 86400), ("h", 3600), ("m", 60)] {
                    if s >= n {
                        out.push_str(&format!("{}{unit}", s / n));
                        s %= n;
                    }
                }
                out
            }
        }
    }
}

/// When a layer applies: weekdays and a daily window in the schedule's
/// zone. `from >= to` runs past midnight (`22:00-06:00` on `mon-fri`
/// covers Monday 22:00 to Tuesday 06:00); `to` may be 24:00.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Active {
    /// Monday first.
    pub days: [bool; 7],
    /// Minutes after midnight.
    pub from: u16,
    pub to: u16,
}

/// One layer of a schedule.
#[derive(Debug, Clone, PartialEq)]
pub struct Layer {
    pub name: Option<String>,
    pub members: Vec<String>,
    pub shift: ShiftLen,
    /// Minutes after local midnight of each handoff.
    pub handoff: u16,
    /// Local date of the first handoff (members[0] starts then).
    pub start: NaiveDate,
    pub active: Option<Active>,
}

fn wall(date: NaiveDate, minute: u16) -> chrono::NaiveDateTime {
    let (h, m) = (u32::from(minute / 60), u32::from(minute % 60));
    match NaiveTime::from_hms_opt(h, m, 0) {
        Some(t) => date.and_time(t),
        // 24:00 is the next day's midnight.
        None => date
            .checked_add_days(Days::new(1))
            .unwrap_or(date)
            .and_time(NaiveTime::MIN),
    }
}

fn add_days(d: NaiveDate, n: i64) -> Option<NaiveDate> {
    if n >= 0 {
        d.checked_add_days(Days::new(n.unsigned_abs()))
    } else {
        d.checked_sub_days(Days::new(n.unsigned_abs()))
    }
}

impl Layer {
    /// The instant of the first handoff.
    pub fn anchor(&self, tz: &Tz) -> i64 {
        tz.from_local(wall(self.start, self.handoff)).timestamp()
    }

    /// Where shift `k` starts (`POS` when out of range).
    fn shift_start(&self, tz: &Tz, anchor: i64, k: i64) -> i64 {
        match self.shift {
            ShiftLen::Days(d) => k
                .checked_mul(i64::from(d))
                .and_then(|n| add_days(self.start, n))
                .map(|date| tz.from_local(wall(date, self.handoff)).timestamp())
                .unwrap_or(if k < 0 { NEG } else { POS }),
            ShiftLen::Secs(s) => k
                .checked_mul(s)
                .and_then(|x| anchor.checked_add(x))
                .unwrap_or(if k < 0 { NEG } else { POS }),
        }
    }

    /// The number of the shift holding `t` (negative before the start).
    fn index_at(&self, tz: &Tz, anchor: i64, t: i64) -> i64 {
        match self.shift {
            ShiftLen::Secs(s) => (t - anchor).div_euclid(s),
            ShiftLen::Days(d) => {
                let local = chrono::DateTime::from_timestamp(t, 0)
                    .map(|u| tz.at(u).date_naive())
                    .unwrap_or(self.start);
                let days = (local - self.start).num_days();
                let mut k = days.div_euclid(i64::from(d));
                // The estimate is off by at most one near a handoff (a
                // handoff before local midnight's offset, a DST day).
                while self.shift_start(tz, anchor, k) > t {
                    k -= 1;
                }
                while self.shift_start(tz, anchor, k + 1) <= t {
                    k += 1;
                }
                k
            }
        }
    }

    /// Who holds `t` and the run of shifts they hold in a row (a member
    /// listed twice running, or a one-person layer, holds one long run):
    /// (member index, from, until). `None` before the first handoff.
    pub(super) fn run_at(&self, tz: &Tz, t: i64) -> Option<(usize, i64, i64)> {
        let anchor = self.anchor(tz);
        let n = i64::try_from(self.members.len()).ok().filter(|n| *n > 0)?;
        if t < anchor {
            return None;
        }
        let k = self.index_at(tz, anchor, t).max(0);
        let who = |k: i64| usize::try_from(k.rem_euclid(n)).unwrap_or(0);
        let me = who(k);
        if self.members.iter().all(|m| *m == self.members[me]) {
            return Some((me, anchor, POS));
        }
        let same = |j: i64| self.members[who(j)] == self.members[me];
        let mut lo = k;
        while lo > 0 && same(lo - 1) {
            lo -= 1;
        }
        let mut hi = k;
        while same(hi + 1) {
            hi += 1;
        }
        Some((
            me,
            self.shift_start(tz, anchor, lo),
            self.shift_start(tz, anchor, hi + 1),
        ))
    }
}

impl Active {
    /// `mon-fri 09:00-17:00`, `sat-sun 00:00-24:00`, `22:00-06:00` (days
    /// optional: every day when left out; a list like `mon,wed`).
    pub fn parse(s: &str) -> Result<Active, String> {
        use crate::intake::window::{parse_days, parse_hours};
        let mut days = [false; 7];
        let mut hours = None;
        for part in s.split_whitespace() {
            if part.bytes().next().is_some_and(|b| b.is_ascii_digit()) {
                let bad = || {
                    format!(
                        "bad active hours '{part}': write them like 09:00-17:00 (22:00-06:00 runs past midnight)"
                    )
                };
                let (a, b) = part.split_once('-').ok_or_else(bad)?;
                let (from, _) = parse_hours(&format!("{a}-24:00")).map_err(|_| bad())?;
                let (_, to) = parse_hours(&format!("00:00-{b}"))
                    .or_else(|e| if b == "00:00" { Ok((0, 0)) } else { Err(e) })
                    .map_err(|_| bad())?;
                if from == to || (from == 0 && to == 0) {
                    return Err(format!(
                        "active hours '{part}' are empty: write 00:00-24:00 for the whole day"
                    ));
                }
                hours = Some((from, to));
            } else {
                for d in part.split(',').filter(|d| !d.is_empty()) {
                    for i in parse_days(d)? {
                        days[i] = true;
                    }
                }
            }
        }
        let (from, to) = hours.ok_or_else(|| {
            format!("active = '{s}' gives no hours: write it like \"mon-fri 09:00-17:00\"")
        })?;
        if !days.contains(&true) {
            days = [true; 7];
        }
        Ok(Active { days, from, to })
    }

    fn wraps(&self) -> bool {
        self.to <= self.from
    }

    /// As config writes it.
    pub fn show(&self) -> String {
        let w = crate::intake::window::Window {
            days: self.days,
            hours: None,
            tz: Tz::Clock(crate::clock::Zone::UTC),
        };
        let hm = |m: u16| format!("{:02}:{:02}", m / 60, m % 60);
        let days = w.days_list().join(",");
        format!("{days} {}-{}", hm(self.from), hm(self.to))
            .trim()
            .to_string()
    }

    fn is_active(&self, tz: &Tz, t: i64) -> bool {
        let Some(u) = chrono::DateTime::from_timestamp(t, 0) else {
            return false;
        };
        let local = tz.at(u);
        let wd = local.weekday().num_days_from_monday() as usize;
        let min = u16::try_from(local.hour() * 60 + local.minute()).unwrap_or(0);
        if self.wraps() {
            (self.days[wd] && min >= self.from) || (self.days[(wd + 6) % 7] && min < self.to)
        } else {
            self.days[wd] && self.from <= min && min < self.to
        }
    }

    /// Whether `t` is in the window, and the span around `t` over which
    /// that holds: (active, from, until).
    pub(super) fn span(&self, tz: &Tz, t: i64) -> (bool, i64, i64) {
        let today = chrono::DateTime::from_timestamp(t, 0)
            .map(|u| tz.at(u).date_naive())
            .unwrap_or_default();
        // The instants the window may open or close, day by day: opening
        // and closing of day k, in time order (a window past midnight
        // closes on day k + 1, before it opens again). Activity is
        // constant between two of them; a week and a day either way
        // covers every weekday.
        let marks = |k: i64| -> [i64; 2] {
            let Some(d) = add_days(today, k) else {
                return [if k < 0 { NEG } else { POS }; 2];
            };
            let end_day = if self.wraps() {
                add_days(d, 1)
            } else {
                Some(d)
            };
            [
                tz.from_local(wall(d, self.from)).timestamp(),
                end_day
                    .map(|e| tz.from_local(wall(e, self.to)).timestamp())
                    .unwrap_or(POS),
            ]
        };
        let on = self.is_active(tz, t);
        let hi = (-1..=8)
            .flat_map(marks)
            .find(|&m| m > t && m != POS && self.is_active(tz, m) != on)
            .unwrap_or(POS);
        let lo = (-8..=1)
            .rev()
            .flat_map(|k| {
                let [a, b] = marks(k);
                [b, a]
            })
            .find(|&m| m <= t && m != NEG && self.is_active(tz, m - 1) != on)
            .unwrap_or(NEG);
        (on, lo, hi)
    }
}
