//! `GET /beta/reports/azureADPremiumLicenseInsight` (SPEC §12.3): entitlements from the SKUs,
//! feature use from each user's latest azureADUserFeatureUsage record, counted at the request's
//! arrival. `$select` applies; a tenant without a premiumP1 or premiumP2 SKU gets 403
//! `missingLicense`.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value as Json};
use tally_model::directory::insight::PREMIUM_LICENSE_INSIGHT;
use tally_odata::edm::DateTimeOffset;

use crate::error::ApiError;
use crate::http::odata_response::odata_json_bytes;
use crate::query_options::{QueryOptions, Target};
use crate::routes::ApiRequest;
use crate::state::AppState;

/// The 403 of a tenant without P1 or P2.
pub const MISSING_LICENSE: &str = "missingLicense";

pub async fn get(state: &AppState, request: &ApiRequest) -> Result<Response, ApiError> {
    let options = QueryOptions::parse(
        &PREMIUM_LICENSE_INSIGHT,
        request.raw_query.as_deref(),
        request.filter_options,
    )?;
    options.check_target(Target::Single)?;
    let (store, tenant) = (&state.store, request.tenant());
    let stamp = store.insight_stamp(tenant).await?;
    let usage = state
        .insights
        .get(tenant, stamp, async || store.insight_usage(tenant).await)
        .await?;
    if !usage.has_premium() {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            MISSING_LICENSE,
            "The tenant has no Microsoft Entra ID P1 or P2 license: the premium license insight \
             needs one.",
        ));
    }
    let now = DateTimeOffset::parse(&tally_store::directory::now_text())
        .map_err(|_| ApiError::internal())?;
    let selection = options.select.as_ref().map(|select| &select.selection);
    let mut body: Map<String, Json> = usage.json(request.tenant(), &now, selection);
    let fragment = match &options.select {
        Some(select) => format!(
            "reports/azureADPremiumLicenseInsight({})/$entity",
            select.names.join(",")
        ),
        None => "reports/azureADPremiumLicenseInsight/$entity".into(),
    };
    body.insert(
        "@odata.context".into(),
        Json::String(request.context_url(&fragment)),
    );
    Ok(odata_json_bytes(
        StatusCode::OK,
        serde_json::to_vec(&body).unwrap_or_default(),
    ))
}
