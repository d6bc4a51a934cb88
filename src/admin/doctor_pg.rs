//! `sev doctor` on PostgreSQL: reachability, TLS, schema, privileges,
//! append-only triggers and the audit chain.

use super::*;

/// `sev doctor` on a PostgreSQL URL: reachability, TLS, schema version,
/// the role's privileges, the append-only triggers, the records and the
/// audit chain. Never shows the password.
pub(super) fn doctor_postgres(db: &Path) -> Vec<Finding> {
    let shown = crate::store::locator::shown(db);
    let mut out = Vec::new();
    let store = match crate::store::Store::open_existing(db) {
        Ok(s) => s,
        Err(e) => {
            out.push(finding(
                Level::Fail,
                "server",
                e.to_string(),
                Some("check the URL, that the server runs, and PGPASSWORD or ~/.pgpass".into()),
            ));
            return out;
        }
    };
    let Some(Ok(h)) = store.postgres_health() else {
        out.push(finding(
            Level::Fail,
            "server",
            format!("{shown}: cannot read the server's state"),
            None,
        ));
        return out;
    };
    out.push(finding(
        Level::Ok,
        "server",
        format!(
            "{shown} reachable (PostgreSQL {}, role {})",
            h.server_version, h.role
        ),
        None,
    ));
    let local = ["127.0.0.1", "localhost", "::1", "[::1]"]
        .iter()
        .any(|h| shown.contains(&format!("@{h}")) || shown.contains(&format!("//{h}")));
    out.push(if h.tls && h.tls_verified {
        finding(
            Level::Ok,
            "tls",
            format!(
                "the connection is encrypted (TLS, sslmode={}, the server's certificate verified)",
                h.tls_mode
            ),
            None,
        )
    } else if h.tls {
        finding(
            if local { Level::Ok } else { Level::Warn },
            "tls",
            format!(
                "the connection is encrypted (TLS, sslmode={}), the server's certificate not verified",
                h.tls_mode
            ),
            (!local).then(|| {
                "add sslmode=verify-full&sslrootcert=/path/to/ca.crt to the URL so no one can pose as the server".into()
            }),
        )
    } else if local {
        finding(
            Level::Ok,
            "tls",
            format!("not encrypted (sslmode={}, a local server)", h.tls_mode),
            None,
        )
    } else {
        finding(
            Level::Warn,
            "tls",
            format!(
                "the connection to a remote server is not encrypted (sslmode={})",
                h.tls_mode
            ),
            Some("add sslmode=verify-full&sslrootcert=/path/to/ca.crt to the URL (the server needs ssl=on), or reach it through an SSH tunnel".into()),
        )
    });
    if h.tls {
        out.push(client_cert_finding(&h, chrono::Utc::now()));
    }
    let known = crate::store::MIGRATIONS.len() as i64;
    out.push(match store.schema_info() {
        Ok((v, app)) if v == known && app == crate::store::APPLICATION_ID => {
            finding(Level::Ok, "schema", format!("version {v}"), None)
        }
        Ok((v, _)) => finding(
            Level::Fail,
            "schema",
            format!("version {v}, this sev needs {known}"),
            Some("open it once with this sev (any write command) or upgrade sev".into()),
        ),
        Err(e) => finding(Level::Fail, "schema", e.to_string(), None),
    });
    out.push(if h.can_write {
        finding(
            Level::Ok,
            "privileges",
            format!("role {} can write incidents", h.role),
            None,
        )
    } else {
        finding(
            Level::Warn,
            "privileges",
            format!("role {} cannot write incidents (read-only use)", h.role),
            Some("grant the role the writer privileges in README (Running on PostgreSQL)".into()),
        )
    });
    out.push(if h.can_alter_events {
        finding(
            Level::Warn,
            "events",
            format!("role {} could change or remove timeline events (owner, superuser or UPDATE/DELETE)", h.role),
            Some("connect as a least-privilege role: README, Running on PostgreSQL".into()),
        )
    } else {
        finding(Level::Ok, "events", format!("role {} cannot alter events", h.role), None)
    });
    let missing: Vec<&str> = ["events_no_delete", "events_no_update"]
        .into_iter()
        .filter(|t| !h.event_triggers.iter().any(|x| x == t))
        .collect();
    out.push(if missing.is_empty() {
        finding(Level::Ok, "append-only", "events triggers enabled", None)
    } else {
        finding(
            Level::Fail,
            "append-only",
            format!(
                "trigger(s) {} missing or disabled: events can be changed",
                missing.join(", ")
            ),
            Some("ALTER TABLE events ENABLE TRIGGER ALL; then sev verify".into()),
        )
    });
    out.push(match store.verify() {
        Ok(v) => match v.broken {
            None => finding(
                Level::Ok,
                "audit trail",
                format!("{} events, hash chain intact", v.events),
                None,
            ),
            Some(b) => finding(
                Level::Fail,
                "audit trail",
                format!("event #{} (INC-{}): {}", b.event_id, b.incident, b.reason),
                Some("compare with a backup; `sev verify` shows the same finding".into()),
            ),
        },
        Err(e) => finding(Level::Fail, "audit trail", e.to_string(), None),
    });
    out
}

/// Whether this connection sent a client certificate, and which: the file
/// and what it says (subject, expiry), next to what the server received.
/// One configured but not sent means the server did not ask for one (it
/// has no `ssl_ca_file`): it then authenticates the role some other way.
pub(super) fn client_cert_finding(
    h: &crate::store::Health,
    now: chrono::DateTime<chrono::Utc>,
) -> Finding {
    let Some(c) = &h.client_cert else {
        return finding(
            Level::Ok,
            "client cert",
            match &h.client_dn {
                None => "none sent (none configured: no sslcert, no ~/.postgresql/postgresql.crt)"
                    .to_string(),
                Some(dn) => format!("the server reports one ({})", sanitize_line(dn)),
            },
            None,
        );
    };
    let what = match &c.subject {
        Some(s) => format!("{} ({s}", c.file),
        None => format!("{} (subject unreadable", c.file),
    };
    let expiry = match c.not_after {
        Some(t) => format!(", valid until {})", crate::clock::rfc3339(t)),
        None => ")".to_string(),
    };
    let Some(dn) = &h.client_dn else {
        return finding(
            Level::Warn,
            "client cert",
            format!("{what}{expiry} is configured but was not sent: the server did not ask for one (no ssl_ca_file on the server)"),
            Some("set ssl_ca_file on the server and `hostssl … cert` in pg_hba.conf, or drop sslcert from the URL".into()),
        );
    };
    let soon = c
        .not_after
        .filter(|t| *t - now < chrono::Duration::days(30));
    finding(
        if soon.is_some() {
            Level::Warn
        } else {
            Level::Ok
        },
        "client cert",
        format!(
            "sent {what}{expiry}; the server received {}",
            sanitize_line(dn)
        ),
        soon.map(|t| {
            format!(
                "renew it before {}: after that the server refuses this client",
                crate::clock::rfc3339(t)
            )
        }),
    )
}
