//! The intake's sections of a config file as written — `[alerts]`,
//! `[[integrations]]` (with `[integrations.mapping]`) and `[[routes]]` —
//! and how they lay over the effective [`AlertsConfig`]. Every value keeps
//! its place, so a bad matcher, an unknown source, a duplicate name, a bad
//! duration or a template that does not compile is a [`ConfigError`] at
//! the file, line and column of that value.
//!
//! Layers: `[alerts]` keys (and `severity_map` entries) override one by
//! one; a later file that has `[[integrations]]` or `[[routes]]` replaces
//! the whole earlier list (rules are ordered: merging two lists could not
//! say where the new rules go). `integrations = []` clears the list.

use super::config::{AlertsConfig, Integration, Mapping, WhenResolved};
use super::matcher::parse_matchers;
use super::model::Source;
use super::route::{Actions, Route};
use super::window::{Window, parse_days, parse_hours};
use crate::config::{ConfigError, line_col};
use crate::domain::{DomainError, Impact, Severity, Urgency};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::str::FromStr;
use std::time::Duration;
use toml::Spanned;

type S = Spanned<String>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertsFile {
    severity_map: Option<BTreeMap<S, S>>,
    default_severity: Option<S>,
    bell: Option<bool>,
    max_body_bytes: Option<Spanned<i64>>,
    read_timeout: Option<S>,
    max_concurrent: Option<Spanned<i64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntegrationFile {
    name: S,
    source: S,
    secret_file: Option<S>,
    routing_key_file: Option<S>,
    signing_secret_file: Option<S>,
    group_by: Option<Vec<S>>,
    when_resolved: Option<S>,
    reopen_window: Option<S>,
    resolve_after_quiet: Option<S>,
    heartbeat: Option<S>,
    storm_per_minute: Option<Spanned<i64>>,
    service: Option<S>,
    mapping: Option<MappingFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MappingFile {
    key: S,
    summary: S,
    severity: Option<S>,
    state: S,
    group: Option<S>,
    labels: Option<BTreeMap<String, S>>,
    annotations: Option<BTreeMap<String, S>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteFile {
    name: Option<S>,
    #[serde(rename = "match")]
    matchers: Option<Vec<S>>,
    when: Option<Spanned<WhenFile>>,
    set: Option<SetFile>,
    suppress: Option<Spanned<bool>>,
    #[serde(rename = "continue")]
    continue_matching: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WhenFile {
    days: Option<Vec<S>>,
    hours: Option<S>,
    tz: Option<S>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SetFile {
    service: Option<S>,
    category: Option<S>,
    severity: Option<S>,
    impact: Option<S>,
    urgency: Option<S>,
    assignee: Option<S>,
    commander: Option<S>,
    tags: Option<Vec<S>>,
    group_by: Option<Vec<S>>,
}

/// The three sections of one file.
pub struct Sections<'a> {
    pub alerts: Option<&'a AlertsFile>,
    pub integrations: Option<&'a [IntegrationFile]>,
    pub routes: Option<&'a [Spanned<RouteFile>]>,
}

/// Where values are: the file's text and name.
struct Cx<'a> {
    text: &'a str,
    name: &'a str,
}

impl Cx<'_> {
    fn at(&self, span: std::ops::Range<usize>) -> String {
        let (l, c) = line_col(self.text, span.start);
        format!("{}:{l}:{c}", self.name)
    }
    fn err<T>(&self, s: &Spanned<T>, message: impl Into<String>) -> ConfigError {
        let (line, column) = line_col(self.text, s.span().start);
        ConfigError {
            file: self.name.to_string(),
            line,
            column,
            message: message.into(),
        }
    }
    fn parse<T: FromStr<Err = DomainError>>(&self, s: &S) -> Result<T, ConfigError> {
        s.get_ref()
            .parse::<T>()
            .map_err(|e| self.err(s, e.to_string()))
    }
    fn duration(&self, s: &S, what: &str) -> Result<Duration, ConfigError> {
        parse_duration(s.get_ref()).map_err(|e| self.err(s, format!("{what}: {e}")))
    }
    fn text(&self, s: &S, what: &str) -> Result<String, ConfigError> {
        let v = s.get_ref().trim();
        if v.is_empty() {
            return Err(self.err(
                s,
                format!("{what} is empty: give a value or remove the key"),
            ));
        }
        Ok(v.to_string())
    }
    fn labels(&self, v: &[S], what: &str) -> Result<Vec<String>, ConfigError> {
        v.iter().map(|s| self.text(s, what)).collect()
    }
    fn int(&self, s: &Spanned<i64>, what: &str, lo: i64, hi: i64) -> Result<i64, ConfigError> {
        let v = *s.get_ref();
        if v < lo || v > hi {
            return Err(self.err(s, format!("{what} must be {lo} to {hi}, not {v}")));
        }
        Ok(v)
    }
}

/// Lay one file's sections over `c`.
pub fn apply(
    sec: Sections<'_>,
    c: &mut AlertsConfig,
    text: &str,
    name: &str,
) -> Result<(), ConfigError> {
    let cx = Cx { text, name };
    if let Some(a) = sec.alerts {
        alerts(a, c, &cx)?;
    }
    if let Some(list) = sec.integrations {
        let mut seen: BTreeMap<String, String> = BTreeMap::new();
        let mut out = Vec::with_capacity(list.len());
        for f in list {
            let i = integration(f, &cx)?;
            let at = cx.at(f.name.span());
            if let Some(first) = seen.insert(i.name.clone(), at) {
                return Err(cx.err(
                    &f.name,
                    format!(
                        "integration name '{}' is used twice (first at {first}): names must be unique",
                        i.name
                    ),
                ));
            }
            out.push(i);
        }
        c.integrations = out;
    }
    if let Some(list) = sec.routes {
        c.routes = list
            .iter()
            .map(|r| route(r, &cx))
            .collect::<Result<_, _>>()?;
    }
    Ok(())
}

fn alerts(a: &AlertsFile, c: &mut AlertsConfig, cx: &Cx<'_>) -> Result<(), ConfigError> {
    for (word, sev) in a.severity_map.iter().flatten() {
        let w = cx.text(word, "a severity word")?.to_ascii_lowercase();
        let s: Severity = cx.parse(sev)?;
        if s == Severity::Sev1 {
            return Err(cx.err(
                sev,
                "the severity map never makes SEV1 (only a route may): map it to SEV2 and add a [[routes]] rule with set = { severity = \"SEV1\" }",
            ));
        }
        c.severity_map.insert(w, s);
    }
    if let Some(s) = &a.default_severity {
        let v: Severity = cx.parse(s)?;
        if v == Severity::Sev1 {
            return Err(cx.err(
                s,
                "default_severity cannot be SEV1 (only a route may make SEV1)",
            ));
        }
        c.default_severity = v;
    }
    if let Some(b) = a.bell {
        c.bell = b;
    }
    if let Some(n) = &a.max_body_bytes {
        c.max_body_bytes = cx.int(n, "max_body_bytes", 1024, 64 * 1024 * 1024)? as usize;
    }
    if let Some(s) = &a.read_timeout {
        let d = cx.duration(s, "read_timeout")?;
        if d < Duration::from_secs(1) || d > Duration::from_secs(600) {
            return Err(cx.err(s, "read_timeout must be 1s to 10m"));
        }
        c.read_timeout = d;
    }
    if let Some(n) = &a.max_concurrent {
        c.max_concurrent = cx.int(n, "max_concurrent", 1, 10_000)? as usize;
    }
    Ok(())
}

/// Integration names go into URLs (`/ingest/generic/NAME`).
fn valid_name(n: &str) -> bool {
    !n.is_empty()
        && n.len() <= 64
        && n.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b))
}

