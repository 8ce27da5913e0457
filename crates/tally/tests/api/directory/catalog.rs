//! SPEC §13.3 "Product names": a SKU created without `servicePlans` (POST, `tally import`)
//! whose skuId the product catalog knows gets the catalog's plans, so it counts as Graph counts
//! it; a SKU whose body gives plans, or whose skuId the catalog lacks, keeps what it was given.

use reqwest::StatusCode;
use serde_json::{json, Value};
use tally_model::catalog;
use uuid::Uuid;

use super::typed::{E5, P1_PLAN, P2_PLAN};
use super::Tenant;
use crate::import_export::{stderr, tally};
use crate::support::{app_token, TestServer};

const INSIGHT: &str = "/beta/reports/azureADPremiumLicenseInsight";

/// A token that may write the directory and read the insight.
fn reader_of_insight(server: &TestServer, tenant: &Tenant) -> String {
    server.mint(&app_token(
        tenant.id,
        &["Directory.ReadWrite.All", "Reports.Read.All"],
    ))
}

async fn created(server: &TestServer, tenant: &Tenant, body: &Value) -> Value {
    let reply = server
        .post("/v1.0/subscribedSkus", &tenant.token, body)
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    reply.json
}

/// The catalog's plans of `sku_id` as Graph's `servicePlanInfo`s.
fn catalog_plans(sku_id: &str) -> Value {
    let product = catalog::by_sku_id(sku_id.parse().unwrap()).unwrap();
    product
        .plans
        .iter()
        .map(|plan| {
            json!({
                "servicePlanId": plan.service_plan_id.to_string(),
                "servicePlanName": plan.service_plan_name,
                "provisioningStatus": "Success",
                "appliesTo": "User",
            })
        })
        .collect()
}

#[tokio::test]
async fn spe_e5_created_by_its_sku_id_alone_has_the_tables_plans_and_counts_as_p2() {
    let server = TestServer::start();
    let tenant = Tenant::new(&server);
    let token = reader_of_insight(&server, &tenant);
    // Without a premium SKU the tenant has no insight.
    server
        .get(INSIGHT, &token)
        .await
        .assert_error(403, "missingLicense");

    let body = json!({ "skuId": E5, "prepaidUnits": { "enabled": 7, "warning": 2 } });
    let sku = created(&server, &tenant, &body).await;
    assert_eq!(sku["skuPartNumber"], "SPE_E5");
    let p2 = sku["servicePlans"]
        .as_array()
        .unwrap()
        .iter()
        .find(|plan| plan["servicePlanId"] == P2_PLAN)
        .unwrap_or_else(|| panic!("no AAD_PREMIUM_P2 in {}", sku["servicePlans"]));
    assert_eq!(
        *p2,
        json!({
            "servicePlanId": P2_PLAN,
            "servicePlanName": "AAD_PREMIUM_P2",
            "provisioningStatus": "Success",
            "appliesTo": "User",
        })
    );
    // Every plan of the table, in its order, and the same when read back.
    assert_eq!(sku["servicePlans"], catalog_plans(E5));
    let read = server
        .get(
            &format!("/v1.0/subscribedSkus/{}", tenant.sku_key(E5)),
            &tenant.token,
        )
        .await;
    assert_eq!(read.json["servicePlans"], sku["servicePlans"]);

    let insight = server.get(INSIGHT, &token).await;
    assert_eq!(insight.status, StatusCode::OK, "{}", insight.text);
    assert_eq!(insight.json["entitledP2LicenseCount"], 9);
    assert_eq!(insight.json["entitledP1LicenseCount"], 0);
    assert_eq!(insight.json["entitledTotalLicenseCount"], 9);
}

