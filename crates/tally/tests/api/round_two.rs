//! Issue 27, holding up under abuse, round two: every path's body is gated (the token endpoint
//! takes a small form and holds no slot another request needs; paths that take no body refuse
//! one unread), a declared oversize body is a 413 at once whatever the token, one tenant's
//! insight rebuilds do not hold up another's, and a silent PostgreSQL answers lists and counts
//! with 503 within the database timeout, not the query budget.
//!
//! The figures are printed (`-- --nocapture`); time bounds are the behaviour's own (before the
//! 10 s body deadline, within the query budget), never tight.

use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use uuid::Uuid;

use crate::import_export::{stderr, tally};
use crate::signin::{add_app, assert_entra_error, request_token, secret_token, GRAPH_DEFAULT};
use crate::support::database::require_postgres;
use crate::support::proxy::postgres_behind_proxy;
use crate::support::{app_token, snapshot, TestServer, COLLECTION};

/// The body deadline of the API: answers the tests expect "at once" must come well before it.
const BODY_DEADLINE: Duration = Duration::from_secs(10);

/// One HTTP/1.1 answer read off a raw connection: status, body, and how long it took.
struct RawAnswer {
    status: u16,
    body: String,
    waited: Duration,
}

/// Sends `head` (a request's line and headers, and whatever of its body) and reads the answer,
/// sending nothing more; None if none came within `limit`.
async fn raw_request(server: &TestServer, head: &str, limit: Duration) -> Option<RawAnswer> {
    let mut stream = TcpStream::connect(server.address()).await.unwrap();
    let start = Instant::now();
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut received = Vec::new();
    let mut buffer = [0u8; 8192];
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        if let Some(end) = find(&received, b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&received[..end]).to_ascii_lowercase();
            let length = head
                .lines()
                .find_map(|line| line.strip_prefix("content-length:"))
                .and_then(|value| value.trim().parse::<usize>().ok())
                .unwrap_or(0);
            if received.len() >= end + 4 + length {
                let status = head.split(' ').nth(1)?.parse().ok()?;
                let body = String::from_utf8_lossy(&received[end + 4..end + 4 + length]);
                return Some(RawAnswer {
                    status,
                    body: body.into_owned(),
                    waited: start.elapsed(),
                });
            }
        }
        match tokio::time::timeout_at(deadline, stream.read(&mut buffer)).await {
            Ok(Ok(0)) | Ok(Err(_)) | Err(_) => return None,
            Ok(Ok(read)) => received.extend_from_slice(&buffer[..read]),
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

/// Opens a connection and sends `head` without the rest of its body: a stalled body, held open
/// for as long as the stream lives.
async fn stalled(server: &TestServer, head: &str) -> TcpStream {
    let mut stream = TcpStream::connect(server.address()).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    stream
}

fn token_path(tenant: Uuid) -> String {
    format!("/{tenant}/oauth2/v2.0/token")
}

/// A token request's head declaring `length` bytes of form, and the first bytes of it.
fn token_head(tenant: Uuid, length: usize) -> String {
    format!(
        "POST {} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {length}\r\n\r\ngrant_type=client_credentials&client_id=",
        token_path(tenant)
    )
}

/// Finding 1: 40 stalled token-endpoint bodies at `--max-in-flight 32` held every body slot,
/// so an authenticated POST and another app's sign-in got 503.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stalled_token_bodies_starve_neither_the_api_nor_other_sign_ins() {
    let dir = tempfile::tempdir().unwrap();
    let tenant = Uuid::new_v4();
    let (client_id, secret) = add_app(dir.path(), tenant, &["Reports.Read.All"]);
    let server = TestServer::builder()
        .data_dir(dir.path())
        .shared()
        .flags(&["--max-in-flight", "32"])
        .start();
    let token = server.token(tenant);
    let mut held = Vec::new();
    for _ in 0..40 {
        held.push(stalled(&server, &token_head(tenant, 1000)).await);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;

    let post = server
        .post(COLLECTION, &token, &snapshot("2025-01-01T00:00:00Z"))
        .await;
    let signin = secret_token(
        &server,
        &tenant.to_string(),
        &client_id,
        &secret,
        GRAPH_DEFAULT,
    )
    .await;
    eprintln!(
        "round two figures: 40 stalled token bodies at --max-in-flight 32: authenticated POST {}, another sign-in {}",
        post.status, signin.status
    );
    assert_eq!(post.status, StatusCode::CREATED, "{}", post.text);
    assert_eq!(signin.status, StatusCode::OK, "{}", signin.text);
    drop(held);
}

/// Finding 1: a stalled token body is answered (Entra's JSON) once its short deadline passes,
/// long before the API's 10 s.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_token_body_is_answered_before_the_api_body_deadline() {
    let server = TestServer::start();
    let tenant = Uuid::new_v4();
    let answer = raw_request(&server, &token_head(tenant, 1000), BODY_DEADLINE * 2)
        .await
        .expect("an answer");
    eprintln!(
        "round two figures: a stalled token body answered {} after {:?}",
        answer.status, answer.waited
    );
    assert_eq!(answer.status, 408, "{}", answer.body);
    let body: Value = serde_json::from_str(&answer.body).unwrap();
    assert_eq!(body["error"], "invalid_request", "{}", answer.body);
    assert!(answer.waited < BODY_DEADLINE, "{:?}", answer.waited);
}

