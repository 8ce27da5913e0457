//! The outermost middleware. Gives every request a `request-id` and `client-request-id`, renders
//! [`GraphError`]s into Graph error bodies, turns panics into 500s, and logs each answer.

use std::any::Any;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use tracing::Instrument;
use uuid::Uuid;

use super::odata_response::ODATA_JSON;
use crate::error::{ApiError, GraphError};

pub static REQUEST_ID: HeaderName = HeaderName::from_static("request-id");
pub static CLIENT_REQUEST_ID: HeaderName = HeaderName::from_static("client-request-id");
static ODATA_VERSION: HeaderName = HeaderName::from_static("odata-version");

/// The ids of one request, available to handlers as an extension.
#[derive(Clone, Debug)]
pub struct RequestIds {
    pub request_id: HeaderValue,
    pub client_request_id: HeaderValue,
}

impl RequestIds {
    /// Fresh ids; the client's id defaults to the request-id.
    pub fn new() -> Self {
        let request_id = HeaderValue::from_str(&Uuid::new_v4().to_string())
            .unwrap_or(HeaderValue::from_static("-"));
        Self {
            client_request_id: request_id.clone(),
            request_id,
        }
    }
}

impl Default for RequestIds {
    fn default() -> Self {
        Self::new()
    }
}

pub async fn envelope(mut request: Request, next: Next) -> Response {
    let mut ids = RequestIds::new();
    if let Some(client_request_id) = request.headers().get(&CLIENT_REQUEST_ID) {
        ids.client_request_id = client_request_id.clone();
    }
    request.extensions_mut().insert(ids.clone());
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    // Every event logged while answering (and the line below) carries the request's ids.
    let span = tracing::info_span!(
        "request",
        request_id = ids.request_id.to_str().unwrap_or_default(),
        client_request_id = ids.client_request_id.to_str().unwrap_or_default(),
        %method,
        %path,
    );

    let mut response = next.run(request).instrument(span.clone()).await;
    let _in_span = span.enter();

    if let Some(error) = response.extensions_mut().remove::<GraphError>() {
        // A 503 is by design (load shed at --max-in-flight, or a store that says why at warn):
        // logging each one at error level wrote 32 MB of logs in a 10 s overload and took the
        // CPU from the requests being served.
        if response.status().is_server_error()
            && response.status() != StatusCode::SERVICE_UNAVAILABLE
        {
            tracing::error!(status = %response.status(), code = error.code, "answered with a server error");
        }
        render_error(&mut response, &error, &ids);
    }
    let headers = response.headers_mut();
    headers.insert(REQUEST_ID.clone(), ids.request_id.clone());
    headers.insert(CLIENT_REQUEST_ID.clone(), ids.client_request_id.clone());
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes().starts_with(b"application/json"));
    if is_json {
        headers.insert(ODATA_VERSION.clone(), HeaderValue::from_static("4.0"));
    }
    tracing::debug!(status = response.status().as_u16(), "answered");
    response
}

/// Replaces the response's body with the Graph error body for `error`.
pub fn render_error(response: &mut Response, error: &GraphError, ids: &RequestIds) {
    let body = ErrorBody {
        error: ErrorJson {
            code: error.code,
            message: &error.message,
            inner_error: InnerError {
                date: chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S").to_string(),
                request_id: ids.request_id.to_str().unwrap_or_default(),
                client_request_id: ids.client_request_id.to_str().unwrap_or_default(),
            },
        },
    };
    *response.body_mut() = Body::from(serde_json::to_vec(&body).unwrap_or_default());
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(ODATA_JSON));
    response.headers_mut().remove(header::CONTENT_LENGTH);
}

/// `{"error":{"code","message","innerError":{"date","request-id","client-request-id"}}}`, in
/// Graph's order.
#[derive(Serialize)]
struct ErrorBody<'a> {
    error: ErrorJson<'a>,
}

#[derive(Serialize)]
struct ErrorJson<'a> {
    code: &'a str,
    message: &'a str,
    #[serde(rename = "innerError")]
    inner_error: InnerError<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct InnerError<'a> {
    date: String,
    request_id: &'a str,
    client_request_id: &'a str,
}

/// For `CatchPanicLayer`: a panic is a logged 500 with a generic message.
pub fn panic_response(panic: Box<dyn Any + Send + 'static>) -> Response {
    let detail = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)");
    tracing::error!(panic = detail, "a handler panicked");
    ApiError::internal().into_response()
}

/// Answers requests outside every known route.
pub async fn not_found_fallback(request: Request) -> Response {
    let path = request.uri().path();
    let first = path
        .trim_start_matches('/')
        .split('/')
        .next()
        .unwrap_or_default();
    let error = if first.eq_ignore_ascii_case("v1.0") || first.eq_ignore_ascii_case("beta") {
        ApiError::segment_not_found(first)
    } else if first.starts_with('v') && first.chars().nth(1).is_some_and(|c| c.is_ascii_digit()) {
        ApiError::bad_request(format!(
            "Invalid version: '{first}'. The supported versions are v1.0 and beta."
        ))
    } else {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "Request_ResourceNotFound",
            format!("No resource at '{path}'."),
        )
    };
    error.into_response()
}
