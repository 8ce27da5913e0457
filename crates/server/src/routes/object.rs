//! Responses that carry one object: the object with its `ETag`, or 204 for
//! `Prefer: return=minimal`.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use tally_model::{EntityJson, ResourceDef, Versioned};

use super::ApiRequest;
use crate::error::ApiError;
use crate::http::odata_response::odata_json_bytes;
use crate::query_options::SelectOption;

/// One object as a response, with its `ETag` header.
pub fn entity_response(
    request: &ApiRequest,
    def: &'static ResourceDef,
    status: StatusCode,
    stored: &Versioned,
    select: Option<&SelectOption>,
) -> Result<Response, ApiError> {
    let fragment = match select {
        Some(select) => format!("{}({})/$entity", def.path(), select.names.join(",")),
        None => format!("{}/$entity", def.path()),
    };
    let context = request.context_url(&fragment);
    let mut body = Vec::with_capacity(1024);
    EntityJson {
        etag: Some(stored.etag()),
        context: Some(&context),
        selection: select.map(|select| &select.selection),
        ..EntityJson::of(def.entity, &stored.entity)
    }
    .write_to(&mut body);
    let mut response = odata_json_bytes(status, body);
    response
        .headers_mut()
        .insert(header::ETAG, etag_value(stored)?);
    Ok(response)
}

/// `Prefer: return=minimal` honoured: 204 with `Preference-Applied` and the new `ETag`.
pub fn minimal_response(stored: &Versioned) -> Result<Response, ApiError> {
    let mut response = StatusCode::NO_CONTENT.into_response();
    let headers = response.headers_mut();
    headers.insert(
        "preference-applied",
        HeaderValue::from_static("return=minimal"),
    );
    headers.insert(header::ETAG, etag_value(stored)?);
    Ok(response)
}

pub fn etag_value(stored: &Versioned) -> Result<HeaderValue, ApiError> {
    HeaderValue::from_str(&stored.etag().to_header()).map_err(|_| ApiError::internal())
}
