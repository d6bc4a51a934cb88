//! The fuzzy search behind the TUI's `/` and `sev search`: arbitrary titles,
//! services, descriptions and queries (split from the input at NUL bytes)
//! rank and highlight without a panic, highlights fall inside the title, and
//! the index ranks like scoring every row, and the TUI's incremental
//! narrowing is sound: when a query extends the last
//! one (the rule in `Search::request`), every row the longer query matches
//! was among the last answer's hits.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sev::search::{Corpus, narrows, rank, title_positions};
use sev::domain::IncidentId;
use sev::store::{ListKey, SearchRow};

fuzz_target!(|s: &str| {
    let mut parts = s.split('\0');
    let query = parts.next().unwrap_or_default();
    let suffix = parts.next().unwrap_or_default();
    let rows: Vec<SearchRow> = parts
        .collect::<Vec<_>>()
        .chunks(3)
        .enumerate()
        .map(|(i, c)| {
            let id = IncidentId(i as i64 + 1);
            SearchRow {
                id,
                title: c[0].to_string(),
                service: c.get(1).map(|s| s.to_string()),
                description: c.get(2).map(|s| s.to_string()).unwrap_or_default(),
                key: ListKey::new(0, 3, 3, 0, id),
            }
        })
        .collect();
    let titles: Vec<String> = rows.iter().map(|r| r.title.to_lowercase()).collect();
    let corpus = Corpus::new(rows);
    let hits = rank(&corpus, query, None);
    for (i, _) in &hits {
        assert!((*i as usize) < corpus.len());
        let title = &titles[*i as usize];
        let positions = title_positions(title, &query.to_lowercase()).unwrap_or_default();
        for p in positions {
            assert!(p < title.chars().count(), "highlight {p} past the title");
        }
    }
    let longer = format!("{query}{suffix}");
    if narrows(query, &longer) {
        let ids: Vec<u32> = hits.iter().map(|(i, _)| *i).collect();
        let narrowed = rank(&corpus, &longer, Some(&ids));
        let full = rank(&corpus, &longer, None);
        assert_eq!(full, sev::search::rank_unindexed(&corpus, &longer));
        assert_eq!(
            narrowed, full,
            "narrowing from {query:?} to {longer:?} lost or reordered matches"
        );
    }
});
