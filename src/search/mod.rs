//! Fuzzy ranking of incidents, shared by the TUI's search and `sev search`.
//!
//! A [`Corpus`] holds what is searchable of every incident of one list and
//! can be brought up to date in place ([`Corpus::apply`]) from the few rows
//! another process changed. [`rank`] scores a query against it:
//!
//! - the fuzzy scorer (fuzzy-matcher's skim) sees only the title; the
//!   service and the reference are plain substring matches (an exact
//!   reference ranks first) and the description is a substring match from
//!   3 characters on, ranked after every title match;
//! - candidates are cut before any scoring: titles are interned (many
//!   incidents share a title: alerts repeat) and a per-character bitmap over
//!   the distinct titles keeps only those containing every character of
//!   the query, which a subsequence match needs. Each surviving distinct
//!   title is scored once, however many incidents carry it;
//! - one-character queries rank by where the character first starts a word
//!   rather than running the scorer's alignment over every title.
//!
//! The result is exactly what scoring every row one by one gives
//! ([`rank_unindexed`], kept for tests and benchmarks); ties keep list
//! order.

mod index;

use crate::domain::IncidentId;
use crate::store::{ListKey, SearchRef, SearchRow};
use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;
use index::{Bits, CharIndex};
use std::collections::HashMap;

/// No title score (the title does not match).
const NONE: i64 = i64::MIN;

/// Everything searchable of one list, prepared once and then kept current.
#[derive(Default)]
pub struct Corpus {
    ids: Vec<IncidentId>,
    keys: Vec<ListKey>,
    /// Per row: which distinct title it carries (`u32::MAX`: removed).
    title_of: Vec<u32>,
    /// Lowercase "service inc-42", for substring matches.
    tags: Vec<String>,
    /// Lowercase description prefix, for substring matches.
    desc: Vec<String>,
    pos: HashMap<IncidentId, u32>,
    /// Distinct lowercase titles, how many live rows use each, and where.
    titles: Vec<String>,
    title_refs: Vec<u32>,
    /// Lowercase title → slot, and the exact title → slot (most titles
    /// repeat: the exact lookup skips lowercasing them again).
    title_slot: HashMap<String, u32>,
    raw_slot: HashMap<String, u32>,
    chars: CharIndex,
    dead: usize,
}

const REMOVED: u32 = u32::MAX;

impl Corpus {
    pub fn new(rows: Vec<SearchRow>) -> Corpus {
        let mut c = Corpus::default();
        c.ids.reserve(rows.len());
        for r in &rows {
            c.push(r.as_ref());
        }
        c
    }

    /// Read the rows of list `q` straight into a corpus, without copying
    /// them first. Returns the rows that could not be read too.
    pub fn load(
        store: &crate::store::Store,
        q: &crate::store::ListQuery,
    ) -> crate::error::Result<(Corpus, Vec<crate::store::Unreadable>)> {
        let mut c = Corpus::default();
        let bad = store.each_search_row(q, |r| c.push(r))?;
        Ok((c, bad))
    }

    fn intern(&mut self, title: &str) -> u32 {
        let slot = match self.raw_slot.get(title) {
            Some(&s) => s,
            None => {
                let lower = lowercase(title);
                let s = match self.title_slot.get(&lower) {
                    Some(&s) => s,
                    None => {
                        let s = self.titles.len() as u32;
                        self.chars.add(s, &lower);
                        self.titles.push(lower.clone());
                        self.title_refs.push(0);
                        self.title_slot.insert(lower, s);
                        s
                    }
                };
                self.raw_slot.insert(title.to_string(), s);
                s
            }
        };
        self.title_refs[slot as usize] += 1;
        slot
    }

    /// Intern an already lowercased title (compaction).
    fn intern_lower(&mut self, lower: &str) -> u32 {
        let slot = match self.title_slot.get(lower) {
            Some(&s) => s,
            None => {
                let s = self.titles.len() as u32;
                self.chars.add(s, lower);
                self.titles.push(lower.to_string());
                self.title_refs.push(0);
                self.title_slot.insert(lower.to_string(), s);
                s
            }
        };
        self.title_refs[slot as usize] += 1;
        slot
    }

