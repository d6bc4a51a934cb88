//! The command line: clap subcommands, each a thin call into `ops`/`store`.

mod output;

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
use clap::{Args, Parser, Subcommand};
use std::io::{IsTerminal, Read};
use std::path::PathBuf;

const AFTER_HELP: &str = "\
Exit codes: 0 ok, 2 usage or validation error, 3 not found, 4 conflict, 5 database unavailable,
6 a check failed (sev verify, sev doctor).
Environment: SEV_DB (database file), SEV_CONFIG (config file), VISUAL/EDITOR, NO_COLOR.";

#[derive(Parser, Debug)]
#[command(
    name = "sev",
    version,
    about = "Incident management in the terminal. With no command, opens the TUI.",
    after_help = AFTER_HELP
)]
pub struct Cli {
    /// Database file (default: $XDG_DATA_HOME/sev/sev.db; env SEV_DB)
    #[arg(long, global = true, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Config file (default: $XDG_CONFIG_HOME/sev/config.toml; env SEV_CONFIG)
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Print machine-readable JSON instead of text
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Log a new incident and print its reference (INC-42)
    New(NewArgs),
    /// List incidents (default: open ones, by priority then newest)
    #[command(alias = "ls")]
    List(ListArgs),
    /// Fuzzy search like the TUI's `/`: best matches first
    Search(SearchArgs),
    /// Show one incident with its whole timeline
    Show(IdArg),
    /// Acknowledge: you have it (assigns you if nobody is assigned)
    Ack(IdArg),
    /// Move an incident to another state (triage, acknowledged, investigating, mitigated, resolved, closed, cancelled)
    Status(StatusArgs),
    /// Change fields: sev set 42 severity=SEV1 impact=high assignee=alice
    Set(SetArgs),
    /// Assign an incident to a user (yourself when USER is omitted)
    Assign(AssignArgs),
    /// Add a note to the timeline (text from arguments, stdin, or $EDITOR)
    Note(NoteArgs),
    /// Resolve: impact is over (needs a summary of what fixed it)
    Resolve(ResolveArgs),
    /// Close a resolved incident
    Close(IdArg),
    /// Reopen a resolved, closed or cancelled incident
    Reopen(IdArg),
    /// Cancel an open incident that is not one (needs a reason)
    Cancel(CancelArgs),
    /// Export a postmortem (Markdown or JSON), or edit it: --section, --owner, --status
    #[command(alias = "pm")]
    Postmortem(PostmortemArgs),
    /// List action items across incidents
    Actions(ActionsArgs),
    /// Add, change or finish an action item
    #[command(subcommand)]
    Action(ActionCommand),
    /// Check the tamper-evident hash chain of the audit trail
    Verify(VerifyArgs),
    /// Check permissions, filesystem, schema, integrity and the audit trail; print fixes
    Doctor,
    /// Set up a database shared by a Unix group (setgid directory, 0660 file)
    Init(InitArgs),
    /// Fill a database with realistic sample incidents
    Demo(DemoArgs),
    /// Check or print the configuration
    #[command(subcommand)]
    Config(ConfigCommand),
}

#[derive(Args, Debug)]
pub struct IdArg {
    /// Incident: 42 or INC-42
    pub id: String,
}

#[derive(Args, Debug)]
pub struct NewArgs {
    /// What is broken (words are joined)
    #[arg(required = true, num_args = 1..)]
    pub title: Vec<String>,
    #[arg(short, long)]
    pub description: Option<String>,
    /// incident, near-miss or security
    #[arg(long)]
    pub kind: Option<String>,
    /// SEV1 (critical) … SEV5 (cosmetic)
    #[arg(short, long)]
    pub severity: Option<String>,
    /// high, medium or low
    #[arg(long)]
    pub impact: Option<String>,
    /// high, medium or low
    #[arg(long)]
    pub urgency: Option<String>,
    #[arg(long)]
    pub service: Option<String>,
    #[arg(long)]
    pub category: Option<String>,
    /// A tag (repeatable, or comma-separated)
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,
    #[arg(long)]
    pub assignee: Option<String>,
}

