//! The sign-in endpoint's errors as Entra ID sends them (OAuth 2.0's JSON error, with `AADSTS`
//! codes): `{"error","error_description","error_codes","timestamp","trace_id","correlation_id",
//! "error_uri"}`, the description ending in the trace id, correlation id and timestamp lines.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::http::envelope::RequestIds;

/// One refused sign-in request.
#[derive(Debug)]
pub struct SigninError {
    pub status: StatusCode,
    /// OAuth 2.0's code (`invalid_client`, `invalid_scope`, …).
    pub error: &'static str,
    /// The AADSTS number.
    pub code: u32,
    /// Entra's message, without the `AADSTS…: ` prefix and the trailing ids.
    pub message: String,
}

impl SigninError {
    fn new(status: StatusCode, error: &'static str, code: u32, message: String) -> Self {
        Self {
            status,
            error,
            code,
            message,
        }
    }

    /// AADSTS90002: the tenant in the path is not one (not a GUID).
    pub fn tenant_not_found(tenant: &str, error: &'static str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            error,
            90002,
            format!(
                "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant."
            ),
        )
    }

    /// AADSTS9001023: client credentials over `/common` or `/consumers`.
    pub fn tenantless_common() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            9001023,
            "The grant type is not supported over the /common or /consumers endpoints. Please use the /organizations or tenant-specific endpoint.".into(),
        )
    }

    /// AADSTS50059: client credentials over `/organizations` (tally resolves no home tenant).
    pub fn tenantless_organizations() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            50059,
            "No tenant-identifying information found in either the request or implied by any provided credentials.".into(),
        )
    }

    /// AADSTS900144: a required parameter is missing.
    pub fn missing(parameter: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            900144,
            format!("The request body must contain the following parameter: '{parameter}'."),
        )
    }

    /// AADSTS70003.
    pub fn unsupported_grant_type(grant_type: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            70003,
            format!("The app requested an unsupported grant type '{grant_type}'."),
        )
    }

    /// AADSTS1002012: no scope ends in `/.default`.
    pub fn scope_without_default(scope: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            1002012,
            format!("The provided value for scope {scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI)."),
        )
    }

    /// AADSTS70011: a scope value that is not one resource's `/.default`.
    pub fn invalid_scope(scope: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            70011,
            format!("The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid. The scope {scope} is not valid."),
        )
    }

    /// AADSTS500011: the `/.default` of a resource other than Microsoft Graph.
    pub fn unknown_resource(resource: &str, tenant: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid_resource",
            500011,
            format!("The resource principal named {resource} was not found in the tenant named {tenant}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant."),
        )
    }

    /// AADSTS700016: no such app in this tenant.
    pub fn unknown_app(client_id: &str, tenant: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            700016,
            format!("Application with identifier '{client_id}' was not found in the directory '{tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant."),
        )
    }

    /// AADSTS7000218: neither a secret nor an assertion.
    pub fn missing_credential() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            7000218,
            "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.".into(),
        )
    }

    /// AADSTS7000215.
    pub fn invalid_secret(client_id: &str) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            7000215,
            format!("Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{client_id}'."),
        )
    }

    /// AADSTS700027: an assertion naming no certificate of the app.
    pub fn assertion_not_registered(client_id: &str) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            700027,
            format!("The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '{client_id}'.]"),
        )
    }

    /// AADSTS50027: an assertion that is not a JWT tally can read (or lacks a claim).
    pub fn assertion_malformed() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            50027,
            "JWT token is invalid or malformed.".into(),
        )
    }

    /// AADSTS700027: the assertion's signature is not the certificate's.
    pub fn assertion_signature() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            700027,
            "Client assertion contains an invalid signature.".into(),
        )
    }

    /// AADSTS700024: `exp` past or `nbf` ahead (beyond the leeway).
    pub fn assertion_expired() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            700024,
            "Client assertion is not within its valid time range.".into(),
        )
    }

    /// AADSTS50027 too: Entra names the audience among a malformed JWT's reasons.
    pub fn assertion_audience() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            50027,
            "JWT token is invalid or malformed: the client assertion's audience is not this token endpoint.".into(),
        )
    }

    /// AADSTS700021: `iss` or `sub` is not the client id.
    pub fn assertion_subject() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            700021,
            "Client assertion application identifier doesn't match 'client_id' parameter.".into(),
        )
    }

    /// AADSTS50000: tally could not issue a token (its store failed): Entra's server error.
    pub fn server_error() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            50000,
            "There was an error issuing a token or an issue with our sign-in service.".into(),
        )
    }

    /// AADSTS9002313 (Entra's malformed request), as a 413: a form over the token endpoint's
    /// limit.
    pub fn form_too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "invalid_request",
            9002313,
            format!("Invalid request. Request is malformed or invalid. The request body exceeds the limit of {limit} bytes."),
        )
    }

    /// AADSTS9002313 as a 408: a form that did not arrive within the token endpoint's deadline.
    pub fn form_too_slow(deadline: std::time::Duration) -> Self {
        Self::new(
            StatusCode::REQUEST_TIMEOUT,
            "invalid_request",
            9002313,
            format!(
                "Invalid request. Request is malformed or invalid. The request body did not arrive within {} seconds.",
                deadline.as_secs()
            ),
        )
    }

    /// AADSTS9002313: a form the connection broke off.
    pub fn form_unreadable() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            9002313,
            "Invalid request. Request is malformed or invalid. The request body could not be read."
                .into(),
        )
    }

    /// The response, with the request's ids as the trace and correlation ids.
    pub fn render(&self, ids: &RequestIds) -> Response {
        let now = chrono::Utc::now().format("%Y-%m-%d %H:%M:%SZ").to_string();
        let trace_id = ids.request_id.to_str().unwrap_or_default();
        let correlation_id = ids.client_request_id.to_str().unwrap_or_default();
        let body = ErrorBody {
            error: self.error,
            error_description: format!(
                "AADSTS{}: {}\r\nTrace ID: {trace_id}\r\nCorrelation ID: {correlation_id}\r\nTimestamp: {now}",
                self.code, self.message
            ),
            error_codes: [self.code],
            timestamp: &now,
            trace_id,
            correlation_id,
            error_uri: format!("https://login.microsoftonline.com/error?code={}", self.code),
        };
        let mut response = (
            self.status,
            serde_json::to_string(&body).unwrap_or_default(),
        )
            .into_response();
        json_headers(&mut response);
        response
    }
}

/// The headers of every sign-in JSON answer: JSON, and never cached.
pub fn json_headers(response: &mut Response) {
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-store, no-cache"),
    );
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: &'a str,
    error_description: String,
    error_codes: [u32; 1],
    timestamp: &'a str,
    trace_id: &'a str,
    correlation_id: &'a str,
    error_uri: String,
}
