//! HTTPS (SPEC §9): `--tls-self-signed` makes a certificate for localhost that clients trust,
//! keeps it across restarts and shares it between processes; `--tls-cert`/`--tls-key` serve given
//! files; links are https; plain HTTP on the TLS port fails. The client here is hyper over
//! tokio-rustls, trusting exactly the certificate under test.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::Request;
use hyper_util::rt::{TokioExecutor, TokioIo};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use serde_json::Value;
use uuid::Uuid;

use crate::support::{snapshot, TestServer, COLLECTION};

/// A response, read whole.
struct Answer {
    status: u16,
    headers: hyper::HeaderMap,
    json: Value,
}

/// An HTTPS client that trusts only `ca` (PEM) and speaks HTTP/1.1 or, by ALPN, HTTP/2.
struct Https {
    config: Arc<rustls::ClientConfig>,
    http2: bool,
}

impl Https {
    fn trusting(ca: &Path, http2: bool) -> Self {
        let mut roots = rustls::RootCertStore::empty();
        for cert in CertificateDer::pem_file_iter(ca).unwrap() {
            roots.add(cert.unwrap()).unwrap();
        }
        let mut config = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
        config.alpn_protocols = vec![if http2 {
            b"h2".to_vec()
        } else {
            b"http/1.1".to_vec()
        }];
        Self {
            config: Arc::new(config),
            http2,
        }
    }

    /// Sends one request to `url` (https://host:port/path) on a new connection.
    async fn send(
        &self,
        method: &str,
        url: &str,
        token: &str,
        body: Option<&Value>,
    ) -> Result<Answer, String> {
        let authority = url
            .strip_prefix("https://")
            .and_then(|rest| rest.split('/').next())
            .ok_or_else(|| format!("not an https URL: {url}"))?;
        let host = authority
            .rsplit_once(':')
            .map_or(authority, |(host, _)| host);
        let name = ServerName::try_from(host.to_owned()).map_err(|error| error.to_string())?;
        let tcp = tokio::net::TcpStream::connect(authority)
            .await
            .map_err(|error| error.to_string())?;
        let tls = tokio_rustls::TlsConnector::from(self.config.clone())
            .connect(name, tcp)
            .await
            .map_err(|error| format!("TLS handshake: {error}"))?;
        let mut request = Request::builder()
            .method(method)
            .header("authorization", format!("Bearer {token}"));
        request = if self.http2 {
            request.uri(url)
        } else {
            let path = &url[url.find(authority).unwrap() + authority.len()..];
            request.uri(path).header("host", authority)
        };
        let body = match body {
            Some(body) => {
                request = request.header("content-type", "application/json");
                Full::new(Bytes::from(body.to_string()))
            }
            None => Full::new(Bytes::new()),
        };
        let request = request.body(body).unwrap();
        let io = TokioIo::new(tls);
        let response = if self.http2 {
            let (mut sender, connection) =
                hyper::client::conn::http2::handshake(TokioExecutor::new(), io)
                    .await
                    .map_err(|error| error.to_string())?;
            tokio::spawn(connection);
            sender.send_request(request).await
        } else {
            let (mut sender, connection) = hyper::client::conn::http1::handshake(io)
                .await
                .map_err(|error| error.to_string())?;
            tokio::spawn(connection);
            sender.send_request(request).await
        }
        .map_err(|error| error.to_string())?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .map_err(|error| error.to_string())?
            .to_bytes();
        Ok(Answer {
            status,
            headers,
            json: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        })
    }

    async fn get(&self, url: &str, token: &str) -> Answer {
        self.send("GET", url, token, None).await.unwrap()
    }
}

fn cert_path(data_dir: &Path) -> PathBuf {
    data_dir.join("tls").join("cert.pem")
}