#[derive(Args, Debug)]
pub struct ListArgs {
    /// Include resolved, closed and cancelled incidents
    #[arg(short, long)]
    pub all: bool,
    #[arg(long)]
    pub status: Option<String>,
    #[arg(long)]
    pub severity: Option<String>,
    #[arg(long)]
    pub priority: Option<String>,
    #[arg(long)]
    pub service: Option<String>,
    #[arg(long, conflicts_with = "mine")]
    pub assignee: Option<String>,
    /// Only incidents assigned to you
    #[arg(long)]
    pub mine: bool,
    /// Text in the reference, title, service or description
    #[arg(long)]
    pub search: Option<String>,
    /// At most this many rows (default 50; 0 = no limit)
    #[arg(short = 'n', long, default_value_t = 50)]
    pub limit: usize,
}

#[derive(Args, Debug)]
pub struct SearchArgs {
    /// What to look for (words are joined): fuzzy over titles, plus service,
    /// reference and description words
    #[arg(required = true, num_args = 1..)]
    pub query: Vec<String>,
    /// Only open incidents
    #[arg(long)]
    pub open: bool,
    /// At most this many rows (default 20; 0 = all matches)
    #[arg(short = 'n', long, default_value_t = 20)]
    pub limit: usize,
}

#[derive(Args, Debug)]
pub struct StatusArgs {
    pub id: String,
    pub state: String,
    /// Resolution summary (when moving to resolved)
    #[arg(long)]
    pub summary: Option<String>,
    /// Reason (when moving to cancelled)
    #[arg(long)]
    pub reason: Option<String>,
}

#[derive(Args, Debug)]
pub struct SetArgs {
    pub id: String,
    /// field=value pairs; fields: title, description, kind, severity, impact, urgency,
    /// category, service, tags, assignee, commander, scribe, comms (value - clears)
    #[arg(required = true, num_args = 1..)]
    pub assignments: Vec<String>,
    /// Refuse (exit 4) unless the incident is still at this version
    #[arg(long, value_name = "N")]
    pub if_version: Option<i64>,
}

#[derive(Args, Debug)]
pub struct AssignArgs {
    pub id: String,
    pub user: Option<String>,
}

#[derive(Args, Debug)]
pub struct NoteArgs {
    pub id: String,
    /// The note (words are joined). Without it: read stdin, or open $EDITOR on a terminal.
    pub text: Vec<String>,
}

#[derive(Args, Debug)]
pub struct ResolveArgs {
    pub id: String,
    /// What fixed it
    #[arg(short, long)]
    pub summary: String,
}

#[derive(Args, Debug)]
pub struct CancelArgs {
    pub id: String,
    /// Why this is not an incident
    #[arg(short, long)]
    pub reason: String,
}

