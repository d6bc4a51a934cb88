//! Long text in the user's own editor (`$VISUAL`, then `$EDITOR`, then `vi`).

use crate::error::{Error, Result};
use std::io::Write;
use std::process::Command;

/// The editor command line to run.
pub fn editor_command() -> String {
    ["VISUAL", "EDITOR"]
        .iter()
        .filter_map(|k| std::env::var(k).ok())
        .find(|v| !v.trim().is_empty())
        .unwrap_or_else(|| "vi".to_string())
}

/// Open `initial` in the editor and return what was saved. The temp file is
/// private (0600) and removed afterwards. `Ok(None)` when the editor failed.
pub fn edit(initial: &str, suffix: &str) -> Result<Option<String>> {
    let mut f = tempfile::Builder::new()
        .prefix("sev-")
        .suffix(suffix)
        .tempfile()
        .map_err(|e| {
            Error::Internal(format!(
                "cannot create a temp file for the editor: {e} (check $TMPDIR)"
            ))
        })?;
    f.write_all(initial.as_bytes())
        .and_then(|_| f.flush())
        .map_err(|e| Error::Internal(format!("cannot write the editor's temp file: {e}")))?;
    let path = f.path().to_path_buf();
    let cmd = editor_command();
    // Through the shell, so EDITOR="code -w" or "vim -c 'set tw=72'" work.
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!("{cmd} \"$1\""))
        .arg("sev-editor")
        .arg(&path)
        .status()
        .map_err(|e| {
            Error::Usage(format!(
                "cannot run editor '{cmd}': {e} (set $VISUAL or $EDITOR)"
            ))
        })?;
    if !status.success() {
        return Ok(None);
    }
    std::fs::read_to_string(&path)
        .map(Some)
        .map_err(|e| Error::Internal(format!("cannot read back the editor's file: {e}")))
}
