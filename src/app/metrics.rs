//! The metrics view (`R`): bars of incidents per day, week or month by
//! severity, the median time to acknowledge and resolve per bar, and the
//! period's measures. Figures are computed on a thread with its own
//! database connection, so opening the view or changing its period never
//! holds a keystroke; the view says "computing…" until they arrive and
//! keeps the previous figures on screen while newer ones are computed.

use super::list::{Drill, Facets};
use super::{App, Outcome, View};
use crate::domain::{IncidentId, Severity};
use crate::keymap::{Action, Mode};
use crate::metrics::series::{Series, series};
use crate::store::{Scope, Store};
use chrono::{DateTime, Duration, Utc};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};

/// The periods the picker offers, in days.
pub const PERIODS: [i64; 4] = [7, 30, 90, 365];

type Answer = (u64, Result<Series, String>);

/// What the worker is asked to compute.
struct Job {
    generation: u64,
    since: DateTime<Utc>,
    until: DateTime<Utc>,
    hours: crate::calendar::Hours,
}

/// The view's own thread and connection. It computes the newest job only
/// (pressing `p` three times computes one period, not three), keeps its
/// connection between jobs, and ends with the view (not waited for: a
/// computation still running when the view closes finishes unseen).
struct Worker {
    tx: Sender<Job>,
    rx: Receiver<Answer>,
}

impl Worker {
    fn spawn(db: std::path::PathBuf) -> std::io::Result<Worker> {
        let (tx, jobs) = channel::<Job>();
        let (answers, rx) = channel::<Answer>();
        std::thread::Builder::new()
            .name("sev-metrics".into())
            .spawn(move || {
                let mut store: Option<Store> = None;
                while let Ok(mut job) = jobs.recv() {
                    while let Ok(newer) = jobs.try_recv() {
                        job = newer;
                    }
                    if store.is_none() {
                        match Store::open_read_only(&db) {
                            Ok(s) => store = Some(s),
                            Err(e) => {
                                let _ = answers.send((job.generation, Err(e.to_string())));
                                continue;
                            }
                        }
                    }
                    let Some(s) = &store else { continue };
                    let got = s
                        .incident_times(job.since, job.until)
                        .map(|p| series(&p.rows, job.since, job.until, &job.hours))
                        .map_err(|e| e.to_string());
                    if got.is_err() {
                        // Open afresh next time (a dropped connection).
                        store = None;
                    }
                    if answers.send((job.generation, got)).is_err() {
                        break;
                    }
                }
            })?;
        Ok(Worker { tx, rx })
    }
}

pub struct MetricsView {
    /// Index into [`PERIODS`].
    pub period: usize,
    /// The bars show only this severity (None: all, SEV1 at the bottom).
    pub severity: Option<Severity>,
    /// The measures table has the focus (else the bars).
    pub table: bool,
    pub bar: usize,
    /// The bucket to select when the figures arrive (reopened view).
    want_bar: Option<String>,
    pub row: usize,
    pub data: Option<Arc<Series>>,
    /// A computation is on its way.
    pub loading: bool,
    pub error: Option<String>,
    generation: u64,
    worker: Option<Worker>,
}

impl MetricsView {
    pub fn days(&self) -> i64 {
        PERIODS[self.period.min(PERIODS.len() - 1)]
    }

    /// How many incidents a bar holds, with the severity filter.
    pub fn count(&self, bucket: usize) -> usize {
        let Some(d) = &self.data else { return 0 };
        let Some(b) = d.ids.get(bucket) else { return 0 };
        match self.severity {
            Some(s) => b[usize::from(s.level() - 1)].len(),
            None => b.iter().map(Vec::len).sum(),
        }
    }
}

/// What the view remembers when it is closed and opened again.
#[derive(Debug, Clone, Default)]
pub struct MetricsPrefs {
    pub period: usize,
    pub severity: Option<Severity>,
    pub table: bool,
    /// The selected bar's bucket (`2026-10`), found again if still shown.
    pub bar: Option<String>,
    pub row: usize,
}

