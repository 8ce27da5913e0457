//! Signing in as apps do (SPEC §12.4): apps registered with `tally app add` get tokens from
//! `POST /{tenant}/oauth2/v2.0/token` with their secret, as Entra ID issues them; the API takes
//! those tokens like any other (their roles enforced); refusals are Entra's JSON errors with
//! their AADSTS codes; the discovery document and the JWKS point back at tally, and the JWKS
//! verifies the tokens. The CLI writes the store of the running server, on both backends.

use std::path::Path;

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use reqwest::StatusCode;
use serde_json::Value;
use uuid::Uuid;

use crate::import_export::{stderr, tally};
use crate::support::{Reply, TestServer};

mod certificate;
mod discovery;
mod errors;

pub(super) const GRAPH_DEFAULT: &str = "https://graph.microsoft.com/.default";

/// Registers an app with `tally app add`; answers its client id and secret (the two lines it
/// prints, and nothing else).
pub(super) fn add_app(dir: &Path, tenant: Uuid, roles: &[&str]) -> (String, String) {
    let tenant = tenant.to_string();
    let mut args = vec!["app", "add", "--tenant", &tenant, "--name", "signin test"];
    for role in roles {
        args.extend(["--role", role]);
    }
    let output = tally(dir, &args);
    assert!(output.status.success(), "{}", stderr(&output));
    let stdout = String::from_utf8(output.stdout).expect("UTF-8");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    let client_id = lines[0].strip_prefix("client_id=").expect("client_id=");
    let secret = lines[1]
        .strip_prefix("client_secret=")
        .expect("client_secret=");
    assert!(Uuid::parse_str(client_id).is_ok(), "{client_id}");
    assert!(secret.len() >= 43, "a secret of 32 bytes or more: {secret}");
    (client_id.to_owned(), secret.to_owned())
}

pub(super) fn shared_server(dir: &Path) -> TestServer {
    TestServer::builder().data_dir(dir).shared().start()
}

/// POSTs a token request form, as azure-identity does (with `client_info=1` and x-client-*).
pub(super) async fn request_token(
    server: &TestServer,
    tenant: &str,
    form: &[(&str, &str)],
) -> Reply {
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .append_pair("client_info", "1")
        .finish();
    let response = server
        .client
        .post(server.url(&format!("/{tenant}/oauth2/v2.0/token")))
        .header(
            "content-type",
            "application/x-www-form-urlencoded;charset=utf-8",
        )
        .header("x-client-sku", "MSAL.Python")
        .header("x-client-ver", "1.31.0")
        .header("client-request-id", "5b0a2f8e-1d1f-4a8e-9d55-6f0e1f3f1a01")
        .body(body)
        .send()
        .await
        .expect("a response");
    Reply::from(response).await
}

pub(super) async fn secret_token(
    server: &TestServer,
    tenant: &str,
    client_id: &str,
    secret: &str,
    scope: &str,
) -> Reply {
    request_token(
        server,
        tenant,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", client_id),
            ("client_secret", secret),
            ("scope", scope),
        ],
    )
    .await
}

/// The access token of a successful answer, after checking the answer's shape.
pub(super) fn access_token(reply: &Reply) -> String {
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(reply.json["token_type"], "Bearer", "{}", reply.text);
    assert_eq!(reply.json["expires_in"], 3599);
    assert_eq!(reply.json["ext_expires_in"], 3599);
    assert_eq!(reply.header("cache-control"), Some("no-store, no-cache"));
    reply.json["access_token"]
        .as_str()
        .expect("an access token")
        .to_owned()
}

