//! The OpenID Connect discovery document and the JWKS, shaped as Entra ID's v2.0 ones, with
//! every URL pointing back at tally (from `--public-url` or the request's Host, as nextLinks
//! are built), so Azure Identity / MSAL, given tally as the authority host, asks tally for its
//! tokens.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Extension;
use serde_json::json;

use super::error::{json_headers, SigninError};
use super::TenantPath;
use crate::http::envelope::RequestIds;
use crate::state::AppState;

/// `GET /{tenant}/v2.0/.well-known/openid-configuration`.
pub async fn openid_configuration(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    ids: Option<Extension<RequestIds>>,
    headers: HeaderMap,
) -> Response {
    let Some(parsed) = TenantPath::parse(&tenant) else {
        let ids = ids.map(|Extension(ids)| ids).unwrap_or_default();
        return SigninError::tenant_not_found(&tenant, "invalid_tenant").render(&ids);
    };
    let base = state.base_url(&headers);
    // As Entra: the tenant's own document names it; the aliases' documents carry a placeholder.
    let (path_tenant, issuer_tenant) = match parsed {
        TenantPath::Id(id) => (id.to_string(), id.to_string()),
        TenantPath::Common | TenantPath::Organizations => {
            (tenant.to_ascii_lowercase(), "{tenantid}".to_owned())
        }
    };
    let root = format!("{base}/{path_tenant}");
    let document = json!({
        "token_endpoint": format!("{root}/oauth2/v2.0/token"),
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "jwks_uri": format!("{root}/discovery/v2.0/keys"),
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["ES256"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": format!("{base}/{issuer_tenant}/v2.0"),
        "request_uri_parameter_supported": false,
        "userinfo_endpoint": "https://graph.microsoft.com/oidc/userinfo",
        "authorization_endpoint": format!("{root}/oauth2/v2.0/authorize"),
        "device_authorization_endpoint": format!("{root}/oauth2/v2.0/devicecode"),
        "http_logout_supported": true,
        "frontchannel_logout_supported": true,
        "end_session_endpoint": format!("{root}/oauth2/v2.0/logout"),
        "claims_supported": [
            "sub", "iss", "cloud_instance_name", "cloud_instance_host_name",
            "cloud_graph_host_name", "msgraph_host", "aud", "exp", "iat", "auth_time", "acr",
            "nonce", "preferred_username", "name", "tid", "ver", "at_hash", "c_hash", "email"
        ],
        "kerberos_endpoint": format!("{root}/kerberos"),
        "tenant_region_scope": "NA",
        "cloud_instance_name": "microsoftonline.com",
        "cloud_graph_host_name": "graph.windows.net",
        "msgraph_host": "graph.microsoft.com",
        "rbac_url": "https://pas.windows.net",
    });
    let mut response = document.to_string().into_response();
    json_headers(&mut response);
    response
}

/// `GET /{tenant}/discovery/v2.0/keys`: the local key, the one that signs every token tally
/// issues (Entra publishes one set for all tenants; so does tally).
pub async fn keys(State(state): State<AppState>) -> Response {
    let set = json!({ "keys": [state.verifier.local_key().public_jwk()] });
    let mut response = set.to_string().into_response();
    json_headers(&mut response);
    response
}
