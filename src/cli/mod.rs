//! The command line: clap subcommands, each a thin call into `ops`/`store`.

mod args;
mod handlers;
mod output;

pub use args::*;

pub use output::{incident_json, to_json};

use crate::clock::{Clock, SystemClock};
use crate::config::{Config, Locations};
use crate::domain::{
    Field, Impact, IncidentId, Kind, NewIncident, Priority, Status, Transition, Urgency,
};
use crate::error::{Error, Result, exit};
use crate::ops::{self, Ctx, Edit};
use crate::store::{ListQuery, Scope, Store};
use crate::text::sanitize_line;
use clap::Parser;
use std::io::{IsTerminal, Read};

/// Run the CLI; returns the process exit code.
pub fn main() -> i32 {
    install_panic_hook();
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => return print_clap_error(&e),
    };
    match run(cli) {
        Ok(()) => exit::OK,
        Err(e) => {
            eprintln!("sev: {}", sanitize_line(&e.to_string()));
            e.exit_code()
        }
    }
}

/// Print what clap has to say (an error, or --help/--version) through the
/// sanitizer: its messages quote the offending argument, which may hold
/// escape sequences. Errors go to stderr with exit 2; help and version go
/// to stdout with exit 0, as clap does.
fn print_clap_error(e: &clap::Error) -> i32 {
    use std::io::Write;
    let text = clap_message(e);
    if e.use_stderr() {
        let _ = std::io::stderr().write_all(text.as_bytes());
        exit::USAGE
    } else {
        let _ = std::io::stdout().write_all(text.as_bytes());
        exit::OK
    }
}

/// clap's message as plain text, safe for a terminal.
pub fn clap_message(e: &clap::Error) -> String {
    crate::text::sanitize(&e.render().to_string()).into_owned()
}

/// Replace the default panic hook, which prints the message raw (a panic
/// message can quote input or incident text), with one that sanitizes it.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        eprintln!(
            "{}",
            crash_report(info.payload(), info.location(), "please report this")
        );
        let bt = std::backtrace::Backtrace::capture();
        if bt.status() == std::backtrace::BacktraceStatus::Captured {
            eprintln!("{bt}");
        }
    }));
}

/// The one-line crash message, sanitized: `sev crashed at FILE:LINE: MSG — TAIL`.
pub fn crash_report(
    payload: &(dyn std::any::Any + Send),
    location: Option<&std::panic::Location<'_>>,
    tail: &str,
) -> String {
    let msg = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into());
    let at = location
        .map(|l| format!(" at {}:{}", l.file(), l.line()))
        .unwrap_or_default();
    sanitize_line(&format!("sev crashed{at}: {msg} — {tail}")).into_owned()
}

/// A path as it may be shown on a terminal.
pub fn show_path(p: &std::path::Path) -> String {
    sanitize_line(&p.display().to_string()).into_owned()
}

