//! On-call schedules as config-as-code: layered rotations in a time zone,
//! with overrides (stored by the store, passed in here) on top.
//!
//! ```toml
//! [schedules.primary]
//! time_zone = "Europe/Berlin"          # default: UTC
//! [[schedules.primary.layers]]
//! name = "weekly"                       # optional
//! members = ["alice", "bob"]
//! shift = "1w"                          # 8h, 12h, 1d, 1w, 12h30m
//! handoff = "09:00"                     # local wall-clock time of each handoff
//! start = "2026-11-02"                  # local date of the first handoff
//! [[schedules.primary.layers]]
//! members = ["carol"]
//! shift = "1d"
//! handoff = "18:00"
//! start = "2026-11-02"
//! active = "sat-sun 00:00-24:00"        # outside it, lower layers apply
//! ```
//!
//! Who is on call at an instant: the latest-created override covering it;
//! else the highest (last-listed) layer that has started and is active;
//! else nobody. The math is pure: the time is passed in, and the shift
//! holding an instant is computed, not found by walking from the start.
//! See [`layer`] for how whole-day and shorter shifts count across DST.

pub mod config_file;
mod ics;
pub mod layer;
mod show;

use crate::intake::tz::Tz;
use chrono::{DateTime, Utc};
pub use layer::{Active, Layer, ShiftLen};
use layer::{NEG, POS};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Every schedule in config, by name.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Schedules {
    pub map: BTreeMap<String, Schedule>,
}

impl Schedules {
    pub fn get(&self, name: &str) -> Option<&Schedule> {
        self.map.get(name)
    }
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.map.keys().map(String::as_str)
    }
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

/// One schedule: its layers, lowest first.
#[derive(Debug, Clone, PartialEq)]
pub struct Schedule {
    pub name: String,
    pub tz: Tz,
    pub layers: Vec<Layer>,
}

/// A stretch of time one person is on call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Shift {
    pub user: String,
    pub from: DateTime<Utc>,
    /// [`Schedule::END_OF_TIME`] when nothing ever ends it (a one-person
    /// layer with nothing above).
    pub until: DateTime<Utc>,
    /// The layer's name (`layer N` when it has none); `None` for an
    /// override.
    pub layer: Option<String>,
    pub by_override: bool,
}

/// Someone standing in for the rotation (stored in the database).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Override {
    pub id: i64,
    pub schedule: String,
    pub user: String,
    pub from: DateTime<Utc>,
    pub until: DateTime<Utc>,
    pub created_by: String,
}

/// Who holds a segment: a user from a layer (by index) or from an override.
#[derive(Debug, Clone, PartialEq)]
struct Who {
    user: String,
    layer: Option<usize>,
}

/// An interval on which the answer is constant (maybe not maximal).
struct Seg {
    who: Option<Who>,
    lo: i64,
    hi: i64,
}

/// An override in seconds, for this schedule.
struct Ov<'a> {
    id: i64,
    user: &'a str,
    from: i64,
    until: i64,
}

/// How many constant segments one merged shift may span before it is cut
/// (a guard against absurd configs, far above any real one).
const MAX_STEPS: usize = 10_000;

/// The most shifts [`Schedule::shifts`] returns (13 years of daily
/// shifts): an absurd range cannot make an export run for minutes.
pub const MAX_SHIFTS: usize = 5_000;

/// Instants are read within 1900-01-01 .. [`Schedule::END_OF_TIME`]: far
/// outside, local-time arithmetic would overflow.
fn secs(t: DateTime<Utc>) -> i64 {
    const MIN: i64 = -2_208_988_800; // 1900-01-01T00:00:00Z
    t.timestamp().clamp(MIN, Schedule::END_OF_TIME.timestamp())
}

fn dt(t: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(t, 0).unwrap_or(Schedule::END_OF_TIME)
}

impl Schedule {
    /// The `until` of a shift that never ends.
    pub const END_OF_TIME: DateTime<Utc> = DateTime::<Utc>::from_naive_utc_and_offset(
        chrono::NaiveDate::from_ymd_opt(9999, 12, 31)
            .unwrap()
            .and_hms_opt(23, 59, 59)
            .unwrap(),
        Utc,
    );

    /// The layer's label: its name, or `layer N` (1-based).
    pub fn layer_label(&self, i: usize) -> String {
        self.layers
            .get(i)
            .and_then(|l| l.name.clone())
            .unwrap_or_else(|| format!("layer {}", i + 1))
    }

