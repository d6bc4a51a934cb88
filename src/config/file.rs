//! One config file as written: every value optional and located, so that a
//! semantic mistake (an unknown severity, a bad key name) is reported at its
//! line and column just like a syntax error.

use super::{Config, ConfigError, SeverityDef, line_col};
use crate::domain::{Impact, Kind, Priority, Severity, Urgency};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::str::FromStr;
use toml::Spanned;

/// A value with the place it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located<T> {
    pub value: T,
    pub file: String,
    pub line: usize,
    pub column: usize,
}

impl<T> Located<T> {
    pub fn error(&self, message: impl Into<String>) -> ConfigError {
        ConfigError {
            file: self.file.clone(),
            line: self.line,
            column: self.column,
            message: message.into(),
        }
    }
}

/// One `[keys.<mode>]` entry: `"ctrl-s" = "save"` (or `""` to unbind).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyBinding {
    pub mode: String,
    pub key: Located<String>,
    pub action: Located<String>,
}

/// `[keys.<mode>]`: key → action name.
type KeyTable = BTreeMap<Spanned<String>, Spanned<String>>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct File {
    database: Option<Spanned<String>>,
    database_password_file: Option<Spanned<String>>,
    defaults: Option<DefaultsFile>,
    taxonomy: Option<TaxonomyFile>,
    severity: Option<BTreeMap<Spanned<String>, SeverityFile>>,
    priority: Option<PriorityFile>,
    keys: Option<BTreeMap<Spanned<String>, KeyTable>>,
    postmortem: Option<PostmortemFile>,
    hours: Option<HoursFile>,
    response: Option<crate::respond::targets_config::ResponseFile>,
    /// The alert intake: see `intake::config_file`.
    alerts: Option<crate::intake::config_file::AlertsFile>,
    integrations: Option<Vec<crate::intake::config_file::IntegrationFile>>,
    routes: Option<Vec<Spanned<crate::intake::config_file::RouteFile>>>,
    /// Notification channels and contacts: see `notify::config_file`.
    channels: Option<BTreeMap<Spanned<String>, crate::notify::config_file::ChannelFile>>,
    users: Option<BTreeMap<Spanned<String>, crate::notify::config_file::UserFile>>,
    /// Paging: see `paging::config_file`.
    paging: Option<crate::paging::config_file::PagingFile>,
    escalation: Option<BTreeMap<Spanned<String>, crate::paging::config_file::PolicyFile>>,
    services: Option<BTreeMap<Spanned<String>, crate::paging::config_file::ServiceFile>>,
    updates: Option<BTreeMap<Spanned<String>, Spanned<String>>>,
    /// On-call schedules: see `oncall::config_file`.
    schedules: Option<BTreeMap<Spanned<String>, crate::oncall::config_file::ScheduleFile>>,
    evidence: Option<crate::evidence::config::EvidenceFile>,
}

/// kind → list of section keys
type SectionTable = BTreeMap<Spanned<String>, Vec<Spanned<String>>>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct PostmortemFile {
    close_requires: Option<Vec<Spanned<String>>>,
    template: Option<Spanned<String>>,
    sections: Option<SectionTable>,
    required: Option<SectionTable>,
}

/// `[hours]`: see `crate::calendar`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct HoursFile {
    time_zone: Option<Spanned<String>>,
    business: Option<Spanned<String>>,
    sleep: Option<Spanned<String>>,
    holidays: Option<Vec<Spanned<String>>>,
}

