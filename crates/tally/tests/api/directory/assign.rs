//! assignLicense: Graph's answers and messages, atomicity, licenseDetails, and units given
//! back when a holder goes; also inside `$batch`.

use reqwest::StatusCode;
use serde_json::json;

use super::{
    add, consumed, create_sku, create_user, holders, remove, sku, Tenant, AAD_PREMIUM, E5,
    EXCHANGE, P2,
};
use crate::support::{app_token, TestServer};

#[tokio::test]
async fn assigning_and_removing_moves_units_and_shows_in_license_details() {
    let server = TestServer::start();
    let tenant = Tenant::new(&server);
    create_sku(
        &server,
        &tenant,
        &sku(E5, "SPE_E5", 5, &[AAD_PREMIUM, EXCHANGE]),
    )
    .await;
    let id = create_user(&server, &tenant, "Ann").await;
    let body = json!({
        "addLicenses": [{ "skuId": E5, "disabledPlans": [EXCHANGE] }],
        "removeLicenses": [],
    });
    let assigned = server
        .post(
            "/beta/users/ann@contoso.example/assignLicense",
            &tenant.token,
            &body,
        )
        .await;
    assert_eq!(assigned.status, StatusCode::OK, "{}", assigned.text);
    assert_eq!(assigned.json["id"], id.as_str());
    assert_eq!(
        assigned.json["assignedLicenses"],
        json!([{ "skuId": E5, "disabledPlans": [EXCHANGE] }])
    );
    let plans = assigned.json["assignedPlans"].as_array().unwrap();
    assert_eq!(
        plans.len(),
        1,
        "the disabled plan is not assigned: {plans:?}"
    );
    assert_eq!(plans[0]["servicePlanId"], AAD_PREMIUM);
    assert_eq!(plans[0]["capabilityStatus"], "Enabled");
    assert_eq!(
        assigned.json["licenseAssignmentStates"][0]["state"],
        "Active"
    );
    assert_eq!(consumed(&server, &tenant, E5).await, 1);

    let details = server
        .get(&format!("/v1.0/users/{id}/licenseDetails"), &tenant.token)
        .await;
    assert_eq!(details.status, StatusCode::OK, "{}", details.text);
    let detail = &details.json["value"][0];
    assert_eq!(details.json["value"].as_array().unwrap().len(), 1);
    assert_eq!(detail["skuId"], E5);
    assert_eq!(detail["skuPartNumber"], "SPE_E5");
    let status = |plan: &str| {
        detail["servicePlans"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["servicePlanId"] == plan)
            .map(|p| p["provisioningStatus"].clone())
            .unwrap()
    };
    assert_eq!(status(AAD_PREMIUM), "Success");
    assert_eq!(status(EXCHANGE), "Disabled");

    // Adding a held SKU replaces its disabled plans and takes no unit.
    let replaced = server
        .post(
            &format!("/v1.0/users/{id}/assignLicense"),
            &tenant.token,
            &add(E5),
        )
        .await;
    assert_eq!(replaced.status, StatusCode::OK, "{}", replaced.text);
    assert_eq!(consumed(&server, &tenant, E5).await, 1);
    let removed = server
        .post(
            &format!("/v1.0/users/{id}/microsoft.graph.assignLicense"),
            &tenant.token,
            &remove(E5),
        )
        .await;
    assert_eq!(removed.status, StatusCode::OK, "{}", removed.text);
    assert_eq!(consumed(&server, &tenant, E5).await, 0);
    let details = server
        .get(&format!("/v1.0/users/{id}/licenseDetails"), &tenant.token)
        .await;
    assert_eq!(details.json["value"], json!([]));
}

