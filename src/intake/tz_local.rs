//! Wall-clock time → instant: the reverse of [`Tz::at`], for schedules
//! that hand off "at 09:00 local".
//!
//! A wall time can have no instant (the spring-forward gap: 02:30 on the
//! day Berlin skips from 02:00 to 03:00) or two (the fall-back overlap:
//! 02:30 happens twice). A time in a gap moves forward to the first valid
//! instant — the end of the gap (02:30 → 03:00 CEST); an ambiguous time
//! takes the first, earlier instant (02:30 CEST, not 02:30 CET).

use super::Tz;
use crate::clock::Zone;
use chrono::{DateTime, NaiveDateTime, Offset, TimeZone, Utc};

impl Tz {
    /// The instant a wall-clock time in this zone names (see the module
    /// documentation for gaps and overlaps).
    pub fn from_local(&self, local: NaiveDateTime) -> DateTime<Utc> {
        let l = local.and_utc().timestamp();
        let secs = match self {
            Tz::Clock(Zone::Fixed(o)) => l - i64::from(o.local_minus_utc()),
            Tz::Clock(Zone::Local) => resolve(l, |t| {
                chrono::Local
                    .timestamp_opt(t, 0)
                    .single()
                    .map(|d| d.offset().fix().local_minus_utc())
                    .unwrap_or(0)
            }),
            Tz::Named(n) => resolve(l, |t| n.offset_at(t)),
        };
        DateTime::from_timestamp(secs, local.and_utc().timestamp_subsec_nanos())
            .unwrap_or_else(|| local.and_utc())
    }
}

/// The earliest instant `u` with `u + off(u) == l`, or, when there is
/// none (a gap), the first instant whose wall time is at or after `l`.
fn resolve(l: i64, off: impl Fn(i64) -> i32) -> i64 {
    // The offsets in force a day either side of `l` (and at `l`): no zone
    // changes twice within a day, so the answer uses one of them.
    let mut offs = vec![off(l - 86400), off(l), off(l + 86400)];
    offs.sort_unstable();
    offs.dedup();
    let valid = offs
        .iter()
        .map(|&o| l - i64::from(o))
        .filter(|&u| l - u == i64::from(off(u)))
        .min();
    if let Some(u) = valid {
        return u;
    }
    // A gap: wall time jumps over `l` at a transition between these
    // bounds; find the first instant past it.
    let (min, max) = (
        i64::from(*offs.first().unwrap_or(&0)),
        i64::from(*offs.last().unwrap_or(&0)),
    );
    let (mut lo, mut hi) = (l - max, l - min);
    if hi + i64::from(off(hi)) < l {
        return hi;
    }
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if mid + i64::from(off(mid)) >= l {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    lo
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn wall(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, mo, d)
            .unwrap()
            .and_hms_opt(h, mi, 0)
            .unwrap()
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    #[test]
    fn ordinary_times_round_trip() {
        let tz = Tz::parse("Europe/Berlin").unwrap();
        assert_eq!(
            tz.from_local(wall(2026, 1, 5, 9, 0)),
            utc("2026-01-05T08:00:00Z")
        );
        assert_eq!(
            tz.from_local(wall(2026, 7, 6, 9, 0)),
            utc("2026-07-06T07:00:00Z")
        );
        // Just around both changes, every valid wall time round-trips.
        for day in [(3, 29), (10, 25)] {
            for m in (0..24 * 60).step_by(15) {
                let w = wall(2026, day.0, day.1, m / 60, m % 60);
                let u = tz.from_local(w);
                if tz.at(u).naive_local() == w {
                    continue;
                }
                // Only the skipped hour fails to round-trip.
                assert_eq!((day, m / 60), ((3, 29), 2), "{w}");
            }
        }
    }

    #[test]
    fn a_time_in_the_spring_gap_moves_to_the_end_of_the_gap() {
        let tz = Tz::parse("Europe/Berlin").unwrap();
        // 2026-03-29: 02:00 CET jumps to 03:00 CEST (01:00 UTC).
        for m in [0, 1, 30, 59] {
            assert_eq!(
                tz.from_local(wall(2026, 3, 29, 2, m)),
                utc("2026-03-29T01:00:00Z"),
                "02:{m:02}"
            );
        }
        assert_eq!(
            tz.from_local(wall(2026, 3, 29, 1, 59)),
            utc("2026-03-29T00:59:00Z")
        );
        assert_eq!(
            tz.from_local(wall(2026, 3, 29, 3, 0)),
            utc("2026-03-29T01:00:00Z")
        );
        // The same from a POSIX rule alone (no transition table).
        let rule = Tz::Named(std::sync::Arc::new(
            super::super::Named::from_rule("X", "CET-1CEST,M3.5.0,M10.5.0/3").unwrap(),
        ));
        assert_eq!(
            rule.from_local(wall(2026, 3, 29, 2, 30)),
            utc("2026-03-29T01:00:00Z")
        );
    }

    #[test]
    fn an_ambiguous_fall_back_time_takes_the_earlier_instant() {
        let tz = Tz::parse("Europe/Berlin").unwrap();
        // 2026-10-25: 03:00 CEST falls back to 02:00 CET (01:00 UTC);
        // 02:30 happens at 00:30 UTC (CEST) and again at 01:30 UTC (CET).
        assert_eq!(
            tz.from_local(wall(2026, 10, 25, 2, 30)),
            utc("2026-10-25T00:30:00Z")
        );
        assert_eq!(
            tz.from_local(wall(2026, 10, 25, 2, 0)),
            utc("2026-10-25T00:00:00Z")
        );
        assert_eq!(
            tz.from_local(wall(2026, 10, 25, 3, 0)),
            utc("2026-10-25T02:00:00Z")
        );
        // New York, the other hemisphere's rule shape, both ways.
        let ny = Tz::parse("America/New_York").unwrap();
        assert_eq!(
            ny.from_local(wall(2026, 3, 8, 2, 30)),
            utc("2026-03-08T07:00:00Z")
        );
        assert_eq!(
            ny.from_local(wall(2026, 11, 1, 1, 30)),
            utc("2026-11-01T05:30:00Z")
        );
    }

    #[test]
    fn fixed_offsets_and_utc() {
        let tz = Tz::parse("+05:30").unwrap();
        assert_eq!(
            tz.from_local(wall(2026, 1, 1, 5, 30)),
            utc("2026-01-01T00:00:00Z")
        );
        let tz = Tz::parse("UTC").unwrap();
        assert_eq!(
            tz.from_local(wall(2026, 1, 1, 5, 30)),
            utc("2026-01-01T05:30:00Z")
        );
    }
}
