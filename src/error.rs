//! The one error type the front ends see, with stable exit codes.

use crate::config::ConfigError;
use crate::domain::DomainError;

/// Exit codes, stable for scripts.
pub mod exit {
    pub const OK: i32 = 0;
    pub const INTERNAL: i32 = 1;
    pub const USAGE: i32 = 2;
    pub const NOT_FOUND: i32 = 3;
    pub const CONFLICT: i32 = 4;
    pub const UNAVAILABLE: i32 = 5;
    pub const CHECK_FAILED: i32 = 6;
}

/// Someone else changed what you were changing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    pub reference: String,
    pub field: String,
    pub stored: Option<String>,
    pub attempted: Option<String>,
    pub stored_version: i64,
}

impl std::fmt::Display for Conflict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let v = |o: &Option<String>| match o {
            Some(s) => format!("'{}'", crate::text::sanitize_line(s)),
            None => "(empty)".into(),
        };
        write!(
            f,
            "conflict on {} {}: someone changed it to {} (now version {}) after you read it; your value {} was not saved — look again (sev show {}) and retry",
            self.reference,
            self.field,
            v(&self.stored),
            self.stored_version,
            v(&self.attempted),
            self.reference
        )
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(Box<Conflict>),
    /// Busy, read-only, corrupt, cannot open, disk full.
    #[error("{0}")]
    Unavailable(String),
    #[error("{0}")]
    Internal(String),
    /// `sev verify` or `sev doctor` found a problem.
    #[error("{0}")]
    Check(String),
}

impl Error {
    /// The incident field a refusal is about (to put the cursor there).
    pub fn field(&self) -> Option<crate::domain::Field> {
        match self {
            Error::Domain(d) => d.field(),
            _ => None,
        }
    }

    /// The close policy's refusal, when that is what this is.
    pub fn close_refusal(&self) -> Option<&crate::domain::CloseRefusal> {
        match self {
            Error::Domain(DomainError::CannotClose(r)) => Some(r),
            _ => None,
        }
    }

    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Usage(_) | Error::Domain(_) | Error::Config(_) => exit::USAGE,
            Error::NotFound(_) => exit::NOT_FOUND,
            Error::Conflict(_) => exit::CONFLICT,
            Error::Unavailable(_) => exit::UNAVAILABLE,
            Error::Internal(_) => exit::INTERNAL,
            Error::Check(_) => exit::CHECK_FAILED,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
