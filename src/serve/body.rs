//! Reading a request body within the limits: at most `max` bytes (refused
//! as soon as it is known to be more, before reading it when the sender
//! says its length), within `timeout` from the first byte to the last.

use axum::body::{Body, Bytes, HttpBody};
use std::pin::Pin;
use std::time::Duration;

/// Why a body was not read.
#[derive(Debug, PartialEq, Eq)]
pub enum BodyError {
    /// Over the limit (413).
    TooLarge(usize),
    /// Slower than the read timeout (408).
    Slow(Duration),
    /// The connection broke, or the framing was wrong (400).
    Broken(String),
}

impl std::fmt::Display for BodyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BodyError::TooLarge(max) => write!(
                f,
                "the body is larger than {max} bytes (max_body_bytes under [alerts]): nothing was written"
            ),
            BodyError::Slow(d) => write!(
                f,
                "the body did not arrive within {} s (read_timeout under [alerts]): nothing was written",
                d.as_secs_f64()
            ),
            BodyError::Broken(e) => write!(f, "the body could not be read: {e}"),
        }
    }
}

/// The whole body, or why not. `declared` is the Content-Length header.
pub async fn read(
    mut body: Body,
    declared: Option<u64>,
    max: usize,
    timeout: Duration,
) -> Result<Bytes, BodyError> {
    if declared.is_some_and(|n| n > max as u64) {
        return Err(BodyError::TooLarge(max));
    }
    let collect = async {
        let mut buf: Vec<u8> = Vec::with_capacity(declared.unwrap_or(0) as usize);
        while let Some(frame) = std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await
        {
            let frame = frame.map_err(|e| BodyError::Broken(e.to_string()))?;
            if let Ok(data) = frame.into_data() {
                if buf.len() + data.len() > max {
                    return Err(BodyError::TooLarge(max));
                }
                buf.extend_from_slice(&data);
            }
        }
        Ok(Bytes::from(buf))
    };
    match tokio::time::timeout(timeout, collect).await {
        Ok(r) => r,
        Err(_) => Err(BodyError::Slow(timeout)),
    }
}
