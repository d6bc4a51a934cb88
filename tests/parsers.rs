//! Every parser of user input, attacked: the inputs that crashed sev
//! (issue #9 items 7 and 17) run through the real binary, and property
//! tests feed each parser arbitrary text through the library's public API.
//! The cargo-fuzz targets in tests/fuzz/ drive the same entry points.

mod common;

use chrono::Datelike;
use common::Env;
use proptest::prelude::*;
use sev::config::Config;
use sev::domain::{ActionId, Field, IncidentId, parse_due, parse_severity};
use sev::keymap::{Key, Keymap, Name, parse_chord};

/// Run, expect exit 2 with one clear line and no panic; return stderr.
fn refused(e: &Env, args: &[&str]) -> String {
    let o = e.run(args);
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(!err.contains("panicked"), "sev {args:?} panicked: {err}");
    assert_eq!(o.status.code(), Some(2), "sev {args:?}: {err}");
    assert_eq!(err.lines().count(), 1, "one-line error expected: {err}");
    assert!(err.starts_with("sev: "), "{err}");
    err
}

/// A database with INC-1 and ACT-1, so read commands have something to read.
fn env_with_incident() -> Env {
    let e = Env::new();
    e.ok(&["new", "Disk full on db primary"]);
    e.ok(&[
        "action",
        "add",
        "1",
        "Alert on disk use",
        "--owner",
        "alice",
    ]);
    e
}

#[test]
fn a_non_ascii_incident_id_is_refused_by_every_verb() {
    let e = env_with_incident();
    let verbs: &[&[&str]] = &[
        &["show", "ID"],
        &["ack", "ID"],
        &["status", "ID", "investigating"],
        &["set", "ID", "severity=SEV2"],
        &["assign", "ID", "alice"],
        &["note", "ID", "hello"],
        &["resolve", "ID", "--summary", "fixed"],
        &["close", "ID"],
        &["reopen", "ID"],
        &["cancel", "ID", "--reason", "dup"],
        &["postmortem", "ID"],
        &["pm", "ID", "--owner", "alice"],
        &["actions", "--incident", "ID"],
        &["action", "add", "ID", "Do a thing"],
    ];
    for id in ["abcé", "INC-é", "ééé", "inc-+1", "١٢"] {
        for v in verbs {
            let args: Vec<&str> = v.iter().map(|a| if *a == "ID" { id } else { a }).collect();
            let err = refused(&e, &args);
            assert!(err.contains("invalid incident id"), "{args:?}: {err}");
            assert!(err.contains("INC-42"), "names the accepted form: {err}");
        }
    }
    // Nothing was written by any of them.
    let j = e.json(&["show", "1"]);
    assert_eq!(j["status"], "triage");
    assert_eq!(j["severity"], "SEV3");
}

#[test]
fn a_non_ascii_action_id_is_refused() {
    let e = env_with_incident();
    for id in ["abcé", "ACT-é", "actéé"] {
        for args in [
            vec!["action", "done", id],
            vec!["action", "set", id, "owner=bob"],
        ] {
            let err = refused(&e, &args);
            assert!(err.contains("invalid action id"), "{args:?}: {err}");
            assert!(err.contains("ACT-7"), "{err}");
        }
    }
}

#[test]
fn a_non_ascii_search_lists_without_panicking() {
    let e = env_with_incident();
    e.ok(&["new", "Café checkout down"]);
    let out = e.ok(&["list", "--search", "abcé"]);
    assert!(!out.contains("INC-"), "{out}");
    let out = e.ok(&["list", "--search", "café"]);
    assert!(out.contains("INC-2"), "{out}");
    e.ok(&["search", "abcé"]);
}

#[test]
fn hostile_due_dates_are_refused_from_the_command_line() {
    let e = env_with_incident();
    for due in [
        "+7é",
        "++7d",
        "+-5d",
        "+999999999999d",
        "+1000000000w",
        "+99999999999999999999999999d",
    ] {
        let add = ["action", "add", "1", "Rotate keys", "--due", due];
        let err = refused(&e, &add);
        assert!(err.contains("due date"), "{due}: {err}");
        assert!(err.contains("+30d") || err.contains("+7d"), "{due}: {err}");
        let set = format!("due={due}");
        let err = refused(&e, &["action", "set", "ACT-1", &set]);
        assert!(err.contains("due date"), "{due}: {err}");
    }
    // Nothing half-written: still one action, due date unset.
    let items = e.json(&["actions"]);
    assert_eq!(items.as_array().unwrap().len(), 1, "{items}");
    assert!(items[0]["due"].is_null(), "{items}");
    e.ok(&["action", "set", "ACT-1", "due=+7d"]);
}

