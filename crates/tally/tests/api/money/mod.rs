//! SPEC §13.3, money (tally's): prices per SKU at `/beta/reports/licensePrices`, and the
//! `licenseCosts` report that prices the directory's units.

mod cli;
mod costs;
mod prices;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::directory::Tenant;
use crate::support::TestServer;

pub const PRICES: &str = "/beta/reports/licensePrices";

/// Sets the price of `sku_id` and answers it as stored.
pub async fn set_price(
    server: &TestServer,
    tenant: &Tenant,
    sku_id: &str,
    unit_price: f64,
    currency: &str,
    period: &str,
) -> Value {
    let body = json!({ "unitPrice": unit_price, "currency": currency, "billingPeriod": period });
    let reply = server
        .put(&format!("{PRICES}/{sku_id}"), &tenant.token, &body)
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    reply.json
}
