//! Time zones for routing windows. `local`, `UTC` and fixed offsets
//! (`+02:00`) are [`crate::clock::Zone`]s, as everywhere in sev; a named
//! IANA zone (`Europe/Berlin`) is read from the system's time zone database
//! (`$TZDIR`, else /usr/share/zoneinfo: Debian's `tzdata` package), so
//! that a window follows daylight saving time. sev embeds no zone
//! database: a machine without tzdata can still use fixed offsets.
//!
//! The database's files are TZif (RFC 8536): transition times, the offset
//! after each, and a POSIX TZ rule (`CET-1CEST,M3.5.0,M10.5.0/3`) for
//! times after the last transition.

use crate::clock::Zone;
use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Utc};
use std::sync::Arc;

/// The zone a routing window's hours are read in.
#[derive(Debug, Clone)]
pub enum Tz {
    Clock(Zone),
    Named(Arc<Named>),
}

impl PartialEq for Tz {
    fn eq(&self, o: &Tz) -> bool {
        match (self, o) {
            (Tz::Clock(a), Tz::Clock(b)) => a == b,
            (Tz::Named(a), Tz::Named(b)) => a.name == b.name,
            _ => false,
        }
    }
}

/// A named zone's rules.
#[derive(Debug)]
pub struct Named {
    pub name: String,
    /// Transition instants (Unix seconds), ascending.
    times: Vec<i64>,
    /// The offset (seconds east of UTC) in force from each transition.
    offsets: Vec<i32>,
    /// Before the first transition.
    initial: i32,
    /// After the last transition.
    rule: Option<Posix>,
}

impl Tz {
    /// `local`, `UTC`, `+02:00` / `-0530`, or an IANA name.
    pub fn parse(s: &str) -> Result<Tz, String> {
        let t = s.trim();
        if t.eq_ignore_ascii_case("local") {
            return Ok(Tz::Clock(Zone::Local));
        }
        if t.eq_ignore_ascii_case("utc") || t == "Z" {
            return Ok(Tz::Clock(Zone::UTC));
        }
        if t.starts_with(['+', '-']) {
            let secs = parse_offset(t)
                .ok_or_else(|| format!("bad offset '{t}': write it like +02:00 or -05:30"))?;
            let o =
                FixedOffset::east_opt(secs).ok_or_else(|| format!("offset '{t}' is too large"))?;
            return Ok(Tz::Clock(Zone::Fixed(o)));
        }
        load(t).map(|n| Tz::Named(Arc::new(n)))
    }

    /// The zone as written in config.
    pub fn name(&self) -> String {
        match self {
            Tz::Clock(Zone::Local) => "local".into(),
            Tz::Clock(Zone::Fixed(o)) if o.local_minus_utc() == 0 => "UTC".into(),
            Tz::Clock(Zone::Fixed(o)) => o.to_string(),
            Tz::Named(n) => n.name.clone(),
        }
    }

    /// `t` as a wall-clock time in this zone.
    pub fn at(&self, t: DateTime<Utc>) -> DateTime<FixedOffset> {
        match self {
            Tz::Clock(z) => z.at(t),
            Tz::Named(n) => {
                let secs = n.offset_at(t.timestamp());
                let o = FixedOffset::east_opt(secs).unwrap_or(FixedOffset::east_opt(0).unwrap());
                t.with_timezone(&o)
            }
        }
    }
}

/// `+02:00`, `-0530`, `+2`: seconds east of UTC.
fn parse_offset(t: &str) -> Option<i32> {
    let (sign, rest) = match t.as_bytes().first()? {
        b'+' => (1, &t[1..]),
        b'-' => (-1, &t[1..]),
        _ => return None,
    };
    let (h, m) = match rest.split_once(':') {
        Some((h, m)) => (h, m),
        None if rest.len() == 4 => rest.split_at(2),
        None => (rest, "0"),
    };
    let ok = |s: &str| !s.is_empty() && s.len() <= 2 && s.bytes().all(|b| b.is_ascii_digit());
    if !ok(h) || !ok(m) {
        return None;
    }
    let (h, m): (i32, i32) = (h.parse().ok()?, m.parse().ok()?);
    (h <= 23 && m <= 59).then_some(sign * (h * 3600 + m * 60))
}

