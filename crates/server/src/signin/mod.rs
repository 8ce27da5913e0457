//! Signing in as apps do (SPEC §12.4): an Entra ID-compatible endpoint for OAuth 2.0 client
//! credentials, so an unmodified app using Azure Identity (`ClientSecretCredential` with its
//! authority host pointed at tally) gets tokens from tally. Outside `/v1.0` and `/beta`, and
//! needing no bearer token:
//!
//! - `GET /{tenant}/v2.0/.well-known/openid-configuration` and `GET /{tenant}/discovery/v2.0/keys`
//!   ([`discovery`]): where to ask, and the local key's JWKS;
//! - `POST /{tenant}/oauth2/v2.0/token` ([`token`]): checks the app registered with
//!   `tally app add` (its tenant, its secret's digest: [`secret`], or a client assertion signed
//!   with its certificate: [`certificate`]) and answers a token signed with the local key, which
//!   the API accepts like any other.
//!
//! Refusals are Entra's OAuth 2.0 JSON errors with their `AADSTS` codes ([`error`]).

pub mod certificate;
pub mod discovery;
pub mod error;
pub mod secret;
pub mod token;

use axum::routing::{get, post};
use axum::Router;
use uuid::Uuid;

use crate::state::AppState;

/// The sign-in routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/{tenant}/v2.0/.well-known/openid-configuration",
            get(discovery::openid_configuration),
        )
        .route("/{tenant}/discovery/v2.0/keys", get(discovery::keys))
        .route("/{tenant}/oauth2/v2.0/token", post(token::token))
}

/// The `{tenant}` of a sign-in path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TenantPath {
    Id(Uuid),
    /// `common` or `consumers`: not for client credentials.
    Common,
    /// `organizations`: no tenant named.
    Organizations,
}

impl TenantPath {
    /// A GUID (any of its spellings) or one of Entra's aliases; else `None` (Entra would look it
    /// up as a domain name, which tally has none of).
    pub fn parse(text: &str) -> Option<Self> {
        if text.eq_ignore_ascii_case("common") || text.eq_ignore_ascii_case("consumers") {
            return Some(TenantPath::Common);
        }
        if text.eq_ignore_ascii_case("organizations") {
            return Some(TenantPath::Organizations);
        }
        Uuid::parse_str(text).ok().map(TenantPath::Id)
    }
}

/// Whether `path` is `/{tenant}/oauth2/v2.0/token`, the one sign-in route that takes a body (as
/// the router matches it: any non-empty tenant segment, nothing after `token`).
pub fn is_token_path(path: &str) -> bool {
    let Some(rest) = path.strip_prefix('/') else {
        return false;
    };
    let mut segments = rest.split('/');
    let tenant = segments.next().unwrap_or("");
    !tenant.is_empty() && segments.eq(["oauth2", "v2.0", "token"])
}

/// Whether `path` is one of the sign-in routes (for the metrics' route label).
pub fn route_label(path: &str) -> Option<&'static str> {
    if path.ends_with("/oauth2/v2.0/token") {
        Some("signin_token")
    } else if path.ends_with("/v2.0/.well-known/openid-configuration")
        || path.ends_with("/discovery/v2.0/keys")
    {
        Some("signin_discovery")
    } else {
        None
    }
}
