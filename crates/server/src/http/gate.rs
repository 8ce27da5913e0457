//! Every request with a body passes here before any of it is read, and gets what its path takes
//! ([`BodyRule`]):
//!
//! - a body declared (`Content-Length`) over the path's limit is a 413 at once, before the
//!   token (SPEC §10 puts it first), and is never read;
//! - a path that takes no body refuses one at once with a 413, unread;
//! - on the API, the token is checked: a client without a valid token gets its 401 at once,
//!   without taking a body or request slot ([`super::admission`]) or any memory for a body it
//!   may never send (an HTTP/2 stream that declares a body and stalls); one of unknown length
//!   over the limit is answered 401 too. A valid token's [`Principal`](crate::auth::Principal)
//!   is left in the request's extensions, for the handler not to verify it again;
//! - the token endpoint's form goes on to [`super::body`], which reads it within its own small
//!   limit and deadline.
//!
//! A refused body is dropped in the background ([`super::discard`]): the answer does not wait
//! for it.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::body_rule::BodyRule;
use super::discard::{declared_length, discard};
use crate::auth::Verifier;
use crate::error::ApiError;
use crate::http::envelope::RequestIds;
use crate::signin::error::SigninError;

/// What the gate needs: the token verifier and the API's body limit.
#[derive(Clone)]
pub struct BodyGate {
    pub verifier: Arc<Verifier>,
    pub body_limit: usize,
}

pub async fn token_before_body(
    State(gate): State<BodyGate>,
    mut request: Request,
    next: Next,
) -> Response {
    // Most requests (every GET) have no body: nothing to decide.
    if axum::body::HttpBody::is_end_stream(request.body()) {
        return next.run(request).await;
    }
    let rule = BodyRule::of(&request);
    let limit = rule.limit(gate.body_limit);
    let over = declared_length(request.headers()).is_some_and(|length| length > limit as u64);
    if over || rule == BodyRule::Nothing {
        return refuse(request, too_large(rule, limit));
    }
    match rule {
        BodyRule::Api => {
            let authorization = request
                .headers()
                .get(header::AUTHORIZATION)
                .map(|value| value.to_str().unwrap_or("\u{0}invalid"));
            match gate.verifier.verify(authorization).await {
                Ok(principal) => {
                    // The handler takes it rather than verify the token again.
                    request.extensions_mut().insert(principal);
                    next.run(request).await
                }
                Err(error) => refuse(request, Refusal::Graph(error)),
            }
        }
        BodyRule::TokenForm | BodyRule::Nothing => next.run(request).await,
    }
}

/// A refusal, in the shape of the path's errors: Graph's, or Entra's on the token endpoint.
enum Refusal {
    Graph(ApiError),
    Entra(SigninError),
}

fn too_large(rule: BodyRule, limit: usize) -> Refusal {
    match rule {
        BodyRule::Api => Refusal::Graph(ApiError::payload_too_large(limit)),
        BodyRule::TokenForm => Refusal::Entra(SigninError::form_too_large(limit)),
        BodyRule::Nothing => Refusal::Graph(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "RequestEntityTooLarge",
            "This path takes no request body.",
        )),
    }
}

/// Answers `refusal` now, the body dropped unread (or read and dropped in the background).
fn refuse(request: Request, refusal: Refusal) -> Response {
    let ids = request.extensions().get::<RequestIds>().cloned();
    let (parts, body) = request.into_parts();
    discard(&parts.headers, body);
    match refusal {
        Refusal::Graph(error) => error.into_response(),
        Refusal::Entra(error) => error.render(&ids.unwrap_or_default()),
    }
}
