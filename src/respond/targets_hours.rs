//! Business time: counting only the business hours of [`Hours`] (its
//! weekdays and hours, not its holidays) in its time zone. Day by day: each
//! business day is one interval, its ends turned into instants with the
//! offset in force at that local time, so a day next to a DST change is
//! exactly as long as it is on the wall clock.

use crate::calendar::Hours;
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, Utc};

/// How far a walk looks before it gives up (a calendar with nearly no
/// business time): ten years of days.
const MAX_DAYS: i64 = 3660;

/// The instant a local wall-clock time names. A time that does not exist
/// (skipped by a spring-forward change) is read with the offset before the
/// change; one that exists twice, the later of the two.
fn to_utc(h: &Hours, local: NaiveDateTime) -> DateTime<Utc> {
    let naive = local.and_utc();
    let off =
        |t: DateTime<Utc>| Duration::seconds(i64::from(h.tz.at(t).offset().local_minus_utc()));
    let o = off(naive);
    let u = naive - o;
    let o2 = off(u);
    if o2 != o {
        let u2 = naive - o2;
        if off(u2) == o2 {
            return u2;
        }
    }
    u
}

/// The business interval of local day `d`, if it has one.
fn interval(h: &Hours, d: NaiveDate) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let day = d.weekday().num_days_from_monday() as usize;
    let (bs, be) = h.business;
    if !h.days[day] || h.holidays.contains(&d) || bs >= be {
        return None;
    }
    let midnight = d.and_hms_opt(0, 0, 0)?;
    let start = midnight + Duration::minutes(i64::from(bs));
    // 24:00 is the next day's midnight.
    let end = midnight + Duration::minutes(i64::from(be));
    Some((to_utc(h, start), to_utc(h, end)))
}

/// The local date `t` falls on.
fn local_date(h: &Hours, t: DateTime<Utc>) -> NaiveDate {
    h.tz.at(t).date_naive()
}

/// The instant when `amount` of business time has passed since `start`.
/// Ends inside a business interval (a target that fits today exactly ends
/// at today's closing time, not at tomorrow's opening).
pub fn add(h: &Hours, start: DateTime<Utc>, amount: Duration) -> DateTime<Utc> {
    let mut left = amount;
    if left <= Duration::zero() {
        return start;
    }
    let first = local_date(h, start);
    for n in 0..MAX_DAYS {
        let d = first + Duration::days(n);
        let Some((s, e)) = interval(h, d) else {
            continue;
        };
        let s = s.max(start);
        if e <= s {
            continue;
        }
        if left <= e - s {
            return s + left;
        }
        left -= e - s;
    }
    // Never reached in a calendar with any business time: far away.
    start + Duration::days(MAX_DAYS)
}

/// Business time in `[a, b)`.
pub fn between(h: &Hours, a: DateTime<Utc>, b: DateTime<Utc>) -> Duration {
    let mut sum = Duration::zero();
    if b <= a {
        return sum;
    }
    let (first, last) = (local_date(h, a), local_date(h, b));
    let days = (last - first).num_days().clamp(0, MAX_DAYS);
    for n in 0..=days {
        let d = first + Duration::days(n);
        let Some((s, e)) = interval(h, d) else {
            continue;
        };
        let (s, e) = (s.max(a), e.min(b));
        if e > s {
            sum += e - s;
        }
    }
    sum
}