fn integration(f: &IntegrationFile, cx: &Cx<'_>) -> Result<Integration, ConfigError> {
    let name = f.name.get_ref().clone();
    if !valid_name(&name) {
        return Err(cx.err(
            &f.name,
            format!("bad integration name '{name}': use 1 to 64 letters, digits, '_', '.' or '-' (it goes into URLs)"),
        ));
    }
    let source = match Source::parse(f.source.get_ref().trim()) {
        Some(Source::Heartbeat) | None => {
            return Err(cx.err(
                &f.source,
                format!(
                    "unknown source '{}': expected one of alertmanager, grafana, pagerduty, generic",
                    f.source.get_ref()
                ),
            ));
        }
        Some(s) => s,
    };
    let mut i = Integration::named(&name, source);
    let path = |s: &Option<S>, what: &str, only: Option<Source>| -> Result<_, ConfigError> {
        let Some(s) = s else { return Ok(None) };
        if let Some(o) = only
            && o != source
        {
            return Err(cx.err(s, format!("{what} is for source = \"{o}\" only")));
        }
        Ok(Some(crate::config::expand_home(&cx.text(s, what)?)))
    };
    i.secret_file = path(&f.secret_file, "secret_file", None)?;
    i.routing_key_file = path(
        &f.routing_key_file,
        "routing_key_file",
        Some(Source::Pagerduty),
    )?;
    i.signing_secret_file = path(
        &f.signing_secret_file,
        "signing_secret_file",
        Some(Source::Grafana),
    )?;
    if let Some(g) = &f.group_by {
        i.group_by = Some(cx.labels(g, "a group_by label")?);
    }
    if let Some(w) = &f.when_resolved {
        i.when_resolved = match w.get_ref().trim() {
            "mitigate" => WhenResolved::Mitigate,
            "resolve" => WhenResolved::Resolve,
            "nothing" => WhenResolved::Nothing,
            other => {
                return Err(cx.err(
                    w,
                    format!("invalid when_resolved '{other}': expected one of mitigate, resolve, nothing"),
                ));
            }
        };
    }
    if let Some(s) = &f.reopen_window {
        i.reopen_window = cx.duration(s, "reopen_window")?;
    }
    if let Some(s) = &f.resolve_after_quiet {
        i.resolve_after_quiet = Some(positive(cx, s, "resolve_after_quiet")?);
    }
    if let Some(s) = &f.heartbeat {
        i.heartbeat = Some(positive(cx, s, "heartbeat")?);
    }
    if let Some(n) = &f.storm_per_minute {
        i.storm_per_minute = cx.int(n, "storm_per_minute", 0, 100_000)? as u32;
    }
    if let Some(s) = &f.service {
        i.service = Some(cx.text(s, "service")?);
    }
    match (&f.mapping, source) {
        (Some(m), Source::Generic) => i.mapping = Some(mapping(m, cx)?),
        (Some(m), _) => {
            return Err(cx.err(
                &m.key,
                format!("a mapping is for source = \"generic\" only; {source} bodies have a fixed format"),
            ));
        }
        (None, Source::Generic) => {
            return Err(cx.err(
                &f.source,
                format!("integration '{name}' has source = \"generic\" and so needs an [integrations.mapping] with key, summary and state templates"),
            ));
        }
        (None, _) => {}
    }
    Ok(i)
}

