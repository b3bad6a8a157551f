//! `branchpulse-server`: parses the command line and runs the server, or
//! one of its maintenance commands.

use branchpulse_server::{config::Config, migrate, serve};
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
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    branchpulse_server::init_logging();
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
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("branchpulse-server: {e}");
            ExitCode::FAILURE
        }
    }
}
