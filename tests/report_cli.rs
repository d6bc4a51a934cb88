//! `sev report`: a figure computed by hand from `sev list --all --json`
//! agrees with the report, on both backends; every format parses.

mod common;
use common::Env;

fn secs(v: &serde_json::Value) -> Option<i64> {
    v.as_str()
        .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.timestamp())
}

#[test]
fn the_median_and_p90_agree_with_a_hand_count_from_the_list() {
    for env in Env::all() {
        env.ok(&["demo", "--count", "120", "--seed", "11"]);
        let r = env.json(&["report", "--since", "3650d"]);
        let list = env.json(&["list", "--all", "-n", "0"]);
        let since = secs(&r["since"]).unwrap();
        let mut acks: Vec<i64> = Vec::new();
        let mut unknown = 0;
        let mut counted = 0;
        for i in list.as_array().unwrap() {
            let created = secs(&i["created_at"]).unwrap();
            if created < since || i["status"] == "cancelled" {
                continue;
            }
            counted += 1;
            match secs(&i["acknowledged_at"]) {
                Some(a) if a >= created => acks.push(a - created),
                _ => unknown += 1,
            }
        }
        acks.sort();
        // Nearest rank.
        let rank = |p: usize| acks[(p * acks.len()).div_ceil(100) - 1];
        let m = &r["total"]["measures"]["time_to_acknowledge"];
        assert_eq!(r["incidents"], counted);
        assert_eq!(m["n"], acks.len());
        assert_eq!(m["unknown"], unknown);
        assert_eq!(m["median_s"], rank(50));
        assert_eq!(m["p90_s"], rank(90));
        assert_eq!(m["max_s"], *acks.last().unwrap());
        // The other formats.
        let csv = env.ok(&[
            "report", "--since", "3650d", "--by", "severity", "--format", "csv",
        ]);
        let mut rd = csv::Reader::from_reader(csv.as_bytes());
        assert_eq!(&rd.headers().unwrap()[0], "group");
        let rows: Vec<csv::StringRecord> = rd.records().map(Result::unwrap).collect();
        let ack_all = rows
            .iter()
            .find(|r| &r[0] == "all" && &r[2] == "time_to_acknowledge")
            .unwrap();
        assert_eq!(ack_all[6].parse::<i64>().unwrap(), rank(50));
        let md = env.ok(&[
            "report", "--since", "3650d", "--by", "month", "--format", "md",
        ]);
        assert!(md.starts_with("# Incident review "), "{md}");
        assert!(md.contains("| time_to_resolve |"), "{md}");
        let text = env.ok(&["report"]);
        assert!(text.contains("median"), "{text}");
    }
}

#[test]
fn a_bad_period_or_group_is_exit_2_with_the_fix() {
    let env = Env::new();
    env.ok(&["new", "x"]);
    let e = env.fails(&["report", "--since", "yesterday"], 2);
    assert!(e.contains("30d, 12h, 2w"), "{e}");
    let e = env.fails(
        &["report", "--since", "2026-12-01", "--until", "2026-11-01"],
        2,
    );
    assert!(e.contains("is not before --until"), "{e}");
    let e = env.fails(&["report", "--by", "colour"], 2);
    assert!(e.contains("severity, service"), "{e}");
}

fn in_period(i: &serde_json::Value, since: i64) -> bool {
    secs(&i["created_at"]).unwrap() >= since && i["status"] != "cancelled"
}

#[test]
fn the_review_agrees_with_a_hand_count_and_reads_as_a_service_review() {
    for env in Env::all() {
        env.ok(&["demo", "--count", "400", "--seed", "5"]);
        let r = env.json(&["report", "--since", "60d"]);
        let since = secs(&r["since"]).unwrap();
        let list = env.json(&["list", "--all", "-n", "0"]);
        let list = list.as_array().unwrap();
        let v = &r["review"];
        // Counts per severity, by hand.
        for row in v["counts"]["rows"].as_array().unwrap() {
            if row["by"] != "severity" {
                continue;
            }
            let hand = list
                .iter()
                .filter(|i| in_period(i, since) && i["severity"] == row["value"])
                .count();
            assert_eq!(row["total"], hand, "{}", row["value"]);
            let per_bucket: u64 = row["counts"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| n.as_u64().unwrap())
                .sum();
            assert_eq!(per_bucket, hand as u64, "every incident in one bucket");
        }
        assert_eq!(v["counts"]["bucket"], "week");
        // Postmortems due: resolved or closed SEV1–2 of the period.
        let due = list
            .iter()
            .filter(|i| {
                in_period(i, since)
                    && (i["severity"] == "SEV1" || i["severity"] == "SEV2")
                    && (i["status"] == "resolved" || i["status"] == "closed")
            })
            .count();
        assert_eq!(v["postmortems"]["due"], due);
        let i = &v["interruptions"];
        let total = i["business"].as_u64().unwrap()
            + i["off"].as_u64().unwrap()
            + i["sleep"].as_u64().unwrap();
        assert_eq!(total, r["incidents"].as_u64().unwrap());

        let md = env.ok(&[
            "report",
            "--since",
            "60d",
            "--format",
            "md",
            "--postmortem-url",
            "https://wiki.example.com/pm/{ref}",
        ]);
        for section in [
            "## Summary",
            "## Response measures",
            "## SEV1–2 incidents",
            "## Incidents per week by severity",
            "## Recurrence",
            "## Overdue action items",
        ] {
            assert!(md.contains(section), "{section} missing:\n{md}");
        }
        assert!(
            md.contains("](https://wiki.example.com/pm/INC-"),
            "postmortem links:\n{md}"
        );
        let text = env.ok(&["report", "--since", "60d"]);
        assert!(text.contains("SEV1–2 incidents\n────"), "{text}");
    }
}