fn positive(cx: &Cx<'_>, s: &S, what: &str) -> Result<Duration, ConfigError> {
    let d = cx.duration(s, what)?;
    if d.is_zero() {
        return Err(cx.err(s, format!("{what} must be above zero (or remove the key)")));
    }
    Ok(d)
}

fn mapping(m: &MappingFile, cx: &Cx<'_>) -> Result<Mapping, ConfigError> {
    let tmpl = |s: &S, what: &str| -> Result<String, ConfigError> {
        let src = s.get_ref();
        if src.trim().is_empty() {
            return Err(cx.err(
                s,
                format!("mapping.{what} is empty: write a template such as {{{{ body.id }}}}"),
            ));
        }
        check_template(src).map_err(|e| cx.err(s, format!("mapping.{what}: {e}")))?;
        Ok(src.clone())
    };
    let table = |t: &Option<BTreeMap<String, S>>, what: &str| -> Result<_, ConfigError> {
        let mut out = BTreeMap::new();
        for (k, v) in t.iter().flatten() {
            out.insert(k.clone(), tmpl(v, &format!("{what}.{k}"))?);
        }
        Ok(out)
    };
    Ok(Mapping {
        key: tmpl(&m.key, "key")?,
        summary: tmpl(&m.summary, "summary")?,
        severity: m
            .severity
            .as_ref()
            .map(|s| tmpl(s, "severity"))
            .transpose()?,
        state: tmpl(&m.state, "state")?,
        group: m.group.as_ref().map(|s| tmpl(s, "group")).transpose()?,
        labels: table(&m.labels, "labels")?,
        annotations: table(&m.annotations, "annotations")?,
    })
}

/// Compile a mapping template: syntax errors surface at load, not at the
/// first request.
pub fn check_template(src: &str) -> Result<(), String> {
    let env = minijinja::Environment::new();
    env.template_from_str(src).map(|_| ()).map_err(|e| {
        let line = e
            .line()
            .map(|l| format!(" (template line {l})"))
            .unwrap_or_default();
        format!(
            "the template does not compile: {}{line}",
            e.detail().unwrap_or("syntax error")
        )
    })
}