/// A TOML basic string that reads back as exactly `s`, with everything the
/// sanitizer would change written as an escape, so it can be shown on a
/// terminal and pasted into a config file.
pub fn toml_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() || crate::text::is_invisible(c) => {
                if (c as u32) <= 0xFFFF {
                    out.push_str(&format!("\\u{:04X}", c as u32));
                } else {
                    out.push_str(&format!("\\U{:08X}", c as u32));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn parse_id(s: &str) -> Result<IncidentId> {
    Ok(s.parse::<IncidentId>()?)
}

fn parse_opt<T: std::str::FromStr<Err = crate::domain::DomainError>>(
    o: &Option<String>,
) -> Result<Option<T>> {
    o.as_deref()
        .map(|s| s.parse::<T>().map_err(Error::from))
        .transpose()
}

fn term_width() -> usize {
    if std::io::stdout().is_terminal()
        && let Ok((w, _)) = ratatui::crossterm::terminal::size()
    {
        return w as usize;
    }
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(120)
}

pub fn run(cli: Cli) -> Result<()> {
    let loc = Locations {
        config_flag: cli.config.clone(),
        db_flag: cli.db.clone(),
    };
    let config = Config::load(&loc)?;
    let Some(command) = cli.command else {
        return crate::tui::run(config);
    };
    // Commands that must not open (and so create or migrate) the database.
    match &command {
        Command::Doctor => return handlers::doctor(&config.database, cli.json),
        Command::Init(a) => {
            let db = crate::admin::init_shared(&a.shared, &a.group)?;
            if cli.json {
                println!(
                    "{}",
                    to_json(&serde_json::json!({"database": db, "group": a.group}))
                );
            } else {
                println!(
                    "shared database ready: {} (group {}, file 0660, directory 2770 setgid)",
                    show_path(&db),
                    sanitize_line(&a.group)
                );
                println!(
                    "Tell every user's sev about it, once, in {}:",
                    crate::config::SYSTEM_CONFIG
                );
                println!("  database = {}", toml_string(&db.display().to_string()));
                println!(
                    "Then add each responder to the group: usermod -aG {} USER",
                    sanitize_line(&a.group)
                );
            }
            return Ok(());
        }
        _ => {}
    }
    if let Command::Config(c) = &command {
        return match c {
            ConfigCommand::Check => {
                // Key bindings are part of the config: check them too.
                crate::keymap::Keymap::load(&config.keys)?;
                if cli.json {
                    println!(
                        "{}",
                        to_json(&serde_json::json!({"ok": true, "sources": config.sources}))
                    );
                } else {
                    println!("config ok: {}", sanitize_line(&config.sources.join(", ")));
                }
                Ok(())
            }
            ConfigCommand::Show => {
                print!("{}", sanitize_line_keep_newlines(&config.to_toml()));
                Ok(())
            }
        };
    }
    let store = Store::open_for_user(&config.database, command.creates())?;
    let clock = SystemClock;
    let cx = Ctx {
        store: &store,
        config: &config,
        actor: crate::identity::current_actor(),
        clock: &clock,
    };
    let json = cli.json;
    match command {
        Command::New(a) => {
            let new = NewIncident {
                title: a.title.join(" "),
                description: a.description.unwrap_or_default(),
                kind: parse_opt::<Kind>(&a.kind)?,
                severity: a
                    .severity
                    .as_deref()
                    .map(crate::domain::parse_severity)
                    .transpose()?,
                impact: parse_opt::<Impact>(&a.impact)?,
                urgency: parse_opt::<Urgency>(&a.urgency)?,
                category: a.category,
                service: a.service,
                tags: a.tags,
                assignee: a.assignee,
                ..Default::default()
            };
            let inc = cx.create(&new)?;
            if json {
                println!("{}", to_json(&incident_json(&inc, None)));
            } else {
                println!("{}", inc.id);
            }
        }
        Command::List(a) => {
            let scope = match (&a.status, a.all) {
                (Some(s), _) if s.eq_ignore_ascii_case("open") => Scope::Open,
                (Some(s), _) if s.eq_ignore_ascii_case("all") => Scope::All,
                (Some(s), _) => Scope::Status(s.parse::<Status>()?),
                (None, true) => Scope::All,
                (None, false) => Scope::Open,
            };
            let q = ListQuery {
                scope,
                severity: a
                    .severity
                    .as_deref()
                    .map(crate::domain::parse_severity)
                    .transpose()?,
                priority: parse_opt::<Priority>(&a.priority)?,
                service: a.service,
                assignee: if a.mine {
                    Some(cx.me().to_string())
                } else {
                    a.assignee
                },
                search: a.search,
                limit: (a.limit > 0).then_some(a.limit),
                offset: 0,
            };
            let listed = store.list(&q)?;
            let rows = &listed.rows;
            if json {
                let v: Vec<_> = rows.iter().map(|i| incident_json(i, None)).collect();
                println!("{}", to_json(&v));
            } else {
                print!("{}", output::table(rows, clock.now(), term_width()));
                if std::io::stdout().is_terminal() {
                    let total = store.count(&ListQuery {
                        limit: None,
                        ..q.clone()
                    })?;
                    if total > rows.len() {
                        println!(
                            "({} of {total} shown: raise --limit, or 0 for all)",
                            rows.len()
                        );
                    } else if total == 0 {
                        println!(
                            "(no incidents match{})",
                            if matches!(q.scope, Scope::Open) {
                                "; --all includes finished ones"
                            } else {
                                ""
                            }
                        );
                    }
                }
            }
            // The readable rows are out; now name the ones that are not.
            listed.check()?;
        }
        Command::Search(a) => {
            let scope = if a.open { Scope::Open } else { Scope::All };
            let (corpus, mut bad) = crate::search::Corpus::load(
                &store,
                &ListQuery {
                    scope,
                    ..Default::default()
                },
            )?;
            let hits = crate::search::rank(&corpus, &a.query.join(" "), None);
            let take = if a.limit == 0 {
                hits.len()
            } else {
                a.limit.min(hits.len())
            };
            let ids: Vec<IncidentId> = hits[..take].iter().map(|(i, _)| corpus.id(*i)).collect();
            let crate::store::Partial {
                rows: found,
                unreadable,
            } = store.get_many(&ids)?;
            bad.extend(unreadable);
            bad.dedup_by_key(|u| u.id);
            if json {
                let v: Vec<_> = found.iter().map(|i| incident_json(i, None)).collect();
                println!("{}", to_json(&v));
            } else {
                print!("{}", output::table(&found, clock.now(), term_width()));
                if std::io::stdout().is_terminal() && hits.len() > take {
                    println!(
                        "({take} of {} matches shown: raise --limit, or 0 for all)",
                        hits.len()
                    );
                }
            }
            if let Some(e) = crate::store::unreadable_error(&bad) {
                return Err(e);
            }
        }
        Command::Show(a) => {
            let id = parse_id(&a.id)?;
            let inc = store.get(id)?;
            let events = store.events(id)?;
            if json {
                println!("{}", to_json(&incident_json(&inc, Some(&events))));
            } else {
                print!(
                    "{}",
                    output::record(&inc, &events, &config.severity(inc.severity).name)
                );
            }
        }
        Command::Ack(a) => {
            let id = parse_id(&a.id)?;
            mutate(&store, id, json, || cx.acknowledge(id, None))?;
        }
        Command::Status(a) => {
            let id = parse_id(&a.id)?;
            let target = a.state.parse::<Status>()?;
            let t = match target {
                Status::Resolved => Transition::Resolve {
                    summary: a.summary.unwrap_or_default(),
                },
                Status::Cancelled => Transition::Cancel {
                    reason: a.reason.unwrap_or_default(),
                },
                s => Transition::To(s),
            };
            if target == Status::Acknowledged {
                mutate(&store, id, json, || cx.acknowledge(id, None))?;
            } else {
                mutate(&store, id, json, || cx.transition(id, &t, None))?;
            }
        }
        Command::Set(a) => {
            let id = parse_id(&a.id)?;
            let edits = a
                .assignments
                .iter()
                .map(|s| ops::parse_assignment(s))
                .collect::<Result<Vec<_>>>()?;
            mutate(&store, id, json, || cx.set(id, &edits, a.if_version))?;
        }
        Command::Assign(a) => {
            let id = parse_id(&a.id)?;
            let who = a.user.unwrap_or_else(|| cx.me().to_string());
            mutate(&store, id, json, || {
                cx.set(id, &[Edit::new(Field::Assignee, who.clone())], None)
            })?;
        }
        Command::Note(a) => {
            let id = parse_id(&a.id)?;
            let text = if !a.text.is_empty() {
                a.text.join(" ")
            } else if std::io::stdin().is_terminal() {
                store.get(id)?; // fail before opening an editor on a wrong id
                crate::editor::edit("", ".md")?.ok_or_else(|| {
                    Error::Usage("the editor exited with an error; no note was added".into())
                })?
            } else {
                let mut s = String::new();
                std::io::stdin()
                    .read_to_string(&mut s)
                    .map_err(|e| Error::Usage(format!("cannot read the note from stdin: {e}")))?;
                s
            };
            let ev = cx.note(id, &text)?;
            if json {
                let inc = store.get(id)?;
                let evs = [ev];
                println!("{}", to_json(&incident_json(&inc, Some(&evs))));
            } else {
                println!("{}: note added", id);
            }
        }
        Command::Resolve(a) => {
            let id = parse_id(&a.id)?;
            mutate(&store, id, json, || {
                cx.transition(
                    id,
                    &Transition::Resolve {
                        summary: a.summary.clone(),
                    },
                    None,
                )
            })?;
        }
        Command::Close(a) => {
            let id = parse_id(&a.id)?;
            mutate(&store, id, json, || {
                cx.transition(id, &Transition::To(Status::Closed), None)
            })?;
        }
        Command::Reopen(a) => {
            let id = parse_id(&a.id)?;
            mutate(&store, id, json, || {
                cx.transition(id, &Transition::Reopen, None)
            })?;
        }
        Command::Cancel(a) => {
            let id = parse_id(&a.id)?;
            mutate(&store, id, json, || {
                cx.transition(
                    id,
                    &Transition::Cancel {
                        reason: a.reason.clone(),
                    },
                    None,
                )
            })?;
        }
        Command::Demo(a) => handlers::demo(&store, &clock, a, json)?,
        Command::Postmortem(a) => handlers::postmortem(&cx, a)?,
        Command::Verify(a) => {
            let expect = a
                .expect
                .as_deref()
                .map(|e| {
                    e.split_once(':')
                        .and_then(|(i, h)| Some((i.parse::<i64>().ok()?, h.to_string())))
                        .ok_or_else(|| {
                            Error::Usage(format!(
                                "--expect takes ID:HASH as printed by sev verify --head, not '{}'",
                                sanitize_line(e)
                            ))
                        })
                })
                .transpose()?;
            let v = store.verify()?;
            if let Some(b) = &v.broken {
                return Err(Error::Check(format!(
                    "audit trail broken at event #{} (INC-{}): {} — events from there on cannot be trusted; compare with a backup",
                    b.event_id, b.incident, b.reason
                )));
            }
            let head = v
                .head
                .as_ref()
                .map(|(id, h)| format!("{id}:{h}"))
                .unwrap_or_else(|| "0:empty".into());
            if let Some((id, hash)) = &expect
                && !store.verify_head(*id, hash)?
            {
                return Err(Error::Check(format!(
                    "event #{id} no longer has the logged hash: the audit trail was rewritten after it was logged"
                )));
            }
            if a.head {
                println!("{head}");
            } else if json {
                println!(
                    "{}",
                    to_json(&serde_json::json!({"ok": true, "events": v.events, "head": head}))
                );
            } else {
                println!("audit trail ok: {} events, head {head}", v.events);
            }
        }
        Command::Doctor | Command::Init(_) => unreachable!("handled before opening the database"),
        Command::Actions(a) => {
            let today = cx.today();
            let incident = a.incident.as_deref().map(parse_id).transpose()?;
            if let Some(id) = incident {
                store.get(id)?; // no such incident is exit 3, not an empty list
            }
            let q = crate::store::ActionQuery {
                incident,
                open_only: a.open,
                overdue_on: a.overdue.then_some(today),
                owner: if a.mine {
                    Some(cx.me().to_string())
                } else {
                    a.owner
                },
            };
            let items = store.actions(&q)?;
            if json {
                let v: Vec<_> = items
                    .iter()
                    .map(|i| output::action_json(i, today))
                    .collect();
                println!("{}", to_json(&v));
            } else {
                print!("{}", output::actions_table(&items, today, term_width()));
            }
        }
        Command::Action(c) => {
            let today = cx.today();
            let item = match c {
                ActionCommand::Add(a) => cx.add_action(
                    parse_id(&a.id)?,
                    &ops::NewAction {
                        description: a.description.join(" "),
                        kind: parse_opt(&a.kind)?,
                        owner: a.owner,
                        due: a.due,
                    },
                )?,
                ActionCommand::Set(a) => {
                    let edits = a
                        .assignments
                        .iter()
                        .map(|s| ops::parse_action_assignment(s))
                        .collect::<Result<Vec<_>>>()?;
                    cx.edit_action(a.id.parse()?, &edits)?
                }
                ActionCommand::Done(a) => cx.action_done(a.id.parse()?)?,
            };
            if json {
                println!("{}", to_json(&output::action_json(&item, today)));
            } else {
                print!(
                    "{}",
                    output::actions_table(std::slice::from_ref(&item), today, term_width())
                );
            }
        }
        Command::Config(_) => unreachable!("handled above"),
    }
    Ok(())
}

fn sanitize_line_keep_newlines(s: &str) -> String {
    crate::text::sanitize(s).into_owned()
}

/// Run a change and print what it did.
fn mutate(
    store: &Store,
    id: IncidentId,
    json: bool,
    f: impl FnOnce() -> Result<crate::domain::Incident>,
) -> Result<()> {
    let before = store.get(id)?;
    let after = f()?;
    if json {
        println!("{}", to_json(&incident_json(&after, None)));
    } else {
        println!("{}", output::changes(&before, &after));
    }
    Ok(())
}
