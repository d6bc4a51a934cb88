//! The detail pane's paging lines: who was paged and what comes next
//! ("paged  alice (step 2 in 3m: user:bob)"), and the last stakeholder
//! update with when the next one is due.

use crate::app::App;
use crate::domain::{EventKind, Incident};
use crate::paging::update::{self, Due};
use crate::text::sanitize_line;

/// One line: label, value, and whether it needs attention.
pub(super) struct Field {
    pub label: &'static str,
    pub value: String,
    pub warn: bool,
}

/// Who the newest page event paged ("alice, bob").
fn last_paged(app: &App) -> Option<String> {
    let e = app.detail.events.iter().rev().find(|e| {
        e.kind == EventKind::Page && e.text.as_deref().is_some_and(|t| t.contains("paged "))
    })?;
    let t = e.text.as_deref()?;
    let names: Vec<&str> = t
        .split("; ")
        .filter_map(|p| p.strip_prefix("paged ")?.split(" via ").next())
        .collect();
    (!names.is_empty()).then(|| names.join(", "))
}

/// How the newest step's pages fared: "" when all were delivered, else
/// what is wrong ("NOT DELIVERED YET: 4 attempts, connection refused").
fn delivery(app: &App) -> (String, bool) {
    let pages: Vec<_> = app
        .detail
        .notes_out
        .iter()
        .filter(|r| r.kind == "page")
        .collect();
    let Some(newest) = pages.iter().map(|r| r.created_at).max() else {
        return (String::new(), false);
    };
    let step: Vec<_> = pages.iter().filter(|r| r.created_at == newest).collect();
    let why = |r: &crate::store::respond::OutboxRow| {
        sanitize_line(r.detail.as_deref().unwrap_or("")).into_owned()
    };
    if let Some(r) = step.iter().find(|r| r.state == "failed") {
        return (format!(" · PAGE FAILED: {}", why(r)), true);
    }
    if let Some(r) = step.iter().find(|r| r.state == "pending" && r.attempts > 0) {
        return (
            format!(
                " · NOT DELIVERED YET: {} attempt{}, {}",
                r.attempts,
                if r.attempts == 1 { "" } else { "s" },
                why(r)
            ),
            true,
        );
    }
    if step
        .iter()
        .any(|r| r.state == "pending" || r.state == "sending")
    {
        return (" · sending".into(), false);
    }
    (String::new(), false)
}

pub(super) fn fields(app: &App, inc: &Incident) -> Vec<Field> {
    let now = app.clock.now();
    let mut out = Vec::new();
    if let Some(e) = &app.detail.escalation {
        let who = last_paged(app).map(|w| sanitize_line(&w).into_owned());
        let policy = app.config.paging.policies.get(&e.policy);
        let value = match e.state.as_str() {
            "active" => {
                let next = e
                    .next_at
                    .map(|t| crate::clock::duration((t - now).num_seconds().max(0)))
                    .unwrap_or_default();
                let targets = policy
                    .and_then(|p| p.steps.get(e.step as usize))
                    .map(|s| {
                        let t: Vec<String> = s.targets.iter().map(|t| t.show()).collect();
                        format!(": {}", sanitize_line(&t.join(", ")))
                    })
                    .unwrap_or_default();
                let step = if e.step == 0 && e.round > 0 {
                    format!("round {} in {next}{targets}", e.round + 1)
                } else {
                    format!("step {} in {next}{targets}", e.step + 1)
                };
                match who {
                    Some(w) => format!("{w} ({step})"),
                    None => format!("nobody yet ({step})"),
                }
            }
            "stopped" => format!("{} · stopped: acknowledged", who.unwrap_or("—".into())),
            "cancelled" => format!("{} · cancelled: resolved", who.unwrap_or("—".into())),
            // Every step ran; an acknowledgement after that ends nothing
            // (the escalation was over) but must not read as missing.
            _ if inc.status != crate::domain::Status::Triage => format!(
                "{} · every step ran before it was acknowledged",
                who.unwrap_or("nobody".into())
            ),
            _ => format!(
                "{} · every step ran, nobody acknowledged",
                who.unwrap_or("nobody".into())
            ),
        };
        let (trouble, bad) = delivery(app);
        out.push(Field {
            label: "paged",
            value: format!("{value}{trouble}"),
            warn: bad
                || (e.state == "exhausted" && inc.status == crate::domain::Status::Triage)
                || (e.state == "active" && e.step > 0),
        });
    }
    let last = app
        .detail
        .events
        .iter()
        .rev()
        .find(|e| e.kind == EventKind::Update);
    let promised = last.and_then(|e| {
        e.new
            .as_deref()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.with_timezone(&chrono::Utc))
    });
    let due = update::due(inc, last.map(|e| (e.at, promised)), &app.config.paging, now);
    let words = due.words(now);
    let status_of = |e: &crate::domain::Event| {
        e.text
            .as_deref()
            .and_then(|t| t.lines().next())
            .map(|l| sanitize_line(l.trim_start_matches("Status: ")).into_owned())
            .unwrap_or_default()
    };
    // "14:05" today, with the day otherwise (an update two days overdue).
    let when = |t| crate::respond::targets_show::when(t, now, app.clock.zone());
    let value = match (last, due) {
        (Some(e), _) => {
            let mut v = format!(
                "{} by {}: {}",
                when(e.at),
                sanitize_line(crate::identity::login_of(&e.actor)),
                status_of(e)
            );
            if let Due::Until(t) | Due::Soon(t) | Due::Overdue(t) = due {
                v.push_str(&format!(" · next by {}", when(t)));
            }
            v
        }
        (None, Due::NotNeeded) => return out,
        (None, Due::Until(t) | Due::Soon(t) | Due::Overdue(t)) => {
            format!("none yet · due by {}", when(t))
        }
    };
    let warn = matches!(due, Due::Soon(_) | Due::Overdue(_));
    out.push(Field {
        label: "update",
        value: if words.is_empty() {
            value
        } else {
            format!("{} · {value}", shout(&words))
        },
        warn,
    });
    out
}

/// "update overdue 7m" → "UPDATE OVERDUE 7m": the words loud, the time as
/// it is written everywhere else.
fn shout(words: &str) -> String {
    let (w, rest) = match words.find(|c: char| c.is_ascii_digit()) {
        Some(i) => words.split_at(i),
        None => (words, ""),
    };
    format!("{}{rest}", w.to_uppercase())
}
