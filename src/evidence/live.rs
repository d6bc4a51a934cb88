//! A command's output on its way to the terminal: decoded as UTF-8 across
//! read boundaries and sanitized ([`crate::text::sanitize`]), so an escape
//! sequence, OSC 52 or a bidi override the command prints is shown, not
//! obeyed. Newlines stay; CRLF becomes LF; a lone CR shows as `^M`.

use crate::text::sanitize;

/// Bytes in, terminal-safe text out; holds back only an unfinished
/// UTF-8 sequence or a CR that may be the start of CRLF.
#[derive(Debug, Default)]
pub struct Live {
    pending: Vec<u8>,
}

impl Live {
    pub fn feed(&mut self, bytes: &[u8]) -> String {
        self.pending.extend_from_slice(bytes);
        let mut out = String::with_capacity(self.pending.len());
        let mut rest: &[u8] = &self.pending;
        loop {
            match std::str::from_utf8(rest) {
                Ok(s) => {
                    out.push_str(s);
                    rest = &[];
                    break;
                }
                Err(e) => {
                    let (valid, after) = rest.split_at(e.valid_up_to());
                    out.push_str(std::str::from_utf8(valid).unwrap_or_default());
                    match e.error_len() {
                        Some(n) => {
                            out.push('\u{fffd}');
                            rest = &after[n..];
                        }
                        None => {
                            rest = after;
                            break;
                        }
                    }
                }
            }
        }
        let mut keep = rest.to_vec();
        if out.ends_with('\r') {
            out.pop();
            keep.insert(0, b'\r');
        }
        self.pending = keep;
        clean(&out)
    }

    /// What is still held back, at the end of the output.
    pub fn finish(&mut self) -> String {
        let rest = std::mem::take(&mut self.pending);
        clean(&String::from_utf8_lossy(&rest))
    }
}

fn clean(s: &str) -> String {
    sanitize(&s.replace("\r\n", "\n")).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn through(chunks: &[&[u8]]) -> String {
        let mut l = Live::default();
        let mut s: String = chunks.iter().map(|c| l.feed(c)).collect();
        s.push_str(&l.finish());
        s
    }

    #[test]
    fn escapes_are_shown_not_obeyed_whatever_the_chunks() {
        let raw = "a\u{1b}[2Jb\u{1b}]52;c;aGk=\u{7}c\u{202e}d\u{9b}1m\n".as_bytes();
        let whole = through(&[raw]);
        assert_eq!(whole, "a^[[2Jb^[]52;c;aGk=^Gc<U+202E>d<U+009B>1m\n");
        for cut in 0..raw.len() {
            assert_eq!(through(&[&raw[..cut], &raw[cut..]]), whole, "cut at {cut}");
        }
        let bytewise: Vec<&[u8]> = raw.chunks(1).collect();
        assert_eq!(through(&bytewise), whole);
    }

    #[test]
    fn crlf_becomes_lf_across_chunks_and_invalid_bytes_are_replaced() {
        assert_eq!(through(&[b"one\r", b"\ntwo\r\n"]), "one\ntwo\n");
        assert_eq!(through(&[b"50%\r60%\r"]), "50%^M60%^M");
        assert_eq!(through(&[b"caf\xe9!", b"\xc3"]), "caf\u{fffd}!\u{fffd}");
        assert_eq!(through(&[b"\xe2\x82", b"\xac"]), "€");
    }
}