impl App {
    pub(super) fn open_metrics(&mut self) -> Outcome {
        let p = self.metrics_prefs.clone().unwrap_or(MetricsPrefs {
            period: 1,
            ..Default::default()
        });
        let mut v = MetricsView {
            period: p.period,
            severity: p.severity,
            table: p.table,
            bar: usize::MAX,
            want_bar: p.bar,
            row: p.row,
            data: None,
            loading: false,
            error: None,
            generation: 0,
            worker: None,
        };
        self.compute_metrics(&mut v);
        Outcome::Push(View::Metrics(Box::new(v)))
    }

    /// Start computing `v`'s figures on a thread of their own.
    fn compute_metrics(&self, v: &mut MetricsView) {
        let now = self.clock.now();
        let now = DateTime::from_timestamp(now.timestamp(), 0).unwrap_or(now);
        // Through the current second (what was logged just now is in),
        // from the start of the first bucket (no partial first bar).
        let until = now + Duration::seconds(1);
        let hours = self.config.hours.in_zone_of(self.clock.zone());
        let bucket = crate::metrics::series::bucket_for(v.days());
        let since =
            crate::metrics::series::bucket_start(bucket, now - Duration::days(v.days()), &hours);
        if v.worker.is_none() {
            match Worker::spawn(self.store.locator().to_path_buf()) {
                Ok(w) => v.worker = Some(w),
                Err(e) => {
                    v.error = Some(format!("could not start computing: {e}"));
                    return;
                }
            }
        }
        v.generation += 1;
        v.loading = true;
        let job = Job {
            generation: v.generation,
            since,
            until,
            hours,
        };
        if let Some(w) = &v.worker
            && w.tx.send(job).is_err()
        {
            v.worker = None;
            v.loading = false;
            v.error = Some("the figures' thread stopped: press ctrl-l to start it again".into());
        }
    }

    /// Take finished figures (called every tick and before each frame).
    pub fn poll_metrics(&mut self) -> bool {
        let Some(View::Metrics(v)) = self.stack.last_mut() else {
            return false;
        };
        take(v, false)
    }

    /// Figures are on their way (the event loop polls faster).
    pub fn metrics_pending(&self) -> bool {
        matches!(self.stack.last(), Some(View::Metrics(v)) if v.loading)
    }

    /// Block until the figures asked for last arrive (tests, benchmarks).
    pub fn wait_for_metrics(&mut self) {
        if let Some(View::Metrics(v)) = self.stack.last_mut() {
            take(v, true);
        }
    }

    /// Another process changed the record: compute again, keeping the
    /// figures on screen until the new ones arrive.
    pub(super) fn refresh_metrics(&mut self) {
        if let Some(View::Metrics(mut v)) = self.stack.pop() {
            self.compute_metrics(&mut v);
            self.stack.push(View::Metrics(v));
        }
    }

    pub(super) fn metrics_key(&mut self, a: Action) -> Outcome {
        let Some(View::Metrics(mut v)) = self.stack.pop() else {
            return Outcome::Stay;
        };
        let bars = v.data.as_ref().map_or(0, |d| d.keys.len());
        let rows = crate::metrics::MEASURES.len();
        let mut out = Outcome::Stay;
        let mut again = false;
        match a {
            Action::Left => {
                v.table = false;
                v.bar = v.bar.min(bars.saturating_sub(1)).saturating_sub(1);
            }
            Action::Right => {
                v.table = false;
                v.bar = (v.bar.min(bars.saturating_sub(1)) + 1).min(bars.saturating_sub(1));
            }
            // From the bars, the first press only moves the focus.
            Action::Up if !v.table => v.table = true,
            Action::Down if !v.table => v.table = true,
            Action::Up => v.row = v.row.saturating_sub(1),
            Action::Down => v.row = (v.row + 1).min(rows - 1),
            Action::SwitchPane => v.table = !v.table,
            Action::CyclePeriod => {
                v.period = (v.period + 1) % PERIODS.len();
                v.bar = usize::MAX;
                again = true;
            }
            Action::CycleSeverityFilter => {
                v.severity = match v.severity {
                    None => Some(Severity::Sev1),
                    Some(s) => Severity::from_level(s.level() + 1),
                };
            }
            Action::Refresh => again = true,
            Action::Open => match drill(&v) {
                Some(d) => {
                    self.remember(&v);
                    return self.drill_into(d);
                }
                None if v.data.is_none() => self.info("still computing — a moment"),
                None => self.info("nothing to list there: no incidents"),
            },
            Action::Back | Action::Cancel => {
                self.remember(&v);
                return Outcome::Stay;
            }
            Action::Help => out = Outcome::Push(View::Help(Default::default())),
            Action::Quit => out = Outcome::Quit,
            _ => {}
        }
        if again {
            self.compute_metrics(&mut v);
        }
        self.stack.push(View::Metrics(v));
        out
    }

