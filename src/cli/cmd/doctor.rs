//! `sev doctor`: permissions, filesystem, schema, integrity, audit trail.

use crate::cli::to_json;
use crate::error::{Error, Result};
use crate::text::sanitize_line;

pub(super) fn run(db: &std::path::Path, json: bool) -> Result<()> {
    use crate::admin::Level;
    let findings = crate::admin::doctor(db);
    if json {
        crate::outln!("{}", to_json(&findings));
    } else {
        for f in &findings {
            let tag = match f.level {
                Level::Ok => "ok  ",
                Level::Warn => "WARN",
                Level::Fail => "FAIL",
            };
            crate::outln!("{tag} {:<14} {}", f.check, sanitize_line(&f.detail));
            if let Some(fix) = &f.fix {
                crate::outln!("     {:<14} fix: {}", "", sanitize_line(fix));
            }
        }
    }
    let bad = findings.iter().filter(|f| f.level != Level::Ok).count();
    if bad > 0 {
        return Err(Error::Check(format!(
            "sev doctor found {bad} problem(s) with {}: run the fixes above",
            db.display()
        )));
    }
    Ok(())
}