#[test]
fn action_items_done_count_on_time_and_alerts_recur() {
    for env in Env::all() {
        env.ok(&["new", "Checkout down", "--severity", "SEV2"]);
        env.ok(&["action", "add", "1", "Add", "a", "canary", "--due", "+7d"]);
        env.ok(&[
            "action",
            "add",
            "1",
            "Alert",
            "on",
            "5xx",
            "--due",
            "2020-01-01",
        ]);
        env.ok(&["action", "done", "ACT-1"]);
        let v = &env.json(&["report"])["review"]["actions"];
        assert_eq!(v["done_in_period"], 1);
        assert_eq!(v["done_on_time"], 1);
        assert!(v["time_to_done"]["median_s"].as_i64().unwrap() < 60, "{v}");
        assert_eq!(v["open"], 1);
        assert_eq!(v["overdue"], 1);
        assert_eq!(v["overdue_items"][0]["id"], "ACT-2");
        // Reopened: no longer done.
        env.ok(&["action", "set", "ACT-1", "status=open"]);
        let v = &env.json(&["report"])["review"]["actions"];
        assert_eq!(v["done_in_period"], 0);

        // One alert fired three times: top alert and flapping.
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/data/ingest/alertmanager");
        let firing = dir.join("am_v031_firing_single.json");
        let body: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&firing).unwrap()).unwrap();
        let mut resolved = body.clone();
        resolved["status"] = "resolved".into();
        for a in resolved["alerts"].as_array_mut().unwrap() {
            a["status"] = "resolved".into();
            a["endsAt"] = "2026-11-28T00:00:00Z".into();
        }
        let resolved_path = env.dir.path().join("resolved.json");
        std::fs::write(&resolved_path, resolved.to_string()).unwrap();
        for _ in 0..3 {
            env.ok(&[
                "ingest",
                "--source",
                "alertmanager",
                firing.to_str().unwrap(),
            ]);
            env.ok(&[
                "ingest",
                "--source",
                "alertmanager",
                resolved_path.to_str().unwrap(),
            ]);
        }
        let name = body["alerts"][0]["labels"]["alertname"].as_str().unwrap();
        let rec = &env.json(&["report"])["review"]["recurrence"];
        assert_eq!(rec["top_alerts"][0][0], name, "{rec}");
        assert_eq!(rec["flapping"][0]["name"], name, "{rec}");
        assert_eq!(rec["flapping"][0]["fired"], 3, "{rec}");
    }
}

#[test]
fn hours_come_from_config_and_a_bad_one_names_its_line() {
    let env = Env::new();
    env.ok(&["new", "x"]);
    let cfg = env.dir.path().join("c.toml");
    std::fs::write(
        &cfg,
        "[hours]\ntime_zone = \"UTC\"\nbusiness = \"00:00-24:00\"\n",
    )
    .unwrap();
    let c = cfg.to_str().unwrap();
    let i = &env.json(&["--config", c, "report"])["review"]["interruptions"];
    assert_eq!(i["business"], 1, "{i}");
    assert!(i["hours"].as_str().unwrap().contains("UTC"), "{i}");
    std::fs::write(
        &cfg,
        "[hours]\nsleep = \"23:00-07:00\"\nbusiness = \"mon-fri\"\n",
    )
    .unwrap();
    let e = env.fails(&["--config", c, "report"], 2);
    assert!(e.contains("c.toml:3:"), "{e}");
    assert!(e.contains("09:00-17:00"), "{e}");
}