    fn remember(&mut self, v: &MetricsView) {
        self.metrics_prefs = Some(MetricsPrefs {
            period: v.period,
            severity: v.severity,
            table: v.table,
            bar: v.data.as_ref().and_then(|d| d.keys.get(v.bar).cloned()),
            row: v.row,
        });
    }

    /// Show exactly these incidents in the list.
    fn drill_into(&mut self, d: Drill) -> Outcome {
        let n = d.ids.len();
        if self.list.facets.drill.is_none() {
            self.drill_from = Some(self.list.facets.clone());
        }
        self.filter.clear();
        self.search.cancel();
        self.list.facets = Facets {
            scope: Scope::All,
            drill: Some(d),
            ..Default::default()
        };
        self.list.selected = 0;
        self.list.pinned = None;
        self.stack.truncate(1);
        let r = self.reload();
        if self.report(r).is_some() {
            let back = self.key(Mode::Normal, Action::Back);
            let again = self.key(Mode::Normal, Action::OpenMetrics);
            let before = self
                .drill_from
                .as_ref()
                .map(Facets::describe)
                .unwrap_or_else(|| "open".into());
            self.info(format!(
                "{n} incident{} from the metrics ({back}: back to {before} · {again}: metrics)",
                if n == 1 { "" } else { "s" }
            ));
        }
        Outcome::Stay
    }
}

fn take(v: &mut MetricsView, block: bool) -> bool {
    if !v.loading {
        return false;
    }
    let Some(w) = &v.worker else { return false };
    let rx = &w.rx;
    loop {
        let got = if block {
            rx.recv_timeout(std::time::Duration::from_secs(30)).ok()
        } else {
            rx.try_recv().ok()
        };
        let Some((generation, r)) = got else {
            return false;
        };
        if generation != v.generation {
            continue;
        }
        v.loading = false;
        match r {
            Ok(s) => {
                let n = s.keys.len();
                // The bar left selected when the view was last open, else
                // the newest; kept where it was on a refresh.
                let wanted = v
                    .want_bar
                    .take()
                    .and_then(|k| s.keys.iter().position(|x| *x == k));
                v.bar = match wanted {
                    Some(b) => b,
                    None if v.bar == usize::MAX => n.saturating_sub(1),
                    None => v.bar.min(n.saturating_sub(1)),
                };
                v.data = Some(Arc::new(s));
                v.error = None;
            }
            Err(e) => v.error = Some(e),
        }
        return true;
    }
}

/// The incidents behind the selected bar or measure.
fn drill(v: &MetricsView) -> Option<Drill> {
    let d = v.data.as_ref()?;
    let (label, ids): (String, Vec<IncidentId>) = if v.table {
        let m = crate::metrics::MEASURES.get(v.row)?;
        (
            format!("{} known since {}", m.name(), d.since.format("%Y-%m-%d")),
            d.counted.get(v.row)?.clone(),
        )
    } else {
        let b = d.ids.get(v.bar)?;
        let ids: Vec<IncidentId> = match v.severity {
            Some(s) => b[usize::from(s.level() - 1)].clone(),
            None => b.iter().flatten().copied().collect(),
        };
        let sev = v.severity.map(|s| format!("{s} · ")).unwrap_or_default();
        (format!("{sev}{} {}", d.bucket, d.keys[v.bar]), ids)
    };
    (!ids.is_empty()).then(|| Drill {
        label,
        ids: Arc::new(ids),
    })
}
