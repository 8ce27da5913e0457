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

use crate::import_export::{database_url, stderr, tally};
use crate::support::{Reply, TestServer};

const GRAPH_DEFAULT: &str = "https://graph.microsoft.com/.default";

/// Registers an app with `tally app add`; answers its client id and secret (the two lines it
/// prints, and nothing else).
fn add_app(dir: &Path, tenant: Uuid, roles: &[&str]) -> (String, String) {
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

fn shared_server(dir: &Path) -> TestServer {
    TestServer::start_shared(dir, database_url(dir).as_deref())
}

/// POSTs a token request form, as azure-identity does (with `client_info=1` and x-client-*).
async fn request_token(server: &TestServer, tenant: &str, form: &[(&str, &str)]) -> Reply {
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

async fn secret_token(
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
fn access_token(reply: &Reply) -> String {
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
fn assert_entra_error(reply: &Reply, status: u16, error: &str, code: u64) {
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
async fn refusals_are_entras_errors() {
    let dir = tempfile::tempdir().unwrap();
    let tenant = Uuid::new_v4();
    let (client_id, secret) = add_app(dir.path(), tenant, &["Reports.Read.All"]);
    let server = shared_server(dir.path());
    let at = tenant.to_string();
    let (id, good) = (client_id.as_str(), secret.as_str());

    let wrong = secret_token(&server, &at, id, "not-the-secret", GRAPH_DEFAULT).await;
    assert_entra_error(&wrong, 401, "invalid_client", 7000215);
    let unknown = secret_token(
        &server,
        &at,
        &Uuid::new_v4().to_string(),
        good,
        GRAPH_DEFAULT,
    )
    .await;
    assert_entra_error(&unknown, 400, "unauthorized_client", 700016);
    let not_a_guid = secret_token(&server, &at, "my-app", good, GRAPH_DEFAULT).await;
    assert_entra_error(&not_a_guid, 400, "unauthorized_client", 700016);
    let no_secret = request_token(
        &server,
        &at,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", id),
            ("scope", GRAPH_DEFAULT),
        ],
    )
    .await;
    assert_entra_error(&no_secret, 401, "invalid_client", 7000218);
    let no_default = secret_token(
        &server,
        &at,
        id,
        good,
        "https://graph.microsoft.com/User.Read.All",
    )
    .await;
    assert_entra_error(&no_default, 400, "invalid_scope", 1002012);
    let two = secret_token(&server, &at, id, good, &format!("{GRAPH_DEFAULT} openid")).await;
    assert_entra_error(&two, 400, "invalid_scope", 70011);
    let empty_resource = secret_token(&server, &at, id, good, "/.default").await;
    assert_entra_error(&empty_resource, 400, "invalid_scope", 70011);
    let other = secret_token(
        &server,
        &at,
        id,
        good,
        "https://management.azure.com/.default",
    )
    .await;
    assert_entra_error(&other, 400, "invalid_resource", 500011);
    let password = request_token(
        &server,
        &at,
        &[
            ("grant_type", "password"),
            ("client_id", id),
            ("client_secret", good),
            ("scope", GRAPH_DEFAULT),
        ],
    )
    .await;
    assert_entra_error(&password, 400, "unsupported_grant_type", 70003);
    let no_grant = request_token(&server, &at, &[("client_id", id), ("client_secret", good)]).await;
    assert_entra_error(&no_grant, 400, "invalid_request", 900144);
    let no_scope = request_token(
        &server,
        &at,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", id),
            ("client_secret", good),
        ],
    )
    .await;
    assert_entra_error(&no_scope, 400, "invalid_request", 900144);
    let domain = secret_token(&server, "contoso.onmicrosoft.com", id, good, GRAPH_DEFAULT).await;
    assert_entra_error(&domain, 400, "invalid_request", 90002);
    let common = secret_token(&server, "common", id, good, GRAPH_DEFAULT).await;
    assert_entra_error(&common, 400, "invalid_request", 9001023);
    let organizations = secret_token(&server, "organizations", id, good, GRAPH_DEFAULT).await;
    assert_entra_error(&organizations, 400, "invalid_request", 50059);
    // An assertion, well formed, for an app that has no certificate.
    let audience = format!("{}/{tenant}/oauth2/v2.0/token", server.base);
    let jwt = assertion(
        Algorithm::RS256,
        (Some("shgrdGI4G5CeL3VmiDhSD-y-me8"), None),
        APP_CERT_KEY,
        assertion_claims(&audience, id, 600),
    );
    let assertion = assertion_token(&server, &at, id, &jwt).await;
    assert_entra_error(&assertion, 401, "invalid_client", 700027);

    // None of that stopped the right request.
    access_token(&secret_token(&server, &at, id, good, GRAPH_DEFAULT).await);
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

#[tokio::test]
async fn discovery_points_back_at_tally() {
    let server = TestServer::start();
    let tenant = Uuid::new_v4();
    let document: Value = serde_json::from_str(
        &server
            .fetch_public(
                &format!("/{tenant}/v2.0/.well-known/openid-configuration"),
                "application/json",
            )
            .await,
    )
    .unwrap();
    let root = format!("{}/{tenant}", server.base);
    assert_eq!(
        document["token_endpoint"],
        format!("{root}/oauth2/v2.0/token")
    );
    assert_eq!(document["jwks_uri"], format!("{root}/discovery/v2.0/keys"));
    assert_eq!(document["issuer"], format!("{root}/v2.0"));
    assert_eq!(
        document["authorization_endpoint"],
        format!("{root}/oauth2/v2.0/authorize")
    );
    assert!(document["token_endpoint_auth_methods_supported"]
        .as_array()
        .unwrap()
        .contains(&Value::from("client_secret_post")));

    // `common` has Entra's placeholder issuer; a domain name is not a tenant tally knows.
    let common: Value = serde_json::from_str(
        &server
            .fetch_public(
                "/common/v2.0/.well-known/openid-configuration",
                "application/json",
            )
            .await,
    )
    .unwrap();
    assert_eq!(
        common["issuer"],
        format!("{}/{{tenantid}}/v2.0", server.base)
    );
    let response = server
        .client
        .get(server.url("/contoso.com/v2.0/.well-known/openid-configuration"))
        .send()
        .await
        .unwrap();
    let reply = Reply::from(response).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.json["error"], "invalid_tenant");
    assert_eq!(reply.json["error_codes"], serde_json::json!([90002]));

    let keys: Value = serde_json::from_str(
        &server
            .fetch_public(
                &format!("/{tenant}/discovery/v2.0/keys"),
                "application/json",
            )
            .await,
    )
    .unwrap();
    let keys = keys["keys"].as_array().expect("keys");
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0]["kty"], "EC");
    assert_eq!(keys[0]["crv"], "P-256");
    assert_eq!(keys[0]["alg"], "ES256");
    assert_eq!(keys[0]["use"], "sig");
    assert_eq!(keys[0]["kid"], server.kid());
    // The local key's JWK verifies what `tally token` mints too.
    let jwk: jsonwebtoken::jwk::Jwk = serde_json::from_value(keys[0].clone()).unwrap();
    let minted = server.token(tenant);
    let mut validation = Validation::new(Algorithm::ES256);
    validation.set_audience(&["https://graph.microsoft.com"]);
    jsonwebtoken::decode::<Value>(&minted, &DecodingKey::from_jwk(&jwk).unwrap(), &validation)
        .expect("the JWK is the local key");
}

const APP_CERT: &str = include_str!("fixtures/app-cert.pem");
const APP_CERT_KEY: &str = include_str!("fixtures/app-cert-key.pem");
const OTHER_KEY: &str = include_str!("fixtures/entra-key-b.pem");

/// The certificate's thumbprints, `x5t` (from `tally app list`, which shows it) and `x5t#S256`.
fn sha256_thumbprint() -> String {
    use base64::Engine;
    use sha2::Digest;
    let body: String = APP_CERT
        .lines()
        .filter(|line| !line.starts_with("-----"))
        .collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(body)
        .unwrap();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(der))
}