    fn release(&mut self, slot: u32) {
        if slot != REMOVED {
            self.title_refs[slot as usize] -= 1;
        }
    }

    /// Lowercase "service inc-42".
    fn tags_of(r: &SearchRef<'_>) -> String {
        use std::fmt::Write;
        let service = r.service.unwrap_or("");
        let mut t = String::with_capacity(service.len() + 12);
        t.push_str(&lowercase(service));
        let _ = write!(t, " inc-{}", r.id.0);
        t
    }

    fn push(&mut self, r: SearchRef<'_>) {
        let slot = self.intern(r.title);
        self.pos.insert(r.id, self.ids.len() as u32);
        self.tags.push(Corpus::tags_of(&r));
        self.desc.push(lowercase(r.description));
        self.title_of.push(slot);
        self.keys.push(r.key);
        self.ids.push(r.id);
    }

    /// Bring the corpus up to date: `rows` are incidents that are new or
    /// changed and belong to the list, `gone` ones that left it.
    pub fn apply(&mut self, rows: Vec<SearchRow>, gone: &[IncidentId]) {
        for r in &rows {
            let r = r.as_ref();
            match self.pos.get(&r.id).copied() {
                Some(i) => {
                    let i = i as usize;
                    let was = self.title_of[i];
                    if was == REMOVED {
                        self.dead -= 1;
                    }
                    let slot = self.intern(r.title);
                    self.release(was);
                    self.title_of[i] = slot;
                    self.tags[i] = Corpus::tags_of(&r);
                    self.desc[i] = lowercase(r.description);
                    self.keys[i] = r.key;
                }
                None => self.push(r),
            }
        }
        for id in gone {
            if let Some(&i) = self.pos.get(id) {
                let i = i as usize;
                let was = std::mem::replace(&mut self.title_of[i], REMOVED);
                if was != REMOVED {
                    self.release(was);
                    self.dead += 1;
                    self.tags[i] = String::new();
                    self.desc[i] = String::new();
                }
            }
        }
        // Removed rows and unused titles cost memory and scan time: start
        // afresh once they are the majority.
        let unused = self.title_refs.iter().filter(|&&n| n == 0).count();
        if self.dead > 1024 && self.dead > self.ids.len() / 2
            || unused > 1024 && unused > self.titles.len() / 2
        {
            self.compact();
        }
    }

    fn compact(&mut self) {
        let old = std::mem::take(self);
        for i in 0..old.ids.len() {
            let slot = old.title_of[i];
            if slot == REMOVED {
                continue;
            }
            let s = self.intern_lower(&old.titles[slot as usize]);
            self.pos.insert(old.ids[i], self.ids.len() as u32);
            self.ids.push(old.ids[i]);
            self.keys.push(old.keys[i]);
            self.title_of.push(s);
            self.tags.push(old.tags[i].clone());
            self.desc.push(old.desc[i].clone());
        }
    }

