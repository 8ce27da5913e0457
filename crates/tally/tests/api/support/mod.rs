//! The test harness: starts the real `tally` binary on port 0 against a temporary data directory,
//! mints real tokens with the key it made, and sends real HTTP requests.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::Value;
use tally_server::auth::{mint_token, LocalKey, TokenRequest};
use uuid::Uuid;

pub mod database;
pub mod proxy;

pub const READ_WRITE_ALL: &str = "Reports.ReadWrite.All";
pub const READ_ALL: &str = "Reports.Read.All";
pub const GLOBAL_ADMINISTRATOR: &str = "62e90394-69f5-4237-9190-012177145e10";
pub const GLOBAL_READER: &str = "f2ef992c-3afb-46b9-b7cf-a126ee74c451";
pub const REPORTS_READER: &str = "4a5d8f65-41da-4de4-8968-e035b65339cf";
pub const COLLECTION: &str = "/v1.0/reports/azureADLicenseUsage";

/// A running `tally serve` process.
pub struct TestServer {
    child: Child,
    pub base: String,
    pub data_dir: PathBuf,
    _temp: Option<tempfile::TempDir>,
    pub client: reqwest::Client,
}

/// How to start a [`TestServer`]: by default on a new, empty temporary data directory, on the
/// suite's backend (`TALLY_TEST_BACKEND`), with no extra `serve` flags.
#[must_use = "a builder does nothing until `start`"]
pub struct TestServerBuilder<'a> {
    flags: Vec<String>,
    data_dir: Option<&'a Path>,
    /// `Some`: this `--database-url` (None: none) instead of the suite's backend.
    database_url: Option<Option<String>>,
    shared: bool,
}

impl<'a> TestServerBuilder<'a> {
    /// Extra `serve` flags (added to any given before).
    pub fn flags(mut self, flags: &[&str]) -> Self {
        self.flags.extend(flags.iter().map(|flag| flag.to_string()));
        self
    }

    /// Runs on `data_dir` (which may hold an earlier run's data) instead of a new temporary one.
    pub fn data_dir(mut self, data_dir: &'a Path) -> Self {
        self.data_dir = Some(data_dir);
        self
    }

    /// Runs with this `--database-url` instead of the suite's backend (None: no URL, so the
    /// embedded store, or the in-memory one when the suite runs in memory and not [`shared`]).
    ///
    /// [`shared`]: TestServerBuilder::shared
    pub fn database_url(mut self, url: Option<&str>) -> Self {
        self.database_url = Some(url.map(str::to_owned));
        self
    }

    /// Runs on a store another process can write too: never `--in-memory`, so the embedded
    /// store in the data directory even when the suite runs in memory (PostgreSQL stays).
    pub fn shared(mut self) -> Self {
        self.shared = true;
        self
    }

    pub fn start(self) -> TestServer {
        let temp = match self.data_dir {
            Some(_) => None,
            None => Some(tempfile::tempdir().expect("a temporary directory")),
        };
        let data_dir = self
            .data_dir
            .or(temp.as_ref().map(|temp| temp.path()))
            .expect("a data directory");
        let url = match self.database_url {
            Some(url) => url,
            None => database::suite_url(data_dir),
        };
        let in_memory = !self.shared && database::suite_in_memory();
        let flags: Vec<&str> = self.flags.iter().map(String::as_str).collect();
        let mut server = TestServer::launch(data_dir, url.as_deref(), &flags, in_memory);
        server._temp = temp;
        server
    }
}

impl TestServer {
    /// Starts tally on a new, empty data directory, on the suite's backend.
    pub fn start() -> Self {
        Self::builder().start()
    }

    /// A builder for a server with flags, a data directory, or a store of its own.
    pub fn builder<'a>() -> TestServerBuilder<'a> {
        TestServerBuilder {
            flags: Vec::new(),
            data_dir: None,
            database_url: None,
            shared: false,
        }
    }

