//! A generic sender's body through a mapping that reads both the Zabbix
//! and the GoAlert seeds: rendered within every limit or refused with a
//! one-line message naming the mapping field, never a panic (see
//! ../common/intake.rs).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sev::intake::config::{Integration, Mapping};
use sev::intake::model::Source;

#[path = "../common/intake.rs"]
mod intake;

fn mapping() -> Mapping {
    let pairs = |p: &[(&str, &str)]| {
        p.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    Mapping {
        key: "{{ body.dedup if body.dedup is defined else 'zabbix-' ~ body.id }}".into(),
        summary: "{{ body.summary | default(body.name) }}".into(),
        severity: Some("{{ body.severity | default('') }}".into()),
        state: "{{ body.action | default(body.status) | default('trigger') }}".into(),
        group: Some("{{ body.meta.job | default('') if body.meta else '' }}".into()),
        labels: pairs(&[
            ("host", "{{ body.host_name | default('') }}"),
            ("trigger", "{{ body.triggerId | default('') }}"),
            ("meta_host", "{{ body.meta.host | default('') if body.meta else '' }}"),
        ]),
        annotations: pairs(&[(
            "details",
            "{{ body.details | default(body.description) | default('') }}",
        )]),
    }
}

fuzz_target!(|data: &[u8]| {
    let mut integ = Integration::named("generic", Source::Generic);
    integ.mapping = Some(mapping());
    if let Ok(b) = intake::run(Source::Generic, &integ, data) {
        assert!(b.alerts[0].key.len() <= 255);
    }
});
