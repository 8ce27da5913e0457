//! Starting the service: open the store and the keys, bind the listener (port 0 picks one), print
//! `listening on …`, serve until SIGTERM or SIGINT, drain in-flight requests, close the store.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use tally_odata::query::FilterOptions;
use tally_store::{Location, Store, StoreLimits};
use tokio::net::TcpListener;

use crate::app::app;
use crate::auth::{Jwks, JwksSource, LocalKey, Verifier};
use crate::http::admission::Admission;
use crate::http::listener::ConnectionLimits;
use crate::paging::PagingKey;
use crate::state::stamped::StampedCache;
use crate::state::AppState;
use crate::throttle::Throttle;
use crate::tls::{Tls, TlsSource};

/// Everything `tally serve` is configured with.
#[derive(Clone, Debug)]
pub struct ServeConfig {
    pub listen: String,
    pub data_dir: PathBuf,
    pub public_url: Option<String>,
    pub body_limit: usize,
    /// `postgres://…`: use PostgreSQL instead of the embedded store.
    pub database_url: Option<String>,
    /// Keep no data on disk (`--in-memory`).
    pub in_memory: bool,
    /// `--rate-limit`: requests per second per tenant and app (burst 2N); None: unlimited.
    pub rate_limit: Option<std::num::NonZeroU32>,
    /// Entra ID's signing keys (`--jwks-file` / `--jwks-url`), trusted besides the local key.
    pub jwks: Option<JwksSource>,
    /// Audiences accepted besides Graph's (`--audience`).
    pub audiences: Vec<String>,
    /// Requests in flight at most; more are answered 503 at once (`--max-in-flight`).
    pub max_in_flight: usize,
    /// HTTPS (`--tls-cert`/`--tls-key` or `--tls-self-signed`); None: plain HTTP.
    pub tls: Option<TlsSource>,
    /// Connection deadlines and the cap on open connections (`--max-connections` and the
    /// `--*-timeout` flags); the cap is lowered to fit the open-files limit.
    pub connections: ConnectionLimits,
    /// The read budget and PostgreSQL's deadlines (`--query-timeout`, `--database-timeout`).
    pub store_limits: StoreLimits,
    /// The most values in one `in` list of `$filter` (`--max-in-list`).
    pub max_in_list: usize,
}

/// A bound, ready server.
pub struct Server {
    listener: TcpListener,
    state: AppState,
    body_limit: usize,
    tls: Option<Tls>,
    connections: ConnectionLimits,
}

/// File descriptors kept free for everything but client connections: the database and its
/// WAL, the readers, PostgreSQL's pool, the JWKS fetch, logs.
const RESERVED_FILES: u64 = 128;

/// `wanted` connections, or fewer so that they fit below the open-files limit (first raised
/// to the hard limit) with [`RESERVED_FILES`] to spare.
fn connection_cap(wanted: usize) -> usize {
    let limit = match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) => limit,
        Err(error) => {
            tracing::warn!(%error, "cannot read the open-files limit");
            return wanted;
        }
    };
    let fits = usize::try_from(limit.saturating_sub(RESERVED_FILES).max(16)).unwrap_or(usize::MAX);
    if fits < wanted {
        tracing::warn!(
            wanted,
            open_files_limit = limit,
            max_connections = fits,
            "--max-connections lowered to fit the open-files limit"
        );
    }
    wanted.min(fits)
}

impl Server {
    /// Opens the store and keys and binds the listener; nothing is served yet.
    pub async fn bind(config: &ServeConfig) -> anyhow::Result<Self> {
        let key = LocalKey::load_or_create(&config.data_dir)?;
        let jwks = match &config.jwks {
            Some(source) => Some(
                Jwks::load(source.clone())
                    .await
                    .context("loading the JWKS")?,
            ),
            None => None,
        };
        let paging = PagingKey::derive(&key.secret);
        let tls = match &config.tls {
            Some(source) => Some(Tls::load(source, &config.data_dir)?),
            None => None,
        };
        let location = Location::from_flags(
            config.database_url.as_deref(),
            config.in_memory,
            &config.data_dir,
        );
        let store = Store::open(location, config.store_limits)
            .await
            .with_context(|| format!("opening the store ({location})"))?;
        let listener = TcpListener::bind(&config.listen)
            .await
            .with_context(|| format!("binding {}", config.listen))?;
        let state = AppState {
            store: Arc::new(store),
            verifier: Arc::new(Verifier::with_entra(key, jwks, config.audiences.clone())),
            paging,
            public_url: config
                .public_url
                .as_ref()
                .map(|url| Arc::from(url.trim_end_matches('/'))),
            scheme: if tls.is_some() { "https" } else { "http" },
            admission: Admission::new(config.max_in_flight),
            insights: Arc::new(StampedCache::new(config.store_limits.query_timeout)),
            holders: Arc::new(StampedCache::new(config.store_limits.query_timeout)),
            filter_options: FilterOptions::with_max_in_list(config.max_in_list),
            throttle: config
                .rate_limit
                .map(|limit| Arc::new(Throttle::new(limit))),
        };
        Ok(Self {
            listener,
            state,
            body_limit: config.body_limit,
            tls,
            connections: ConnectionLimits {
                max_connections: connection_cap(config.connections.max_connections),
                ..config.connections
            },
        })
    }

    pub fn local_addr(&self) -> anyhow::Result<SocketAddr> {
        Ok(self.listener.local_addr()?)
    }

    /// `http` or `https`.
    pub fn scheme(&self) -> &'static str {
        self.state.scheme
    }

    /// The store the server serves, for work beside the requests (`tally serve
    /// --snapshot-daily`); [`Server::run`] closes it when it returns.
    pub fn store(&self) -> Arc<Store> {
        self.state.store.clone()
    }

    /// The certificate file served over HTTPS (the one to trust, when self-signed).
    pub fn tls_certificate(&self) -> Option<&std::path::Path> {
        self.tls.as_ref().map(|tls| tls.certificate.as_path())
    }

    /// Serves until `shutdown` completes, then drains in-flight requests and closes the store,
    /// so that every acknowledged write is committed and nothing half-done is acknowledged.
    pub async fn run(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let store = self.state.store.clone();
        let router = app(self.state, self.body_limit).layer(tower::util::MapRequestLayer::new(
            crate::http::listener::host_from_authority::<axum::body::Body>,
        ));
        let tls = self.tls.map(|tls| tls.config);
        crate::http::listener::serve(self.listener, router, tls, self.connections, shutdown)
            .await?;
        tokio::task::spawn_blocking(move || store.shutdown()).await?;
        Ok(())
    }
}

/// Completes on SIGTERM or SIGINT.
pub async fn shutdown_signal() {
    let interrupt = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for SIGINT");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: draining in-flight requests");
}
