use super::*;
use proptest::prelude::*;

fn row(id: i64, t: &str, s: &str, d: &str) -> SearchRow {
    SearchRow {
        id: IncidentId(id),
        title: t.into(),
        service: Some(s.into()),
        description: d.into(),
        // Active, SEV3, P3, same age: list order is ascending id here.
        key: ListKey::new(0, 3, 3, 0, IncidentId(id)),
    }
}

fn corpus() -> Corpus {
    Corpus::new(vec![
        row(1, "DNS resolution failures", "dns", ""),
        row(
            2,
            "Checkout returns 500s",
            "checkout",
            "after the BGP change",
        ),
        row(3, "Disk full on db primary", "postgres", ""),
    ])
}

fn ids(c: &Corpus, q: &str) -> Vec<i64> {
    rank(c, q, None)
        .into_iter()
        .map(|(i, _)| c.id(i).0)
        .collect()
}

#[test]
fn ranks_fuzzy_matches_and_description_substrings() {
    let c = corpus();
    assert_eq!(ids(&c, "dns")[0], 1, "the exact word ranks first");
    assert_eq!(ids(&c, "chk500"), vec![2]);
    assert_eq!(ids(&c, "bgp"), vec![2], "description substring");
    assert_eq!(ids(&c, "INC-3"), vec![3]);
    assert_eq!(ids(&c, ""), vec![1, 2, 3]);
    assert!(ids(&c, "zzzz").is_empty());
    assert_eq!(
        title_positions("DNS resolution failures", "dns"),
        Some(vec![0, 1, 2])
    );
}

#[test]
fn narrowing_gives_the_same_answer_as_a_full_scan() {
    let c = corpus();
    let first = rank(&c, "dis", None);
    let cands: Vec<u32> = first.iter().map(|(i, _)| *i).collect();
    assert!(narrows("dis", "disk"));
    assert_eq!(rank(&c, "disk", Some(&cands)), rank(&c, "disk", None));
}

#[test]
fn short_queries_do_not_narrow_longer_ones() {
    // "4" does not match INC-42's title or service, but "42" is its
    // reference: narrowing from "4" would lose it.
    let c = Corpus::new(vec![row(42, "Checkout down", "web", "")]);
    assert!(ids(&c, "4").is_empty());
    assert_eq!(ids(&c, "42"), vec![42]);
    assert!(!narrows("4", "42"));
    // Service matches start at 2 characters: "d" misses, "dn" finds.
    let c = Corpus::new(vec![row(7, "Checkout returns 500s", "dns", "")]);
    assert!(ids(&c, "x").is_empty() && ids(&c, "dn") == vec![7]);
    assert!(!narrows("d", "dn"));
    assert!(narrows("dns", "dns f") && !narrows("dns", "dn") && !narrows("dns", "mdns"));
    // Found by the `search` fuzz target: a 3-byte Kelvin sign is the
    // 1-byte query "k"; a final sigma lowercases differently.
    assert!(!narrows("\u{212a}", "\u{212a}s") && !narrows("aΣ", "aΣb"));
    assert!(narrows("  DIS", "disk ") && narrows("di", "di") && !narrows("", "d"));
}

#[test]
fn apply_changes_titles_in_place_and_drops_rows_that_left() {
    let mut c = corpus();
    c.apply(
        vec![
            row(2, "Payment gateway timeouts", "payments", ""),
            row(4, "DNS flapping in eu-west", "dns", ""),
        ],
        &[IncidentId(3)],
    );
    assert_eq!(c.len(), 3);
    assert_eq!(ids(&c, "dns"), vec![1, 4]);
    assert!(ids(&c, "checkout").is_empty(), "the old title is gone");
    assert_eq!(ids(&c, "gateway"), vec![2]);
    assert!(ids(&c, "disk").is_empty(), "INC-3 left the list");
    // Back again (reopened).
    c.apply(vec![row(3, "Disk full on db primary", "postgres", "")], &[]);
    assert_eq!(ids(&c, "disk"), vec![3]);
    assert_eq!(c.len(), 4);
    assert_eq!(
        ids(&c, ""),
        vec![1, 2, 3, 4],
        "list order, not arrival order"
    );
}

