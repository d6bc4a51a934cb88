//! `[paging]`, `[escalation.NAME]`, `[services.NAME]` and `[updates]` as
//! written, located, so a mistake is reported at its line and column.

use super::config::{Paging, Policy, Step, Target};
use crate::config::ConfigError;
use crate::domain::Severity;
use crate::intake::config_file::parse_duration;
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PagingFile {
    default_escalation: Option<Spanned<String>>,
    severities: Option<Vec<Spanned<String>>>,
    give_up: Option<Spanned<String>>,
    update_channels: Option<Vec<Spanned<String>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyFile {
    repeat: Option<Spanned<i64>>,
    repeat_after: Option<Spanned<String>>,
    steps: Spanned<Vec<StepFile>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepFile {
    delay: Option<Spanned<String>>,
    targets: Spanned<Vec<Spanned<String>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceFile {
    escalation: Option<Spanned<String>>,
    stakeholders: Option<Vec<Spanned<String>>>,
}

/// The sections of one file that paging reads.
pub struct Sections<'a> {
    pub paging: Option<&'a PagingFile>,
    pub escalation: Option<&'a BTreeMap<Spanned<String>, PolicyFile>>,
    pub services: Option<&'a BTreeMap<Spanned<String>, ServiceFile>>,
    pub updates: Option<&'a BTreeMap<Spanned<String>, Spanned<String>>>,
}

/// Names the paging sections may refer to (from this layer and earlier).
pub struct Known {
    pub schedules: Vec<String>,
    pub channels: Vec<String>,
}

type Cx<'a> = crate::config::ConfigText<'a>;

fn duration(
    cx: &Cx<'_>,
    s: &Spanned<String>,
    what: &str,
) -> Result<std::time::Duration, ConfigError> {
    parse_duration(s.get_ref()).map_err(|e| cx.err(s, format!("{what}: {e}")))
}

fn severity(cx: &Cx<'_>, s: &Spanned<String>) -> Result<Severity, ConfigError> {
    s.get_ref()
        .parse::<Severity>()
        .map_err(|e| cx.err(s, e.to_string()))
}

pub fn apply(
    s: Sections<'_>,
    p: &mut Paging,
    known: &Known,
    text: &str,
    name: &str,
) -> Result<(), ConfigError> {
    let cx = Cx { text, name };
    for (n, f) in s.escalation.into_iter().flatten() {
        let name = n.get_ref().trim();
        if name.is_empty() {
            return Err(cx.err(n, "an escalation policy needs a name: [escalation.primary]"));
        }
        let mut steps = Vec::new();
        for st in f.steps.get_ref() {
            let delay = match &st.delay {
                Some(d) => duration(&cx, d, "delay")?,
                None => std::time::Duration::ZERO,
            };
            let mut targets = Vec::new();
            for t in st.targets.get_ref() {
                let target = Target::parse(t.get_ref()).map_err(|e| cx.err(t, e))?;
                if let Target::Schedule(n) = &target
                    && !known.schedules.contains(n)
                {
                    return Err(cx.err(
                        t,
                        format!("no schedule named '{n}': define [schedules.{n}] (see README: on-call schedules)"),
                    ));
                }
                targets.push(target);
            }
            if targets.is_empty() {
                return Err(cx.err(
                    &st.targets,
                    "a step pages nobody: give targets = [\"schedule:NAME\"] or [\"user:NAME\"]",
                ));
            }
            steps.push(Step { delay, targets });
        }
        if steps.is_empty() {
            return Err(cx.err(
                &f.steps,
                "an escalation policy needs at least one step: [[escalation.NAME.steps]]",
            ));
        }
        let repeat = match &f.repeat {
            Some(r) if !(0..=10).contains(r.get_ref()) => {
                return Err(cx.err(r, "repeat is how many more rounds: 0 to 10"));
            }
            Some(r) => *r.get_ref() as u32,
            None => 0,
        };
        let repeat_after = match &f.repeat_after {
            Some(d) => duration(&cx, d, "repeat_after")?,
            None => std::time::Duration::from_secs(300),
        };
        p.policies.insert(
            name.to_string(),
            Policy {
                name: name.to_string(),
                steps,
                repeat,
                repeat_after,
            },
        );
    }
    let channel = |c: &Spanned<String>| -> Result<String, ConfigError> {
        let n = c.get_ref().trim();
        if known.channels.iter().any(|k| k == n) {
            Ok(n.to_string())
        } else {
            Err(cx.err(
                c,
                if known.channels.is_empty() {
                    format!(
                        "no channel named '{n}': define [channels.{n}] (see README: notifications)"
                    )
                } else {
                    format!(
                        "no channel named '{n}': the channels are {}",
                        known.channels.join(", ")
                    )
                },
            ))
        }
    };
    if let Some(f) = s.paging {
        if let Some(d) = &f.default_escalation {
            p.default_escalation = Some(d.get_ref().trim().to_string());
        }
        if let Some(list) = &f.severities {
            p.severities = list
                .iter()
                .map(|s| severity(&cx, s))
                .collect::<Result<_, _>>()?;
        }
        if let Some(g) = &f.give_up {
            let d = duration(&cx, g, "give_up")?;
            if d.as_secs() < 60 {
                return Err(cx.err(
                    g,
                    "give_up under a minute leaves no time to retry: 1h is usual",
                ));
            }
            p.give_up = d;
        }
        if let Some(c) = &f.update_channels {
            p.update_channels = c.iter().map(channel).collect::<Result<_, _>>()?;
        }
    }
    for (n, f) in s.services.into_iter().flatten() {
        let svc = p
            .services
            .entry(n.get_ref().trim().to_string())
            .or_default();
        if let Some(e) = &f.escalation {
            svc.escalation = Some(e.get_ref().trim().to_string());
        }
        if let Some(c) = &f.stakeholders {
            svc.stakeholders = c.iter().map(channel).collect::<Result<_, _>>()?;
        }
    }
    for (k, v) in s.updates.into_iter().flatten() {
        let sev = severity(&cx, k)?;
        let d = duration(&cx, v, "update cadence")?;
        if d.is_zero() {
            p.cadence.remove(&sev);
        } else {
            p.cadence.insert(sev, d);
        }
    }
    check_policies(&s, p, &cx)
}

/// Every policy named exists (in this file or an earlier layer).
fn check_policies(s: &Sections<'_>, p: &Paging, cx: &Cx<'_>) -> Result<(), ConfigError> {
    let known = |n: &Spanned<String>| -> Result<(), ConfigError> {
        let name = n.get_ref().trim();
        if p.policies.contains_key(name) {
            return Ok(());
        }
        let have: Vec<&str> = p.policies.keys().map(String::as_str).collect();
        Err(cx.err(
            n,
            if have.is_empty() {
                format!(
                    "no escalation policy named '{name}': define [escalation.{name}] with its steps"
                )
            } else {
                format!(
                    "no escalation policy named '{name}': the policies are {}",
                    have.join(", ")
                )
            },
        ))
    };
    if let Some(d) = s.paging.and_then(|f| f.default_escalation.as_ref()) {
        known(d)?;
    }
    for f in s.services.into_iter().flatten().map(|(_, f)| f) {
        if let Some(e) = &f.escalation {
            known(e)?;
        }
    }
    Ok(())
}

/// The paging sections as `sev config show` prints them (they read back
/// the same).
pub fn render(p: &Paging) -> String {
    use crate::intake::config_file::show_duration;
    use std::fmt::Write;
    let q = |s: &str| toml::Value::String(s.to_string()).to_string();
    let list = |v: &mut dyn Iterator<Item = String>| {
        format!("[{}]", v.map(|s| q(&s)).collect::<Vec<_>>().join(", "))
    };
    let mut out = String::new();
    let _ = writeln!(out, "\n[paging]");
    if let Some(d) = &p.default_escalation {
        let _ = writeln!(out, "default_escalation = {}", q(d));
    }
    let sevs = &mut p.severities.iter().map(|s| s.to_string());
    let _ = writeln!(out, "severities = {}", list(sevs));
    let _ = writeln!(out, "give_up = {}", q(&show_duration(p.give_up)));
    let chans = &mut p.update_channels.iter().cloned();
    let _ = writeln!(out, "update_channels = {}", list(chans));
    let _ = writeln!(out, "\n[updates]");
    for s in crate::domain::Severity::ALL {
        let d = p.cadence.get(s).copied().unwrap_or_default();
        let _ = writeln!(out, "{s} = {}", q(&show_duration(d)));
    }
    for (name, pol) in &p.policies {
        let _ = writeln!(out, "\n[escalation.{}]", q(name));
        let _ = writeln!(out, "repeat = {}", pol.repeat);
        let _ = writeln!(
            out,
            "repeat_after = {}",
            q(&show_duration(pol.repeat_after))
        );
        for st in &pol.steps {
            let _ = writeln!(out, "[[escalation.{}.steps]]", q(name));
            let _ = writeln!(out, "delay = {}", q(&show_duration(st.delay)));
            let t = &mut st.targets.iter().map(Target::show);
            let _ = writeln!(out, "targets = {}", list(t));
        }
    }
    for (name, svc) in &p.services {
        let _ = writeln!(out, "\n[services.{}]", q(name));
        if let Some(e) = &svc.escalation {
            let _ = writeln!(out, "escalation = {}", q(e));
        }
        let st = &mut svc.stakeholders.iter().cloned();
        let _ = writeln!(out, "stakeholders = {}", list(st));
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::config::Config;

    const TEXT: &str = r#"
[schedules.primary]
[[schedules.primary.layers]]
members = ["alice", "bob"]
shift = "1w"
handoff = "09:00"
start = "2026-11-02"
[channels.hook]
type = "webhook"
url = "http://127.0.0.1:9/hook"
[paging]
default_escalation = "pay"
severities = ["SEV1", "SEV2"]
give_up = "2h"
update_channels = ["hook"]
[updates]
SEV1 = "15m"
SEV2 = "0"
[escalation.pay]
repeat = 2
repeat_after = "10m"
[[escalation.pay.steps]]
targets = ["schedule:primary"]
[[escalation.pay.steps]]
delay = "5m"
targets = ["user:dana", "schedule:primary"]
[services."check out"]
escalation = "pay"
stakeholders = ["hook"]
"#;

    #[test]
    fn config_show_prints_paging_that_reads_back_the_same() {
        let mut c = Config::builtin();
        c.layer_str(TEXT, "a.toml").unwrap();
        let shown = c.to_toml();
        let mut again = Config::builtin();
        again.layer_str(&shown, "shown.toml").unwrap();
        assert_eq!(again.paging, c.paging, "{shown}");
        assert!(c.paging.cadence(crate::domain::Severity::Sev2).is_none());
    }

    #[test]
    fn paging_mistakes_name_their_place() {
        let bad = [
            (
                "[escalation.p]\nsteps = []",
                "a.toml:2:9",
                "at least one step",
            ),
            (
                "[escalation.p]\n[[escalation.p.steps]]\ntargets = [\"team:x\"]",
                "a.toml:3:12",
                "not user:NAME or schedule:NAME",
            ),
            (
                "[escalation.p]\n[[escalation.p.steps]]\ntargets = [\"schedule:nope\"]",
                "a.toml:3:12",
                "no schedule named 'nope'",
            ),
            (
                "[services.x]\nescalation = \"nope\"",
                "a.toml:2:14",
                "no escalation policy named 'nope'",
            ),
            (
                "[services.x]\nstakeholders = [\"nope\"]",
                "a.toml:2:17",
                "no channel named 'nope'",
            ),
            ("[updates]\nSEV9 = \"1h\"", "a.toml:2:1", "SEV9"),
            (
                "[paging]\ngive_up = \"10s\"",
                "a.toml:2:11",
                "under a minute",
            ),
            (
                "[escalation.p]\nrepeat = 99\n[[escalation.p.steps]]\ntargets = [\"user:a\"]",
                "a.toml:2:10",
                "0 to 10",
            ),
        ];
        for (text, at, says) in bad {
            let mut c = Config::builtin();
            let e = c.layer_str(text, "a.toml").unwrap_err().to_string();
            assert!(e.starts_with(at) && e.contains(says), "{text}: {e}");
        }
    }
}
