//! Response targets through the binary: `sev list --breached`,
//! `--breaching-within`, the `clocks` JSON and `sev show`, on both backends.

mod common;
use common::Env;

const TARGETS: &str = r#"
[response.P1]
acknowledge = "1s"
resolve = "4h"
business_hours = false
[response.P2]
acknowledge = "1h"
resolve = "8h"
business_hours = false
[response.P3]
acknowledge = "off"
resolve = "off"
"#;

fn refs(v: &serde_json::Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|i| i["ref"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn list_filters_by_response_clocks() {
    for env in Env::all() {
        let cfg = env.dir.path().join("targets.toml");
        std::fs::write(&cfg, TARGETS).unwrap();
        let sev = |args: &[&str]| {
            let o = env
                .cmd()
                .env("SEV_CONFIG", &cfg)
                .args(args)
                .output()
                .unwrap();
            assert!(
                o.status.success(),
                "sev {args:?}: {}",
                String::from_utf8_lossy(&o.stderr)
            );
            String::from_utf8(o.stdout).unwrap()
        };
        let json = |args: &[&str]| -> serde_json::Value {
            let mut a = args.to_vec();
            a.push("--json");
            serde_json::from_str(&sev(&a)).unwrap()
        };
        sev(&[
            "new",
            "db down",
            "--impact",
            "high",
            "--urgency",
            "high",
            "--service",
            "db",
        ]);
        sev(&[
            "new",
            "slow pages",
            "--impact",
            "high",
            "--urgency",
            "medium",
        ]);
        sev(&["new", "typo on the status page"]);
        std::thread::sleep(std::time::Duration::from_millis(2100));

        let breached = json(&["list", "--breached"]);
        assert_eq!(refs(&breached), ["INC-1"]);
        let ack = &breached[0]["clocks"]["acknowledge"];
        assert_eq!(ack["state"], "breached");
        assert_eq!(ack["target_seconds"], 1);
        assert!(ack["over_seconds"].as_i64().unwrap() >= 1);
        assert_eq!(breached[0]["clocks"]["resolve"]["state"], "running");

        assert_eq!(
            refs(&json(&["list", "--breaching-within", "2h"])),
            ["INC-2"]
        );
        assert_eq!(
            refs(&json(&["list", "--breaching-within", "5h", "--all"])),
            ["INC-1", "INC-2"]
        );
        // Composes with the other filters and the limit.
        assert_eq!(
            refs(&json(&["list", "--breached", "--service", "web"])),
            Vec::<String>::new()
        );
        assert_eq!(
            refs(&json(&["list", "--breaching-within", "9h", "-n", "1"])),
            ["INC-1"]
        );
        // Every listed incident carries its clocks; P3 has no targets here.
        let all = json(&["list"]);
        assert_eq!(all.as_array().unwrap().len(), 3);
        assert_eq!(all[2]["clocks"], serde_json::json!({}));
        assert_eq!(all[1]["clocks"]["acknowledge"]["state"], "running");

        let shown = sev(&["show", "1"]);
        assert!(shown.contains("Response targets"), "{shown}");
        assert!(shown.contains("acknowledge: BREACHED"), "{shown}");
        assert!(shown.contains("resolve: 3h 59m left"), "{shown}");
        assert_eq!(
            json(&["show", "1"])["clocks"]["acknowledge"]["state"],
            "breached"
        );

        // Acknowledged late: met late, still breached in this cycle.
        sev(&["ack", "1"]);
        let ack = &json(&["list", "--breached"])[0]["clocks"]["acknowledge"];
        assert_eq!(ack["state"], "met_late");
        assert!(sev(&["show", "1"]).contains("acknowledge: met LATE"));
        // Resolved and reopened: a new cycle, the old miss does not count.
        sev(&["resolve", "1", "--summary", "restarted"]);
        sev(&["reopen", "1"]);
        assert_eq!(refs(&json(&["list", "--breached"])), Vec::<String>::new());
        assert_eq!(
            json(&["show", "1"])["clocks"]["acknowledge"]["state"],
            "met"
        );

        let o = env
            .cmd()
            .env("SEV_CONFIG", &cfg)
            .args(["list", "--breaching-within", "soon"])
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&o.stderr).contains("--breaching-within: bad duration"));
    }
}
