//! Message templates: assets/notify/KIND.txt (embedded), or KIND.txt in
//! an overrides directory (`<config dir>/templates/`). The first line a
//! template renders is the subject, the rest is the body.

use std::path::Path;

/// The kinds of message, each with its template.
pub const KINDS: &[&str] = &["page", "escalation", "update", "breach", "test"];

const BUILTIN: &[(&str, &str)] = &[
    ("page", include_str!("../../assets/notify/page.txt")),
    (
        "escalation",
        include_str!("../../assets/notify/escalation.txt"),
    ),
    ("update", include_str!("../../assets/notify/update.txt")),
    ("breach", include_str!("../../assets/notify/breach.txt")),
    ("test", include_str!("../../assets/notify/test.txt")),
];

/// Stands for a line break inside a value while the subject is cut off.
const VALUE_BREAK: char = '\u{E000}';

/// The built-in template for `kind`.
pub fn builtin(kind: &str) -> Option<&'static str> {
    BUILTIN.iter().find(|(k, _)| *k == kind).map(|(_, t)| *t)
}

/// Render the message of `kind` with `ctx`: (subject, body). A file
/// `<overrides_dir>/<kind>.txt` replaces the built-in template (pass
/// `<config dir>/templates`). Values that are missing render empty, so
/// an override may use fewer or more of them. The subject is one line.
pub fn render(
    kind: &str,
    ctx: &serde_json::Value,
    overrides_dir: Option<&Path>,
) -> Result<(String, String), String> {
    let Some(default) = builtin(kind) else {
        return Err(format!(
            "no message template for {:?}: the kinds are {}",
            crate::text::sanitize_line(kind),
            KINDS.join(", ")
        ));
    };
    let over = overrides_dir.map(|d| d.join(format!("{kind}.txt")));
    let (source, name) = match over.as_ref().filter(|p| p.is_file()) {
        Some(p) => (
            std::fs::read_to_string(p).map_err(|e| {
                format!(
                    "cannot read the message template {}: {e}",
                    crate::text::sanitize_line(&p.display().to_string())
                )
            })?,
            crate::text::sanitize_line(&p.display().to_string()).into_owned(),
        ),
        None => (default.to_string(), format!("assets/notify/{kind}.txt")),
    };
    let mut env = minijinja::Environment::new();
    if let Ok(syntax) = minijinja::syntax::SyntaxConfig::builder()
        .trim_blocks(true)
        .lstrip_blocks(true)
        .build()
    {
        env.set_syntax(syntax);
    }
    // Text, not HTML: no auto-escaping; a missing value is empty.
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Chainable);
    // A value's own line breaks are marked, so the template's first line
    // stays the subject whatever a title holds; they come back below.
    env.set_formatter(|out, state, value| {
        if let Some(s) = value.as_str() {
            let marked: String = s
                .chars()
                .filter(|c| *c != VALUE_BREAK)
                .map(|c| if c == '\n' { VALUE_BREAK } else { c })
                .collect();
            return out.write_str(&marked).map_err(minijinja::Error::from);
        }
        minijinja::escape_formatter(out, state, value)
    });
    let located = |e: minijinja::Error| {
        format!(
            "{name}:{}: template error: {}",
            e.line().unwrap_or(1),
            e.detail().unwrap_or(&e.to_string())
        )
    };
    let out = env
        .template_from_str(&source)
        .and_then(|t| t.render(minijinja::Value::from(minijinja::value::Serde(ctx))))
        .map_err(located)?;
    let out = out.trim_start_matches(['\n', '\r']);
    let (subject, body) = out.split_once('\n').unwrap_or((out, ""));
    let subject: String = subject
        .chars()
        .map(|c| {
            if c.is_control() || c == VALUE_BREAK {
                ' '
            } else {
                c
            }
        })
        .collect();
    let body = body.replace(VALUE_BREAK, "\n");
    let subject = subject.split_whitespace().collect::<Vec<_>>().join(" ");
    let body = body.trim_start_matches(['\n', '\r']).trim_end();
    if subject.is_empty() {
        return Err(format!(
            "{name}: the first line (the subject) renders empty"
        ));
    }
    let mut body = body.to_string();
    if !body.is_empty() {
        body.push('\n');
    }
    Ok((subject, body))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ctx() -> serde_json::Value {
        json!({
            "incident": {
                "reference": "INC-12", "title": "$(reboot) checkout\ndown",
                "severity": "SEV2", "priority": "P1", "status": "investigating",
                "service": "checkout", "assignee": null
            },
            "to": "@alice", "step": 1,
            "update": {"status": "monitoring", "impact": "Card payments fail", "next_update": "14:30 UTC"},
            "clock": "acknowledge", "target": "5m", "due": "2025-03-30 02:05 UTC",
            "channel": "ops-hook", "sent_by": "alice"
        })
    }

    #[test]
    fn every_builtin_renders_a_one_line_subject_and_a_body() {
        for k in KINDS {
            let (s, b) = render(k, &ctx(), None).unwrap();
            assert!(!s.is_empty() && !s.contains('\n'), "{k}: {s:?}");
            assert!(!b.trim().is_empty(), "{k}: {b:?}");
        }
        let (s, b) = render("page", &ctx(), None).unwrap();
        // A title's line break stays out of the subject; the text is data.
        assert_eq!(s, "[SEV2] INC-12 $(reboot) checkout down");
        assert!(b.contains("Service: checkout"), "{b}");
        assert!(!b.contains("Assignee"), "{b}");
        assert!(b.contains("Escalation step: 1"), "{b}");
        let (s, b) = render("update", &ctx(), None).unwrap();
        assert!(s.starts_with("Update: INC-12"), "{s}");
        assert!(
            b.contains("Card payments fail") && b.contains("14:30 UTC"),
            "{b}"
        );
        let (s, _) = render("breach", &ctx(), None).unwrap();
        assert!(s.contains("not acknowledged in time (5m)"), "{s}");
    }

    #[test]
    fn missing_values_render_empty_not_an_error() {
        let (s, _) = render("page", &json!({}), None).unwrap();
        assert_eq!(s, "[]");
        let (s, _) = render("test", &json!({"channel": "mail"}), None).unwrap();
        assert_eq!(s, "sev test message via mail");
    }

    #[test]
    fn an_override_replaces_the_builtin_and_errors_are_located() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(
            d.path().join("page.txt"),
            "PAGE {{ incident.reference }}\n\n{{ incident.title | upper }}\n",
        )
        .unwrap();
        let (s, b) = render("page", &ctx(), Some(d.path())).unwrap();
        assert_eq!(s, "PAGE INC-12");
        assert_eq!(b, "$(REBOOT) CHECKOUT\nDOWN\n");
        // No override for this kind: the built-in.
        let (s, _) = render("test", &ctx(), Some(d.path())).unwrap();
        assert_eq!(s, "sev test message via ops-hook");
        std::fs::write(d.path().join("update.txt"), "x\n{% if %}\n").unwrap();
        let e = render("update", &ctx(), Some(d.path())).unwrap_err();
        assert!(e.contains("update.txt:2:"), "{e}");
        std::fs::write(d.path().join("breach.txt"), "\n\n").unwrap();
        assert!(
            render("breach", &ctx(), Some(d.path()))
                .unwrap_err()
                .contains("subject")
        );
    }

    #[test]
    fn unknown_kinds_never_become_paths() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("x.txt"), "hi\n").unwrap();
        let e = render("../x", &ctx(), Some(&d.path().join("sub"))).unwrap_err();
        assert!(e.contains("page, escalation"), "{e}");
    }
}