fn route(r: &Spanned<RouteFile>, cx: &Cx<'_>) -> Result<Route, ConfigError> {
    let f = r.get_ref();
    let mut matchers = Vec::new();
    for m in f.matchers.iter().flatten() {
        let ms = parse_matchers(m.get_ref())
            .map_err(|e| cx.err(m, format!("bad matcher {:?}: {e}", m.get_ref())))?;
        matchers.extend(ms);
    }
    let when = f.when.as_ref().map(|w| window(w, cx)).transpose()?;
    let set = f
        .set
        .as_ref()
        .map(|s| actions(s, cx))
        .transpose()?
        .unwrap_or_default();
    let suppress = f.suppress.as_ref().map(|s| *s.get_ref()).unwrap_or(false);
    if let (true, Some(s)) = (suppress && set != Actions::default(), &f.suppress) {
        return Err(cx.err(
            s,
            "a rule that suppresses opens no incident, so its set = { … } would do nothing: drop one of them",
        ));
    }
    Ok(Route {
        at: cx.at(r.span()),
        name: f.name.as_ref().map(|n| cx.text(n, "name")).transpose()?,
        matchers,
        when,
        set,
        suppress,
        continue_matching: f.continue_matching.unwrap_or(false),
    })
}

fn window(w: &Spanned<WhenFile>, cx: &Cx<'_>) -> Result<Window, ConfigError> {
    let f = w.get_ref();
    let mut days = Vec::new();
    for d in f.days.iter().flatten() {
        parse_days(d.get_ref()).map_err(|e| cx.err(d, e))?;
        days.push(d.get_ref().clone());
    }
    if let Some(h) = &f.hours {
        parse_hours(h.get_ref()).map_err(|e| cx.err(h, e))?;
    }
    let tz = f.tz.as_ref().map(|t| t.get_ref().as_str());
    Window::parse(&days, f.hours.as_ref().map(|h| h.get_ref().as_str()), tz).map_err(|e| {
        match &f.tz {
            Some(t) => cx.err(t, e),
            None => cx.err(w, e),
        }
    })
}

fn actions(s: &SetFile, cx: &Cx<'_>) -> Result<Actions, ConfigError> {
    let text = |v: &Option<S>, what: &str| v.as_ref().map(|x| cx.text(x, what)).transpose();
    Ok(Actions {
        service: text(&s.service, "service")?,
        category: text(&s.category, "category")?,
        severity: s.severity.as_ref().map(|v| cx.parse(v)).transpose()?,
        impact: s
            .impact
            .as_ref()
            .map(|v| cx.parse::<Impact>(v))
            .transpose()?,
        urgency: s
            .urgency
            .as_ref()
            .map(|v| cx.parse::<Urgency>(v))
            .transpose()?,
        assignee: text(&s.assignee, "assignee")?,
        commander: text(&s.commander, "commander")?,
        tags: s
            .tags
            .as_ref()
            .map(|t| cx.labels(t, "a tag"))
            .transpose()?
            .unwrap_or_default(),
        group_by: s
            .group_by
            .as_ref()
            .map(|g| cx.labels(g, "a group_by label"))
            .transpose()?,
    })
}

/// `30s`, `5m`, `2h`, `1d`, `1h30m`, `0`: at most 90 days.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let bad = || format!("bad duration '{s}': write it like 30s, 5m, 2h, 1d or 1h30m");
    let t = s.trim();
    if t == "0" {
        return Ok(Duration::ZERO);
    }
    if t.is_empty() {
        return Err(bad());
    }
    let mut total: u64 = 0;
    let mut digits = String::new();
    for ch in t.chars() {
        if ch.is_ascii_digit() {
            digits.push(ch);
            continue;
        }
        let unit = match ch {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86400,
            _ => return Err(bad()),
        };
        if digits.is_empty() || digits.len() > 9 {
            return Err(bad());
        }
        let n: u64 = digits.parse().map_err(|_| bad())?;
        total = total.saturating_add(n.saturating_mul(unit));
        digits.clear();
    }
    if !digits.is_empty() {
        return Err(bad());
    }
    if total > 90 * 86400 {
        return Err(format!("duration '{s}' is over 90 days"));
    }
    Ok(Duration::from_secs(total))
}

/// A duration as [`parse_duration`] reads it: `1h30m`, `45s`, `0`.
pub fn show_duration(d: Duration) -> String {
    let mut s = d.as_secs();
    if s == 0 {
        return "0".into();
    }
    let mut out = String::new();
    for (unit, n) in [("d", 86400), ("h", 3600), ("m", 60), ("s", 1)] {
        if s >= n {
            out.push_str(&format!("{}{unit}", s / n));
            s %= n;
        }
    }
    out
}

#[cfg(test)]
#[path = "config_file_tests.rs"]
mod tests;
