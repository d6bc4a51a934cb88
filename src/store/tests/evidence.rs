//! Evidence events on both backends: stored, read back, chained.

use super::*;
use crate::domain::evidence::{Evidence, Exit};

fn record(head: &[u8]) -> Evidence {
    Evidence {
        argv: vec!["sh".into(), "-c".into(), "printf '\\033[2J'".into()],
        started_at: chrono::Utc.with_ymd_and_hms(2026, 5, 4, 3, 1, 0).unwrap(),
        duration_ms: 61_500,
        exit: Exit::Signal(2),
        output_bytes: 5000,
        head: head.to_vec(),
        tail: b"\xff tail \x00".to_vec(),
        omitted: 5000 - head.len() as u64 - 8,
    }
}

#[test]
fn evidence_is_appended_read_back_and_chained() {
    for db in TestDb::all() {
        let s = db.open();
        let config = Config::builtin();
        let c = clock();
        let cx = ctx(&s, &config, &c, "alice");
        let inc = cx
            .create(&NewIncident {
                title: "disk full".into(),
                ..Default::default()
            })
            .unwrap();
        cx.note(inc.id, "looking").unwrap();
        // Hostile, non-UTF-8 and NUL bytes: kept exactly on both backends.
        let rec = record("\u{1b}]52;c;aGk=\u{7}\u{202e}\0 é\n".as_bytes());
        c.advance(chrono::Duration::minutes(2));
        let ev = cx.record_evidence(inc.id, &rec).unwrap();
        assert_eq!(ev.kind, EventKind::Evidence, "{}", db.name());
        assert_at(&db, ev.at, c.now());
        let events = s.events(inc.id).unwrap();
        let last = events.last().unwrap();
        assert_eq!(last.id, ev.id);
        assert_eq!(last.kind, EventKind::Evidence);
        assert_eq!(last.evidence(), Some(rec.clone()), "{}", db.name());
        // Like a note: no new version, no conflict.
        let after = s.get(inc.id).unwrap();
        assert_eq!(after.version, inc.version, "{}", db.name());
        let v = s.verify().unwrap();
        assert!(v.broken.is_none(), "{}: {:?}", db.name(), v.broken);
        assert_eq!(v.events, 3);
        // A later write chains after it.
        cx.note(inc.id, "after the run").unwrap();
        assert!(s.verify().unwrap().broken.is_none(), "{}", db.name());
        // No such incident: nothing written.
        let e = cx.record_evidence(IncidentId(999), &rec).unwrap_err();
        assert_eq!(
            e.exit_code(),
            crate::error::exit::NOT_FOUND,
            "{}",
            db.name()
        );
        assert_eq!(s.verify().unwrap().events, 4);
    }
}