#[test]
fn a_config_file_that_is_not_utf8_says_where() {
    let e = Env::new();
    let cfg = e.dir.path().join("config.toml");
    std::fs::write(&cfg, b"[defaults]\nseverity = \"SEV\xe9\"\n").unwrap();
    let o = e
        .cmd()
        .env("SEV_CONFIG", &cfg)
        .args(["list"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("config.toml:2:16:"), "file:line:column: {err}");
    assert!(err.contains("not valid UTF-8"), "{err}");
    assert!(err.contains("offset 26"), "{err}");
    assert!(!err.contains("check the path"), "{err}");
}

// ---- properties -------------------------------------------------------

/// Arbitrary text, weighted toward what breaks parsers: prefixes the parsers
/// look for, signs, digits and multi-byte characters right after them.
fn hostile() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("INC-".to_string()),
        Just("inc-".to_string()),
        Just("ACT-".to_string()),
        Just("+".to_string()),
        Just("-".to_string()),
        Just("d".to_string()),
        Just("w".to_string()),
        Just("=".to_string()),
        Just("ctrl-".to_string()),
        Just("shift-".to_string()),
        Just("alt-".to_string()),
        Just("f".to_string()),
        Just("up".to_string()),
        Just(" ".to_string()),
        "[0-9]{1,25}",
        "\\PC{0,3}",
        any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..8).prop_map(|v| v.concat())
}