/// Creates two snapshots, lists one a page, and answers (the create, the first page).
async fn create_and_page(server: &TestServer, client: &Https) -> (Answer, Answer) {
    let token = server.token(Uuid::new_v4());
    let collection = server.url(COLLECTION);
    let body = snapshot("2026-11-01T00:00:00Z");
    let created = client
        .send("POST", &collection, &token, Some(&body))
        .await
        .unwrap();
    assert_eq!(created.status, 201, "{}", created.json);
    client
        .send("POST", &collection, &token, Some(&body))
        .await
        .unwrap();
    let page = client.get(&format!("{collection}?$top=1"), &token).await;
    assert_eq!(page.status, 200, "{}", page.json);
    let next = page.json["@odata.nextLink"].as_str().unwrap();
    let rest = client.get(next, &token).await;
    assert_eq!(rest.status, 200, "{}", rest.json);
    assert_eq!(rest.json["value"].as_array().unwrap().len(), 1);
    (created, page)
}

#[tokio::test]
async fn self_signed_certificate_is_trusted_and_links_are_https() {
    let server = TestServer::builder().flags(&["--tls-self-signed"]).start();
    assert!(
        server.base.starts_with("https://127.0.0.1:"),
        "{}",
        server.base
    );
    let cert = cert_path(&server.data_dir);
    assert!(cert.is_file());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let key = server.data_dir.join("tls").join("key.pem");
        let mode = std::fs::metadata(key).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the private key is private");
    }
    let client = Https::trusting(&cert, false);
    let (created, page) = create_and_page(&server, &client).await;
    let location = created.headers["location"].to_str().unwrap();
    assert!(
        location.starts_with(&format!("{}/v1.0/reports/", server.base)),
        "{location}"
    );
    let next = page.json["@odata.nextLink"].as_str().unwrap();
    assert!(
        next.starts_with(&format!("{}/v1.0/", server.base)),
        "{next}"
    );
    // The certificate names localhost too.
    let port = server.base.rsplit(':').next().unwrap();
    let healthz = client
        .get(&format!("https://localhost:{port}/healthz"), "")
        .await;
    assert_eq!(healthz.status, 200);
}

#[tokio::test]
async fn http2_links_carry_the_host_and_port() {
    let server = TestServer::builder().flags(&["--tls-self-signed"]).start();
    let client = Https::trusting(&cert_path(&server.data_dir), true);
    let (created, page) = create_and_page(&server, &client).await;
    let location = created.headers["location"].to_str().unwrap();
    assert!(location.starts_with(&server.base), "{location}");
    let next = page.json["@odata.nextLink"].as_str().unwrap();
    assert!(next.starts_with(&server.base), "{next}");
}

#[tokio::test]
async fn the_certificate_is_kept_across_restarts() {
    let temp = tempfile::tempdir().unwrap();
    let first = TestServer::builder()
        .data_dir(temp.path())
        .flags(&["--tls-self-signed"])
        .start();
    let before = std::fs::read(cert_path(temp.path())).unwrap();
    drop(first);
    let second = TestServer::builder()
        .data_dir(temp.path())
        .flags(&["--tls-self-signed"])
        .start();
    assert_eq!(std::fs::read(cert_path(temp.path())).unwrap(), before);
    let client = Https::trusting(&cert_path(temp.path()), false);
    assert_eq!(client.get(&second.url("/healthz"), "").await.status, 200);
}

#[tokio::test]
async fn plain_http_and_untrusting_clients_fail() {
    let server = TestServer::builder().flags(&["--tls-self-signed"]).start();
    let plain = server.base.replace("https://", "http://");
    let answer = server.client.get(format!("{plain}/healthz")).send().await;
    assert!(
        answer.is_err() || !answer.unwrap().status().is_success(),
        "plain HTTP on the TLS port must not be answered"
    );
    // A client that trusts another tally's certificate refuses this one.
    let other = tempfile::tempdir().unwrap();
    let (other_cert, _) = tally_server::tls::self_signed(other.path()).unwrap();
    let stranger = Https::trusting(&other_cert, false);
    let refused = stranger
        .send("GET", &server.url("/healthz"), "", None)
        .await;
    assert!(refused.is_err(), "an untrusted certificate is refused");
}

#[tokio::test]
async fn given_certificate_files_are_served() {
    let material = tempfile::tempdir().unwrap();
    let (cert, key) = tally_server::tls::self_signed(material.path()).unwrap();
    let server = TestServer::builder()
        .flags(&[
            "--tls-cert",
            cert.to_str().unwrap(),
            "--tls-key",
            key.to_str().unwrap(),
        ])
        .start();
    assert!(server.base.starts_with("https://"), "{}", server.base);
    assert!(
        !server.data_dir.join("tls").exists(),
        "nothing self-signed made"
    );
    let client = Https::trusting(&cert, false);
    assert_eq!(client.get(&server.url("/healthz"), "").await.status, 200);
}

