//! Shared bench setup: a database of N generated incidents, made once per
//! size and kept under target/ so repeated runs skip the generation.

use sev::app::App;
use sev::clock::SystemClock;
use sev::config::Config;
use sev::keymap::Keymap;
use sev::store::Store;
use std::path::PathBuf;
use std::sync::Arc;

#[allow(dead_code)]
pub fn db(n: usize) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bench-data");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("sev-{n}.db"));
    let ready = dir.join(format!("sev-{n}.ready"));
    if !ready.exists() {
        for ext in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{ext}", path.display()));
        }
        let store = Store::open(&path).unwrap();
        let generator = sev::demo::Generator::new(n, 42, chrono::Utc::now());
        let mut batch = Vec::with_capacity(5000);
        for item in generator {
            batch.push(item);
            if batch.len() == 5000 {
                store.insert_batch(&batch).unwrap();
                batch.clear();
            }
        }
        store.insert_batch(&batch).unwrap();
        std::fs::write(&ready, b"ok").unwrap();
    }
    path
}

#[allow(dead_code)]
pub fn app(path: &std::path::Path) -> App {
    let store = Store::open(path).unwrap();
    let mut app = App::new(
        store,
        Config::builtin(),
        Keymap::defaults(),
        Arc::new(SystemClock),
        "bench".into(),
    )
    .unwrap();
    app.resize(80, 24);
    app
}

/// A private copy of the N-incident database, for benches that write.
#[allow(dead_code)]
pub fn db_copy(n: usize) -> (tempfile::TempDir, PathBuf) {
    let src = db(n);
    // Fold the WAL into the main file first so one file copy is complete.
    Store::open(&src)
        .unwrap()
        .conn()
        .execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let dst = dir.path().join("sev.db");
    std::fs::copy(&src, &dst).unwrap();
    (dir, dst)
}
