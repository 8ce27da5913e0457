//! The accept loop for plain HTTP and HTTPS alike: HTTP/1.1 and HTTP/2 (by ALPN over TLS), and
//! the deadlines that keep a client from holding a connection it does not use:
//!
//! - a cap on open connections ([`ConnectionLimits::max_connections`], below the process's
//!   open-files limit): past it a new connection is closed at once;
//! - the TLS handshake within `handshake_timeout`;
//! - the first request's headers within `header_timeout` of the connection's start (whatever the
//!   protocol: a silent TCP connection, an HTTP/2 preface alone, a TLS session gone quiet), and
//!   HTTP/1's headers within it (hyper's `header_read_timeout`, also between keep-alive requests);
//! - no request in flight for `idle_timeout`: the connection is closed (HTTP/2's GOAWAY);
//! - HTTP/2 PINGs while requests run, and a peer that does not answer them is dropped;
//! - on shutdown, every connection is asked to finish (GOAWAY, `Connection: close`) and is
//!   dropped at `drain_timeout` whatever the client does, so the process always ends.
//!
//! A connection asked to close (idle, or shutdown) that has not closed by itself within its grace
//! is dropped: hyper's graceful close of HTTP/2 waits for the client's PING answer.

use std::future::Future;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::http::{header, HeaderValue, Request, Uri};
use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Semaphore};
use tokio::time::Instant;
use tokio_rustls::TlsAcceptor;

/// The connection-level limits (`tally serve` flags).
#[derive(Clone, Copy, Debug)]
pub struct ConnectionLimits {
    /// Open connections at most; more are closed as soon as accepted.
    pub max_connections: usize,
    /// A client that has not finished its TLS handshake by then is dropped.
    pub handshake_timeout: Duration,
    /// A request's headers (the first one's counted from the connection's start) must arrive
    /// within this.
    pub header_timeout: Duration,
    /// A connection with no request in flight for this long is closed.
    pub idle_timeout: Duration,
    /// On shutdown, connections still open after this are dropped.
    pub drain_timeout: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self {
            max_connections: 4096,
            handshake_timeout: Duration::from_secs(10),
            header_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(30),
            drain_timeout: Duration::from_secs(10),
        }
    }
}

/// How long a connection asked to close (idle) may take to do so before it is dropped.
const CLOSE_GRACE: Duration = Duration::from_secs(2);

/// HTTP/2 carries the host in `:authority`, which hyper puts in the URI rather than in a Host
/// header; absolute URLs (nextLink, Location) are built from Host, so it is filled in here.
pub fn host_from_authority<B>(mut request: Request<B>) -> Request<B> {
    if !request.headers().contains_key(header::HOST) {
        let authority = request
            .uri()
            .authority()
            .map(|authority| authority.as_str());
        if let Some(value) = authority.and_then(|text| HeaderValue::from_str(text).ok()) {
            request.headers_mut().insert(header::HOST, value);
        }
    }
    request
}

/// API versions compare case-insensitively (as in `$batch` URLs and on Graph): `/V1.0/…` and
/// `/Beta/…` are routed as `/v1.0/…` and `/beta/…`.
pub fn canonical_version<B>(mut request: Request<B>) -> Request<B> {
    let path = request.uri().path();
    let first = path
        .strip_prefix('/')
        .map(|rest| rest.split('/').next().unwrap_or(""))
        .unwrap_or("");
    let canonical = if first.eq_ignore_ascii_case("v1.0") {
        "v1.0"
    } else if first.eq_ignore_ascii_case("beta") {
        "beta"
    } else {
        return request;
    };
    if first == canonical {
        return request;
    }
    let rest = &path[1 + first.len()..];
    let path_and_query = match request.uri().query() {
        Some(query) => format!("/{canonical}{rest}?{query}"),
        None => format!("/{canonical}{rest}"),
    };
    let mut parts = request.uri().clone().into_parts();
    if let Ok(path_and_query) = path_and_query.parse() {
        parts.path_and_query = Some(path_and_query);
        if let Ok(uri) = Uri::from_parts(parts) {
            *request.uri_mut() = uri;
        }
    }
    request
}

/// What one connection is doing: requests in flight, how many it has had, and when the last
/// one ended (or the connection started).
struct Activity {
    epoch: Instant,
    in_flight: AtomicUsize,
    requests: AtomicU64,
    /// Milliseconds since `epoch` at the last request's end.
    last: AtomicU64,
}

impl Activity {
    fn new() -> Self {
        Self {
            epoch: Instant::now(),
            in_flight: AtomicUsize::new(0),
            requests: AtomicU64::new(0),
            last: AtomicU64::new(0),
        }
    }

    fn start(self: &Arc<Self>) -> InFlight {
        self.in_flight.fetch_add(1, Ordering::Relaxed);
        self.requests.fetch_add(1, Ordering::Relaxed);
        InFlight(self.clone())
    }

    /// When the connection counts as idle if nothing happens before.
    fn idle_at(&self, limits: &ConnectionLimits) -> Instant {
        if self.in_flight.load(Ordering::Relaxed) > 0 {
            return Instant::now() + limits.idle_timeout;
        }
        let limit = if self.requests.load(Ordering::Relaxed) == 0 {
            limits.header_timeout
        } else {
            limits.idle_timeout
        };
        self.epoch + Duration::from_millis(self.last.load(Ordering::Relaxed)) + limit
    }
}

/// One request in flight; its end is the connection's latest activity.
struct InFlight(Arc<Activity>);

