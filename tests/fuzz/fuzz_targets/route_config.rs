//! The intake's config sections (`[alerts]`, `[[integrations]]`,
//! `[[routes]]`) over arbitrary TOML text: either they load, or the error
//! names the file with a line and column inside it. What loads shows (sev
//! config show) as config that loads back to the same integrations and
//! rules, and routing a sample alert through the rules never panics.
#![no_main]

use chrono::{DateTime, Utc};
use libfuzzer_sys::fuzz_target;
use sev::config::Config;
use sev::intake::model::{AlertIn, Batch, Source, State};
use sev::intake::route::{Route, route_with};

const NAME: &str = "fuzz.toml";

fn strip(routes: &[Route]) -> Vec<Route> {
    routes
        .iter()
        .cloned()
        .map(|r| Route { at: String::new(), ..r })
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let lines = data.split(|b| *b == b'\n').count();
    let mut c = Config::builtin();
    match c.layer_bytes(data.to_vec(), NAME) {
        Ok(()) => {
            let shown = c.to_toml();
            let mut again = Config::builtin();
            again
                .layer_str(&shown, "shown")
                .unwrap_or_else(|e| panic!("sev config show is not valid config: {e}\n{shown}"));
            let (a, b) = (&c.alerts, &again.alerts);
            assert_eq!(a.integrations, b.integrations, "{shown}");
            assert_eq!(strip(&a.routes), strip(&b.routes), "{shown}");
            assert_eq!(a.severity_map, b.severity_map, "{shown}");
            let mut batch = Batch::new(Source::Alertmanager);
            batch.common_labels.insert("env".into(), "prod".into());
            let alert = AlertIn {
                key: "k".into(),
                state: State::Firing,
                summary: "HighErrorRate".into(),
                severity: Some("critical".into()),
                labels: [("service".to_string(), "checkout".to_string())].into(),
                annotations: Default::default(),
                links: Vec::new(),
                starts_at: None,
                ends_at: None,
            };
            batch.alerts.push(alert.clone());
            let now = DateTime::<Utc>::from_timestamp(1_780_000_000, 0).unwrap_or_default();
            let (_, trials) = route_with(&a.routes, Some("prod"), &batch, &alert, now);
            assert!(trials.len() <= a.routes.len());
        }
        Err(e) => {
            assert_eq!(e.file, NAME);
            assert!(e.line >= 1 && e.line <= lines + 1, "line {} of {lines}: {e}", e.line);
            assert!(e.column >= 1, "{e}");
        }
    }
});