    fn ovs<'a>(&self, overrides: &'a [Override]) -> Vec<Ov<'a>> {
        overrides
            .iter()
            .filter(|o| o.schedule == self.name)
            .map(|o| Ov {
                id: o.id,
                user: &o.user,
                from: secs(o.from),
                until: secs(o.until),
            })
            .filter(|o| o.from < o.until)
            .collect()
    }

    /// The answer at `t` and an interval around it where it holds.
    fn seg(&self, t: i64, ovs: &[Ov<'_>]) -> Seg {
        let (mut lo, mut hi) = (NEG, POS);
        for o in ovs {
            for b in [o.from, o.until] {
                if b <= t {
                    lo = lo.max(b);
                } else {
                    hi = hi.min(b);
                }
            }
        }
        // A later-created override (higher id) wins where they overlap.
        if let Some(o) = ovs
            .iter()
            .filter(|o| o.from <= t && t < o.until)
            .max_by_key(|o| o.id)
        {
            let who = Who {
                user: o.user.to_string(),
                layer: None,
            };
            return Seg {
                who: Some(who),
                lo,
                hi,
            };
        }
        for (i, l) in self.layers.iter().enumerate().rev() {
            let anchor = l.anchor(&self.tz);
            let started = t >= anchor;
            if started {
                lo = lo.max(anchor);
            } else {
                hi = hi.min(anchor);
            }
            let active = match &l.active {
                None => true,
                Some(w) => {
                    let (on, a, b) = w.span(&self.tz, t);
                    lo = lo.max(a);
                    hi = hi.min(b);
                    on
                }
            };
            if !(started && active) {
                continue;
            }
            if let Some((m, a, b)) = l.run_at(&self.tz, t) {
                lo = lo.max(a);
                hi = hi.min(b);
                let who = Who {
                    user: l.members[m].clone(),
                    layer: Some(i),
                };
                return Seg {
                    who: Some(who),
                    lo,
                    hi,
                };
            }
        }
        Seg { who: None, lo, hi }
    }

    /// The whole run of one holder around `t`: neighbouring segments with
    /// the same user from the same layer (or overrides) are joined.
    fn run(&self, t: i64, ovs: &[Ov<'_>]) -> Option<(Who, i64, i64)> {
        let s = self.seg(t, ovs);
        let who = s.who?;
        let (mut lo, mut hi) = (s.lo, s.hi);
        let mut steps = 0;
        while lo > NEG && steps < MAX_STEPS {
            let p = self.seg(lo - 1, ovs);
            if p.who.as_ref() != Some(&who) {
                break;
            }
            lo = p.lo;
            steps += 1;
        }
        while hi < POS && steps < 2 * MAX_STEPS {
            let n = self.seg(hi, ovs);
            if n.who.as_ref() != Some(&who) {
                break;
            }
            hi = n.hi;
            steps += 1;
        }
        Some((who, lo, hi))
    }

    fn shift(&self, (who, lo, hi): (Who, i64, i64)) -> Shift {
        Shift {
            user: who.user,
            from: dt(lo),
            until: if hi == POS {
                Schedule::END_OF_TIME
            } else {
                dt(hi)
            },
            layer: who.layer.map(|i| self.layer_label(i)),
            by_override: who.layer.is_none(),
        }
    }

    /// Who is on call at `at`: their current continuous shift (ended by a
    /// change of person, of layer, or an override), or `None`. Times
    /// before 1900 or after [`Schedule::END_OF_TIME`] are read as those
    /// bounds.
    pub fn on_call(&self, at: DateTime<Utc>, overrides: &[Override]) -> Option<Shift> {
        let ovs = self.ovs(overrides);
        self.run(secs(at), &ovs).map(|r| self.shift(r))
    }

    /// The shift after the one holding `at` (or the first one after `at`
    /// when nobody is on call); `None` when nothing ever follows.
    pub fn next(&self, at: DateTime<Utc>, overrides: &[Override]) -> Option<Shift> {
        let ovs = self.ovs(overrides);
        let t = secs(at);
        let mut t = match self.run(t, &ovs) {
            Some((_, _, hi)) => hi,
            None => self.seg(t, &ovs).hi,
        };
        for _ in 0..MAX_STEPS {
            if t == POS {
                return None;
            }
            let s = self.seg(t, &ovs);
            if s.who.is_some() {
                return self.run(t, &ovs).map(|r| self.shift(r));
            }
            t = s.hi;
        }
        None
    }

    /// Every shift overlapping `[from, until)`, in order, whole (the first
    /// may start before `from`, the last end after `until`); at most
    /// [`MAX_SHIFTS`] of them.
    pub fn shifts(
        &self,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
        overrides: &[Override],
    ) -> Vec<Shift> {
        let ovs = self.ovs(overrides);
        let (mut t, end) = (secs(from), secs(until));
        let mut out = Vec::new();
        let mut steps = 0;
        while t < end && t != POS && steps < 10 * MAX_STEPS && out.len() < MAX_SHIFTS {
            steps += 1;
            let s = self.seg(t, &ovs);
            if s.who.is_none() {
                t = s.hi;
                continue;
            }
            let Some(r) = self.run(t, &ovs) else { break };
            t = r.2;
            out.push(self.shift(r));
        }
        out
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_config;
