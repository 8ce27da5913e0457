//! `tally collect` against a Graph that misbehaves (issue 27, round two): a stand-in for Entra
//! and Graph on a loopback socket answers as they do, but with a nextLink that loops or never
//! ends, a page too large, an answer that never comes, an absurd token lifetime, a decimal
//! Retry-After, a sign-in date that is not a date, or control characters in what it says.
//! Each is bounded: exit status 1 and one line on stderr naming the limit and its flag, or a
//! collect that goes through with what Graph meant.

use std::path::Path;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use serde_json::{json, Value};
use uuid::Uuid;

use crate::collect::export;
use crate::directory::{sku, AAD_PREMIUM, E5};
use crate::import_export::{database_url, stderr};

/// What the stand-in answers to a request for users.
enum Reply {
    /// Status, headers and a JSON body.
    Json(u16, Vec<(&'static str, String)>, String),
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
/// SKU, and for `/v1.0/users…` what `users(base, path and query, requests for users before)`
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
            match users(&own, &path, served.fetch_add(1, Ordering::SeqCst)) {
                Reply::Json(status, headers, body) => json(status, headers, body),
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
    if let Some(url) = database_url(target) {
        command.args(["--database-url", &url]);
    }
    tokio::task::spawn_blocking(move || command.output().expect("tally runs"))
        .await
        .unwrap()
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
