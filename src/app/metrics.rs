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
use chrono::{DateTime, Duration};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, channel};

/// The periods the picker offers, in days.
pub const PERIODS: [i64; 4] = [7, 30, 90, 365];

type Answer = (u64, Result<Series, String>);

pub struct MetricsView {
    /// Index into [`PERIODS`].
    pub period: usize,
    /// The bars show only this severity (None: all, SEV1 at the bottom).
    pub severity: Option<Severity>,
    /// The measures table has the focus (else the bars).
    pub table: bool,
    pub bar: usize,
    pub row: usize,
    pub data: Option<Arc<Series>>,
    /// A computation is on its way.
    pub loading: bool,
    pub error: Option<String>,
    generation: u64,
    rx: Option<Receiver<Answer>>,
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
#[derive(Debug, Clone, Copy, Default)]
pub struct MetricsPrefs {
    pub period: usize,
    pub severity: Option<Severity>,
    pub table: bool,
}

impl App {
    pub(super) fn open_metrics(&mut self) -> Outcome {
        let p = self.metrics_prefs.unwrap_or(MetricsPrefs {
            period: 1,
            ..Default::default()
        });
        let mut v = MetricsView {
            period: p.period,
            severity: p.severity,
            table: p.table,
            bar: usize::MAX,
            row: 0,
            data: None,
            loading: false,
            error: None,
            generation: 0,
            rx: None,
        };
        self.compute_metrics(&mut v);
        Outcome::Push(View::Metrics(Box::new(v)))
    }

    /// Start computing `v`'s figures on a thread of their own.
    fn compute_metrics(&self, v: &mut MetricsView) {
        let now = self.clock.now();
        let now = DateTime::from_timestamp(now.timestamp(), 0).unwrap_or(now);
        let (since, until) = (now - Duration::days(v.days()), now);
        let mut hours = self.config.hours.clone();
        if hours.tz == crate::intake::tz::Tz::Clock(crate::clock::Zone::Local) {
            hours.tz = crate::intake::tz::Tz::Clock(self.clock.zone());
        }
        let db = self.store.locator().to_path_buf();
        let (tx, rx) = channel::<Answer>();
        v.generation += 1;
        let generation = v.generation;
        v.rx = Some(rx);
        v.loading = true;
        let spawned = std::thread::Builder::new()
            .name("sev-metrics".into())
            .spawn(move || {
                let got = Store::open_read_only(&db)
                    .and_then(|s| s.incidents_logged(since, until))
                    .map(|p| series(&p.rows, since, until, &hours))
                    .map_err(|e| e.to_string());
                let _ = tx.send((generation, got));
            });
        if let Err(e) = spawned {
            v.loading = false;
            v.error = Some(format!("could not start computing: {e}"));
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
            Action::Up => {
                v.table = true;
                v.row = v.row.saturating_sub(1);
            }
            Action::Down => {
                v.table = true;
                v.row = (v.row + 1).min(rows - 1);
            }
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
        });
    }

    /// Show exactly these incidents in the list.
    fn drill_into(&mut self, d: Drill) -> Outcome {
        let n = d.ids.len();
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
            self.info(format!(
                "{n} incident{} from the metrics ({back}: whole list · {again}: metrics)",
                if n == 1 { "" } else { "s" }
            ));
        }
        Outcome::Stay
    }
}

fn take(v: &mut MetricsView, block: bool) -> bool {
    let Some(rx) = &v.rx else { return false };
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
        v.rx = None;
        match r {
            Ok(s) => {
                let n = s.keys.len();
                // The newest bar at first; kept where it was otherwise.
                v.bar = if v.bar == usize::MAX {
                    n.saturating_sub(1)
                } else {
                    v.bar.min(n.saturating_sub(1))
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
            format!("{} known, last {} days", m.name(), v.days()),
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