fn load(name: &str) -> Result<Named, String> {
    let valid = !name.is_empty()
        && name.len() <= 64
        && !name.starts_with('/')
        && name
            .split('/')
            .all(|p| !p.is_empty() && p != "." && p != "..")
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/_+-".contains(&b));
    if !valid {
        return Err(format!(
            "unknown time zone '{name}': write an IANA name (Europe/Berlin), UTC, local, or an offset (+02:00)"
        ));
    }
    let dir = std::env::var_os("TZDIR")
        .filter(|d| !d.is_empty())
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| "/usr/share/zoneinfo".into());
    let path = dir.join(name);
    let bytes = read_small(&path).map_err(|e| {
        format!(
            "unknown time zone '{name}': cannot read {} ({e}); check the name, install the time zone database (tzdata), or use an offset such as +01:00",
            path.display()
        )
    })?;
    parse_tzif(name, &bytes)
        .ok_or_else(|| format!("{} is not a time zone file (TZif)", path.display()))
}

fn read_small(path: &std::path::Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut buf = Vec::new();
    std::fs::File::open(path)?
        .take(256 * 1024)
        .read_to_end(&mut buf)?;
    Ok(buf)
}

/// Parse TZif data (versions 1 to 4). `None` when it is not TZif.
pub(crate) fn parse_tzif(name: &str, b: &[u8]) -> Option<Named> {
    let (v1, rest) = block(b, 4)?;
    let (times, types, offs, data_end) = if b.get(4).copied()? >= b'2' {
        let (v2, after) = block(rest, 8)?;
        (v2.0, v2.1, v2.2, after)
    } else {
        (v1.0, v1.1, v1.2, &[][..])
    };
    let offsets: Vec<i32> = types
        .iter()
        .map(|&t| offs.get(usize::from(t)).map(|o| o.0))
        .collect::<Option<_>>()?;
    // RFC 8536 3.2: before the first transition, local time type 0.
    let initial = offs.first()?.0;
    let rule = footer(data_end).and_then(|s| Posix::parse(&s));
    Some(Named {
        name: name.to_string(),
        times,
        offsets,
        initial,
        rule,
    })
}

/// (transition times, their type indexes, the types' (offset, is_dst))
type Data = (Vec<i64>, Vec<u8>, Vec<(i32, bool)>);

/// One header + data block with `tsize`-byte times; returns the data and
/// the bytes after it.
fn block(b: &[u8], tsize: usize) -> Option<(Data, &[u8])> {
    if b.get(..4)? != b"TZif" {
        return None;
    }
    let count = |i: usize| -> Option<usize> {
        let s = b.get(20 + 4 * i..24 + 4 * i)?;
        usize::try_from(u32::from_be_bytes(s.try_into().ok()?)).ok()
    };
    let (isut, isstd, leap, timecnt, typecnt, charcnt) = (
        count(0)?,
        count(1)?,
        count(2)?,
        count(3)?,
        count(4)?,
        count(5)?,
    );
    if typecnt == 0 || timecnt > 100_000 || typecnt > 256 {
        return None;
    }
    let mut p: usize = 44;
    let mut take = |n: usize| -> Option<&[u8]> {
        let s = b.get(p..p.checked_add(n)?)?;
        p += n;
        Some(s)
    };
    let raw_times = take(timecnt * tsize)?;
    let idx = take(timecnt)?.to_vec();
    let raw_types = take(typecnt * 6)?;
    take(charcnt)?;
    take(leap * (tsize + 4))?;
    take(isstd)?;
    take(isut)?;
    let times = raw_times
        .chunks_exact(tsize)
        .map(|c| match tsize {
            8 => i64::from_be_bytes(c.try_into().unwrap_or_default()),
            _ => i64::from(i32::from_be_bytes(c.try_into().unwrap_or_default())),
        })
        .collect();
    let types = raw_types
        .chunks_exact(6)
        .map(|c| (i32::from_be_bytes([c[0], c[1], c[2], c[3]]), c[4] != 0))
        .collect();
    Some(((times, idx, types), &b[p..]))
}

