//! Contract tests for the alert parsers (issue #12): every request body in
//! ../shared/data/ingest through its parser, with the exact keys, states,
//! groups, summaries, links and counts; the Alertmanager group lifecycle in
//! order; the generic mappings exactly as README shows them. Hostile bodies
//! are in `intake_contract/hostile.rs`.

#[path = "intake_contract/hostile.rs"]
mod hostile;
#[path = "intake_contract/senders.rs"]
mod senders;

use chrono::{DateTime, Utc};
use serde_json::Value;
use sev::intake::config::{Integration, Mapping};
use sev::intake::model::{AlertIn, BadBody, Batch, Link, Source, State};
use sev::intake::parse::parse;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/ingest");

pub fn fixture(rel: &str) -> Vec<u8> {
    let p = Path::new(DATA).join(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

pub fn fixture_json(rel: &str) -> Value {
    serde_json::from_slice(&fixture(rel)).unwrap()
}

pub fn now() -> DateTime<Utc> {
    "2026-09-01T10:00:00Z".parse().unwrap()
}

pub fn integ(source: Source) -> Integration {
    Integration::named(source.as_str(), source)
}

pub fn parse_as(source: Source, body: &[u8]) -> Result<Batch, BadBody> {
    parse(source, body, &integ(source), now())
}

pub fn parse_generic(name: &str, body: &[u8]) -> Result<Batch, BadBody> {
    let mut i = Integration::named(name, Source::Generic);
    i.mapping = Some(readme_mapping(name));
    parse(Source::Generic, body, &i, now())
}

pub fn ok(source: Source, rel: &str) -> Batch {
    parse_as(source, &fixture(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

pub fn keys_states(b: &Batch) -> Vec<(&str, State)> {
    b.alerts.iter().map(|a| (a.key.as_str(), a.state)).collect()
}

pub fn link(label: &str, url: &str) -> Link {
    Link {
        label: label.into(),
        url: url.into(),
    }
}

pub fn time(s: &str) -> Option<DateTime<Utc>> {
    Some(s.parse().unwrap())
}

pub fn only(b: &Batch) -> &AlertIn {
    assert_eq!(b.alerts.len(), 1, "{b:?}");
    &b.alerts[0]
}

/// The `[integrations.mapping]` named `name` in README's "Generic senders"
/// section, read as the config file's TOML (exactly these field names).
pub fn readme_mapping(name: &str) -> Mapping {
    #[derive(serde::Deserialize)]
    struct File {
        integrations: Vec<Integ>,
    }
    #[derive(serde::Deserialize)]
    #[allow(dead_code)]
    struct Integ {
        name: String,
        source: String,
        secret_file: Option<String>,
        mapping: M,
    }
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct M {
        key: String,
        summary: String,
        severity: Option<String>,
        state: String,
        group: Option<String>,
        #[serde(default)]
        labels: BTreeMap<String, String>,
        #[serde(default)]
        annotations: BTreeMap<String, String>,
    }
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let start = readme
        .find("\n## Generic senders\n")
        .expect("README has a '## Generic senders' section");
    let section = &readme[start + 1..];
    let section = &section[..section[3..].find("\n## ").map_or(section.len(), |e| e + 3)];
    for block in section.split("```toml\n").skip(1) {
        let toml_text = &block[..block.find("```").expect("closed code block")];
        let file: File = toml::from_str(toml_text)
            .unwrap_or_else(|e| panic!("README's TOML does not parse: {e}\n{toml_text}"));
        for i in file.integrations {
            assert_eq!(i.source, "generic", "{}", i.name);
            if i.name == name {
                let m = i.mapping;
                return Mapping {
                    key: m.key,
                    summary: m.summary,
                    severity: m.severity,
                    state: m.state,
                    group: m.group,
                    labels: m.labels,
                    annotations: m.annotations,
                };
            }
        }
    }
    panic!("README's Generic senders section has no integration named {name:?}")
}

/// Which parser reads the fixtures of each directory.
fn parser_of(dir: &str) -> Option<&'static str> {
    Some(match dir {
        "alertmanager" => "alertmanager",
        "grafana" => "grafana",
        "pagerduty" => "pagerduty",
        "zabbix" => "zabbix",
        "generic" => "goalert",
        _ => return None,
    })
}

/// The request bodies in one fixture directory, as `dir/file` paths.
pub fn every_body_in(dir: &str) -> Vec<(String, PathBuf)> {
    let prefix = format!("{dir}/");
    every_body()
        .into_iter()
        .filter(|(rel, _)| rel.starts_with(&prefix))
        .collect()
}

fn every_body() -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    for dir in std::fs::read_dir(DATA).unwrap() {
        let dir = dir.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        let dname = dir.file_name().unwrap().to_string_lossy().into_owned();
        for f in std::fs::read_dir(&dir).unwrap() {
            let f = f.unwrap().path();
            let fname = f.file_name().unwrap().to_string_lossy().into_owned();
            // PagerDuty's answers, not requests.
            if fname.starts_with("pd_response_") {
                continue;
            }
            out.push((format!("{dname}/{fname}"), f));
        }
    }
    out.sort();
    out
}

#[test]
fn every_fixture_parses_and_is_covered() {
    let bodies = every_body();
    assert!(bodies.len() >= 16, "fixtures missing? {bodies:?}");
    // Each one has its exact assertions in intake_contract/senders.rs.
    let covered = [
        "alertmanager/am_v031_firing_single.json",
        "alertmanager/am_v032_group_all_resolved.json",
        "alertmanager/am_v032_group_first_notification.json",
        "alertmanager/am_v032_group_new_alerts_added.json",
        "alertmanager/am_v032_group_some_resolved.json",
        "alertmanager/am_v034_repeat_with_route_labels.json",
        "generic/goalert_generic_close.json",
        "generic/goalert_generic_trigger.json",
        "grafana/grafana_firing.json",
        "grafana/grafana_resolved.json",
        "pagerduty/pd_acknowledge.json",
        "pagerduty/pd_resolve.json",
        "pagerduty/pd_trigger_full.json",
        "pagerduty/pd_trigger_minimal_no_dedup_key.json",
        "zabbix/zbx_problem.json",
        "zabbix/zbx_resolved.json",
    ];
    for (rel, path) in &bodies {
        assert!(
            covered.contains(&rel.as_str()),
            "{rel}: a new fixture — add its exact assertions to intake_contract/senders.rs"
        );
        let dir = rel.split('/').next().unwrap();
        let body = std::fs::read(path).unwrap();
        let parsed = match parser_of(dir) {
            Some("alertmanager") => parse_as(Source::Alertmanager, &body),
            Some("grafana") => parse_as(Source::Grafana, &body),
            Some("pagerduty") => parse_as(Source::Pagerduty, &body),
            Some(name) => parse_generic(name, &body),
            None => panic!("{rel}: no parser for directory {dir}"),
        };
        let b = parsed.unwrap_or_else(|e| panic!("{rel}: {e}"));
        assert!(!b.alerts.is_empty(), "{rel}");
        for a in &b.alerts {
            assert!(!a.key.is_empty() && a.key.len() <= 255, "{rel}: {a:?}");
            assert!(!a.summary.is_empty() || a.state != State::Firing, "{rel}");
        }
    }
    for c in covered {
        assert!(
            bodies.iter().any(|(rel, _)| rel == c),
            "{c} is gone from {DATA}"
        );
    }
}
