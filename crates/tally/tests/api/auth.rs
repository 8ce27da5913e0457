//! The authorization matrix (SPEC §9, §10): every kind of bad token is a 401 with
//! `WWW-Authenticate: Bearer`, every missing permission a 403 answered before any lookup.
#![allow(clippy::unwrap_used)] // Helpers outside #[test] fns unwrap as freely as tests do.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use p256::elliptic_curve::Generate;
use p256::pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey, LineEnding};
use reqwest::Method;
use serde_json::{json, Value};
use tally_server::auth::TokenRequest;
use uuid::Uuid;

use crate::support::{
    app_token, delegated_token, entity_path, snapshot, unix_now, Reply, TestServer, COLLECTION,
    GLOBAL_ADMINISTRATOR as GA, GLOBAL_READER as GR, READ_ALL as R, READ_WRITE_ALL as RW,
    REPORTS_READER as RR,
};

const BETA_COLLECTION: &str = "/beta/reports/azureADLicenseUsage";
const BETA_REPORT: &str = "/beta/reports/getAzureADLicenseUsage(period='D7')";
const GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";
const VAULT: &str = "https://vault.azure.net";
const PERSONAL_ACCOUNTS: &str = "9188040d-6c67-4c5b-b112-36a304b66dad";

/// Forges tokens for one tenant with a server's own key, or with any other key.
struct Forge {
    key: EncodingKey,
    kid: String,
    tenant: Uuid,
}

impl Forge {
    fn new(server: &TestServer, tenant: Uuid) -> Self {
        let key = EncodingKey::from_ec_pem(server.key_pem().as_bytes()).unwrap();
        let kid = server.kid();
        Self { key, kid, tenant }
    }

    /// Valid application claims with Reports.ReadWrite.All, issued an hour ago for two hours,
    /// with `edits` applied: each sets a claim, or removes it when its value is null.
    fn claims(&self, edits: &[(&str, Value)]) -> Value {
        let (now, tenant) = (unix_now(), self.tenant);
        let mut claims = json!({
            "aud": "https://graph.microsoft.com",
            "iss": format!("https://sts.windows.net/{tenant}/"),
            "iat": now - 3600,
            "nbf": now - 3600,
            "exp": now + 3600,
            "tid": tenant.to_string(),
            "oid": Uuid::new_v4().to_string(),
            "sub": Uuid::new_v4().to_string(),
            "appid": Uuid::new_v4().to_string(),
            "idtyp": "app",
            "ver": "1.0",
            "roles": [RW],
        });
        let object = claims.as_object_mut().unwrap();
        for (name, value) in edits {
            match value {
                Value::Null => object.remove(*name),
                value => object.insert((*name).to_owned(), value.clone()),
            };
        }
        claims
    }

    /// The edited claims signed ES256 with the server's key and kid.
    fn token(&self, edits: &[(&str, Value)]) -> String {
        sign(
            Algorithm::ES256,
            &self.key,
            Some(&self.kid),
            &self.claims(edits),
        )
    }
}

fn sign(alg: Algorithm, key: &EncodingKey, kid: Option<&str>, claims: &Value) -> String {
    let mut header = Header::new(alg);
    header.kid = kid.map(str::to_owned);
    jsonwebtoken::encode(&header, claims, key).unwrap()
}

fn b64_json(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

/// `token` with its payload replaced by `edit(payload)`, header and signature kept.
fn edit_payload(token: &str, edit: impl FnOnce(&mut Value)) -> String {
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "a JWS compact token");
    let mut payload: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    edit(&mut payload);
    format!("{}.{}.{}", parts[0], b64_json(&payload), parts[2])
}

/// Sends `method path` with this raw `Authorization` value (or none), and a valid JSON body
/// for POST and PATCH.
async fn send_raw(server: &TestServer, method: Method, path: &str, auth: Option<&str>) -> Reply {
    let mut request = server.client.request(method.clone(), server.url(path));
    if let Some(value) = auth {
        request = request.header("authorization", value);
    }
    if method == Method::POST || method == Method::PATCH {
        request = request
            .header("content-type", "application/json")
            .body(snapshot("2024-01-01T00:00:00Z").to_string());
    }
    Reply::from(request.send().await.unwrap()).await
}

