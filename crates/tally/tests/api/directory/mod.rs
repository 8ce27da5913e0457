//! SPEC §12.2, the directory: subscribedSkus, users, assignLicense and licenseDetails, through
//! the HTTP API as Graph clients use it.

mod assign;
mod catalog;
mod insight;
mod limits;
mod queries;
mod race;
mod reclaim;
mod skus;
mod snapshot;
mod subscriptions;
mod users;

use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::support::{app_token, TestServer};

/// A tenant and an application token that may do everything in its directory.
pub struct Tenant {
    pub id: Uuid,
    pub token: String,
}

impl Tenant {
    pub fn new(server: &TestServer) -> Self {
        let id = Uuid::new_v4();
        let token = server.mint(&app_token(
            id,
            &["Directory.ReadWrite.All", "AuditLog.Read.All"],
        ));
        Self { id, token }
    }

    /// The key of one of its SKUs.
    pub fn sku_key(&self, sku_id: &str) -> String {
        format!("{}_{sku_id}", self.id)
    }
}

/// A SKU body with `units` enabled units and these service plan ids.
pub fn sku(sku_id: &str, part_number: &str, units: i64, plans: &[&str]) -> Value {
    let plans: Vec<Value> = plans
        .iter()
        .map(|id| json!({ "servicePlanId": id, "servicePlanName": format!("PLAN_{}", &id[..4]) }))
        .collect();
    json!({
        "skuId": sku_id,
        "skuPartNumber": part_number,
        "prepaidUnits": { "enabled": units, "suspended": 0, "warning": 0, "lockedOut": 0 },
        "servicePlans": plans,
    })
}

pub async fn create_sku(server: &TestServer, tenant: &Tenant, body: &Value) {
    let reply = server
        .post("/v1.0/subscribedSkus", &tenant.token, body)
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
}

/// Creates a user with a usage location and answers its id.
pub async fn create_user(server: &TestServer, tenant: &Tenant, name: &str) -> String {
    let body = json!({
        "displayName": name,
        "userPrincipalName": format!("{}@contoso.example", name.to_lowercase()),
        "usageLocation": "US",
        "accountEnabled": true,
        "passwordProfile": { "password": "not kept" },
    });
    let reply = server.post("/v1.0/users", &tenant.token, &body).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    reply.json["id"].as_str().unwrap().to_owned()
}

pub fn add(sku_id: &str) -> Value {
    json!({ "addLicenses": [{ "skuId": sku_id, "disabledPlans": [] }], "removeLicenses": [] })
}

pub fn remove(sku_id: &str) -> Value {
    json!({ "addLicenses": [], "removeLicenses": [sku_id] })
}

/// The SKU's consumedUnits as the API reports it.
pub async fn consumed(server: &TestServer, tenant: &Tenant, sku_id: &str) -> i64 {
    let path = format!("/v1.0/subscribedSkus/{}", tenant.sku_key(sku_id));
    let reply = server.get(&path, &tenant.token).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    reply.json["consumedUnits"].as_i64().unwrap()
}

/// The number of users holding the SKU, by `$count` over the license filter.
pub async fn holders(server: &TestServer, tenant: &Tenant, sku_id: &str) -> i64 {
    let path = format!("/v1.0/users/$count?$filter=assignedLicenses/any(x:x/skuId eq {sku_id})");
    let reply = server.get(&path, &tenant.token).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    reply.text.trim().parse().unwrap()
}

/// What the derived numbers' tests hold (SPEC §12.3): the plans that decide a license type, and
/// SKUs that carry them.
pub mod typed {
    pub const P2_PLAN: &str = "eec0eb4f-6444-4f95-aba0-50c24d67f998";
    pub const P1_PLAN: &str = "41781fb2-bc02-4b7c-bd55-b576c07bb09d";
    pub const BASIC_PLAN: &str = "c4da7f8a-5ee2-4c99-a7e1-87d2df57f6fe";
    pub const E5: &str = "06ebc4ee-1bb5-47dd-8120-11324bc54e06";
    pub const P1: &str = "078d2b04-f1bd-4111-bbd4-b4b1b354cef4";
    pub const BASIC: &str = "2b9c8e7c-319c-43a2-a2a0-48c5c6161de7";
}

/// Creates the user `body` describes and gives it licenses (`(sku, disabled plans)`); answers
/// its id.
pub async fn user_holding(
    server: &TestServer,
    tenant: &Tenant,
    body: &Value,
    licenses: &[(&str, &[&str])],
) -> String {
    let created = server.post("/v1.0/users", &tenant.token, body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let id = created.json["id"].as_str().unwrap().to_owned();
    if licenses.is_empty() {
        return id;
    }
    let add: Vec<Value> = licenses
        .iter()
        .map(|(sku, disabled)| json!({ "skuId": sku, "disabledPlans": disabled }))
        .collect();
    let reply = server
        .post(
            &format!("/v1.0/users/{id}/assignLicense"),
            &tenant.token,
            &json!({ "addLicenses": add, "removeLicenses": [] }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    id
}

pub const E5: &str = "c7df2760-2c81-4ef7-b578-5b5392b571df";
pub const P2: &str = "84a661c4-e949-4bd2-a560-ed7766fcaf2b";
pub const AAD_PREMIUM: &str = "41781fb2-bc02-4b7c-bd55-b576c07bb09d";
pub const EXCHANGE: &str = "efb87545-963c-4e0d-99df-69c6916d9eb0";

/// `days` days from now (negative: ago), as Graph writes a date.
pub fn days(days: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::days(days))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
