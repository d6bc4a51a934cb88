//! Fuzzy search that never stalls the screen.
//!
//! Ranking itself lives in [`crate::search`] (the CLI uses it too); this is
//! the TUI's worker thread around it. The UI keeps drawing and takes the
//! newest answer when it arrives. The worker keeps its own connection and
//! the corpus of the list being searched, and before each answer brings the
//! corpus up to date from only the incidents whose timeline moved since the
//! newest event it has seen (a few rows, not the 100k of a full re-read). A
//! query that extends the previous one on unchanged data rescans only the
//! previous hits.

use crate::domain::IncidentId;
use crate::search::{Corpus, narrows, rank};
use crate::store::{ListQuery, Store};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::thread::JoinHandle;

/// Where the worker gets the rows to search.
pub enum Source {
    /// Already prepared (tests).
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
    /// The matching incidents, best first.
    pub ids: Arc<Vec<IncidentId>>,
    pub error: Option<String>,
}

struct Job {
    generation: u64,
    epoch: u64,
    query: String,
    source: Source,
}

/// The background matcher. Only the newest job is worked on.
pub struct Worker {
    tx: Option<Sender<Job>>,
    rx: Receiver<Answer>,
    handle: Option<JoinHandle<()>>,
}

/// The corpus of one list, as of one event.
struct Loaded {
    db: PathBuf,
    query: ListQuery,
    /// The newest event the corpus reflects.
    seen: i64,
    corpus: Corpus,
    /// Bumped on every change to `corpus`: hit positions of another
    /// version do not point at the same rows.
    version: u64,
}

/// (corpus version, query, hits) of a ranking.
type LastRanking = (u64, String, Vec<(u32, i64)>);

/// The worker's own state: its connection, the corpus, the last ranking.
#[derive(Default)]
struct WorkerState {
    store: Option<Store>,
    loaded: Option<Loaded>,
    versions: u64,
    /// (corpus version, query, hits) of the last ranking, for narrowing.
    last: Option<LastRanking>,
}

impl WorkerState {
    fn open(&mut self, db: &std::path::Path) -> Result<(), String> {
        if self.store.as_ref().is_none_or(|s| s.locator() != db) {
            self.store = Some(Store::open_for_user(db, false).map_err(|e| e.to_string())?);
        }
        Ok(())
    }

    /// The corpus for `db`/`query`, brought up to date.
    fn refresh(&mut self, db: PathBuf, query: ListQuery) -> Result<(), String> {
        self.versions += 1;
        let version = self.versions;
        self.open(&db)?;
        let store = self.store.as_ref().ok_or("no database")?;
        match &mut self.loaded {
            Some(l) if l.db == db && l.query == query => {
                let delta = store
                    .search_changes(&query, l.seen)
                    .map_err(|e| e.to_string())?;
                if delta.upto != l.seen {
                    l.corpus.apply(delta.rows, &delta.gone);
                    l.seen = delta.upto;
                    l.version = version;
                }
            }
            loaded => {
                *loaded = None;
                let seen = store.last_event_id().map_err(|e| e.to_string())?;
                // Unreadable rows are left out here; the list names them.
                let (corpus, _) = Corpus::load(store, &query).map_err(|e| e.to_string())?;
                *loaded = Some(Loaded {
                    db,
                    query,
                    seen,
                    corpus,
                    version,
                });
            }
        }
        Ok(())
    }

    fn answer(&mut self, mut job: Job) -> Answer {
        let ready;
        let source = std::mem::replace(&mut job.source, Source::Ready(Arc::default()));
        let (corpus, version) = match source {
            Source::Ready(c) => {
                ready = c;
                self.versions += 1;
                (&*ready, self.versions)
            }
            Source::Load { db, query } => match self.refresh(db, query) {
                Ok(()) => match &self.loaded {
                    Some(l) => (&l.corpus, l.version),
                    None => return failed(job, "no database".into()),
                },
                Err(e) => {
                    self.loaded = None;
                    return failed(job, e);
                }
            },
        };
        let narrow = self
            .last
            .as_ref()
            .filter(|(v, q, _)| *v == version && narrows(q, &job.query))
            .map(|(_, _, hits)| hits.iter().map(|(i, _)| *i).collect::<Vec<u32>>());
        let hits = rank(corpus, &job.query, narrow.as_deref());
        let ids = hits.iter().map(|(i, _)| corpus.id(*i)).collect();
        self.last = Some((version, job.query.clone(), hits));
        Answer {
            generation: job.generation,
            epoch: job.epoch,
            query: job.query,
            ids: Arc::new(ids),
            error: None,
        }
    }
}

fn failed(job: Job, e: String) -> Answer {
    Answer {
        generation: job.generation,
        epoch: job.epoch,
        query: job.query,
        ids: Arc::new(Vec::new()),
        error: Some(e),
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
                    if ans_tx.send(state.answer(job)).is_err() {
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
    /// answers of an older epoch are stale.
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
    /// Ask for `query`. The worker narrows from its previous ranking by
    /// itself when that is exact.
    pub fn request(&mut self, query: &str, source: Source) -> u64 {
        self.generation += 1;
        self.worker.submit(Job {
            generation: self.generation,
            epoch: self.epoch,
            query: query.to_string(),
            source,
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
    use crate::store::{ListKey, SearchRow};

    #[test]
    fn worker_answers_the_newest_request() {
        let row = |id, t: &str| SearchRow {
            id: IncidentId(id),
            title: t.into(),
            service: None,
            description: String::new(),
            key: ListKey::new(0, 3, 3, 0, IncidentId(id)),
        };
        let mut s = Search::default();
        let c = Arc::new(Corpus::new(vec![row(1, "DNS down"), row(2, "Disk full")]));
        s.request("d", Source::Ready(c.clone()));
        let g = s.request("disk", Source::Ready(c));
        let a = s.worker.wait(g).unwrap();
        assert_eq!(a.query, "disk");
        assert_eq!(*a.ids, vec![IncidentId(2)]);
    }
}
