//! `tally collect` (SPEC §12.4), end to end: a second tally stands in for Graph (its sign-in
//! endpoint and its directory), an app registered there with `tally app add` signs in with its
//! secret, and the collecting tally's store ends up with exactly the source tenant's SKUs,
//! users and licenses, and a derived snapshot. Paging is exercised with a small page size,
//! throttling with the source's `--rate-limit`, and an outage midway with a proxy that answers
//! 503 after the first page: the collect fails and the store keeps its old data.

use std::path::Path;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::directory::{sku, AAD_PREMIUM, E5, EXCHANGE, P2};
use crate::import_export::{stderr, tally};
use crate::signin::add_app;
use crate::support::{app_token, database, TestServer};

const USERS: usize = 25;

/// A source tally serving a tenant of [`USERS`] users and two SKUs, with an app that may read
/// it.
pub(crate) struct Source {
    pub(crate) _dir: tempfile::TempDir,
    server: TestServer,
    pub(crate) tenant: Uuid,
    client_id: String,
    /// The app's secret; `None`: the app signs in with [`APP_CERT`].
    secret: Option<String>,
}

const APP_CERT: &str = include_str!("fixtures/app-cert.pem");
const APP_CERT_KEY: &str = include_str!("fixtures/app-cert-key.pem");

impl Source {
    pub(crate) fn start(flags: &[&str]) -> Self {
        Self::start_as(flags, false)
    }

    fn start_as(flags: &[&str], certificate: bool) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let tenant = Uuid::new_v4();
        import(dir.path(), tenant, "subscribedSkus", &source_skus());
        import(dir.path(), tenant, "users", &source_users());
        let roles = ["Directory.Read.All", "AuditLog.Read.All"];
        let (client_id, secret) = if certificate {
            let cert = dir.path().join("app-cert.pem");
            std::fs::write(&cert, APP_CERT).unwrap();
            let tenant = tenant.to_string();
            let mut args = vec!["app", "add", "--tenant", &tenant];
            args.extend(roles.iter().flat_map(|role| ["--role", role]));
            args.extend(["--certificate", cert.to_str().unwrap()]);
            let output = tally(dir.path(), &args);
            assert!(output.status.success(), "{}", stderr(&output));
            let printed = String::from_utf8(output.stdout).unwrap();
            let client_id = printed.trim().strip_prefix("client_id=").unwrap();
            (client_id.to_owned(), None)
        } else {
            let (client_id, secret) = add_app(dir.path(), tenant, &roles);
            (client_id, Some(secret))
        };
        let server = TestServer::builder()
            .data_dir(dir.path())
            .shared()
            .flags(flags)
            .start();
        Self {
            _dir: dir,
            server,
            tenant,
            client_id,
            secret,
        }
    }

    pub(crate) fn base(&self) -> String {
        self.server.url("")
    }
}

fn source_skus() -> Vec<Value> {
    vec![
        sku(E5, "SPE_E5", 30, &[AAD_PREMIUM, EXCHANGE]),
        sku(P2, "AAD_PREMIUM_P2", 10, &[AAD_PREMIUM]),
    ]
}

fn source_users() -> Vec<Value> {
    (0..USERS)
        .map(|i| {
            let mut licenses = Vec::new();
            if i % 3 == 0 {
                let disabled: Vec<&str> = if i % 6 == 0 { vec![EXCHANGE] } else { vec![] };
                licenses.push(json!({ "skuId": E5, "disabledPlans": disabled }));
            }
            if i % 5 == 0 {
                licenses.push(json!({ "skuId": P2, "disabledPlans": [] }));
            }
            let mut user = json!({
                "userPrincipalName": format!("user{i}@contoso.example"),
                "displayName": format!("User {i}"),
                "usageLocation": "US",
                "accountEnabled": i % 7 != 0,
                "userType": if i % 4 == 0 { "Guest" } else { "Member" },
                "assignedLicenses": licenses,
            });
            if i % 2 == 0 {
                user["signInActivity"] =
                    json!({ "lastSignInDateTime": format!("2026-11-0{}T10:00:00Z", 1 + i % 9) });
            }
            user
        })
        .collect()
}

