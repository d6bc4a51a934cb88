//! Time source. Everything that reads "now" takes a [`Clock`], so tests are
//! deterministic. Storage is always UTC; the clock also carries the time
//! zone people read times in, so display takes local time from it (and
//! tests pick a zone without touching the process environment).

use chrono::{DateTime, FixedOffset, Local, NaiveDate, Offset, Utc};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// The time zone times are shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Zone {
    /// The system's (TZ, /etc/localtime).
    #[default]
    Local,
    /// A fixed offset from UTC (tests, or a configured zone).
    Fixed(FixedOffset),
}

impl Zone {
    pub const UTC: Zone = Zone::Fixed(FixedOffset::east_opt(0).unwrap());

    /// `t` as a wall-clock time in this zone.
    pub fn at(self, t: DateTime<Utc>) -> DateTime<FixedOffset> {
        match self {
            Zone::Local => t.with_timezone(&Local).fixed_offset(),
            Zone::Fixed(o) => t.with_timezone(&o.fix()),
        }
    }
}

pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;

    /// The zone people read times in.
    fn zone(&self) -> Zone {
        Zone::Local
    }

    /// `t` in the reader's zone.
    fn local_time(&self, t: DateTime<Utc>) -> DateTime<FixedOffset> {
        self.zone().at(t)
    }

    /// A stored time for people: local, minutes precision.
    fn local(&self, t: DateTime<Utc>) -> String {
        self.local_time(t).format("%Y-%m-%d %H:%M").to_string()
    }

    /// [`Clock::local`] with its zone (`UTC`, `+01:00`): for times read
    /// against another zone's, such as a schedule's handoffs.
    fn local_zoned(&self, t: DateTime<Utc>) -> String {
        let l = self.local_time(t);
        let zone = match l.offset().local_minus_utc() {
            0 => "UTC".to_string(),
            _ => l.format("%:z").to_string(),
        };
        format!("{} {zone}", l.format("%Y-%m-%d %H:%M"))
    }

    /// Today's date where the reader is (due dates, overdue).
    fn today(&self) -> NaiveDate {
        self.local_time(self.now()).date_naive()
    }
}

/// The real wall clock, in the system's time zone.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock for tests: fixed until moved; shows times in UTC unless given
/// another zone.
#[derive(Debug, Clone)]
pub struct FixedClock(Arc<AtomicI64>, Zone);

impl FixedClock {
    pub fn at(t: DateTime<Utc>) -> Self {
        FixedClock(Arc::new(AtomicI64::new(t.timestamp_micros())), Zone::UTC)
    }
    /// The same clock, showing times at `offset`.
    pub fn in_zone(mut self, offset: FixedOffset) -> Self {
        self.1 = Zone::Fixed(offset);
        self
    }
    pub fn advance(&self, d: chrono::Duration) {
        self.0
            .fetch_add(d.num_microseconds().unwrap_or(0), Ordering::SeqCst);
    }
    pub fn set(&self, t: DateTime<Utc>) {
        self.0.store(t.timestamp_micros(), Ordering::SeqCst);
    }
}

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        DateTime::from_timestamp_micros(self.0.load(Ordering::SeqCst)).unwrap_or_default()
    }
    fn zone(&self) -> Zone {
        self.1
    }
}

/// RFC 3339 UTC with second precision, the storage and JSON format.
pub fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A short human age: "45s", "12m", "3h", "5d", "2y".
pub fn age(from: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let s = (now - from).num_seconds().max(0);
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m", s / 60),
        3600..86400 => format!("{}h", s / 3600),
        86400..31_536_000 => format!("{}d", s / 86400),
        _ => format!("{}y", s / 31_536_000),
    }
}

/// A duration for measures: "1h 05m", "3d 4h", "42s".
pub fn duration(secs: i64) -> String {
    let s = secs.max(0);
    if s < 60 {
        format!("{s}s")
    } else if s < 3600 {
        format!("{}m {:02}s", s / 60, s % 60)
    } else if s < 86400 {
        format!("{}h {:02}m", s / 3600, (s % 3600) / 60)
    } else {
        format!("{}d {}h", s / 86400, (s % 86400) / 3600)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn fixed_clock_moves_only_when_told() {
        let t = Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap();
        let c = FixedClock::at(t);
        assert_eq!(c.now(), t);
        c.advance(chrono::Duration::minutes(5));
        assert_eq!(rfc3339(c.now()), "2026-01-02T03:09:05Z");
    }

    /// Issue 10 design 7: the zone comes from the clock, not from TZ.
    #[test]
    fn the_clock_carries_the_time_zone() {
        let t = Utc.with_ymd_and_hms(2026, 1, 1, 23, 30, 0).unwrap();
        let utc = FixedClock::at(t);
        assert_eq!(utc.local(t), "2026-01-01 23:30");
        assert_eq!(utc.today().to_string(), "2026-01-01");
        let tokyo = FixedClock::at(t).in_zone(FixedOffset::east_opt(9 * 3600).unwrap());
        assert_eq!(tokyo.local(t), "2026-01-02 08:30");
        assert_eq!(tokyo.today().to_string(), "2026-01-02");
        let shared: &dyn Clock = &tokyo;
        assert_eq!(shared.local_time(t).offset().local_minus_utc(), 9 * 3600);
    }

    #[test]
    fn ages_and_durations() {
        let t = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        assert_eq!(age(t, t + chrono::Duration::seconds(59)), "59s");
        assert_eq!(age(t, t + chrono::Duration::hours(3)), "3h");
        assert_eq!(age(t, t + chrono::Duration::days(400)), "1y");
        assert_eq!(duration(3900), "1h 05m");
        assert_eq!(duration(90061), "1d 1h");
    }
}
