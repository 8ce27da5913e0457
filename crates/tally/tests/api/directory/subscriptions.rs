//! `/directory/subscriptions` (SPEC §13.2): Graph's `companySubscription`, tally's setup
//! writes, and the rule that a SKU with subscriptions takes its units from them.

use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use super::{add, create_sku, create_user, sku, Tenant, AAD_PREMIUM, E5, EXCHANGE, P2};
use crate::support::{app_token, TestServer};

const SUBSCRIPTIONS: &str = "/v1.0/directory/subscriptions";

/// Creates a subscription of `sku_id` and answers it as created.
async fn subscribe(
    server: &TestServer,
    tenant: &Tenant,
    sku_id: &str,
    status: &str,
    total: i64,
) -> Value {
    let body = json!({ "skuId": sku_id, "status": status, "totalLicenses": total });
    let reply = server.post(SUBSCRIPTIONS, &tenant.token, &body).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    reply.json
}

/// The SKU as the API reports it.
async fn read_sku(server: &TestServer, tenant: &Tenant, sku_id: &str) -> Value {
    let path = format!("/v1.0/subscribedSkus/{}", tenant.sku_key(sku_id));
    let reply = server.get(&path, &tenant.token).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    reply.json
}

/// The strings of a JSON array, sorted (subscriptionIds are in createdDateTime order, and
/// these subscriptions share a second).
fn sorted(array: &Value) -> Vec<String> {
    let mut items: Vec<String> = array
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item.as_str().unwrap().to_owned())
        .collect();
    items.sort();
    items
}

fn units(enabled: i64, warning: i64, suspended: i64, locked_out: i64) -> Value {
    json!({ "enabled": enabled, "warning": warning, "suspended": suspended, "lockedOut": locked_out })
}

#[tokio::test]
async fn a_subscription_reads_back_in_graphs_shape_by_id_and_by_its_alternate_key() {
    let server = TestServer::start();
    let tenant = Tenant::new(&server);
    create_sku(
        &server,
        &tenant,
        &sku(E5, "SPE_E5", 0, &[AAD_PREMIUM, EXCHANGE]),
    )
    .await;
    let body = json!({ "skuId": E5.to_uppercase(), "status": "Enabled", "totalLicenses": 25, "ownerType": "User" });
    let created = server.post(SUBSCRIPTIONS, &tenant.token, &body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let id = created.json["id"].as_str().unwrap().to_owned();
    let commerce = created.json["commerceSubscriptionId"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(Uuid::parse_str(&id).is_ok() && Uuid::parse_str(&commerce).is_ok());
    assert_ne!(id, commerce);
    assert_eq!(
        created.header("location"),
        Some(server.url(&format!("{SUBSCRIPTIONS}/{id}")).as_str())
    );
    let created_at = created.json["createdDateTime"].as_str().unwrap().to_owned();
    assert!(
        chrono::DateTime::parse_from_rfc3339(&created_at).is_ok(),
        "{created_at}"
    );

    let read = server
        .get(
            &format!("/beta/directory/subscriptions/{id}"),
            &tenant.token,
        )
        .await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.text);
    let mut object = read.json.as_object().unwrap().clone();
    assert!(object
        .remove("@odata.context")
        .unwrap()
        .as_str()
        .unwrap()
        .ends_with("/beta/$metadata#directory/subscriptions/$entity"));
    assert!(object.remove("@odata.etag").is_some());
    assert_eq!(
        object.remove("@odata.type"),
        Some(json!("#microsoft.graph.companySubscription"))
    );
    assert_eq!(
        Value::Object(object),
        json!({
            "id": id,
            "commerceSubscriptionId": commerce,
            "createdDateTime": created_at,
            "isTrial": false,
            "nextLifecycleDateTime": null,
            "ownerId": null,
            "ownerTenantId": null,
            "ownerType": "User",
            "serviceStatus": [
                { "@odata.type": "microsoft.graph.servicePlanInfo", "appliesTo": "User", "provisioningStatus": "Success", "servicePlanId": AAD_PREMIUM, "servicePlanName": "PLAN_4178" },
                { "@odata.type": "microsoft.graph.servicePlanInfo", "appliesTo": "User", "provisioningStatus": "Success", "servicePlanId": EXCHANGE, "servicePlanName": "PLAN_efb8" },
            ],
            "skuId": E5,
            "skuPartNumber": "SPE_E5",
            "status": "Enabled",
            "totalLicenses": 25,
        })
    );

    for path in [
        format!("{SUBSCRIPTIONS}(commerceSubscriptionId='{commerce}')"),
        format!("{SUBSCRIPTIONS}('{id}')"),
    ] {
        let by_key = server.get(&path, &tenant.token).await;
        assert_eq!(by_key.status, StatusCode::OK, "{path}: {}", by_key.text);
        assert_eq!(by_key.json["id"], id.as_str());
    }
    let missing = server
        .get(
            &format!("{SUBSCRIPTIONS}(commerceSubscriptionId='nope')"),
            &tenant.token,
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND, "{}", missing.text);
    let wrong_key = server
        .get(&format!("{SUBSCRIPTIONS}(skuId='{E5}')"), &tenant.token)
        .await;
    assert_eq!(
        wrong_key.status,
        StatusCode::BAD_REQUEST,
        "{}",
        wrong_key.text
    );

    let listed = server
        .get(
            &format!("{SUBSCRIPTIONS}?$filter=status eq 'Enabled' and isTrial eq false&$select=skuId,totalLicenses&$count=true"),
            &tenant.token,
        )
        .await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.text);
    assert_eq!(listed.json["@odata.count"], 1);
    let mut first = listed.json["value"][0].as_object().unwrap().clone();
    first.retain(|name, _| !name.starts_with('@'));
    assert_eq!(
        Value::Object(first),
        json!({ "id": id, "skuId": E5, "totalLicenses": 25 })
    );
    assert!(listed.json["@odata.context"]
        .as_str()
        .unwrap()
        .ends_with("#directory/subscriptions(skuId,totalLicenses)"));
    let none = server
        .get(
            &format!("{SUBSCRIPTIONS}?$filter=isTrial eq true"),
            &tenant.token,
        )
        .await;
    assert_eq!(none.json["value"], json!([]), "{}", none.text);
}

