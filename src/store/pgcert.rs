//! What `sev doctor` says about the client certificate sev presents to
//! PostgreSQL: which file, whose it is, until when — read from the PEM
//! sev already loads for the handshake (OpenSSL, which native-tls uses
//! here anyway).

use chrono::{DateTime, Utc};

/// The client certificate this connection offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientCert {
    /// The file, as it may be shown.
    pub file: String,
    /// Its subject (`CN=alice, O=ops`), when it could be read.
    pub subject: Option<String>,
    /// When it stops being valid, when that could be read.
    pub not_after: Option<DateTime<Utc>>,
}

impl ClientCert {
    /// Describe the first certificate of `pem` (the client's own; any
    /// intermediates follow it).
    pub(crate) fn read(file: String, pem: &[u8]) -> ClientCert {
        let x = openssl::x509::X509::from_pem(pem).ok();
        let subject = x.as_ref().map(|x| {
            let parts: Vec<String> = x
                .subject_name()
                .entries()
                .map(|e| {
                    let key = e.object().nid().short_name().unwrap_or("?");
                    let val = e.data().to_string().unwrap_or_else(|_| "?".into());
                    format!("{key}={val}")
                })
                .collect();
            crate::text::sanitize_line(&parts.join(", ")).into_owned()
        });
        let not_after = x.as_ref().and_then(|x| {
            let epoch = openssl::asn1::Asn1Time::from_unix(0).ok()?;
            let d = epoch.diff(x.not_after()).ok()?;
            DateTime::from_timestamp(i64::from(d.days) * 86_400 + i64::from(d.secs), 0)
        });
        ClientCert {
            file,
            subject,
            not_after,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ClientCert;

    /// openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1
    /// -nodes -subj /CN=alice/O=ops -days 1500 (notAfter=Jan 6 09:07:28 2031 GMT)
    const PEM: &str = "-----BEGIN CERTIFICATE-----
MIIBkTCCATegAwIBAgIUFN7Js/aQlK1XWeGW8PX7y0SEINswCgYIKoZIzj0EAwIw
HjEOMAwGA1UEAwwFYWxpY2UxDDAKBgNVBAoMA29wczAeFw0yNjExMjgwOTA3Mjha
Fw0zMTAxMDYwOTA3MjhaMB4xDjAMBgNVBAMMBWFsaWNlMQwwCgYDVQQKDANvcHMw
WTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAASQc3OpG4CPuTpX1jiNANkFrxnnCxkk
peLnX3Iss2URvAqSoj2GZ7q9jk1NErlQCx5SmJzDeeNaE4T7I+L6CYtyo1MwUTAd
BgNVHQ4EFgQUv+13cegKgngyUJ70q9TIGMugb5AwHwYDVR0jBBgwFoAUv+13cegK
gngyUJ70q9TIGMugb5AwDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNIADBF
AiEA/JmeK8XgkAmGAbH4ChbSScqTSEn9KMt0XK0z/sm3E+MCIC8HmJMcLy918q8H
6Lc7F2Xe0lBzj7XrRoo17+Di509C
-----END CERTIFICATE-----
";

    #[test]
    fn subject_and_expiry_are_read_and_garbage_is_not_an_error() {
        let c = ClientCert::read("c.crt".into(), PEM.as_bytes());
        assert_eq!(c.subject.as_deref(), Some("CN=alice, O=ops"));
        assert_eq!(
            c.not_after.map(|t| t.to_rfc3339()).as_deref(),
            Some("2031-01-06T09:07:28+00:00")
        );
        let none = ClientCert::read("x".into(), b"not a certificate");
        assert_eq!((none.subject, none.not_after), (None, None));
    }
}
