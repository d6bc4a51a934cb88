//! `sev report [--since 30d|DATE] [--until DATE] [--by …] [--format
//! text|md|json|csv] [--output FILE]`: the named measures of
//! `crate::metrics` over the incidents logged in a period, overall and per
//! group. Deterministic: the same database and period give the same bytes.

use super::Env;
use super::report_review::{self as rv, Style};
use crate::cli::ReportArgs;
use crate::error::{Error, Result};
use crate::metrics::review::Review;
use crate::metrics::{By, Group, Report, Stats};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use std::fmt::Write as _;

/// `--format json`: the measures and the review, one object.
#[derive(serde::Serialize)]
struct Full<'a> {
    #[serde(flatten)]
    report: &'a Report,
    review: Review,
}

/// Today where the reader is: open and overdue action items are as of it.
fn today(env: &Env<'_>) -> String {
    env.cx.clock.today().to_string()
}

/// The titles of the SEV1–2 incidents the review lists.
fn titles(env: &Env<'_>, v: &Review) -> Result<crate::store::review::Titles> {
    let ids: Vec<_> = v.postmortems.incidents.iter().map(|l| l.id).collect();
    env.store().titles(&ids)
}

pub(super) fn run(env: &Env<'_>, a: ReportArgs) -> Result<()> {
    // Whole seconds: the period is printed, and stored times are seconds.
    let now = env.cx.clock.now();
    let now = DateTime::from_timestamp(now.timestamp(), 0).unwrap_or(now);
    let zone = env.cx.clock.zone();
    let since = when(&a.since, now, zone, "--since")?;
    let until = match &a.until {
        Some(u) => when(u, now, zone, "--until")?,
        // Through the current second: what was logged just now is in.
        None => now + Duration::seconds(1),
    };
    if since >= until {
        return Err(Error::Usage(format!(
            "--since ({}) is not before --until ({}): give an earlier --since",
            crate::clock::rfc3339(since),
            crate::clock::rfc3339(until)
        )));
    }
    let by = match &a.by {
        Some(b) => b.parse::<By>().map_err(Error::Usage)?,
        None => By::Nothing,
    };
    // One query of the period's rows, without their text.
    let got = env.store().incident_times(since, until)?;
    got.check()?;
    let all = got.rows;
    // Weeks, months and hours in [hours].time_zone, else the reader's zone.
    let hours = env.cx.config.hours.in_zone_of(zone);
    let r = crate::metrics::report(&all, since, until, by, &hours.tz);
    let format = if env.json { "json" } else { a.format.as_str() };
    let review = || -> Result<Review> {
        let facts = env.store().review_facts(since, until)?;
        let today = hours.tz.at(now).date_naive();
        Ok(crate::metrics::review::review(
            &all, &facts, since, until, today, &hours,
        ))
    };
    let text = match format {
        "json" => {
            crate::cli::to_json(&Full {
                report: &r,
                review: review()?,
            }) + "\n"
        }
        "csv" => csv(&r)?,
        "md" => markdown(&r, &review()?, env, &a.postmortem_url, a.by.as_deref())?,
        _ => plain(&r, &review()?, env)?,
    };
    match &a.output {
        Some(p) => {
            std::fs::write(p, text).map_err(|e| {
                Error::Usage(format!(
                    "cannot write {}: {e} (choose another --output path)",
                    crate::text::sanitize_line(&p.display().to_string())
                ))
            })?;
        }
        None => crate::out!("{text}"),
    }
    Ok(())
}