#[tokio::test]
async fn a_skus_units_are_the_sums_of_its_subscriptions_by_status() {
    let server = TestServer::start();
    let tenant = Tenant::new(&server);
    create_sku(&server, &tenant, &sku(E5, "SPE_E5", 999, &[])).await;
    let mut commerce_ids = Vec::new();
    for (status, total) in [
        ("Enabled", 10),
        ("Enabled", 5),
        ("Warning", 3),
        ("Suspended", 2),
        ("LockedOut", 1),
        ("Expired", 100),
    ] {
        let created = subscribe(&server, &tenant, E5, status, total).await;
        commerce_ids.push(created["commerceSubscriptionId"].clone());
    }
    let read = read_sku(&server, &tenant, E5).await;
    assert_eq!(
        read["prepaidUnits"],
        units(15, 3, 2, 1),
        "Expired counts nowhere"
    );
    assert_eq!(
        sorted(&read["subscriptionIds"]),
        sorted(&Value::Array(commerce_ids))
    );

    // A change of one subscription moves its SKU's units in the same write.
    let listed = server
        .get(
            &format!("{SUBSCRIPTIONS}?$filter=status eq 'Expired'"),
            &tenant.token,
        )
        .await;
    let expired = listed.json["value"][0]["id"].as_str().unwrap().to_owned();
    let patched = server
        .patch(
            &format!("{SUBSCRIPTIONS}/{expired}"),
            &tenant.token,
            &json!({ "status": "Enabled", "totalLicenses": 7 }),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.text);
    assert_eq!(patched.json["totalLicenses"], 7);
    assert_eq!(
        read_sku(&server, &tenant, E5).await["prepaidUnits"],
        units(22, 3, 2, 1)
    );

    let deleted = server
        .delete(&format!("{SUBSCRIPTIONS}/{expired}"), &tenant.token)
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.text);
    let read = read_sku(&server, &tenant, E5).await;
    assert_eq!(read["prepaidUnits"], units(15, 3, 2, 1));
    assert_eq!(read["subscriptionIds"].as_array().unwrap().len(), 5);

    // With none left, every unit is 0: the SKU's units stay its subscriptions'.
    let all = server.get(SUBSCRIPTIONS, &tenant.token).await;
    for subscription in all.json["value"].as_array().unwrap() {
        let path = format!("{SUBSCRIPTIONS}/{}", subscription["id"].as_str().unwrap());
        let deleted = server.delete(&path, &tenant.token).await;
        assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.text);
    }
    let read = read_sku(&server, &tenant, E5).await;
    assert_eq!(read["prepaidUnits"], units(0, 0, 0, 0));
    assert_eq!(read["subscriptionIds"], json!([]));
}