/// Asserts Entra's error JSON: status, OAuth code, the AADSTS code first in the description,
/// with the trace and correlation ids (the client's request id) and the timestamp.
pub(super) fn assert_entra_error(reply: &Reply, status: u16, error: &str, code: u64) {
    assert_eq!(reply.status.as_u16(), status, "{}", reply.text);
    let body = &reply.json;
    assert_eq!(body["error"], error, "{}", reply.text);
    assert_eq!(
        body["error_codes"],
        serde_json::json!([code]),
        "{}",
        reply.text
    );
    let description = body["error_description"].as_str().expect("a description");
    assert!(
        description.starts_with(&format!("AADSTS{code}: ")),
        "{description}"
    );
    let trace_id = body["trace_id"].as_str().expect("trace_id");
    assert_eq!(Some(trace_id), reply.header("request-id"));
    assert_eq!(
        body["correlation_id"], "5b0a2f8e-1d1f-4a8e-9d55-6f0e1f3f1a01",
        "the client's request id"
    );
    let timestamp = body["timestamp"].as_str().expect("timestamp");
    assert!(
        chrono::NaiveDateTime::parse_from_str(timestamp, "%Y-%m-%d %H:%M:%SZ").is_ok(),
        "{timestamp}"
    );
    assert!(
        description.ends_with(&format!(
            "\r\nTrace ID: {trace_id}\r\nCorrelation ID: 5b0a2f8e-1d1f-4a8e-9d55-6f0e1f3f1a01\r\nTimestamp: {timestamp}"
        )),
        "{description:?}"
    );
}

#[tokio::test]
async fn an_app_signs_in_with_its_secret_and_calls_the_api_with_the_token() {
    let dir = tempfile::tempdir().unwrap();
    let tenant = Uuid::new_v4();
    let (client_id, secret) = add_app(
        dir.path(),
        tenant,
        &["LicenseAssignment.Read.All", "reports.read.all"],
    );
    let server = shared_server(dir.path());
    let reply = secret_token(
        &server,
        &tenant.to_string(),
        &client_id,
        &secret,
        GRAPH_DEFAULT,
    )
    .await;
    let token = access_token(&reply);

    let skus = server.get("/v1.0/subscribedSkus", &token).await;
    assert_eq!(skus.status, StatusCode::OK, "{}", skus.text);
    let reports = server
        .get("/v1.0/reports/azureADLicenseUsage", &token)
        .await;
    assert_eq!(reports.status, StatusCode::OK, "{}", reports.text);
    let write = server
        .post(
            "/v1.0/reports/azureADLicenseUsage",
            &token,
            &crate::support::snapshot("2026-11-30T00:00:00Z"),
        )
        .await;
    write.assert_error(403, "Authorization_RequestDenied");

    // The claims, checked with the key the JWKS publishes.
    let keys = server
        .fetch_public(
            &format!("/{tenant}/discovery/v2.0/keys"),
            "application/json",
        )
        .await;
    let set: JwkSet = serde_json::from_str(&keys).expect("a JWKS");
    let header = jsonwebtoken::decode_header(&token).unwrap();
    assert_eq!(header.alg, Algorithm::ES256);
    let jwk = set
        .find(header.kid.as_deref().expect("a kid"))
        .expect("the token's key in the JWKS");
    let mut validation = Validation::new(Algorithm::ES256);
    validation.set_audience(&["https://graph.microsoft.com"]);
    validation.set_issuer(&[format!("https://sts.windows.net/{tenant}/")]);
    let claims =
        jsonwebtoken::decode::<Value>(&token, &DecodingKey::from_jwk(jwk).unwrap(), &validation)
            .expect("the JWKS verifies the token")
            .claims;
    assert_eq!(claims["tid"], tenant.to_string());
    assert_eq!(claims["appid"], client_id);
    assert_eq!(claims["azp"], client_id);
    assert_eq!(claims["idtyp"], "app");
    assert_eq!(claims["app_displayname"], "signin test");
    assert_eq!(
        claims["roles"],
        serde_json::json!(["LicenseAssignment.Read.All", "Reports.Read.All"])
    );
    let lifetime = claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap();
    assert_eq!(lifetime, 3599);

    // Graph's scope by app id, and the secret in HTTP Basic (client_secret_basic), work too.
    let by_id = secret_token(
        &server,
        &tenant.to_string(),
        &client_id,
        &secret,
        "00000003-0000-0000-c000-000000000000/.default",
    )
    .await;
    access_token(&by_id);
    let basic = server
        .client
        .post(server.url(&format!("/{tenant}/oauth2/v2.0/token")))
        .basic_auth(&client_id, Some(&secret))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "grant_type=client_credentials&scope={GRAPH_DEFAULT}"
        ))
        .send()
        .await
        .unwrap();
    access_token(&Reply::from(basic).await);
}