/// `30d`, `12h`, `2w` before now; a date (midnight where the reader is);
/// or an RFC 3339 time.
fn when(
    s: &str,
    now: DateTime<Utc>,
    zone: crate::clock::Zone,
    flag: &str,
) -> Result<DateTime<Utc>> {
    let t = s.trim();
    let rel = |n: &str, unit: i64| {
        n.parse::<i64>()
            .ok()
            .filter(|n| (0..=36_500).contains(n))
            .map(|n| now - Duration::seconds(n * unit))
    };
    let parsed = if let Some(n) = t.strip_suffix('d') {
        rel(n, 86_400)
    } else if let Some(n) = t.strip_suffix('w') {
        rel(n, 7 * 86_400)
    } else if let Some(n) = t.strip_suffix('h') {
        rel(n, 3600)
    } else if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        let midnight = d.and_hms_opt(0, 0, 0).unwrap_or_default();
        let offset = *zone.at(now).offset();
        offset
            .from_local_datetime(&midnight)
            .single()
            .map(|l| l.with_timezone(&Utc))
    } else {
        DateTime::parse_from_rfc3339(t)
            .ok()
            .map(|d| d.with_timezone(&Utc))
    };
    parsed.ok_or_else(|| {
        Error::Usage(format!(
            "invalid {flag} '{}': give a span before now (30d, 12h, 2w), a date (2026-11-01) or an RFC 3339 time",
            crate::text::sanitize_line(t)
        ))
    })
}

/// Durations as the TUI shows them: "1m 35s", "2h 01m", "2d 7h".
use crate::clock::duration as human;

fn cells(st: &Stats) -> [String; 6] {
    let h = |v: Option<i64>| v.map(human).unwrap_or_else(|| "—".into());
    [
        st.n.to_string(),
        st.unknown.to_string(),
        h(st.mean_s.map(|m| m.round() as i64)),
        h(st.median_s),
        h(st.p90_s),
        h(st.max_s),
    ]
}

const HEAD: [&str; 7] = ["measure", "n", "unknown", "mean", "median", "p90", "max"];

fn period(r: &Report, env: &Env<'_>) -> String {
    let c = &env.cx.clock;
    format!(
        "Incidents logged {} → {} ({}): {}{}",
        c.local(r.since),
        c.local(r.until),
        "local time",
        r.incidents,
        if r.cancelled_left_out > 0 {
            format!(" ({} cancelled left out)", r.cancelled_left_out)
        } else {
            String::new()
        }
    )
}

fn plain_group(out: &mut String, g: &Group) {
    let rows: Vec<[String; 7]> = g
        .measures
        .iter()
        .map(|(name, st)| {
            let [a, b, c, d, e, f] = cells(st);
            [name.to_string(), a, b, c, d, e, f]
        })
        .collect();
    let mut w = HEAD.map(str::len);
    for r in &rows {
        for (i, c) in r.iter().enumerate() {
            w[i] = w[i].max(c.chars().count());
        }
    }
    let line = |cols: [&str; 7]| {
        let mut s = String::new();
        for (i, c) in cols.iter().enumerate() {
            if i == 0 {
                let _ = write!(s, "{c:<width$}", width = w[i]);
            } else {
                let _ = write!(s, "  {c:>width$}", width = w[i]);
            }
        }
        s.trim_end().to_string()
    };
    let _ = writeln!(out, "{}", line(HEAD));
    for r in &rows {
        let _ = writeln!(out, "{}", line(r.each_ref().map(String::as_str)));
    }
}

fn plain(r: &Report, v: &Review, env: &Env<'_>) -> Result<String> {
    let mut out = String::new();
    let _ = writeln!(out, "{}", period(r, env));
    rv::summary(&mut out, r, v, &today(env), Style::Text);
    let _ = writeln!(out, "\nResponse measures\n─────────────────");
    plain_group(&mut out, &r.total);
    for g in &r.groups {
        let _ = writeln!(
            out,
            "\n{} — {} incident{}",
            crate::text::sanitize_line(&g.key),
            g.incidents,
            if g.incidents == 1 { "" } else { "s" }
        );
        plain_group(&mut out, g);
    }
    let _ = writeln!(
        out,
        "\nn: incidents with both times; unknown: without one (never guessed). Percentiles nearest-rank."
    );
    rv::severe(&mut out, v, &titles(env, v)?, "", Style::Text);
    rv::counts(&mut out, v, Style::Text);
    rv::recurrence(&mut out, v, Style::Text);
    rv::overdue(&mut out, v, &today(env), Style::Text);
    Ok(out)
}

