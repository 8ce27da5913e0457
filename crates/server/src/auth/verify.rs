//! Validating a request's bearer token: signature with the right key and algorithm, lifetime
//! (5 minutes of leeway), audience, an issuer bound to the `tid` claim, then the grant.

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, Validation};
use serde::Deserialize;
use uuid::Uuid;

use super::jwks::{Jwks, TrustedKey};
use super::keys::LocalKey;
use super::principal::{Grant, Principal};
use super::{GRAPH_AUDIENCES, PERSONAL_ACCOUNTS_TENANT};
use crate::error::ApiError;

const LEEWAY_SECONDS: u64 = 300;
/// Verified tokens remembered at most (a full cache is emptied: bounded, and rare).
const CACHE_ENTRIES: usize = 4096;
/// How long a verified token is trusted without checking its signature again, at most: a key
/// removed from the JWKS stops being honoured within this time.
const CACHE_SECONDS: u64 = 60;

/// A verified token's caller and lifetime, so a client that reuses its token (all of them) pays
/// for the ECDSA/RSA check once a minute instead of on every request.
#[derive(Clone)]
struct Verified {
    principal: Principal,
    exp: u64,
    nbf: Option<u64>,
    until: u64,
}

fn now_seconds() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| since.as_secs())
}

/// Checks tokens against the keys tally trusts: the local key, and Entra ID's when configured.
pub struct Verifier {
    local: LocalKey,
    jwks: Option<Jwks>,
    audiences: Vec<String>,
    cache: std::sync::Mutex<std::collections::HashMap<String, Verified>>,
}

#[derive(Deserialize)]
struct Claims {
    iss: String,
    #[serde(default)]
    exp: Option<u64>,
    #[serde(default)]
    nbf: Option<u64>,
    tid: Option<String>,
    appid: Option<String>,
    azp: Option<String>,
    scp: Option<String>,
    #[serde(default)]
    roles: Vec<String>,
    #[serde(default)]
    wids: Vec<String>,
}

impl Verifier {
    /// A verifier for the local key, Graph's audiences, and no JWKS.
    pub fn new(local: LocalKey) -> Self {
        Self::with_entra(local, None, Vec::new())
    }

    /// Also trusts `jwks` (Entra ID's keys) and, besides Graph's, the `audiences` configured.
    pub fn with_entra(local: LocalKey, jwks: Option<Jwks>, audiences: Vec<String>) -> Self {
        let mut all: Vec<String> = GRAPH_AUDIENCES.iter().map(|aud| aud.to_string()).collect();
        all.extend(audiences);
        Self {
            local,
            jwks,
            audiences: all,
            cache: std::sync::Mutex::new(std::collections::HashMap::new()),
        }
    }

    fn validation(&self, algorithm: Algorithm) -> Validation {
        let mut validation = Validation::new(algorithm);
        validation.leeway = LEEWAY_SECONDS;
        validation.validate_nbf = true;
        validation.set_audience(&self.audiences);
        validation.set_required_spec_claims(&["exp", "aud", "iss"]);
        validation
    }

    /// The key a token's `kid` names: the local key (also for a token without a kid when no
    /// JWKS is configured), or a JWKS key.
    async fn key_for(&self, kid: Option<&str>) -> Option<TrustedKey> {
        match (kid, &self.jwks) {
            (Some(kid), _) if kid == self.local.kid => Some(self.local_trusted()),
            (None, None) => Some(self.local_trusted()),
            (Some(kid), Some(jwks)) => jwks.key(kid).await,
            _ => None,
        }
    }

    fn local_trusted(&self) -> TrustedKey {
        TrustedKey {
            key: self.local.decoding.clone(),
            algorithm: Algorithm::ES256,
        }
    }

    /// The local key (to mint dashboard tokens and derive other keys).
    pub fn local_key(&self) -> &LocalKey {
        &self.local
    }

