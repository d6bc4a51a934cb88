//! `sev export`: CSV and JSON of incidents and of their events, parsed
//! back and compared with `sev list --all --json`, on both backends.

mod common;
use common::Env;

fn csv_rows(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let header = r.headers().unwrap().iter().map(str::to_string).collect();
    let rows = r
        .records()
        .map(|x| x.unwrap().iter().map(str::to_string).collect())
        .collect();
    (header, rows)
}

#[test]
fn csv_and_json_say_what_the_list_says() {
    for env in Env::all() {
        env.ok(&["demo", "--count", "40", "--seed", "3"]);
        env.ok(&["new", "=HYPERLINK(\"http://evil\") \u{1b}[31mred"]);
        let list = env.json(&["list", "--all", "-n", "0"]);
        let list = list.as_array().unwrap();
        let out = env.ok(&["export", "--all"]);
        assert!(!out.contains('\u{1b}'), "no escape reaches the terminal");
        let (header, rows) = csv_rows(&out);
        assert_eq!(header[..3], ["ref", "id", "title"]);
        assert_eq!(rows.len(), list.len());
        let col = |name: &str| header.iter().position(|h| h == name).unwrap();
        for (row, inc) in rows.iter().zip(list) {
            assert_eq!(row[col("ref")], inc["ref"].as_str().unwrap());
            assert_eq!(row[col("status")], inc["status"].as_str().unwrap());
            assert_eq!(row[col("created_at")], inc["created_at"].as_str().unwrap());
        }
        let evil = rows
            .iter()
            .find(|r| r[col("title")].contains("HYPERLINK"))
            .unwrap();
        assert!(
            evil[col("title")].starts_with("'="),
            "a formula is never a formula: {:?}",
            evil[col("title")]
        );
        // The filters are the list's.
        let (_, open) = csv_rows(&env.ok(&["export"]));
        let open_list = env.json(&["list", "-n", "0"]);
        assert_eq!(open.len(), open_list.as_array().unwrap().len());
        // JSON: the objects `show --json` prints, in the list's order.
        let j: serde_json::Value =
            serde_json::from_str(&env.ok(&["export", "--all", "--format", "json"])).unwrap();
        let refs: Vec<&str> = j
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["ref"].as_str().unwrap())
            .collect();
        let want: Vec<&str> = list.iter().map(|i| i["ref"].as_str().unwrap()).collect();
        assert_eq!(refs, want);
        // Events: one row each, as many as the timelines hold.
        let one = want[0];
        let timeline = env.json(&["show", one])["events"].as_array().unwrap().len();
        let (eh, events) = csv_rows(&env.ok(&["export", "--all", "--events"]));
        assert_eq!(eh[0], "ref");
        let of_one = events.iter().filter(|e| e[0] == one).count();
        assert_eq!(of_one, timeline);
        // To a file.
        let path = env.dir.path().join("all.csv");
        env.ok(&["export", "--all", "--output", path.to_str().unwrap()]);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), out);
    }
}

#[test]
fn an_unwritable_output_is_a_clear_error() {
    let env = Env::new();
    env.ok(&["new", "x"]);
    let err = env.fails(&["export", "--output", "/nonexistent/dir/x.csv"], 2);
    assert!(err.contains("cannot write /nonexistent/dir/x.csv"), "{err}");
    assert!(err.contains("--output"), "{err}");
}
