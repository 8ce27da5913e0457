//! A user's licenses: `assignLicense` (200 with the user, all of it or nothing) and
//! `licenseDetails` (derived from the assignments and the SKUs).

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value as Json};
use tally_model::directory::body::assign_license;
use tally_model::directory::types::LICENSE_DETAILS;
use tally_model::directory::wire::{self, UserView};
use tally_model::directory::UserKey;

use super::{bad_request, directory_error, json_response, not_found};
use crate::error::ApiError;
use crate::http::odata_response::odata_json_bytes;
use crate::query_options::{QueryOptions, Target};
use crate::resource::ApiVersion;
use crate::routes::ApiRequest;
use crate::state::AppState;

pub async fn assign(
    state: &AppState,
    request: &ApiRequest,
    key: &str,
) -> Result<Response, ApiError> {
    let assignment = assign_license(&request.body).map_err(bad_request)?;
    let user = state
        .store
        .assign_license(request.tenant(), UserKey::parse(key), assignment)
        .await
        .map_err(|error| directory_error(error, key))?;
    let view = match request.version {
        ApiVersion::V1 => UserView::V1Default,
        ApiVersion::Beta => UserView::BetaDefault,
    };
    let mut body = Vec::with_capacity(1024);
    wire::write_user(
        &mut body,
        &user,
        view,
        Some(&request.context_url("users/$entity")),
    );
    Ok(odata_json_bytes(StatusCode::OK, body))
}

pub async fn details(
    state: &AppState,
    request: &ApiRequest,
    key: &str,
) -> Result<Response, ApiError> {
    let options = QueryOptions::parse(
        &LICENSE_DETAILS,
        request.raw_query.as_deref(),
        request.filter_options,
    )?;
    options.check_target(Target::Collection)?;
    if options.filter.is_some() || options.orderby.is_some() || options.skiptoken.is_some() {
        return Err(bad_request(
            "licenseDetails takes $select only: a user holds few licenses.",
        ));
    }
    let tenant = request.tenant();
    let user = state
        .store
        .get_user(tenant, UserKey::parse(key))
        .await?
        .ok_or_else(|| not_found(key))?;
    let skus = state.store.list_skus(tenant).await?;
    let selection = options.select.as_ref().map(|select| &select.selection);
    let value: Vec<Json> = wire::license_details(&user, &skus, selection)
        .into_iter()
        .map(Json::Object)
        .collect();
    let mut body = Map::new();
    if options.count {
        body.insert("@odata.count".into(), Json::from(value.len()));
    }
    body.insert("value".into(), Json::Array(value));
    let fragment = format!("users('{}')/licenseDetails", user.id);
    Ok(json_response(
        StatusCode::OK,
        request.context_url(&fragment),
        body,
    ))
}
