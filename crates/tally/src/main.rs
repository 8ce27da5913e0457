//! The `tally` command: `serve` runs the service, `token` mints a bearer token, `dashboard`
//! prints a link to the dashboard.

mod cli;
mod commands;

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = cli::Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("TALLY_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let result = match cli.command {
        cli::Command::Serve(args) => commands::serve::run(args),
        cli::Command::Token(args) => commands::token::run(args),
        cli::Command::Dashboard(args) => commands::dashboard::run(args),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("tally: {error:#}");
            std::process::ExitCode::FAILURE
        }
        cli::Command::Import(args) => commands::import::run(args),
        cli::Command::Export(args) => commands::export::run(args),
    }
}