#[tokio::test]
async fn an_unknown_sku_id_without_plans_gets_none() {
    let server = TestServer::start();
    let tenant = Tenant::new(&server);
    let token = reader_of_insight(&server, &tenant);
    let unknown = Uuid::new_v4().to_string();
    let sku = created(
        &server,
        &tenant,
        &json!({ "skuId": unknown, "prepaidUnits": { "enabled": 5 } }),
    )
    .await;
    assert_eq!(sku["servicePlans"], json!([]));
    assert_eq!(sku["skuPartNumber"], Value::Null);
    server
        .get(INSIGHT, &token)
        .await
        .assert_error(403, "missingLicense");
}

#[tokio::test]
async fn given_plans_and_part_number_are_kept_even_when_empty() {
    let server = TestServer::start();
    let tenant = Tenant::new(&server);
    let token = reader_of_insight(&server, &tenant);
    // SPE_E5 told it has no plans and no part number: it keeps both, and is no P2.
    let empty = created(
        &server,
        &tenant,
        &json!({ "skuId": E5, "skuPartNumber": null, "servicePlans": [], "prepaidUnits": { "enabled": 5 } }),
    )
    .await;
    assert_eq!(empty["servicePlans"], json!([]));
    assert_eq!(empty["skuPartNumber"], Value::Null);
    server
        .get(INSIGHT, &token)
        .await
        .assert_error(403, "missingLicense");

    // Told it has one plan (P1's) and another part number: exactly those.
    let other = Tenant::new(&server);
    let token = reader_of_insight(&server, &other);
    let given = json!([{ "servicePlanId": P1_PLAN, "servicePlanName": "MINE", "provisioningStatus": "PendingActivation" }]);
    let sku = created(
        &server,
        &other,
        &json!({ "skuId": E5, "skuPartNumber": "MY_E5", "servicePlans": given, "prepaidUnits": { "enabled": 4 } }),
    )
    .await;
    assert_eq!(sku["skuPartNumber"], "MY_E5");
    assert_eq!(
        sku["servicePlans"],
        json!([{ "servicePlanId": P1_PLAN, "servicePlanName": "MINE", "provisioningStatus": "PendingActivation", "appliesTo": "User" }])
    );
    let insight = server.get(INSIGHT, &token).await;
    assert_eq!(insight.status, StatusCode::OK, "{}", insight.text);
    assert_eq!(insight.json["entitledP1LicenseCount"], 4);
    assert_eq!(insight.json["entitledP2LicenseCount"], 0);
}

#[tokio::test]
async fn an_imported_sku_without_plans_gets_the_tables() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::builder().data_dir(dir.path()).shared().start();
    let tenant = Tenant::new(&server);
    let unknown = Uuid::new_v4().to_string();
    let file = dir.path().join("skus.jsonl");
    let lines = [
        json!({ "skuId": E5, "prepaidUnits": { "enabled": 3 } }),
        json!({ "skuId": unknown, "prepaidUnits": { "enabled": 1 } }),
    ];
    let text: Vec<String> = lines.iter().map(Value::to_string).collect();
    std::fs::write(&file, text.join("\n")).unwrap();
    let tenant_text = tenant.id.to_string();
    let loaded = tally(
        dir.path(),
        &[
            "import",
            file.to_str().unwrap(),
            "--resource",
            "subscribedSkus",
            "--tenant",
            &tenant_text,
        ],
    );
    assert!(loaded.status.success(), "{}", stderr(&loaded));

    let path = |sku_id: &str| format!("/v1.0/subscribedSkus/{}", tenant.sku_key(sku_id));
    let e5 = server.get(&path(E5), &tenant.token).await;
    assert_eq!(e5.status, StatusCode::OK, "{}", e5.text);
    assert_eq!(e5.json["skuPartNumber"], "SPE_E5");
    assert_eq!(e5.json["servicePlans"], catalog_plans(E5));
    let other = server.get(&path(&unknown), &tenant.token).await;
    assert_eq!(other.status, StatusCode::OK, "{}", other.text);
    assert_eq!(other.json["servicePlans"], json!([]));
}
