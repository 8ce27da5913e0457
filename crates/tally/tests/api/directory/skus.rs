//! `/subscribedSkus`: Graph's shape, tally's setup writes, and the rules that keep units exact.

use reqwest::StatusCode;
use serde_json::json;
use uuid::Uuid;

use super::{add, create_sku, create_user, sku, Tenant, AAD_PREMIUM, E5, EXCHANGE, P2};
use crate::support::{app_token, TestServer};

#[tokio::test]
async fn a_sku_reads_back_in_graphs_shape_under_its_tenant_key() {
    let server = TestServer::start();
    let tenant = Tenant::new(&server);
    let created = server
        .post(
            "/v1.0/subscribedSkus",
            &tenant.token,
            &sku(E5, "SPE_E5", 25, &[AAD_PREMIUM, EXCHANGE]),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let key = tenant.sku_key(E5);
    assert_eq!(
        created.header("location"),
        Some(server.url(&format!("/v1.0/subscribedSkus/{key}")).as_str())
    );
    let read = server
        .get(&format!("/beta/subscribedSkus/{key}"), &tenant.token)
        .await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.text);
    let mut object = read.json.as_object().unwrap().clone();
    assert!(object
        .remove("@odata.context")
        .unwrap()
        .as_str()
        .unwrap()
        .ends_with("/beta/$metadata#subscribedSkus/$entity"));
    assert_eq!(
        serde_json::Value::Object(object),
        json!({
            "id": key,
            "skuId": E5,
            "skuPartNumber": "SPE_E5",
            "appliesTo": "User",
            "capabilityStatus": "Enabled",
            "consumedUnits": 0,
            "prepaidUnits": { "enabled": 25, "suspended": 0, "warning": 0, "lockedOut": 0 },
            "servicePlans": [
                { "servicePlanId": AAD_PREMIUM, "servicePlanName": "PLAN_4178", "provisioningStatus": "Success", "appliesTo": "User" },
                { "servicePlanId": EXCHANGE, "servicePlanName": "PLAN_efb8", "provisioningStatus": "Success", "appliesTo": "User" },
            ],
            "accountId": null,
            "accountName": null,
            "subscriptionIds": [],
        })
    );
    let listed = server.get("/v1.0/subscribedSkus", &tenant.token).await;
    assert_eq!(listed.json["value"].as_array().unwrap().len(), 1);
    assert_eq!(listed.json["value"][0]["id"], key.as_str());
    let selected = server
        .get(
            "/v1.0/subscribedSkus?$select=skuPartNumber,consumedUnits",
            &tenant.token,
        )
        .await;
    assert_eq!(
        selected.json["value"][0],
        json!({ "id": key, "skuPartNumber": "SPE_E5", "consumedUnits": 0 })
    );
    assert!(selected.json["@odata.context"]
        .as_str()
        .unwrap()
        .ends_with("#subscribedSkus(skuPartNumber,consumedUnits)"));
}

#[tokio::test]
async fn another_tenants_sku_and_malformed_keys_are_not_found() {
    let server = TestServer::start();
    let (owner, stranger) = (Tenant::new(&server), Tenant::new(&server));
    create_sku(&server, &owner, &sku(E5, "SPE_E5", 1, &[])).await;
    for key in [
        owner.sku_key(E5),
        stranger.sku_key(E5),
        E5.to_owned(),
        format!("{}_not-a-guid", stranger.id),
    ] {
        let reply = server
            .get(&format!("/v1.0/subscribedSkus/{key}"), &stranger.token)
            .await;
        reply.assert_error(404, "Request_ResourceNotFound");
    }
    let listed = server.get("/v1.0/subscribedSkus", &stranger.token).await;
    assert_eq!(listed.json["value"], json!([]));
    // A bad body is a 400 before the key's 404 (SPEC §10); a good one on no SKU is a 404.
    let nowhere = format!("/v1.0/subscribedSkus/{}", stranger.sku_key(E5));
    server
        .patch(&nowhere, &stranger.token, &json!({ "consumedUnits": 1 }))
        .await
        .assert_error(400, "Request_BadRequest");
    server
        .patch(&nowhere, &stranger.token, &json!({ "skuPartNumber": "X" }))
        .await
        .assert_error(404, "Request_ResourceNotFound");
}

