//! `branchpulse-server`: parses the command line and runs the server, or
//! one of its maintenance commands.

use branchpulse_server::auth::first_run;
use branchpulse_server::maintenance::migrate;
use branchpulse_server::store::Store;
use branchpulse_server::{config::Config, serve};
use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(name = "branchpulse-server", version, about)]
struct Cli {
    #[command(flatten)]
    config: Config,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Copy every response of a SQLite database into PostgreSQL, then check
    /// that both hold the same rows (counts and per-table checksums).
    /// Safe to run again: rows already copied are skipped.
    MigrateSqliteToPostgres {
        /// The SQLite database, e.g. sqlite://data/branchpulse.db
        #[arg(long)]
        from: String,
        /// The PostgreSQL database, e.g. postgres://user@host/branchpulse
        #[arg(long)]
        to: String,
    },
    /// Give an account a new generated password (printed once), end its
    /// sessions and lift its sign-in lock: for a lost admin password.
    ResetPassword {
        /// The account's user name, e.g. admin
        username: String,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    branchpulse_server::init_logging(cli.config.log_format);
    let result = match cli.command {
        None => serve(cli.config).await.map_err(|e| e.to_string()),
        Some(Command::MigrateSqliteToPostgres { from, to }) => {
            match migrate::sqlite_to_postgres(&from, &to).await {
                Ok(report) => {
                    println!("{report}");
                    Ok(())
                }
                Err(e) => Err(e.to_string()),
            }
        }
        Some(Command::ResetPassword { username }) => {
            reset_password(&cli.config.database_url, &username).await
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("branchpulse-server: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn reset_password(database_url: &str, username: &str) -> Result<(), String> {
    let store = Store::connect(database_url)
        .await
        .map_err(|e| e.to_string())?;
    let result = first_run::reset_password(&store, username).await;
    store.close().await;
    let reset = result.map_err(|e| e.to_string())?;
    let title = if reset.reactivated {
        format!(
            "New password for \"{username}\"; its sessions have ended. \
             The account was deactivated and is active again."
        )
    } else {
        format!("New password for \"{username}\"; its sessions have ended.")
    };
    first_run::print_password(&title, username, &reset.password);
    Ok(())
}