#[tokio::test]
async fn each_refusal_is_a_400_with_its_message_and_changes_nothing() {
    let server = TestServer::start();
    let tenant = Tenant::new(&server);
    create_sku(&server, &tenant, &sku(E5, "SPE_E5", 5, &[AAD_PREMIUM])).await;
    create_sku(&server, &tenant, &sku(P2, "AAD_PREMIUM_P2", 0, &[])).await;
    let id = create_user(&server, &tenant, "Ann").await;
    let nowhere = server
        .post(
            "/v1.0/users",
            &tenant.token,
            &json!({ "userPrincipalName": "nowhere@contoso.example" }),
        )
        .await;
    let nowhere = nowhere.json["id"].as_str().unwrap().to_owned();
    let unknown_sku = "11111111-1111-1111-1111-111111111111";
    let assign = |user: &str| format!("/v1.0/users/{user}/assignLicense");
    let cases = [
        (
            assign(&id),
            add(unknown_sku),
            "does not correspond to a valid company License",
        ),
        (
            assign(&nowhere),
            add(E5),
            "License assignment cannot be done for user with invalid usage location.",
        ),
        (
            assign(&id),
            json!({ "addLicenses": [{ "skuId": E5, "disabledPlans": [EXCHANGE] }], "removeLicenses": [] }),
            "is not a plan of license",
        ),
        (
            assign(&id),
            json!({ "addLicenses": [{ "skuId": E5 }], "removeLicenses": [E5] }),
            "both added and removed",
        ),
        (
            assign(&id),
            remove(E5),
            "does not have a corresponding license",
        ),
        // Atomic: E5 has units, P2 has none; neither is assigned.
        (
            assign(&id),
            json!({ "addLicenses": [{ "skuId": E5 }, { "skuId": P2 }], "removeLicenses": [] }),
            "does not have any available licenses",
        ),
        (assign(&id), json!({ "addLicenses": [] }), "removeLicenses"),
        (
            assign(&id),
            json!({ "addLicenses": [{ "skuId": "E5" }], "removeLicenses": [] }),
            "GUID",
        ),
    ];
    for (path, body, expected) in cases {
        let reply = server.post(&path, &tenant.token, &body).await;
        let message = reply.assert_error(400, "Request_BadRequest");
        assert!(message.contains(expected), "{body}: {message}");
    }
    assert_eq!(consumed(&server, &tenant, E5).await, 0);
    assert_eq!(consumed(&server, &tenant, P2).await, 0);
    let user = server
        .get(
            &format!("/v1.0/users/{id}?$select=assignedLicenses"),
            &tenant.token,
        )
        .await;
    assert_eq!(user.json["assignedLicenses"], json!([]));
    server
        .post(&assign("ghost@contoso.example"), &tenant.token, &add(E5))
        .await
        .assert_error(404, "Request_ResourceNotFound");
}

#[tokio::test]
async fn deleting_a_holder_gives_its_units_back() {
    let server = TestServer::start();
    let tenant = Tenant::new(&server);
    create_sku(&server, &tenant, &sku(E5, "SPE_E5", 1, &[])).await;
    create_sku(&server, &tenant, &sku(P2, "AAD_PREMIUM_P2", 1, &[])).await;
    let ann = create_user(&server, &tenant, "Ann").await;
    let both = json!({ "addLicenses": [{ "skuId": E5 }, { "skuId": P2 }], "removeLicenses": [] });
    let reply = server
        .post(
            &format!("/v1.0/users/{ann}/assignLicense"),
            &tenant.token,
            &both,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let ben = create_user(&server, &tenant, "Ben").await;
    server
        .post(
            &format!("/v1.0/users/{ben}/assignLicense"),
            &tenant.token,
            &add(E5),
        )
        .await
        .assert_error(400, "Request_BadRequest");
    server
        .delete(&format!("/v1.0/users/{ann}"), &tenant.token)
        .await;
    assert_eq!(consumed(&server, &tenant, E5).await, 0);
    assert_eq!(consumed(&server, &tenant, P2).await, 0);
    let reply = server
        .post(
            &format!("/v1.0/users/{ben}/assignLicense"),
            &tenant.token,
            &add(E5),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(holders(&server, &tenant, E5).await, 1);
}

#[tokio::test]
async fn assign_license_works_inside_a_batch_and_needs_its_permission() {
    let server = TestServer::start();
    let tenant = Tenant::new(&server);
    create_sku(&server, &tenant, &sku(E5, "SPE_E5", 1, &[])).await;
    let ann = create_user(&server, &tenant, "Ann").await;
    let ben = create_user(&server, &tenant, "Ben").await;
    let batch = json!({ "requests": [
        { "id": "1", "method": "POST", "url": format!("/users/{ann}/assignLicense"),
          "headers": { "Content-Type": "application/json" }, "body": add(E5) },
        { "id": "2", "method": "POST", "url": format!("/users/{ben}/assignLicense"),
          "headers": { "Content-Type": "application/json" }, "body": add(E5), "dependsOn": ["1"] },
        { "id": "3", "method": "GET", "url": "/subscribedSkus?$select=consumedUnits", "dependsOn": ["2"] },
    ]});
    let reply = server.post("/v1.0/$batch", &tenant.token, &batch).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let responses = reply.json["responses"].as_array().unwrap();
    let status = |id: &str| {
        responses
            .iter()
            .find(|r| r["id"] == id)
            .map(|r| r["status"].as_i64().unwrap())
            .unwrap()
    };
    assert_eq!(status("1"), 200, "{}", reply.text);
    assert_eq!(status("2"), 400, "{}", reply.text);
    assert_eq!(consumed(&server, &tenant, E5).await, 1);

    let reader = server.mint(&app_token(
        tenant.id,
        &["User.Read.All", "LicenseAssignment.Read.All"],
    ));
    server
        .post(
            &format!("/v1.0/users/{ben}/assignLicense"),
            &reader,
            &add(E5),
        )
        .await
        .assert_error(403, "Authorization_RequestDenied");
    let licenser = server.mint(&app_token(tenant.id, &["LicenseAssignment.ReadWrite.All"]));
    let removed = server
        .post(
            &format!("/v1.0/users/{ann}/assignLicense"),
            &licenser,
            &remove(E5),
        )
        .await;
    assert_eq!(removed.status, StatusCode::OK, "{}", removed.text);
}
