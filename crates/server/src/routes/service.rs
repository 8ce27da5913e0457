//! The service document, `$metadata`, and the `reports` singleton.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use tally_model::csdl::metadata_xml;

use super::ApiRequest;
use crate::error::ApiError;
use crate::http::odata_response::odata_json;

pub fn service_document(request: &ApiRequest) -> Result<Response, ApiError> {
    let body = json!({
        "@odata.context": format!("{}/$metadata", request.service_root()),
        "value": [
            { "name": "reports", "kind": "Singleton", "url": "reports" }
        ]
    });
    odata_json(StatusCode::OK, &body)
}

pub fn metadata() -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/xml;charset=utf-8"),
            (header::HeaderName::from_static("odata-version"), "4.0"),
        ],
        metadata_xml(),
    )
        .into_response()
}

pub fn reports(request: &ApiRequest) -> Result<Response, ApiError> {
    let body = json!({
        "@odata.context": request.context_url("reports/$entity"),
        "@odata.type": "#microsoft.graph.reportRoot",
        "id": "reports",
    });
    odata_json(StatusCode::OK, &body)
}
