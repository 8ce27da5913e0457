//! `GET /openapi.json`: the OpenAPI 3.1 description of the API, written from the resources'
//! descriptions (`tally_model::openapi`). `tests/api/openapi.rs` checks it covers every route.

use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};

pub async fn document() -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        tally_model::openapi::document(),
    )
        .into_response()
}
