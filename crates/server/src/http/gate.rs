//! The token is checked before a request's body is read: a client without a valid token gets
//! its 401 at once, without taking a request slot ([`super::admission`]) or any memory for a
//! body it may never send (an HTTP/2 stream that declares a body and stalls). A body declared
//! (`Content-Length`) over the limit is still a 413 first, as SPEC §10 orders; one of unknown
//! length that a client without a valid token sends is answered 401 unread.
//!
//! Health, metrics and the other pages outside the API are not gated here (they take no body).

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::auth::Verifier;
use crate::error::ApiError;

/// What the gate needs: the token verifier and the body limit.
#[derive(Clone)]
pub struct BodyGate {
    pub verifier: Arc<Verifier>,
    pub body_limit: usize,
}

/// Whether `path` is under the API (`/v1.0`, `/beta`, after `canonical_version`).
pub fn is_api(path: &str) -> bool {
    let first = path.trim_start_matches('/').split('/').next().unwrap_or("");
    first == "v1.0" || first == "beta"
}

pub async fn token_before_body(
    State(gate): State<BodyGate>,
    request: Request,
    next: Next,
) -> Response {
    if axum::body::HttpBody::is_end_stream(request.body()) || !is_api(request.uri().path()) {
        return next.run(request).await;
    }
    let authorization = request
        .headers()
        .get(header::AUTHORIZATION)
        .map(|value| value.to_str().unwrap_or("\u{0}invalid"));
    match gate.verifier.verify(authorization).await {
        Ok(_) => next.run(request).await,
        Err(error) => {
            let declared = request
                .headers()
                .get(header::CONTENT_LENGTH)
                .and_then(|value| value.to_str().ok())
                .and_then(|value| value.trim().parse::<u64>().ok());
            if declared.is_some_and(|length| length > gate.body_limit as u64) {
                ApiError::payload_too_large(gate.body_limit).into_response()
            } else {
                error.into_response()
            }
        }
    }
}