/// Finding 1: the token endpoint takes a form of a few KiB; more is Entra's 413, at once when
/// declared, and after 16 KiB when not.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversize_token_form_is_an_entra_413() {
    let server = TestServer::start();
    let tenant = Uuid::new_v4();
    let answer = raw_request(&server, &token_head(tenant, 1024 * 1024), BODY_DEADLINE * 2)
        .await
        .expect("an answer");
    eprintln!(
        "round two figures: a token form declared 1 MiB answered {} after {:?}",
        answer.status, answer.waited
    );
    assert_eq!(answer.status, 413, "{}", answer.body);
    let body: Value = serde_json::from_str(&answer.body).unwrap();
    assert_eq!(body["error"], "invalid_request", "{}", answer.body);
    assert!(answer.waited < BODY_DEADLINE, "{:?}", answer.waited);

    // Declared and sent whole, as clients do: the answer arrives, not a reset.
    let scope = "x".repeat(20 * 1024);
    let reply = request_token(
        &server,
        &tenant.to_string(),
        &[("grant_type", "client_credentials"), ("scope", &scope)],
    )
    .await;
    assert_entra_error(&reply, 413, "invalid_request", 9002313);

    // Of unknown length (chunked): refused once past the limit.
    let chunk = "x".repeat(20 * 1024);
    let head = format!(
        "POST {} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\nscope={chunk}\r\n0\r\n\r\n",
        token_path(tenant),
        chunk.len() + "scope=".len()
    );
    let answer = raw_request(&server, &head, BODY_DEADLINE * 2)
        .await
        .expect("an answer");
    assert_eq!(answer.status, 413, "{}", answer.body);
}

/// Finding 1: paths that take no body (health, metrics, the dashboard, discovery, JWKS, unknown
/// paths) refuse one unread: 413 at once, no body slot taken, so stalled ones starve nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paths_that_take_no_body_refuse_one_unread() {
    let server = TestServer::builder()
        .flags(&["--max-in-flight", "4"])
        .start();
    let tenant = Uuid::new_v4();
    let token = server.token(tenant);
    let paths = [
        "/healthz".to_owned(),
        "/readyz".to_owned(),
        "/metrics".to_owned(),
        "/".to_owned(),
        "/openapi.json".to_owned(),
        format!("/{tenant}/v2.0/.well-known/openid-configuration"),
        format!("/{tenant}/discovery/v2.0/keys"),
        "/no/such/path".to_owned(),
    ];
    for method in ["GET", "POST"] {
        for path in &paths {
            let head = format!(
                "{method} {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{{\"a\":"
            );
            let answer = raw_request(&server, &head, BODY_DEADLINE * 2)
                .await
                .unwrap_or_else(|| panic!("{method} {path}: no answer"));
            assert_eq!(answer.status, 413, "{method} {path}: {}", answer.body);
            let body: Value = serde_json::from_str(&answer.body).unwrap();
            assert_eq!(
                body["error"]["code"], "RequestEntityTooLarge",
                "{method} {path}"
            );
            assert!(
                answer.waited < BODY_DEADLINE,
                "{method} {path}: {:?}",
                answer.waited
            );
        }
    }
    // Stalled bodies to such paths hold nothing an authenticated write needs.
    let mut held = Vec::new();
    for _ in 0..8 {
        held.push(
            stalled(
                &server,
                "POST /no/such/path HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\n",
            )
            .await,
        );
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let post = server
        .post(COLLECTION, &token, &snapshot("2025-01-01T00:00:00Z"))
        .await;
    assert_eq!(post.status, StatusCode::CREATED, "{}", post.text);
    // Without a body, those paths answer as ever.
    for path in ["/healthz", "/metrics"] {
        let response = server.client.get(server.url(path)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
    }
    drop(held);
}

/// Finding 6: a PATCH with a valid token declaring a body over the limit got 408 after the
/// body deadline; SPEC §10 puts the 413 first.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_declared_oversize_body_is_a_413_at_once_with_or_without_a_token() {
    let server = TestServer::start();
    let token = server.token(Uuid::new_v4());
    let id = server
        .create(&token, &snapshot("2025-01-01T00:00:00Z"))
        .await;
    for authorization in [format!("Bearer {token}"), "Bearer nonsense".to_owned()] {
        let head = format!(
            "PATCH {COLLECTION}('{id}') HTTP/1.1\r\nHost: localhost\r\nAuthorization: {authorization}\r\nContent-Type: application/json\r\nContent-Length: 99999999\r\n\r\n"
        );
        let answer = raw_request(&server, &head, BODY_DEADLINE * 2)
            .await
            .expect("an answer");
        eprintln!(
            "round two figures: declared oversize PATCH answered {} after {:?}",
            answer.status, answer.waited
        );
        assert_eq!(answer.status, 413, "{}", answer.body);
        let body: Value = serde_json::from_str(&answer.body).unwrap();
        assert_eq!(body["error"]["code"], "RequestEntityTooLarge");
        assert!(answer.waited < BODY_DEADLINE, "{:?}", answer.waited);
    }
}

