//! The directory's endpoints (SPEC §12.2): `/subscribedSkus`, `/users`, assignLicense and
//! licenseDetails. Their errors use Graph's directory codes (`Request_BadRequest`,
//! `Request_ResourceNotFound`).

pub mod licenses;
pub mod skus;
pub mod users;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value as Json};
use tally_store::directory::DirectoryError;

use crate::error::ApiError;
use crate::http::odata_response::odata_json_bytes;

/// A 400 with Graph's directory code.
fn bad_request(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "Request_BadRequest", message)
}

/// A 404 for `key`, in Graph's directory words.
fn not_found(key: &str) -> ApiError {
    ApiError::not_found(format!(
        "Resource '{key}' does not exist or one of its queried reference-property objects are not present."
    ))
}

fn directory_error(error: DirectoryError, key: &str) -> ApiError {
    match error {
        DirectoryError::NotFound => not_found(key),
        DirectoryError::BadRequest(message) => bad_request(message),
        DirectoryError::Store(error) => error.into(),
    }
}

/// An object or a collection with its `@odata.context` first.
fn json_response(status: StatusCode, context: String, mut body: Map<String, Json>) -> Response {
    // serde_json's map sorts its keys, and `@odata.…` sort before the properties.
    body.insert("@odata.context".into(), Json::String(context));
    odata_json_bytes(status, serde_json::to_vec(&body).unwrap_or_default())
}

/// A 201's `Location`, the new object's URL.
fn with_location(mut response: Response, url: &str) -> Response {
    if let Ok(location) = axum::http::HeaderValue::from_str(url) {
        response
            .headers_mut()
            .insert(axum::http::header::LOCATION, location);
    }
    response
}

fn no_content() -> Response {
    StatusCode::NO_CONTENT.into_response()
}
