use super::*;
use crate::intake::config::Integration;
use std::os::unix::fs::PermissionsExt;

fn secret(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
    p
}

fn bearer(t: &str) -> Presented {
    Presented::from_header(Some(format!("Bearer {t}").as_bytes()))
}

fn basic(userpass: &str) -> Presented {
    let b64 = encode(userpass.as_bytes());
    Presented::from_header(Some(format!("Basic {b64}").as_bytes()))
}

/// A base64 encoder for the tests (the server only decodes).
fn encode(b: &[u8]) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in b.chunks(3) {
        let n = (c[0] as u32) << 16
            | (*c.get(1).unwrap_or(&0) as u32) << 8
            | *c.get(2).unwrap_or(&0) as u32;
        for i in 0..4 {
            if i <= c.len() {
                out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn keys(dir: &Path) -> Keys {
    let mut cfg = AlertsConfig::default();
    let mut am = Integration::named("prod-am", Source::Alertmanager);
    am.secret_file = Some(secret(dir, "am", "tok-am\n"));
    let mut am2 = Integration::named("staging-am", Source::Alertmanager);
    am2.secret_file = Some(secret(dir, "am2", "alice:s3cret:with:colons"));
    let mut gf = Integration::named("grafana", Source::Grafana);
    gf.signing_secret_file = Some(secret(dir, "gf", "hmac-key"));
    let mut zbx = Integration::named("zabbix", Source::Generic);
    zbx.secret_file = Some(secret(dir, "zbx", "tok-zbx"));
    let mut pd = Integration::named("pd", Source::Pagerduty);
    pd.routing_key_file = Some(secret(dir, "pd", "e93facc04764012d7bfb002500d5d1a6\n"));
    cfg.integrations = vec![am, am2, gf, zbx, pd];
    let (k, warnings) = Keys::load(&cfg).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    k
}

#[test]
fn base64_round_trips() {
    for s in ["", "a", "ab", "abc", "alice:s3cret", "\u{0}\u{ff}é"] {
        assert_eq!(
            base64_decode(encode(s.as_bytes()).as_bytes()).unwrap(),
            s.as_bytes()
        );
        let unpadded = encode(s.as_bytes()).trim_end_matches('=').to_string();
        assert_eq!(base64_decode(unpadded.as_bytes()).unwrap(), s.as_bytes());
    }
    assert_eq!(base64_decode(b"YWxpY2U6cHc="), Some(b"alice:pw".to_vec()));
    assert!(base64_decode(b"a").is_none());
    assert!(base64_decode(b"@@@@").is_none());
}

#[test]
fn each_credential_selects_its_integration() {
    let dir = tempfile::tempdir().unwrap();
    let k = keys(dir.path());
    let am = Some(Source::Alertmanager);
    assert_eq!(
        k.authenticate(am, None, &bearer("tok-am")),
        Ok(Auth::Integration("prod-am"))
    );
    assert_eq!(
        k.authenticate(am, None, &basic("alice:s3cret:with:colons")),
        Ok(Auth::Integration("staging-am"))
    );
    // Scheme names are case-insensitive; the token is not.
    assert_eq!(
        k.authenticate(am, None, &Presented::from_header(Some(b"bearer tok-am"))),
        Ok(Auth::Integration("prod-am"))
    );
    assert!(matches!(
        k.authenticate(am, None, &bearer("TOK-AM")),
        Err(Refusal::Unauthorized(_))
    ));
    // A prefix of the token, the token with more after it: no.
    for t in ["tok-a", "tok-amm", "tok-am:"] {
        assert!(
            matches!(
                k.authenticate(am, None, &bearer(t)),
                Err(Refusal::Unauthorized(_))
            ),
            "{t:?}"
        );
    }
    assert!(matches!(
        k.authenticate(am, None, &Presented::from_header(None)),
        Err(Refusal::Unauthorized(m)) if m.starts_with("no credential")
    ));
    assert!(matches!(
        k.authenticate(am, None, &Presented::from_header(Some(b"Digest x"))),
        Err(Refusal::Unauthorized(_))
    ));
    // Another endpoint's credential: told where it belongs.
    let e = k.authenticate(am, None, &bearer("tok-zbx")).unwrap_err();
    assert!(
        matches!(&e, Refusal::Elsewhere(m) if m.contains("/ingest/generic/zabbix")),
        "{e:?}"
    );
    let g = Some(Source::Generic);
    assert_eq!(
        k.authenticate(g, Some("zabbix"), &bearer("tok-zbx")),
        Ok(Auth::Integration("zabbix"))
    );
    assert!(matches!(
        k.authenticate(g, Some("other"), &bearer("tok-zbx")),
        Err(Refusal::Elsewhere(_))
    ));
    // Grafana signing alone: the signature decides.
    assert_eq!(
        k.authenticate(Some(Source::Grafana), None, &Presented::from_header(None)),
        Ok(Auth::BySignature)
    );
    assert_eq!(
        k.grafana_by_signature(|s| s == b"hmac-key"),
        Some("grafana")
    );
    assert_eq!(k.grafana_by_signature(|_| false), None);
    // PagerDuty: the routing key, as written in the file without its newline.
    assert_eq!(
        k.by_routing_key("e93facc04764012d7bfb002500d5d1a6"),
        Some("pd")
    );
    assert_eq!(k.by_routing_key("e93facc04764012d7bfb002500d5d1a7"), None);
    // Heartbeats: the integration's own secret, or a PagerDuty routing key.
    assert_eq!(
        k.authenticate(
            None,
            Some("pd"),
            &bearer("e93facc04764012d7bfb002500d5d1a6")
        ),
        Ok(Auth::Integration("pd"))
    );
    assert_eq!(
        k.authenticate(None, Some("prod-am"), &bearer("tok-am")),
        Ok(Auth::Integration("prod-am"))
    );
}

#[test]
fn secret_files_must_be_private_regular_files() {
    let dir = tempfile::tempdir().unwrap();
    let p = secret(dir.path(), "s", "  tok  \n");
    assert_eq!(read_secret(&p, "secret_file", "x").unwrap(), b"tok");
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o640)).unwrap();
    let e = read_secret(&p, "secret_file", "prod")
        .unwrap_err()
        .to_string();
    let shown = p.display().to_string();
    assert!(e.contains(&format!("chmod 600 {shown}")), "{e}");
    assert!(
        e.contains("mode 0640") && e.contains("integration prod"),
        "{e}"
    );
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
    let link = dir.path().join("link");
    std::os::unix::fs::symlink(&p, &link).unwrap();
    let e = read_secret(&link, "secret_file", "x")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("symbolic link") && e.contains("chmod 600"),
        "{e}"
    );
    let e = read_secret(dir.path(), "secret_file", "x")
        .unwrap_err()
        .to_string();
    assert!(e.contains("not a regular file"), "{e}");
    let empty = secret(dir.path(), "e", "\n");
    let e = read_secret(&empty, "secret_file", "x")
        .unwrap_err()
        .to_string();
    assert!(e.contains("empty"), "{e}");
    let e = read_secret(&dir.path().join("missing"), "secret_file", "x")
        .unwrap_err()
        .to_string();
    assert!(e.contains("missing"), "{e}");
    if nix::unistd::geteuid().is_root() {
        std::os::unix::fs::chown(&p, Some(65534), None).unwrap();
        let e = read_secret(&p, "secret_file", "x").unwrap_err().to_string();
        assert!(e.contains("belongs to") && e.contains("chmod 600"), "{e}");
    }
}

#[test]
fn unreachable_integrations_are_warned_about() {
    let cfg = AlertsConfig {
        integrations: vec![
            Integration::named("am", Source::Alertmanager),
            Integration::named("pd", Source::Pagerduty),
            Integration::named("gf", Source::Grafana),
        ],
        ..Default::default()
    };
    let (_, w) = Keys::load(&cfg).unwrap();
    assert_eq!(w.len(), 3, "{w:?}");
    assert!(w[0].contains("am") && w[0].contains("secret_file"), "{w:?}");
}
