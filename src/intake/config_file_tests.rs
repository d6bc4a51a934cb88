//! The intake's config sections through the real layering code: values,
//! replacement by later layers, `sev config show` reading back, and every
//! mistake located at file:line:column.

use super::*;
use crate::config::Config;
use crate::intake::matcher::Op;

const GOOD: &str = r#"
[alerts]
default_severity = "SEV4"
bell = true
read_timeout = "15s"
max_concurrent = 8
severity_map = { Critical = "SEV2", page = "SEV2", warning = "SEV4" }

[[integrations]]
name = "prod-am"
source = "alertmanager"
secret_file = "/etc/sev/am.token"
group_by = ["alertname", "cluster"]
when_resolved = "resolve"
reopen_window = "1h30m"
heartbeat = "5m"
storm_per_minute = 50
service = "platform"

[[integrations]]
name = "zabbix"
source = "generic"
resolve_after_quiet = "2h"
[integrations.mapping]
key = "{{ body.event_id }}"
summary = "{{ body.subject }}"
severity = "{{ body.severity | lower }}"
state = "{% if body.status == 'PROBLEM' %}firing{% else %}resolved{% endif %}"
labels = { host = "{{ body.host }}" }

[[routes]]
name = "checkout office hours"
match = ['service="checkout"', 'severity=~"critical|error"']
when = { days = ["mon-fri"], hours = "09:00-17:00", tz = "Europe/Berlin" }
set = { service = "checkout", severity = "SEV1", impact = "high", urgency = "high", assignee = "alice", tags = ["payments"], group_by = ["alertname"] }
continue = true

[[routes]]
match = ['{env="staging", team!~"sre|ops"}']
suppress = true
"#;

fn load(text: &str) -> Result<Config, ConfigError> {
    let mut c = Config::builtin();
    c.layer_str(text, "sev.toml")?;
    Ok(c)
}

fn err(text: &str) -> ConfigError {
    load(text).expect_err("a config error")
}

#[test]
fn the_sections_load_into_the_effective_config() {
    let c = load(GOOD).unwrap();
    let a = &c.alerts;
    assert_eq!(a.default_severity, Severity::Sev4);
    assert!(a.bell);
    assert_eq!(a.read_timeout, Duration::from_secs(15));
    assert_eq!(a.max_concurrent, 8);
    assert_eq!(a.max_body_bytes, crate::intake::model::limits::BODY_BYTES);
    assert_eq!(
        a.severity_map["critical"],
        Severity::Sev2,
        "words are lowercased"
    );
    assert_eq!(a.severity_map["warning"], Severity::Sev4);
    assert_eq!(
        a.severity_map["info"],
        Severity::Sev4,
        "built-in entries stay"
    );
    assert_eq!(a.integrations.len(), 2);
    let am = a.integration("prod-am").unwrap();
    assert_eq!(am.source, Source::Alertmanager);
    assert_eq!(
        am.secret_file.as_deref(),
        Some(std::path::Path::new("/etc/sev/am.token"))
    );
    assert_eq!(am.when_resolved, WhenResolved::Resolve);
    assert_eq!(am.reopen_window, Duration::from_secs(5400));
    assert_eq!(am.heartbeat, Some(Duration::from_secs(300)));
    assert_eq!(am.storm_per_minute, 50);
    assert_eq!(
        am.group_by.as_deref(),
        Some(&["alertname".to_string(), "cluster".into()][..])
    );
    let zbx = a.integration("zabbix").unwrap();
    let m = zbx.mapping.as_ref().unwrap();
    assert_eq!(m.key, "{{ body.event_id }}");
    assert_eq!(m.labels["host"], "{{ body.host }}");
    assert_eq!(zbx.resolve_after_quiet, Some(Duration::from_secs(7200)));
    assert_eq!(a.routes.len(), 2);
    let r = &a.routes[0];
    assert_eq!(r.at, "sev.toml:31:1");
    assert_eq!(r.name.as_deref(), Some("checkout office hours"));
    assert_eq!(r.matchers.len(), 2);
    assert_eq!(r.matchers[1].op, Op::Re);
    assert_eq!(r.set.severity, Some(Severity::Sev1));
    assert_eq!(r.set.assignee.as_deref(), Some("alice"));
    assert!(r.continue_matching && !r.suppress);
    assert_eq!(
        r.when.as_ref().unwrap().describe(),
        "mon-fri 09:00-17:00 Europe/Berlin"
    );
    let s = &a.routes[1];
    assert!(s.suppress && !s.continue_matching && s.name.is_none());
    assert_eq!(s.matchers.len(), 2, "one string may hold several matchers");
}