    fn launch(
        data_dir: &Path,
        database_url: Option<&str>,
        flags: &[&str],
        in_memory: bool,
    ) -> Self {
        let mut command = Command::new(env!("CARGO_BIN_EXE_tally"));
        command
            .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(data_dir)
            .args(flags);
        if let Some(url) = database_url {
            command.args(["--database-url", url]);
        } else if in_memory {
            command.arg("--in-memory");
        }
        let mut child = command
            .env("TALLY_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("tally starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("tally prints its address");
        let base = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_owned();
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .expect("an HTTP client");
        Self {
            child,
            base,
            data_dir: data_dir.to_owned(),
            _temp: None,
            client,
        }
    }

    /// The process id.
    #[allow(dead_code)]
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// `kill -9`: no chance to flush or drain anything.
    pub fn kill9(&mut self) {
        self.child.kill().expect("SIGKILL delivered");
        self.child.wait().expect("the process ended");
    }

    /// SIGTERM, then the exit status once the process has drained and stopped.
    pub fn terminate(&mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill runs");
        assert!(sent.success(), "SIGTERM delivered");
        self.child.wait().expect("the process ended")
    }

    /// The `host:port` it listens on, for raw connections.
    pub fn address(&self) -> String {
        self.base.trim_start_matches("http://").to_owned()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn key(&self) -> LocalKey {
        LocalKey::load_or_create(&self.data_dir).expect("the server's signing key")
    }

    /// A token minted with the server's own key.
    pub fn mint(&self, request: &TokenRequest) -> String {
        mint_token(&self.key(), request).expect("a token")
    }

    /// An application token with Reports.ReadWrite.All for `tenant`.
    pub fn token(&self, tenant: Uuid) -> String {
        self.mint(&app_token(tenant, &[READ_WRITE_ALL]))
    }

    /// The PEM of the server's private key, to forge tokens in tests.
    pub fn key_pem(&self) -> String {
        std::fs::read_to_string(self.data_dir.join("signing-key.pem")).expect("the key file")
    }

    pub fn kid(&self) -> String {
        self.key().kid
    }

    /// Sends a request with an optional bearer token and JSON body.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Reply {
        let content_type = body.map(|_| "application/json");
        let body = body.map(Value::to_string);
        self.send_text(method, path, token, content_type, body)
            .await
    }

    /// Sends a request with an optional bearer token, content type and body as it is written
    /// (serde_json cannot write a duplicate key or malformed JSON).
    pub async fn send_text(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        content_type: Option<&str>,
        body: Option<String>,
    ) -> Reply {
        let mut request = self.client.request(method, self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        if let Some(body) = body {
            request = request.body(body);
        }
        Reply::from(request.send().await.expect("a response")).await
    }

    /// GETs an absolute URL (a nextLink as the server wrote it) and asserts a 200.
    pub async fn follow(&self, url: &str, token: &str) -> Reply {
        let response = self.client.get(url).bearer_auth(token).send().await;
        let reply = Reply::from(response.expect("a response")).await;
        assert_eq!(reply.status, StatusCode::OK, "{url}: {}", reply.text);
        reply
    }

    /// GETs a path served without a token, asserting a 200 of this content type; answers the body.
    pub async fn fetch_public(&self, path: &str, content_type: &str) -> String {
        let response = self
            .client
            .get(self.url(path))
            .send()
            .await
            .expect("a response");
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let served = response.headers()["content-type"]
            .to_str()
            .expect("ASCII")
            .to_owned();
        assert!(
            served.starts_with(content_type),
            "{path} served as {served}"
        );
        response.text().await.expect("a body")
    }

    pub async fn get(&self, path: &str, token: &str) -> Reply {
        self.send(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: &Value) -> Reply {
        self.send(Method::POST, path, Some(token), Some(body)).await
    }

    pub async fn patch(&self, path: &str, token: &str, body: &Value) -> Reply {
        self.send(Method::PATCH, path, Some(token), Some(body))
            .await
    }

    pub async fn put(&self, path: &str, token: &str, body: &Value) -> Reply {
        self.send(Method::PUT, path, Some(token), Some(body)).await
    }

    pub async fn delete(&self, path: &str, token: &str) -> Reply {
        self.send(Method::DELETE, path, Some(token), None).await
    }

    /// Creates a snapshot and answers its id.
    pub async fn create(&self, token: &str, body: &Value) -> String {
        self.create_in(COLLECTION, token, body).await
    }

    /// Creates an entity in `collection` and answers its id.
    pub async fn create_in(&self, collection: &str, token: &str, body: &Value) -> String {
        let reply = self.post(collection, token, body).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
        reply.json["id"].as_str().expect("an id").to_owned()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A response, read whole.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
    /// The body as JSON, or Null if it is not JSON.
    pub json: Value,
}

impl Reply {
    pub async fn from(response: reqwest::Response) -> Self {
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.expect("a body");
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        Self {
            status,
            headers,
            text,
            json,
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }

    /// Asserts a Graph error body with this status and code; answers the message.
    pub fn assert_error(&self, status: u16, code: &str) -> &str {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected status; body: {}",
            self.text
        );
        assert_eq!(self.json["error"]["code"], code, "body: {}", self.text);
        let inner = &self.json["error"]["innerError"];
        assert!(
            inner["date"].is_string(),
            "innerError.date in {}",
            self.text
        );
        assert_eq!(
            inner["request-id"].as_str(),
            self.header("request-id"),
            "{}",
            self.text
        );
        assert_eq!(
            inner["client-request-id"].as_str(),
            self.header("client-request-id")
        );
        self.json["error"]["message"].as_str().expect("a message")
    }
}

/// The ids in a collection response's `value`, in order.
pub fn ids(reply: &Reply) -> Vec<String> {
    let items = reply.json["value"].as_array();
    let items = items.unwrap_or_else(|| panic!("not a collection: {}", reply.text));
    items
        .iter()
        .map(|item| item["id"].as_str().expect("an id").to_owned())
        .collect()
}

pub fn app_token(tenant: Uuid, roles: &[&str]) -> TokenRequest {
    TokenRequest {
        tenant,
        scopes: Vec::new(),
        roles: roles.iter().map(|role| role.to_string()).collect(),
        wids: Vec::new(),
        application: true,
        lifetime: Duration::from_secs(3600),
    }
}

pub fn delegated_token(tenant: Uuid, scopes: &[&str], wids: &[&str]) -> TokenRequest {
    TokenRequest {
        tenant,
        scopes: scopes.iter().map(|scope| scope.to_string()).collect(),
        roles: Vec::new(),
        wids: wids.iter().map(|wid| wid.to_string()).collect(),
        application: false,
        lifetime: Duration::from_secs(3600),
    }
}

/// A minimal valid body.
pub fn snapshot(date_time: &str) -> Value {
    serde_json::json!({ "snapshotDateTime": date_time })
}

pub fn entity_path(id: &str) -> String {
    format!("{COLLECTION}/{id}")
}

/// Percent-encodes everything but unreserved characters.
pub fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (byte as char).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

/// Seconds since the Unix epoch, as JWT claims count time.
pub fn unix_now() -> i64 {
    let since_epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("a clock after 1970");
    i64::try_from(since_epoch.as_secs()).expect("seconds in range")
}
