//! A webhook's `headers_file`: `Name: value` lines holding secrets (an
//! `Authorization` token), so the file must be the delivering user's own
//! regular file with no group or other permission bits. Messages name the
//! file and the line, never a value.

use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::Path;

/// A headers file is a few lines; anything bigger is not one.
const MAX: u64 = 64 * 1024;

/// Headers sev sets itself or that would break the request framing.
const RESERVED: &[&str] = &[
    "host",
    "content-length",
    "transfer-encoding",
    "connection",
    "content-type",
    "idempotency-key",
    "x-sev-message-id",
];

/// Read and check a headers file: (name, value) pairs in file order.
pub fn read_headers(path: &Path) -> Result<Vec<(String, String)>, String> {
    let f = crate::text::sanitize_line(&path.display().to_string()).into_owned();
    let refuse = |why: String| format!("headers_file {f}: {why}");
    let link = std::fs::symlink_metadata(path).map_err(|e| refuse(e.to_string()))?;
    if link.file_type().is_symlink() {
        return Err(refuse(format!(
            "it is a symbolic link; name the real file, owned by the user who sends notifications, and chmod 600 {f}"
        )));
    }
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(nix::libc::O_NOFOLLOW | nix::libc::O_NONBLOCK)
        .open(path)
        .map_err(|e| refuse(e.to_string()))?;
    let m = file.metadata().map_err(|e| refuse(e.to_string()))?;
    if !m.is_file() {
        return Err(refuse("not a regular file".into()));
    }
    let me = nix::unistd::geteuid().as_raw();
    if m.uid() != me {
        return Err(refuse(format!(
            "it belongs to {}, not to {} who sends the notifications: chown it to that user, then chmod 600 {f}",
            crate::access::user_name(m.uid()),
            crate::access::user_name(me)
        )));
    }
    let mode = m.mode() & 0o7777;
    if mode & 0o077 != 0 {
        return Err(refuse(format!(
            "it has mode {mode:04o}, so others may read the secrets in it: chmod 600 {f}"
        )));
    }
    if m.len() > MAX {
        return Err(refuse(format!(
            "it is {} bytes; a headers file holds a few 'Name: value' lines",
            m.len()
        )));
    }
    let mut buf = Vec::new();
    std::io::Read::read_to_end(&mut std::io::Read::take(&mut file, MAX), &mut buf)
        .map_err(|e| refuse(e.to_string()))?;
    let text = String::from_utf8(buf).map_err(|_| refuse("it is not UTF-8 text".into()))?;
    parse(&text).map_err(refuse)
}

fn parse(text: &str) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let Some((name, value)) = line.split_once(':') else {
            return Err(format!(
                "line {n}: write 'Name: value' (a header name, a colon, the value)"
            ));
        };
        let name = name.trim();
        if name.is_empty() || !name.bytes().all(is_token) {
            return Err(format!(
                "line {n}: the header name must be letters, digits and -_.!#$%&'*+^`|~"
            ));
        }
        if RESERVED.contains(&name.to_ascii_lowercase().as_str()) {
            return Err(format!(
                "line {n}: {name} is set by sev itself; remove the line"
            ));
        }
        let value = value.trim();
        if !value
            .bytes()
            .all(|b| b == b'\t' || (0x20..0x7f).contains(&b))
        {
            return Err(format!(
                "line {n}: the value of {name} must be printable ASCII"
            ));
        }
        out.push((name.to_string(), value.to_string()));
    }
    Ok(out)
}

/// RFC 9110 `tchar`.
fn is_token(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn file(dir: &Path, text: &str, mode: u32) -> std::path::PathBuf {
        let p = dir.join("h");
        std::fs::write(&p, text).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
        p
    }

    #[test]
    fn private_file_is_read_in_order_without_comments() {
        let d = tempfile::tempdir().unwrap();
        let p = file(
            d.path(),
            "# token\nAuthorization: Bearer s3cr3t\r\n\nX-Team:  ops \n",
            0o600,
        );
        assert_eq!(
            read_headers(&p).unwrap(),
            vec![
                ("Authorization".to_string(), "Bearer s3cr3t".to_string()),
                ("X-Team".to_string(), "ops".to_string())
            ]
        );
    }

    #[test]
    fn readable_by_others_is_refused_with_the_fix() {
        let d = tempfile::tempdir().unwrap();
        for mode in [0o640, 0o604, 0o644, 0o660] {
            let p = file(d.path(), "Authorization: Bearer s3cr3t\n", mode);
            let e = read_headers(&p).unwrap_err();
            assert!(e.contains(&format!("chmod 600 {}", p.display())), "{e}");
            assert!(e.contains(&format!("{mode:04o}")), "{e}");
            assert!(!e.contains("s3cr3t"), "{e}");
        }
    }

    #[test]
    fn links_and_missing_files_are_refused() {
        let d = tempfile::tempdir().unwrap();
        let p = file(d.path(), "A: b\n", 0o600);
        let l = d.path().join("link");
        std::os::unix::fs::symlink(&p, &l).unwrap();
        assert!(read_headers(&l).unwrap_err().contains("symbolic link"));
        assert!(read_headers(&d.path().join("none")).is_err());
    }

    #[test]
    fn bad_lines_name_the_line_not_the_secret() {
        for (text, want) in [
            ("Authorization Bearer s3cr3t\n", "line 1"),
            ("A: b\nBad Name: s3cr3t\n", "line 2"),
            ("Host: s3cr3t.example\n", "set by sev"),
            ("Content-Type: text/s3cr3t\n", "set by sev"),
            ("X: s3cr3t\u{1b}[2J\n", "printable"),
        ] {
            let e = parse(text).unwrap_err();
            assert!(e.contains(want), "{text:?}: {e}");
            assert!(!e.contains("s3cr3t"), "{e}");
        }
    }
}
