//! `GET /openapi.json`: the OpenAPI 3.1 description of the API, a checked-in file
//! (`crates/server/openapi.json`) compiled into the binary. Hand-written rather than generated:
//! every API path goes through one OData dispatcher (`routes::handle`), not one handler per
//! route that a generator could annotate. `tests/api/openapi.rs` checks it covers every route.

use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};

/// The document, as served.
pub const DOCUMENT: &str = include_str!("../openapi.json");

pub async fn document() -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        DOCUMENT,
    )
        .into_response()
}