/// Holders of E5 and of P2 among [`source_users`].
fn expected_units() -> (i64, i64) {
    let count = |step: usize| (0..USERS).filter(|i| i % step == 0).count() as i64;
    (count(3), count(5))
}

const OLD_SKU: &str = "9f2d3c1a-0000-4000-8000-00000000d1d1";

/// Old data of the tenant in the collecting store: a SKU the source does not have, a user
/// holding it, and a user whose userPrincipalName a source user has under another id.
fn prefill(dir: &Path, tenant: Uuid) {
    import(
        dir,
        tenant,
        "subscribedSkus",
        &[sku(OLD_SKU, "OLD_SKU", 3, &[EXCHANGE])],
    );
    import(
        dir,
        tenant,
        "users",
        &[
            json!({
                "userPrincipalName": "old@contoso.example",
                "usageLocation": "DE",
                "assignedLicenses": [{ "skuId": OLD_SKU, "disabledPlans": [] }],
            }),
            json!({ "userPrincipalName": "user1@contoso.example", "displayName": "Old one" }),
        ],
    );
}

fn import(dir: &Path, tenant: Uuid, resource: &str, records: &[Value]) {
    let file = dir.join(format!("{resource}-{}.jsonl", Uuid::new_v4()));
    let lines: Vec<String> = records.iter().map(Value::to_string).collect();
    std::fs::write(&file, lines.join("\n")).unwrap();
    let tenant = tenant.to_string();
    let output = tally(
        dir,
        &[
            "import",
            file.to_str().unwrap(),
            "--tenant",
            &tenant,
            "--resource",
            resource,
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
}

/// `tally export` of the tenant's SKUs and users (JSON lines, users by id).
pub(crate) fn export(dir: &Path, tenant: Uuid) -> (String, String) {
    let tenant = tenant.to_string();
    let one = |resource: &str| {
        let output = tally(
            dir,
            &["export", "--tenant", &tenant, "--resource", resource],
        );
        assert!(output.status.success(), "{}", stderr(&output));
        String::from_utf8(output.stdout).unwrap()
    };
    (one("subscribedSkus"), one("users"))
}

/// Runs `tally collect` into `target` (off the test's runtime thread), the secret in the
/// environment.
pub(crate) async fn collect(
    target: &Path,
    source: &Source,
    graph_url: &str,
    extra: &[&str],
) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tally"));
    command
        .args(["collect", "--tenant", &source.tenant.to_string()])
        .args(["--client-id", &source.client_id])
        .args(["--authority", &source.base(), "--graph-url", graph_url])
        .args(extra)
        .arg("--data-dir")
        .arg(target)
        .env("TALLY_LOG", "warn");
    match &source.secret {
        Some(secret) => {
            command.env("TALLY_COLLECT_CLIENT_SECRET", secret);
        }
        None => {
            let pem = target.join("collector.pem");
            std::fs::write(&pem, format!("{APP_CERT}\n{APP_CERT_KEY}")).unwrap();
            command.arg("--certificate").arg(pem);
        }
    }
    if let Some(url) = database::suite_url(target) {
        command.args(["--database-url", &url]);
    }
    tokio::task::spawn_blocking(move || command.output().expect("tally runs"))
        .await
        .unwrap()
}

/// The target's SKUs' consumedUnits and its snapshots, read through a server on its store.
async fn served(target: &Path, tenant: Uuid) -> (Vec<(String, i64)>, usize) {
    let server = TestServer::builder().data_dir(target).shared().start();
    let token = server.mint(&app_token(
        tenant,
        &["Directory.Read.All", "Reports.Read.All"],
    ));
    let skus = server.get("/v1.0/subscribedSkus", &token).await;
    assert_eq!(skus.status, StatusCode::OK, "{}", skus.text);
    let mut units: Vec<(String, i64)> = skus.json["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|sku| {
            (
                sku["skuId"].as_str().unwrap().to_owned(),
                sku["consumedUnits"].as_i64().unwrap(),
            )
        })
        .collect();
    units.sort();
    let snapshots = server
        .get("/v1.0/reports/azureADLicenseUsage", &token)
        .await;
    assert_eq!(snapshots.status, StatusCode::OK, "{}", snapshots.text);
    (units, snapshots.json["value"].as_array().unwrap().len())
}

