//! `POST /{tenant}/oauth2/v2.0/token`: OAuth 2.0 client credentials as Entra ID answers them.
//! The form (`application/x-www-form-urlencoded`) names the grant, the app (`client_id`), its
//! credential (`client_secret` in the form or in HTTP Basic, or a `client_assertion` signed with
//! its certificate) and the scope (Microsoft Graph's
//! `/.default`). The checks go in this order: the tenant in the path, the grant type, the app's
//! id, the scope, the app (registered in this tenant, read from the store on every request),
//! its credential. Whatever else the client sends (`client_info`, `x-client-*` headers) is
//! ignored, as Entra ignores what does not apply.

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use tally_store::apps::App;
use uuid::Uuid;

use super::error::{json_headers, SigninError};
use super::{certificate, secret, TenantPath};
use crate::auth::{mint_app_token, AppCredential, AppTokenRequest};
use crate::http::envelope::RequestIds;
use crate::state::AppState;

/// A token's lifetime, and what the answer says of it, as Entra's (`expires_in: 3599`).
pub const LIFETIME_SECONDS: u64 = 3599;

/// The resources whose `/.default` tally issues tokens for: Microsoft Graph, by URL and app id.
const GRAPH_RESOURCES: [&str; 2] = [
    "https://graph.microsoft.com",
    "00000003-0000-0000-c000-000000000000",
];

const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// The parameters tally reads (the first of each, as sent).
#[derive(Default)]
struct Form {
    grant_type: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    client_assertion: Option<String>,
    client_assertion_type: Option<String>,
    scope: Option<String>,
}

impl Form {
    fn parse(headers: &HeaderMap, body: &[u8]) -> Self {
        let mut form = Form::default();
        let is_form = headers
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| {
                value
                    .trim_start()
                    .to_ascii_lowercase()
                    .starts_with("application/x-www-form-urlencoded")
            });
        if !is_form {
            return form;
        }
        for (key, value) in form_urlencoded::parse(body) {
            let slot = match key.as_ref() {
                "grant_type" => &mut form.grant_type,
                "client_id" => &mut form.client_id,
                "client_secret" => &mut form.client_secret,
                "client_assertion" => &mut form.client_assertion,
                "client_assertion_type" => &mut form.client_assertion_type,
                "scope" => &mut form.scope,
                _ => continue,
            };
            if slot.is_none() && !value.is_empty() {
                *slot = Some(value.into_owned());
            }
        }
        form
    }

    /// `client_secret_basic`: `Authorization: Basic base64(id:secret)`, each form-encoded
    /// (RFC 6749 §2.3.1). The form's values win where both are sent.
    fn add_basic(&mut self, headers: &HeaderMap) {
        let Some((scheme, encoded)) = headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.trim().split_once(' '))
        else {
            return;
        };
        if !scheme.eq_ignore_ascii_case("basic") {
            return;
        }
        let Some(decoded) = STANDARD
            .decode(encoded.trim())
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
        else {
            return;
        };
        let Some((id, secret)) = decoded.split_once(':') else {
            return;
        };
        let unescape = |text: &str| -> String {
            form_urlencoded::parse(format!("v={text}").as_bytes())
                .next()
                .map(|(_, value)| value.into_owned())
                .unwrap_or_default()
        };
        if self.client_id.is_none() && !id.is_empty() {
            self.client_id = Some(unescape(id));
        }
        if self.client_secret.is_none() && !secret.is_empty() {
            self.client_secret = Some(unescape(secret));
        }
    }
}

/// The handler: an answer either way.
pub async fn token(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    ids: Option<Extension<RequestIds>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match issue(&state, &tenant, &headers, &body).await {
        Ok(response) => response,
        Err(error) => {
            let ids = ids.map(|Extension(ids)| ids).unwrap_or_default();
            error.render(&ids)
        }
    }
}

