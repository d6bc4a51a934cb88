//! Where `sev serve` listens: a TCP address (loopback unless an IP is named
//! on purpose) or a Unix socket for a reverse proxy, bound before the
//! runtime starts so the socket's mode is never wider than 0660.

use crate::error::{Error, Result};
use crate::text::sanitize_line;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

/// A `--listen` value, understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Listen {
    Tcp(SocketAddr),
    Unix(PathBuf),
}

impl Listen {
    /// `127.0.0.1:8080`, `[::1]:8080`, `localhost:8080`, `:8080` or `8080`
    /// (loopback), `192.0.2.10:8080` (that interface, named on purpose),
    /// `unix:/run/sev/serve.sock`. A host name other than localhost is
    /// refused: a name could resolve to an interface nobody meant to open.
    pub fn parse(s: &str) -> Result<Listen> {
        let shown = sanitize_line(s);
        if let Some(p) = s.strip_prefix("unix:") {
            let path = PathBuf::from(p);
            if !path.is_absolute() {
                return Err(Error::Usage(format!(
                    "--listen {shown}: a Unix socket needs an absolute path (unix:/run/sev/serve.sock)"
                )));
            }
            return Ok(Listen::Unix(path));
        }
        let port_only = s.strip_prefix(':').unwrap_or(s);
        if let Ok(port) = port_only.parse::<u16>() {
            return Ok(Listen::Tcp(SocketAddr::new(
                Ipv4Addr::LOCALHOST.into(),
                port,
            )));
        }
        if let Ok(a) = s.parse::<SocketAddr>() {
            return Ok(Listen::Tcp(a));
        }
        if let Some(port) = s.strip_prefix("localhost:")
            && let Ok(port) = port.parse::<u16>()
        {
            return Ok(Listen::Tcp(SocketAddr::new(
                Ipv4Addr::LOCALHOST.into(),
                port,
            )));
        }
        Err(Error::Usage(format!(
            "--listen {shown}: give IP:PORT (127.0.0.1:8080, [::1]:8080, or another interface's IP on purpose), or unix:/path/to/socket — a host name is not accepted, so a name can never open a public interface"
        )))
    }

    /// Whether only this host can connect.
    pub fn is_local(&self) -> bool {
        match self {
            Listen::Tcp(a) => is_loopback(a.ip()),
            Listen::Unix(_) => true,
        }
    }
}

fn is_loopback(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(v6) => {
            v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
    }
}

/// A bound, not yet accepting, listener.
#[derive(Debug)]
pub enum Bound {
    Tcp(std::net::TcpListener),
    Unix(std::os::unix::net::UnixListener, SocketFile),
}

/// The socket file this process made, removed when it stops (only if it
/// is still the same file).
#[derive(Debug)]
pub struct SocketFile {
    pub path: PathBuf,
    dev: u64,
    ino: u64,
}