#[tokio::test]
async fn a_write_that_leaves_fewer_units_than_holders_is_refused_and_changes_nothing() {
    let server = TestServer::start();
    let tenant = Tenant::new(&server);
    create_sku(&server, &tenant, &sku(E5, "SPE_E5", 0, &[])).await;
    let enabled = subscribe(&server, &tenant, E5, "Enabled", 1).await;
    let warning = subscribe(&server, &tenant, E5, "Warning", 1).await;
    for name in ["Ada", "Grace"] {
        let user = create_user(&server, &tenant, name).await;
        let path = format!("/v1.0/users/{user}/assignLicense");
        let reply = server.post(&path, &tenant.token, &add(E5)).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    }
    let third = create_user(&server, &tenant, "Linus").await;
    let full = server
        .post(
            &format!("/v1.0/users/{third}/assignLicense"),
            &tenant.token,
            &add(E5),
        )
        .await;
    assert_eq!(
        full.status,
        StatusCode::BAD_REQUEST,
        "two units, two holders"
    );

    let enabled_path = format!("{SUBSCRIPTIONS}/{}", enabled["id"].as_str().unwrap());
    let warning_path = format!("{SUBSCRIPTIONS}/{}", warning["id"].as_str().unwrap());
    for (path, body) in [
        (&enabled_path, json!({ "totalLicenses": 0 })),
        (&warning_path, json!({ "status": "Suspended" })),
        (&warning_path, json!({ "status": "Expired" })),
    ] {
        let refused = server.patch(path, &tenant.token, &body).await;
        assert_eq!(
            refused.status,
            StatusCode::BAD_REQUEST,
            "{body}: {}",
            refused.text
        );
        assert!(
            refused.json["error"]["message"]
                .as_str()
                .unwrap()
                .contains("has 2 units assigned"),
            "{}",
            refused.text
        );
    }
    let refused = server.delete(&enabled_path, &tenant.token).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.text);

    let read = read_sku(&server, &tenant, E5).await;
    assert_eq!(read["prepaidUnits"], units(1, 1, 0, 0));
    assert_eq!(read["consumedUnits"], 2);
    let kept = server.get(&warning_path, &tenant.token).await;
    assert_eq!(kept.json["status"], "Warning");
    assert_eq!(
        kept.json["@odata.etag"], warning["@odata.etag"],
        "unchanged"
    );
    // More licenses make room again.
    let grown = server
        .patch(&enabled_path, &tenant.token, &json!({ "totalLicenses": 2 }))
        .await;
    assert_eq!(grown.status, StatusCode::OK, "{}", grown.text);
    let fits = server
        .post(
            &format!("/v1.0/users/{third}/assignLicense"),
            &tenant.token,
            &add(E5),
        )
        .await;
    assert_eq!(fits.status, StatusCode::OK, "{}", fits.text);
}

#[tokio::test]
async fn a_subscribed_skus_units_are_not_patched_and_the_sku_is_not_deleted() {
    let server = TestServer::start();
    let tenant = Tenant::new(&server);
    create_sku(&server, &tenant, &sku(E5, "SPE_E5", 40, &[AAD_PREMIUM])).await;
    let sku_path = format!("/v1.0/subscribedSkus/{}", tenant.sku_key(E5));
    // Before its first subscription, a SKU's units are its own.
    let own = server
        .patch(
            &sku_path,
            &tenant.token,
            &json!({ "prepaidUnits": units(30, 0, 0, 0) }),
        )
        .await;
    assert_eq!(own.status, StatusCode::NO_CONTENT, "{}", own.text);
    let subscription = subscribe(&server, &tenant, E5, "Enabled", 5).await;
    let commerce = subscription["commerceSubscriptionId"].as_str().unwrap();
    assert_eq!(
        read_sku(&server, &tenant, E5).await["prepaidUnits"],
        units(5, 0, 0, 0)
    );

    let refused = server
        .patch(
            &sku_path,
            &tenant.token,
            &json!({ "prepaidUnits": units(30, 0, 0, 0) }),
        )
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.text);
    let message = refused.json["error"]["message"].as_str().unwrap();
    assert!(
        message.contains(commerce),
        "names its subscriptions: {message}"
    );
    let refused = server.delete(&sku_path, &tenant.token).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.text);

    // What a subscription takes from its SKU follows the SKU.
    let renamed = server
        .patch(
            &sku_path,
            &tenant.token,
            &json!({ "skuPartNumber": "SPE_E5_NEW", "servicePlans": [{ "servicePlanId": P2, "servicePlanName": "AAD_PREMIUM_P2" }] }),
        )
        .await;
    assert_eq!(renamed.status, StatusCode::NO_CONTENT, "{}", renamed.text);
    let path = format!("{SUBSCRIPTIONS}/{}", subscription["id"].as_str().unwrap());
    let read = server.get(&path, &tenant.token).await;
    assert_eq!(read.json["skuPartNumber"], "SPE_E5_NEW");
    assert_eq!(read.json["serviceStatus"][0]["servicePlanId"], P2);
    assert_ne!(read.json["@odata.etag"], subscription["@odata.etag"]);
}

