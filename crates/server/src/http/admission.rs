//! Admission control, ahead of any work: a bound on requests in flight (past it, an immediate
//! 503 with `Retry-After` instead of an unbounded queue) and on the URL's length. `/healthz`,
//! `/readyz` and `/metrics` take no slot; a request with a body takes one only once its token
//! is known good (`http::gate`) and its body has arrived (`http::body`, with slots of its own).

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tokio::sync::Semaphore;

use crate::error::ApiError;

/// The longest URL (path and query) accepted, in bytes.
pub const MAX_URL_LENGTH: usize = 8 * 1024;

/// Slots for requests in flight; one is held for the whole of each request.
#[derive(Clone)]
pub struct Admission(pub Arc<Semaphore>, usize);

impl Admission {
    pub fn new(max_in_flight: usize) -> Self {
        let slots = max_in_flight.max(1);
        Self(Arc::new(Semaphore::new(slots)), slots)
    }

    /// The number of slots (`--max-in-flight`), taken or not.
    pub fn capacity(&self) -> usize {
        self.1
    }
}

pub async fn admit(State(admission): State<Admission>, request: Request, next: Next) -> Response {
    let length = request
        .uri()
        .path_and_query()
        .map_or(0, |uri| uri.as_str().len());
    if length > MAX_URL_LENGTH {
        return ApiError::new(
            StatusCode::URI_TOO_LONG,
            "RequestUriTooLong",
            format!("The URL is {length} bytes long; the limit is {MAX_URL_LENGTH}."),
        )
        .into_response();
    }
    // Health checks and metrics answer while the API is saturated: they hold no slot.
    if matches!(request.uri().path(), "/healthz" | "/readyz" | "/metrics") {
        return next.run(request).await;
    }
    let Ok(_slot) = admission.0.try_acquire() else {
        return ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "ServiceUnavailable",
            "The service is at capacity; retry after the time in Retry-After.",
        )
        .with_header(axum::http::header::RETRY_AFTER, "1")
        .into_response();
    };
    next.run(request).await
}
