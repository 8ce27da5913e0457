//! Reads the whole request body, up to the configured limit, before anything else looks at the
//! request, so that an oversized body is a 413 ahead of every other check (SPEC §10). A body over
//! the limit is read on (and dropped) up to [`DRAIN_LIMIT`], then answered.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;
use tokio::sync::Semaphore;

use crate::error::ApiError;

/// The body size limit, in bytes, and the slots for bodies being received: a body is read
/// before its request takes a request slot (`http::admission`), so clients whose bodies stall
/// hold these, not the slots every request (a GET, a health check) needs.
#[derive(Clone, Debug)]
pub struct BodyLimit {
    pub limit: usize,
    pub slots: Arc<Semaphore>,
}

impl BodyLimit {
    /// `limit` bytes a body; `receiving` bodies received at once at most.
    pub fn new(limit: usize, receiving: usize) -> Self {
        Self {
            limit,
            slots: Arc::new(Semaphore::new(receiving.max(1))),
        }
    }
}

/// How much of an oversized body is read and discarded before the 413, so that clients that
/// send the whole body before reading the answer get the 413 rather than a reset connection.
const DRAIN_LIMIT: u64 = 16 * 1024 * 1024;

/// A body that has not arrived whole by then is answered 408 (slow clients hold no slot for ever).
pub const BODY_READ_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

pub async fn buffer_body(
    State(BodyLimit { limit, slots }): State<BodyLimit>,
    request: Request,
    next: Next,
) -> Response {
    // Most requests (every GET) have no body: nothing to read, no timer to set.
    if axum::body::HttpBody::is_end_stream(request.body()) {
        return next.run(request).await;
    }
    let Ok(receiving) = slots.try_acquire() else {
        return ApiError::new(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            "ServiceUnavailable",
            "The service is receiving as many request bodies as it can; retry after the time in \
             Retry-After.",
        )
        .with_header(axum::http::header::RETRY_AFTER, "1")
        .into_response();
    };
    let (parts, mut body) = request.into_parts();
    let mut bytes: Vec<u8> = Vec::new();
    let mut seen: u64 = 0;
    let deadline = tokio::time::Instant::now() + BODY_READ_TIMEOUT;
    loop {
        let Ok(frame) = tokio::time::timeout_at(deadline, body.frame()).await else {
            return ApiError::new(
                axum::http::StatusCode::REQUEST_TIMEOUT,
                "RequestTimeout",
                format!(
                    "The request body did not arrive within {} seconds.",
                    BODY_READ_TIMEOUT.as_secs()
                ),
            )
            .into_response();
        };
        let Some(frame) = frame else { break };
        let frame = match frame {
            Ok(frame) => frame,
            Err(error) => {
                let message = format!("The request body could not be read: {error}");
                return ApiError::bad_request(message).into_response();
            }
        };
        if let Ok(data) = frame.into_data() {
            seen += data.len() as u64;
            if seen > DRAIN_LIMIT {
                break;
            }
            if seen <= limit as u64 {
                bytes.extend_from_slice(&data);
            }
        }
    }
    drop(receiving);
    if seen > limit as u64 {
        return ApiError::payload_too_large(limit).into_response();
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}
