//! One HTTP/1.1 request read off a keep-alive connection, for the small
//! webhook receivers the paging tests and benches run.

use std::io::BufRead;

/// Headers (names lower-cased) and body.
pub type Request = (Vec<(String, String)>, Vec<u8>);

/// The next request's headers (names lower-cased) and body; `None` when
/// the client closed the connection or sent less than it announced.
pub fn read_request(r: &mut impl BufRead) -> Option<Request> {
    let mut line = String::new();
    if r.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let mut headers = Vec::new();
    loop {
        line.clear();
        if r.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some((k, v)) = l.split_once(':') {
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    let len = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    r.read_exact(&mut body).ok()?;
    Some((headers, body))
}
