//! Generic senders (Zabbix, GoAlert's generic API, Datadog, scripts): the
//! integration's [`Mapping`](crate::intake::config::Mapping) — small minijinja templates over the JSON
//! body, seen as `body` — picks out one alert per body.
//!
//! Templates come from the (trusted) config; the body does not. A value
//! the body lacks (`body.dedup` when there is none) or any template error
//! is a [`BadBody`] naming the mapping field (`mapping.key: …`); use
//! `default(…)` in the template for fields a sender may leave out. A label
//! or annotation that renders empty is left out (as in Prometheus); an
//! empty severity or group means none.

use super::fields::{Limit, check, count, keep};
use crate::intake::config::Integration;
use crate::intake::model::{AlertIn, BadBody, Batch, Source, State, limits};
use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use serde_json::Value;
use std::collections::BTreeMap;

pub(super) fn parse(root: &Value, integ: &Integration) -> Result<Batch, BadBody> {
    let Some(m) = &integ.mapping else {
        return Err(BadBody(format!(
            "integration {:?} has no mapping: a generic sender needs an [integrations.mapping] table",
            integ.name
        )));
    };
    let r = Renderer::new(root);
    let key = r.render("key", &m.key)?;
    if key.is_empty() {
        return Err(BadBody("mapping.key: rendered empty".into()));
    }
    check(&key, "mapping.key", Limit::Key)?;
    let state_word = r.render("state", &m.state)?;
    let Some(state) = state(&state_word) else {
        let short: String = state_word.chars().take(40).collect();
        return Err(BadBody(format!(
            "mapping.state: {short:?} is not a state (firing/trigger/problem/alerting, acknowledged/ack, resolved/ok/close/recovery)"
        )));
    };
    let summary = r.render("summary", &m.summary)?;
    check(&summary, "mapping.summary", Limit::Summary)?;
    let severity = r.optional("severity", m.severity.as_deref())?;
    if let Some(s) = &severity {
        check(s, "mapping.severity", Limit::Value)?;
    }
    let group = r.optional("group", m.group.as_deref())?;
    if let Some(g) = &group {
        check(g, "mapping.group", Limit::Value)?;
    }
    let labels = r.map("labels", &m.labels)?;
    let annotations = r.map("annotations", &m.annotations)?;

    let mut batch = Batch::new(Source::Generic);
    batch.group = group;
    batch.alerts.push(AlertIn {
        key,
        state,
        summary,
        severity,
        labels,
        annotations,
        links: Vec::new(),
        starts_at: None,
        ends_at: None,
    });
    Ok(batch)
}

/// The state words senders use, in any case and with spaces around.
fn state(word: &str) -> Option<State> {
    Some(match word.trim().to_ascii_lowercase().as_str() {
        "firing" | "fire" | "trigger" | "triggered" | "problem" | "alerting" | "alert" => {
            State::Firing
        }
        "acknowledged" | "acknowledge" | "ack" | "acked" => State::Acknowledged,
        "resolved" | "resolve" | "ok" | "close" | "closed" | "recovery" | "recovered" => {
            State::Resolved
        }
        _ => return None,
    })
}

struct Renderer {
    env: Environment<'static>,
    ctx: minijinja::Value,
}

impl Renderer {
    fn new(root: &Value) -> Renderer {
        let mut env = Environment::new();
        // Printing or iterating over a value the body lacks is an error;
        // `{% if body.x %}` and `default(…)` still work.
        env.set_undefined_behavior(UndefinedBehavior::SemiStrict);
        // Plain text out, whatever the template is called.
        env.set_auto_escape_callback(|_| AutoEscape::None);
        let ctx =
            minijinja::context! { body => minijinja::Value::from(minijinja::value::Serde(root)) };
        Renderer { env, ctx }
    }

    fn render(&self, field: &str, template: &str) -> Result<String, BadBody> {
        let name = format!("mapping.{field}");
        self.env
            .render_named_str(&name, template, &self.ctx)
            .map_err(|e| BadBody(format!("{name}: {}", message(&e))))
    }

    /// An optional field: not configured, or rendered empty, is `None`.
    fn optional(&self, field: &str, template: Option<&str>) -> Result<Option<String>, BadBody> {
        match template {
            None => Ok(None),
            Some(t) => Ok(Some(self.render(field, t)?).filter(|s| !s.trim().is_empty())),
        }
    }