    /// Validates the `Authorization` header's value into the caller.
    pub async fn verify(&self, authorization: Option<&str>) -> Result<Principal, ApiError> {
        let value = authorization
            .map(str::trim)
            .filter(|value| !value.is_empty())
            .ok_or_else(|| ApiError::unauthenticated("Access token is empty."))?;
        let token = value
            .split_once(' ')
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim())
            .ok_or_else(|| {
                ApiError::unauthenticated(
                    "The Authorization header must have the form 'Bearer <token>'.",
                )
            })?;
        let now = now_seconds();
        if let Some(verified) = self.cached(token, now) {
            return Ok(verified);
        }
        let header = jsonwebtoken::decode_header(token).map_err(|_| {
            ApiError::unauthenticated(
                "Access token validation failure: the token is not a well-formed JWT.",
            )
        })?;
        let trusted = self.key_for(header.kid.as_deref()).await.ok_or_else(|| {
            ApiError::unauthenticated(
                "Access token validation failure: the token was signed with an unknown key (kid).",
            )
        })?;
        let data = jsonwebtoken::decode::<Claims>(
            token,
            &trusted.key,
            &self.validation(trusted.algorithm),
        )
        .map_err(|error| ApiError::unauthenticated(describe(error.kind())))?;
        let (exp, nbf) = (data.claims.exp.unwrap_or(0), data.claims.nbf);
        let principal = principal(data.claims)?;
        if let Ok(mut cache) = self.cache.lock() {
            if cache.len() >= CACHE_ENTRIES {
                cache.clear();
            }
            cache.insert(
                token.to_owned(),
                Verified {
                    principal: principal.clone(),
                    exp,
                    nbf,
                    until: now + CACHE_SECONDS,
                },
            );
        }
        Ok(principal)
    }

    /// The caller of a token verified in the last minute, if it is still within its lifetime
    /// (with the same leeway as the full check).
    fn cached(&self, token: &str, now: u64) -> Option<Principal> {
        let mut cache = self.cache.lock().ok()?;
        let verified = cache.get(token)?;
        let live = now <= verified.until
            && now <= verified.exp.saturating_add(LEEWAY_SECONDS)
            && verified
                .nbf
                .is_none_or(|nbf| nbf <= now.saturating_add(LEEWAY_SECONDS));
        if live {
            Some(verified.principal.clone())
        } else {
            cache.remove(token);
            None
        }
    }
}

fn describe(kind: &ErrorKind) -> &'static str {
    match kind {
        ErrorKind::ExpiredSignature => "Lifetime validation failed, the token is expired.",
        ErrorKind::ImmatureSignature => {
            "Lifetime validation failed, the token is not yet valid (nbf)."
        }
        ErrorKind::InvalidAudience => "Access token validation failure. Invalid audience.",
        ErrorKind::InvalidSignature => "Access token validation failure: the signature is invalid.",
        ErrorKind::InvalidAlgorithm
        | ErrorKind::InvalidAlgorithmName
        | ErrorKind::InvalidKeyFormat => {
            "Access token validation failure: the token's algorithm does not match its key."
        }
        ErrorKind::MissingRequiredClaim(_) => {
            "Access token validation failure: a required claim (exp, aud, iss) is missing."
        }
        _ => "Access token validation failure: the token is not a well-formed JWT.",
    }
}

/// The caller named by validated claims: the tenant from `tid`, bound to the issuer.
fn principal(claims: Claims) -> Result<Principal, ApiError> {
    let tid = claims.tid.ok_or_else(|| {
        ApiError::unauthenticated("Access token validation failure: the token has no tid claim.")
    })?;
    let tenant = Uuid::parse_str(&tid).map_err(|_| {
        ApiError::unauthenticated("Access token validation failure: the tid claim is not a GUID.")
    })?;
    let tenant_text = tenant.to_string();
    let issuers = [
        format!("https://sts.windows.net/{tenant_text}/"),
        format!("https://login.microsoftonline.com/{tenant_text}/v2.0"),
    ];
    if !issuers
        .iter()
        .any(|issuer| issuer.eq_ignore_ascii_case(&claims.iss))
    {
        return Err(ApiError::unauthenticated(
            "Access token validation failure. Invalid issuer.",
        ));
    }
    if tenant_text == PERSONAL_ACCOUNTS_TENANT {
        return Err(ApiError::forbidden(
            "Personal Microsoft accounts are not supported by this API; use a work or school account.",
        ));
    }
    let grant = match claims.scp {
        Some(scp) => Grant::Delegated {
            scopes: scp.split_whitespace().map(str::to_owned).collect(),
            wids: claims.wids,
        },
        None => Grant::Application {
            roles: claims.roles,
        },
    };
    let app_id = claims.appid.or(claims.azp).unwrap_or_default();
    Ok(Principal {
        tenant,
        app_id,
        grant,
    })
}
