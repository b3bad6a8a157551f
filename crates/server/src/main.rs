//! `branchpulse-server`: parses the configuration and runs the server.

use branchpulse_server::{config::Config, serve};
use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let config = Config::parse();
    branchpulse_server::init_logging();
    match serve(config).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("branchpulse-server: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