/// Asserts an error status and code, naming `case` in any failure; answers the message.
fn expect_error<'a>(reply: &'a Reply, status: u16, code: &str, case: &str) -> &'a str {
    let (got, body) = (reply.status.as_u16(), &reply.text);
    assert_eq!(got, status, "{case}: unexpected status; body: {body}");
    assert_eq!(reply.json["error"]["code"], code, "{case}: body: {body}");
    reply.assert_error(status, code)
}

fn expect_status(reply: &Reply, status: u16, case: &str) {
    let body = &reply.text;
    assert_eq!(reply.status.as_u16(), status, "{case}: body: {body}");
}

#[tokio::test]
async fn every_kind_of_bad_token_is_a_401_with_www_authenticate() {
    let server = TestServer::start();
    let (tenant, other) = (Uuid::new_v4(), Uuid::new_v4());
    let forge = Forge::new(&server, tenant);
    let kid = Some(forge.kid.as_str());
    // The baseline forgery is accepted, so each case below fails for its own reason only.
    let baseline = forge.token(&[]);
    let good = format!("Bearer {baseline}");
    let ok = send_raw(&server, Method::GET, COLLECTION, Some(&good)).await;
    expect_status(&ok, 200, "the forged baseline");

    let stranger = p256::SecretKey::try_generate().unwrap();
    let stranger_pem = stranger.to_pkcs8_pem(LineEnding::LF).unwrap();
    let stranger = EncodingKey::from_ec_pem(stranger_pem.as_bytes()).unwrap();
    let public_pem = p256::SecretKey::from_pkcs8_pem(&server.key_pem())
        .unwrap()
        .public_key()
        .to_public_key_pem(LineEnding::LF)
        .unwrap();
    let hmac = EncodingKey::from_secret(public_pem.as_bytes()).unwrap();
    let valid = forge.claims(&[]);
    let foreign = sign(Algorithm::ES256, &stranger, kid, &valid);
    let confused = sign(Algorithm::HS256, &hmac, kid, &valid);
    let unknown_kid = sign(Algorithm::ES256, &forge.key, Some("not-the-key"), &valid);
    let other_v1 = json!(format!("https://sts.windows.net/{other}/"));
    let moved = edit_payload(&baseline, |claims| {
        claims["tid"] = json!(other.to_string());
        claims["iss"] = other_v1.clone();
    });
    let read_only = server.mint(&app_token(tenant, &[R]));
    let raised = edit_payload(&read_only, |claims| claims["roles"] = json!([RW]));
    let none = b64_json(&json!({ "alg": "none", "typ": "JWT" }));
    let none_kid = b64_json(&json!({ "alg": "none", "typ": "JWT", "kid": kid }));
    let unsigned = format!("{none}.{}.", b64_json(&valid));
    let unsigned_kid = format!("{none_kid}.{}.", b64_json(&valid));
    let none_on_signed = format!("{none_kid}.{}", baseline.split_once('.').unwrap().1);
    let es384 = b64_json(&json!({ "alg": "ES384", "typ": "JWT", "kid": kid }));
    let es384 = format!("{es384}.{}", baseline.split_once('.').unwrap().1);
    let two_segments = baseline.rsplit_once('.').unwrap().0;
    let four_segments = format!("{baseline}.x");
    let other_v2 = json!(format!("https://login.microsoftonline.com/{other}/v2.0"));
    let elsewhere = json!(format!("https://sts.example.com/{tenant}/"));
    let not_guid = [
        ("tid", json!("contoso")),
        ("iss", json!("https://sts.windows.net/contoso/")),
    ];
    let token_scheme = format!("Token {baseline}");
    let now = unix_now();
    let (expired, immature) = ([("exp", json!(now - 600))], [("nbf", json!(now + 600))]);

    let raw = |value: &str| Some(value.to_owned());
    let bearer = |token: &str| Some(format!("Bearer {token}"));
    let edited = |edits: &[(&str, Value)]| bearer(&forge.token(edits));
    let cases: Vec<(&str, Option<String>)> = vec![
        ("no Authorization header", None),
        ("an empty Authorization header", raw("")),
        ("the Basic scheme", raw("Basic dXNlcjpwYXNzd29yZA==")),
        ("a valid token, Token scheme", raw(&token_scheme)),
        ("a valid token, no scheme", raw(&baseline)),
        ("Bearer without a token", raw("Bearer")),
        ("malformed: abc", bearer("abc")),
        ("malformed: a.b.c", bearer("a.b.c")),
        ("malformed: signature cut off", bearer(two_segments)),
        ("malformed: four segments", bearer(&four_segments)),
        ("bad signature: other key, same kid", bearer(&foreign)),
        ("payload edited: tid and iss moved", bearer(&moved)),
        ("payload edited: roles raised", bearer(&raised)),
        ("alg none, empty signature", bearer(&unsigned)),
        ("alg none with the kid", bearer(&unsigned_kid)),
        ("alg none on a signed token", bearer(&none_on_signed)),
        ("HS256 keyed with the public PEM", bearer(&confused)),
        ("ES384 header on an ES256 signature", bearer(&es384)),
        ("expired: exp = now - 600", edited(&expired)),
        ("not yet valid: nbf = now + 600", edited(&immature)),
        ("no exp", edited(&[("exp", Value::Null)])),
        ("wrong aud", edited(&[("aud", json!(VAULT))])),
        ("no aud", edited(&[("aud", Value::Null)])),
        ("v1 issuer of another tenant", edited(&[("iss", other_v1)])),
        ("v2 issuer of another tenant", edited(&[("iss", other_v2)])),
        ("issuer of another authority", edited(&[("iss", elsewhere)])),
        ("no iss", edited(&[("iss", Value::Null)])),
        ("no tid", edited(&[("tid", Value::Null)])),
        ("a tid that is not a GUID", edited(&not_guid)),
        ("an unknown kid", bearer(&unknown_kid)),
    ];

    // Reads, writes, /beta, and a bad path: the token is checked before anything else (§10).
    let requests = [
        (Method::GET, COLLECTION),
        (Method::POST, BETA_COLLECTION),
        (Method::DELETE, "/v1.0/nonsense/segment"),
    ];
    for (case, authorization) in &cases {
        for (method, path) in &requests {
            let reply = send_raw(&server, method.clone(), path, authorization.as_deref()).await;
            let case = format!("{case} ({method} {path})");
            expect_error(&reply, 401, "InvalidAuthenticationToken", &case);
            let challenge = reply.header("www-authenticate").unwrap_or_default();
            assert!(challenge.starts_with("Bearer"), "{case}: {challenge:?}");
        }
    }
    // None of them wrote anything.
    let list = send_raw(&server, Method::GET, COLLECTION, Some(&good)).await;
    assert_eq!(list.json["value"], json!([]), "{}", list.text);
}

