//! `/beta/reports/licensePrices` (SPEC §13.3): one price per SKU, keyed by its skuId, created or
//! replaced whole by PUT, read and deleted as any Graph object; decimals kept exactly.

use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{set_price, PRICES};
use crate::directory::Tenant;
use crate::support::{app_token, TestServer};

const SKU: &str = "06ebc4ee-1bb5-47dd-8120-11324bc54e06";

#[tokio::test]
async fn a_put_creates_then_replaces_and_the_price_reads_back_exactly() {
    let server = TestServer::start();
    let tenant = Tenant::new(&server);
    // No SKU of that id yet: a price may precede the first collect.
    let created = set_price(&server, &tenant, SKU, 57.1234, "USD", "month").await;
    assert_eq!(created["skuId"], SKU);
    assert_eq!(created["unitPrice"], json!(57.1234));
    assert_eq!(created["currency"], "USD");
    assert_eq!(created["billingPeriod"], "month");
    assert_eq!(created["@odata.etag"], "W/\"1\"");
    assert!(
        created.get("id").is_none(),
        "a price is keyed by skuId alone"
    );

    // The default period is month; a replacement is whole and advances the version.
    let body = json!({ "unitPrice": 0.1, "currency": "EUR" });
    let path = format!("{PRICES}/{SKU}");
    let replaced = server.put(&path, &tenant.token, &body).await;
    assert_eq!(replaced.status, StatusCode::OK, "{}", replaced.text);
    assert_eq!(replaced.json["unitPrice"], json!(0.1));
    assert_eq!(replaced.json["billingPeriod"], "month");
    assert_eq!(replaced.json["@odata.etag"], "W/\"2\"");

    let read = server.get(&path, &tenant.token).await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.text);
    assert_eq!(read.json["unitPrice"], json!(0.1));
    assert_eq!(read.json["currency"], "EUR");
    // Exactly as written: the text of the number, not a double's neighbour.
    assert!(read.text.contains("\"unitPrice\":0.1,"), "{}", read.text);

    let listed = server.get(PRICES, &tenant.token).await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.text);
    assert_eq!(listed.json["value"].as_array().unwrap().len(), 1);

    let deleted = server.delete(&path, &tenant.token).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    server
        .get(&path, &tenant.token)
        .await
        .assert_error(404, "Request_ResourceNotFound");
}

#[tokio::test]
async fn bad_prices_are_refused_naming_the_property() {
    let server = TestServer::start();
    let tenant = Tenant::new(&server);
    let path = format!("{PRICES}/{SKU}");
    let cases = [
        (
            json!({ "unitPrice": 1.23456, "currency": "USD" }),
            "unitPrice",
        ),
        (json!({ "unitPrice": -1, "currency": "USD" }), "unitPrice"),
        (json!({ "unitPrice": 1e12, "currency": "USD" }), "unitPrice"),
        (json!({ "unitPrice": "57", "currency": "USD" }), "unitPrice"),
        (json!({ "currency": "USD" }), "unitPrice"),
        (json!({ "unitPrice": 1, "currency": "usd" }), "currency"),
        (json!({ "unitPrice": 1, "currency": "DOLLAR" }), "currency"),
        (json!({ "unitPrice": 1 }), "currency"),
        (
            json!({ "unitPrice": 1, "currency": "USD", "billingPeriod": "week" }),
            "billingPeriod",
        ),
        (
            json!({ "unitPrice": 1, "currency": "USD", "lastModifiedDateTime": "2026-01-01T00:00:00Z" }),
            "lastModifiedDateTime",
        ),
        (
            json!({ "unitPrice": 1, "currency": "USD", "skuId": "00000000-0000-0000-0000-000000000001" }),
            "skuId",
        ),
        (
            json!({ "unitPrice": 1, "currency": "USD", "colour": "red" }),
            "colour",
        ),
    ];
    for (body, property) in cases {
        let reply = server.put(&path, &tenant.token, &body).await;
        let message = reply.assert_error(400, "BadRequest");
        assert!(message.contains(property), "{body}: {message}");
    }
    // Nothing of it was stored.
    server
        .get(&path, &tenant.token)
        .await
        .assert_error(404, "Request_ResourceNotFound");
    // The key must be a GUID, and a body must be JSON.
    let reply = server
        .put(
            &format!("{PRICES}/SPE_E5"),
            &tenant.token,
            &json!({ "unitPrice": 1, "currency": "USD" }),
        )
        .await;
    assert!(reply.assert_error(400, "BadRequest").contains("skuId"));
    let reply = server
        .send_text(
            Method::PUT,
            &path,
            Some(&tenant.token),
            Some("application/json"),
            Some(r#"{"unitPrice":1,"unitPrice":2,"currency":"USD"}"#.into()),
        )
        .await;
    assert!(reply
        .assert_error(400, "BadRequest")
        .contains("more than once"));
}

#[tokio::test]
async fn prices_are_written_by_put_only_under_beta_with_a_sku_write_permission() {
    let server = TestServer::start();
    let tenant = Tenant::new(&server);
    let path = format!("{PRICES}/{SKU}");
    let body = json!({ "unitPrice": 1, "currency": "USD" });
    let post = server.post(PRICES, &tenant.token, &body).await;
    post.assert_error(405, "MethodNotAllowed");
    assert_eq!(post.header("allow"), Some("GET"));
    let patch = server.patch(&path, &tenant.token, &body).await;
    patch.assert_error(405, "MethodNotAllowed");
    assert_eq!(patch.header("allow"), Some("GET, PUT, DELETE"));
    // tally's resources live under /beta only.
    let v1 = server
        .put(
            &format!("/v1.0/reports/licensePrices/{SKU}"),
            &tenant.token,
            &body,
        )
        .await;
    v1.assert_error(400, "BadRequest");

    let reader = server.mint(&app_token(tenant.id, &["LicenseAssignment.Read.All"]));
    server
        .put(&path, &reader, &body)
        .await
        .assert_error(403, "Authorization_RequestDenied");
    set_price(&server, &tenant, SKU, 1.0, "USD", "year").await;
    let listed = server.get(PRICES, &reader).await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.text);
    assert_eq!(listed.json["value"][0]["billingPeriod"], "year");
    let reports_only = server.mint(&app_token(tenant.id, &["Reports.Read.All"]));
    server
        .get(PRICES, &reports_only)
        .await
        .assert_error(403, "Authorization_RequestDenied");

    // Another tenant sees none of it.
    let other = Tenant::new(&server);
    let theirs = server.get(PRICES, &other.token).await;
    assert_eq!(theirs.json["value"], json!([]));
}

