//! A grafana request body: parsed within every limit or refused with a
//! one-line message, never a panic (see ../common/intake.rs).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sev::intake::config::Integration;
use sev::intake::model::Source;

#[path = "../common/intake.rs"]
mod intake;

fuzz_target!(|data: &[u8]| {
    let integ = Integration::named("grafana", Source::Grafana);
    let _ = intake::run(Source::Grafana, &integ, data);
});