#[test]
fn config_show_reads_back_as_the_same_config_with_paths_not_secrets() {
    let c = load(GOOD).unwrap();
    let shown = c.to_toml();
    assert!(
        shown.contains("secret_file = \"/etc/sev/am.token\""),
        "{shown}"
    );
    assert!(
        shown.contains(r#"match = ['service="checkout"', 'severity=~"critical|error"']"#),
        "{shown}"
    );
    let mut again = Config::builtin();
    again
        .layer_str(&shown, "shown.toml")
        .unwrap_or_else(|e| panic!("{e}\n{shown}"));
    assert_eq!(again.alerts.integrations, c.alerts.integrations);
    assert_eq!(again.alerts.severity_map, c.alerts.severity_map);
    assert_eq!(again.alerts.default_severity, c.alerts.default_severity);
    assert_eq!(again.alerts.read_timeout, c.alerts.read_timeout);
    let strip = |rs: &[Route]| -> Vec<Route> {
        rs.iter()
            .cloned()
            .map(|r| Route {
                at: String::new(),
                ..r
            })
            .collect()
    };
    assert_eq!(strip(&again.alerts.routes), strip(&c.alerts.routes));
    // The built-in config alone shows and reads back too.
    let b = Config::builtin().to_toml();
    Config::builtin().layer_str(&b, "b.toml").unwrap();
}

#[test]
fn a_later_file_replaces_the_lists_and_merges_the_table() {
    let mut c = load(GOOD).unwrap();
    c.layer_str(
        "[alerts]\nbell = false\n[[routes]]\nname = \"only\"\nsuppress = true\n",
        "later.toml",
    )
    .unwrap();
    assert!(!c.alerts.bell);
    assert_eq!(
        c.alerts.default_severity,
        Severity::Sev4,
        "untouched keys stay"
    );
    assert_eq!(c.alerts.integrations.len(), 2, "no [[integrations]]: kept");
    assert_eq!(c.alerts.routes.len(), 1, "[[routes]] replaced the list");
    assert_eq!(c.alerts.routes[0].at, "later.toml:3:1");
    c.layer_str("integrations = []\n", "clear.toml").unwrap();
    assert!(c.alerts.integrations.is_empty());
}

#[test]
fn every_mistake_is_located_at_its_value() {
    let cases: &[(&str, (usize, usize), &str)] = &[
        (
            "[[routes]]\nmatch = ['service=\"a\"', 'team=~\"(\"']\n",
            (2, 25),
            "bad matcher",
        ),
        (
            "[[routes]]\nmatch = ['service=checkout}']\n",
            (2, 10),
            "without an opening {",
        ),
        (
            "[[integrations]]\nname = \"a\"\nsource = \"nagios\"\n",
            (3, 10),
            "unknown source 'nagios'",
        ),
        (
            "[[integrations]]\nname = \"a\"\nsource = \"grafana\"\n[[integrations]]\nname = \"a\"\nsource = \"pagerduty\"\n",
            (5, 8),
            "used twice (first at sev.toml:2:8)",
        ),
        (
            "[[integrations]]\nname = \"a\"\nsource = \"grafana\"\nreopen_window = \"30 minutes\"\n",
            (4, 17),
            "bad duration '30 minutes'",
        ),
        (
            "[[integrations]]\nname = \"g\"\nsource = \"generic\"\n[integrations.mapping]\nkey = \"{{ body.id\"\nsummary = \"x\"\nstate = \"firing\"\n",
            (5, 7),
            "mapping.key: the template does not compile",
        ),
        (
            "[[integrations]]\nname = \"g\"\nsource = \"generic\"\n",
            (3, 10),
            "needs an [integrations.mapping]",
        ),
        (
            "[[integrations]]\nname = \"p\"\nsource = \"alertmanager\"\nrouting_key_file = \"/k\"\n",
            (4, 20),
            "routing_key_file is for source = \"pagerduty\" only",
        ),
        (
            "[[integrations]]\nname = \"has space\"\nsource = \"grafana\"\n",
            (2, 8),
            "bad integration name",
        ),
        (
            "[[integrations]]\nname = \"a\"\nsource = \"grafana\"\nwhen_resolved = \"close\"\n",
            (4, 17),
            "invalid when_resolved 'close'",
        ),
        (
            "[[integrations]]\nname = \"a\"\nsource = \"grafana\"\nstorm_per_minute = -1\n",
            (4, 20),
            "storm_per_minute must be 0 to 100000",
        ),
        (
            "[alerts]\nseverity_map = { critical = \"SEV1\" }\n",
            (2, 29),
            "never makes SEV1",
        ),
        (
            "[alerts]\ndefault_severity = \"SEV9\"\n",
            (2, 20),
            "invalid severity 'SEV9'",
        ),
        (
            "[alerts]\nread_timeout = \"1d\"\n",
            (2, 16),
            "read_timeout must be 1s to 10m",
        ),
        ("[alerts]\nbel = true\n", (2, 1), "unknown field `bel`"),
        (
            "[[routes]]\nwhen = { days = [\"mon\", \"someday\"] }\n",
            (2, 25),
            "bad day 'someday'",
        ),
        (
            "[[routes]]\nwhen = { hours = \"17:00-09:00\" }\n",
            (2, 18),
            "two rules",
        ),
        (
            "[[routes]]\nwhen = { tz = \"Mars/Base\" }\n",
            (2, 15),
            "unknown time zone 'Mars/Base'",
        ),
        (
            "[[routes]]\nset = { severity = \"SEV0\" }\n",
            (2, 20),
            "invalid severity",
        ),
        (
            "[[routes]]\nset = { urgency = \"now\" }\n",
            (2, 19),
            "invalid urgency",
        ),
        (
            "[[routes]]\nset = { pager = \"x\" }\n",
            (2, 9),
            "unknown field `pager`",
        ),
        (
            "[[routes]]\nsuppress = true\nset = { service = \"x\" }\n",
            (2, 12),
            "would do nothing",
        ),
        ("[[routes]]\ncontinue = \"yes\"\n", (2, 12), "invalid type"),
    ];
    for (text, (line, col), want) in cases {
        let e = err(text);
        assert_eq!(e.file, "sev.toml", "{text}");
        assert!(e.message.contains(want), "{text}\n got: {e}\nwant: {want}");
        assert_eq!((e.line, e.column), (*line, *col), "{text}\n{e}");
    }
}

#[test]
fn durations_read_and_show_alike() {
    for (s, secs) in [
        ("30s", 30),
        ("5m", 300),
        ("1h30m", 5400),
        ("2d", 172_800),
        ("0", 0),
    ] {
        let d = parse_duration(s).unwrap();
        assert_eq!(d.as_secs(), secs, "{s}");
        assert_eq!(parse_duration(&show_duration(d)).unwrap(), d);
    }
    assert_eq!(show_duration(Duration::from_secs(3661)), "1h1m1s");
    for bad in ["", "5", "m", "5x", "-5m", "1.5h", "91d", "99999999999999s"] {
        assert!(parse_duration(bad).is_err(), "{bad}");
    }
}
