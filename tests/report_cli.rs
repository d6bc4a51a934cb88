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
        assert!(md.starts_with("# Incident report"), "{md}");
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
