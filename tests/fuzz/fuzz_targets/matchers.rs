//! Alertmanager matcher syntax (`sev maintenance add --match`, `[[routes]]
//! match`): any text parses or is refused with a column, never a panic;
//! what parses shows as text that parses back to the same matchers; and
//! matching any value (the input itself, absent labels) never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sev::intake::matcher::parse_matchers;

fuzz_target!(|s: &str| {
    match parse_matchers(s) {
        Ok(ms) => {
            let shown: Vec<String> = ms.iter().map(|m| m.to_string()).collect();
            let text = format!("{{{}}}", shown.join(", "));
            let again = parse_matchers(&text)
                .unwrap_or_else(|e| panic!("{text:?} (shown from {s:?}) does not parse: {e}"));
            assert_eq!(again, ms, "{text:?} reads back differently");
            for m in &ms {
                let _ = m.matches_value(s);
                let _ = m.matches(|_| None);
                let _ = m.matches(|_| Some(s));
            }
        }
        Err(e) => assert!(e.starts_with("column "), "no column in {e:?}"),
    }
});
