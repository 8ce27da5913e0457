//! What the directory refuses before anything is stored (issue 27): duplicate JSON keys (the
//! reports' strict parser, on every directory body), Graph's string caps and bounded
//! collections, userPrincipalNames with characters Entra does not allow; and the defaults of a
//! user created without `accountEnabled` or `userType` (SPEC §12.2).

use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{create_sku, create_user, sku, Tenant, E5};
use crate::support::TestServer;

#[tokio::test]
async fn a_duplicate_key_in_any_directory_body_is_a_400_that_names_it_and_stores_nothing() {
    let server = TestServer::start();
    let tenant = Tenant::new(&server);
    create_sku(&server, &tenant, &sku(E5, "SPE_E5", 5, &[])).await;
    let user = create_user(&server, &tenant, "Ann").await;
    let sku_path = format!("/v1.0/subscribedSkus/{}", tenant.sku_key(E5));
    for (method, path, body, named) in [
        (
            Method::PATCH,
            sku_path.clone(),
            r#"{"prepaidUnits":{"enabled":1,"enabled":999}}"#.to_owned(),
            "prepaidUnits.enabled",
        ),
        (
            Method::POST,
            "/v1.0/subscribedSkus".to_owned(),
            r#"{"skuId":"06ebc4ee-1bb5-47dd-8120-11324bc54e06","skuId":"c7df2760-2c81-4ef7-b578-5b5392b571df"}"#.to_owned(),
            "skuId",
        ),
        (
            Method::POST,
            "/v1.0/users".to_owned(),
            r#"{"userPrincipalName":"x@contoso.example","displayName":"X","displayName":"Y"}"#
                .to_owned(),
            "displayName",
        ),
        (
            Method::PATCH,
            format!("/v1.0/users/{user}"),
            r#"{"usageLocation":"US","usageLocation":"DE"}"#.to_owned(),
            "usageLocation",
        ),
        (
            Method::POST,
            format!("/v1.0/users/{user}/assignLicense"),
            format!(
                r#"{{"addLicenses":[{{"skuId":"{E5}","disabledPlans":[],"disabledPlans":[]}}],"removeLicenses":[]}}"#
            ),
            "addLicenses[0].disabledPlans",
        ),
    ] {
        let reply = server
            .send_text(method, &path, Some(&tenant.token), Some("application/json"), Some(body.clone()))
            .await;
        let message = reply.assert_error(400, "Request_BadRequest");
        assert!(message.contains(named), "{body}: {message}");
    }
    let sku = server.get(&sku_path, &tenant.token).await;
    assert_eq!(sku.json["prepaidUnits"]["enabled"], 5, "unchanged");
    assert_eq!(sku.json["consumedUnits"], 0, "no license assigned");
    let users = server.get("/v1.0/users/$count", &tenant.token).await;
    assert_eq!(users.text, "1");
    let ann = server
        .get(
            &format!("/v1.0/users/{user}?$select=usageLocation"),
            &tenant.token,
        )
        .await;
    assert_eq!(ann.json["usageLocation"], "US");
}

#[tokio::test]
async fn strings_past_graphs_caps_and_oversized_collections_are_400s() {
    let server = TestServer::start();
    let tenant = Tenant::new(&server);
    let user = create_user(&server, &tenant, "Ann").await;
    // At the cap: stored, even in four-byte characters (1 KiB of UTF-8, which PostgreSQL's name
    // index holds).
    let longest = "😀".repeat(256);
    let at_cap = server
        .patch(
            &format!("/v1.0/users/{user}"),
            &tenant.token,
            &json!({ "displayName": longest }),
        )
        .await;
    assert_eq!(at_cap.status, StatusCode::NO_CONTENT, "{}", at_cap.text);
    let read = server
        .get(
            &format!("/v1.0/users/{user}?$select=displayName"),
            &tenant.token,
        )
        .await;
    assert_eq!(read.json["displayName"], longest.as_str());
    for (property, cap) in [
        ("displayName", 256),
        ("mailNickname", 64),
        ("givenName", 64),
    ] {
        let body = json!({
            "userPrincipalName": "long@contoso.example",
            property: "x".repeat(cap + 1),
        });
        let reply = server.post("/v1.0/users", &tenant.token, &body).await;
        let message = reply.assert_error(400, "Request_BadRequest");
        assert!(
            message.contains(property) && message.contains(&cap.to_string()),
            "{message}"
        );
    }
    let plans: Vec<serde_json::Value> = (0..257)
        .map(|n| json!({ "servicePlanId": format!("00000000-0000-0000-0000-{n:012}") }))
        .collect();
    let many_plans = json!({ "skuId": E5, "servicePlans": plans });
    let reply = server
        .post("/v1.0/subscribedSkus", &tenant.token, &many_plans)
        .await;
    let message = reply.assert_error(400, "Request_BadRequest");
    assert!(message.contains("servicePlans"), "{message}");
    let long_name = json!({ "skuId": E5, "skuPartNumber": "X".repeat(257) });
    let reply = server
        .post("/v1.0/subscribedSkus", &tenant.token, &long_name)
        .await;
    reply.assert_error(400, "Request_BadRequest");
    let skus = server.get("/v1.0/subscribedSkus", &tenant.token).await;
    assert_eq!(skus.json["value"], json!([]), "nothing stored");
    let users = server.get("/v1.0/users/$count", &tenant.token).await;
    assert_eq!(users.text, "1");
}

#[tokio::test]
async fn a_user_principal_name_takes_only_the_characters_entra_allows() {
    let server = TestServer::start();
    let tenant = Tenant::new(&server);
    for upn in [
        "esc\u{1b}[31m@contoso.example",
        "bell\u{7}@contoso.example",
        "two words@contoso.example",
        "a@b@contoso.example",
        "dot.@contoso.example",
        "slash/x@contoso.example",
        "x@contoso.example/evil",
    ] {
        let body = json!({ "userPrincipalName": upn });
        let reply = server.post("/v1.0/users", &tenant.token, &body).await;
        let message = reply.assert_error(400, "Request_BadRequest");
        assert!(
            !message.chars().any(char::is_control),
            "the message escapes what it quotes: {message:?}"
        );
    }
    for upn in [
        "o'neil.x-y_z!#^~@contoso.example",
        "ann_fabrikam.example#EXT#@contoso.onmicrosoft.com",
    ] {
        let body = json!({ "userPrincipalName": upn });
        let reply = server.post("/v1.0/users", &tenant.token, &body).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{upn}: {}", reply.text);
    }
}

#[tokio::test]
async fn a_user_created_without_account_enabled_or_user_type_is_an_enabled_member() {
    let server = TestServer::start();
    let tenant = Tenant::new(&server);
    let body = json!({ "userPrincipalName": "adele@contoso.example", "displayName": "Adele" });
    let created = server.post("/beta/users", &tenant.token, &body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    assert_eq!(created.json["accountEnabled"], true);
    assert_eq!(created.json["userType"], "Member");
    let guest = json!({
        "userPrincipalName": "guest@contoso.example",
        "userType": "Guest",
        "accountEnabled": false,
    });
    let created = server.post("/beta/users", &tenant.token, &guest).await;
    assert_eq!(created.json["accountEnabled"], false, "what was sent wins");
    assert_eq!(created.json["userType"], "Guest");
    let members = server
        .get(
            "/v1.0/users/$count?$filter=userType eq 'Member' and accountEnabled eq true",
            &tenant.token,
        )
        .await;
    assert_eq!(members.text, "1", "the quick start's user is counted");
}
