//! `/reports/{collection}`: list, create, and `/$count`.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use tally_model::{parse_create, ResourceDef};

use super::listing::{self, Listing};
use super::object::{entity_response, minimal_response};
use super::ApiRequest;
use crate::error::ApiError;
use crate::state::AppState;

pub async fn list(
    state: &AppState,
    request: &ApiRequest,
    def: &'static ResourceDef,
) -> Result<Response, ApiError> {
    listing::page(state, request, &Listing::collection(def)).await
}

pub async fn count(
    state: &AppState,
    request: &ApiRequest,
    def: &'static ResourceDef,
) -> Result<Response, ApiError> {
    listing::count(state, request, &Listing::collection(def)).await
}

/// POST: 201 with `Location` and the object; `Prefer: return=minimal` gives 204.
pub async fn create(
    state: &AppState,
    request: &ApiRequest,
    def: &'static ResourceDef,
) -> Result<Response, ApiError> {
    let new = parse_create(def.entity, &request.body)
        .map_err(|error| ApiError::bad_request(error.message))?;
    let stored = state.store.create(def, request.tenant(), new).await?;
    let location = HeaderValue::from_str(&request.entity_url(def, stored.entity.id))
        .map_err(|_| ApiError::internal())?;
    let mut response = if request.prefers_minimal() {
        let mut response = minimal_response(&stored)?;
        response
            .headers_mut()
            .insert("odata-entityid", location.clone());
        response
    } else {
        entity_response(request, def, StatusCode::CREATED, &stored, None)?
    };
    response.headers_mut().insert(header::LOCATION, location);
    Ok(response)
}