const INSIGHT: &str = "/beta/reports/azureADPremiumLicenseInsight";
const RECORDS: &str = "/beta/reports/azureADUserFeatureUsage";
const P1_SKU: &str = "078d2b04-f1bd-4111-bbd4-b4b1b354cef4";
const P1_PLAN: &str = "41781fb2-bc02-4b7c-bd55-b576c07bb09d";

fn feature_record(user: Uuid) -> Value {
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    json!({
        "userId": user.to_string(),
        "lastUpdatedDateTime": now,
        "featureUsageDetails": [
            { "featureName": "conditionalAccess", "lastUsedDateTime": now },
            { "featureName": "privateAccess", "lastUsedDateTime": now },
        ],
    })
}

/// Loads `count` azureADUserFeatureUsage records of `tenant` with `tally import`.
fn import_records(dir: &Path, tenant: Uuid, count: usize) {
    let path = dir.join("records.jsonl");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    for _ in 0..count {
        writeln!(file, "{}", feature_record(Uuid::new_v4())).unwrap();
    }
    file.flush().unwrap();
    drop(file);
    let tenant = tenant.to_string();
    let output = tally(
        dir,
        &[
            "import",
            path.to_str().unwrap(),
            "--resource",
            "azureADUserFeatureUsage",
            "--tenant",
            &tenant,
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
}

/// A token that may write the directory and the reports, and read the insight.
fn all_token(server: &TestServer, tenant: Uuid) -> String {
    server.mint(&app_token(
        tenant,
        &[
            "Directory.ReadWrite.All",
            "Reports.ReadWrite.All",
            "Reports.Read.All",
        ],
    ))
}

async fn p1_sku(server: &TestServer, token: &str) {
    let body = json!({
        "skuId": P1_SKU,
        "skuPartNumber": "AAD_PREMIUM",
        "prepaidUnits": { "enabled": 10, "suspended": 0, "warning": 0, "lockedOut": 0 },
        "servicePlans": [{ "servicePlanId": P1_PLAN, "servicePlanName": "AAD_PREMIUM" }],
    });
    let reply = server.post("/v1.0/subscribedSkus", token, &body).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
}

/// Finding 2: the insight's rebuild took one lock for all tenants, outside the query budget:
/// a big tenant writing and reading in 16 loops held another tenant's read up for seconds. Now
/// each tenant rebuilds under its own lock, waited for within the budget (else 504).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_tenants_insight_rebuilds_do_not_hold_up_another_tenants_insight() {
    if crate::support::database::suite_in_memory() {
        eprintln!("SKIPPED round_two::insight: tally import cannot load an in-memory store");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (big, small) = (Uuid::new_v4(), Uuid::new_v4());
    import_records(dir.path(), big, 30_000);
    let budget = Duration::from_secs(2);
    let server = TestServer::builder()
        .data_dir(dir.path())
        .flags(&["--query-timeout", "2s"])
        .start();
    let (big_token, small_token) = (all_token(&server, big), all_token(&server, small));
    p1_sku(&server, &big_token).await;
    p1_sku(&server, &small_token).await;
    let reply = server
        .post(RECORDS, &small_token, &feature_record(Uuid::new_v4()))
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    let first = server.get(INSIGHT, &small_token).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text);

    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let big_statuses = Arc::new(Mutex::new(Vec::new()));
    let loops: Vec<_> = (0..16)
        .map(|_| {
            let (client, records, insight) = (
                server.client.clone(),
                server.url(RECORDS),
                server.url(INSIGHT),
            );
            let (token, stop, statuses) = (big_token.clone(), stop.clone(), big_statuses.clone());
            tokio::spawn(async move {
                while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                    let written = client
                        .post(&records)
                        .bearer_auth(&token)
                        .json(&feature_record(Uuid::new_v4()))
                        .send()
                        .await
                        .unwrap();
                    let read = client
                        .get(&insight)
                        .bearer_auth(&token)
                        .send()
                        .await
                        .unwrap();
                    statuses
                        .lock()
                        .unwrap()
                        .push((written.status().as_u16(), read.status().as_u16()));
                }
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut waits = Vec::new();
    for _ in 0..20 {
        // A write of its own first, so that each read rebuilds the small tenant's counts.
        let reply = server
            .post(RECORDS, &small_token, &feature_record(Uuid::new_v4()))
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
        let start = Instant::now();
        let reply = server.get(INSIGHT, &small_token).await;
        waits.push(start.elapsed());
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    for task in loops {
        task.await.unwrap();
    }
    waits.sort();
    let statuses = big_statuses.lock().unwrap().clone();
    eprintln!(
        "round two figures: another tenant's insight under 16 loops of a big one: median {:?}, max {:?}; the big tenant's {} rounds (write, read): {:?}…",
        waits[waits.len() / 2],
        waits[waits.len() - 1],
        statuses.len(),
        &statuses[..statuses.len().min(8)]
    );
    assert!(
        statuses
            .iter()
            .all(|(write, read)| *write == 201 && [200, 504].contains(read)),
        "{statuses:?}"
    );
    assert!(
        waits.iter().all(|wait| *wait < budget),
        "another tenant's insight waited past the query budget: {waits:?}"
    );
}

/// Finding 7: a silent PostgreSQL (connections accepted, nothing answered) took the query
/// budget and a second to answer lists and counts; now the database timeout.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_and_counts_on_a_silent_postgres_are_a_503_within_the_database_timeout() {
    let Some(base) = require_postgres("round_two::silent postgres lists") else {
        return;
    };
    let data = tempfile::tempdir().unwrap();
    let (proxy, through_proxy) = postgres_behind_proxy(&base, data.path()).await;
    let server = TestServer::builder()
        .data_dir(data.path())
        .database_url(Some(&through_proxy))
        .flags(&["--query-timeout", "30s", "--database-timeout", "2s"])
        .start();
    let token = server.token(Uuid::new_v4());
    server
        .create(&token, &snapshot("2025-01-01T00:00:00Z"))
        .await;

    proxy.stall();
    let mut waits = Vec::new();
    for path in [
        COLLECTION.to_owned(),
        format!("{COLLECTION}/$count"),
        format!("{COLLECTION}?$count=true"),
    ] {
        let start = Instant::now();
        let response = server
            .client
            .get(server.url(&path))
            .bearer_auth(&token)
            .header("ConsistencyLevel", "eventual")
            .timeout(Duration::from_secs(60))
            .send()
            .await
            .unwrap();
        let waited = start.elapsed();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE, "{path}");
        assert!(response.headers().contains_key("retry-after"), "{path}");
        waits.push(waited);
    }
    eprintln!(
        "round two figures: silent PostgreSQL, lists and counts: 503 after {waits:?} (--database-timeout 2s, --query-timeout 30s)"
    );
    // Well within the query budget: the database timeout, and margin for a loaded machine.
    assert!(
        waits.iter().all(|wait| *wait < Duration::from_secs(10)),
        "{waits:?}"
    );

    proxy.restore();
    let start = Instant::now();
    loop {
        let reply = server.get(COLLECTION, &token).await;
        if reply.status == StatusCode::OK {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(20), "{}", reply.text);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