/// Several processes starting at once on one data directory (two through TALLY_TLS_SELF_SIGNED)
/// end up serving one certificate: the file that is left.
#[tokio::test]
async fn concurrent_first_starts_share_one_certificate() {
    let temp = tempfile::tempdir().unwrap();
    let mut children: Vec<_> = (0..4)
        .map(|i| {
            let mut command = Command::new(env!("CARGO_BIN_EXE_tally"));
            command
                .args([
                    "serve",
                    "--listen",
                    "127.0.0.1:0",
                    "--in-memory",
                    "--data-dir",
                ])
                .arg(temp.path())
                .env("TALLY_LOG", "warn")
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::inherit());
            if i % 2 == 0 {
                command.arg("--tls-self-signed");
            } else {
                command.env("TALLY_TLS_SELF_SIGNED", "true");
            }
            command.spawn().expect("tally starts")
        })
        .collect();
    let bases: Vec<String> = children
        .iter_mut()
        .map(|child| {
            let mut line = String::new();
            BufReader::new(child.stdout.take().unwrap())
                .read_line(&mut line)
                .unwrap();
            line.trim()
                .strip_prefix("listening on ")
                .unwrap()
                .to_owned()
        })
        .collect();
    let client = Https::trusting(&cert_path(temp.path()), false);
    for base in &bases {
        let answer = client
            .send("GET", &format!("{base}/healthz"), "", None)
            .await;
        assert_eq!(answer.map(|answer| answer.status), Ok(200), "{base}");
    }
    let leftovers: Vec<_> = std::fs::read_dir(temp.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(".tls"))
        .collect();
    assert!(leftovers.is_empty(), "staging folders left: {leftovers:?}");
    for mut child in children {
        child.kill().ok();
        child.wait().ok();
    }
}

/// SIGTERM over TLS drains like plain HTTP: writes in flight finish, tally exits 0, and every
/// acknowledged write is there after a restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_drains_tls_connections() {
    if crate::support::database::suite_in_memory() {
        eprintln!("SKIPPED tls::sigterm_drains: --in-memory keeps nothing across a restart");
        return;
    }
    let data = tempfile::tempdir().unwrap();
    let mut server = TestServer::builder()
        .data_dir(data.path())
        .flags(&["--tls-self-signed"])
        .start();
    let token = server.token(Uuid::new_v4());
    let acknowledged = Arc::new(std::sync::Mutex::new(Vec::new()));
    let writers: Vec<_> = (0..4)
        .map(|writer| {
            let client = Https::trusting(&cert_path(data.path()), writer % 2 == 1);
            let (url, token, acknowledged) =
                (server.url(COLLECTION), token.clone(), acknowledged.clone());
            tokio::spawn(async move {
                for step in 0.. {
                    let body = snapshot(&format!(
                        "2025-06-{:02}T00:00:{:02}Z",
                        writer + 1,
                        step % 60
                    ));
                    // A refused or cut connection is a write never acknowledged: the end.
                    let Ok(answer) = client.send("POST", &url, &token, Some(&body)).await else {
                        return;
                    };
                    assert_eq!(answer.status, 201, "during shutdown: {}", answer.json);
                    let id = answer.json["id"].as_str().unwrap().to_owned();
                    acknowledged.lock().unwrap().push(id);
                }
            })
        })
        .collect();
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let status = tokio::task::block_in_place(|| server.terminate());
    assert!(status.success(), "tally exits 0 after SIGTERM: {status:?}");
    for writer in writers {
        writer.await.expect("no write answered other than 201");
    }
    let restarted = TestServer::builder()
        .data_dir(data.path())
        .flags(&["--tls-self-signed"])
        .start();
    let client = Https::trusting(&cert_path(data.path()), false);
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(!acknowledged.is_empty());
    for id in &acknowledged {
        let url = restarted.url(&crate::support::entity_path(id));
        assert_eq!(
            client.get(&url, &token).await.status,
            200,
            "acknowledged {id} lost"
        );
    }
}
