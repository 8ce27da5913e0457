//! A TCP proxy on loopback that a test can cut and restore, to take a database away from tally
//! without touching the database server itself.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// Forwards connections to `upstream` while open; when cut, drops every connection and refuses
/// (closes at once) new ones; when stalled, forwards nothing and answers nothing, but keeps every
/// connection open and accepts new ones (a network black hole), until cut.
pub struct CuttableProxy {
    pub address: SocketAddr,
    open: Arc<watch::Sender<bool>>,
    stalled: Arc<watch::Sender<bool>>,
    task: tokio::task::JoinHandle<()>,
}

impl CuttableProxy {
    pub async fn start(upstream: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let open = Arc::new(watch::channel(true).0);
        let stalled = Arc::new(watch::channel(false).0);
        let (state, silence) = (open.clone(), stalled.clone());
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                if !*state.borrow() {
                    drop(client);
                    continue;
                }
                let mut closed = state.subscribe();
                let mut quiet = silence.subscribe();
                tokio::spawn(async move {
                    let mut client = client;
                    if *quiet.borrow() {
                        let _ = closed.wait_for(|open| !*open).await;
                        return;
                    }
                    let Ok(mut server) = TcpStream::connect(upstream).await else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                        _ = closed.wait_for(|open| !*open) => return,
                        _ = quiet.wait_for(|stalled| *stalled) => {}
                    }
                    // Stalled: hold both ends, silent, until cut.
                    let _ = closed.wait_for(|open| !*open).await;
                    drop((client, server));
                });
            }
        });
        Self {
            address,
            open,
            stalled,
            task,
        }
    }

    /// Stops forwarding without closing anything: the database seems to stop answering.
    #[allow(dead_code)]
    pub fn stall(&self) {
        self.stalled.send_replace(true);
    }

    pub fn cut(&self) {
        self.open.send_replace(false);
    }

    pub fn restore(&self) {
        self.stalled.send_replace(false);
        self.open.send_replace(true);
    }
}

impl Drop for CuttableProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The suite's PostgreSQL (`base`, which must be at 127.0.0.1:5432) behind a new proxy: the
/// proxy, and the `--database-url` through it of a server on `data_dir`'s schema.
pub async fn postgres_behind_proxy(base: &str, data_dir: &Path) -> (CuttableProxy, String) {
    let upstream: SocketAddr = "127.0.0.1:5432".parse().expect("an address");
    let proxy = CuttableProxy::start(upstream).await;
    let direct = super::database::schema_url(base, data_dir);
    let through_proxy = direct.replacen("127.0.0.1:5432", &proxy.address.to_string(), 1);
    assert_ne!(
        direct, through_proxy,
        "TALLY_TEST_DATABASE_URL must name 127.0.0.1:5432 for this test"
    );
    (proxy, through_proxy)
}