/// The footer's POSIX TZ string: `\n…\n` after the version 2+ data.
fn footer(b: &[u8]) -> Option<String> {
    let s = std::str::from_utf8(b).ok()?;
    let s = s.strip_prefix('\n')?;
    let end = s.find('\n')?;
    Some(s[..end].to_string()).filter(|s| !s.is_empty())
}

impl Named {
    /// Seconds east of UTC at Unix time `t`.
    pub fn offset_at(&self, t: i64) -> i32 {
        match self.times.partition_point(|&x| x <= t) {
            0 if !self.times.is_empty() => self.initial,
            i if i == self.times.len() => match &self.rule {
                Some(r) => r.offset_at(t),
                None => self.offsets.last().copied().unwrap_or(self.initial),
            },
            i => self.offsets[i - 1],
        }
    }

    /// A zone from a POSIX TZ rule alone (tests, zones whose file has no
    /// transitions).
    pub fn from_rule(name: &str, rule: &str) -> Option<Named> {
        let r = Posix::parse(rule)?;
        Some(Named {
            name: name.to_string(),
            times: Vec::new(),
            offsets: Vec::new(),
            initial: r.std,
            rule: Some(r),
        })
    }
}

/// A POSIX TZ rule: standard offset, and maybe a DST offset with the
/// dates it starts and ends (offsets in seconds east of UTC).
#[derive(Debug, Clone, PartialEq)]
struct Posix {
    std: i32,
    dst: Option<(i32, DateRule, i32, DateRule, i32)>,
}

/// When in a year a change happens.
#[derive(Debug, Clone, Copy, PartialEq)]
enum DateRule {
    /// `Jn`: day 1..=365, February 29 never counted.
    Julian1(u16),
    /// `n`: day 0..=365, February 29 counted.
    Julian0(u16),
    /// `Mm.w.d`: weekday d (0 = Sunday) of week w (5 = last) of month m.
    Month(u8, u8, u8),
}

struct Cursor<'a>(&'a [u8]);

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.0.first().copied()
    }
    fn eat(&mut self, c: u8) -> bool {
        let hit = self.peek() == Some(c);
        if hit {
            self.0 = &self.0[1..];
        }
        hit
    }
    fn num(&mut self) -> Option<i32> {
        let n = self.0.iter().take_while(|b| b.is_ascii_digit()).count();
        if n == 0 || n > 4 {
            return None;
        }
        let v = std::str::from_utf8(&self.0[..n]).ok()?.parse().ok()?;
        self.0 = &self.0[n..];
        Some(v)
    }
    fn name(&mut self) -> Option<()> {
        if self.eat(b'<') {
            let end = self.0.iter().position(|&b| b == b'>')?;
            self.0 = &self.0[end + 1..];
        } else {
            let n = self
                .0
                .iter()
                .take_while(|b| b.is_ascii_alphabetic())
                .count();
            if n < 3 {
                return None;
            }
            self.0 = &self.0[n..];
        }
        Some(())
    }
    /// `[+-]hh[:mm[:ss]]` in seconds.
    fn time(&mut self) -> Option<i32> {
        let sign = if self.eat(b'-') {
            -1
        } else {
            self.eat(b'+');
            1
        };
        let mut v = self.num()? * 3600;
        if self.eat(b':') {
            v += self.num()? * 60;
            if self.eat(b':') {
                v += self.num()?;
            }
        }
        Some(sign * v)
    }
    fn date(&mut self) -> Option<DateRule> {
        if self.eat(b'J') {
            let n = u16::try_from(self.num()?).ok()?;
            (1..=365).contains(&n).then_some(DateRule::Julian1(n))
        } else if self.eat(b'M') {
            let m = u8::try_from(self.num()?).ok()?;
            self.eat(b'.').then_some(())?;
            let w = u8::try_from(self.num()?).ok()?;
            self.eat(b'.').then_some(())?;
            let d = u8::try_from(self.num()?).ok()?;
            ((1..=12).contains(&m) && (1..=5).contains(&w) && d <= 6)
                .then_some(DateRule::Month(m, w, d))
        } else {
            let n = u16::try_from(self.num()?).ok()?;
            (n <= 365).then_some(DateRule::Julian0(n))
        }
    }
    /// `date[/time]`, time defaulting to 02:00.
    fn change(&mut self) -> Option<(DateRule, i32)> {
        let d = self.date()?;
        let t = if self.eat(b'/') { self.time()? } else { 7200 };
        Some((d, t))
    }
}