pub(crate) fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The retries the summary line reports.
fn retries(summary: &str) -> u64 {
    let (_, after) = summary.split_once(" s (").expect("the summary's retries");
    after.split(' ').next().unwrap().parse().unwrap()
}

async fn assert_collected(target: &Path, source: &Source) {
    let source_dir = source._dir.path();
    assert_eq!(
        export(target, source.tenant),
        export(source_dir, source.tenant),
        "the collected SKUs and users (with their licenses and sign-ins) are the source's"
    );
    let (units, snapshots) = served(target, source.tenant).await;
    let (e5, p2) = expected_units();
    let mut expected = vec![(E5.to_owned(), e5), (P2.to_owned(), p2)];
    expected.sort();
    assert_eq!(units, expected, "consumedUnits counted from the holders");
    assert_eq!(snapshots, 1, "one derived snapshot taken");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clean_collect_replaces_the_tenant_following_every_next_link() {
    let source = Source::start(&[]);
    let target = tempfile::tempdir().unwrap();
    prefill(target.path(), source.tenant);

    let output = collect(
        target.path(),
        &source,
        &source.base(),
        &["--page-size", "10"],
    )
    .await;
    assert!(output.status.success(), "{}", stderr(&output));
    let summary = stdout(&output);
    assert_eq!(summary.lines().count(), 1, "one summary line: {summary}");
    assert!(
        summary.starts_with(&format!(
            "collected tenant {}: 2 SKUs, 0 subscriptions, {USERS} users in ",
            source.tenant
        )),
        "{summary}"
    );
    assert!(summary.contains("; snapshot "), "{summary}");
    assert_eq!(retries(&summary), 0, "{summary}");
    assert_collected(target.path(), &source).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_collect_signs_in_with_a_certificate() {
    let source = Source::start_as(&[], true);
    let target = tempfile::tempdir().unwrap();

    let output = collect(target.path(), &source, &source.base(), &[]).await;
    assert!(output.status.success(), "{}", stderr(&output));
    assert_collected(target.path(), &source).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_secret_fails_at_once_with_entras_error() {
    let mut source = Source::start(&[]);
    source.secret = Some("not the secret".into());
    let target = tempfile::tempdir().unwrap();
    prefill(target.path(), source.tenant);
    let before = export(target.path(), source.tenant);

    let output = collect(target.path(), &source, &source.base(), &[]).await;
    assert!(!output.status.success());
    let error = stderr(&output);
    assert!(error.contains("HTTP 401: invalid_client"), "{error}");
    assert_eq!(error.lines().count(), 1, "one line: {error}");
    assert_eq!(export(target.path(), source.tenant), before);
}

#[tokio::test]
async fn plain_http_is_refused_off_loopback() {
    let output = Command::new(env!("CARGO_BIN_EXE_tally"))
        .args(["collect", "--tenant", &Uuid::new_v4().to_string()])
        .args(["--client-id", "x", "--client-secret", "y"])
        .args(["--graph-url", "http://graph.example.com"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("must be https (http only on a loopback address"),
        "{}",
        stderr(&output)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_throttled_collect_waits_out_retry_after_and_succeeds() {
    let source = Source::start(&["--rate-limit", "1"]);
    let target = tempfile::tempdir().unwrap();

    let output = collect(
        target.path(),
        &source,
        &source.base(),
        &["--page-size", "4"],
    )
    .await;
    assert!(output.status.success(), "{}", stderr(&output));
    let summary = stdout(&output);
    assert!(retries(&summary) > 0, "429s were retried: {summary}");
    assert_collected(target.path(), &source).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outage_midway_fails_the_collect_and_leaves_the_old_data() {
    let source = Source::start(&[]);
    let target = tempfile::tempdir().unwrap();
    prefill(target.path(), source.tenant);
    let before = export(target.path(), source.tenant);
    let (units_before, snapshots_before) = served(target.path(), source.tenant).await;
    assert_eq!(snapshots_before, 0);

    // subscribedSkus, subscriptions and the first page of users pass; then Graph is down.
    let proxy = outage_proxy(source.base(), 3).await;
    let output = collect(
        target.path(),
        &source,
        &proxy,
        &["--page-size", "10", "--max-attempts", "3"],
    )
    .await;
    assert!(!output.status.success(), "{}", stdout(&output));
    let error = stderr(&output);
    assert!(
        error.contains("HTTP 503") && error.contains("gave up after 3 attempts"),
        "{error}"
    );
    assert!(error.contains("the store is unchanged"), "{error}");
    assert_eq!(stdout(&output), "", "no summary line for a failed collect");

    assert_eq!(export(target.path(), source.tenant), before, "the old data");
    let (units_after, snapshots_after) = served(target.path(), source.tenant).await;
    assert_eq!(units_after, units_before);
    assert_eq!(snapshots_after, 0, "no snapshot of a failed collect");
}

/// An HTTP proxy to `upstream` (rewriting its links to itself) that forwards `pass` requests
/// and answers 503 to every one after them.
async fn outage_proxy(upstream: String, pass: usize) -> String {
    proxy(upstream, move |served, _| {
        (served >= pass).then(|| {
            (
                503,
                r#"{"error":{"code":"serviceUnavailable","message":"down"}}"#.to_owned(),
            )
        })
    })
    .await
}

/// An HTTP proxy to `upstream` (rewriting its links to itself): `answer(requests served before,
/// path and query)` answers instead of the upstream when it says something (`{graph}` in its
/// body standing for the proxy's own base URL, for its nextLinks).
pub(crate) async fn proxy(
    upstream: String,
    answer: impl Fn(usize, &str) -> Option<(u16, String)> + Clone + Send + Sync + 'static,
) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let served = Arc::new(AtomicUsize::new(0));
    let client = reqwest::Client::new();
    let own = base.clone();
    let app = axum::Router::new().fallback(move |request: axum::extract::Request| {
        let (served, client, upstream, own, answer) = (
            served.clone(),
            client.clone(),
            upstream.clone(),
            own.clone(),
            answer.clone(),
        );
        async move {
            use axum::response::IntoResponse;
            let path = request
                .uri()
                .path_and_query()
                .map_or("/", |path| path.as_str())
                .to_owned();
            if let Some((status, body)) = answer(served.fetch_add(1, Ordering::SeqCst), &path) {
                let status = axum::http::StatusCode::from_u16(status).unwrap();
                let body = body.replace("{graph}", &own);
                return (status, [("content-type", "application/json")], body).into_response();
            }
            let mut forward = client.get(format!("{upstream}{path}"));
            if let Some(token) = request.headers().get("authorization") {
                forward = forward.header("authorization", token.to_str().unwrap());
            }
            let response = forward.send().await.unwrap();
            let status = axum::http::StatusCode::from_u16(response.status().as_u16()).unwrap();
            let text = response.text().await.unwrap().replace(&upstream, &own);
            (status, [("content-type", "application/json")], text).into_response()
        }
    });
    tokio::spawn(async move { axum::serve(listener, app).await });
    base
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tenant_without_premium_is_collected_without_sign_in_activity() {
    let source = Source::start(&[]);
    let target = tempfile::tempdir().unwrap();
    // What Graph answers when signInActivity is selected in a tenant without P1 or P2.
    let graph = proxy(source.base(), |_, path| {
        path.contains("signInActivity").then(|| (
            403,
            r#"{"error":{"code":"Authentication_RequestFromNonPremiumTenantOrB2CTenant","message":"Neither tenant is B2C or tenant doesn't have premium license"}}"#.to_owned(),
        ))
    })
    .await;

    let output = collect(target.path(), &source, &graph, &["--page-size", "10"]).await;
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("users are read without signInActivity"),
        "{}",
        stderr(&output)
    );
    let (skus, users) = export(target.path(), source.tenant);
    assert_eq!(skus, export(source._dir.path(), source.tenant).0);
    assert_eq!(users.lines().count(), USERS);
    assert!(!users.contains("signInActivity"), "{users}");
    assert!(users.contains("assignedLicenses"), "{users}");
}
