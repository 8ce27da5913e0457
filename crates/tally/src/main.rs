//! The `tally` command: `serve` runs the service, `token` mints a bearer token, `dashboard`
//! prints a link to the dashboard.

mod cli;
mod commands;
mod config;
mod snapshots;

/// mimalloc rather than glibc's malloc: 10% less CPU per report page (its 64 KiB response
/// buffers made glibc consolidate its free lists on every request), for about 8 MiB more
/// resident memory (ARCHITECTURE.md, Performance).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    // Flags, then TALLY_* variables, then `serve --config FILE`, then the defaults.
    let cli = match config::parse() {
        Ok(cli) => cli,
        Err(error) => {
            eprintln!("tally: {error:#}");
            return std::process::ExitCode::from(2);
        }
    };
    init_logging(cli.log_format);
    let result = match cli.command {
        cli::Command::Serve(args) => commands::serve::run(args),
        cli::Command::Token(args) => commands::token::run(args),
        cli::Command::Dashboard(args) => commands::dashboard::run(args),
        cli::Command::Import(args) => commands::import::run(args),
        cli::Command::Snapshot(args) => commands::snapshot::run(args),
        cli::Command::Export(args) => commands::export::run(args),
        cli::Command::App(args) => commands::app::run(args),
        cli::Command::Collect(args) => commands::collect::run(args),
        cli::Command::Price(args) => commands::price::run(args),
        cli::Command::Alert(args) => commands::alert::run(args),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("tally: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// Logs on stderr, filtered by `TALLY_LOG` (default `info`), as text or as one JSON object a
/// line; each request's events carry its span (request-id, method, path).
fn init_logging(format: cli::LogFormat) {
    let builder = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("TALLY_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        // Colours only for a terminal: escape codes in a log file or a collector are noise (and
        // formatting them was a visible share of each request's span).
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    match format {
        cli::LogFormat::Text => builder.init(),
        cli::LogFormat::Json => builder
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .init(),
    }
}
