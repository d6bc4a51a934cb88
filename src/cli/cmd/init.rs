//! `sev init --shared DIR --group G`: a database shared by a Unix group.
//! `sev init --db postgres://…`: the schema on a PostgreSQL server.

use crate::cli::{InitArgs, show_path, to_json, toml_string};
use crate::error::{Error, Result};
use crate::text::sanitize_line;
use std::path::Path;

pub(super) fn run(a: &InitArgs, database: &Path, json: bool) -> Result<()> {
    let (Some(shared), Some(group)) = (&a.shared, &a.group) else {
        return init_postgres(database, json);
    };
    let db = crate::admin::init_shared(shared, group)?;
    if json {
        crate::outln!(
            "{}",
            to_json(&serde_json::json!({"database": db, "group": group}))
        );
        return Ok(());
    }
    crate::outln!(
        "shared database ready: {} (group {}, file 0660, directory 2770 setgid)",
        show_path(&db),
        sanitize_line(group)
    );
    crate::outln!(
        "Tell every user's sev about it, once, in {}:",
        crate::config::SYSTEM_CONFIG
    );
    crate::outln!("  database = {}", toml_string(&db.display().to_string()));
    crate::outln!(
        "Then add each responder to the group: usermod -aG {} USER",
        sanitize_line(group)
    );
    Ok(())
}

/// Create (or bring up to date) sev's schema in a PostgreSQL database.
fn init_postgres(database: &Path, json: bool) -> Result<()> {
    if !crate::store::locator::is_postgres(database) {
        return Err(Error::Usage(
            "sev init needs --shared DIR --group G (a SQLite file for a Unix group), or --db postgres://USER@HOST/DB (a PostgreSQL server)".into(),
        ));
    }
    let store = crate::store::Store::open(database)?;
    let (version, _) = store.schema_info()?;
    let shown = crate::store::locator::shown(database);
    if json {
        println!(
            "{}",
            to_json(&serde_json::json!({"database": shown, "schema_version": version}))
        );
    } else {
        println!("PostgreSQL database ready: {shown} (schema version {version})");
        println!("Check the role's privileges with: sev doctor");
    }
    Ok(())
}
