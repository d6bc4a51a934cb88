//! Fuzzy search that never stalls the screen.
//!
//! Matching runs on a worker thread; the UI keeps drawing and takes the
//! newest answer when it arrives. Three things keep each answer cheap: a
//! lowercase subsequence pre-filter that rejects most rows without running the
//! scorer, incremental narrowing (a query that extends the previous one only
//! rescans the previous hits), and scoring only title/service/ref (the
//! description is a plain substring check, as fuzzy matching long prose
//! matches everything). The fuzzy scorer sees only the title; the service
//! and the reference are plain substring matches (an exact reference ranks
//! first), which keeps the scored strings short and the candidates few.

use crate::domain::IncidentId;
use crate::store::{ListQuery, SearchRow, Store};
use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::thread::JoinHandle;

/// Everything searchable, prepared once per data change.
pub struct Corpus {
    pub ids: Vec<IncidentId>,
    /// Lowercase titles: what the fuzzy scorer sees.
    lower: Vec<String>,
    /// Lowercase "service inc-42", for substring matches.
    tags: Vec<String>,
    /// Lowercase description prefix, for substring matches.
    desc: Vec<String>,
}

impl Corpus {
    pub fn new(rows: Vec<SearchRow>) -> Corpus {
        let n = rows.len();
        let mut c = Corpus {
            ids: Vec::with_capacity(n),
            lower: Vec::with_capacity(n),
            tags: Vec::with_capacity(n),
            desc: Vec::with_capacity(n),
        };
        for r in rows {
            c.lower.push(r.title.to_lowercase());
            c.tags
                .push(format!("{} {}", r.service.as_deref().unwrap_or(""), r.id).to_lowercase());
            c.desc.push(r.description.to_lowercase());
            c.ids.push(r.id);
        }
        c
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Positions of matched characters inside the title, for highlighting.
    pub fn title_positions(&self, idx: u32, query: &str) -> Vec<usize> {
        let m = matcher();
        m.fuzzy_indices(&self.lower[idx as usize], &query.to_lowercase())
            .map(|(_, pos)| pos)
            .unwrap_or_default()
    }
}

/// A fresh fuzzy scorer: use one per title. SkimMatcherV2 reuses its score
/// matrix between calls without clearing it (`Vec::resize` keeps old cells),
/// so a title's score depended on the titles scored before it; and its
/// `use_cache(false)` panics ("RefCell already borrowed"). Found by the
/// `search` fuzz target. Only titles that pass the subsequence pre-filter
/// pay for the new matcher.
fn matcher() -> SkimMatcherV2 {
    SkimMatcherV2::default().ignore_case()
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

fn rank_chunk(corpus: &Corpus, ql: &str, ids: impl Iterator<Item = u32>) -> Vec<(u32, i64)> {
    let mut one = ql.chars();
    let single = match (one.next(), one.next()) {
        (Some(c), None) => Some(c),
        _ => None,
    };
    let mut hits = Vec::new();
    for i in ids {
        let iu = i as usize;
        let hay = &corpus.lower[iu];
        let title = match single {
            Some(c) => score_one_char(hay, c),
            None if subsequence(hay, ql) => matcher().fuzzy_match(hay, ql),
            None => None,
        };
        let score = match (title, tag_score(&corpus.tags[iu], ql)) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        if let Some(s) = score {
            hits.push((i, s));
        } else if ql.len() >= 3 && corpus.desc[iu].contains(ql) {
            // In the description only: after every title match.
            hits.push((i, -1));
        }
    }
    hits
}

/// May the hits for `old` stand in for the candidates of `new`? Only when
/// every row `new` can match was matched by `old`: `new` extends `old` as the
/// matcher sees them (trimmed, lowercase: `K` (Kelvin) lowercases to one
/// byte, a final `Σ` to `ς`), and `old` already ran every test `new` runs.
/// Service and reference substrings start at 2 bytes and descriptions at 3,
/// so only an old query of 3 bytes or more (or the same query) narrows.
pub fn narrows(old: &str, new: &str) -> bool {
    let (o, n) = (old.trim().to_lowercase(), new.trim().to_lowercase());
    !o.is_empty() && n.starts_with(&o) && (o.len() >= 3 || o == n)
}

/// Score the candidates; best first, ties in list order. Large sets are
/// split across the machine's cores.
pub fn rank(corpus: &Corpus, query: &str, candidates: Option<&[u32]>) -> Vec<(u32, i64)> {
    let q = query.trim();
    if q.is_empty() {
        return (0..corpus.len() as u32).map(|i| (i, 0)).collect();
    }
    let ql = q.to_lowercase();
    let all: Vec<u32>;
    let cands: &[u32] = match candidates {
        Some(c) => c,
        None => {
            all = (0..corpus.len() as u32).collect();
            &all
        }
    };
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    let mut hits: Vec<(u32, i64)> = if threads < 2 || cands.len() < 4096 {
        rank_chunk(corpus, &ql, cands.iter().copied())
    } else {
        let size = cands.len().div_ceil(threads);
        std::thread::scope(|s| {
            let parts: Vec<_> = cands
                .chunks(size)
                .map(|chunk| {
                    let ql = &ql;
                    s.spawn(move || rank_chunk(corpus, ql, chunk.iter().copied()))
                })
                .collect();
            parts
                .into_iter()
                .flat_map(|p| p.join().unwrap_or_default())
                .collect()
        })
    };
    hits.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    hits
}

/// Where the worker gets the rows to search.
pub enum Source {
    /// Already prepared (tests, the CLI).
    Ready(Arc<Corpus>),
    /// Read them from the database: the worker opens its own connection, so
    /// loading 100k rows never blocks the screen.
    Load { db: PathBuf, query: ListQuery },
}

/// A finished search.
#[derive(Clone)]
pub struct Answer {
    pub generation: u64,
    /// Which data the answer was computed on (see [`Search::epoch`]).
    pub epoch: u64,
    pub query: String,
    pub corpus: Arc<Corpus>,
    pub hits: Arc<Vec<(u32, i64)>>,
    pub error: Option<String>,
}

struct Job {
    generation: u64,
    epoch: u64,
    query: String,
    source: Source,
    narrow_from: Option<Arc<Vec<(u32, i64)>>>,
}

/// The background matcher. Only the newest job is worked on.
pub struct Worker {
    tx: Option<Sender<Job>>,
    rx: Receiver<Answer>,
    handle: Option<JoinHandle<()>>,
}

/// The worker's own state: its connection and the corpus of one epoch.
#[derive(Default)]
struct WorkerState {
    store: Option<Store>,
    cache: Option<(u64, Arc<Corpus>)>,
}

impl WorkerState {
    fn corpus(&mut self, epoch: u64, source: Source) -> Result<Arc<Corpus>, String> {
        match source {
            Source::Ready(c) => Ok(c),
            Source::Load { db, query } => {
                if let Some((e, c)) = &self.cache
                    && *e == epoch
                {
                    return Ok(c.clone());
                }
                if self.store.as_ref().is_none_or(|s| s.path() != db) {
                    self.store = Some(Store::open_for_user(&db, false).map_err(|e| e.to_string())?);
                }
                let store = self.store.as_ref().ok_or("no database")?;
                // Unreadable rows are left out here; the list names them.
                let rows = store.search_rows(&query).map_err(|e| e.to_string())?;
                let c = Arc::new(Corpus::new(rows.rows));
                self.cache = Some((epoch, c.clone()));
                Ok(c)
            }
        }
    }
}

impl Worker {
    pub fn spawn() -> Worker {
        let (job_tx, job_rx) = channel::<Job>();
        let (ans_tx, ans_rx) = channel::<Answer>();
        let handle = std::thread::Builder::new()
            .name("sev-search".into())
            .spawn(move || {
                let mut state = WorkerState::default();
                while let Ok(mut job) = job_rx.recv() {
                    // Skip to the newest job: typing fast must not queue work.
                    while let Ok(newer) = job_rx.try_recv() {
                        job = newer;
                    }
                    let (corpus, hits, error) = match state.corpus(job.epoch, job.source) {
                        Ok(corpus) => {
                            let cands: Option<Vec<u32>> = job
                                .narrow_from
                                .as_ref()
                                .map(|h| h.iter().map(|(i, _)| *i).collect());
                            let hits = rank(&corpus, &job.query, cands.as_deref());
                            (corpus, hits, None)
                        }
                        Err(e) => (Arc::new(Corpus::new(Vec::new())), Vec::new(), Some(e)),
                    };
                    let ans = Answer {
                        generation: job.generation,
                        epoch: job.epoch,
                        query: job.query,
                        corpus,
                        hits: Arc::new(hits),
                        error,
                    };
                    if ans_tx.send(ans).is_err() {
                        break;
                    }
                }
            })
            .ok();
        Worker {
            tx: Some(job_tx),
            rx: ans_rx,
            handle,
        }
    }

    fn submit(&self, job: Job) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(job);
        }
    }