#[tokio::test]
async fn bad_subscription_writes_are_400s_that_name_the_property_and_store_nothing() {
    let server = TestServer::start();
    let tenant = Tenant::new(&server);
    create_sku(&server, &tenant, &sku(E5, "SPE_E5", 0, &[])).await;
    let valid = json!({ "skuId": E5, "status": "Enabled", "totalLicenses": 1 });
    let with = |name: &str, value: Value| {
        let mut body = valid.clone();
        body[name] = value;
        body
    };
    let without = |name: &str| {
        let mut body = valid.clone();
        body.as_object_mut().unwrap().remove(name);
        body
    };
    for (body, named) in [
        (without("skuId"), "skuId"),
        (without("status"), "status"),
        (without("totalLicenses"), "totalLicenses"),
        (with("skuId", json!(P2)), "skuId"),
        (with("skuId", json!("not a guid")), "skuId"),
        (with("status", json!("enabled")), "status"),
        (with("status", json!("Deleted")), "status"),
        (with("totalLicenses", json!(-1)), "totalLicenses"),
        (with("isTrial", json!("yes")), "isTrial"),
        (with("skuPartNumber", json!("X")), "skuPartNumber"),
        (with("serviceStatus", json!([])), "serviceStatus"),
        (with("id", json!(Uuid::new_v4().to_string())), "id"),
        (
            with("createdDateTime", json!("yesterday")),
            "createdDateTime",
        ),
    ] {
        let refused = server.post(SUBSCRIPTIONS, &tenant.token, &body).await;
        assert_eq!(
            refused.status,
            StatusCode::BAD_REQUEST,
            "{body}: {}",
            refused.text
        );
        let message = refused.json["error"]["message"].as_str().unwrap();
        assert!(message.contains(named), "{body}: {message}");
    }
    let listed = server.get(SUBSCRIPTIONS, &tenant.token).await;
    assert_eq!(listed.json["value"], json!([]), "nothing stored");
    assert_eq!(
        read_sku(&server, &tenant, E5).await["subscriptionIds"],
        json!([])
    );

    let first = server
        .post(
            SUBSCRIPTIONS,
            &tenant.token,
            &with("commerceSubscriptionId", json!("C-1")),
        )
        .await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text);
    let again = server
        .post(
            SUBSCRIPTIONS,
            &tenant.token,
            &with("commerceSubscriptionId", json!("C-1")),
        )
        .await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST, "{}", again.text);
    assert!(
        again.text.contains("commerceSubscriptionId"),
        "{}",
        again.text
    );
    let path = format!("{SUBSCRIPTIONS}/{}", first.json["id"].as_str().unwrap());
    for body in [
        json!({ "skuId": E5 }),
        json!({ "commerceSubscriptionId": "C-2" }),
    ] {
        let refused = server.patch(&path, &tenant.token, &body).await;
        assert_eq!(
            refused.status,
            StatusCode::BAD_REQUEST,
            "{body}: {}",
            refused.text
        );
        assert!(
            refused.text.contains("cannot be changed"),
            "{}",
            refused.text
        );
    }
    assert_eq!(
        read_sku(&server, &tenant, E5).await["subscriptionIds"],
        json!(["C-1"])
    );
}

#[tokio::test]
async fn subscriptions_are_read_with_graphs_permissions_and_written_with_tallys() {
    let server = TestServer::start();
    let tenant = Tenant::new(&server);
    create_sku(&server, &tenant, &sku(E5, "SPE_E5", 0, &[])).await;
    subscribe(&server, &tenant, E5, "Enabled", 3).await;
    let body = json!({ "skuId": E5, "status": "Enabled", "totalLicenses": 1 });
    for (permission, reads, writes) in [
        ("Organization.Read.All", true, false),
        ("LicenseAssignment.Read.All", true, false),
        ("Organization.ReadWrite.All", true, true),
        ("User.Read.All", false, false),
        ("Reports.ReadWrite.All", false, false),
    ] {
        let token = server.mint(&app_token(tenant.id, &[permission]));
        let read = server.get(SUBSCRIPTIONS, &token).await;
        let expected = if reads {
            StatusCode::OK
        } else {
            StatusCode::FORBIDDEN
        };
        assert_eq!(read.status, expected, "{permission} reads: {}", read.text);
        let written = server.post(SUBSCRIPTIONS, &token, &body).await;
        let expected = if writes {
            StatusCode::CREATED
        } else {
            StatusCode::FORBIDDEN
        };
        assert_eq!(
            written.status, expected,
            "{permission} writes: {}",
            written.text
        );
    }
    // Another tenant sees none of them.
    let stranger = Tenant::new(&server);
    let listed = server.get(SUBSCRIPTIONS, &stranger.token).await;
    assert_eq!(listed.json["value"], json!([]), "{}", listed.text);
}
