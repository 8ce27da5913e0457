//! `GET /beta/reports/licenseCosts` (SPEC §13.3) on a tenant worked out by hand: two currencies,
//! a yearly price whose monthly share needs rounding, a SKU without a price, and holders that
//! are active, disabled, inactive (by either sign-in) and never signed in.

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::set_price;
use crate::directory::{create_sku, days, sku, user_holding, Tenant};
use crate::import_export::{stderr, tally};
use crate::support::{app_token, TestServer};

const COSTS: &str = "/beta/reports/licenseCosts";

const A: &str = "0a000000-0000-0000-0000-00000000000a";
const B: &str = "0b000000-0000-0000-0000-00000000000b";
const C: &str = "0c000000-0000-0000-0000-00000000000c";
const D: &str = "0d000000-0000-0000-0000-00000000000d";

/// A user body: enabled or not, with these sign-ins (days ago; None: never).
fn person(
    name: &str,
    enabled: bool,
    interactive: Option<i64>,
    non_interactive: Option<i64>,
) -> Value {
    let when = |ago: Option<i64>| ago.map_or(Value::Null, |ago| json!(days(-ago)));
    json!({
        "userPrincipalName": format!("{name}@contoso.example"),
        "usageLocation": "US",
        "accountEnabled": enabled,
        "signInActivity": {
            "lastSignInDateTime": when(interactive),
            "lastNonInteractiveSignInDateTime": when(non_interactive),
        },
    })
}

/// The tenant of the worked example (see the test's comments).
async fn worked_tenant(server: &TestServer) -> Tenant {
    let tenant = Tenant::new(server);
    // A: 10 enabled + 2 warning = 12 purchased; B: 5; C: 4; D: 3.
    let mut a = sku(A, "SKU_A", 10, &[]);
    a["prepaidUnits"]["warning"] = json!(2);
    create_sku(server, &tenant, &a).await;
    create_sku(server, &tenant, &sku(B, "SKU_B", 5, &[])).await;
    create_sku(server, &tenant, &sku(C, "SKU_C", 4, &[])).await;
    create_sku(server, &tenant, &sku(D, "SKU_D", 3, &[])).await;
    let none: &[&str] = &[];
    // u1 active (2 days ago): A, B.
    let u1 = person("u1", true, Some(2), None);
    user_holding(server, &tenant, &u1, &[(A, none), (B, none)]).await;
    // u2 disabled (though it signed in yesterday): A, C.
    let u2 = person("u2", false, Some(1), None);
    user_holding(server, &tenant, &u2, &[(A, none), (C, none)]).await;
    // u3 inactive: its later sign-in, non-interactive, is 31 days ago: A, B, D.
    let u3 = person("u3", true, Some(40), Some(31));
    user_holding(server, &tenant, &u3, &[(A, none), (B, none), (D, none)]).await;
    // u4 never signed in, so inactive: B, D.
    let u4 = person("u4", true, None, None);
    user_holding(server, &tenant, &u4, &[(B, none), (D, none)]).await;
    // u5 active by its non-interactive sign-in (3 days ago), though interactive 45 days ago: A.
    let u5 = person("u5", true, Some(45), Some(3));
    user_holding(server, &tenant, &u5, &[(A, none)]).await;
    // A: 57.00 USD a month. B: 100.00 EUR a year. D: 10.00 USD a year. C: no price.
    set_price(server, &tenant, A, 57.0, "USD", "month").await;
    set_price(server, &tenant, B, 100.0, "EUR", "year").await;
    set_price(server, &tenant, D, 10.0, "USD", "year").await;
    tenant
}

fn row<'a>(report: &'a Value, sku_id: &str) -> &'a Value {
    report["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["skuId"] == sku_id)
        .unwrap_or_else(|| panic!("no row for {sku_id}: {report}"))
}

