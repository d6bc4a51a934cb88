//! Key specs from the config's [keys] tables (`ctrl-s`, `g g`, `f5`): never a
//! panic; a parsed key prints as a spec that parses back to it (arrows print
//! as ↑↓←→ for people) and is a key the terminal can send.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sev::keymap::{Key, Name, parse_chord};

fuzz_target!(|s: &str| {
    if let Ok(k) = Key::parse(s) {
        let shown = k.to_string();
        if !matches!(k.name, Name::Up | Name::Down | Name::Left | Name::Right) {
            assert_eq!(Key::parse(&shown), Ok(k), "{s:?} shown as {shown:?}");
        }
        assert_eq!(Key::from_event(&k.to_event()), Some(k), "{s:?}");
    }
    if let Ok(keys) = parse_chord(s) {
        assert!(!keys.is_empty(), "{s:?}");
    }
});
