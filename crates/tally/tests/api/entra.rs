//! SPEC §9 with Entra ID tokens: RS256 tokens checked against a JWKS shaped like Entra ID's and
//! served over HTTP by the test (`--jwks-url`), key rotation, the refresh rate limit, every kind
//! of bad token, the permission gaps, and tenant isolation on every route.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::support::{
    entity_path, snapshot, unix_now, Reply, TestServer, COLLECTION, GLOBAL_ADMINISTRATOR,
    GLOBAL_READER, READ_ALL, READ_WRITE_ALL,
};

const KEY_A: &str = include_str!("fixtures/entra-key-a.pem");
const KEY_B: &str = include_str!("fixtures/entra-key-b.pem");
const PUBLIC_A: &str = include_str!("fixtures/entra-key-a.pub.pem");
const JWKS_A: &str = include_str!("fixtures/entra-jwks-a.json");
const JWKS_B: &str = include_str!("fixtures/entra-jwks-b.json");
const PERSONAL: &str = "9188040d-6c67-4c5b-b112-36a304b66dad";
const CUSTOM_AUDIENCE: &str = "api://tally-test";

/// A JWKS endpoint the test controls, counting how often tally fetches it.
struct JwksServer {
    url: String,
    body: Arc<RwLock<String>>,
    fetches: Arc<AtomicUsize>,
}