#[tokio::test]
async fn tokens_within_the_leeway_and_both_issuer_forms_are_accepted() {
    let server = TestServer::start();
    let tenant = Uuid::new_v4();
    let forge = Forge::new(&server, tenant);
    let now = unix_now();
    let v2 = json!(format!("https://login.microsoftonline.com/{tenant}/v2.0"));
    let cases: [(&str, Vec<(&str, Value)>); 4] = [
        (
            "exp = now - 120 (in the leeway)",
            vec![("exp", json!(now - 120))],
        ),
        (
            "nbf = now + 120 (in the leeway)",
            vec![("nbf", json!(now + 120))],
        ),
        ("the v2 issuer", vec![("iss", v2)]),
        ("Graph's app id as aud", vec![("aud", json!(GRAPH_APP_ID))]),
    ];
    for (case, edits) in &cases {
        let token = format!("Bearer {}", forge.token(edits));
        let reply = send_raw(&server, Method::GET, COLLECTION, Some(&token)).await;
        expect_status(&reply, 200, &format!("{case} (GET)"));
        let reply = send_raw(&server, Method::POST, BETA_COLLECTION, Some(&token)).await;
        expect_status(&reply, 201, &format!("{case} (POST /beta)"));
    }
}

/// A token request as a case name, with directory roles by name.
fn describe(request: &TokenRequest) -> String {
    let wids: Vec<&str> = request
        .wids
        .iter()
        .map(|wid| match wid.as_str() {
            GA => "Global Administrator",
            GR => "Global Reader",
            RR => "Reports Reader",
            other => other,
        })
        .collect();
    let (scopes, roles) = (&request.scopes, &request.roles);
    if request.application {
        format!("app roles={roles:?}")
    } else {
        format!("user scp={scopes:?} wids={wids:?} roles={roles:?}")
    }
}

const NONE: (bool, bool) = (false, false);
const READ: (bool, bool) = (true, false);
const BOTH: (bool, bool) = (true, true);

