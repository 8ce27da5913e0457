//! `tally serve`: bind, print `listening on …`, serve until SIGTERM/SIGINT; with
//! `--snapshot-daily`, the daily derived snapshots run beside it and stop at the signal.

use tally_server::auth::JwksSource;
use tally_server::http::listener::ConnectionLimits;
use tally_server::serve::shutdown_signal;
use tally_server::tls::TlsSource;
use tally_server::{ServeConfig, Server};
use tally_store::StoreLimits;

use crate::cli::ServeArgs;

pub fn run(args: ServeArgs) -> anyhow::Result<()> {
    let config = ServeConfig {
        listen: args.listen,
        data_dir: args.store.data_dir,
        public_url: args.public_url,
        body_limit: args.body_limit,
        database_url: args.store.database_url,
        in_memory: args.in_memory,
        rate_limit: args.rate_limit,
        jwks: match (args.jwks_file, args.jwks_url) {
            (Some(path), _) => Some(JwksSource::File(path)),
            (None, Some(url)) => Some(JwksSource::Url(url)),
            (None, None) => None,
        },
        audiences: args.audiences,
        max_in_flight: args.max_in_flight,
        tls: match (args.tls_cert, args.tls_key, args.tls_self_signed) {
            (Some(cert), Some(key), _) => Some(TlsSource::Files { cert, key }),
            (_, _, true) => Some(TlsSource::SelfSigned),
            _ => None,
        },
        connections: ConnectionLimits {
            max_connections: args.max_connections,
            handshake_timeout: args.handshake_timeout,
            header_timeout: args.header_timeout,
            idle_timeout: args.idle_timeout,
            drain_timeout: args.drain_timeout,
        },
        store_limits: StoreLimits {
            query_timeout: args.query_timeout,
            database_timeout: args.database_timeout,
        },
        max_in_list: args.max_in_list,
    };
    let daily = args.snapshot_daily;
    let runtime = tokio::runtime::Runtime::new()?;
    let result = runtime.block_on(async move {
        let server = Server::bind(&config).await?;
        let address = server.local_addr()?;
        println!("listening on {}://{address}", server.scheme());
        if let Some(certificate) = server.tls_certificate() {
            // stderr: stdout's first line is the address, and a reader may stop after it.
            eprintln!("tls certificate: {}", certificate.display());
        }
        tracing::info!(%address, data_dir = %config.data_dir.display(), "serving");
        // The schedule stops when the signal comes (not after the drain), or when `run` returns
        // for any other reason and drops the sender.
        let (stopping, mut stopped) = tokio::sync::watch::channel(());
        let schedule = daily.map(|at| {
            let stop = async move {
                let _ = stopped.changed().await;
            };
            tokio::spawn(crate::snapshots::daily::run(server.store(), at, stop))
        });
        let shutdown = async move {
            shutdown_signal().await;
            let _ = stopping.send(());
        };
        let result = server.run(shutdown).await;
        if let Some(schedule) = schedule {
            schedule.abort();
        }
        result
    });
    // Connections are gone and the store is closed: a read still on the blocking pool (bounded
    // by --query-timeout) answers no one, so the process does not wait for it.
    runtime.shutdown_timeout(std::time::Duration::from_secs(1));
    result
}
