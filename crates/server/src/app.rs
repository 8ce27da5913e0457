//! The router: which paths go where (the API, health checks, the dashboard at `/`, the sign-in
//! endpoint for apps), and the layers every request passes through (outermost first: the path
//! resolved once, metrics, envelope, the body gate (each path's body rule, and the API's token,
//! before a body is read), the body (the API's with its own slots, the token endpoint's small
//! form with none), admission, panic catcher).

use axum::extract::State;
use axum::http::StatusCode;
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::Router;
use tower_http::catch_panic::CatchPanicLayer;

use crate::dashboard;
use crate::error::ApiError;
use crate::http::admission::admit;
use crate::http::body::{buffer_body, BodyLimit};
use crate::http::envelope::{envelope, not_found_fallback, panic_response};
use crate::http::gate::{token_before_body, BodyGate};
use crate::resource::resolve_path;
use crate::routes::api;
use crate::state::AppState;
use crate::{metrics, openapi, signin};

/// The whole application, ready to serve.
pub fn app(state: AppState, body_limit: usize) -> Router {
    // Install the metrics recorder before the first request records anything.
    metrics::handle();
    let admission = state.admission.clone();
    // As many bodies may be received at once as requests be worked on.
    let bodies = BodyLimit::new(body_limit, admission.capacity());
    let gate = BodyGate {
        verifier: state.verifier.clone(),
        body_limit,
    };
    let mut router = Router::new();
    for version in ["v1.0", "beta"] {
        router = router
            .route(&format!("/{version}"), any(api))
            .route(&format!("/{version}/"), any(api))
            .route(&format!("/{version}/{{*rest}}"), any(api));
    }
    router
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics::render))
        .route("/openapi.json", get(openapi::document))
        .merge(dashboard::routes())
        .merge(signin::routes())
        .fallback(not_found_fallback)
        .with_state(state)
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(middleware::from_fn_with_state(admission, admit))
        .layer(middleware::from_fn_with_state(bodies, buffer_body))
        .layer(middleware::from_fn_with_state(gate, token_before_body))
        .layer(middleware::from_fn(envelope))
        .layer(middleware::from_fn(metrics::track))
        .layer(middleware::from_fn(resolve_path))
}

async fn healthz() -> &'static str {
    "ok"
}

async fn readyz(State(state): State<AppState>) -> Response {
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, "ready").into_response(),
        Err(error) => ApiError::from(error).into_response(),
    }
}