impl Drop for SocketFile {
    fn drop(&mut self) {
        if let Ok(m) = std::fs::symlink_metadata(&self.path)
            && m.dev() == self.dev
            && m.ino() == self.ino
        {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

impl Bound {
    /// What to print: `127.0.0.1:43121` or `unix:/run/sev/serve.sock`.
    pub fn shown(&self) -> String {
        match self {
            Bound::Tcp(l) => l
                .local_addr()
                .map(|a| a.to_string())
                .unwrap_or_else(|_| "?".into()),
            Bound::Unix(_, f) => format!("unix:{}", sanitize_line(&f.path.display().to_string())),
        }
    }
}

/// Bind `l`. TCP: the address as given (port 0 picks a free one). Unix: a
/// new socket created 0660; a stale socket of a stopped server is
/// replaced, anything else at the path (a link, a file, a live socket) is
/// refused.
pub fn bind(l: &Listen) -> Result<Bound> {
    match l {
        Listen::Tcp(a) => {
            let sock = std::net::TcpListener::bind(a).map_err(|e| {
                let why = if e.kind() == std::io::ErrorKind::AddrInUse {
                    "it is in use (another sev serve?): pick another port with --listen".to_string()
                } else {
                    format!("{e}")
                };
                Error::Unavailable(format!("cannot listen on {a}: {why}"))
            })?;
            sock.set_nonblocking(true)
                .map_err(|e| Error::Unavailable(format!("cannot listen on {a}: {e}")))?;
            Ok(Bound::Tcp(sock))
        }
        Listen::Unix(path) => bind_unix(path),
    }
}

fn bind_unix(path: &Path) -> Result<Bound> {
    let shown = sanitize_line(&path.display().to_string()).into_owned();
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(Error::Unavailable(format!("cannot use {shown}: {e}"))),
        Ok(m) if m.file_type().is_symlink() => {
            return Err(Error::Unavailable(format!(
                "refusing to listen at {shown}: it is a symbolic link, and sev never follows one for its socket — remove it, or name another path"
            )));
        }
        Ok(m) if !m.file_type().is_socket() => {
            return Err(Error::Unavailable(format!(
                "refusing to listen at {shown}: something that is not a socket is there, and sev will not replace it — remove it, or name another path"
            )));
        }
        Ok(_) => {
            if std::os::unix::net::UnixStream::connect(path).is_ok() {
                return Err(Error::Unavailable(format!(
                    "cannot listen at {shown}: a server is answering there (another sev serve?)"
                )));
            }
            // A socket nobody answers on: left by a server that stopped.
            std::fs::remove_file(path).map_err(|e| {
                Error::Unavailable(format!("cannot replace the stale socket {shown}: {e}"))
            })?;
        }
    }
    // A socket is created 0777 minus the umask. Make it 0660 where nobody
    // else can reach it (a private directory beside it), then link it into
    // place: there is no moment in which others may connect, no umask
    // (process-wide) is touched, and link(2) never replaces what is there.
    let parent = path.parent().unwrap_or(Path::new("/"));
    let private = tempfile::Builder::new()
        .prefix(".sev-serve-")
        .tempdir_in(parent)
        .map_err(|e| Error::Unavailable(format!("cannot listen at {shown}: {e}")))?;
    let staged = private.path().join("s");
    let sock = std::os::unix::net::UnixListener::bind(&staged)
        .map_err(|e| Error::Unavailable(format!("cannot listen at {shown}: {e}")))?;
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&staged, std::fs::Permissions::from_mode(0o660))
        .and_then(|()| std::fs::hard_link(&staged, path))
        .and_then(|()| sock.set_nonblocking(true))
        .map_err(|e| Error::Unavailable(format!("cannot listen at {shown}: {e}")))?;
    drop(private);
    let m = std::fs::symlink_metadata(path)
        .map_err(|e| Error::Unavailable(format!("cannot listen at {shown}: {e}")))?;
    Ok(Bound::Unix(
        sock,
        SocketFile {
            path: path.to_path_buf(),
            dev: m.dev(),
            ino: m.ino(),
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        let l = |s: &str| Listen::parse(s).unwrap();
        assert_eq!(l("8080"), Listen::Tcp("127.0.0.1:8080".parse().unwrap()));
        assert_eq!(l(":8080"), Listen::Tcp("127.0.0.1:8080".parse().unwrap()));
        assert_eq!(
            l("localhost:9"),
            Listen::Tcp("127.0.0.1:9".parse().unwrap())
        );
        assert_eq!(l("[::1]:80"), Listen::Tcp("[::1]:80".parse().unwrap()));
        assert!(l("127.0.0.1:0").is_local());
        assert!(l("[::1]:80").is_local());
        assert!(l("[::ffff:127.0.0.1]:80").is_local());
        assert!(!l("0.0.0.0:8080").is_local());
        assert!(!l("192.0.2.10:8080").is_local());
        assert_eq!(
            l("unix:/run/sev.sock"),
            Listen::Unix("/run/sev.sock".into())
        );
        assert!(l("unix:/run/sev.sock").is_local());
        for bad in [
            "example.com:80",
            "unix:relative.sock",
            "",
            "127.0.0.1",
            "1.2.3.4:99999",
        ] {
            let e = Listen::parse(bad).unwrap_err().to_string();
            assert!(e.starts_with("--listen"), "{bad}: {e}");
        }
    }

    #[test]
    fn unix_socket_is_0660_and_never_replaces_other_things() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("s.sock");
        let b = bind(&Listen::Unix(p.clone())).unwrap();
        let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o660);
        // A live socket is not taken over.
        let e = bind(&Listen::Unix(p.clone())).unwrap_err().to_string();
        assert!(e.contains("answering"), "{e}");
        drop(b);
        assert!(!p.exists(), "the socket is removed at the end");
        // A stale socket (its server gone) is replaced.
        let stale = std::os::unix::net::UnixListener::bind(&p).unwrap();
        drop(stale);
        let b = bind(&Listen::Unix(p.clone())).unwrap();
        drop(b);
        // A file, or a link, is refused and left alone.
        std::fs::write(&p, "x").unwrap();
        let e = bind(&Listen::Unix(p.clone())).unwrap_err().to_string();
        assert!(e.contains("not a socket"), "{e}");
        assert_eq!(std::fs::read(&p).unwrap(), b"x");
        let link = dir.path().join("l.sock");
        std::os::unix::fs::symlink(&p, &link).unwrap();
        let e = bind(&Listen::Unix(link.clone())).unwrap_err().to_string();
        assert!(e.contains("symbolic link"), "{e}");
    }
}