impl JwksServer {
    async fn start(body: String) -> Self {
        let body = Arc::new(RwLock::new(body));
        let fetches = Arc::new(AtomicUsize::new(0));
        let (served, counted) = (body.clone(), fetches.clone());
        let app = axum::Router::new().route(
            "/keys",
            axum::routing::get(move || {
                counted.fetch_add(1, Ordering::SeqCst);
                let body = served.read().unwrap().clone();
                async move { ([("content-type", "application/json")], body) }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/keys", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self { url, body, fetches }
    }

    /// Both keys' JWKS entries in one document.
    fn both() -> String {
        let a: Value = serde_json::from_str(JWKS_A).unwrap();
        let b: Value = serde_json::from_str(JWKS_B).unwrap();
        json!({ "keys": [a["keys"][0], b["keys"][0]] }).to_string()
    }
}

/// Claims of an Entra ID v2 application token for `tenant` with full rights.
fn claims(tenant: &str) -> Value {
    json!({
        "aud": "https://graph.microsoft.com",
        "iss": format!("https://login.microsoftonline.com/{tenant}/v2.0"),
        "iat": unix_now(), "nbf": unix_now(), "exp": unix_now() + 3600,
        "tid": tenant, "oid": Uuid::new_v4().to_string(), "azp": "11111111-0000-0000-0000-000000000001",
        "roles": [READ_WRITE_ALL], "ver": "2.0", "idtyp": "app"
    })
}

fn sign(claims: &Value, pem: &str, kid: &str) -> String {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(kid.to_owned());
    jsonwebtoken::encode(
        &header,
        claims,
        &EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap(),
    )
    .unwrap()
}

fn signed_a(claims: &Value) -> String {
    sign(claims, KEY_A, "entra-test-key-a")
}

/// An unsigned token with the given header.
fn unsigned(header: Value, claims: &Value) -> String {
    let part = |value: &Value| URL_SAFE_NO_PAD.encode(value.to_string());
    format!("{}.{}.", part(&header), part(claims))
}

/// HS256 with the RSA public key's PEM as the HMAC secret: the classic key-confusion forgery.
fn hs256_with_public_key(claims: &Value) -> String {
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some("entra-test-key-a".into());
    let secret = EncodingKey::from_secret(PUBLIC_A.as_bytes()).unwrap();
    jsonwebtoken::encode(&header, claims, &secret).unwrap()
}

async fn start(jwks: &JwksServer) -> TestServer {
    TestServer::builder()
        .flags(&["--jwks-url", &jwks.url, "--audience", CUSTOM_AUDIENCE])
        .start()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entra_tokens_are_checked_like_graph_checks_them() {
    let jwks = JwksServer::start(JWKS_A.to_owned()).await;
    let server = start(&jwks).await;
    let tenant = Uuid::new_v4().to_string();
    let with = |change: &dyn Fn(&mut Value)| {
        let mut value = claims(&tenant);
        change(&mut value);
        value
    };
    let delegated = |scp: &str, wids: &[&str]| {
        with(&|claims: &mut Value| {
            claims.as_object_mut().unwrap().remove("roles");
            claims["scp"] = json!(scp);
            claims["wids"] = json!(wids);
            claims["idtyp"] = json!("user");
        })
    };
    let other_tenant = Uuid::new_v4().to_string();
    let cases: Vec<(&str, String, Method, u16)> = vec![
        (
            "a valid application token",
            signed_a(&claims(&tenant)),
            Method::GET,
            200,
        ),
        (
            "a valid application token writes",
            signed_a(&claims(&tenant)),
            Method::POST,
            201,
        ),
        (
            "the v1 issuer",
            signed_a(&with(&|c| {
                c["iss"] = json!(format!("https://sts.windows.net/{tenant}/"))
            })),
            Method::GET,
            200,
        ),
        (
            "the configured audience",
            signed_a(&with(&|c| c["aud"] = json!(CUSTOM_AUDIENCE))),
            Method::GET,
            200,
        ),
        (
            "Graph's app id as audience",
            signed_a(&with(&|c| {
                c["aud"] = json!("00000003-0000-0000-c000-000000000000")
            })),
            Method::GET,
            200,
        ),
        (
            "alg none",
            unsigned(
                json!({"alg": "none", "kid": "entra-test-key-a"}),
                &claims(&tenant),
            ),
            Method::GET,
            401,
        ),
        (
            "HS256 signed with the RSA public key",
            hs256_with_public_key(&claims(&tenant)),
            Method::GET,
            401,
        ),
        (
            "an unknown kid",
            sign(&claims(&tenant), KEY_B, "entra-test-key-b"),
            Method::GET,
            401,
        ),
        (
            "key B posing as key A",
            sign(&claims(&tenant), KEY_B, "entra-test-key-a"),
            Method::GET,
            401,
        ),
        (
            "expired beyond the leeway",
            signed_a(&with(&|c| c["exp"] = json!(unix_now() - 600))),
            Method::GET,
            401,
        ),
        (
            "nbf in the future",
            signed_a(&with(&|c| c["nbf"] = json!(unix_now() + 600))),
            Method::GET,
            401,
        ),
        (
            "a wrong audience",
            signed_a(&with(&|c| c["aud"] = json!("https://management.azure.com"))),
            Method::GET,
            401,
        ),
        (
            "an issuer of another tenant",
            signed_a(&with(&|c| {
                c["iss"] = json!(format!(
                    "https://login.microsoftonline.com/{other_tenant}/v2.0"
                ))
            })),
            Method::GET,
            401,
        ),
        (
            "an issuer of another authority",
            signed_a(&with(&|c| {
                c["iss"] = json!(format!("https://evil.example/{tenant}/v2.0"))
            })),
            Method::GET,
            401,
        ),
        (
            "no tid",
            signed_a(&with(&|c| {
                c.as_object_mut().unwrap().remove("tid");
            })),
            Method::GET,
            401,
        ),
        (
            "a personal account",
            signed_a(&{
                let mut value = claims(PERSONAL);
                value["iss"] = json!(format!("https://login.microsoftonline.com/{PERSONAL}/v2.0"));
                value
            }),
            Method::GET,
            403,
        ),
        (
            "an application without roles",
            signed_a(&with(&|c| c["roles"] = json!([]))),
            Method::GET,
            403,
        ),
        (
            "an application that may only read, writing",
            signed_a(&with(&|c| c["roles"] = json!([READ_ALL]))),
            Method::POST,
            403,
        ),
        (
            "an application that may only read, reading",
            signed_a(&with(&|c| c["roles"] = json!([READ_ALL]))),
            Method::GET,
            200,
        ),
        (
            "a user without the scope",
            signed_a(&delegated("User.Read", &[GLOBAL_ADMINISTRATOR])),
            Method::GET,
            403,
        ),
        (
            "a user with the scope but no role",
            signed_a(&delegated(READ_ALL, &[])),
            Method::GET,
            403,
        ),
        (
            "a Global Reader reading",
            signed_a(&delegated(READ_ALL, &[GLOBAL_READER])),
            Method::GET,
            200,
        ),
        (
            "a Global Reader writing",
            signed_a(&delegated(READ_WRITE_ALL, &[GLOBAL_READER])),
            Method::POST,
            403,
        ),
        (
            "a Global Administrator with the read scope, writing",
            signed_a(&delegated(READ_ALL, &[GLOBAL_ADMINISTRATOR])),
            Method::POST,
            403,
        ),
        (
            "a Global Administrator writing",
            signed_a(&delegated(READ_WRITE_ALL, &[GLOBAL_ADMINISTRATOR])),
            Method::POST,
            201,
        ),
    ];
    for (case, token, method, expected) in cases {
        let body = (method == Method::POST).then(|| snapshot("2025-01-01T00:00:00Z"));
        let reply = server
            .send(method, COLLECTION, Some(&token), body.as_ref())
            .await;
        assert_eq!(reply.status.as_u16(), expected, "{case}: {}", reply.text);
        match expected {
            401 => {
                reply.assert_error(401, "InvalidAuthenticationToken");
                assert_eq!(reply.header("www-authenticate"), Some("Bearer"), "{case}");
            }
            403 => {
                let message = reply.assert_error(403, "Authorization_RequestDenied");
                if case == "a personal account" {
                    assert!(message.contains("Personal"), "{message}");
                }
            }
            _ => {}
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotated_keys_are_honoured_and_unknown_kids_cannot_hammer_the_source() {
    let jwks = JwksServer::start(JWKS_A.to_owned()).await;
    let server = start(&jwks).await;
    let tenant = Uuid::new_v4().to_string();
    assert_eq!(
        jwks.fetches.load(Ordering::SeqCst),
        1,
        "loaded once at start-up"
    );
    assert_eq!(
        server
            .get(COLLECTION, &signed_a(&claims(&tenant)))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(jwks.fetches.load(Ordering::SeqCst), 1, "cached");

    // Entra ID publishes the next key before signing with it.
    *jwks.body.write().unwrap() = JwksServer::both();
    let token_b = sign(&claims(&tenant), KEY_B, "entra-test-key-b");
    assert_eq!(
        server.get(COLLECTION, &token_b).await.status,
        StatusCode::OK,
        "the new key, fetched on its first use"
    );
    assert_eq!(jwks.fetches.load(Ordering::SeqCst), 2);

    for attempt in 0..20 {
        let forged = sign(&claims(&tenant), KEY_B, &format!("forged-{attempt}"));
        server
            .get(COLLECTION, &forged)
            .await
            .assert_error(401, "InvalidAuthenticationToken");
    }
    assert_eq!(
        jwks.fetches.load(Ordering::SeqCst),
        2,
        "no refresh for unknown kids within the interval of the last one"
    );
    assert_eq!(
        server
            .get(COLLECTION, &signed_a(&claims(&tenant)))
            .await
            .status,
        StatusCode::OK,
        "the old key still verifies"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entra_tenants_never_see_each_other_on_any_route() {
    let jwks = JwksServer::start(JWKS_A.to_owned()).await;
    let server = start(&jwks).await;
    let (owner, prober) = (Uuid::new_v4().to_string(), Uuid::new_v4().to_string());
    let owner_token = signed_a(&claims(&owner));
    let probe = signed_a(&claims(&prober));
    let mut ids = Vec::new();
    for day in 1..=3 {
        let recent = chrono::Utc::now() - chrono::Duration::days(day);
        ids.push(
            server
                .create(
                    &owner_token,
                    &snapshot(&recent.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
                )
                .await,
        );
    }
    let id = &ids[0];
    let before = server.get(&entity_path(id), &owner_token).await.text;

    for (method, path) in [
        (Method::GET, entity_path(id)),
        (Method::PATCH, entity_path(id)),
        (Method::DELETE, entity_path(id)),
    ] {
        let body = (method == Method::PATCH)
            .then(|| json!({ "snapshotDateTime": "2030-01-01T00:00:00Z" }));
        server
            .send(method, &path, Some(&probe), body.as_ref())
            .await
            .assert_error(404, "Request_ResourceNotFound");
    }
    let list = server
        .get(&format!("{COLLECTION}?$count=true"), &probe)
        .await;
    assert_eq!(
        (
            list.json["value"].clone(),
            list.json["@odata.count"].clone()
        ),
        (json!([]), json!(0))
    );
    assert_eq!(
        server
            .get(&format!("{COLLECTION}/$count"), &probe)
            .await
            .text,
        "0"
    );
    let report = server
        .get("/v1.0/reports/getAzureADLicenseUsage(period='D7')", &probe)
        .await;
    assert_eq!(report.json["value"], json!([]));
    let first = server
        .get(&format!("{COLLECTION}?$top=1"), &owner_token)
        .await;
    let next = first.json["@odata.nextLink"].as_str().unwrap();
    let followed = Reply::from(
        server
            .client
            .get(next)
            .bearer_auth(&probe)
            .send()
            .await
            .unwrap(),
    )
    .await;
    followed.assert_error(400, "BadRequest");
    let batch = server
        .post(
            "/v1.0/$batch",
            &probe,
            &json!({ "requests": [
        { "id": "1", "method": "GET", "url": format!("/reports/azureADLicenseUsage/{id}") },
        { "id": "2", "method": "GET", "url": "/reports/azureADLicenseUsage" },
    ] }),
        )
        .await;
    assert_eq!(batch.json["responses"][0]["status"], 404);
    assert_eq!(batch.json["responses"][1]["body"]["value"], json!([]));
    for text in [&list.text, &report.text, &followed.text, &batch.text] {
        for id in &ids {
            assert!(
                !text.contains(id.as_str()) || text == &batch.text,
                "a leak of {id}: {text}"
            );
        }
    }
    assert_eq!(
        server.get(&entity_path(id), &owner_token).await.text,
        before,
        "the owner's object is intact"
    );
}
