//! `sev init --shared DIR --group G`: a database shared by a Unix group.

use crate::cli::{InitArgs, show_path, to_json, toml_string};
use crate::error::Result;
use crate::text::sanitize_line;

pub(super) fn run(a: &InitArgs, json: bool) -> Result<()> {
    let db = crate::admin::init_shared(&a.shared, &a.group)?;
    if json {
        crate::outln!(
            "{}",
            to_json(&serde_json::json!({"database": db, "group": a.group}))
        );
        return Ok(());
    }
    crate::outln!(
        "shared database ready: {} (group {}, file 0660, directory 2770 setgid)",
        show_path(&db),
        sanitize_line(&a.group)
    );
    crate::outln!(
        "Tell every user's sev about it, once, in {}:",
        crate::config::SYSTEM_CONFIG
    );
    crate::outln!("  database = {}", toml_string(&db.display().to_string()));
    crate::outln!(
        "Then add each responder to the group: usermod -aG {} USER",
        sanitize_line(&a.group)
    );
    Ok(())
}