    /// The newest answer that has arrived, if any.
    pub fn poll(&self) -> Option<Answer> {
        let mut last = None;
        while let Ok(a) = self.rx.try_recv() {
            last = Some(a);
        }
        last
    }

    /// Block until an answer for `generation` arrives (tests, benchmarks).
    pub fn wait(&self, generation: u64) -> Option<Answer> {
        loop {
            let a = self
                .rx
                .recv_timeout(std::time::Duration::from_secs(10))
                .ok()?;
            if a.generation >= generation {
                return Some(a);
            }
        }
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.tx.take();
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

/// The search state the app keeps.
pub struct Search {
    pub worker: Worker,
    pub generation: u64,
    /// Bumped whenever the rows to search change (a commit, a new facet):
    /// answers and cached corpora of an older epoch are stale.
    pub epoch: u64,
    /// The newest answer received (may be for an older query).
    pub answer: Option<Answer>,
    /// A request is out whose answer has not arrived.
    waiting: bool,
}

impl Default for Search {
    fn default() -> Self {
        Search {
            worker: Worker::spawn(),
            generation: 0,
            epoch: 0,
            answer: None,
            waiting: false,
        }
    }
}

impl Search {
    /// Ask for `query`, narrowing from the last answer when the new query
    /// extends it on the same data.
    pub fn request(&mut self, query: &str, source: Source) -> u64 {
        self.generation += 1;
        let epoch = self.epoch;
        let narrow_from = self.answer.as_ref().and_then(|a| {
            let same_data = a.epoch == epoch && a.error.is_none();
            (same_data && narrows(&a.query, query)).then(|| a.hits.clone())
        });
        self.worker.submit(Job {
            generation: self.generation,
            epoch,
            query: query.to_string(),
            source,
            narrow_from,
        });
        self.waiting = true;
        self.generation
    }

    /// Forget any request in flight (the search was cleared).
    pub fn cancel(&mut self) {
        self.generation += 1;
        self.waiting = false;
    }

    /// Record an answer; true when it is the one for the newest request.
    pub fn receive(&mut self, a: Answer) -> bool {
        let newest = a.generation == self.generation;
        if newest {
            self.waiting = false;
        }
        self.answer = Some(a);
        newest
    }

    /// Is an answer for the newest request still outstanding?
    pub fn pending(&self) -> bool {
        self.waiting
    }

    /// The data changed: older answers no longer describe it.
    pub fn reset(&mut self) {
        self.epoch += 1;
        self.answer = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn corpus() -> Corpus {
        let row = |id, t: &str, s: &str, d: &str| SearchRow {
            id: IncidentId(id),
            title: t.into(),
            service: Some(s.into()),
            description: d.into(),
        };
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

    #[test]
    fn ranks_fuzzy_matches_and_description_substrings() {
        let c = corpus();
        let ids = |q: &str| {
            rank(&c, q, None)
                .into_iter()
                .map(|(i, _)| c.ids[i as usize].0)
                .collect::<Vec<_>>()
        };
        assert_eq!(ids("dns")[0], 1, "the exact word ranks first");
        assert_eq!(ids("chk500"), vec![2]);
        assert_eq!(ids("bgp"), vec![2], "description substring");
        assert_eq!(ids("INC-3"), vec![3]);
        assert_eq!(ids("").len(), 3);
        assert!(ids("zzzz").is_empty());
        assert_eq!(c.title_positions(0, "dns"), vec![0, 1, 2]);
    }

    #[test]
    fn narrowing_gives_the_same_answer_as_a_full_scan() {
        let c = corpus();
        let first = rank(&c, "d", None);
        let cands: Vec<u32> = first.iter().map(|(i, _)| *i).collect();
        assert_eq!(rank(&c, "di", Some(&cands)), rank(&c, "di", None));
    }

    /// Found by the `search` fuzz target: narrowing "d" → "di" lost a row
    /// whose service contains "di" (a 1-character query never looks at
    /// services), and a 3-byte Kelvin sign `K` is the 1-byte query "k".
    #[test]
    fn narrowing_is_only_used_when_it_cannot_lose_a_match() {
        let c = Corpus::new(vec![SearchRow {
            id: IncidentId(2),
            title: "sk".into(),
            service: Some("Disk array".into()),
            description: "dim lights".into(),
        }]);
        for (old, new) in [("d", "di"), ("di", "dim"), ("\u{212a}", "\u{212a}s")] {
            assert!(!narrows(old, new), "{old:?} → {new:?}");
        }
        let first = rank(&c, "d", None);
        assert!(first.is_empty());
        assert_eq!(rank(&c, "di", None).len(), 1, "the service matches");
        assert_eq!(rank(&c, "dim", None).len(), 1, "the description matches");
        assert!(narrows("dis", "disk") && narrows("  DIS", "disk ") && narrows("di", "di"));
        assert!(!narrows("", "d") && !narrows("disk", "dis") && !narrows("aΣ", "aΣb"));
        // Typed one key at a time, as in the TUI: "di" still finds it.
        let c = Arc::new(c);
        let mut s = Search::default();
        for q in ["d", "di", "dim"] {
            let g = s.request(q, Source::Ready(c.clone()));
            let a = s.worker.wait(g).unwrap();
            s.receive(a.clone());
            assert_eq!(a.hits.len(), usize::from(q != "d"), "{q}");
        }
    }

    /// Found by the `search` fuzz target: SkimMatcherV2 reuses its score
    /// matrix between calls and `Vec::resize` keeps the old cells, so a
    /// title's score depended on which titles were scored before it (the
    /// same row scored 70 in a narrowed scan and 66 in a full one; skim's
    /// issue #1071 is the same bug). Every row must score the same alone.
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
            .map(|(i, c)| SearchRow {
                id: IncidentId(i as i64 + 1),
                title: c[0].into(),
                service: c.get(1).map(|s| s.to_string()),
                description: c.get(2).map(|s| s.to_string()).unwrap_or_default(),
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
    }

    #[test]
    fn worker_answers_the_newest_request() {
        let mut s = Search::default();
        let c = Arc::new(corpus());
        s.request("d", Source::Ready(c.clone()));
        let g = s.request("disk", Source::Ready(c));
        let a = s.worker.wait(g).unwrap();
        assert_eq!(a.query, "disk");
        assert_eq!(a.hits.len(), 1);
    }
}
