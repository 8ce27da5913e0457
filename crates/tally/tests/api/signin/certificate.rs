//! Client assertions signed with an app's certificate (`tally app add --certificate`): RS256
//! naming the certificate by `x5t`, PS256 by `x5t#S256`, and Entra's refusals of assertions
//! for another audience, expired, for another client, forged or naming another certificate.

use jsonwebtoken::Algorithm;
use reqwest::StatusCode;
use serde_json::Value;
use uuid::Uuid;

use super::{
    access_token, assert_entra_error, request_token, secret_token, shared_server, GRAPH_DEFAULT,
};
use crate::import_export::{stderr, tally};
use crate::support::{Reply, TestServer};

const APP_CERT: &str = include_str!("../fixtures/app-cert.pem");
pub(super) const APP_CERT_KEY: &str = include_str!("../fixtures/app-cert-key.pem");
const OTHER_KEY: &str = include_str!("../fixtures/entra-key-b.pem");

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
pub(super) fn assertion(
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

pub(super) fn assertion_claims(audience: &str, client_id: &str, exp_from_now: i64) -> Value {
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

pub(super) async fn assertion_token(
    server: &TestServer,
    tenant: &str,
    client_id: &str,
    jwt: &str,
) -> Reply {
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