#[derive(Args, Debug)]
pub struct PostmortemArgs {
    /// Incident: 42 or INC-42
    pub id: String,
    /// Export format
    #[arg(long, value_parser = ["md", "json"], default_value = "md")]
    pub format: String,
    /// Write the export to this file instead of stdout
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Write a section (summary, impact, detection, trigger, root-cause, resolution,
    /// contributing-factors, five-whys, went-well, went-wrong, lucky, data-exposure,
    /// disclosure, lessons, links); text from --text, stdin, or $EDITOR on a terminal
    #[arg(long, value_name = "SECTION")]
    pub section: Option<String>,
    /// The section's text (with --section)
    #[arg(long, requires = "section")]
    pub text: Option<String>,
    /// Set the postmortem owner (- clears)
    #[arg(long, value_name = "USER")]
    pub owner: Option<String>,
    /// draft, in-review or published
    #[arg(long)]
    pub status: Option<String>,
}

#[derive(Args, Debug)]
pub struct ActionsArgs {
    /// Only open and in-progress items
    #[arg(long)]
    pub open: bool,
    /// Only open items past their due date
    #[arg(long)]
    pub overdue: bool,
    #[arg(long, conflicts_with = "mine")]
    pub owner: Option<String>,
    /// Only items you own
    #[arg(long)]
    pub mine: bool,
    /// Only this incident's items
    #[arg(long, value_name = "ID")]
    pub incident: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum ActionCommand {
    /// Add an action item to an incident: sev action add 42 Add a canary --owner bob --due +14d
    Add(ActionAddArgs),
    /// Change an action item: sev action set ACT-7 owner=carol due=2026-12-01 status=in-progress
    Set(ActionSetArgs),
    /// Mark an action item done
    Done(ActionIdArg),
}

#[derive(Args, Debug)]
pub struct ActionAddArgs {
    /// Incident: 42 or INC-42
    pub id: String,
    /// What will be done (words are joined)
    #[arg(required = true, num_args = 1..)]
    pub description: Vec<String>,
    /// mitigate, prevent, detect or process (default prevent)
    #[arg(long = "type", value_name = "TYPE")]
    pub kind: Option<String>,
    #[arg(long)]
    pub owner: Option<String>,
    /// 2026-12-01, +7d, +2w, today, tomorrow
    #[arg(long)]
    pub due: Option<String>,
}

#[derive(Args, Debug)]
pub struct ActionSetArgs {
    /// ACT-7 or 7
    pub id: String,
    /// field=value: description, type, owner, due, status (open, in-progress, done, wont-do)
    #[arg(required = true, num_args = 1..)]
    pub assignments: Vec<String>,
}

#[derive(Args, Debug)]
pub struct ActionIdArg {
    /// ACT-7 or 7
    pub id: String,
}

#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// Print only the current chain head (ID:HASH), to log outside the database
    #[arg(long, conflicts_with = "expect")]
    pub head: bool,
    /// Also check that a head logged earlier (ID:HASH) is still there, unchanged
    #[arg(long, value_name = "ID:HASH")]
    pub expect: Option<String>,
}

#[derive(Args, Debug)]
pub struct InitArgs {
    /// Directory for the shared database (created if missing), e.g. /srv/sev
    #[arg(long, value_name = "DIR")]
    pub shared: PathBuf,
    /// The Unix group whose members may use it
    #[arg(long)]
    pub group: String,
}

#[derive(Args, Debug)]
pub struct DemoArgs {
    /// How many incidents (100000 makes a large one for benchmarks)
    #[arg(long, default_value_t = 300)]
    pub count: usize,
    /// Add to a database that already has incidents
    #[arg(long)]
    pub append: bool,
    /// Random seed (same seed, same data)
    #[arg(long, default_value_t = 2026)]
    pub seed: u64,
}

#[derive(Subcommand, Debug)]
pub enum ConfigCommand {
    /// Validate every config layer; report problems with file:line:column
    Check,
    /// Print the effective configuration as TOML
    Show,
}

/// Run the CLI; returns the process exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() {
                exit::USAGE
            } else {
                exit::OK
            };
            let _ = e.print();
            return code;
        }
    };
    match run(cli) {
        Ok(()) => exit::OK,
        Err(e) => {
            eprintln!("sev: {}", sanitize_line(&e.to_string()));
            e.exit_code()
        }
    }
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
        Command::Doctor => return doctor(&config.database, cli.json),
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
                    db.display(),
                    sanitize_line(&a.group)
                );
                println!(
                    "Tell every user's sev about it, once, in {}:",
                    crate::config::SYSTEM_CONFIG
                );
                println!(
                    "  database = {}",
                    toml::Value::String(db.display().to_string())
                );
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
    let store = Store::open_for_user(&config.database)?;
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
            let rows = store.list(&q)?;
            if json {
                let v: Vec<_> = rows.iter().map(|i| incident_json(i, None)).collect();
                println!("{}", to_json(&v));
            } else {
                print!("{}", output::table(&rows, clock.now(), term_width()));
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
        }
        Command::Search(a) => {
            let scope = if a.open { Scope::Open } else { Scope::All };
            let rows = store.search_rows(&ListQuery {
                scope,
                ..Default::default()
            })?;
            let corpus = crate::app::search::Corpus::new(rows);
            let hits = crate::app::search::rank(&corpus, &a.query.join(" "), None);
            let take = if a.limit == 0 {
                hits.len()
            } else {
                a.limit.min(hits.len())
            };
            let ids: Vec<IncidentId> = hits[..take]
                .iter()
                .map(|(i, _)| corpus.ids[*i as usize])
                .collect();
            let found = store.get_many(&ids)?;
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
        Command::Demo(a) => demo(&store, &clock, a, json)?,
        Command::Postmortem(a) => postmortem(&cx, a)?,
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
            let q = crate::store::ActionQuery {
                incident: a.incident.as_deref().map(parse_id).transpose()?,
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

fn doctor(db: &std::path::Path, json: bool) -> Result<()> {
    use crate::admin::Level;
    let findings = crate::admin::doctor(db);
    if json {
        println!("{}", to_json(&findings));
    } else {
        for f in &findings {
            let tag = match f.level {
                Level::Ok => "ok  ",
                Level::Warn => "WARN",
                Level::Fail => "FAIL",
            };
            println!("{tag} {:<14} {}", f.check, sanitize_line(&f.detail));
            if let Some(fix) = &f.fix {
                println!("     {:<14} fix: {}", "", sanitize_line(fix));
            }
        }
    }
    let bad = findings.iter().filter(|f| f.level != Level::Ok).count();
    if bad > 0 {
        return Err(Error::Check(format!(
            "sev doctor found {bad} problem(s) with {}: run the fixes above",
            db.display()
        )));
    }
    Ok(())
}

fn postmortem(cx: &Ctx<'_>, a: PostmortemArgs) -> Result<()> {
    let id = parse_id(&a.id)?;
    let editing = a.section.is_some() || a.owner.is_some() || a.status.is_some();
    if editing {
        if let Some(sec) = &a.section {
            let section = crate::domain::parse_section(sec)?;
            let text = match a.text {
                Some(t) => t,
                None if std::io::stdin().is_terminal() => {
                    let current = cx
                        .store
                        .postmortem(id)?
                        .and_then(|p| p.text(section.key).map(str::to_string));
                    crate::editor::edit(&current.unwrap_or_default(), ".md")?.ok_or_else(|| {
                        Error::Usage("the editor exited with an error; nothing was changed".into())
                    })?
                }
                None => {
                    let mut s = String::new();
                    std::io::stdin().read_to_string(&mut s).map_err(|e| {
                        Error::Usage(format!("cannot read the section from stdin: {e}"))
                    })?;
                    s
                }
            };
            cx.set_section(id, section.key, &text)?;
            println!("{id}: postmortem section {} saved", section.key);
        }
        if let Some(o) = &a.owner {
            cx.set_pm_owner(id, o)?;
            println!("{id}: postmortem owner {}", sanitize_line(o));
        }
        if let Some(s) = &a.status {
            let st = s.parse::<crate::domain::PmStatus>()?;
            cx.set_pm_status(id, st)?;
            println!("{id}: postmortem {st}");
        }
        return Ok(());
    }
    let view = cx.postmortem_view(id)?;
    let out = if a.format == "json" {
        crate::export::json(&view, cx.config)
    } else {
        crate::export::markdown(&view, cx.config)?
    };
    match a.output {
        Some(path) => {
            std::fs::write(&path, out).map_err(|e| {
                Error::Usage(format!(
                    "cannot write {}: {e} (choose another --output path)",
                    path.display()
                ))
            })?;
            println!("{id}: postmortem written to {}", path.display());
        }
        None => print!("{out}"),
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

fn demo(store: &Store, clock: &dyn Clock, a: DemoArgs, json: bool) -> Result<()> {
    let existing = store.count(&ListQuery {
        scope: Scope::All,
        ..Default::default()
    })?;
    if existing > 0 && !a.append {
        return Err(Error::Usage(format!(
            "{} already has {existing} incidents: pass --append to add more, or --db NEW_PATH for a fresh demo database",
            store.path().display()
        )));
    }
    let generator = crate::demo::Generator::new(a.count, a.seed, clock.now());
    let show_bar = a.count >= 5000 && std::io::stderr().is_terminal();
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(a.count as u64),
        if show_bar {
            indicatif::ProgressDrawTarget::stderr()
        } else {
            indicatif::ProgressDrawTarget::hidden()
        },
    );
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{msg} [{bar:40}] {pos}/{len} ({per_sec}, {eta} left)",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message("generating incidents");
    let mut batch = Vec::with_capacity(2000);
    let start = std::time::Instant::now();
    for item in generator {
        batch.push(item);
        if batch.len() == 2000 {
            store.insert_batch(&batch)?;
            bar.inc(batch.len() as u64);
            batch.clear();
        }
    }
    store.insert_batch(&batch)?;
    bar.inc(batch.len() as u64);
    bar.finish_and_clear();
    let secs = start.elapsed().as_secs_f64();
    if json {
        println!(
            "{}",
            to_json(
                &serde_json::json!({"created": a.count, "database": store.path(), "seconds": secs})
            )
        );
    } else {
        println!(
            "created {} demo incidents in {} ({:.1}s) — open it with: sev --db {}",
            a.count,
            store.path().display(),
            secs,
            store.path().display()
        );
    }
    Ok(())
}
