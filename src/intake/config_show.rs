//! The intake's part of `sev config show`: `[alerts]`, `[[integrations]]`
//! and `[[routes]]` as TOML that reads back as the same configuration.
//! Secrets are never in the config, only the paths of their files, and
//! those are shown.

use super::config::{AlertsConfig, Integration, WhenResolved};
use super::config_file::show_duration;
use super::route::Route;
use std::fmt::Write;

fn q(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn list(v: &[String]) -> String {
    let items: Vec<String> = v.iter().map(|s| q(s)).collect();
    format!("[{}]", items.join(", "))
}

pub fn render(a: &AlertsConfig) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "\n[alerts]");
    let _ = writeln!(out, "default_severity = {}", q(a.default_severity.as_str()));
    let _ = writeln!(out, "bell = {}", a.bell);
    let _ = writeln!(out, "max_body_bytes = {}", a.max_body_bytes);
    let _ = writeln!(out, "read_timeout = {}", q(&show_duration(a.read_timeout)));
    let _ = writeln!(out, "max_concurrent = {}", a.max_concurrent);
    let _ = writeln!(out, "\n[alerts.severity_map]");
    for (word, sev) in &a.severity_map {
        let _ = writeln!(out, "{} = {}", q(word), q(sev.as_str()));
    }
    if a.integrations.is_empty() {
        let _ = writeln!(
            out,
            "\n# no [[integrations]]: sev ingest uses one per source, with defaults"
        );
    }
    for i in &a.integrations {
        integration(&mut out, i);
    }
    if a.routes.is_empty() {
        let _ = writeln!(
            out,
            "\n# no [[routes]]: alerts open incidents with the defaults"
        );
    }
    for r in &a.routes {
        route(&mut out, r);
    }
    out
}

fn integration(out: &mut String, i: &Integration) {
    let _ = writeln!(out, "\n[[integrations]]");
    let _ = writeln!(out, "name = {}", q(&i.name));
    let _ = writeln!(out, "source = {}", q(i.source.as_str()));
    for (k, p) in [
        ("secret_file", &i.secret_file),
        ("routing_key_file", &i.routing_key_file),
        ("signing_secret_file", &i.signing_secret_file),
    ] {
        if let Some(p) = p {
            let _ = writeln!(out, "{k} = {}", q(&p.display().to_string()));
        }
    }
    if let Some(g) = &i.group_by {
        let _ = writeln!(out, "group_by = {}", list(g));
    }
    let wr = match i.when_resolved {
        WhenResolved::Mitigate => "mitigate",
        WhenResolved::Resolve => "resolve",
        WhenResolved::Nothing => "nothing",
    };
    let _ = writeln!(out, "when_resolved = {}", q(wr));
    let _ = writeln!(
        out,
        "reopen_window = {}",
        q(&show_duration(i.reopen_window))
    );
    if let Some(d) = i.resolve_after_quiet {
        let _ = writeln!(out, "resolve_after_quiet = {}", q(&show_duration(d)));
    }
    if let Some(d) = i.heartbeat {
        let _ = writeln!(out, "heartbeat = {}", q(&show_duration(d)));
    }
    let _ = writeln!(out, "storm_per_minute = {}", i.storm_per_minute);
    if let Some(s) = &i.service {
        let _ = writeln!(out, "service = {}", q(s));
    }
    if let Some(m) = &i.mapping {
        let _ = writeln!(out, "[integrations.mapping]");
        let _ = writeln!(out, "key = {}", q(&m.key));
        let _ = writeln!(out, "summary = {}", q(&m.summary));
        if let Some(s) = &m.severity {
            let _ = writeln!(out, "severity = {}", q(s));
        }
        let _ = writeln!(out, "state = {}", q(&m.state));
        if let Some(g) = &m.group {
            let _ = writeln!(out, "group = {}", q(g));
        }
        for (name, table) in [("labels", &m.labels), ("annotations", &m.annotations)] {
            if table.is_empty() {
                continue;
            }
            let _ = writeln!(out, "[integrations.mapping.{name}]");
            for (k, v) in table {
                let _ = writeln!(out, "{} = {}", q(k), q(v));
            }
        }
    }
}

fn route(out: &mut String, r: &Route) {
    let _ = writeln!(out, "\n[[routes]]");
    if let Some(n) = &r.name {
        let _ = writeln!(out, "name = {}", q(n));
    }
    let ms: Vec<String> = r.matchers.iter().map(|m| m.to_string()).collect();
    let _ = writeln!(out, "match = {}", list(&ms));
    if let Some(w) = &r.when {
        let mut parts = Vec::new();
        let days = w.days_list();
        if !days.is_empty() {
            parts.push(format!("days = {}", list(&days)));
        }
        if let Some(h) = w.hours_text() {
            parts.push(format!("hours = {}", q(&h)));
        }
        parts.push(format!("tz = {}", q(&w.tz.name())));
        let _ = writeln!(out, "when = {{ {} }}", parts.join(", "));
    }
    let s = &r.set;
    let mut set = Vec::new();
    let mut text = |k: &str, v: Option<&str>| {
        if let Some(v) = v {
            set.push(format!("{k} = {}", q(v)));
        }
    };
    text("service", s.service.as_deref());
    text("category", s.category.as_deref());
    text("severity", s.severity.map(|v| v.as_str()));
    text("impact", s.impact.map(|v| v.as_str()));
    text("urgency", s.urgency.map(|v| v.as_str()));
    text("assignee", s.assignee.as_deref());
    text("commander", s.commander.as_deref());
    if !s.tags.is_empty() {
        set.push(format!("tags = {}", list(&s.tags)));
    }
    if let Some(g) = &s.group_by {
        set.push(format!("group_by = {}", list(g)));
    }
    if !set.is_empty() {
        let _ = writeln!(out, "set = {{ {} }}", set.join(", "));
    }
    if r.suppress {
        let _ = writeln!(out, "suppress = true");
    }
    if r.continue_matching {
        let _ = writeln!(out, "continue = true");
    }
    let at: String = r.at.chars().filter(|c| !c.is_control()).collect();
    let _ = writeln!(out, "# defined at {at}");
}
