//! Configuration: TOML files layered over built-in defaults.
//!
//! Layers, later wins: built-in (`assets/config.toml`, parsed by the same code
//! as user files) < system (`/etc/sev/config.toml`, or `SEV_SYSTEM_CONFIG`)
//! < user (`--config`, `SEV_CONFIG`, or `$XDG_CONFIG_HOME/sev/config.toml`)
//! < `SEV_DB` < `--db`. Every mistake is reported with file, line and column.

mod file;

use crate::domain::{Impact, Kind, PriorityMatrix, Severity, Urgency};
use serde::Serialize;
use std::path::{Path, PathBuf};

pub(crate) use file::expand_home;
pub use file::{KeyBinding, Located};

pub const BUILTIN: &str = include_str!("../../assets/config.toml");
pub const BUILTIN_NAME: &str = "<built-in assets/config.toml>";
pub const SYSTEM_CONFIG: &str = "/etc/sev/config.toml";

/// A config mistake, located.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}")]
pub struct ConfigError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl ConfigError {
    /// An error about a file as a whole (missing, unreadable).
    pub fn whole(file: &Path, message: impl Into<String>) -> Self {
        ConfigError {
            file: file.display().to_string(),
            line: 1,
            column: 1,
            message: message.into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Defaults {
    pub kind: Kind,
    pub severity: Severity,
    pub impact: Impact,
    pub urgency: Urgency,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Taxonomy {
    pub categories: Vec<String>,
    pub services: Vec<String>,
    pub tags: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeverityDef {
    pub name: String,
    pub description: String,
}

/// The effective configuration after all layers.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub database: PathBuf,
    /// A file holding the PostgreSQL password (first line), readable only
    /// by its owner.
    pub database_password_file: Option<PathBuf>,
    pub defaults: Defaults,
    pub taxonomy: Taxonomy,
    pub severities: [SeverityDef; 5],
    pub priority: PriorityMatrix,
    /// Keymap overrides in layer order, applied over assets/keymap.toml.
    pub keys: Vec<KeyBinding>,
    /// Postmortem sections per kind and the close policy.
    pub postmortem: crate::domain::PostmortemPolicy,
    /// A Markdown export template replacing assets/postmortem.md.
    pub postmortem_template: Option<PathBuf>,
    /// The alert intake: integrations, routing rules, policies.
    pub alerts: crate::intake::config::AlertsConfig,
    /// Business, off and sleep hours (reports split interruptions by them).
    pub hours: crate::calendar::Hours,
    /// Notification channels and how each user is reached.
    pub channels: crate::notify::Channels,
    pub users: crate::notify::Users,
    /// Escalation policies, services, update cadence (`crate::paging`).
    pub paging: crate::paging::config::Paging,
    /// On-call schedules (`[schedules.NAME]`).
    pub schedules: crate::oncall::Schedules,
    /// Response targets per priority (`[response]`).
    pub response: crate::respond::Targets,
    /// `[evidence]`: how much of a `sev run` output is kept.
    pub evidence: crate::evidence::config::EvidenceConfig,
    /// The files that were read, in order.
    pub sources: Vec<String>,
}

/// Where to look for things, before any file is read.
#[derive(Debug, Clone, Default)]
pub struct Locations {
    pub config_flag: Option<PathBuf>,
    pub db_flag: Option<PathBuf>,
}

/// Standard per-user directories (XDG on Linux).
pub fn project_dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("", "", "sev")
}

pub fn default_db_path() -> PathBuf {
    match project_dirs() {
        Some(d) => d.data_dir().join("sev.db"),
        None => PathBuf::from("sev.db"),
    }
}

pub fn default_config_path() -> Option<PathBuf> {
    project_dirs().map(|d| d.config_dir().join("config.toml"))
}

/// Per-user private state (drafts).
pub fn state_dir() -> PathBuf {
    match project_dirs() {
        Some(d) => d.state_dir().unwrap_or(d.data_dir()).to_path_buf(),
        None => PathBuf::from(".sev-state"),
    }
}

impl Config {
    /// The built-in defaults alone.
    pub fn builtin() -> Config {
        let mut c = Config::empty();
        let f = file::parse(BUILTIN, BUILTIN_NAME).expect("built-in config parses");
        f.apply(&mut c, BUILTIN, BUILTIN_NAME)
            .expect("built-in config is valid");
        c.sources.push(BUILTIN_NAME.into());
        c
    }

    fn empty() -> Config {
        let def = |n: &str| SeverityDef {
            name: n.into(),
            description: String::new(),
        };
        Config {
            database: default_db_path(),
            defaults: Defaults {
                kind: Kind::Incident,
                severity: Severity::Sev3,
                impact: Impact::Medium,
                urgency: Urgency::Medium,
            },
            taxonomy: Taxonomy::default(),
            severities: [
                def("SEV1"),
                def("SEV2"),
                def("SEV3"),
                def("SEV4"),
                def("SEV5"),
            ],
            priority: PriorityMatrix::default(),
            keys: Vec::new(),
            postmortem: crate::domain::PostmortemPolicy {
                sections: Default::default(),
                required: Default::default(),
                close_requires: Vec::new(),
            },
            postmortem_template: None,
            database_password_file: None,
            alerts: Default::default(),
            hours: Default::default(),
            channels: Default::default(),
            users: Default::default(),
            paging: Default::default(),
            schedules: Default::default(),
            response: Default::default(),
            evidence: Default::default(),
            sources: Vec::new(),
        }
    }

    /// Lay one file's text over this config.
    pub fn layer_str(&mut self, text: &str, name: &str) -> Result<(), ConfigError> {
        let f = file::parse(text, name)?;
        f.apply(self, text, name)?;
        self.sources.push(name.to_string());
        Ok(())
    }

    /// Lay a file's raw contents over this config: text that is not UTF-8
    /// is an error located at its first bad byte.
    pub fn layer_bytes(&mut self, bytes: Vec<u8>, name: &str) -> Result<(), ConfigError> {
        let text = String::from_utf8(bytes).map_err(|e| not_utf8(name, e))?;
        self.layer_str(&text, name)
    }

    /// Lay a file over this config; `required` files must exist.
    pub fn layer_file(&mut self, path: &Path, required: bool) -> Result<(), ConfigError> {
        match std::fs::read(path) {
            Ok(bytes) => self.layer_bytes(bytes, &path.display().to_string()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => Ok(()),
            Err(e) => Err(ConfigError::whole(
                path,
                format!(
                    "cannot read config file: {e} (check the path given with --config or SEV_CONFIG)"
                ),
            )),
        }
    }

    /// Load every layer for a real run.
    pub fn load(loc: &Locations) -> Result<Config, ConfigError> {
        let mut c = Config::builtin();
        let system = std::env::var_os("SEV_SYSTEM_CONFIG")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(SYSTEM_CONFIG));
        c.layer_file(&system, false)?;
        let (user, required) = match (&loc.config_flag, std::env::var_os("SEV_CONFIG")) {
            (Some(p), _) => (Some(p.clone()), true),
            (None, Some(p)) if !p.is_empty() => (Some(PathBuf::from(p)), true),
            _ => (default_config_path(), false),
        };
        if let Some(u) = user {
            c.layer_file(&u, required)?;
        }
        if let Some(db) = std::env::var_os("SEV_DB").filter(|v| !v.is_empty()) {
            c.database = PathBuf::from(db);
        }
        if let Some(db) = &loc.db_flag {
            c.database = db.clone();
        }
        Ok(c)
    }

    pub fn severity(&self, s: Severity) -> &SeverityDef {
        &self.severities[usize::from(s.level() - 1)]
    }

    /// Check a value against a taxonomy list (empty list = anything goes).
    pub fn check_taxonomy(
        &self,
        field: crate::domain::Field,
        value: &str,
    ) -> Result<(), crate::domain::DomainError> {
        use crate::domain::Field;
        let (list, what, key) = match field {
            Field::Category => (&self.taxonomy.categories, "category", "categories"),
            Field::Service => (&self.taxonomy.services, "service", "services"),
            _ => return Ok(()),
        };
        let v = value.trim();
        if v.is_empty() || v == "-" || list.is_empty() || list.iter().any(|x| x == v) {
            return Ok(());
        }
        Err(crate::domain::DomainError::InvalidValue {
            what,
            value: value.to_string(),
            expected: format!(
                "{} (or add it to [taxonomy] {key} in your config file)",
                list.join(", ")
            ),
        })
    }

    /// The effective configuration as TOML, for `sev config show`.
    pub fn to_toml(&self) -> String {
        file::render(self)
    }
}

/// A config file that is not UTF-8: say where, since the path is fine.
fn not_utf8(name: &str, e: std::string::FromUtf8Error) -> ConfigError {
    let at = e.utf8_error().valid_up_to();
    // The bytes before `at` are valid UTF-8 by definition.
    let good = std::str::from_utf8(&e.as_bytes()[..at]).unwrap_or_default();
    let (line, column) = line_col(good, at);
    ConfigError {
        file: name.to_string(),
        line,
        column,
        message: format!(
            "the config file is not valid UTF-8 (bad byte at offset {at}): save it as UTF-8 text"
        ),
    }
}

/// One config file's text and name: where a located value came from, so
/// a mistake is reported at its file, line and column.
#[derive(Debug, Clone, Copy)]
pub struct ConfigText<'a> {
    pub text: &'a str,
    pub name: &'a str,
}

impl ConfigText<'_> {
    /// `message` at the place `at` was written.
    pub fn err<T>(&self, at: &toml::Spanned<T>, message: impl Into<String>) -> ConfigError {
        let (line, column) = line_col(self.text, at.span().start);
        ConfigError {
            file: self.name.to_string(),
            line,
            column,
            message: message.into(),
        }
    }
}

/// Line and column (1-based) of a byte offset. An offset past the end or
/// inside a character counts from the start of that character.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before
        .rsplit('\n')
        .next()
        .map(|l| l.chars().count())
        .unwrap_or(0)
        + 1;
    (line, col)
}

#[cfg(test)]
mod tests;