/// A client assertion: `claims` over the usual ones, signed with `key_pem`.
fn assertion(
    algorithm: Algorithm,
    thumbprint: (Option<&str>, Option<&str>),
    key_pem: &str,
    claims: Value,
) -> String {
    let mut header = jsonwebtoken::Header::new(algorithm);
    header.x5t = thumbprint.0.map(str::to_owned);
    header.x5t_s256 = thumbprint.1.map(str::to_owned);
    let key = jsonwebtoken::EncodingKey::from_rsa_pem(key_pem.as_bytes()).unwrap();
    jsonwebtoken::encode(&header, &claims, &key).unwrap()
}

fn assertion_claims(audience: &str, client_id: &str, exp_from_now: i64) -> Value {
    let now = chrono::Utc::now().timestamp();
    serde_json::json!({
        "aud": audience,
        "iss": client_id,
        "sub": client_id,
        "jti": Uuid::new_v4().to_string(),
        "nbf": now - 60,
        "iat": now - 60,
        "exp": now + exp_from_now,
    })
}

async fn assertion_token(server: &TestServer, tenant: &str, client_id: &str, jwt: &str) -> Reply {
    request_token(
        server,
        tenant,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", client_id),
            (
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ),
            ("client_assertion", jwt),
            ("scope", GRAPH_DEFAULT),
        ],
    )
    .await
}

