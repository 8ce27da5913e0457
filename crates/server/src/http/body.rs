//! Reads the whole request body, up to its path's limit ([`BodyRule`]), before anything else
//! looks at the request, so that an oversized body is a 413 ahead of every other check
//! (SPEC §10). The API's bodies hold a body slot while they arrive (within
//! [`BODY_READ_TIMEOUT`]); the token endpoint's small forms hold none and have a short deadline
//! of their own, so that stalled sign-ins starve neither the API nor other sign-ins. A body
//! found over its limit as it arrives is answered at once and dropped in the background. An API
//! body read whole goes on as a [`BufferedBody`] in the request's extensions, which the handler
//! takes; a token form stays the request's body.

use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;
use tokio::sync::Semaphore;

use super::body_rule::{BodyRule, TOKEN_FORM_DEADLINE, TOKEN_FORM_LIMIT};
use super::discard::{declared_length, discard};
use crate::error::ApiError;
use crate::http::envelope::RequestIds;
use crate::signin::error::SigninError;

/// The API's body size limit, in bytes, and the slots for its bodies being received: a body is
/// read before its request takes a request slot (`http::admission`), so clients whose bodies
/// stall hold these, not the slots every request (a GET, a health check) needs.
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

/// An API request's body, read whole by [`buffer_body`] and left in the request's extensions
/// (the request's own body then empty), for the handler to take as it is, without reading a
/// body again. (`Bytes` share their buffer: a clone copies no byte.)
#[derive(Clone, Debug, Default)]
pub struct BufferedBody(pub Bytes);

/// An API body that has not arrived whole by then is answered 408 (slow clients hold no slot
/// for ever).
pub const BODY_READ_TIMEOUT: Duration = Duration::from_secs(10);

pub async fn buffer_body(
    State(BodyLimit { limit, slots }): State<BodyLimit>,
    request: Request,
    next: Next,
) -> Response {
    // Most requests (every GET) have no body: nothing to read, no timer to set.
    if axum::body::HttpBody::is_end_stream(request.body()) {
        return next.run(request).await;
    }
    let rule = BodyRule::of(&request);
    // The gate refuses bodies on paths that take none; the API's rule is the safe default.
    let api = rule != BodyRule::TokenForm;
    let receiving = if api {
        let Ok(receiving) = slots.try_acquire_owned() else {
            return ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "ServiceUnavailable",
                "The service is receiving as many request bodies as it can; retry after the \
                 time in Retry-After.",
            )
            .with_header(header::RETRY_AFTER, "1")
            .into_response();
        };
        Some(receiving)
    } else {
        None
    };
    let (limit, deadline) = if api {
        (limit, BODY_READ_TIMEOUT)
    } else {
        (TOKEN_FORM_LIMIT, TOKEN_FORM_DEADLINE)
    };
    let (parts, body) = request.into_parts();
    // Room for what the client declared (the gate refused more), so a form is one allocation.
    let declared = declared_length(&parts.headers).map_or(0, |length| length as usize);
    let bytes = match read(body, limit, declared.min(limit), deadline).await {
        Ok(bytes) => bytes,
        Err((failure, rest)) => {
            if let Some(rest) = rest {
                discard(&parts.headers, rest);
            }
            if api {
                return failure.graph(limit).into_response();
            }
            let ids = parts.extensions.get::<RequestIds>().cloned();
            return failure.entra(limit).render(&ids.unwrap_or_default());
        }
    };
    drop(receiving);
    if api {
        let mut parts = parts;
        parts.extensions.insert(BufferedBody(bytes));
        return next.run(Request::from_parts(parts, Body::empty())).await;
    }
    // The token endpoint's handler reads its form with axum's extractor, from the body.
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// Why a body was not read whole.
enum Failure {
    TooLarge,
    TimedOut(Duration),
    Broken(String),
}

impl Failure {
    fn graph(self, limit: usize) -> ApiError {
        match self {
            Failure::TooLarge => ApiError::payload_too_large(limit),
            Failure::TimedOut(deadline) => ApiError::new(
                StatusCode::REQUEST_TIMEOUT,
                "RequestTimeout",
                format!(
                    "The request body did not arrive within {} seconds.",
                    deadline.as_secs()
                ),
            ),
            Failure::Broken(error) => {
                ApiError::bad_request(format!("The request body could not be read: {error}"))
            }
        }
    }

    fn entra(self, limit: usize) -> SigninError {
        match self {
            Failure::TooLarge => SigninError::form_too_large(limit),
            Failure::TimedOut(deadline) => SigninError::form_too_slow(deadline),
            Failure::Broken(_) => SigninError::form_unreadable(),
        }
    }
}

/// The body, whole, if it is at most `limit` bytes and arrives within `deadline` (room made for
/// `expected` bytes at first); else why not, and what is left of it to drop (a body over its
/// limit may still be arriving).
async fn read(
    mut body: Body,
    limit: usize,
    expected: usize,
    deadline: Duration,
) -> Result<Bytes, (Failure, Option<Body>)> {
    let mut bytes: Vec<u8> = Vec::with_capacity(expected);
    let until = tokio::time::Instant::now() + deadline;
    loop {
        let frame = match tokio::time::timeout_at(until, body.frame()).await {
            Err(_) => return Err((Failure::TimedOut(deadline), None)),
            Ok(None) => return Ok(Bytes::from(bytes)),
            Ok(Some(Err(error))) => return Err((Failure::Broken(error.to_string()), None)),
            Ok(Some(Ok(frame))) => frame,
        };
        if let Ok(data) = frame.into_data() {
            if bytes.len() + data.len() > limit {
                return Err((Failure::TooLarge, Some(body)));
            }
            bytes.extend_from_slice(&data);
        }
    }
}
