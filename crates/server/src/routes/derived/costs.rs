//! `GET /beta/reports/licenseCosts` (tally's, SPEC §13.3): per SKU what is bought, assigned,
//! unassigned, held by disabled and by inactive accounts, and what each costs a month at the
//! tenant's prices, with `@tally.totals` per currency. The holders are counted once per change
//! of the directory ([`crate::state::stamped`]); the SKUs and prices are read each time.

use std::collections::HashMap;

use axum::http::StatusCode;
use axum::response::Response;
use tally_model::catalog;
use tally_model::directory::costs::{Costs, Price, LICENSE_COST};
use tally_model::directory::AUDIT_LOG;
use tally_model::money::BillingPeriod;
use tally_model::resources::{price_property, LICENSE_PRICE};
use tally_model::Value;
use tally_odata::edm::DateTimeOffset;
use uuid::Uuid;

use crate::error::ApiError;
use crate::http::odata_response::odata_json_bytes;
use crate::query_options::{QueryOptions, Target};
use crate::routes::ApiRequest;
use crate::state::AppState;

pub async fn get(state: &AppState, request: &ApiRequest) -> Result<Response, ApiError> {
    // Inactive holders are counted from sign-ins, which `AuditLog.Read.All` guards.
    if !request.principal.allows(&AUDIT_LOG, false) {
        return Err(ApiError::forbidden(AUDIT_LOG.read_denied));
    }
    let options = QueryOptions::parse(
        &LICENSE_COST,
        request.raw_query.as_deref(),
        request.filter_options,
    )?;
    options.check_target(Target::Collection)?;
    if let Some(name) = options.unsupported(&["$select"]) {
        return Err(ApiError::bad_request(format!(
            "The query option '{name}' is not supported on licenseCosts."
        )));
    }

    let (store, tenant) = (&state.store, request.tenant());
    let stamp = store.holder_stamp(tenant).await?;
    let holders = state
        .holders
        .get(tenant, stamp, async || store.holder_activity(tenant).await)
        .await?;
    let skus = store.list_skus(tenant).await?;
    let prices = prices(state, request).await?;
    let now = DateTimeOffset::parse(&tally_store::directory::now_text())
        .map_err(|_| ApiError::internal())?;
    let costs = Costs::new(&skus, &prices, &holders, now.ticks(), |sku| {
        let part_number = sku.sku_part_number.as_deref().unwrap_or_default();
        catalog::product_name(sku.sku_id, part_number).to_owned()
    });

    let selection = options.select.as_ref().map(|select| &select.selection);
    let context = match &options.select {
        Some(select) => format!("reports/licenseCosts({})", select.names.join(",")),
        None => "reports/licenseCosts".into(),
    };
    let mut body = Vec::with_capacity(512 + 512 * costs.rows.len());
    body.extend_from_slice(b"{\"@odata.context\":");
    tally_model::wire::push_json_str(&mut body, &request.context_url(&context));
    body.extend_from_slice(b",\"@tally.totals\":");
    costs.write_totals(&mut body);
    body.extend_from_slice(b",\"value\":");
    costs.write_rows(selection, &mut body);
    body.push(b'}');
    Ok(odata_json_bytes(StatusCode::OK, body))
}

/// The tenant's prices by skuId.
async fn prices(state: &AppState, request: &ApiRequest) -> Result<HashMap<Uuid, Price>, ApiError> {
    let stored = state
        .store
        .list_all(&LICENSE_PRICE, request.tenant())
        .await?;
    stored
        .iter()
        .map(|stored| {
            let entity = &stored.entity;
            let get = |property| entity.get(LICENSE_PRICE.entity, property);
            let (Value::Decimal(unit_price), Value::String(currency), Value::Enum(period)) = (
                get(price_property::unit_price()),
                get(price_property::currency()),
                get(price_property::billing_period()),
            ) else {
                return Err(ApiError::internal());
            };
            let period = BillingPeriod::parse(period).ok_or_else(ApiError::internal)?;
            let price = Price {
                unit_price: *unit_price,
                currency: currency.to_string(),
                period,
            };
            Ok((entity.id, price))
        })
        .collect()
}
