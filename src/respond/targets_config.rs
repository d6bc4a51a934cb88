//! `[response]` in a config file: a target per priority.
//!
//! ```toml
//! [response.P1]
//! acknowledge = "5m"
//! resolve = "4h"
//! [response.P3]
//! acknowledge = "4h"
//! resolve = "24h"
//! business_hours = true   # count only the business hours of [hours]
//! ```
//!
//! Each key overrides the layer below it on its own (a file may set only
//! `resolve` for P2); `"off"` removes a target. Every mistake is located.

use super::targets::{Target, Targets};
use crate::config::ConfigError;
use crate::domain::Priority;
use crate::intake::config_file::{parse_duration, show_duration};
use chrono::Duration;
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

/// `[response]`: priority → its targets.
pub type ResponseFile = BTreeMap<Spanned<String>, TargetFile>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetFile {
    acknowledge: Option<Spanned<String>>,
    resolve: Option<Spanned<String>>,
    business_hours: Option<bool>,
}

fn err<T>(text: &str, name: &str, s: &Spanned<T>, message: String) -> ConfigError {
    crate::config::ConfigText { text, name }.err(s, message)
}

/// `"off"` (or `"none"`): no target; else a duration over zero.
fn target(
    s: &Spanned<String>,
    key: &str,
    text: &str,
    name: &str,
) -> Result<Option<Duration>, ConfigError> {
    let v = s.get_ref().trim();
    if v.eq_ignore_ascii_case("off") || v.eq_ignore_ascii_case("none") {
        return Ok(None);
    }
    let d = parse_duration(v).map_err(|e| err(text, name, s, format!("{key}: {e}")))?;
    if d.is_zero() {
        return Err(err(
            text,
            name,
            s,
            format!(
                "{key} = \"0\" is breached at once: give a time like \"15m\", or \"off\" for no target"
            ),
        ));
    }
    Ok(Some(Duration::seconds(d.as_secs() as i64)))
}

/// Lay one file's `[response]` over `t`.
pub fn apply(f: &ResponseFile, t: &mut Targets, text: &str, name: &str) -> Result<(), ConfigError> {
    for (k, v) in f {
        let p = k
            .get_ref()
            .parse::<Priority>()
            .map_err(|e| err(text, name, k, format!("[response.{}]: {e}", k.get_ref())))?;
        let slot: &mut Target = t.get_mut(p);
        if let Some(s) = &v.acknowledge {
            slot.acknowledge = target(s, "acknowledge", text, name)?;
        }
        if let Some(s) = &v.resolve {
            slot.resolve = target(s, "resolve", text, name)?;
        }
        if let Some(b) = v.business_hours {
            slot.business_hours = b;
        }
    }
    Ok(())
}

/// The effective targets as TOML, for `sev config show`.
pub fn render(t: &Targets) -> String {
    use std::fmt::Write;
    let show = |d: Option<Duration>| match d {
        Some(d) => show_duration(d.to_std().unwrap_or_default()),
        None => "off".into(),
    };
    let mut out = String::new();
    for p in Priority::ALL {
        let x = t.get(*p);
        let _ = writeln!(out, "\n[response.{p}]");
        let _ = writeln!(out, "acknowledge = \"{}\"", show(x.acknowledge));
        let _ = writeln!(out, "resolve = \"{}\"", show(x.resolve));
        let _ = writeln!(out, "business_hours = {}", x.business_hours);
    }
    out
}