#[tokio::test]
async fn if_match_guards_a_replacement_and_if_none_match_a_creation() {
    let server = TestServer::start();
    let tenant = Tenant::new(&server);
    let path = format!("{PRICES}/{SKU}");
    let body = json!({ "unitPrice": 2, "currency": "USD" }).to_string();
    let put = |headers: Vec<(&'static str, &'static str)>| {
        let (server, path, token, body) = (&server, &path, &tenant.token, body.clone());
        async move {
            let mut request = server
                .client
                .put(server.url(path))
                .bearer_auth(token)
                .header("content-type", "application/json")
                .body(body);
            for (name, value) in headers {
                request = request.header(name, value);
            }
            request.send().await.expect("a response").status()
        }
    };
    // If-Match needs an object that matches: none yet.
    assert_eq!(
        put(vec![("if-match", "*")]).await,
        StatusCode::PRECONDITION_FAILED
    );
    assert_eq!(put(vec![("if-none-match", "*")]).await, StatusCode::OK);
    // Now there is one: If-None-Match: * refuses to replace it; the right ETag replaces it.
    assert_eq!(
        put(vec![("if-none-match", "*")]).await,
        StatusCode::PRECONDITION_FAILED
    );
    assert_eq!(
        put(vec![("if-match", "W/\"7\"")]).await,
        StatusCode::PRECONDITION_FAILED
    );
    assert_eq!(put(vec![("if-match", "W/\"1\"")]).await, StatusCode::OK);
    let read = server.get(&path, &tenant.token).await;
    assert_eq!(read.json["@odata.etag"], "W/\"2\"");
}

#[tokio::test]
async fn prices_are_set_inside_a_batch() {
    let server = TestServer::start();
    let tenant = Tenant::new(&server);
    let batch = json!({ "requests": [
        { "id": "1", "method": "PUT", "url": format!("/reports/licensePrices/{SKU}"),
          "headers": { "content-type": "application/json" },
          "body": { "unitPrice": 12.5, "currency": "GBP", "billingPeriod": "year" } },
        { "id": "2", "method": "GET", "url": "/reports/licensePrices", "dependsOn": ["1"] },
    ]});
    let reply = server.post("/beta/$batch", &tenant.token, &batch).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let responses = reply.json["responses"].as_array().unwrap();
    let by_id = |id: &str| responses.iter().find(|r| r["id"] == id).unwrap();
    assert_eq!(by_id("1")["status"], 200, "{}", reply.text);
    assert_eq!(by_id("2")["body"]["value"][0]["unitPrice"], json!(12.5));
}