#[test]
fn interned_titles_are_scored_once_but_every_row_is_returned() {
    let rows: Vec<SearchRow> = (1..=5000)
        .map(|i| row(i, ["DNS down", "Disk full"][i as usize % 2], "svc", ""))
        .collect();
    let mut c = Corpus::new(rows);
    assert_eq!(c.distinct_titles(), 2);
    assert_eq!(rank(&c, "dns", None).len(), 2500);
    // Most rows leave: the corpus compacts and still answers the same.
    let gone: Vec<IncidentId> = (1..=4000).map(IncidentId).collect();
    c.apply(vec![], &gone);
    assert_eq!(c.len(), 1000);
    assert_eq!(rank(&c, "dns", None), rank_unindexed(&c, "dns"));
    assert_eq!(rank(&c, "dns", None).len(), 500);
}

/// Titles from a small alphabet so random queries match often, with
/// repeats (as alert-made titles have) and non-ASCII letters.
fn title() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-eDNS ü1-]{0,12}",
        Just("dns down".to_string()),
        Just("Disk full".to_string()),
    ]
}

fn rows() -> impl Strategy<Value = Vec<SearchRow>> {
    prop::collection::vec(
        (title(), "[a-e]{0,4}", "[a-e ]{0,10}", 0i64..3, 1i64..=5),
        0..60,
    )
    .prop_map(|v| {
        v.into_iter()
            .enumerate()
            .map(|(i, (t, s, d, attention, p))| {
                let id = IncidentId(i as i64 + 1);
                SearchRow {
                    id,
                    title: t,
                    service: Some(s),
                    description: d,
                    key: ListKey::new(attention, p, 6 - p, (i as i64 * 7) % 5, id),
                }
            })
            .collect()
    })
}

proptest! {
    #[test]
    fn the_index_ranks_exactly_like_scoring_every_row(
        rows in rows(),
        changed in rows(),
        gone in prop::collection::vec(1i64..70, 0..10),
        q in "[a-eDNSü1 -]{0,4}|inc-[0-9]{1,2}|[0-9]{1,2}",
    ) {
        let mut c = Corpus::new(rows);
        prop_assert_eq!(rank(&c, &q, None), rank_unindexed(&c, &q));
        // After an incremental update too.
        let gone: Vec<IncidentId> = gone.into_iter().map(IncidentId).collect();
        c.apply(changed, &gone);
        prop_assert_eq!(rank(&c, &q, None), rank_unindexed(&c, &q));
    }

    #[test]
    fn narrowing_from_a_shorter_query_is_exact(
        rows in rows(),
        head in "[a-eDNSü -]{3,4}",
        tail in "[a-e ]{1,2}",
    ) {
        let c = Corpus::new(rows);
        let q = format!("{head}{tail}");
        prop_assume!(narrows(&head, &q));
        let cands: Vec<u32> = rank(&c, &head, None).iter().map(|(i, _)| *i).collect();
        prop_assert_eq!(rank(&c, &q, Some(&cands)), rank(&c, &q, None));
    }
}

/// Found by the `search` fuzz target: SkimMatcherV2 reuses its score matrix
/// between calls and `Vec::resize` keeps the old cells, so a title's score
/// depended on which titles were scored before it. Every row must score
/// the same alone, narrowed, or in a full scan.
#[test]
fn a_rows_score_does_not_depend_on_the_rows_scored_before_it() {
    let input = "kkkk\0\0\0\0\0\0\0ddD\0s\0B?kkkkkkkkkk\u{1}\0\0\0\0\0\0\
                 7777777777\u{4}kkkkdd\0iskdd\0is\0k\0\0dkkk[priority]kkk\0k\0\0\
                 dkkk[priority]kkkk";
    let mut parts = input.split('\0');
    let query = parts.next().unwrap();
    parts.next(); // the fuzz target's suffix: empty here
    let rows: Vec<SearchRow> = parts
        .collect::<Vec<_>>()
        .chunks(3)
        .enumerate()
        .map(|(i, c)| {
            let mut r = row(i as i64 + 1, c[0], c.get(1).copied().unwrap_or(""), "");
            r.description = c.get(2).map(|s| s.to_string()).unwrap_or_default();
            r
        })
        .collect();
    let c = Corpus::new(rows);
    let full = rank(&c, query, None);
    assert!(full.len() > 1, "{full:?}");
    for hit in &full {
        assert_eq!(rank(&c, query, Some(&[hit.0])), vec![*hit]);
    }
    let ids: Vec<u32> = full.iter().map(|(i, _)| *i).collect();
    assert_eq!(rank(&c, query, Some(&ids)), full);
    assert_eq!(rank_unindexed(&c, query), full);
}
