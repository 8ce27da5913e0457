//! `/reports/azureADLicenseUsage`: list, create, and `/$count`.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use tally_model::parse_create;

use super::entity::entity_response;
use super::listing::{self, Listing};
use super::ApiRequest;
use crate::error::ApiError;
use crate::state::AppState;

const LISTING: Listing<'static> = Listing {
    resource: "collection",
    since_ticks: None,
    context_fragment: "reports/azureADLicenseUsage",
    selectable_context: true,
};

pub async fn list(state: &AppState, request: &ApiRequest) -> Result<Response, ApiError> {
    listing::page(state, request, &LISTING).await
}

pub async fn count(state: &AppState, request: &ApiRequest) -> Result<Response, ApiError> {
    listing::count(state, request, &LISTING).await
}

/// POST: 201 with `Location` and the object; `Prefer: return=minimal` gives 204.
pub async fn create(state: &AppState, request: &ApiRequest) -> Result<Response, ApiError> {
    let new = parse_create(&request.body).map_err(|error| ApiError::bad_request(error.message))?;
    let stored = state.store.create(request.tenant(), new).await?;
    let location = HeaderValue::from_str(&request.entity_url(stored.usage.id))
        .map_err(|_| ApiError::internal())?;
    let mut response = if request.prefers_minimal() {
        let mut response = minimal_response(&stored)?;
        response
            .headers_mut()
            .insert("odata-entityid", location.clone());
        response
    } else {
        entity_response(request, StatusCode::CREATED, &stored, None)?
    };
    response.headers_mut().insert(header::LOCATION, location);
    Ok(response)
}

/// `Prefer: return=minimal` honoured: 204 with `Preference-Applied` and the new `ETag`.
pub fn minimal_response(stored: &tally_store::StoredUsage) -> Result<Response, ApiError> {
    let mut response = StatusCode::NO_CONTENT.into_response();
    let headers = response.headers_mut();
    headers.insert(
        "preference-applied",
        HeaderValue::from_static("return=minimal"),
    );
    headers.insert(header::ETAG, etag_value(stored)?);
    Ok(response)
}

pub fn etag_value(stored: &tally_store::StoredUsage) -> Result<HeaderValue, ApiError> {
    HeaderValue::from_str(&stored.etag().to_header()).map_err(|_| ApiError::internal())
}
