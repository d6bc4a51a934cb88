//! `[evidence]` in the config file:
//!
//! ```toml
//! [evidence]
//! max_output = "64KiB"   # output kept per run: first half + last half
//! ```

use crate::config::{ConfigError, line_col};
use serde::Deserialize;
use toml::Spanned;

/// The default: 64 KiB of output per run.
pub const DEFAULT_MAX_OUTPUT: usize = 64 * 1024;
/// The most a single record may keep.
pub const LIMIT: usize = 16 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceConfig {
    /// Output bytes kept per run; past it, the first and last halves.
    pub max_output: usize,
}

impl Default for EvidenceConfig {
    fn default() -> Self {
        EvidenceConfig {
            max_output: DEFAULT_MAX_OUTPUT,
        }
    }
}

/// A size as written: `65536`, `"512B"`, `"64KiB"`, `"1MiB"`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum SizeValue {
    Bytes(i64),
    Text(String),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvidenceFile {
    max_output: Option<Spanned<SizeValue>>,
}

/// Bytes in a size, or why not.
pub fn parse_size(v: &SizeValue) -> Result<usize, String> {
    let bytes: u64 = match v {
        SizeValue::Bytes(n) => {
            u64::try_from(*n).map_err(|_| "a size cannot be negative".to_string())?
        }
        SizeValue::Text(s) => {
            let t = s.trim();
            let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
            let (num, unit) = t.split_at(split);
            let n: u64 = num.parse().map_err(|_| {
                format!("'{}' is not a size: write bytes or a number with B, KiB or MiB, e.g. \"64KiB\"", crate::text::sanitize_line(s))
            })?;
            let mult = match unit.trim() {
                "" | "B" => 1,
                "KiB" => 1024,
                "MiB" => 1024 * 1024,
                other => {
                    return Err(format!(
                        "unknown unit '{}': use B, KiB or MiB (e.g. \"64KiB\")",
                        crate::text::sanitize_line(other)
                    ));
                }
            };
            n.saturating_mul(mult)
        }
    };
    if bytes > LIMIT as u64 {
        return Err(format!(
            "{bytes} bytes is more than a timeline event keeps (at most 16MiB); the head and tail of longer output are kept"
        ));
    }
    Ok(bytes as usize)
}

impl EvidenceFile {
    pub fn apply(&self, c: &mut EvidenceConfig, text: &str, name: &str) -> Result<(), ConfigError> {
        if let Some(m) = &self.max_output {
            c.max_output = parse_size(m.get_ref()).map_err(|message| {
                let (line, column) = line_col(text, m.span().start);
                ConfigError {
                    file: name.to_string(),
                    line,
                    column,
                    message: format!("evidence.max_output: {message}"),
                }
            })?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Result<usize, String> {
        parse_size(&SizeValue::Text(s.into()))
    }

    #[test]
    fn sizes() {
        assert_eq!(t("64KiB"), Ok(65536));
        assert_eq!(t("64 KiB"), Ok(65536));
        assert_eq!(t("1MiB"), Ok(1 << 20));
        assert_eq!(t("512B"), Ok(512));
        assert_eq!(t("0"), Ok(0));
        assert_eq!(parse_size(&SizeValue::Bytes(4096)), Ok(4096));
        assert!(parse_size(&SizeValue::Bytes(-1)).is_err());
        assert!(t("64KB").unwrap_err().contains("unknown unit"));
        assert!(t("lots").unwrap_err().contains("not a size"));
        assert!(t("17MiB").unwrap_err().contains("at most 16MiB"));
        assert!(t("99999999999999999999KiB").is_err());
    }
}
