//! Text a person typed but did not save survives quitting, a crash of the
//! SSH session, or a failed save. Kept per user (0600 file in the user's
//! state dir), per database.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// A half-written new incident.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormDraft {
    pub title: String,
    pub description: String,
    pub kind: String,
    pub service: String,
    pub category: String,
    pub severity: String,
    pub impact: String,
    pub urgency: String,
}

/// A half-written action item: a new one, or changes to an existing one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionDraft {
    pub description: String,
    pub kind: String,
    pub owner: String,
    pub due: String,
    pub status: String,
}

/// Every dialog's typed text. Fields added later default to empty, so a
/// drafts file written by an older sev still loads.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Drafts {
    pub new_incident: Option<FormDraft>,
    /// "INC-42 note" → text
    pub prompts: BTreeMap<String, String>,
    /// "INC-42 new action" / "ACT-7 edit" → the form
    pub actions: BTreeMap<String, ActionDraft>,
    /// The `:` command line, when it held text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    /// `:` lines run before, oldest first (the newest [`HISTORY`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<String>,
}

/// How many `:` lines the history keeps.
pub const HISTORY: usize = 100;

impl Drafts {
    pub fn is_empty(&self) -> bool {
        self.new_incident.is_none()
            && self.prompts.is_empty()
            && self.actions.is_empty()
            && self.command.is_none()
    }

    /// Remember a `:` line (no immediate repeats; the newest [`HISTORY`]).
    pub fn remember(&mut self, line: &str) {
        let line = line.trim();
        if line.is_empty() || self.history.last().map(String::as_str) == Some(line) {
            return;
        }
        self.history.push(line.to_string());
        let over = self.history.len().saturating_sub(HISTORY);
        self.history.drain(..over);
    }
}

/// Where this user's drafts for this database live.
pub fn path_for(state_dir: &Path, db: &Path) -> PathBuf {
    use std::hash::{Hash, Hasher};
    let canon = db.canonicalize().unwrap_or_else(|_| db.to_path_buf());
    let mut h = std::collections::hash_map::DefaultHasher::new();
    canon.hash(&mut h);
    state_dir.join(format!("drafts-{:016x}.json", h.finish()))
}

pub fn load(path: &Path) -> Drafts {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or_default()
}

/// Write atomically with owner-only permissions; remove the file when empty.
pub fn save(path: &Path, d: &Drafts) -> std::io::Result<()> {
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
    if d.is_empty() && d.history.is_empty() {
        return match std::fs::remove_file(path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        };
    }
    if let Some(dir) = path.parent() {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)?;
    }
    let tmp = path.with_extension("json.tmp");
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)?;
    f.write_all(
        serde_json::to_string_pretty(d)
            .unwrap_or_default()
            .as_bytes(),
    )?;
    f.sync_all()?;
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn drafts_round_trip_privately_and_vanish_when_empty() {
        let dir = tempfile::tempdir().unwrap();
        let p = path_for(&dir.path().join("state"), Path::new("/tmp/x.db"));
        let mut d = Drafts::default();
        d.prompts
            .insert("INC-1 note".into(), "half a thought".into());
        save(&p, &d).unwrap();
        assert_eq!(
            std::fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(load(&p), d);
        save(&p, &Drafts::default()).unwrap();
        assert!(!p.exists());
        assert_eq!(load(&p), Drafts::default());
    }

    #[test]
    fn every_kind_of_draft_round_trips_and_old_files_still_load() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("drafts.json");
        let mut d = Drafts::default();
        d.actions.insert(
            "INC-3 new action".into(),
            ActionDraft {
                description: "Canary config pushes".into(),
                due: "+14d".into(),
                ..Default::default()
            },
        );
        d.command = Some("resolve rolled ba".into());
        assert!(!d.is_empty());
        save(&p, &d).unwrap();
        assert_eq!(load(&p), d);
        // A file from before action and command drafts existed.
        std::fs::write(&p, r#"{"new_incident":null,"prompts":{"INC-1 note":"hi"}}"#).unwrap();
        assert_eq!(load(&p).prompts["INC-1 note"], "hi");
    }
}
