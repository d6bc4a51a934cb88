use super::*;

#[test]
fn builtin_parses_with_itil_matrix() {
    let c = Config::builtin();
    assert_eq!(c.priority, PriorityMatrix::default());
    assert_eq!(c.severity(Severity::Sev1).name, "Critical");
    assert_eq!(c.defaults.severity, Severity::Sev3);
    assert!(c.taxonomy.categories.contains(&"dns".to_string()));
}

#[test]
fn user_layer_overrides_only_what_it_names() {
    let mut c = Config::builtin();
    c.layer_str(
        "[defaults]\nseverity = \"SEV4\"\n[priority]\nlow = [\"P4\", \"P4\", \"P4\"]\n[severity.SEV2]\nname = \"High\"\n",
        "user.toml",
    )
    .unwrap();
    assert_eq!(c.defaults.severity, Severity::Sev4);
    assert_eq!(c.defaults.impact, Impact::Medium);
    assert_eq!(
        c.priority.priority(Impact::Low, Urgency::Low),
        crate::domain::Priority::P4
    );
    assert_eq!(c.severity(Severity::Sev2).name, "High");
    assert!(!c.severity(Severity::Sev2).description.is_empty());
}

#[test]
fn syntax_error_has_line_and_column() {
    let mut c = Config::builtin();
    let e = c
        .layer_str("[defaults]\nseverity = \"SEV2\n", "bad.toml")
        .unwrap_err();
    assert_eq!((e.file.as_str(), e.line), ("bad.toml", 2), "{e}");
    assert!(e.column > 1, "{e}");
}

#[test]
fn unknown_key_is_an_error_with_location() {
    let mut c = Config::builtin();
    let e = c
        .layer_str("[defaults]\nseverty = \"SEV2\"\n", "u.toml")
        .unwrap_err();
    assert_eq!((e.line, e.column), (2, 1), "{e}");
    assert!(e.message.contains("severty"), "{e}");
}

#[test]
fn bad_value_is_located() {
    let mut c = Config::builtin();
    let e = c
        .layer_str(
            "[defaults]\nkind = \"incident\"\nurgency = \"asap\"\n",
            "u.toml",
        )
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "u.toml:3:11: invalid urgency 'asap': expected one of high, medium, low"
    );
    let e = c
        .layer_str("[severity.SEV9]\nname = \"x\"\n", "u.toml")
        .unwrap_err();
    assert_eq!((e.line, e.column), (1, 11), "{e}");
    let e = c
        .layer_str("[priority]\nhigh = [\"P1\"]\n", "u.toml")
        .unwrap_err();
    assert!(e.message.contains("needs 3 values"), "{e}");
    assert_eq!(e.line, 2);
}

#[test]
fn taxonomy_is_enforced_only_when_listed() {
    let mut c = Config::builtin();
    assert!(
        c.check_taxonomy(crate::domain::Field::Service, "anything")
            .is_ok()
    );
    assert!(
        c.check_taxonomy(crate::domain::Field::Category, "dns")
            .is_ok()
    );
    let e = c
        .check_taxonomy(crate::domain::Field::Category, "dsn")
        .unwrap_err()
        .to_string();
    assert!(e.contains("[taxonomy] categories"), "{e}");
    c.layer_str("[taxonomy]\nservices = [\"api\"]\n", "u")
        .unwrap();
    assert!(
        c.check_taxonomy(crate::domain::Field::Service, "web")
            .is_err()
    );
}

#[test]
fn effective_config_round_trips() {
    let c = Config::builtin();
    let mut again = Config::empty();
    again.layer_str(&c.to_toml(), "shown").unwrap();
    assert_eq!(again.priority, c.priority);
    assert_eq!(again.severities, c.severities);
    assert_eq!(again.taxonomy, c.taxonomy);
    assert_eq!(again.defaults, c.defaults);
    assert_eq!(again.postmortem, c.postmortem);
}

#[test]
fn postmortem_policy_is_configurable_with_located_errors() {
    let mut c = Config::builtin();
    assert_eq!(
        c.postmortem.close_requires,
        vec![Severity::Sev1, Severity::Sev2]
    );
    c.layer_str("[postmortem]\nclose-requires = [\"SEV1\", \"SEV2\", \"SEV3\"]\n[postmortem.required]\nincident = [\"summary\"]\n", "u").unwrap();
    assert_eq!(c.postmortem.close_requires.len(), 3);
    assert_eq!(c.postmortem.required[&Kind::Incident], vec!["summary"]);
    let e = c
        .layer_str(
            "[postmortem.sections]\nincident = [\"summary\", \"vibes\"]\n",
            "u",
        )
        .unwrap_err();
    assert_eq!((e.line, e.column), (2, 24), "{e}");
    assert!(e.message.contains("postmortem section 'vibes'"), "{e}");
    let e = c
        .layer_str("[postmortem]\nclose_requires = []\n", "u")
        .unwrap_err();
    assert!(e.message.contains("close_requires"), "{e}");
}

#[test]
fn line_col_counts_chars() {
    assert_eq!(line_col("ab\ncd", 4), (2, 2));
    assert_eq!(line_col("ab", 0), (1, 1));
}

#[test]
fn line_col_never_slices_inside_a_character() {
    // Offsets inside `é` (bytes 1..3) count from the start of that character.
    assert_eq!(line_col("aé", 2), (1, 2));
    assert_eq!(line_col("\né", 2), (2, 1));
    assert_eq!(line_col("é", 99), (1, 2));
}

/// Issue #9 item 17: a config file that is not UTF-8 was reported as a
/// read error with "check the path"; the path is fine, the bytes are not.
#[test]
fn non_utf8_config_file_names_the_place_not_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("config.toml");
    std::fs::write(&p, b"[defaults]\nkind = \"inci\xffdent\"\n").unwrap();
    let e = Config::builtin().layer_file(&p, true).unwrap_err();
    assert_eq!(e.file, p.display().to_string());
    assert_eq!((e.line, e.column), (2, 13), "{e}");
    assert!(e.message.contains("not valid UTF-8"), "{e}");
    assert!(e.message.contains("offset 23"), "{e}");
    assert!(!e.message.contains("check the path"), "{e}");
}