impl Drop for InFlight {
    fn drop(&mut self) {
        let elapsed = u64::try_from(self.0.epoch.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.0.last.store(elapsed, Ordering::Relaxed);
        self.0.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Serves `router` until `shutdown` completes (over TLS when `tls` is given), then stops
/// accepting, asks every connection to finish, and returns when they have, or at the drain
/// deadline.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    tls: Option<Arc<rustls::ServerConfig>>,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let acceptor = tls.map(TlsAcceptor::from);
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    builder
        .http2()
        .timer(TokioTimer::new())
        .keep_alive_interval(Some((limits.idle_timeout / 2).max(Duration::from_secs(1))))
        .keep_alive_timeout(limits.header_timeout);
    let max = limits.max_connections.max(1);
    let slots = Arc::new(Semaphore::new(max));
    let (stop, stopped) = watch::channel(false);
    let mut last_refusal_logged: Option<Instant> = None;
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(error) => {
                    // Out of file descriptors and the like: back off rather than spin.
                    tracing::warn!(%error, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Ok(permit) = slots.clone().try_acquire_owned() else {
            if last_refusal_logged.is_none_or(|at| at.elapsed() > Duration::from_secs(10)) {
                tracing::warn!(
                    max_connections = max,
                    "connection limit reached: closing new connections at once"
                );
                last_refusal_logged = Some(Instant::now());
            }
            drop(stream);
            continue;
        };
        stream.set_nodelay(true).ok();
        let (acceptor, builder, router) = (acceptor.clone(), builder.clone(), router.clone());
        let stopped = stopped.clone();
        tokio::spawn(async move {
            let _permit = permit;
            let result = match acceptor {
                Some(acceptor) => {
                    let Some(stream) =
                        handshake(&acceptor, stream, peer, limits.handshake_timeout).await
                    else {
                        return;
                    };
                    drive(&builder, stream, router, &limits, stopped).await
                }
                None => drive(&builder, stream, router, &limits, stopped).await,
            };
            if let Err(error) = result {
                tracing::debug!(%peer, %error, "connection closed with an error");
            }
        });
    }
    drop(listener);
    stop.send_replace(true);
    // Every connection holds a slot until it ends; all of them back means all have ended. Each
    // drops itself at the drain deadline; the margin covers the last wake-ups.
    let all = u32::try_from(max).unwrap_or(u32::MAX);
    let drained = tokio::time::timeout(
        limits.drain_timeout + Duration::from_millis(500),
        slots.acquire_many(all),
    )
    .await;
    if drained.is_err() {
        tracing::warn!("connections still open at the drain deadline: dropped");
    }
    Ok(())
}

/// Serves one connection until it ends, is idle too long, or shutdown's drain deadline passes.
async fn drive<I>(
    builder: &auto::Builder<TokioExecutor>,
    io: I,
    router: Router,
    limits: &ConnectionLimits,
    mut stopped: watch::Receiver<bool>,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>>
where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let activity = Arc::new(Activity::new());
    let tracker = activity.clone();
    let service = tower::service_fn(move |request: Request<hyper::body::Incoming>| {
        let in_flight = tracker.start();
        let router = router.clone();
        // Before routing: a layer on the router would see the request after it was routed.
        let request = canonical_version(request);
        async move {
            let response = tower::ServiceExt::oneshot(router, request).await;
            drop(in_flight);
            response
        }
    });
    let connection =
        builder.serve_connection_with_upgrades(TokioIo::new(io), TowerToHyperService::new(service));
    tokio::pin!(connection);
    let mut closing: Option<Instant> = None;
    loop {
        let wake = closing.unwrap_or_else(|| activity.idle_at(limits));
        tokio::select! {
            result = connection.as_mut() => return result,
            _ = stopped.wait_for(|stopped| *stopped), if closing.is_none() => {
                connection.as_mut().graceful_shutdown();
                closing = Some(Instant::now() + limits.drain_timeout);
            }
            () = tokio::time::sleep_until(wake) => {
                if closing.is_some() {
                    return Ok(());
                }
                if activity.idle_at(limits) <= Instant::now() {
                    connection.as_mut().graceful_shutdown();
                    closing = Some(Instant::now() + CLOSE_GRACE);
                }
            }
        }
    }
}

async fn handshake(
    acceptor: &TlsAcceptor,
    stream: TcpStream,
    peer: std::net::SocketAddr,
    timeout: Duration,
) -> Option<tokio_rustls::server::TlsStream<TcpStream>> {
    match tokio::time::timeout(timeout, acceptor.accept(stream)).await {
        Ok(Ok(stream)) => Some(stream),
        Ok(Err(error)) => {
            tracing::debug!(%peer, %error, "TLS handshake failed");
            None
        }
        Err(_) => {
            tracing::debug!(%peer, "TLS handshake timed out");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(uri: &str) -> String {
        let request = Request::builder().uri(uri).body(()).unwrap();
        canonical_version(request).uri().to_string()
    }

    #[test]
    fn versions_are_routed_case_insensitively() {
        assert_eq!(path("/V1.0/reports?$top=1"), "/v1.0/reports?$top=1");
        assert_eq!(path("/Beta"), "/beta");
        assert_eq!(path("/BETA/x/y"), "/beta/x/y");
        assert_eq!(path("/v1.0/reports"), "/v1.0/reports");
        assert_eq!(path("/v1.00/reports"), "/v1.00/reports");
        assert_eq!(path("/healthz"), "/healthz");
    }
}
