//! Where the database is: a file path (SQLite) or a `postgres://` /
//! `postgresql://` URL (PostgreSQL). Also the one place that hides a
//! password in a URL before it is shown anywhere, and finds the password
//! the way libpq does (`PGPASSWORD`, then `PGPASSFILE` or `~/.pgpass`),
//! plus a file named in sev's config that only its owner can read.

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

/// Is this locator a PostgreSQL URL (and not a file path)?
pub fn is_postgres(db: &Path) -> bool {
    db.to_str().is_some_and(|s| {
        let l = s.get(..13).unwrap_or(s).to_ascii_lowercase();
        l.starts_with("postgres://") || l.starts_with("postgresql://")
    })
}

/// The URL with any password replaced by `***`: in the userinfo
/// (`user:secret@`) and in a `password=` query parameter. Everything else
/// stays, so the user can still tell which server and database it is.
pub fn masked(url: &str) -> String {
    let (scheme, rest) = match url.find("://") {
        Some(i) => (&url[..i + 3], &url[i + 3..]),
        None => return url.to_string(),
    };
    // The authority ends at the first '/', '?' or '#'; a password may hold
    // '@', so the userinfo ends at the authority's last '@'.
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let authority = match authority.rfind('@') {
        Some(at) => {
            let (userinfo, host) = authority.split_at(at);
            match userinfo.find(':') {
                Some(c) => format!("{}:***{host}", &userinfo[..c]),
                None => authority.to_string(),
            }
        }
        None => authority.to_string(),
    };
    let tail = match tail.find('?') {
        Some(q) => {
            let (path, query) = tail.split_at(q + 1);
            let params: Vec<String> = query
                .split('&')
                .map(|kv| match kv.split_once('=') {
                    Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=***"),
                    _ => kv.to_string(),
                })
                .collect();
            format!("{path}{}", params.join("&"))
        }
        None => tail.to_string(),
    };
    format!("{scheme}{authority}{tail}")
}

/// A locator as it may be shown: a URL masked, a path as is.
pub fn shown(db: &Path) -> String {
    let s = db.display().to_string();
    let s = if is_postgres(db) { masked(&s) } else { s };
    crate::text::sanitize_line(&s).into_owned()
}

/// Does the URL itself carry a password?
pub fn has_password(url: &str) -> bool {
    masked(url) != url
}

/// The password for `host:port/dbname` as `user`, when the URL has none:
/// `PGPASSWORD`, then the config's `database_password_file` (first line;
/// refused unless only its owner can read it), then the first matching
/// line of `PGPASSFILE` or `~/.pgpass` (libpq's format, and its rule that
/// a file readable by group or others is ignored).
pub fn password_for(
    host: &str,
    port: u16,
    dbname: &str,
    user: &str,
    password_file: Option<&Path>,
) -> Result<Option<String>> {
    if let Some(p) = std::env::var_os("PGPASSWORD").filter(|p| !p.is_empty()) {
        return Ok(Some(p.to_string_lossy().into_owned()));
    }
    if let Some(f) = password_file {
        let shown_f = crate::text::sanitize_line(&f.display().to_string()).into_owned();
        match owner_only(f) {
            Ok(true) => {}
            Ok(false) => {
                return Err(Error::Unavailable(format!(
                    "password file {shown_f} must be yours and readable only by you: chmod 600 {shown_f}"
                )));
            }
            Err(e) => {
                return Err(Error::Unavailable(format!(
                    "cannot read password file {shown_f}: {e}"
                )));
            }
        }
        let text = std::fs::read_to_string(f)
            .map_err(|e| Error::Unavailable(format!("cannot read password file {shown_f}: {e}")))?;
        let p = text.lines().next().unwrap_or("").to_string();
        if !p.is_empty() {
            return Ok(Some(p));
        }
    }
    let pgpass = std::env::var_os("PGPASSFILE")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .or_else(|| directories::BaseDirs::new().map(|d| d.home_dir().join(".pgpass")));
    if let Some(f) = pgpass
        && owner_only(&f).unwrap_or(false)
        && let Ok(text) = std::fs::read_to_string(&f)
        && let Some(p) = pgpass_lookup(&text, host, port, dbname, user)
    {
        return Ok(Some(p));
    }
    Ok(None)
}

/// A regular file, owned by this user, with no group or other bits.
fn owner_only(f: &Path) -> std::io::Result<bool> {
    use std::os::unix::fs::MetadataExt;
    let m = std::fs::metadata(f)?;
    Ok(m.is_file() && m.mode() & 0o077 == 0 && m.uid() == nix::unistd::geteuid().as_raw())
}

/// libpq's `.pgpass`: `host:port:database:user:password`, `*` matches
/// anything, `\:` and `\\` are escapes; the first matching line wins.
pub fn pgpass_lookup(text: &str, host: &str, port: u16, db: &str, user: &str) -> Option<String> {
    let port = port.to_string();
    for line in text.lines() {
        if line.trim_start().starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let mut fields: Vec<String> = vec![String::new()];
        let mut chars = line.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => {
                    if let (Some(n), Some(f)) = (chars.next(), fields.last_mut()) {
                        f.push(n);
                    }
                }
                ':' if fields.len() < 5 => fields.push(String::new()),
                c => {
                    if let Some(f) = fields.last_mut() {
                        f.push(c);
                    }
                }
            }
        }
        if fields.len() != 5 {
            continue;
        }
        let want = [host, port.as_str(), db, user];
        let host_ok =
            |f: &str, w: &str| f == "*" || f == w || (w.starts_with('/') && f == "localhost");
        if want.iter().zip(&fields).enumerate().all(|(i, (w, f))| {
            if i == 0 {
                host_ok(f, w)
            } else {
                f == "*" || f == w
            }
        }) {
            return Some(fields[4].clone());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_told_from_paths() {
        assert!(is_postgres(Path::new("postgres://h/db")));
        assert!(is_postgres(Path::new("PostgreSQL://h/db")));
        assert!(!is_postgres(Path::new("/var/lib/sev/sev.db")));
        assert!(!is_postgres(Path::new("postgres.db")));
        assert!(!is_postgres(Path::new("./postgres://x")));
    }

    #[test]
    fn passwords_are_masked_everywhere_in_a_url() {
        assert_eq!(
            masked("postgres://sev:s3cr@t@db.example:5432/sev?sslmode=require"),
            "postgres://sev:***@db.example:5432/sev?sslmode=require"
        );
        assert_eq!(
            masked("postgresql://h/sev?user=a&password=hunter2&sslmode=disable"),
            "postgresql://h/sev?user=a&password=***&sslmode=disable"
        );
        assert_eq!(masked("postgres://sev@h/db"), "postgres://sev@h/db");
        assert!(has_password("postgres://a:b@h/db"));
        assert!(!has_password("postgres://a@h/db"));
        assert!(!shown(Path::new("postgres://a:topsecret@h/db")).contains("topsecret"));
    }

    #[test]
    fn pgpass_lines_match_like_libpq() {
        let f =
            "# comment\nother:5432:*:sev:nope\n127.0.0.1:5432:sev:sev:pa\\:ss\n*:*:*:*:fallback\n";
        assert_eq!(
            pgpass_lookup(f, "127.0.0.1", 5432, "sev", "sev").as_deref(),
            Some("pa:ss")
        );
        assert_eq!(
            pgpass_lookup(f, "db", 5433, "x", "y").as_deref(),
            Some("fallback")
        );
        assert_eq!(pgpass_lookup("a:1:b:c\n", "a", 1, "b", "c"), None);
    }
}
