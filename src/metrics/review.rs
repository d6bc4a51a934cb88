//! Breakdowns and trends for a service review (README "Reports"):
//!
//! - **counts** of the period's incidents per week (periods up to 92 days)
//!   or month, by severity, kind, service and category;
//! - **postmortems** of the period's SEV1–2 incidents that are resolved or
//!   closed: how many are published (completion), and the time from
//!   resolved to published (n, median, p90; nearest-rank);
//! - **action items**, all of them: open and overdue now; of those done in
//!   the period, done on or before their due date, late, or without one,
//!   and the days from created to done;
//! - **recurrence**: services and categories with more than one incident in
//!   the period, the alert names that opened or joined the most incidents,
//!   and flapping alerts (the same alert fired three or more times);
//! - **interruptions**: the period's incidents by the hours they were
//!   logged in (business, off, sleep: `[hours]` in config).
//!
//! Cancelled incidents are left out, as everywhere in the report.

use super::{Stats, week_key};
use crate::calendar::{Class, Hours};
use crate::domain::{ActionStatus, Incident, IncidentId, PmStatus, Severity, Status};
use crate::store::review::ReviewFacts;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// How many times an alert must fire in the period to count as flapping.
pub const FLAPPING: usize = 3;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Review {
    pub counts: Counts,
    pub postmortems: Postmortems,
    pub actions: Actions,
    pub recurrence: Recurrence,
    pub interruptions: Interruptions,
}

