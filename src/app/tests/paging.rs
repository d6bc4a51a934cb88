//! Paging in the TUI: who is on call in the header, the escalation in the
//! detail pane, failed notifications in the header, `u` posting a
//! stakeholder update and the update line it leaves.

use super::Harness;
use crate::clock::Clock;
use crate::domain::NewIncident;
use crate::domain::{EventKind, Severity};
use crate::paging::deliver::{Courier, drain_once};
use crate::paging::directory::Live;
use crate::store::respond::OutboxRow;
use crate::ui::tests::screen;

const CONFIG: &str = r#"
[schedules.payments]
time_zone = "Europe/Berlin"
[[schedules.payments.layers]]
members = ["alice", "bob"]
shift = "1w"
handoff = "09:00"
start = "2026-11-23"

[channels.hook]
type = "webhook"
url = "http://127.0.0.1:9/hook"

[users.alice]
contacts = [{ channel = "hook", to = "@alice" }]

[escalation.pay]
[[escalation.pay.steps]]
targets = ["schedule:payments"]
[[escalation.pay.steps]]
delay = "5m"
targets = ["user:bob"]

[services.checkout]
escalation = "pay"
stakeholders = ["hook"]
"#;

struct Refuses;

impl Courier for Refuses {
    fn send(&mut self, _: &OutboxRow) -> Result<String, (String, bool)> {
        Err(("HTTP 404 \u{1b}[2J".into(), false))
    }
}

fn harness() -> Harness {
    let mut h = Harness::new();
    h.app.config.layer_str(CONFIG, "test.toml").unwrap();
    h.app
        .ctx()
        .create(&NewIncident {
            title: "checkout 500s".into(),
            severity: Some(Severity::Sev2),
            service: Some("checkout".into()),
            ..Default::default()
        })
        .unwrap();
    let store = h.other();
    let now = h.clock.now();
    let dir = Live::load(&h.app.config, &store, now).unwrap();
    crate::paging::escalate::tick(&store, &h.app.config.paging, &dir, now).unwrap();
    h.app.reload().unwrap();
    h
}

#[test]
fn the_header_names_who_is_on_call_and_the_detail_who_was_paged() {
    let mut h = harness();
    h.app.resize(160, 40);
    let s = screen(&h.app, 160, 40);
    assert!(s.contains("on call: alice"), "{s}");
    // Policies and no sev serve holding the paging lease: said.
    assert!(s.contains("NOT PAGING: no sev serve running"), "{s}");
    let mut held = false;
    crate::paging::deliver::take_lease(&h.other(), "jump:1", h.clock.now(), &mut held).unwrap();
    h.app.reload().unwrap();
    assert!(!screen(&h.app, 160, 40).contains("NOT PAGING"));
    assert!(
        s.contains("paged     alice (step 2 in 5m 00s: user:bob)"),
        "{s}"
    );
    // A page the receiver refuses: the header says so, without its bytes.
    drain_once(&h.other(), &mut Refuses, || h.clock.now()).unwrap();
    h.app.tick();
    let s = screen(&h.app, 160, 40);
    assert!(s.contains("1 NOTIFICATION FAILED"), "{s}");
    h.app.reload().unwrap();
    let s = screen(&h.app, 160, 40);
    assert!(
        s.contains("· PAGE FAILED:") && s.contains("HTTP 404"),
        "{s}"
    );
    assert!(!s.contains('\u{1b}'), "{s:?}");
}

#[test]
fn u_posts_a_stakeholder_update_and_the_detail_shows_it() {
    let mut h = harness();
    h.app.resize(160, 40);
    let s = screen(&h.app, 160, 40);
    assert!(s.contains("update    none yet · due by 04:00"), "{s}");
    h.keys("u");
    let s = screen(&h.app, 160, 40);
    assert!(s.contains("Stakeholder update"), "{s}");
    assert!(s.contains("Status: triage"), "{s}");
    // Neither impact nor doing: refused in the dialog, nothing posted.
    h.keys("ctrl-s");
    assert!(screen(&h.app, 160, 40).contains("neither the impact"));
    // The cursor waits after "Impact: ".
    h.type_text("5% of checkouts fail");
    h.keys("ctrl-s");
    assert!(
        h.message()
            .contains("update posted to INC-1's timeline and hook"),
        "{}",
        h.message()
    );
    let events = h.app.store.events(crate::domain::IncidentId(1)).unwrap();
    let u = events.iter().find(|e| e.kind == EventKind::Update).unwrap();
    assert!(
        u.text
            .as_deref()
            .unwrap()
            .contains("Impact: 5% of checkouts fail"),
        "{u:?}"
    );
    let s = screen(&h.app, 160, 40);
    assert!(
        s.contains("update    03:00 by alice: triage · next by 04:00"),
        "{s}"
    );
    // Fifty-seven minutes later the next one is due soon; later, overdue.
    h.clock.advance(chrono::Duration::minutes(57));
    let s = screen(&h.app, 160, 40);
    assert!(
        s.contains("update    UPDATE DUE IN 3m 00s · 03:00 by alice"),
        "{s}"
    );
    h.clock.advance(chrono::Duration::minutes(10));
    h.app.reload().unwrap();
    let s = screen(&h.app, 160, 40);
    assert!(s.contains("update    UPDATE OVERDUE 7m 00s · 03:00"), "{s}");
    assert!(s.contains("upd!"), "the list marks it: {s}");
}

#[test]
fn colon_update_opens_the_same_form_as_u() {
    let mut h = harness();
    h.app.resize(160, 40);
    h.app.run_command("update now");
    assert!(
        h.message().contains(":update opens the update form"),
        "{}",
        h.message()
    );
    h.keys("esc");
    h.app.run_command("update");
    let s = screen(&h.app, 160, 40);
    assert!(s.contains("Stakeholder update"), "{s}");
    assert!(s.contains("Status: triage"), "{s}");
}