#[tokio::test]
async fn a_hand_computed_tenant_costs_what_the_arithmetic_says() {
    let server = TestServer::start();
    let tenant = worked_tenant(&server).await;
    let reply = server.get(COSTS, &tenant.token).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let report = &reply.json;
    assert_eq!(report["value"].as_array().unwrap().len(), 4);

    // A, 57 USD a month: holders u1, u2, u3, u5. Assigned 4 of 12, unassigned 8, disabled 1
    // (u2), inactive 1 (u3). Costs: 12 × 57 = 684, 4 × 57 = 228, 8 × 57 = 456, 57, 57.
    assert_eq!(
        row(report, A),
        &json!({
            "skuId": A, "skuPartNumber": "SKU_A", "productName": "SKU_A",
            "currency": "USD", "monthlyUnitPrice": 57,
            "purchasedUnits": 12, "assignedUnits": 4, "unassignedUnits": 8,
            "disabledHolderUnits": 1, "inactiveHolderUnits": 1,
            "purchasedCost": 684, "assignedCost": 228, "unassignedCost": 456,
            "disabledHolderCost": 57, "inactiveHolderCost": 57,
        })
    );
    // B, 100 EUR a year = 8.3333… a month (shown 8.3333): holders u1, u3, u4. Assigned 3 of
    // 5, unassigned 2, disabled 0, inactive 2 (u3, u4). Costs: 5 × 100 / 12 = 41.666… → 41.67;
    // 3 × 100 / 12 = 25; 2 × 100 / 12 = 16.666… → 16.67; 0; 16.67.
    assert_eq!(
        row(report, B),
        &json!({
            "skuId": B, "skuPartNumber": "SKU_B", "productName": "SKU_B",
            "currency": "EUR", "monthlyUnitPrice": 8.3333,
            "purchasedUnits": 5, "assignedUnits": 3, "unassignedUnits": 2,
            "disabledHolderUnits": 0, "inactiveHolderUnits": 2,
            "purchasedCost": 41.67, "assignedCost": 25, "unassignedCost": 16.67,
            "disabledHolderCost": 0, "inactiveHolderCost": 16.67,
        })
    );
    // C, no price: holder u2 (disabled). Units counted, every money figure null.
    assert_eq!(
        row(report, C),
        &json!({
            "skuId": C, "skuPartNumber": "SKU_C", "productName": "SKU_C",
            "currency": null, "monthlyUnitPrice": null,
            "purchasedUnits": 4, "assignedUnits": 1, "unassignedUnits": 3,
            "disabledHolderUnits": 1, "inactiveHolderUnits": 0,
            "purchasedCost": null, "assignedCost": null, "unassignedCost": null,
            "disabledHolderCost": null, "inactiveHolderCost": null,
        })
    );
    // D, 10 USD a year = 0.8333… a month: holders u3, u4, both inactive. Assigned 2 of 3,
    // unassigned 1. Costs: 30 / 12 = 2.5; 20 / 12 = 1.666… → 1.67; 10 / 12 = 0.833… → 0.83;
    // 0; 1.67.
    assert_eq!(
        row(report, D),
        &json!({
            "skuId": D, "skuPartNumber": "SKU_D", "productName": "SKU_D",
            "currency": "USD", "monthlyUnitPrice": 0.8333,
            "purchasedUnits": 3, "assignedUnits": 2, "unassignedUnits": 1,
            "disabledHolderUnits": 0, "inactiveHolderUnits": 2,
            "purchasedCost": 2.5, "assignedCost": 1.67, "unassignedCost": 0.83,
            "disabledHolderCost": 0, "inactiveHolderCost": 1.67,
        })
    );
    // Totals, never across currencies, each the rounded exact sum:
    // EUR purchased 41.666… → 41.67; waste (2 unassigned + 0 + 2 inactive) × 100 / 12 =
    //   33.333… → 33.33 (not 16.67 + 16.67 = 33.34 from the rounded figures).
    // USD purchased 684 + 2.5 = 686.5; waste A (8 + 1 + 1) × 57 = 570, D (1 + 0 + 2) × 10 / 12
    //   = 2.5: 572.5.
    assert_eq!(
        report["@tally.totals"],
        json!([
            { "currency": "EUR", "purchasedCost": 41.67, "wasteCost": 33.33 },
            { "currency": "USD", "purchasedCost": 686.5, "wasteCost": 572.5 },
        ])
    );
}