/// Incidents per bucket, for each value of each dimension.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Counts {
    /// "week" or "month".
    pub bucket: &'static str,
    /// The bucket keys, oldest first (`2026-W47`, `2026-11`).
    pub buckets: Vec<String>,
    /// Per bucket: the period covers only part of it (its first and last).
    pub partial: Vec<bool>,
    pub rows: Vec<CountRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CountRow {
    /// severity, kind, service or category.
    pub by: &'static str,
    pub value: String,
    pub total: usize,
    /// One per bucket, in `buckets` order.
    pub counts: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Postmortems {
    /// SEV1–2 incidents of the period that are resolved or closed.
    pub due: usize,
    pub published: usize,
    /// published / due (None when none were due).
    pub completion: Option<f64>,
    /// Resolved → published, of the published ones.
    pub time_to_publish: Stats,
    /// The SEV1–2 incidents of the period, oldest first.
    pub incidents: Vec<PmLine>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PmLine {
    pub id: IncidentId,
    pub severity: Severity,
    pub status: Status,
    /// draft, in-review or published; None: not started.
    pub postmortem: Option<PmStatus>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Actions {
    /// The day open and overdue are counted on (today, where the reader is).
    pub as_of: NaiveDate,
    pub open: usize,
    pub overdue: usize,
    pub done_in_period: usize,
    pub done_on_time: usize,
    pub done_late: usize,
    pub done_without_due: usize,
    /// Created → done, in seconds (n counts those whose done time is
    /// known; done before sev kept it: unknown).
    pub time_to_done: Stats,
    /// The overdue items, oldest due date first.
    pub overdue_items: Vec<Overdue>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Overdue {
    /// `ACT-7`.
    pub id: String,
    pub incident: IncidentId,
    pub due: NaiveDate,
    pub owner: Option<String>,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recurrence {
    /// (service, incidents), more than one, most first.
    pub services: Vec<(String, usize)>,
    pub categories: Vec<(String, usize)>,
    /// (alert name, incidents it fed), most first, at most 10.
    pub top_alerts: Vec<(String, usize)>,
    pub flapping: Vec<Flapping>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Flapping {
    pub name: String,
    pub integration: String,
    /// Times it fired (episodes) in the period.
    pub fired: usize,
    pub incidents: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Interruptions {
    /// `[hours]` as one line.
    pub hours: String,
    pub business: usize,
    pub off: usize,
    pub sleep: usize,
    /// Of them SEV1–2, per class (business, off, sleep).
    pub severe: [usize; 3],
}

/// Weeks for periods up to 92 days, months beyond.
pub fn bucket_of(since: DateTime<Utc>, until: DateTime<Utc>) -> &'static str {
    if (until - since).num_days() <= 92 {
        "week"
    } else {
        "month"
    }
}

/// The bucket of `t` (`2026-W47` or `2026-11`) in the zone of `hours`.
pub fn bucket_key(bucket: &str, t: DateTime<Utc>, hours: &Hours) -> String {
    let local = hours.tz.at(t);
    match bucket {
        "week" => week_key(local),
        "day" => local.format("%Y-%m-%d").to_string(),
        _ => local.format("%Y-%m").to_string(),
    }
}

/// The buckets from `since` to `until` and the instant each begins (the
/// first: `since`), so an incident's bucket is a binary search of its time
/// instead of a date formatted in a zone per incident. A change of key is
/// looked for once a day and pinned to the second by bisection.
pub fn bucket_bounds(
    bucket: &str,
    since: DateTime<Utc>,
    until: DateTime<Utc>,
    hours: &Hours,
) -> (Vec<String>, Vec<DateTime<Utc>>) {
    let key = |t| bucket_key(bucket, t, hours);
    let (mut keys, mut starts) = (Vec::new(), Vec::new());
    if until <= since {
        return (keys, starts);
    }
    keys.push(key(since));
    starts.push(since);
    let last = until - chrono::Duration::seconds(1);
    let mut lo = since;
    loop {
        let hi = (lo + chrono::Duration::days(1)).min(last);
        if hi <= lo {
            break;
        }
        let k = key(hi);
        if Some(&k) != keys.last() {
            // key(a) is the last key, key(b) is not: close in on the change.
            // Whole seconds: stored times are.
            let (mut a, mut b) = (lo.timestamp(), hi.timestamp());
            let at = |s: i64| DateTime::from_timestamp(s, 0).unwrap_or(since);
            while b - a > 1 {
                let mid = a + (b - a) / 2;
                if Some(&key(at(mid))) == keys.last() {
                    a = mid;
                } else {
                    b = mid;
                }
            }
            keys.push(k);
            starts.push(at(b));
        }
        lo = hi;
    }
    (keys, starts)
}

/// Which of `starts` (from [`bucket_bounds`]) `t` falls in.
pub fn bucket_index(starts: &[DateTime<Utc>], t: DateTime<Utc>) -> Option<usize> {
    starts.partition_point(|s| *s <= t).checked_sub(1)
}

/// Every bucket from `since` to `until`, so an empty week shows as 0.
pub fn buckets(
    bucket: &str,
    since: DateTime<Utc>,
    until: DateTime<Utc>,
    hours: &Hours,
) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut t = since;
    while t < until {
        let k = bucket_key(bucket, t, hours);
        if out.last() != Some(&k) {
            out.push(k);
        }
        t += chrono::Duration::days(1);
    }
    let last = bucket_key(bucket, until - chrono::Duration::seconds(1), hours);
    if until > since && out.last() != Some(&last) {
        out.push(last);
    }
    out
}

/// Which buckets the period covers only in part: the first when the period
/// starts after it does, the last when it ends before it does.
pub fn partial_buckets(
    bucket: &str,
    keys: &[String],
    since: DateTime<Utc>,
    until: DateTime<Utc>,
    hours: &Hours,
) -> Vec<bool> {
    let mut p = vec![false; keys.len()];
    if keys.is_empty() {
        return p;
    }
    let step = |t: DateTime<Utc>, s: i64| t + chrono::Duration::seconds(s);
    // A second earlier than the start still in the first bucket, or a
    // second after the end still in the last: only part is covered.
    if bucket_key(bucket, step(since, -1), hours) == keys[0] {
        p[0] = true;
    }
    let last = keys.len() - 1;
    if bucket_key(bucket, until, hours) == keys[last] {
        p[last] = true;
    }
    p
}

fn counts(inc: &[&Incident], since: DateTime<Utc>, until: DateTime<Utc>, hours: &Hours) -> Counts {
    let bucket = bucket_of(since, until);
    let (keys, starts) = bucket_bounds(bucket, since, until, hours);
    let mut rows: Vec<CountRow> = Vec::new();
    type Value = fn(&Incident) -> String;
    let dims: [(&'static str, Value); 4] = [
        ("severity", |i| i.severity.to_string()),
        ("kind", |i| i.kind.to_string()),
        ("service", |i| {
            i.service.clone().unwrap_or_else(|| "—".into())
        }),
        ("category", |i| {
            i.category.clone().unwrap_or_else(|| "—".into())
        }),
    ];
    // Each incident's bucket, worked out once for the four dimensions.
    let at: Vec<Option<usize>> = inc
        .iter()
        .map(|i| bucket_index(&starts, i.created_at))
        .collect();
    for (by, value) in dims {
        let mut per: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, b) in inc.iter().zip(&at) {
            let b = *b;
            let row = per.entry(value(i)).or_insert_with(|| vec![0; keys.len()]);
            if let Some(b) = b {
                row[b] += 1;
            }
        }
        let mut these: Vec<CountRow> = per
            .into_iter()
            .map(|(value, counts)| CountRow {
                by,
                value,
                total: counts.iter().sum(),
                counts,
            })
            .collect();
        // Severity and kind in their own order; services and categories
        // most incidents first.
        if by == "service" || by == "category" {
            these.sort_by(|a, b| b.total.cmp(&a.total).then(a.value.cmp(&b.value)));
        }
        rows.extend(these);
    }
    let partial = partial_buckets(bucket, &keys, since, until, hours);
    Counts {
        bucket,
        buckets: keys,
        partial,
        rows,
    }
}

fn postmortems(inc: &[&Incident], facts: &ReviewFacts) -> Postmortems {
    let pm: HashMap<IncidentId, (PmStatus, Option<DateTime<Utc>>)> = facts
        .postmortems
        .iter()
        .map(|p| (p.incident, (p.status, p.published_at)))
        .collect();
    let severe: Vec<&&Incident> = inc.iter().filter(|i| i.severity.level() <= 2).collect();
    let mut due = 0;
    let mut published = 0;
    let mut times = Vec::new();
    let mut unknown = 0;
    for i in &severe {
        if !matches!(i.status, Status::Resolved | Status::Closed) {
            continue;
        }
        due += 1;
        if let Some((PmStatus::Published, at)) = pm.get(&i.id) {
            published += 1;
            match (i.resolved_at, at) {
                (Some(r), Some(p)) if *p >= r => times.push((*p - r).num_seconds()),
                _ => unknown += 1,
            }
        }
    }
    Postmortems {
        due,
        published,
        completion: (due > 0).then(|| published as f64 / due as f64),
        time_to_publish: Stats::of(times, unknown),
        incidents: severe
            .iter()
            .map(|i| PmLine {
                id: i.id,
                severity: i.severity,
                status: i.status,
                postmortem: pm.get(&i.id).map(|p| p.0),
            })
            .collect(),
    }
}

fn actions(
    facts: &ReviewFacts,
    since: DateTime<Utc>,
    until: DateTime<Utc>,
    today: NaiveDate,
    hours: &Hours,
) -> Actions {
    let mut a = Actions {
        as_of: today,
        open: 0,
        overdue: 0,
        done_in_period: 0,
        done_on_time: 0,
        done_late: 0,
        done_without_due: 0,
        time_to_done: Stats::default(),
        overdue_items: Vec::new(),
    };
    let mut overdue = Vec::new();
    let mut days = Vec::new();
    let mut unknown = 0;
    for item in &facts.actions {
        if item.status.is_open() {
            a.open += 1;
            if let (true, Some(due)) = (item.overdue(today), item.due) {
                overdue.push((due, item.id.0, item));
            }
        }
        if item.status != ActionStatus::Done {
            continue;
        }
        let Some(done) = item.done_at else {
            // Done before sev kept the time: not in any period's figures
            // but the unknown count of this one.
            unknown += 1;
            continue;
        };
        if done < since || done >= until {
            continue;
        }
        a.done_in_period += 1;
        match item.due {
            None => a.done_without_due += 1,
            Some(d) if hours.tz.at(done).date_naive() <= d => a.done_on_time += 1,
            Some(_) => a.done_late += 1,
        }
        days.push((done - item.created_at).num_seconds().max(0));
    }
    overdue.sort_by_key(|(due, id, _)| (*due, *id));
    a.overdue = overdue.len();
    a.overdue_items = overdue
        .into_iter()
        .map(|(due, _, i)| Overdue {
            id: i.id.to_string(),
            incident: i.incident,
            due,
            owner: i.owner.clone(),
            description: i.description.clone(),
        })
        .collect();
    a.time_to_done = Stats::of(days, unknown);
    a
}

fn ranked(m: BTreeMap<String, usize>, min: usize, top: usize) -> Vec<(String, usize)> {
    let mut v: Vec<(String, usize)> = m.into_iter().filter(|(_, n)| *n >= min).collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    v.truncate(top);
    v
}

fn recurrence(inc: &[&Incident], facts: &ReviewFacts) -> Recurrence {
    let mut services: BTreeMap<String, usize> = BTreeMap::new();
    let mut categories: BTreeMap<String, usize> = BTreeMap::new();
    for i in inc {
        if let Some(s) = &i.service {
            *services.entry(s.clone()).or_default() += 1;
        }
        if let Some(c) = &i.category {
            *categories.entry(c.clone()).or_default() += 1;
        }
    }
    let mut by_name: BTreeMap<String, BTreeSet<IncidentId>> = BTreeMap::new();
    let mut episodes: BTreeMap<(String, String), (String, usize, BTreeSet<IncidentId>)> =
        BTreeMap::new();
    for a in &facts.alerts {
        let e = episodes
            .entry((a.integration.clone(), a.key.clone()))
            .or_insert_with(|| (a.name.clone(), 0, BTreeSet::new()));
        e.1 += 1;
        if let Some(i) = a.incident {
            by_name.entry(a.name.clone()).or_default().insert(i);
            e.2.insert(i);
        }
    }
    let mut flapping: Vec<Flapping> = episodes
        .into_iter()
        .filter(|(_, (_, n, _))| *n >= FLAPPING)
        .map(|((integration, _), (name, fired, incs))| Flapping {
            name,
            integration,
            fired,
            incidents: incs.len(),
        })
        .collect();
    flapping.sort_by(|a, b| b.fired.cmp(&a.fired).then(a.name.cmp(&b.name)));
    flapping.truncate(10);
    Recurrence {
        services: ranked(services, 2, 10),
        categories: ranked(categories, 2, 10),
        top_alerts: ranked(
            by_name.into_iter().map(|(k, v)| (k, v.len())).collect(),
            1,
            10,
        ),
        flapping,
    }
}

fn interruptions(inc: &[&Incident], hours: &Hours) -> Interruptions {
    let mut n = [0usize; 3];
    let mut severe = [0usize; 3];
    for i in inc {
        let c = hours.class(i.created_at) as usize;
        n[c] += 1;
        if i.severity.level() <= 2 {
            severe[c] += 1;
        }
    }
    debug_assert_eq!(Class::Sleep as usize, 2);
    Interruptions {
        hours: hours.describe(),
        business: n[0],
        off: n[1],
        sleep: n[2],
        severe,
    }
}

/// The review of the incidents logged in `[since, until)` (cancelled ones
/// left out; those outside the period skipped).
pub fn review<'a>(
    all: impl IntoIterator<Item = &'a Incident>,
    facts: &ReviewFacts,
    since: DateTime<Utc>,
    until: DateTime<Utc>,
    today: NaiveDate,
    hours: &Hours,
) -> Review {
    let inc: Vec<&Incident> = all
        .into_iter()
        .filter(|i| i.created_at >= since && i.created_at < until && i.status != Status::Cancelled)
        .collect();
    Review {
        counts: counts(&inc, since, until, hours),
        postmortems: postmortems(&inc, facts),
        actions: actions(facts, since, until, today, hours),
        recurrence: recurrence(&inc, facts),
        interruptions: interruptions(&inc, hours),
    }
}
