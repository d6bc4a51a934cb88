//! One module per subcommand. [`run`] opens what a command needs and hands
//! it over; each module reads top to bottom.

mod ack;
mod actions;
mod alerts;
mod assign;
mod bulk;
mod cancel;
mod close;
mod completions;
mod config;
mod demo;
mod doctor;
mod export;
mod ingest;
mod init;
mod link;
mod list;
mod maintenance;
mod man;
mod merge;
mod migrate;
mod new;
mod note;
mod notify_test;
mod oncall;
mod postmortem;
mod reopen;
mod report;
mod report_review;
mod resolve;
mod respond;
mod route;
mod run;
mod search;
mod serve;
mod set;
mod show;
mod status;
mod verify;

use super::{Cli, Command};
use crate::clock::SystemClock;
use crate::config::{Config, Locations};
use crate::error::Result;
use crate::ops::Ctx;
use crate::store::Store;

/// What every command that works on incidents gets.
pub(super) struct Env<'a> {
    pub cx: Ctx<'a>,
    pub json: bool,
}

impl Env<'_> {
    pub fn store(&self) -> &Store {
        self.cx.store
    }
}

pub fn run(cli: Cli) -> Result<()> {
    let loc = Locations {
        config_flag: cli.config.clone(),
        db_flag: cli.db.clone(),
    };
    if let Some(db) = &cli.db
        && crate::store::locator::is_postgres(db)
        && crate::store::locator::has_password(&db.to_string_lossy())
    {
        return Err(crate::error::Error::Usage(format!(
            "--db {} holds a password, and every user on this host can read command lines (ps): put the password in PGPASSWORD or ~/.pgpass (mode 0600) and leave it out of --db",
            crate::store::locator::shown(db)
        )));
    }
    let config = Config::load(&loc)?;
    crate::store::use_password_file(config.database_password_file.clone());
    let Some(command) = cli.command else {
        return crate::tui::run(config);
    };
    let json = cli.json;
    // Commands that must not open (and so create or migrate) the database.
    match command {
        Command::Doctor => doctor::run(&config.database, json),
        Command::Init(a) => init::run(&a, &config.database, json),
        Command::Migrate(a) => migrate::run(&a, json),
        Command::Config(c) => config::run(&config, &c, json),
        Command::Route(c) => route::run(&config, &c, json),
        Command::Completions(a) => completions::run(&a),
        Command::Man(a) => man::run(&a),
        // Opens a database per worker thread itself.
        Command::Serve(a) => serve::run(config, &a),
        command => {
            let fresh = command.creates()
                && !crate::store::locator::is_postgres(&config.database)
                && !config.database.exists();
            let store = Store::open_for_user(&config.database, command.creates())?;
            if fresh && config.database.is_file() {
                // A mistyped --db must not pass for the team's database.
                let at = std::fs::canonicalize(&config.database)
                    .unwrap_or_else(|_| config.database.clone());
                eprintln!(
                    "sev: created a new database at {} (there was none: if you meant the team's, check --db, SEV_DB or database = in the config)",
                    crate::text::sanitize_line(&at.display().to_string())
                );
            }
            let env = Env {
                cx: Ctx {
                    store: &store,
                    config: &config,
                    actor: crate::identity::current_actor(),
                    clock: &SystemClock,
                },
                json,
            };
            on_incidents(&env, command)
        }
    }
}

fn on_incidents(env: &Env<'_>, command: Command) -> Result<()> {
    match command {
        Command::New(a) => new::run(env, a),
        Command::List(a) => list::run(env, a),
        Command::Search(a) => search::run(env, a),
        Command::Show(a) => show::run(env, &a),
        Command::Ack(a) => ack::run(env, &a),
        Command::Status(a) => status::run(env, a),
        Command::Set(a) => set::run(env, &a),
        Command::Assign(a) => assign::run(env, a),
        Command::Merge(a) => merge::run(env, &a),
        Command::Link(a) => link::run(env, &a),
        Command::Note(a) => note::run(env, &a),
        Command::Resolve(a) => resolve::run(env, &a),
        Command::Close(a) => close::run(env, &a),
        Command::Reopen(a) => reopen::run(env, &a),
        Command::Cancel(a) => cancel::run(env, &a),
        Command::Demo(a) => demo::run(env, a),
        Command::Postmortem(a) => postmortem::run(env, a),
        Command::Export(a) => export::run(env, a),
        Command::Report(a) => report::run(env, a),
        Command::Verify(a) => verify::run(env, &a),
        Command::Actions(a) => actions::list(env, a),
        Command::Action(c) => actions::change(env, c),
        Command::Ingest(a) => ingest::run(env, &a),
        Command::Alerts(a) => alerts::run(env, &a),
        Command::Maintenance(c) => maintenance::run(env, c),
        Command::Update(a) => respond::update(env, &a),
        Command::Outbox(a) => respond::outbox(env, &a),
        Command::Me(c) => respond::me(env, &c),
        Command::Oncall(a) => oncall::run(env, a),
        Command::Notify(c) => notify_test::run(env, &c),
        Command::Run(a) => run::run(env, &a),
        Command::Doctor
        | Command::Init(_)
        | Command::Config(_)
        | Command::Route(_)
        | Command::Completions(_)
        | Command::Man(_)
        | Command::Serve(_)
        | Command::Migrate(_) => unreachable!("handled before opening the database"),
    }
}