#[tokio::test]
async fn the_report_follows_every_change_and_select_trims_its_rows() {
    let server = TestServer::start();
    let tenant = worked_tenant(&server).await;
    let reply = server.get(COSTS, &tenant.token).await;
    assert_eq!(row(&reply.json, A)["disabledHolderUnits"], 1);

    // A holder disabled, then its license removed; a price changed: each shows at once.
    let users = server
        .get(
            "/v1.0/users?$filter=userPrincipalName eq 'u1@contoso.example'",
            &tenant.token,
        )
        .await;
    let u1 = users.json["value"][0]["id"].as_str().unwrap().to_owned();
    let patch = server
        .patch(
            &format!("/v1.0/users/{u1}"),
            &tenant.token,
            &json!({ "accountEnabled": false }),
        )
        .await;
    assert_eq!(patch.status, StatusCode::NO_CONTENT, "{}", patch.text);
    let reply = server.get(COSTS, &tenant.token).await;
    assert_eq!(row(&reply.json, A)["disabledHolderUnits"], 2);
    assert_eq!(row(&reply.json, A)["disabledHolderCost"], json!(114));

    let removed = server
        .post(
            &format!("/v1.0/users/{u1}/assignLicense"),
            &tenant.token,
            &json!({ "addLicenses": [], "removeLicenses": [A] }),
        )
        .await;
    assert_eq!(removed.status, StatusCode::OK, "{}", removed.text);
    set_price(&server, &tenant, A, 60.0, "USD", "month").await;
    let reply = server
        .get(
            &format!("{COSTS}?$select=assignedUnits,disabledHolderCost"),
            &tenant.token,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(
        row(&reply.json, A),
        &json!({ "skuId": A, "assignedUnits": 3, "disabledHolderCost": 60 })
    );
    assert!(reply.json["@odata.context"]
        .as_str()
        .unwrap()
        .ends_with("$metadata#reports/licenseCosts(assignedUnits,disabledHolderCost)"));
}

#[tokio::test]
async fn the_report_needs_sign_in_and_sku_permissions_and_takes_only_select() {
    let server = TestServer::start();
    let tenant = worked_tenant(&server).await;
    let skus_only = server.mint(&app_token(tenant.id, &["LicenseAssignment.Read.All"]));
    server
        .get(COSTS, &skus_only)
        .await
        .assert_error(403, "Authorization_RequestDenied");
    let audit_only = server.mint(&app_token(tenant.id, &["AuditLog.Read.All"]));
    server
        .get(COSTS, &audit_only)
        .await
        .assert_error(403, "Authorization_RequestDenied");
    let both = server.mint(&app_token(
        tenant.id,
        &["LicenseAssignment.Read.All", "AuditLog.Read.All"],
    ));
    assert_eq!(server.get(COSTS, &both).await.status, StatusCode::OK);
    for query in [
        "$top=1",
        "$filter=currency eq 'USD'",
        "$orderby=skuId",
        "$count=true",
    ] {
        let reply = server.get(&format!("{COSTS}?{query}"), &tenant.token).await;
        reply.assert_error(400, "BadRequest");
    }
    server
        .get(&format!("{COSTS}?$select=colour"), &tenant.token)
        .await
        .assert_error(400, "BadRequest");
    server
        .get("/v1.0/reports/licenseCosts", &tenant.token)
        .await
        .assert_error(400, "BadRequest");
    // A tenant with nothing gets an empty report.
    let empty = Tenant::new(&server);
    let reply = server.get(COSTS, &empty.token).await;
    assert_eq!(reply.json["value"], json!([]));
    assert_eq!(reply.json["@tally.totals"], json!([]));
}

#[tokio::test]
async fn a_sku_microsofts_product_table_knows_shows_its_product_name() {
    let server = TestServer::start();
    let tenant = Tenant::new(&server);
    let e5 = "06ebc4ee-1bb5-47dd-8120-11324bc54e06";
    create_sku(&server, &tenant, &sku(e5, "SPE_E5", 1, &[])).await;
    let reply = server
        .get(&format!("{COSTS}?$select=productName"), &tenant.token)
        .await;
    assert_eq!(
        reply.json["value"],
        json!([{ "skuId": e5, "productName": "Microsoft 365 E5" }])
    );
}

/// The holders are counted once per change, and a change made by another process (`tally
/// import` beside the running server) is one: the next report counts the imported holders.
#[tokio::test]
async fn holders_imported_by_another_process_are_counted_at_the_next_read() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::builder().data_dir(dir.path()).shared().start();
    let tenant = Tenant::new(&server);
    create_sku(&server, &tenant, &sku(A, "SKU_A", 10, &[])).await;
    let reply = server.get(COSTS, &tenant.token).await;
    assert_eq!(row(&reply.json, A)["inactiveHolderUnits"], 0);

    // Two holders who never signed in, one of them disabled, imported by another process.
    let users = dir.path().join("users.jsonl");
    let line = |name: &str, enabled: bool| {
        json!({
            "userPrincipalName": format!("{name}@contoso.example"),
            "usageLocation": "US",
            "accountEnabled": enabled,
            "assignedLicenses": [{ "skuId": A, "disabledPlans": [] }],
        })
        .to_string()
    };
    std::fs::write(&users, [line("i1", true), line("i2", false)].join("\n")).unwrap();
    let id = tenant.id.to_string();
    let imported = tally(
        dir.path(),
        &[
            "import",
            users.to_str().unwrap(),
            "--resource",
            "users",
            "--tenant",
            &id,
        ],
    );
    assert!(imported.status.success(), "{}", stderr(&imported));

    let reply = server.get(COSTS, &tenant.token).await;
    let a = row(&reply.json, A);
    assert_eq!(a["assignedUnits"], 2);
    assert_eq!(a["inactiveHolderUnits"], 1);
    assert_eq!(a["disabledHolderUnits"], 1);
}
