//! Accepting connections and serving HTTP/1 on them (hyper), with a header
//! read timeout, a cap on open connections, and a graceful stop: on the
//! signal no new connection is accepted, idle ones close, and a request in
//! flight is answered before its connection closes.

use super::listen::Bound;
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::{Semaphore, watch};
use tower::ServiceExt;

/// Open connections at most; more wait in the kernel's accept queue.
const MAX_CONNECTIONS: usize = 1024;

/// Serve `app` on `bound` until `stop` turns true, then drain: returns
/// when every connection has closed, or after `drain` has passed.
pub async fn serve(
    bound: Bound,
    app: Router,
    mut stop: watch::Receiver<bool>,
    header_timeout: Duration,
    drain: Duration,
) -> std::io::Result<()> {
    let listener = Listener::from(bound)?;
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    // Each connection holds a receiver; all dropped = all closed.
    let (open_tx, open_rx) = watch::channel(());
    loop {
        let slot = tokio::select! {
            s = slots.clone().acquire_owned() => s.expect("never closed"),
            _ = stop.wait_for(|s| *s) => break,
        };
        let accepted = tokio::select! {
            a = listener.accept() => a,
            _ = stop.wait_for(|s| *s) => break,
        };
        match accepted {
            Ok(Conn::Tcp(io)) => {
                let _ = io.set_nodelay(true);
                spawn_conn(io, &app, &stop, &open_rx, header_timeout, slot);
            }
            Ok(Conn::Unix(io)) => spawn_conn(io, &app, &stop, &open_rx, header_timeout, slot),
            Err(e) => {
                // Out of descriptors, or a connection reset before it
                // was accepted: say so, pause, go on.
                super::say(&format!("accept: {e}"));
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
    drop(listener);
    drop(open_rx);
    if tokio::time::timeout(drain, open_tx.closed()).await.is_err() {
        super::say(&format!(
            "stopping with {} connection(s) still open after {} s",
            open_tx.receiver_count(),
            drain.as_secs()
        ));
    }
    Ok(())
}

fn spawn_conn<I>(
    io: I,
    app: &Router,
    stop: &watch::Receiver<bool>,
    open: &watch::Receiver<()>,
    header_timeout: Duration,
    slot: tokio::sync::OwnedSemaphorePermit,
) where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let svc = app
        .clone()
        .map_request(|r: axum::http::Request<hyper::body::Incoming>| r.map(axum::body::Body::new));
    let svc = TowerToHyperService::new(svc);
    let mut stop = stop.clone();
    let open = open.clone();
    tokio::spawn(async move {
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(header_timeout)
            .max_buf_size(64 * 1024);
        let conn = builder.serve_connection(TokioIo::new(io), svc);
        let mut conn = std::pin::pin!(conn);
        let stopping = tokio::select! {
            _ = conn.as_mut() => false,
            r = stop.wait_for(|s| *s) => { drop(r); true }
        };
        if stopping {
            conn.as_mut().graceful_shutdown();
            let _ = conn.as_mut().await;
        }
        drop(open);
        drop(slot);
    });
}

enum Listener {
    Tcp(tokio::net::TcpListener),
    /// The socket file is removed when the listener is dropped.
    Unix(
        tokio::net::UnixListener,
        #[allow(dead_code)] super::listen::SocketFile,
    ),
}

enum Conn {
    Tcp(tokio::net::TcpStream),
    Unix(tokio::net::UnixStream),
}

impl Listener {
    fn from(b: Bound) -> std::io::Result<Listener> {
        Ok(match b {
            Bound::Tcp(l) => Listener::Tcp(tokio::net::TcpListener::from_std(l)?),
            Bound::Unix(l, f) => Listener::Unix(tokio::net::UnixListener::from_std(l)?, f),
        })
    }

    async fn accept(&self) -> std::io::Result<Conn> {
        match self {
            Listener::Tcp(l) => l.accept().await.map(|(s, _)| Conn::Tcp(s)),
            Listener::Unix(l, _) => l.accept().await.map(|(s, _)| Conn::Unix(s)),
        }
    }
}
