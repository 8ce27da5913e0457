//! `/reports/{collection}/{id}`: get (with `If-None-Match`), patch and delete (with
//! `If-Match`), each scoped by the caller's tenant.

use axum::http::{header, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use tally_model::{parse_patch, parse_put, ResourceDef, TagList, Versioned};
use tally_odata::query::{CompareOp, Constant, Operand, TypedExpr};
use tally_store::{ListQuery, WriteOutcome};
use uuid::Uuid;

use super::object::{entity_response, etag_value, minimal_response};
use super::ApiRequest;
use crate::error::ApiError;
use crate::query_options::{QueryOptions, Target};
use crate::state::AppState;

fn not_found(key: &str) -> ApiError {
    ApiError::not_found(format!("Resource '{key}' does not exist or one of its queried reference-property objects are not present."))
}

/// The key as an id; a key that is not a GUID names no object.
fn parse_key(key: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(key).map_err(|_| not_found(key))
}

/// One object's answer to `method` (the access check has allowed only GET and the writes of
/// the resource's description).
pub async fn answer(
    state: &AppState,
    request: &ApiRequest,
    method: &Method,
    def: &'static ResourceDef,
    key: &str,
) -> Result<Response, ApiError> {
    match *method {
        Method::PUT => put(state, request, def, key).await,
        Method::PATCH => update(state, request, def, key).await,
        Method::DELETE => delete(state, request, def, key).await,
        _ => get(state, request, def, key).await,
    }
}

/// The id of the object whose alternate key is `value`, as a key (a 404 when there is none).
pub async fn alternate_id(
    state: &AppState,
    request: &ApiRequest,
    def: &'static ResourceDef,
    value: &str,
) -> Result<String, ApiError> {
    let Some(property) = def.alternate_key else {
        return Err(not_found(value));
    };
    let missing = || not_found(&format!("{property}='{value}'"));
    let query = ListQuery {
        filter: Some(TypedExpr::Compare {
            op: CompareOp::Eq,
            left: Operand::Property(property),
            right: Operand::Constant(Constant::String(value.to_owned())),
        }),
        page_size: 1,
        ..ListQuery::default()
    };
    let page = state.store.list(def, request.tenant(), query).await?;
    page.items
        .first()
        .map(|found| found.entity.id.to_string())
        .ok_or_else(missing)
}

pub async fn get(
    state: &AppState,
    request: &ApiRequest,
    def: &'static ResourceDef,
    key: &str,
) -> Result<Response, ApiError> {
    let options = request.options(def, Target::Single)?;
    let id = parse_key(key)?;
    let stored = state
        .store
        .get(def, request.tenant(), id)
        .await?
        .ok_or_else(|| not_found(key))?;
    if request
        .if_none_match()
        .is_some_and(|tags| TagList::parse(tags).matches(Some(stored.etag())))
    {
        let mut response = StatusCode::NOT_MODIFIED.into_response();
        response
            .headers_mut()
            .insert(header::ETAG, etag_value(&stored)?);
        return Ok(response);
    }
    entity_response(
        request,
        def,
        StatusCode::OK,
        &stored,
        options.select.as_ref(),
    )
}

/// PATCH: 200 with the whole updated object, or 204 with `Prefer: return=minimal`.
pub async fn update(
    state: &AppState,
    request: &ApiRequest,
    def: &'static ResourceDef,
    key: &str,
) -> Result<Response, ApiError> {
    let options = request.options(def, Target::Single)?;
    let patch = parse_patch(def.entity, &request.body, key)
        .map_err(|error| ApiError::bad_request(error.message))?;
    let id = parse_key(key)?;
    match state
        .store
        .update(def, request.tenant(), id, patch, request.precondition())
        .await?
    {
        WriteOutcome::NotFound => Err(not_found(key)),
        WriteOutcome::PreconditionFailed => Err(ApiError::precondition_failed()),
        WriteOutcome::Done(stored) => written(request, def, &options, &stored),
    }
}

/// A written object's answer: 200 with it, or 204 with `Prefer: return=minimal`.
fn written(
    request: &ApiRequest,
    def: &'static ResourceDef,
    options: &QueryOptions,
    stored: &Versioned,
) -> Result<Response, ApiError> {
    if request.prefers_minimal() {
        return minimal_response(stored);
    }
    let select = options.select.as_ref();
    entity_response(request, def, StatusCode::OK, stored, select)
}

/// PUT: the object created or replaced whole at the client's key, 200 with it (or 204 with
/// `Prefer: return=minimal`).
pub async fn put(
    state: &AppState,
    request: &ApiRequest,
    def: &'static ResourceDef,
    key: &str,
) -> Result<Response, ApiError> {
    let options = request.options(def, Target::Single)?;
    let id = Uuid::parse_str(key).map_err(|_| {
        ApiError::bad_request(format!(
            "The key '{key}' is not a GUID: {} is keyed by {}.",
            def.noun.a(),
            def.entity.key().name
        ))
    })?;
    let new = parse_put(def.entity, &request.body, key)
        .map_err(|error| ApiError::bad_request(error.message))?;
    match state
        .store
        .put(def, request.tenant(), id, new, request.precondition())
        .await?
    {
        WriteOutcome::NotFound | WriteOutcome::PreconditionFailed => {
            Err(ApiError::precondition_failed())
        }
        WriteOutcome::Done(stored) => written(request, def, &options, &stored),
    }
}

pub async fn delete(
    state: &AppState,
    request: &ApiRequest,
    def: &'static ResourceDef,
    key: &str,
) -> Result<Response, ApiError> {
    request.options(def, Target::Single)?;
    let id = parse_key(key)?;
    match state
        .store
        .delete(def, request.tenant(), id, request.precondition())
        .await?
    {
        WriteOutcome::NotFound => Err(not_found(key)),
        WriteOutcome::PreconditionFailed => Err(ApiError::precondition_failed()),
        WriteOutcome::Done(()) => Ok(StatusCode::NO_CONTENT.into_response()),
    }
}