    /// How many incidents are searchable.
    pub fn len(&self) -> usize {
        self.ids.len() - self.dead
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The incident at a position [`rank`] returned.
    pub fn id(&self, idx: u32) -> IncidentId {
        self.ids[idx as usize]
    }

    /// How many distinct titles the live rows carry.
    pub fn distinct_titles(&self) -> usize {
        self.title_refs.iter().filter(|&&n| n > 0).count()
    }

    fn live(&self, i: usize) -> bool {
        self.title_of[i] != REMOVED
    }

    fn title(&self, i: usize) -> &str {
        &self.titles[self.title_of[i] as usize]
    }

    /// Every live row in list order (what an empty query shows).
    fn all_in_order(&self) -> Vec<(u32, i64)> {
        let mut all: Vec<(u32, i64)> = (0..self.ids.len())
            .filter(|&i| self.live(i))
            .map(|i| (i as u32, 0))
            .collect();
        all.sort_unstable_by_key(|&(i, _)| self.keys[i as usize]);
        all
    }
}

/// `s.to_lowercase()`, quicker for the common all-ASCII text.
fn lowercase(s: &str) -> String {
    if s.is_ascii() {
        s.to_ascii_lowercase()
    } else {
        s.to_lowercase()
    }
}

/// Is `needle` (lowercase) a subsequence of `hay` (lowercase)?
fn subsequence(hay: &str, needle: &str) -> bool {
    let mut h = hay.chars();
    needle.chars().all(|n| h.any(|c| c == n))
}

/// One character: almost every row matches, so rank by where it first
/// starts a word (then where it first appears) instead of running the
/// scorer's full alignment on 100k strings.
fn score_one_char(hay: &str, c: char) -> Option<i64> {
    let mut prev = ' ';
    let mut first = None;
    for (pos, h) in hay.chars().enumerate() {
        if h == c {
            if !prev.is_alphanumeric() {
                return Some(1000 - pos as i64);
            }
            first.get_or_insert(500 - pos as i64);
        }
        prev = h;
    }
    first
}

/// Where a reference or service match ranks: an exact `INC-42` first of all,
/// a service name among good title matches.
fn tag_score(tags: &str, ql: &str) -> Option<i64> {
    let id = tags.rsplit(' ').next().unwrap_or("");
    if id == ql || id.strip_prefix("inc-") == Some(ql) {
        Some(1_000_000)
    } else if ql.len() >= 2 && tags.contains(ql) {
        Some(40)
    } else {
        None
    }
}

/// A fresh fuzzy scorer: one per title. SkimMatcherV2 reuses its score
/// matrix between calls without clearing it (`Vec::resize` keeps old
/// cells), so a title's score would depend on the titles scored before it;
/// and its `use_cache(false)` panics ("RefCell already borrowed"). Found by
/// the `search` fuzz target. Titles are interned and cut by the index
/// first, so only distinct titles that can match pay for a matcher.
fn matcher() -> SkimMatcherV2 {
    SkimMatcherV2::default().ignore_case()
}

/// A query, lowercased.
struct Query<'a> {
    ql: &'a str,
    single: Option<char>,
}

impl Query<'_> {
    fn new(ql: &str) -> Query<'_> {
        let mut one = ql.chars();
        let single = match (one.next(), one.next()) {
            (Some(c), None) => Some(c),
            _ => None,
        };
        Query { ql, single }
    }

    /// The title's score; the title is lowercase.
    fn title(&self, hay: &str) -> Option<i64> {
        match self.single {
            Some(c) => score_one_char(hay, c),
            None if subsequence(hay, self.ql) => matcher().fuzzy_match(hay, self.ql),
            None => None,
        }
    }

    /// A row's score from its title score (if any) and the rest of it.
    fn row(&self, title: Option<i64>, tags: &str, desc: &str) -> Option<i64> {
        let score = match (title, tag_score(tags, self.ql)) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        // In the description only: after every title match.
        score.or_else(|| (self.ql.len() >= 3 && desc.contains(self.ql)).then_some(-1))
    }
}

/// How many threads a job of `n` items deserves.
fn threads_for(n: usize) -> usize {
    if n < 4096 {
        return 1;
    }
    std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8)
}

/// Run `f` over `items` split across threads, concatenating in order.
fn par_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&[T]) -> Vec<R> + Sync) -> Vec<R> {
    let threads = threads_for(items.len());
    if threads < 2 {
        return f(items);
    }
    let size = items.len().div_ceil(threads);
    std::thread::scope(|s| {
        let f = &f;
        let parts: Vec<_> = items.chunks(size).map(|c| s.spawn(move || f(c))).collect();
        parts
            .into_iter()
            .flat_map(|p| p.join().unwrap_or_default())
            .collect()
    })
}

fn sort_hits(corpus: &Corpus, hits: &mut [(u32, i64)]) {
    hits.sort_unstable_by(|a, b| {
        b.1.cmp(&a.1)
            .then_with(|| corpus.keys[a.0 as usize].cmp(&corpus.keys[b.0 as usize]))
    });
}

