//! `POST /$batch`: Graph JSON batching (SPEC §7). Items run one after another in an order that
//! honours `dependsOn`, each through the same checks and handlers as a direct request, with the
//! outer request's token; the answer lists them in request order.

mod items;
mod order;

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{header, HeaderName, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use http_body_util::BodyExt;
use serde_json::{json, Map, Value};

use super::ApiRequest;
use crate::error::{ApiError, GraphError};
use crate::http::body::BufferedBody;
use crate::http::envelope::{render_error, RequestIds};
use crate::http::odata_response::odata_json;
use crate::state::AppState;
use items::BatchItem;

/// Marks a request as an item of a batch (a batch may not contain a batch).
#[derive(Clone, Copy, Debug)]
pub struct InBatch;

pub async fn run(state: &AppState, request: &ApiRequest) -> Result<Response, ApiError> {
    let items = items::parse(&request.body)?;
    let order = order::execution_order(&items)?;
    let mut answers: Vec<Option<Value>> = vec![None; items.len()];
    let mut failed = vec![false; items.len()];
    for index in order {
        let item = &items[index];
        let dependency_failed = item.depends_on.iter().any(|id| {
            items
                .iter()
                .position(|other| other.id == *id)
                .is_some_and(|position| failed[position])
        });
        let response = if dependency_failed {
            ApiError::new(
                StatusCode::FAILED_DEPENDENCY,
                "FailedDependency",
                "The request was not run because a request it depends on failed.",
            )
            .into_response()
        } else {
            execute(state, request, item).await
        };
        failed[index] = response.status().as_u16() >= 400;
        answers[index] = Some(item_answer(&item.id, response, &request.ids).await);
    }
    let responses: Vec<Value> = answers.into_iter().flatten().collect();
    odata_json(StatusCode::OK, &json!({ "responses": responses }))
}

/// Runs one item as a request of its own, with the outer token.
async fn execute(state: &AppState, outer: &ApiRequest, item: &BatchItem) -> Response {
    let uri = match item.path_and_query(outer.version) {
        Ok(uri) => uri,
        Err(error) => return error.into_response(),
    };
    let mut builder = Request::builder().method(item.method.clone()).uri(uri);
    for (name, value) in &item.headers {
        if name.eq_ignore_ascii_case("authorization") || name.eq_ignore_ascii_case("host") {
            continue;
        }
        builder = builder.header(name.as_str(), value.as_str());
    }
    if let Some(authorization) = outer.headers.get(header::AUTHORIZATION) {
        builder = builder.header(header::AUTHORIZATION, authorization.clone());
    }
    if let Some(host) = outer.headers.get(header::HOST) {
        builder = builder.header(header::HOST, host.clone());
    }
    let body = match item.body_bytes() {
        Ok(body) => body,
        Err(error) => return error.into_response(),
    };
    if !body.is_empty() && !item.has_header("content-type") {
        builder = builder.header(header::CONTENT_TYPE, "application/json");
    }
    let mut request = match builder.body(Body::empty()) {
        Ok(request) => request,
        Err(_) => {
            return ApiError::bad_request(format!(
                "The request '{}' has an invalid header.",
                item.id
            ))
            .into_response()
        }
    };
    // As `http::body` leaves a request's body, for `handle` to take.
    request
        .extensions_mut()
        .insert(BufferedBody(Bytes::from(body)));
    request.extensions_mut().insert(InBatch);
    request.extensions_mut().insert(outer.ids.clone());
    match super::handle_boxed(state.clone(), request).await {
        Ok(response) => response,
        Err(error) => error.into_response(),
    }
}

/// One entry of `responses`: id, status, headers in canonical case, and the body (JSON, or
/// base64 for other content; none for 204).
async fn item_answer(id: &str, mut response: Response, ids: &RequestIds) -> Value {
    if let Some(error) = response.extensions_mut().remove::<GraphError>() {
        render_error(&mut response, &error, ids);
    }
    let status = response.status();
    let mut headers = Map::new();
    for (name, value) in response.headers() {
        if *name == header::CONTENT_LENGTH || *name == header::DATE {
            continue;
        }
        if let Ok(value) = value.to_str() {
            headers.insert(canonical(name), Value::String(value.to_owned()));
        }
    }
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes().starts_with(b"application/json"));
    if is_json {
        headers.insert("OData-Version".into(), Value::String("4.0".into()));
    }
    let bytes = response
        .into_body()
        .collect()
        .await
        .map(|body| body.to_bytes())
        .unwrap_or_default();
    let mut answer = Map::new();
    answer.insert("id".into(), Value::String(id.to_owned()));
    answer.insert("status".into(), Value::from(status.as_u16()));
    answer.insert("headers".into(), Value::Object(headers));
    if status != StatusCode::NO_CONTENT && !bytes.is_empty() {
        let body = match (is_json, serde_json::from_slice::<Value>(&bytes)) {
            (true, Ok(value)) => value,
            _ => Value::String(STANDARD.encode(&bytes)),
        };
        answer.insert("body".into(), body);
    }
    Value::Object(answer)
}

/// `content-type` → `Content-Type`, with the spellings Graph uses for the odd ones.
fn canonical(name: &HeaderName) -> String {
    match name.as_str() {
        "etag" => "ETag".into(),
        "odata-version" => "OData-Version".into(),
        "odata-entityid" => "OData-EntityId".into(),
        "www-authenticate" => "WWW-Authenticate".into(),
        "request-id" | "client-request-id" => name.as_str().into(),
        other => other
            .split('-')
            .map(|part| {
                let mut chars = part.chars();
                chars
                    .next()
                    .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                    .unwrap_or_default()
            })
            .collect::<Vec<_>>()
            .join("-"),
    }
}
