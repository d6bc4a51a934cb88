use super::*;
use crate::config::Config;

fn k(s: &str) -> Vec<Key> {
    parse_chord(s).unwrap()
}

#[test]
fn defaults_parse_and_resolve() {
    let km = Keymap::defaults();
    assert_eq!(
        km.resolve(Mode::Normal, &k("j")),
        Resolved::Action(Action::Down)
    );
    assert_eq!(
        km.resolve(Mode::Normal, &k("down")),
        Resolved::Action(Action::Down)
    );
    assert_eq!(km.resolve(Mode::Normal, &k("g")), Resolved::Pending);
    assert_eq!(
        km.resolve(Mode::Normal, &k("g g")),
        Resolved::Action(Action::Top)
    );
    assert_eq!(
        km.resolve(Mode::Normal, &k("G")),
        Resolved::Action(Action::Bottom)
    );
    assert_eq!(
        km.resolve(Mode::Normal, &k("ctrl-d")),
        Resolved::Action(Action::PageDown)
    );
    assert_eq!(km.resolve(Mode::Normal, &k("z")), Resolved::Unbound);
    assert_eq!(
        km.resolve(Mode::Dialog, &k("ctrl-s")),
        Resolved::Action(Action::Save)
    );
}

#[test]
fn every_action_is_reachable_in_some_mode() {
    let km = Keymap::defaults();
    for a in Action::ALL {
        let bound = Mode::ALL
            .iter()
            .any(|m| km.bindings(*m).iter().any(|(b, _)| b == a));
        assert!(bound, "{a} has no default key");
        assert_eq!(Action::parse(&a.name()), Some(*a));
        assert!(!a.desc().is_empty());
    }
}

#[test]
fn keys_parse_and_print() {
    assert_eq!(Key::parse("ctrl-S").unwrap(), Key::ctrl('s'));
    assert_eq!(Key::parse("shift-tab").unwrap().name, key::Name::BackTab);
    assert_eq!(Key::parse("space").unwrap(), Key::char(' '));
    assert_eq!(Key::parse("f5").unwrap().name, key::Name::F(5));
    assert_eq!(Key::parse("-").unwrap(), Key::char('-'));
    assert!(Key::parse("hyper-x").is_err());
    assert!(Key::parse("ctrl-").is_ok_and(|k| k == Key::char('-')) || Key::parse("ctrl-").is_err());
    assert_eq!(Key::ctrl('s').to_string(), "ctrl-s");
    for s in ["a", "G", "ctrl-x", "alt-enter", "esc", "f12"] {
        let key = Key::parse(s).unwrap();
        assert_eq!(Key::from_event(&key.to_event()), Some(key), "{s}");
    }
}

fn with_user(toml: &str) -> Result<Keymap, crate::config::ConfigError> {
    let mut c = Config::builtin();
    c.layer_str(toml, "user.toml")?;
    Keymap::load(&c.keys)
}

#[test]
fn user_can_rebind_and_unbind() {
    let km = with_user("[keys.normal]\n\"x\" = \"acknowledge\"\n\"a\" = \"\"\n").unwrap();
    assert_eq!(
        km.resolve(Mode::Normal, &k("x")),
        Resolved::Action(Action::Acknowledge)
    );
    assert_eq!(km.resolve(Mode::Normal, &k("a")), Resolved::Unbound);
    assert_eq!(
        km.key_for(Mode::Normal, Action::Acknowledge).as_deref(),
        Some("x")
    );
}

#[test]
fn unknown_action_is_a_located_config_error() {
    let e = with_user("[keys.normal]\n\"x\" = \"acknowlege\"\n").unwrap_err();
    assert_eq!(
        (e.file.as_str(), e.line, e.column),
        ("user.toml", 2, 7),
        "{e}"
    );
    assert!(e.message.contains("unknown action 'acknowlege'"), "{e}");
}

#[test]
fn unparsable_key_and_unknown_mode_are_located() {
    let e = with_user("[keys.normal]\n\n\"hyper-q\" = \"quit\"\n").unwrap_err();
    assert_eq!((e.line, e.column), (3, 1), "{e}");
    assert!(e.message.contains("cannot parse key"), "{e}");
    let e = with_user("[keys.visual]\n\"q\" = \"quit\"\n").unwrap_err();
    assert!(e.message.contains("unknown key mode 'visual'"), "{e}");
}

#[test]
fn prefix_conflict_is_an_error_at_the_users_line() {
    let e = with_user("[keys.normal]\n\"g\" = \"top\"\n").unwrap_err();
    assert_eq!((e.file.as_str(), e.line), ("user.toml", 2), "{e}");
    assert!(e.message.contains("conflicts with chord 'g g'"), "{e}");
    // Unbinding the chord resolves it.
    let km = with_user("[keys.normal]\n\"g g\" = \"\"\n\"g\" = \"top\"\n").unwrap();
    assert_eq!(
        km.resolve(Mode::Normal, &k("g")),
        Resolved::Action(Action::Top)
    );
}

#[test]
fn key_specs_are_parsed_at_character_boundaries() {
    for s in ["é", "ctrl-é", "shift-ß", "alt-ü", "m-é", "c-é"] {
        let k = Key::parse(s).unwrap();
        assert!(matches!(k.name, key::Name::Char(_)), "{s}");
    }
    for s in [
        "cé", "ctrlé-x", "f+5", "f05x", "f25", "f0", "fé", "ctrl-", "shift-", "c-m-",
    ] {
        assert!(Key::parse(s).is_err(), "{s}");
    }
    assert_eq!(Key::parse("f05").unwrap().name, key::Name::F(5));
    assert_eq!(Key::parse("F24").unwrap().name, key::Name::F(24));
}

/// A ctrl-shift-letter binding could never fire: the terminal (and
/// Key::from_event) folds it to ctrl-letter. Say so instead of binding it.
#[test]
fn ctrl_shift_letter_is_refused_with_the_reason() {
    let e = Key::parse("ctrl-shift-a").unwrap_err();
    assert!(e.contains("bind ctrl-a"), "{e}");
    assert!(Key::parse("shift-ctrl-A").is_err());
    // Not a letter: shift changes nothing, so it stays allowed.
    assert_eq!(Key::parse("ctrl-shift-1").unwrap(), Key::ctrl('1'));
    assert_eq!(
        Key::parse("alt-shift-a").unwrap(),
        Key {
            name: key::Name::Char('A'),
            ctrl: false,
            alt: true
        }
    );
}
