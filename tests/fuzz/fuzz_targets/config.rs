//! A config file's raw bytes, layered over the built-in config and then
//! turned into a keymap: either it works or the error names the file, a line
//! and a column inside it. Never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sev::config::Config;
use sev::keymap::Keymap;

const NAME: &str = "fuzz.toml";

fuzz_target!(|data: &[u8]| {
    let lines = data.split(|b| *b == b'\n').count();
    let mut c = Config::builtin();
    let located = |file: &str, line: usize, column: usize| {
        assert_eq!(file, NAME);
        assert!(line >= 1 && line <= lines + 1, "line {line} of {lines}");
        assert!(column >= 1);
    };
    match c.layer_bytes(data.to_vec(), NAME) {
        Ok(()) => {
            if let Err(e) = Keymap::load(&c.keys) {
                located(&e.file, e.line, e.column);
            }
            // What was accepted can be shown and read again.
            let shown = c.to_toml();
            let mut again = Config::builtin();
            again
                .layer_str(&shown, "shown")
                .unwrap_or_else(|e| panic!("sev config show is not valid config: {e}\n{shown}"));
        }
        Err(e) => located(&e.file, e.line, e.column),
    }
});