fn md_cell(s: &str) -> String {
    crate::text::sanitize_line(s).replace('|', "\\|")
}

fn md_group(out: &mut String, g: &Group) {
    let _ = writeln!(out, "| {} |", HEAD.join(" | "));
    let _ = writeln!(out, "|{}", " --- |".repeat(HEAD.len()));
    for (name, st) in &g.measures {
        let _ = writeln!(out, "| {name} | {} |", cells(st).join(" | "));
    }
}

fn markdown(r: &Report, v: &Review, env: &Env<'_>, link: &str, by: Option<&str>) -> Result<String> {
    let mut out = String::new();
    let c = &env.cx.clock;
    let day = |t| c.local_time(t).format("%Y-%m-%d").to_string();
    let last = r.until - Duration::seconds(1);
    let _ = writeln!(
        out,
        "# Incident review {} – {}\n\n{}",
        day(r.since),
        day(last),
        period(r, env)
    );
    rv::summary(&mut out, r, v, &today(env), Style::Md);
    let _ = writeln!(out, "\n## Response measures\n");
    md_group(&mut out, &r.total);
    let _ = writeln!(
        out,
        "\nTime to detect: impact start → detected. Time to acknowledge: logged → first acknowledged. \
         Time to mitigate: logged → mitigated. Time to resolve: logged → resolved (a reopened incident's latest). \
         Impact duration: impact start → resolved. For incidents alerts opened, logged is the first alert \
         received and impact start its `startsAt`. *n*: incidents with both times; *unknown*: without one \
         (never guessed); cancelled incidents left out. Percentiles are nearest-rank: every figure is a real \
         incident's."
    );
    if !r.groups.is_empty() {
        let _ = writeln!(out, "\n## Compared by {}\n", by.unwrap_or("group"));
        let head = [
            "group",
            "incidents",
            "detect (median)",
            "acknowledge (median / p90)",
            "mitigate (median)",
            "resolve (median / p90)",
            "impact (median)",
        ];
        let _ = writeln!(out, "| {} |", head.join(" | "));
        let _ = writeln!(out, "| --- |{}", " ---: |".repeat(head.len() - 1));
        let h = |v: Option<i64>| v.map(human).unwrap_or_else(|| "—".into());
        for g in &r.groups {
            let m = |i: usize| g.measures[i].1;
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} / {} | {} | {} / {} | {} |",
                md_cell(&g.key),
                g.incidents,
                h(m(0).median_s),
                h(m(1).median_s),
                h(m(1).p90_s),
                h(m(2).median_s),
                h(m(3).median_s),
                h(m(3).p90_s),
                h(m(4).median_s)
            );
        }
    }
    rv::severe(&mut out, v, &titles(env, v)?, link, Style::Md);
    rv::counts(&mut out, v, Style::Md);
    rv::recurrence(&mut out, v, Style::Md);
    rv::overdue(&mut out, v, &today(env), Style::Md);
    Ok(out)
}

fn csv(r: &Report) -> Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let io =
        |e: csv::Error| Error::Internal(format!("the report could not be written as CSV: {e}"));
    w.write_record([
        "group",
        "incidents",
        "measure",
        "n",
        "unknown",
        "mean_s",
        "median_s",
        "p90_s",
        "max_s",
    ])
    .map_err(io)?;
    let opt = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
    for g in std::iter::once(&r.total).chain(&r.groups) {
        for (name, st) in &g.measures {
            w.write_record([
                super::export::cell(&g.key),
                g.incidents.to_string(),
                name.to_string(),
                st.n.to_string(),
                st.unknown.to_string(),
                st.mean_s.map(|m| format!("{m:.1}")).unwrap_or_default(),
                opt(st.median_s),
                opt(st.p90_s),
                opt(st.max_s),
            ])
            .map_err(io)?;
        }
    }
    let bytes = w.into_inner().map_err(|e| Error::Internal(e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| Error::Internal(e.to_string()))
}
