//! The directory's endpoints (SPEC §12.2): `/subscribedSkus`, `/users`, assignLicense and
//! licenseDetails. Their errors use Graph's directory codes (`Request_BadRequest`,
//! `Request_ResourceNotFound`).

mod licenses;
mod skus;
mod users;

use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value as Json};
use tally_model::directory::{ASSIGN_LICENSE, SKUS, USERS};
use tally_model::resources::Permissions;
use tally_store::directory::DirectoryError;

use super::ApiRequest;
use crate::error::ApiError;
use crate::http::json::odata_json_bytes;
use crate::resource::Directory;
use crate::state::AppState;

pub async fn handle(
    state: &AppState,
    request: &ApiRequest,
    path: Directory,
    method: &Method,
) -> Result<Response, ApiError> {
    match (path, method) {
        (Directory::Skus, &Method::POST) => skus::create(state, request).await,
        (Directory::Skus, _) => skus::list(state, request).await,
        (Directory::Sku(key), &Method::PATCH) => skus::update(state, request, &key).await,
        (Directory::Sku(key), &Method::DELETE) => skus::delete(state, request, &key).await,
        (Directory::Sku(key), _) => skus::get(state, request, &key).await,
        (Directory::Users, &Method::POST) => users::create(state, request).await,
        (Directory::Users, _) => users::list(state, request).await,
        (Directory::UsersCount, _) => users::count(state, request).await,
        (Directory::User(key), &Method::PATCH) => users::update(state, request, &key).await,
        (Directory::User(key), &Method::DELETE) => users::delete(state, request, &key).await,
        (Directory::User(key), _) => users::get(state, request, &key).await,
        (Directory::AssignLicense(key), _) => licenses::assign(state, request, &key).await,
        (Directory::LicenseDetails(key), _) => licenses::details(state, request, &key).await,
    }
}

/// Whether `method` is allowed on `path` (`None`: 405), and if so whether it writes.
pub fn allowed(path: &Directory, method: &Method) -> Option<bool> {
    let get = *method == Method::GET;
    match path {
        Directory::Skus | Directory::Users => {
            (get || *method == Method::POST).then_some(*method == Method::POST)
        }
        Directory::Sku(_) | Directory::User(_) => {
            let write = *method == Method::PATCH || *method == Method::DELETE;
            (get || write).then_some(write)
        }
        Directory::AssignLicense(_) => (*method == Method::POST).then_some(true),
        Directory::UsersCount | Directory::LicenseDetails(_) => get.then_some(false),
    }
}

/// The methods `path` answers, for a 405's `Allow`.
pub fn allowed_methods(path: &Directory) -> &'static str {
    match path {
        Directory::Skus | Directory::Users => "GET, POST",
        Directory::Sku(_) | Directory::User(_) => "GET, PATCH, DELETE",
        Directory::AssignLicense(_) => "POST",
        Directory::UsersCount | Directory::LicenseDetails(_) => "GET",
    }
}

/// What guards `path`.
pub fn permissions(path: &Directory) -> &'static Permissions {
    match path {
        Directory::Skus | Directory::Sku(_) => &SKUS,
        Directory::AssignLicense(_) => &ASSIGN_LICENSE,
        Directory::Users
        | Directory::UsersCount
        | Directory::User(_)
        | Directory::LicenseDetails(_) => &USERS,
    }
}

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
