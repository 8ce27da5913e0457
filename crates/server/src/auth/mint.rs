//! Minting tokens with the local key (`tally token`, the dashboard link, tests). The claims are
//! shaped like Entra ID's v1 access tokens for Microsoft Graph.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{Algorithm, Header};
use p256::ecdsa::signature::Signer;
use serde::Serialize;
use sha2::Digest;
use uuid::Uuid;

use super::keys::LocalKey;
use super::GRAPH_AUDIENCES;

/// What a minted token says.
#[derive(Clone, Debug)]
pub struct TokenRequest {
    pub tenant: Uuid,
    /// Delegated scopes (`scp`); ignored for application tokens.
    pub scopes: Vec<String>,
    /// Application roles (`roles`).
    pub roles: Vec<String>,
    /// Directory role template ids (`wids`).
    pub wids: Vec<String>,
    /// An application token (roles) rather than a delegated one (scopes and wids).
    pub application: bool,
    pub lifetime: Duration,
}

#[derive(Serialize)]
struct Claims<'a> {
    aud: &'a str,
    iss: String,
    iat: u64,
    nbf: u64,
    exp: u64,
    tid: String,
    oid: String,
    sub: String,
    appid: &'a str,
    idtyp: &'a str,
    ver: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    scp: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    roles: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    wids: Vec<String>,
}

/// The application id that local tokens carry in `appid`.
pub const LOCAL_APP_ID: &str = "7a11e000-0000-4000-8000-000000000001";

/// Signs a token for `request` with the local key.
pub fn mint_token(key: &LocalKey, request: &TokenRequest) -> anyhow::Result<String> {
    let now = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs();
    let subject = Uuid::new_v4().to_string();
    let claims = Claims {
        aud: GRAPH_AUDIENCES[0],
        iss: format!("https://sts.windows.net/{}/", request.tenant),
        iat: now,
        nbf: now,
        exp: now + request.lifetime.as_secs(),
        tid: request.tenant.to_string(),
        oid: subject.clone(),
        sub: subject,
        appid: LOCAL_APP_ID,
        idtyp: if request.application { "app" } else { "user" },
        ver: "1.0",
        scp: (!request.application).then(|| request.scopes.join(" ")),
        roles: request.roles.clone(),
        wids: if request.application {
            Vec::new()
        } else {
            request.wids.clone()
        },
    };
    sign(key, &claims)
}

/// How an app proved who it is: Entra's `appidacr`/`azpacr` (1: a secret, 2: a certificate).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AppCredential {
    Secret,
    Certificate,
}

/// What the sign-in endpoint's token for an app says (SPEC §12.4).
#[derive(Clone, Debug)]
pub struct AppTokenRequest<'a> {
    pub tenant: Uuid,
    pub client_id: Uuid,
    pub name: &'a str,
    pub roles: &'a [String],
    pub credential: AppCredential,
    pub lifetime: Duration,
}

/// The claims of an application token as Entra ID issues them for Microsoft Graph (a v1 token:
/// Graph asks for those), less what tally has no notion of (`rh`, `uti`, `xms_*`).
#[derive(Serialize)]
struct AppClaims<'a> {
    aud: &'a str,
    iss: &'a str,
    iat: u64,
    nbf: u64,
    exp: u64,
    app_displayname: &'a str,
    appid: &'a str,
    appidacr: &'a str,
    azp: &'a str,
    azpacr: &'a str,
    idp: &'a str,
    idtyp: &'a str,
    oid: &'a str,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    roles: &'a [String],
    sub: &'a str,
    tid: &'a str,
    ver: &'a str,
}

/// The app's service principal id (`oid`, `sub`): stable for an app, as Entra's is, derived
/// from its client id since tally keeps no separate object.
fn service_principal(client_id: Uuid) -> Uuid {
    let digest = sha2::Sha256::digest(format!("tally service principal {client_id}"));
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}

/// Signs an app's token with the local key.
pub fn mint_app_token(key: &LocalKey, request: &AppTokenRequest<'_>) -> anyhow::Result<String> {
    let now = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs();
    let tenant = request.tenant.to_string();
    let issuer = format!("https://sts.windows.net/{tenant}/");
    let client_id = request.client_id.to_string();
    let object = service_principal(request.client_id).to_string();
    let acr = match request.credential {
        AppCredential::Secret => "1",
        AppCredential::Certificate => "2",
    };
    let claims = AppClaims {
        aud: GRAPH_AUDIENCES[0],
        iss: &issuer,
        iat: now,
        nbf: now,
        exp: now + request.lifetime.as_secs(),
        app_displayname: request.name,
        appid: &client_id,
        appidacr: acr,
        azp: &client_id,
        azpacr: acr,
        idp: &issuer,
        idtyp: "app",
        oid: &object,
        roles: request.roles,
        sub: &object,
        tid: &tenant,
        ver: "1.0",
    };
    sign(key, &claims)
}

/// A compact JWS of `claims`, ES256 with the local key's `kid` (JWS's ES256 signature is the
/// fixed 64 bytes r‖s, which `p256::ecdsa::Signature` is).
fn sign(key: &LocalKey, claims: &impl Serialize) -> anyhow::Result<String> {
    let mut header = Header::new(Algorithm::ES256);
    header.kid = Some(key.kid.clone());
    let mut token = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&header)?);
    token.push('.');
    URL_SAFE_NO_PAD.encode_string(serde_json::to_vec(claims)?, &mut token);
    let signature: p256::ecdsa::Signature = key.signing.sign(token.as_bytes());
    token.push('.');
    URL_SAFE_NO_PAD.encode_string(signature.to_bytes(), &mut token);
    Ok(token)
}
