//! The discovery document and the JWKS: every URL names tally, and the JWK is the local key.

use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use reqwest::StatusCode;
use serde_json::Value;
use uuid::Uuid;

use crate::support::{Reply, TestServer};

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
