//! Incident and action ids (`42`, `INC-42`, `ACT-7`): any text is refused
//! or accepted without a panic, and an accepted id prints and parses back.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sev::domain::{ActionId, IncidentId};

fuzz_target!(|s: &str| {
    if let Ok(id) = s.parse::<IncidentId>() {
        assert!(id.0 > 0, "{s:?}");
        assert_eq!(id.to_string().parse::<IncidentId>(), Ok(id), "{s:?}");
    }
    if let Ok(id) = s.parse::<ActionId>() {
        assert!(id.0 > 0, "{s:?}");
        assert_eq!(id.to_string().parse::<ActionId>(), Ok(id), "{s:?}");
    }
});