#[tokio::test]
async fn setup_writes_keep_units_consistent_and_refuse_what_graph_computes() {
    let server = TestServer::start();
    let tenant = Tenant::new(&server);
    create_sku(&server, &tenant, &sku(P2, "AAD_PREMIUM_P2", 2, &[])).await;
    let path = format!("/v1.0/subscribedSkus/{}", tenant.sku_key(P2));

    let again = server
        .post("/v1.0/subscribedSkus", &tenant.token, &sku(P2, "X", 1, &[]))
        .await;
    again.assert_error(400, "Request_BadRequest");
    for body in [
        json!({ "consumedUnits": 5 }),
        json!({ "skuId": E5 }),
        json!({ "prepaidUnits": { "enabled": -1 } }),
        json!({ "capabilityStatus": "Sleeping" }),
        json!({ "colour": "blue" }),
    ] {
        let reply = server.patch(&path, &tenant.token, &body).await;
        reply.assert_error(400, "Request_BadRequest");
    }
    let missing_id = server
        .post(
            "/v1.0/subscribedSkus",
            &tenant.token,
            &json!({ "skuPartNumber": "X" }),
        )
        .await;
    missing_id.assert_error(400, "Request_BadRequest");

    let changed = server
        .patch(
            &path,
            &tenant.token,
            &json!({ "prepaidUnits": { "enabled": 1, "warning": 1 }, "capabilityStatus": "Warning" }),
        )
        .await;
    assert_eq!(changed.status, StatusCode::NO_CONTENT, "{}", changed.text);
    let read = server.get(&path, &tenant.token).await;
    assert_eq!(read.json["prepaidUnits"]["warning"], 1);
    assert_eq!(read.json["capabilityStatus"], "Warning");

    // Two holders: the units may not drop below them, and the SKU may not go.
    for name in ["Ann", "Ben"] {
        let id = create_user(&server, &tenant, name).await;
        let reply = server
            .post(
                &format!("/v1.0/users/{id}/assignLicense"),
                &tenant.token,
                &add(P2),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    }
    let shrink = server
        .patch(
            &path,
            &tenant.token,
            &json!({ "prepaidUnits": { "enabled": 1, "warning": 0 } }),
        )
        .await;
    shrink.assert_error(400, "Request_BadRequest");
    let held = server.delete(&path, &tenant.token).await;
    assert!(held
        .assert_error(400, "Request_BadRequest")
        .contains("assigned to 2 users"));

    let unheld = format!("/v1.0/subscribedSkus/{}", tenant.sku_key(E5));
    create_sku(&server, &tenant, &sku(E5, "SPE_E5", 1, &[])).await;
    assert_eq!(
        server.delete(&unheld, &tenant.token).await.status,
        StatusCode::NO_CONTENT
    );
    server
        .get(&unheld, &tenant.token)
        .await
        .assert_error(404, "Request_ResourceNotFound");
}

#[tokio::test]
async fn reading_and_writing_skus_need_their_permissions() {
    let server = TestServer::start();
    let tenant = Uuid::new_v4();
    let reader = server.mint(&app_token(tenant, &["LicenseAssignment.Read.All"]));
    let reports = server.mint(&app_token(tenant, &["Reports.ReadWrite.All"]));
    let writer = server.mint(&app_token(tenant, &["Organization.ReadWrite.All"]));
    let body = sku(E5, "SPE_E5", 1, &[]);
    server
        .get("/v1.0/subscribedSkus", &reports)
        .await
        .assert_error(403, "Authorization_RequestDenied");
    assert_eq!(
        server.get("/v1.0/subscribedSkus", &reader).await.status,
        StatusCode::OK
    );
    server
        .post("/v1.0/subscribedSkus", &reader, &body)
        .await
        .assert_error(403, "Authorization_RequestDenied");
    assert_eq!(
        server
            .post("/v1.0/subscribedSkus", &writer, &body)
            .await
            .status,
        StatusCode::CREATED
    );
    let filtered = server
        .get(
            "/v1.0/subscribedSkus?$filter=skuPartNumber eq 'SPE_E5'",
            &reader,
        )
        .await;
    filtered.assert_error(400, "Request_BadRequest");
}