/// Score `query` over the corpus (or only over `candidates`, positions a
/// previous [`rank`] returned on the same corpus); best first, ties in list
/// order.
pub fn rank(corpus: &Corpus, query: &str, candidates: Option<&[u32]>) -> Vec<(u32, i64)> {
    let q = query.trim();
    if q.is_empty() {
        return corpus.all_in_order();
    }
    let ql = lowercase(q);
    let query = Query::new(&ql);
    // The cut: only distinct titles holding every character of the query
    // can match, and each is scored once.
    let mut wanted: Bits = corpus.chars.containing_all(&ql, corpus.titles.len());
    match candidates {
        Some(c) => {
            let mut used = Bits::new(corpus.titles.len());
            for &i in c {
                let s = corpus.title_of[i as usize];
                if s != REMOVED {
                    used.set(s as usize);
                }
            }
            wanted.and(&used);
        }
        None => {
            for (s, &n) in corpus.title_refs.iter().enumerate() {
                if n == 0 {
                    wanted.clear(s);
                }
            }
        }
    }
    let slots: Vec<u32> = wanted.ones().map(|s| s as u32).collect();
    let scored: Vec<(u32, i64)> = par_map(&slots, |part| {
        part.iter()
            .filter_map(|&s| query.title(&corpus.titles[s as usize]).map(|v| (s, v)))
            .collect()
    });
    let mut title_score = vec![NONE; corpus.titles.len()];
    for (s, v) in scored {
        title_score[s as usize] = v;
    }
    let score_rows = |rows: &[u32]| -> Vec<(u32, i64)> {
        rows.iter()
            .filter_map(|&i| {
                let iu = i as usize;
                let slot = corpus.title_of[iu];
                if slot == REMOVED {
                    return None;
                }
                let t = title_score[slot as usize];
                let t = (t != NONE).then_some(t);
                query
                    .row(t, &corpus.tags[iu], &corpus.desc[iu])
                    .map(|v| (i, v))
            })
            .collect()
    };
    let all: Vec<u32>;
    let rows: &[u32] = match candidates {
        Some(c) => c,
        None => {
            all = (0..corpus.ids.len() as u32).collect();
            &all
        }
    };
    let mut hits = par_map(rows, score_rows);
    sort_hits(corpus, &mut hits);
    hits
}

/// The same ranking without the index or interning: every row scored on
/// its own. What [`rank`] must always agree with.
#[doc(hidden)]
pub fn rank_unindexed(corpus: &Corpus, query: &str) -> Vec<(u32, i64)> {
    let q = query.trim();
    if q.is_empty() {
        return corpus.all_in_order();
    }
    let ql = q.to_lowercase();
    let query = Query::new(&ql);
    let mut hits: Vec<(u32, i64)> = (0..corpus.ids.len())
        .filter(|&i| corpus.live(i))
        .filter_map(|i| {
            let t = query.title(corpus.title(i));
            query
                .row(t, &corpus.tags[i], &corpus.desc[i])
                .map(|v| (i as u32, v))
        })
        .collect();
    sort_hits(corpus, &mut hits);
    hits
}

/// May the hits for `old` stand in for the candidates of `new`? Only when
/// every row `new` can match was matched by `old`: `new` extends `old` as the
/// matcher sees them (trimmed, lowercase: `K` (Kelvin) lowercases to one
/// byte, a final `Σ` to `ς`), and `old` already ran every test `new` runs.
/// Service and reference substrings start at 2 bytes and descriptions at 3
/// (and an exact reference "4" → INC-4 does not carry over to "42"), so
/// only an old query of 3 bytes or more (or the same query) narrows.
pub fn narrows(old: &str, new: &str) -> bool {
    let (o, n) = (old.trim().to_lowercase(), new.trim().to_lowercase());
    !o.is_empty() && n.starts_with(&o) && (o.len() >= 3 || o == n)
}

/// Positions of matched characters inside `title`, for highlighting.
pub fn title_positions(title: &str, query: &str) -> Option<Vec<usize>> {
    matcher()
        .fuzzy_indices(title, query.trim())
        .map(|(_, pos)| pos)
}

#[cfg(test)]
mod tests;
