//! `tally collect` against a Graph that misbehaves (issue 27, round two): a stand-in for Entra
//! and Graph on a loopback socket answers as they do, but with a nextLink that loops or never
//! ends, a page too large, an answer that never comes, an absurd token lifetime, a decimal
//! Retry-After, a sign-in date that is not a date, or control characters in what it says.
//! Each is bounded: exit status 1 and one line on stderr naming the limit and its flag, or a
//! collect that goes through with what Graph meant.

use std::path::Path;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use uuid::Uuid;

use crate::collect::export;
use crate::directory::{sku, AAD_PREMIUM, E5};
use crate::import_export::stderr;
use crate::support::database;

/// What the stand-in answers to a request for users.
enum Reply {
    /// Status, headers and a JSON body.
    Json(u16, Vec<(&'static str, String)>, String),
    /// Nothing, ever (the connection stays open).
    Stall,
}

/// A page of `users`, with a nextLink when `next` says.
fn page(users: &[Value], next: Option<String>) -> Reply {
    let mut body = json!({ "@odata.context": "$metadata#users", "value": users });
    if let Some(next) = next {
        body["@odata.nextLink"] = json!(next);
    }
    Reply::Json(200, Vec::new(), body.to_string())
}

/// A stand-in for Entra and Graph: a token for any client (`expires_in` as given, JSON), one
/// SKU, no subscriptions, and for `/v1.0/users…` what `users(base, path and query, requests for users before)`
/// says. Answers its base URL.
async fn stand_in(
    expires_in: &'static str,
    users: impl Fn(&str, &str, usize) -> Reply + Clone + Send + Sync + 'static,
) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let own = base.clone();
    let served = Arc::new(AtomicUsize::new(0));
    let app = axum::Router::new().fallback(move |request: axum::extract::Request| {
        let (users, own, served) = (users.clone(), own.clone(), served.clone());
        async move {
            use axum::response::IntoResponse;
            let path = request
                .uri()
                .path_and_query()
                .map_or("/", |path| path.as_str())
                .to_owned();
            let json = |status: u16, headers: Vec<(&'static str, String)>, body: String| {
                let mut response = (
                    axum::http::StatusCode::from_u16(status).unwrap(),
                    [("content-type", "application/json")],
                    body,
                )
                    .into_response();
                for (name, value) in headers {
                    response
                        .headers_mut()
                        .insert(name, value.parse().unwrap());
                }
                response
            };
            if path.ends_with("/oauth2/v2.0/token") {
                let token = format!(
                    r#"{{"token_type":"Bearer","expires_in":{expires_in},"access_token":"stand-in"}}"#
                );
                return json(200, Vec::new(), token);
            }
            if path.starts_with("/v1.0/subscribedSkus") {
                let skus = json!({ "value": [sku(E5, "SPE_E5", 100, &[AAD_PREMIUM])] });
                return json(200, Vec::new(), skus.to_string());
            }
            if path.starts_with("/v1.0/directory/subscriptions") {
                return json(200, Vec::new(), r#"{"value":[]}"#.to_owned());
            }
            match users(&own, &path, served.fetch_add(1, Ordering::SeqCst)) {
                Reply::Json(status, headers, body) => json(status, headers, body),
                Reply::Stall => {
                    tokio::time::sleep(Duration::from_secs(3600)).await;
                    json(500, Vec::new(), String::new())
                }
            }
        }
    });
    tokio::spawn(async move { axum::serve(listener, app).await });
    base
}

/// A user of the stand-in.
fn user(i: usize) -> Value {
    json!({
        "id": Uuid::from_u128(i as u128 + 1).to_string(),
        "userPrincipalName": format!("user{i}@contoso.example"),
        "displayName": format!("User {i}"),
        "usageLocation": "US",
        "accountEnabled": true,
        "userType": "Member",
        "businessPhones": [],
        "assignedLicenses": [{ "skuId": E5, "disabledPlans": [] }],
        "signInActivity": {
            "lastSignInDateTime": "2026-11-01T10:00:00Z",
            "lastSignInRequestId": Uuid::new_v4().to_string(),
        },
    })
}

/// Runs `tally collect` of `tenant` from the stand-in at `base` into `target`.
async fn collect(target: &Path, tenant: Uuid, base: &str, extra: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tally"));
    command
        .args(["collect", "--tenant", &tenant.to_string()])
        .args(["--client-id", &Uuid::new_v4().to_string()])
        .args(["--authority", base, "--graph-url", base])
        .args(extra)
        .arg("--data-dir")
        .arg(target)
        .env("TALLY_LOG", "warn")
        .env("TALLY_COLLECT_CLIENT_SECRET", "stand-in secret");
    if let Some(url) = database::suite_url(target) {
        command.args(["--database-url", &url]);
    }
    tokio::task::spawn_blocking(move || command.output().expect("tally runs"))
        .await
        .unwrap()
}

/// A collect that failed with one line on stderr (exit status 1): that line.
fn one_error_line(output: &Output) -> String {
    let error = stderr(output);
    assert_eq!(output.status.code(), Some(1), "exit status 1: {error}");
    assert_eq!(error.lines().count(), 1, "one line: {error}");
    assert!(output.stdout.is_empty(), "no summary line");
    error
}

/// The stand-in's users answer once collect has asked this often: it should have stopped.
const TOO_MANY: usize = 200;

fn stop_here() -> Reply {
    Reply::Json(
        400,
        Vec::new(),
        r#"{"error":{"code":"standIn","message":"collect did not stop"}}"#.into(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_next_link_back_to_a_page_read_is_a_loop_and_fails_at_once() {
    let graph = stand_in("3599", |base, _, served| {
        if served >= TOO_MANY {
            return stop_here();
        }
        page(
            &[user(0)],
            Some(format!("{base}/v1.0/users?$skiptoken=same")),
        )
    })
    .await;
    let target = tempfile::tempdir().unwrap();

    let output = collect(target.path(), Uuid::new_v4(), &graph, &[]).await;
    let error = one_error_line(&output);
    assert!(
        error.contains("an @odata.nextLink goes back to a page already read (a loop)")
            && error.contains("$skiptoken=same"),
        "{error}"
    );
    assert!(error.contains("the store is unchanged"), "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_next_link_that_never_ends_stops_at_max_pages() {
    let graph = stand_in("3599", |base, path, served| {
        if served >= TOO_MANY {
            return stop_here();
        }
        let next = path
            .split_once("$skiptoken=")
            .map_or(1, |(_, n)| n.parse::<u64>().unwrap() + 1);
        page(
            &[user(0)],
            Some(format!("{base}/v1.0/users?$skiptoken={next}")),
        )
    })
    .await;
    let target = tempfile::tempdir().unwrap();

    let output = collect(
        target.path(),
        Uuid::new_v4(),
        &graph,
        &["--max-pages", "20"],
    )
    .await;
    let error = one_error_line(&output);
    assert!(
        error.contains("past --max-pages 20 pages (raise --max-pages")
            && error.contains("$skiptoken=18"),
        "the SKUs' page, the subscriptions' and 18 of users: {error}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_larger_than_max_page_bytes_fails_naming_the_flag() {
    // 40 MiB of a member collect does not read: over the default of 32 MiB.
    let padding = Arc::new("x".repeat(40 << 20));
    let graph = stand_in("3599", move |_, _, _| {
        let body = format!(r#"{{"value":[{}],"padding":"{padding}"}}"#, user(0));
        Reply::Json(200, Vec::new(), body)
    })
    .await;
    let target = tempfile::tempdir().unwrap();
    let tenant = Uuid::new_v4();

    let output = collect(target.path(), tenant, &graph, &[]).await;
    let error = one_error_line(&output);
    assert!(
        error.contains("larger than --max-page-bytes 33554432 bytes (raise --max-page-bytes"),
        "{error}"
    );
    assert!(error.contains("/v1.0/users"), "{error}");

    // Raised, the page is read (its padding skipped).
    let output = collect(target.path(), tenant, &graph, &["--max-page-bytes", "64M"]).await;
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        String::from_utf8_lossy(&output.stdout).contains(": 1 SKUs, 0 subscriptions, 1 users in "),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_graph_that_never_answers_is_given_up_at_timeout() {
    let graph = stand_in("3599", |_, _, _| Reply::Stall).await;
    let target = tempfile::tempdir().unwrap();

    let output = collect(target.path(), Uuid::new_v4(), &graph, &["--timeout", "2s"]).await;
    let error = one_error_line(&output);
    assert!(
        error.contains("took longer than --timeout 2s (raise --timeout"),
        "{error}"
    );
    assert!(error.contains("/v1.0/users"), "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_absurd_expires_in_is_held_to_a_day_not_a_panic() {
    let graph = stand_in("18446744073709551615", |_, _, _| {
        page(&[user(0), user(1)], None)
    })
    .await;
    let target = tempfile::tempdir().unwrap();

    let output = collect(target.path(), Uuid::new_v4(), &graph, &[]).await;
    assert!(output.status.success(), "{}", stderr(&output));
    let summary = String::from_utf8_lossy(&output.stdout);
    assert!(
        summary.contains(": 1 SKUs, 0 subscriptions, 2 users in "),
        "{summary}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_decimal_retry_after_is_waited_out() {
    // Graph's documented throttling answer: Retry-After 2.128. Like Graph, the stand-in keeps
    // throttling a client that comes back sooner.
    let throttled_at: Arc<Mutex<Option<Instant>>> = Arc::default();
    let graph = stand_in("3599", move |_, _, _| {
        let mut throttled_at = throttled_at.lock().unwrap();
        let waited = throttled_at.is_some_and(|at| at.elapsed() >= Duration::from_millis(2128));
        if waited {
            return page(&[user(0)], None);
        }
        *throttled_at = Some(Instant::now());
        Reply::Json(
            429,
            vec![("retry-after", "2.128".into())],
            r#"{"error":{"code":"TooManyRequests","message":"Too many requests"}}"#.into(),
        )
    })
    .await;
    let target = tempfile::tempdir().unwrap();

    let output = collect(
        target.path(),
        Uuid::new_v4(),
        &graph,
        &["--max-attempts", "2"],
    )
    .await;
    assert!(output.status.success(), "{}", stderr(&output));
    let summary = String::from_utf8_lossy(&output.stdout);
    assert!(summary.contains("(1 retries)"), "{summary}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unparsable_sign_in_date_is_kept_as_null_with_one_warning_line() {
    let graph = stand_in("3599", |_, _, _| {
        let mut users: Vec<Value> = (0..5).map(user).collect();
        // As Graph's beta documents it, and worse.
        users[1]["signInActivity"]["lastSuccessfulSignInDateTime"] = json!("");
        users[2]["signInActivity"]["lastSignInDateTime"] = json!("yesterday");
        users[3]["signInActivity"]["lastNonInteractiveSignInDateTime"] = json!(17);
        page(&users, None)
    })
    .await;
    let target = tempfile::tempdir().unwrap();
    let tenant = Uuid::new_v4();

    let output = collect(target.path(), tenant, &graph, &[]).await;
    assert!(output.status.success(), "{}", stderr(&output));
    let warning = stderr(&output);
    assert_eq!(warning.lines().count(), 1, "one line: {warning}");
    assert!(
        warning.contains(
            "3 users had unparsable sign-in dates from Graph, kept as null (the first: \
             user1@contoso.example's lastSuccessfulSignInDateTime was \"\")"
        ),
        "{warning}"
    );
    let (_, users) = export(target.path(), tenant);
    let users: Vec<Value> = users
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(users.len(), 5);
    let sign_ins = |upn: &str| {
        let user = users
            .iter()
            .find(|user| user["userPrincipalName"] == upn)
            .unwrap();
        user["signInActivity"].clone()
    };
    assert_eq!(
        sign_ins("user1@contoso.example")["lastSignInDateTime"],
        "2026-11-01T10:00:00Z",
        "the user's good date is kept"
    );
    assert!(sign_ins("user1@contoso.example")["lastSuccessfulSignInDateTime"].is_null());
    assert!(sign_ins("user2@contoso.example")["lastSignInDateTime"].is_null());
    assert!(sign_ins("user3@contoso.example")["lastNonInteractiveSignInDateTime"].is_null());
}

/// Neither ESC nor BEL nor a line break reaches the terminal raw.
fn assert_escaped(text: &str) {
    assert!(
        !text.contains(['\u{1b}', '\u{7}']),
        "raw control characters: {text:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn control_characters_from_graph_are_shown_escaped() {
    const UPN: &str = "ev\u{1b}[2Jil\u{7}@contoso.example";
    const SHOWN: &str = r"ev\u{1b}[2Jil\u{7}@contoso.example";
    let target = tempfile::tempdir().unwrap();
    let tenant = Uuid::new_v4();

    // In an error: a user Graph sends that tally refuses (its usageLocation, and its
    // userPrincipalName, whose characters Entra would not allow).
    let graph = stand_in("3599", |_, _, _| {
        let mut bad = user(0);
        bad["userPrincipalName"] = json!(UPN);
        bad["usageLocation"] = json!("Narnia");
        page(&[bad], None)
    })
    .await;
    let output = collect(target.path(), tenant, &graph, &[]).await;
    let error = one_error_line(&output);
    assert_escaped(&error);
    assert!(
        error.contains(&format!("the user {SHOWN} from Graph")),
        "{error}"
    );

    // (A warning names a userPrincipalName too, but one with a control character is refused
    // as above before any warning: Entra allows none.)

    // In Graph's own error message, with a line break.
    let graph = stand_in("3599", |_, _, _| {
        Reply::Json(
            403,
            Vec::new(),
            json!({ "error": { "code": "Authorization_RequestDenied",
                "message": "denied\u{1b}]0;owned\u{7}\nsecond line" } })
            .to_string(),
        )
    })
    .await;
    let output = collect(target.path(), tenant, &graph, &[]).await;
    let error = one_error_line(&output);
    assert_escaped(&error);
    assert!(
        error.contains(r"denied\u{1b}]0;owned\u{7}\u{a}second line"),
        "{error}"
    );
}
