//! Minting tokens with the local key (`tally token`, the dashboard link, tests). The claims are
//! shaped like Entra ID's v1 access tokens for Microsoft Graph.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jsonwebtoken::{Algorithm, Header};
use serde::Serialize;
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
    let mut header = Header::new(Algorithm::ES256);
    header.kid = Some(key.kid.clone());
    Ok(jsonwebtoken::encode(&header, &claims, &key.encoding)?)
}
