//! PostgreSQL's one-message note: the hash the server computes is the one
//! `sev verify` computes, for every character a note can hold.

use super::*;

/// Every ASCII character but NUL (quotes, backslashes, controls), text
/// that looks like SQL, and characters beyond ASCII: stored as given, and
/// the chain verifies on both backends.
#[test]
fn notes_hash_alike_on_the_server_for_any_text() {
    let ascii: String = (1u8..=0x7f).map(char::from).collect();
    let texts = [
        ascii.as_str(),
        "it's \\'; DROP TABLE events; --",
        "E'\\n' $$ $x$ \\\\ \\",
        "line\u{2028}sep \u{202e}rtl \u{200b}zw é ✓ 🦀 \u{10ffff}",
        "trailing backslash \\",
    ];
    for db in TestDb::all() {
        let s = db.open();
        let (cfg, clock) = (Config::builtin(), clock());
        let c = ctx(&s, &cfg, &clock, "o'brien \\ root");
        let inc = c.create(&new("one trip")).unwrap();
        for t in texts {
            let e = c.note(inc.id, t).unwrap();
            assert_eq!(e.text.as_deref(), Some(t.trim_end()), "{}", db.name());
            assert_eq!(e.actor, "o'brien \\ root");
        }
        let stored = s.events(inc.id).unwrap();
        let notes: Vec<&str> = stored
            .iter()
            .filter(|e| e.kind == EventKind::Note)
            .filter_map(|e| e.text.as_deref())
            .collect();
        let want: Vec<&str> = texts.iter().map(|t| t.trim_end()).collect();
        assert_eq!(notes, want, "{}", db.name());
        let v = s.verify().unwrap();
        assert!(v.broken.is_none(), "{}: {:?}", db.name(), v.broken);
        // The returned event is the stored one: id, time.
        let last = c.note(inc.id, "last").unwrap();
        let got = s.events(inc.id).unwrap().pop().unwrap();
        assert_eq!((last.id, last.at), (got.id, got.at), "{}", db.name());
        let after = s.get(inc.id).unwrap();
        assert_eq!(
            after.updated_at,
            got.at.max(inc.updated_at),
            "{}",
            db.name()
        );
        // A missing incident: not found, and nothing written.
        let before = s.last_event_id().unwrap();
        let err = c.note(IncidentId(999), "nobody").unwrap_err();
        assert!(matches!(err, Error::NotFound(_)), "{err}");
        assert_eq!(s.last_event_id().unwrap(), before);
        // The connection is usable after that.
        c.note(inc.id, "still here").unwrap();
    }
}