async fn issue(
    state: &AppState,
    tenant_text: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Response, SigninError> {
    let tenant = match TenantPath::parse(tenant_text) {
        Some(TenantPath::Id(tenant)) => tenant,
        Some(TenantPath::Common) => return Err(SigninError::tenantless_common()),
        Some(TenantPath::Organizations) => return Err(SigninError::tenantless_organizations()),
        None => {
            return Err(SigninError::tenant_not_found(
                tenant_text,
                "invalid_request",
            ))
        }
    };
    let mut form = Form::parse(headers, body);
    form.add_basic(headers);
    let grant_type = form
        .grant_type
        .as_deref()
        .ok_or_else(|| SigninError::missing("grant_type"))?;
    if grant_type != "client_credentials" {
        return Err(SigninError::unsupported_grant_type(grant_type));
    }
    let client_text = form
        .client_id
        .as_deref()
        .ok_or_else(|| SigninError::missing("client_id"))?;
    let scope = form
        .scope
        .as_deref()
        .ok_or_else(|| SigninError::missing("scope"))?;
    check_scope(scope, tenant)?;
    let client_id = Uuid::parse_str(client_text)
        .map_err(|_| SigninError::unknown_app(client_text, &tenant.to_string()))?;
    let app = lookup(state, tenant, client_id).await?;
    let endpoints = [
        format!(
            "{}/{tenant_text}/oauth2/v2.0/token",
            state.base_url(headers)
        ),
        format!("{}/{tenant}/oauth2/v2.0/token", state.base_url(headers)),
    ];
    let credential = authenticate(&app, &form, &endpoints)?;
    let token = mint_app_token(
        state.verifier.local_key(),
        &AppTokenRequest {
            tenant,
            client_id,
            name: &app.name,
            roles: &app.roles,
            credential,
            lifetime: Duration::from_secs(LIFETIME_SECONDS),
        },
    )
    .map_err(|error| {
        tracing::error!(%error, "signing an app's token failed");
        SigninError::server_error()
    })?;
    let mut response = format!(
        r#"{{"token_type":"Bearer","expires_in":{LIFETIME_SECONDS},"ext_expires_in":{LIFETIME_SECONDS},"access_token":"{token}"}}"#
    )
    .into_response();
    json_headers(&mut response);
    Ok(response)
}

/// Client credentials take exactly one scope, a resource's `/.default`, and tally is one
/// resource: Microsoft Graph.
fn check_scope(scope: &str, tenant: Uuid) -> Result<(), SigninError> {
    let scopes: Vec<&str> = scope.split_whitespace().collect();
    let defaults: Vec<&str> = scopes
        .iter()
        .filter_map(|scope| scope.strip_suffix("/.default"))
        .collect();
    match (scopes.as_slice(), defaults.as_slice()) {
        (_, []) => Err(SigninError::scope_without_default(scope)),
        ([_], [resource]) => {
            let resource = resource.trim_end_matches('/');
            if GRAPH_RESOURCES
                .iter()
                .any(|graph| graph.eq_ignore_ascii_case(resource))
            {
                Ok(())
            } else if resource.is_empty() {
                Err(SigninError::invalid_scope(scope))
            } else {
                Err(SigninError::unknown_resource(resource, &tenant.to_string()))
            }
        }
        _ => Err(SigninError::invalid_scope(scope)),
    }
}

/// The app `client_id` of `tenant`, read now: an app removed a moment ago is refused.
async fn lookup(state: &AppState, tenant: Uuid, client_id: Uuid) -> Result<App, SigninError> {
    match state.store.app(tenant, client_id).await {
        Ok(Some(app)) => Ok(app),
        Ok(None) => Err(SigninError::unknown_app(
            &client_id.to_string(),
            &tenant.to_string(),
        )),
        Err(error) => {
            tracing::error!(%error, "reading an app for a token request failed");
            Err(SigninError::server_error())
        }
    }
}

/// The app's proof: its secret (compared with its digest in constant time), or an assertion
/// signed with its certificate, for this endpoint (`audiences`: its URL as the client named the
/// tenant, and with the tenant's canonical spelling).
fn authenticate(
    app: &App,
    form: &Form,
    audiences: &[String],
) -> Result<AppCredential, SigninError> {
    let client_id = app.client_id.to_string();
    if let Some(secret) = &form.client_secret {
        return if secret::matches(secret, &app.secret_hash) {
            Ok(AppCredential::Secret)
        } else {
            Err(SigninError::invalid_secret(&client_id))
        };
    }
    match (
        &form.client_assertion,
        form.client_assertion_type.as_deref(),
    ) {
        (Some(assertion), Some(JWT_BEARER)) => {
            certificate::verify(assertion, app, audiences)?;
            Ok(AppCredential::Certificate)
        }
        (Some(_), _) => Err(SigninError::missing("client_assertion_type")),
        (None, _) => Err(SigninError::missing_credential()),
    }
}