impl Posix {
    fn parse(s: &str) -> Option<Posix> {
        let mut c = Cursor(s.as_bytes());
        c.name()?;
        // POSIX offsets are west of UTC: CET-1 is one hour east.
        let std = -c.time()?;
        if c.peek().is_none() {
            return Some(Posix { std, dst: None });
        }
        c.name()?;
        let dst = match c.peek() {
            Some(b',') | None => std + 3600,
            _ => -c.time()?,
        };
        // No rule given: the US rule, POSIX's usual default.
        let (start, end) = if c.eat(b',') {
            let s = c.change()?;
            c.eat(b',').then_some(())?;
            (s, c.change()?)
        } else {
            (
                (DateRule::Month(3, 2, 0), 7200),
                (DateRule::Month(11, 1, 0), 7200),
            )
        };
        c.peek().is_none().then_some(())?;
        Some(Posix {
            std,
            dst: Some((dst, start.0, start.1, end.0, end.1)),
        })
    }

    fn offset_at(&self, t: i64) -> i32 {
        let Some((dst, sd, st, ed, et)) = self.dst else {
            return self.std;
        };
        let year = DateTime::from_timestamp(t + i64::from(self.std), 0)
            .map(|d| d.year())
            .unwrap_or(1970);
        // The change to DST happens at `st` local standard time, back at
        // `et` local DST time.
        let start = day_start(year, sd) + i64::from(st) - i64::from(self.std);
        let end = day_start(year, ed) + i64::from(et) - i64::from(dst);
        let in_dst = if start < end {
            start <= t && t < end
        } else {
            !(end <= t && t < start)
        };
        if in_dst { dst } else { self.std }
    }
}

/// Midnight (as if UTC) of the rule's day in `year`, in Unix seconds.
fn day_start(year: i32, r: DateRule) -> i64 {
    let jan1 = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default();
    let leap = NaiveDate::from_ymd_opt(year, 2, 29).is_some();
    let day = match r {
        DateRule::Julian1(n) => {
            let n = i64::from(n) - 1;
            if leap && n >= 59 { n + 1 } else { n }
        }
        DateRule::Julian0(n) => i64::from(n),
        DateRule::Month(m, w, d) => {
            let first = NaiveDate::from_ymd_opt(year, u32::from(m), 1).unwrap_or(jan1);
            let wd = i64::from(first.weekday().num_days_from_sunday());
            let mut dom = 1 + (i64::from(d) - wd).rem_euclid(7) + 7 * (i64::from(w) - 1);
            let len = month_len(year, m);
            while dom > len {
                dom -= 7;
            }
            (first - jan1).num_days() + dom - 1
        }
    };
    let base = jan1
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default()
        .and_utc()
        .timestamp();
    base + day * 86400
}

fn month_len(year: i32, m: u8) -> i64 {
    let (ny, nm) = if m == 12 {
        (year + 1, 1)
    } else {
        (year, u32::from(m) + 1)
    };
    let next = NaiveDate::from_ymd_opt(ny, nm, 1).unwrap_or_default();
    let this = NaiveDate::from_ymd_opt(year, u32::from(m), 1).unwrap_or_default();
    (next - this).num_days()
}