#[tokio::test]
async fn an_app_signs_in_with_a_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let tenant = Uuid::new_v4();
    let cert_path = dir.path().join("app-cert.pem");
    std::fs::write(&cert_path, APP_CERT).unwrap();
    let output = tally(
        dir.path(),
        &[
            "app",
            "add",
            "--tenant",
            &tenant.to_string(),
            "--role",
            "Reports.Read.All",
            "--certificate",
            cert_path.to_str().unwrap(),
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let stdout = String::from_utf8(output.stdout).unwrap();
    let client_id = stdout
        .trim()
        .strip_prefix("client_id=")
        .unwrap_or_else(|| panic!("only the client id: {stdout}"))
        .to_owned();
    let listed = String::from_utf8(tally(dir.path(), &["app", "list"]).stdout).unwrap();
    let sha1 = listed
        .split("certificate x5t=")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("the thumbprint listed: {listed}"))
        .to_owned();
    let sha256 = sha256_thumbprint();
    let server = shared_server(dir.path());
    let at = tenant.to_string();
    let audience = format!("{}/{tenant}/oauth2/v2.0/token", server.base);
    let id = client_id.as_str();

    // RS256 naming the certificate by x5t, PS256 by x5t#S256.
    let rs256 = assertion(
        Algorithm::RS256,
        (Some(&sha1), None),
        APP_CERT_KEY,
        assertion_claims(&audience, id, 600),
    );
    let token = access_token(&assertion_token(&server, &at, id, &rs256).await);
    let reports = server
        .get("/v1.0/reports/azureADLicenseUsage", &token)
        .await;
    assert_eq!(reports.status, StatusCode::OK, "{}", reports.text);
    let payload = token.split('.').nth(1).unwrap();
    let claims: Value = serde_json::from_slice(
        &base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, payload)
            .unwrap(),
    )
    .unwrap();
    assert_eq!(claims["appidacr"], "2", "a certificate's token");
    let ps256 = assertion(
        Algorithm::PS256,
        (None, Some(&sha256)),
        APP_CERT_KEY,
        assertion_claims(&audience, id, 600),
    );
    access_token(&assertion_token(&server, &at, id, &ps256).await);

    // Refusals.
    let elsewhere = assertion(
        Algorithm::RS256,
        (Some(&sha1), None),
        APP_CERT_KEY,
        assertion_claims(
            "https://login.microsoftonline.com/x/oauth2/v2.0/token",
            id,
            600,
        ),
    );
    assert_entra_error(
        &assertion_token(&server, &at, id, &elsewhere).await,
        400,
        "invalid_request",
        50027,
    );
    let expired = assertion(
        Algorithm::RS256,
        (Some(&sha1), None),
        APP_CERT_KEY,
        assertion_claims(&audience, id, -3600),
    );
    assert_entra_error(
        &assertion_token(&server, &at, id, &expired).await,
        401,
        "invalid_client",
        700024,
    );
    let impostor = assertion(
        Algorithm::RS256,
        (Some(&sha1), None),
        APP_CERT_KEY,
        assertion_claims(&audience, &Uuid::new_v4().to_string(), 600),
    );
    assert_entra_error(
        &assertion_token(&server, &at, id, &impostor).await,
        401,
        "invalid_client",
        700021,
    );
    let forged = assertion(
        Algorithm::RS256,
        (Some(&sha1), None),
        OTHER_KEY,
        assertion_claims(&audience, id, 600),
    );
    assert_entra_error(
        &assertion_token(&server, &at, id, &forged).await,
        401,
        "invalid_client",
        700027,
    );
    let unknown = assertion(
        Algorithm::RS256,
        (Some("AAAAAAAAAAAAAAAAAAAAAAAAAAA"), None),
        APP_CERT_KEY,
        assertion_claims(&audience, id, 600),
    );
    assert_entra_error(
        &assertion_token(&server, &at, id, &unknown).await,
        401,
        "invalid_client",
        700027,
    );
    // An app with a certificate has no secret.
    let guessed = secret_token(&server, &at, id, "", GRAPH_DEFAULT).await;
    assert_entra_error(&guessed, 401, "invalid_client", 7000218);
    let guessed = secret_token(&server, &at, id, "a guess", GRAPH_DEFAULT).await;
    assert_entra_error(&guessed, 401, "invalid_client", 7000215);
}