#[tokio::test]
async fn permissions_follow_the_scope_role_and_directory_role_matrix() {
    let server = TestServer::start();
    let t = Uuid::new_v4();
    let user = |scopes: &[&str], wids: &[&str]| delegated_token(t, scopes, wids);
    let app = |roles: &[&str]| app_token(t, roles);
    let mut user_with_roles = user(&[], &[GA]);
    user_with_roles.roles = vec![RW.to_owned()];
    let exchange_admin = "29232cdf-9323-42fd-ade2-1d097af3e4de";
    // (token, (may read, may write))
    let grants: [(TokenRequest, (bool, bool)); 16] = [
        (user(&["User.Read"], &[GA]), NONE),
        (user(&[], &[GA]), NONE),
        (user_with_roles, NONE),
        (user(&[R], &[GA]), READ),
        (user(&[RW], &[]), NONE),
        (user(&[R], &[]), NONE),
        (user(&[RW], &[exchange_admin]), NONE),
        (user(&[R], &[GR]), READ),
        (user(&[R], &[RR]), READ),
        (user(&[RW], &[GR]), READ),
        (user(&["openid", RW], &[RR]), READ),
        (user(&["User.Read", RW], &[GR, GA]), BOTH),
        (app(&[]), NONE),
        (app(&["User.Read.All", "Reports.Read"]), NONE),
        (app(&[R]), READ),
        (app(&[RW]), BOTH),
    ];
    let absent = entity_path(&Uuid::new_v4().to_string());
    let absent_beta = absent.replacen("/v1.0/", "/beta/", 1);
    for (request, (read, write)) in &grants {
        let bearer = format!("Bearer {}", server.mint(request));
        // (method, path, allowed, status when allowed): writes to an object that does not exist
        // are a 403 for those who may not write, since permissions come before any lookup.
        let requests = [
            (Method::GET, COLLECTION, read, 200),
            (Method::GET, BETA_REPORT, read, 200),
            (Method::POST, COLLECTION, write, 201),
            (Method::PATCH, absent.as_str(), write, 404),
            (Method::DELETE, absent_beta.as_str(), write, 404),
        ];
        for (method, path, allowed, status) in requests {
            let case = format!("{} ({method} {path})", describe(request));
            let reply = send_raw(&server, method, path, Some(&bearer)).await;
            if *allowed {
                expect_status(&reply, status, &case);
            } else {
                let message = expect_error(&reply, 403, "Authorization_RequestDenied", &case);
                assert!(message.contains("Reports."), "{case}: {message}");
            }
        }
    }
}

#[tokio::test]
async fn missing_permissions_are_answered_before_the_body_and_the_query() {
    let server = TestServer::start();
    let reader = server.mint(&app_token(Uuid::new_v4(), &[R]));
    let nobody = server.mint(&app_token(Uuid::new_v4(), &[]));
    let request = server
        .client
        .post(server.url(COLLECTION))
        .bearer_auth(&reader);
    let request = request
        .header("content-type", "text/plain")
        .body("not json");
    let reply = Reply::from(request.send().await.unwrap()).await;
    let case = "read-only POST of a text body (403, not 415)";
    expect_error(&reply, 403, "Authorization_RequestDenied", case);
    let reply = server
        .get(&format!("{COLLECTION}?$filter=nonsense(("), &nobody)
        .await;
    let case = "no roles and a bad $filter (403, not 400)";
    expect_error(&reply, 403, "Authorization_RequestDenied", case);
}

#[tokio::test]
async fn personal_accounts_are_refused_with_a_403_that_says_so() {
    let server = TestServer::start();
    let personal = Uuid::parse_str(PERSONAL_ACCOUNTS).unwrap();
    let callers = [
        ("personal app ReadWrite.All", app_token(personal, &[RW])),
        (
            "personal user ReadWrite.All + GA",
            delegated_token(personal, &[RW], &[GA]),
        ),
    ];
    // Refused for reads, writes, /beta, and before the path is looked at (§10's order).
    let requests = [
        (Method::GET, COLLECTION),
        (Method::POST, COLLECTION),
        (Method::GET, BETA_REPORT),
        (Method::GET, "/v1.0/nonsense"),
    ];
    for (caller, request) in &callers {
        let bearer = format!("Bearer {}", server.mint(request));
        for (method, path) in &requests {
            let case = format!("{caller} ({method} {path})");
            let reply = send_raw(&server, method.clone(), path, Some(&bearer)).await;
            let message = expect_error(&reply, 403, "Authorization_RequestDenied", &case);
            assert!(
                message.to_lowercase().contains("personal"),
                "{case}: {message}"
            );
        }
    }
}