#[tokio::test]
async fn an_app_without_the_permission_is_refused_by_the_api() {
    let dir = tempfile::tempdir().unwrap();
    let tenant = Uuid::new_v4();
    let (client_id, secret) = add_app(dir.path(), tenant, &["Reports.Read.All"]);
    let server = shared_server(dir.path());
    let token = access_token(
        &secret_token(
            &server,
            &tenant.to_string(),
            &client_id,
            &secret,
            GRAPH_DEFAULT,
        )
        .await,
    );
    server
        .get("/v1.0/subscribedSkus", &token)
        .await
        .assert_error(403, "Authorization_RequestDenied");
    server
        .get("/v1.0/users", &token)
        .await
        .assert_error(403, "Authorization_RequestDenied");
}

#[tokio::test]
async fn an_app_signs_in_only_at_its_own_tenant_and_not_once_removed() {
    let dir = tempfile::tempdir().unwrap();
    let (home, other) = (Uuid::new_v4(), Uuid::new_v4());
    let (client_id, secret) = add_app(dir.path(), home, &["Reports.Read.All"]);
    let (_, _) = add_app(dir.path(), other, &["Reports.Read.All"]);
    let server = shared_server(dir.path());

    let elsewhere = secret_token(
        &server,
        &other.to_string(),
        &client_id,
        &secret,
        GRAPH_DEFAULT,
    )
    .await;
    assert_entra_error(&elsewhere, 400, "unauthorized_client", 700016);
    access_token(
        &secret_token(
            &server,
            &home.to_string(),
            &client_id,
            &secret,
            GRAPH_DEFAULT,
        )
        .await,
    );

    // The list names both apps, and no secret.
    let listed = tally(dir.path(), &["app", "list"]);
    assert!(listed.status.success(), "{}", stderr(&listed));
    let listed = String::from_utf8(listed.stdout).unwrap();
    assert!(listed.contains(&client_id), "{listed}");
    assert!(!listed.contains(&secret), "{listed}");
    assert_eq!(listed.lines().count(), 3, "a header and two apps: {listed}");
    let home_only = tally(dir.path(), &["app", "list", "--tenant", &home.to_string()]);
    let home_only = String::from_utf8(home_only.stdout).unwrap();
    assert_eq!(home_only.lines().count(), 2, "{home_only}");
    assert!(home_only.contains("Reports.Read.All"), "{home_only}");

    // Removed while the server runs: the next request is refused.
    let removed = tally(dir.path(), &["app", "remove", "--client-id", &client_id]);
    assert!(removed.status.success(), "{}", stderr(&removed));
    let after = secret_token(
        &server,
        &home.to_string(),
        &client_id,
        &secret,
        GRAPH_DEFAULT,
    )
    .await;
    assert_entra_error(&after, 400, "unauthorized_client", 700016);
    let again = tally(dir.path(), &["app", "remove", "--client-id", &client_id]);
    assert!(!again.status.success(), "removing it twice fails");
}

#[tokio::test]
async fn app_add_takes_only_permissions_tally_knows() {
    let dir = tempfile::tempdir().unwrap();
    let tenant = Uuid::new_v4().to_string();
    let output = tally(
        dir.path(),
        &["app", "add", "--tenant", &tenant, "--role", "Mail.Read"],
    );
    assert!(!output.status.success());
    let message = stderr(&output);
    assert!(
        message.contains("'Mail.Read' is not a permission tally knows")
            && message.contains("Reports.ReadWrite.All"),
        "{message}"
    );
    let none = tally(dir.path(), &["app", "add", "--tenant", &tenant]);
    assert!(!none.status.success(), "a role is required");
}
