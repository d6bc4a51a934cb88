//! Schedules for people: the effective `[schedules.NAME]` as TOML (part of
//! `sev config show`, reads back as the same schedules) and a short
//! human summary.

use super::{Schedule, Schedules};
use std::fmt::Write;

fn q(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn hm(m: u16) -> String {
    format!("{:02}:{:02}", m / 60, m % 60)
}

impl Schedules {
    /// `[schedules.NAME]` tables that read back as these schedules.
    pub fn to_toml(&self) -> String {
        let mut out = String::new();
        for s in self.map.values() {
            let _ = writeln!(out, "\n[schedules.{}]", s.name);
            let _ = writeln!(out, "time_zone = {}", q(&s.tz.name()));
            for l in &s.layers {
                let _ = writeln!(out, "[[schedules.{}.layers]]", s.name);
                if let Some(n) = &l.name {
                    let _ = writeln!(out, "name = {}", q(n));
                }
                let members: Vec<String> = l.members.iter().map(|m| q(m)).collect();
                let _ = writeln!(out, "members = [{}]", members.join(", "));
                let _ = writeln!(out, "shift = {}", q(&l.shift.show()));
                let _ = writeln!(out, "handoff = {}", q(&hm(l.handoff)));
                let _ = writeln!(out, "start = {}", q(&l.start.to_string()));
                if let Some(a) = &l.active {
                    let _ = writeln!(out, "active = {}", q(&a.show()));
                }
            }
        }
        out
    }

    /// Every schedule's [`Schedule::describe`], or a hint when none.
    pub fn describe(&self) -> String {
        if self.map.is_empty() {
            return "no on-call schedules: add a [schedules.NAME] table to the config file\n"
                .into();
        }
        self.map.values().map(Schedule::describe).collect()
    }
}

impl Schedule {
    /// A few lines for a terminal (names sanitized):
    ///
    /// ```text
    /// primary (Europe/Berlin), 2 layers, later ones on top:
    ///   1. weekly: alice, bob; 1w shifts, handoff 09:00 from 2026-11-02
    ///   2. layer 2: carol; 1d shifts, handoff 18:00 from 2026-11-02; active sat-sun 00:00-24:00
    /// ```
    pub fn describe(&self) -> String {
        let clean = |s: &str| crate::text::sanitize_line(s).into_owned();
        let mut out = format!("{} ({})", clean(&self.name), self.tz.name());
        match self.layers.len() {
            1 => out.push_str(", 1 layer:\n"),
            n => {
                let _ = writeln!(out, ", {n} layers, later ones on top:");
            }
        }
        for (i, l) in self.layers.iter().enumerate() {
            let members: Vec<String> = l.members.iter().map(|m| clean(m)).collect();
            let _ = write!(
                out,
                "  {}. {}: {}; {} shifts, handoff {} from {}",
                i + 1,
                clean(&self.layer_label(i)),
                members.join(", "),
                l.shift.show(),
                hm(l.handoff),
                l.start
            );
            if let Some(a) = &l.active {
                let _ = write!(out, "; active {}", a.show());
            }
            out.push('\n');
        }
        out
    }
}