#[path = "tz_local.rs"]
mod local;

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(s: &str) -> i64 {
        DateTime::parse_from_rfc3339(s).unwrap().timestamp()
    }

    #[test]
    fn posix_rules_follow_daylight_saving() {
        let berlin = Named::from_rule("Europe/Berlin", "CET-1CEST,M3.5.0,M10.5.0/3").unwrap();
        // 2026: CEST from Sunday 29 March 01:00 UTC to Sunday 25 October 01:00 UTC.
        assert_eq!(berlin.offset_at(at("2026-03-29T00:59:59Z")), 3600);
        assert_eq!(berlin.offset_at(at("2026-03-29T01:00:00Z")), 7200);
        assert_eq!(berlin.offset_at(at("2026-10-25T00:59:59Z")), 7200);
        assert_eq!(berlin.offset_at(at("2026-10-25T01:00:00Z")), 3600);
        assert_eq!(berlin.offset_at(at("2026-12-31T23:30:00Z")), 3600);
        // Southern hemisphere: DST spans the new year.
        let sydney = Named::from_rule("Australia/Sydney", "AEST-10AEDT,M10.1.0,M4.1.0/3").unwrap();
        assert_eq!(sydney.offset_at(at("2026-01-15T00:00:00Z")), 11 * 3600);
        assert_eq!(sydney.offset_at(at("2026-07-15T00:00:00Z")), 10 * 3600);
        // US: second Sunday of March 2026 is the 8th, 2am EST = 07:00 UTC.
        let ny = Named::from_rule("America/New_York", "EST5EDT,M3.2.0,M11.1.0").unwrap();
        assert_eq!(ny.offset_at(at("2026-03-08T06:59:59Z")), -5 * 3600);
        assert_eq!(ny.offset_at(at("2026-03-08T07:00:00Z")), -4 * 3600);
        let fixed = Named::from_rule("Asia/Kolkata", "IST-5:30").unwrap();
        assert_eq!(fixed.offset_at(0), 5 * 3600 + 1800);
        let quoted = Named::from_rule("America/Sao_Paulo", "<-03>3").unwrap();
        assert_eq!(quoted.offset_at(0), -3 * 3600);
        for bad in [
            "",
            "C",
            "CET",
            "CET-1CEST,M13.1.0,M10.5.0",
            "CET-1CEST,M3.5.0",
            "X-1",
        ] {
            assert!(Posix::parse(bad).is_none(), "{bad}");
        }
    }

    /// The system's database (Debian's tzdata is on every sev machine).
    #[test]
    fn named_zones_come_from_the_system_database() {
        let tz = Tz::parse("Europe/Berlin").unwrap();
        assert_eq!(tz.name(), "Europe/Berlin");
        let winter = Utc.with_ymd_and_hms(2026, 1, 5, 8, 0, 0).unwrap();
        let summer = Utc.with_ymd_and_hms(2026, 7, 6, 8, 0, 0).unwrap();
        assert_eq!(tz.at(winter).offset().local_minus_utc(), 3600);
        assert_eq!(tz.at(summer).offset().local_minus_utc(), 7200);
        // Past the file's last transition the footer rule answers.
        let far = Utc.with_ymd_and_hms(2090, 7, 1, 0, 0, 0).unwrap();
        assert_eq!(tz.at(far).offset().local_minus_utc(), 7200);
        let old = Utc.with_ymd_and_hms(1800, 1, 1, 0, 0, 0).unwrap();
        assert_eq!(
            tz.at(old).offset().local_minus_utc(),
            3208,
            "local mean time"
        );
    }

    #[test]
    fn clock_zones_and_refusals() {
        assert_eq!(Tz::parse("UTC").unwrap(), Tz::Clock(Zone::UTC));
        assert_eq!(Tz::parse("local").unwrap(), Tz::Clock(Zone::Local));
        let t = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        for (s, secs) in [("+02:00", 7200), ("-0530", -19800), ("+9", 32400)] {
            let tz = Tz::parse(s).unwrap();
            assert_eq!(tz.at(t).offset().local_minus_utc(), secs, "{s}");
            assert_eq!(Tz::parse(&tz.name()).unwrap(), tz, "{s}");
        }
        for bad in [
            "../etc/passwd",
            "/etc/localtime",
            "Europe/../../x",
            "Mars/Olympus",
            "+25:00",
            "+1:2:3",
        ] {
            let e = Tz::parse(bad).unwrap_err();
            assert!(e.contains(bad), "{bad}: {e}");
        }
        assert!(parse_tzif("x", b"TZif2 not really").is_none());
        assert!(parse_tzif("x", b"").is_none());
    }
}
