//! Standard base64 (RFC 4648, with padding) for output that is not UTF-8:
//! the raw bytes are kept exactly, inside JSON text.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

pub fn encode(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// The bytes, or `None` when `s` is not base64.
pub fn decode(s: &str) -> Option<Vec<u8>> {
    STANDARD.decode(s).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_length_and_byte() {
        assert_eq!(encode(b""), "");
        assert_eq!(encode(b"f"), "Zg==");
        assert_eq!(encode(b"fo"), "Zm8=");
        assert_eq!(encode(b"foo"), "Zm9v");
        assert_eq!(encode(b"foobar"), "Zm9vYmFy");
        let all: Vec<u8> = (0..=255).collect();
        for n in 0..all.len() {
            assert_eq!(decode(&encode(&all[..n])).as_deref(), Some(&all[..n]));
        }
    }

    #[test]
    fn refuses_what_is_not_base64() {
        assert_eq!(decode("Zg="), None);
        assert_eq!(decode("Z===",), None);
        assert_eq!(decode("Zg==Zg=="), None);
        assert_eq!(decode("Z\u{1b}=="), None);
    }
}
