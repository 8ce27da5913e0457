//! `/subscribedSkus`: list and get as on Graph; POST, PATCH and DELETE are tally's, to set an
//! emulated tenant up. A SKU's key is `{tenantId}_{skuId}`.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value as Json};
use tally_model::directory::body::{sku_create, SkuPatch};
use tally_model::directory::types::SUBSCRIBED_SKU;
use tally_model::directory::wire;
use tally_model::directory::Sku;
use tally_odata::query::Selection;
use uuid::Uuid;

use super::{bad_request, directory_error, json_response, no_content, not_found, with_location};
use crate::error::ApiError;
use crate::query_options::{QueryOptions, Target};
use crate::routes::ApiRequest;
use crate::state::AppState;

/// `$select` only: Graph's subscribedSkus takes no other query option.
fn selection(
    request: &ApiRequest,
    target: Target,
) -> Result<Option<(Selection, String)>, ApiError> {
    let options = QueryOptions::parse(
        &SUBSCRIBED_SKU,
        request.raw_query.as_deref(),
        request.filter_options,
    )?;
    options.check_target(target)?;
    if let Some(name) = options.unsupported(&["$select"]) {
        return Err(bad_request(format!(
            "The query option '{name}' is not supported on subscribedSkus."
        )));
    }
    Ok(options
        .select
        .map(|select| (select.selection, select.names.join(","))))
}

fn sku_id(request: &ApiRequest, key: &str) -> Result<Uuid, ApiError> {
    Sku::parse_key(request.tenant(), key).ok_or_else(|| not_found(key))
}

pub async fn list(state: &AppState, request: &ApiRequest) -> Result<Response, ApiError> {
    let selection = selection(request, Target::Collection)?;
    let skus = state.store.list_skus(request.tenant()).await?;
    let value: Vec<Json> = skus
        .iter()
        .map(|sku| {
            Json::Object(wire::sku(
                sku,
                request.tenant(),
                selection.as_ref().map(|s| &s.0),
            ))
        })
        .collect();
    let fragment = match &selection {
        Some((_, names)) => format!("subscribedSkus({names})"),
        None => "subscribedSkus".into(),
    };
    let mut body = Map::new();
    body.insert("value".into(), Json::Array(value));
    Ok(json_response(
        StatusCode::OK,
        request.context_url(&fragment),
        body,
    ))
}

pub async fn get(state: &AppState, request: &ApiRequest, key: &str) -> Result<Response, ApiError> {
    let selection = selection(request, Target::Single)?;
    let sku_id = sku_id(request, key)?;
    let skus = state.store.list_skus(request.tenant()).await?;
    let sku = skus
        .iter()
        .find(|sku| sku.sku_id == sku_id)
        .ok_or_else(|| not_found(key))?;
    let fragment = match &selection {
        Some((_, names)) => format!("subscribedSkus({names})/$entity"),
        None => "subscribedSkus/$entity".into(),
    };
    let body = wire::sku(sku, request.tenant(), selection.as_ref().map(|s| &s.0));
    Ok(json_response(
        StatusCode::OK,
        request.context_url(&fragment),
        body,
    ))
}

pub async fn create(state: &AppState, request: &ApiRequest) -> Result<Response, ApiError> {
    let sku = sku_create(&request.body).map_err(bad_request)?;
    let sku = state
        .store
        .create_sku(request.tenant(), sku)
        .await
        .map_err(|error| directory_error(error, "subscribedSkus"))?;
    let key = sku.key(request.tenant());
    let body = wire::sku(&sku, request.tenant(), None);
    let response = json_response(
        StatusCode::CREATED,
        request.context_url("subscribedSkus/$entity"),
        body,
    );
    Ok(with_location(
        response,
        &format!("{}/subscribedSkus/{key}", request.service_root()),
    ))
}

pub async fn update(
    state: &AppState,
    request: &ApiRequest,
    key: &str,
) -> Result<Response, ApiError> {
    // The body's 400 comes before the key's 404 (SPEC §10).
    let patch = SkuPatch::parse(&request.body).map_err(bad_request)?;
    let sku_id = sku_id(request, key)?;
    state
        .store
        .update_sku(request.tenant(), sku_id, patch)
        .await
        .map_err(|error| directory_error(error, key))?;
    Ok(no_content())
}

pub async fn delete(
    state: &AppState,
    request: &ApiRequest,
    key: &str,
) -> Result<Response, ApiError> {
    let sku_id = sku_id(request, key)?;
    state
        .store
        .delete_sku(request.tenant(), sku_id)
        .await
        .map_err(|error| directory_error(error, key))?;
    Ok(no_content())
}
