//! The token is checked before a request's body is read: a client without a valid token gets
//! its 401 within a second, without taking a body or request slot ([`super::admission`]) or any
//! memory for a body it may never send (an HTTP/2 stream that declares a body and stalls): what
//! arrives in that second is read and dropped, so that a client sending its whole body first gets
//! the answer rather than a reset. A body declared (`Content-Length`) over the limit is still a
//! 413 first, as SPEC §10 orders; one of unknown length from a client without a valid token is
//! answered 401.
//!
//! Health, metrics and the other pages outside the API are not gated here (they take no body).

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use http_body_util::BodyExt;

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
            drain_briefly(request.into_body()).await;
            if declared.is_some_and(|length| length > gate.body_limit as u64) {
                ApiError::payload_too_large(gate.body_limit).into_response()
            } else {
                error.into_response()
            }
        }
    }
}

/// How long, and how much of, the body of a refused request is still read and dropped before the
/// answer: a client that sends its whole body before reading the answer (most do) then gets the
/// answer, not a connection reset by unread data. Short, and no slot is held meanwhile.
const REFUSED_DRAIN_TIME: Duration = Duration::from_secs(1);
const REFUSED_DRAIN_BYTES: u64 = 16 * 1024 * 1024;

async fn drain_briefly(mut body: Body) {
    let deadline = tokio::time::Instant::now() + REFUSED_DRAIN_TIME;
    let mut seen: u64 = 0;
    while seen <= REFUSED_DRAIN_BYTES {
        match tokio::time::timeout_at(deadline, body.frame()).await {
            Ok(Some(Ok(frame))) => {
                if let Ok(data) = frame.into_data() {
                    seen += data.len() as u64;
                }
            }
            _ => break,
        }
    }
}
