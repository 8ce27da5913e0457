//! The token endpoint's refusals, each as Entra sends it: status, OAuth 2.0 code, AADSTS code,
//! and the trace and correlation ids in the body.

use jsonwebtoken::Algorithm;
use uuid::Uuid;

use super::certificate::{assertion, assertion_claims, assertion_token, APP_CERT_KEY};
use super::{
    access_token, add_app, assert_entra_error, request_token, secret_token, shared_server,
    GRAPH_DEFAULT,
};

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