impl HoursFile {
    fn apply(&self, c: &mut Config, cx: &Ctx<'_>) -> Result<(), ConfigError> {
        let h = &mut c.hours;
        if let Some(z) = &self.time_zone {
            h.tz = crate::intake::tz::Tz::parse(z.get_ref()).map_err(|e| cx.locate(z).error(e))?;
        }
        if let Some(b) = &self.business {
            h.set_business(b.get_ref())
                .map_err(|e| cx.locate(b).error(e))?;
        }
        if let Some(s) = &self.sleep {
            h.set_sleep(s.get_ref())
                .map_err(|e| cx.locate(s).error(e))?;
        }
        for d in self.holidays.iter().flatten() {
            h.set_holiday(d.get_ref())
                .map_err(|e| cx.locate(d).error(e))?;
        }
        Ok(())
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DefaultsFile {
    kind: Option<Spanned<String>>,
    severity: Option<Spanned<String>>,
    impact: Option<Spanned<String>>,
    urgency: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TaxonomyFile {
    categories: Option<Vec<Spanned<String>>>,
    services: Option<Vec<Spanned<String>>>,
    tags: Option<Vec<Spanned<String>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SeverityFile {
    name: Option<String>,
    description: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PriorityFile {
    high: Option<Spanned<Vec<Spanned<String>>>>,
    medium: Option<Spanned<Vec<Spanned<String>>>>,
    low: Option<Spanned<Vec<Spanned<String>>>>,
}

pub(super) fn parse(text: &str, name: &str) -> Result<File, ConfigError> {
    toml::from_str::<File>(text).map_err(|e| {
        let (line, column) = e.span().map(|s| line_col(text, s.start)).unwrap_or((1, 1));
        ConfigError {
            file: name.to_string(),
            line,
            column,
            message: e.message().trim().to_string(),
        }
    })
}

struct Ctx<'a> {
    text: &'a str,
    name: &'a str,
}

impl Ctx<'_> {
    fn locate<T: Clone>(&self, s: &Spanned<T>) -> Located<T> {
        let (line, column) = line_col(self.text, s.span().start);
        Located {
            value: s.get_ref().clone(),
            file: self.name.into(),
            line,
            column,
        }
    }
    fn parse<T: FromStr<Err = crate::domain::DomainError>>(
        &self,
        s: &Spanned<String>,
    ) -> Result<T, ConfigError> {
        s.get_ref()
            .parse::<T>()
            .map_err(|e| self.locate(s).error(e.to_string()))
    }
}

fn strings(v: &[Spanned<String>]) -> Vec<String> {
    v.iter()
        .map(|s| s.get_ref().trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

impl File {
    pub(super) fn apply(self, c: &mut Config, text: &str, name: &str) -> Result<(), ConfigError> {
        let cx = Ctx { text, name };
        if let Some(db) = &self.database {
            if db.get_ref().trim().is_empty() {
                return Err(cx
                    .locate(db)
                    .error("database path is empty: give a file path or remove the key"));
            }
            c.database = expand_home(db.get_ref());
        }
        if let Some(f) = &self.database_password_file {
            if f.get_ref().trim().is_empty() {
                return Err(cx.locate(f).error(
                    "database_password_file is empty: name a file only you can read, or remove the key",
                ));
            }
            c.database_password_file = Some(expand_home(f.get_ref()));
        }
        if let Some(d) = &self.defaults {
            d.apply(c, &cx)?;
        }
        if let Some(t) = &self.taxonomy {
            t.apply(c);
        }
        if let Some(sevs) = self.severity {
            for (k, def) in sevs {
                let sev = cx.parse::<Severity>(&k)?;
                let slot: &mut SeverityDef = &mut c.severities[usize::from(sev.level() - 1)];
                if let Some(n) = def.name {
                    slot.name = n;
                }
                if let Some(d) = def.description {
                    slot.description = d;
                }
            }
        }
        if let Some(p) = &self.priority {
            p.apply(c, &cx)?;
        }
        if let Some(pm) = &self.postmortem {
            pm.apply(c, &cx)?;
        }
        if let Some(h) = &self.hours {
            h.apply(c, &cx)?;
        }
        if let Some(r) = &self.response {
            crate::respond::targets_config::apply(r, &mut c.response, text, name)?;
        }
        if let Some(e) = &self.evidence {
            e.apply(&mut c.evidence, text, name)?;
        }
        crate::intake::config_file::apply(
            crate::intake::config_file::Sections {
                alerts: self.alerts.as_ref(),
                integrations: self.integrations.as_deref(),
                routes: self.routes.as_deref(),
            },
            &mut c.alerts,
            text,
            name,
        )?;
        crate::notify::config_file::apply(
            self.channels.as_ref(),
            self.users.as_ref(),
            &mut c.channels,
            &mut c.users,
            text,
            name,
        )?;
        crate::oncall::config_file::apply(self.schedules.as_ref(), &mut c.schedules, text, name)?;
        crate::paging::config_file::apply(
            crate::paging::config_file::Sections {
                paging: self.paging.as_ref(),
                escalation: self.escalation.as_ref(),
                services: self.services.as_ref(),
                updates: self.updates.as_ref(),
            },
            &mut c.paging,
            &crate::paging::config_file::Known {
                schedules: c.schedules.names().map(String::from).collect(),
                channels: c.channels.keys().cloned().collect(),
            },
            text,
            name,
        )?;
        for (mode, map) in self.keys.iter().flatten() {
            for (key, action) in map {
                c.keys.push(KeyBinding {
                    mode: mode.get_ref().clone(),
                    key: cx.locate(key),
                    action: cx.locate(action),
                });
            }
        }
        Ok(())
    }
}

impl DefaultsFile {
    fn apply(&self, c: &mut Config, cx: &Ctx<'_>) -> Result<(), ConfigError> {
        if let Some(v) = &self.kind {
            c.defaults.kind = cx.parse::<Kind>(v)?;
        }
        if let Some(v) = &self.severity {
            c.defaults.severity = cx.parse::<Severity>(v)?;
        }
        if let Some(v) = &self.impact {
            c.defaults.impact = cx.parse::<Impact>(v)?;
        }
        if let Some(v) = &self.urgency {
            c.defaults.urgency = cx.parse::<Urgency>(v)?;
        }
        Ok(())
    }
}

impl TaxonomyFile {
    fn apply(&self, c: &mut Config) {
        if let Some(v) = &self.categories {
            c.taxonomy.categories = strings(v);
        }
        if let Some(v) = &self.services {
            c.taxonomy.services = strings(v);
        }
        if let Some(v) = &self.tags {
            c.taxonomy.tags = strings(v);
        }
    }
}

impl PriorityFile {
    fn apply(&self, c: &mut Config, cx: &Ctx<'_>) -> Result<(), ConfigError> {
        for (impact, row) in [
            (Impact::High, &self.high),
            (Impact::Medium, &self.medium),
            (Impact::Low, &self.low),
        ] {
            let Some(row) = row else { continue };
            if row.get_ref().len() != 3 {
                return Err(cx.locate(&Spanned::new(row.span(), ())).error(format!(
                    "priority.{impact} needs 3 values (for urgency high, medium, low), found {}",
                    row.get_ref().len()
                )));
            }
            for (u, v) in Urgency::ALL.iter().zip(row.get_ref()) {
                let pr = cx.parse::<Priority>(v)?;
                c.priority.set(impact, *u, pr);
            }
        }
        Ok(())
    }
}

impl PostmortemFile {
    fn apply(&self, c: &mut Config, cx: &Ctx<'_>) -> Result<(), ConfigError> {
        if let Some(sevs) = &self.close_requires {
            c.postmortem.close_requires = sevs
                .iter()
                .map(|s| cx.parse::<Severity>(s))
                .collect::<Result<_, _>>()?;
        }
        if let Some(t) = &self.template {
            c.postmortem_template = Some(expand_home(t.get_ref()));
        }
        for (table, target) in [(&self.sections, 0), (&self.required, 1)] {
            let Some(table) = table else { continue };
            for (kind, keys) in table {
                let kind = cx.parse::<Kind>(kind)?;
                let mut list = Vec::new();
                for k in keys {
                    let s = crate::domain::parse_section(k.get_ref())
                        .map_err(|e| cx.locate(k).error(e.to_string()))?;
                    list.push(s.key);
                }
                let map = if target == 0 {
                    &mut c.postmortem.sections
                } else {
                    &mut c.postmortem.required
                };
                map.insert(kind, list);
            }
        }
        Ok(())
    }
}

pub(crate) fn expand_home(p: &str) -> std::path::PathBuf {
    if let Some(rest) = p.strip_prefix("~/")
        && let Some(home) = directories::BaseDirs::new()
    {
        return home.home_dir().join(rest);
    }
    std::path::PathBuf::from(p)
}

/// The effective config as TOML text.
pub(super) fn render(c: &Config) -> String {
    use std::fmt::Write;
    let q = |s: &str| toml::Value::String(s.to_string()).to_string();
    let list = |v: &[String]| {
        format!(
            "[{}]",
            v.iter().map(|s| q(s)).collect::<Vec<_>>().join(", ")
        )
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# effective configuration, from: {}",
        c.sources.join(", ")
    );
    // A PostgreSQL URL is shown with its password masked.
    let db = c.database.display().to_string();
    let db = if crate::store::locator::is_postgres(&c.database) {
        crate::store::locator::masked(&db)
    } else {
        db
    };
    let _ = writeln!(out, "database = {}", q(&db));
    if let Some(f) = &c.database_password_file {
        let _ = writeln!(
            out,
            "database_password_file = {}",
            q(&f.display().to_string())
        );
    }
    let _ = writeln!(out, "\n[defaults]");
    let _ = writeln!(out, "kind = {}", q(c.defaults.kind.as_str()));
    let _ = writeln!(out, "severity = {}", q(c.defaults.severity.as_str()));
    let _ = writeln!(out, "impact = {}", q(c.defaults.impact.as_str()));
    let _ = writeln!(out, "urgency = {}", q(c.defaults.urgency.as_str()));
    let _ = writeln!(out, "\n[taxonomy]");
    let _ = writeln!(out, "categories = {}", list(&c.taxonomy.categories));
    let _ = writeln!(out, "services = {}", list(&c.taxonomy.services));
    let _ = writeln!(out, "tags = {}", list(&c.taxonomy.tags));
    for (s, def) in Severity::ALL.iter().zip(&c.severities) {
        let _ = writeln!(out, "\n[severity.{s}]");
        let _ = writeln!(out, "name = {}", q(&def.name));
        let _ = writeln!(out, "description = {}", q(&def.description));
    }
    let _ = writeln!(out, "\n[priority]");
    for i in Impact::ALL {
        let row: Vec<String> = Urgency::ALL
            .iter()
            .map(|u| c.priority.priority(*i, *u).to_string())
            .collect();
        let _ = writeln!(out, "{i} = {}", list(&row));
    }
    let _ = writeln!(out, "\n[postmortem]");
    let sevs: Vec<String> = c
        .postmortem
        .close_requires
        .iter()
        .map(|s| s.to_string())
        .collect();
    let _ = writeln!(out, "close-requires = {}", list(&sevs));
    if let Some(t) = &c.postmortem_template {
        let _ = writeln!(out, "template = {}", q(&t.display().to_string()));
    }
    for (name, map) in [
        ("sections", &c.postmortem.sections),
        ("required", &c.postmortem.required),
    ] {
        let _ = writeln!(out, "\n[postmortem.{name}]");
        for (kind, keys) in map {
            let keys: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
            let _ = writeln!(out, "{} = {}", q(kind.as_str()), list(&keys));
        }
    }
    let h = &c.hours;
    let hm = |m: u16| format!("{:02}:{:02}", m / 60, m % 60);
    let days = crate::intake::window::Window {
        days: h.days,
        hours: None,
        tz: h.tz.clone(),
    }
    .days_list()
    .join(",");
    let _ = writeln!(out, "\n[hours]");
    let _ = writeln!(out, "time_zone = {}", q(&h.tz.name()));
    let _ = writeln!(
        out,
        "business = {}",
        q(format!("{days} {}-{}", hm(h.business.0), hm(h.business.1)).trim())
    );
    let _ = writeln!(
        out,
        "sleep = {}",
        q(&format!("{}-{}", hm(h.sleep.0), hm(h.sleep.1)))
    );
    let hol: Vec<String> = h.holidays.iter().map(|d| d.to_string()).collect();
    let _ = writeln!(out, "holidays = {}", list(&hol));
    let mut modes: Vec<&str> = c.keys.iter().map(|k| k.mode.as_str()).collect();
    modes.dedup();
    for m in modes {
        let _ = writeln!(out, "\n[keys.{m}]");
        for k in c.keys.iter().filter(|k| k.mode == m) {
            let _ = writeln!(out, "{} = {}", q(&k.key.value), q(&k.action.value));
        }
    }
    out.push_str(&crate::respond::targets_config::render(&c.response));
    out.push_str(&crate::intake::config_show::render(&c.alerts));
    out.push_str(&crate::notify::config_file::render(&c.channels, &c.users));
    out.push_str(&c.schedules.to_toml());
    out.push_str(&crate::paging::config_file::render(&c.paging));
    out
}
