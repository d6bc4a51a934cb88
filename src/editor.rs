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
/// A file that cannot be read back as text (not UTF-8, say) is kept, and the
/// error (exit 2) says where, so what the person wrote is never lost.
pub fn edit(initial: &str, suffix: &str) -> Result<Option<String>> {
    edit_with(&editor_command(), initial, suffix)
}

/// [`edit`] with this editor command line.
pub fn edit_with(cmd: &str, initial: &str, suffix: &str) -> Result<Option<String>> {
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
    let problem = match std::fs::read(&path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => return Ok(Some(text)),
            Err(e) => format!(
                "is not UTF-8 text (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            ),
        },
        Err(e) => format!("cannot be read back ({e})"),
    };
    // Keep the file: it holds what the person wrote.
    let kept = match f.keep() {
        Ok((_, p)) => format!("your text is kept in {}", p.display()),
        Err(e) => format!("and could not be kept ({})", e.error),
    };
    Err(Error::Usage(format!(
        "what the editor saved {problem}; nothing was changed — {kept} (save it as UTF-8, then paste it back or pass it on stdin)"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_comes_back_and_the_temp_file_goes() {
        let got = edit_with("printf 'fixed\\n' >>", "draft: ", ".md").unwrap();
        assert_eq!(got.as_deref(), Some("draft: fixed\n"));
        assert_eq!(edit_with("false", "x", ".md").unwrap(), None);
    }

    #[test]
    fn text_that_is_not_utf8_is_kept_and_its_path_given() {
        let e = edit_with("printf 'caf\\351 au lait' >", "", ".md").unwrap_err();
        assert_eq!(e.exit_code(), crate::error::exit::USAGE);
        let msg = e.to_string();
        assert!(
            msg.contains("is not UTF-8 text") && msg.contains("nothing was changed"),
            "{msg}"
        );
        let path = msg
            .split("kept in ")
            .nth(1)
            .and_then(|r| r.split(" (save it").next())
            .expect("the path is named");
        let kept = std::fs::read(path).expect("the file is kept");
        assert_eq!(kept, b"caf\xe9 au lait");
        std::fs::remove_file(path).unwrap();
    }
}