fn today() -> impl Strategy<Value = chrono::NaiveDate> {
    // Every date chrono can hold, not just sensible ones.
    (chrono::NaiveDate::MIN.num_days_from_ce()..=chrono::NaiveDate::MAX.num_days_from_ce())
        .prop_map(|d| chrono::NaiveDate::from_num_days_from_ce_opt(d).unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn ids_never_panic(s in hostile(), t in any::<String>()) {
        for x in [&s, &t] {
            if let Ok(id) = x.parse::<IncidentId>() {
                prop_assert!(id.0 > 0);
            }
            if let Ok(id) = x.parse::<ActionId>() {
                prop_assert!(id.0 > 0);
            }
        }
    }

    #[test]
    fn ids_round_trip(n in 1..=i64::MAX) {
        prop_assert_eq!(IncidentId(n).to_string().parse::<IncidentId>().unwrap(), IncidentId(n));
        prop_assert_eq!(ActionId(n).to_string().parse::<ActionId>().unwrap(), ActionId(n));
        prop_assert_eq!(n.to_string().parse::<IncidentId>().unwrap(), IncidentId(n));
        prop_assert_eq!(format!(" inc-{n} ").parse::<IncidentId>().unwrap(), IncidentId(n));
    }

    #[test]
    fn due_dates_never_panic(s in hostile(), t in any::<String>(), today in today()) {
        for x in [&s, &t] {
            if let Ok(Some(d)) = parse_due(x, today) {
                // Whatever is accepted is storable and reads back the same.
                let shown = d.to_string();
                prop_assert_eq!(parse_due(&shown, today).unwrap(), Some(d));
            }
        }
    }

    #[test]
    fn relative_due_dates_add_days(n in 0u64..200_000, weeks in any::<bool>(), today in today()) {
        let spec = format!("+{n}{}", if weeks { "w" } else { "d" });
        let days = if weeks { n * 7 } else { n };
        let want = today.checked_add_days(chrono::Days::new(days)).filter(|d| {
            *d <= chrono::NaiveDate::from_ymd_opt(9999, 12, 31).unwrap()
                && *d >= chrono::NaiveDate::from_ymd_opt(1, 1, 1).unwrap()
        });
        match parse_due(&spec, today) {
            Ok(got) => prop_assert_eq!(got, want),
            Err(e) => {
                prop_assert!(want.is_none(), "{} refused: {}", spec, e);
                prop_assert!(e.to_string().contains("9999-12-31"), "{}", e);
            }
        }
    }

    #[test]
    fn due_dates_round_trip(d in today()) {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 3, 10).unwrap();
        let in_range = (1..=9999).contains(&d.year());
        let got = parse_due(&d.to_string(), today);
        if in_range {
            prop_assert_eq!(got.unwrap(), Some(d));
        } else {
            prop_assert!(got.is_err());
        }
    }

    #[test]
    fn field_edits_never_panic(s in hostile(), t in any::<String>()) {
        let x = format!("{s}={t}");
        let _ = sev::ops::parse_assignment(&x);
        let _ = sev::ops::parse_assignment(&s);
        let _ = sev::ops::parse_action_assignment(&x);
        let _ = parse_severity(&s);
        let _ = sev::domain::parse_section(&s);
        let _ = sev::domain::validate_user(&s);
        let _ = sev::domain::parse_tags(&t);
        if let Ok(f) = s.parse::<Field>() {
            let m = sev::domain::PriorityMatrix::default();
            let now = chrono::DateTime::from_timestamp(chrono::Utc::now().timestamp(), 0).unwrap();
            let mut inc = sev::domain::sample_incident(1, now);
            let before = inc.clone();
            match f.apply(&mut inc, &t, &m, now) {
                // A refused value changes nothing.
                Err(_) => prop_assert_eq!(inc, before),
                Ok(_) => {
                    // The same value again changes nothing, and so does the
                    // value as shown (it parses back to what is stored).
                    let again = f.apply(&mut inc, &t, &m, now).unwrap();
                    prop_assert!(again.is_empty(), "{:?} then {:?}", t, again);
                    let shown = f.get(&inc).unwrap_or_default();
                    let again = f.apply(&mut inc, &shown, &m, now).unwrap();
                    prop_assert!(again.is_empty(), "{:?} shown {:?}: {:?}", t, shown, again);
                }
            }
        }
    }

    #[test]
    fn field_names_round_trip(i in 0..Field::ALL.len(), upper in any::<bool>()) {
        let f = Field::ALL[i];
        let name = if upper { f.name().to_uppercase() } else { f.name().to_string() };
        prop_assert_eq!(name.parse::<Field>().unwrap(), f);
        let e = sev::ops::parse_assignment(&format!("{name}=x")).unwrap();
        prop_assert_eq!(e.field, f);
    }

    #[test]
    fn key_specs_never_panic(s in hostile(), t in any::<String>()) {
        for x in [&s, &t] {
            if let Ok(k) = Key::parse(x) {
                // What parses prints as something that parses to the same key
                // (arrows print as ↑↓←→ for people; those are checked below).
                let shown = k.to_string();
                if !matches!(k.name, Name::Up | Name::Down | Name::Left | Name::Right) {
                    prop_assert_eq!(Key::parse(&shown), Ok::<Key, String>(k), "{:?} shown as {:?}", x, shown);
                }
                // And a key the terminal can send back.
                prop_assert_eq!(Key::from_event(&k.to_event()), Some(k));
            }
            let _ = parse_chord(x);
        }
    }

    #[test]
    fn config_text_never_panics(s in hostile(), t in any::<String>(), key in hostile()) {
        let texts = [
            s.clone(),
            t.clone(),
            format!("[keys.normal]\n{} = \"quit\"\n", toml_string(&key)),
            format!("[defaults]\nseverity = {}\n", toml_string(&s)),
            format!("[postmortem.sections]\n{} = [{}]\n", toml_string(&s), toml_string(&t)),
            format!("[priority]\nhigh = [{}]\n", toml_string(&t)),
        ];
        for text in texts {
            let mut c = Config::builtin();
            match c.layer_str(&text, "fuzz.toml") {
                Ok(()) => {
                    if let Err(e) = Keymap::load(&c.keys) {
                        prop_assert!(e.line >= 1 && e.column >= 1 && e.file == "fuzz.toml", "{}", e);
                    }
                }
                Err(e) => {
                    prop_assert_eq!(&e.file, "fuzz.toml");
                    prop_assert!(e.line >= 1 && e.column >= 1);
                    prop_assert!(e.line <= text.lines().count().max(1) + 1, "{}", e);
                }
            }
        }
    }
}

fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

#[test]
fn arrow_keys_parse_by_name() {
    for (name, shown) in [("up", "↑"), ("down", "↓"), ("left", "←"), ("right", "→")] {
        assert_eq!(Key::parse(name).unwrap().to_string(), shown);
    }
    // From the `key` fuzz target: a repeated modifier on an arrow.
    let k = Key::parse("m-m-up").unwrap();
    assert_eq!((k.name, k.alt, k.ctrl), (Name::Up, true, false));
    assert_eq!(k.to_string(), "alt-↑");
    assert_eq!(Key::from_event(&k.to_event()), Some(k));
}
