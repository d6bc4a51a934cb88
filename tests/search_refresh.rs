//! The search corpus follows other processes' commits by reading only the
//! incidents whose timeline moved: what it holds afterwards is exactly what
//! a full re-read would hold.

mod common;

use common::Env;
use sev::app::search::{Search, Source};
use sev::domain::IncidentId;
use sev::search::{Corpus, rank};
use sev::store::{ListQuery, Scope, Store};

fn ids(c: &Corpus, q: &str) -> Vec<i64> {
    rank(c, q, None).iter().map(|(i, _)| c.id(*i).0).collect()
}

fn fresh(store: &Store, q: &ListQuery) -> Corpus {
    Corpus::new(store.search_rows(q).unwrap().rows)
}

fn seeded() -> Env {
    let e = Env::new();
    e.ok(&["new", "DNS resolution failures", "--service", "dns"]);
    e.ok(&["new", "Checkout returns 500s", "--service", "checkout"]);
    e.ok(&["new", "Disk full on db primary", "--service", "postgres"]);
    e
}

#[test]
fn another_process_adds_edits_and_resolves_and_the_corpus_follows_exactly() {
    let e = seeded();
    let store = Store::open(&e.db()).unwrap();
    let open = ListQuery::default();
    let mut corpus = fresh(&store, &open);
    let seen = store.last_event_id().unwrap();
    assert_eq!(ids(&corpus, "checkout"), vec![2]);

    // Other processes: a new incident, a title edit, a status change that
    // leaves the open scope, and a note (a change with nothing to search).
    e.ok(&["new", "DNS flapping in eu-west", "--service", "dns"]);
    e.ok(&["set", "1", "title=Resolver timeouts"]);
    e.ok(&["resolve", "2", "--summary", "rolled back"]);
    e.ok(&["note", "3", "still full"]);

    let delta = store.search_changes(&open, seen).unwrap();
    assert_eq!(delta.upto, store.last_event_id().unwrap());
    let mut changed: Vec<i64> = delta.rows.iter().map(|r| r.id.0).collect();
    changed.sort();
    assert_eq!(changed, vec![1, 3, 4], "only incidents with new events");
    assert_eq!(
        delta.gone,
        vec![IncidentId(2)],
        "resolved: out of the open list"
    );
    corpus.apply(delta.rows, &delta.gone);

    let full = fresh(&store, &open);
    assert_eq!(corpus.len(), full.len());
    for q in [
        "",
        "dns",
        "resolver",
        "resolution",
        "checkout",
        "disk",
        "inc-4",
        "d",
    ] {
        assert_eq!(ids(&corpus, q), ids(&full, q), "query {q:?}");
    }
    assert_eq!(ids(&corpus, "resolver"), vec![1], "the new title");
    assert!(
        ids(&corpus, "resolution").is_empty(),
        "the old title is gone"
    );
    assert!(ids(&corpus, "checkout").is_empty(), "resolved is not open");

    // Nothing new: an empty delta at the same bound.
    let again = store.search_changes(&open, delta.upto).unwrap();
    assert!(again.rows.is_empty() && again.gone.is_empty());
    assert_eq!(again.upto, delta.upto);

    // The "all" list keeps the resolved incident, with its new status.
    let all = ListQuery {
        scope: Scope::All,
        ..Default::default()
    };
    let d = store.search_changes(&all, seen).unwrap();
    assert!(d.gone.is_empty());
    assert!(d.rows.iter().any(|r| r.id == IncidentId(2)));
}

#[test]
fn a_facet_decides_membership_of_changed_rows() {
    let e = seeded();
    let store = Store::open(&e.db()).unwrap();
    let dns = ListQuery {
        service: Some("dns".into()),
        ..Default::default()
    };
    let mut corpus = fresh(&store, &dns);
    let seen = store.last_event_id().unwrap();
    e.ok(&["set", "1", "service=bind"]);
    e.ok(&["set", "3", "service=dns"]);
    let d = store.search_changes(&dns, seen).unwrap();
    corpus.apply(d.rows, &d.gone);
    assert_eq!(ids(&corpus, ""), ids(&fresh(&store, &dns), ""));
    assert_eq!(ids(&corpus, ""), vec![3]);
}

#[test]
fn the_worker_answers_from_the_refreshed_corpus() {
    let e = seeded();
    let mut s = Search::default();
    let source = || Source::Load {
        db: e.db(),
        query: ListQuery::default(),
    };
    let g = s.request("dns", source());
    assert_eq!(*s.worker.wait(g).unwrap().ids, vec![IncidentId(1)]);
    e.ok(&["new", "Another DNS outage", "--service", "web"]);
    e.ok(&["set", "1", "title=Resolver timeouts", "service=bind"]);
    // The same query on moved data: answered from the refreshed corpus.
    let g = s.request("dns", source());
    let a = s.worker.wait(g).unwrap();
    assert_eq!(a.error, None);
    assert_eq!(*a.ids, vec![IncidentId(4)]);
    let g = s.request("resolver", source());
    assert_eq!(*s.worker.wait(g).unwrap().ids, vec![IncidentId(1)]);
}