    fn map(
        &self,
        field: &str,
        templates: &BTreeMap<String, String>,
    ) -> Result<BTreeMap<String, String>, BadBody> {
        count(
            templates.len(),
            limits::LABELS,
            &format!("mapping.{field}"),
            "entries",
        )?;
        let mut out = BTreeMap::new();
        for (name, t) in templates {
            let f = format!("{field}.{name}");
            let v = self.render(&f, t)?;
            if !v.is_empty() {
                out.insert(
                    name.clone(),
                    keep(&v, &format!("mapping.{f}"), Limit::Value)?,
                );
            }
        }
        Ok(out)
    }
}

/// minijinja's message, one line: the kind and detail, where in the
/// template, never the template's whole source.
fn message(e: &minijinja::Error) -> String {
    let mut s = e.kind().to_string();
    if let Some(d) = e.detail() {
        s.push_str(": ");
        s.push_str(d);
    }
    if let Some(l) = e.line() {
        s.push_str(&format!(" (line {l})"));
    }
    s.replace(['\n', '\r'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::intake::config::Mapping;
    use serde_json::json;

    fn integ(m: Mapping) -> Integration {
        let mut i = Integration::named("scripts", Source::Generic);
        i.mapping = Some(m);
        i
    }

    fn mapping() -> Mapping {
        Mapping {
            key: "{{ body.id }}".into(),
            summary: "{{ body.title }}".into(),
            severity: Some("{{ body.level | default('') }}".into()),
            state: "{{ body.state | default('firing') }}".into(),
            group: None,
            labels: [(
                "host".to_string(),
                "{{ body.host | default('') }}".to_string(),
            )]
            .into_iter()
            .collect(),
            annotations: BTreeMap::new(),
        }
    }

    #[test]
    fn lenient_state_words() {
        for (w, s) in [
            ("PROBLEM", State::Firing),
            (" trigger ", State::Firing),
            ("Alerting", State::Firing),
            ("ack", State::Acknowledged),
            ("OK", State::Resolved),
            ("close", State::Resolved),
            ("RECOVERY", State::Resolved),
            ("resolved", State::Resolved),
        ] {
            assert_eq!(state(w), Some(s), "{w}");
        }
        assert_eq!(state("maybe"), None);
        assert_eq!(state(""), None);
    }

    #[test]
    fn renders_and_names_the_field() {
        let i = integ(mapping());
        let b = parse(&json!({"id": 7, "title": "<b>disk</b> & co"}), &i).unwrap();
        let a = &b.alerts[0];
        assert_eq!(a.key, "7");
        // No HTML escaping: text is kept as the sender wrote it.
        assert_eq!(a.summary, "<b>disk</b> & co");
        assert_eq!(a.state, State::Firing);
        assert_eq!(a.severity, None);
        assert!(a.labels.is_empty(), "empty renders are left out");

        let e = parse(&json!({"title": "x"}), &i).unwrap_err();
        assert_eq!(e.0, "mapping.key: undefined value (line 1)");
        let e = parse(&json!({"id": 1}), &i).unwrap_err();
        assert!(e.0.starts_with("mapping.summary: undefined value"), "{e}");
        let e = parse(&json!({"id": "", "title": "x"}), &i).unwrap_err();
        assert_eq!(e.0, "mapping.key: rendered empty");
        let e = parse(&json!({"id": 1, "title": "x", "state": "meh"}), &i).unwrap_err();
        assert!(
            e.0.starts_with("mapping.state: \"meh\" is not a state"),
            "{e}"
        );

        let mut m = mapping();
        m.summary = "{{ body.title | nosuchfilter }}".into();
        let e = parse(&json!({"id": 1, "title": "x"}), &integ(m)).unwrap_err();
        assert!(e.0.starts_with("mapping.summary: "), "{e}");
        let mut m = mapping();
        m.labels.insert("bad".into(), "{% if %}".into());
        let e = parse(&json!({"id": 1, "title": "x"}), &integ(m)).unwrap_err();
        assert!(e.0.starts_with("mapping.labels.bad: syntax error"), "{e}");

        let none = Integration::named("scripts", Source::Generic);
        let e = parse(&json!({}), &none).unwrap_err();
        assert!(e.0.contains("has no mapping"), "{e}");
    }
}
