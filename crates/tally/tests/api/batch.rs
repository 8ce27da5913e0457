//! SPEC §7: JSON batching — item URL forms, dependsOn and 424, the limits, the outer token, and
//! tenant isolation inside a batch.

use base64::Engine;
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::support::{app_token, snapshot, Reply, TestServer, COLLECTION, READ_ALL};

async fn batch(server: &TestServer, token: &str, requests: Value) -> Reply {
    server
        .post("/v1.0/$batch", token, &json!({ "requests": requests }))
        .await
}

fn response<'a>(reply: &'a Reply, id: &str) -> &'a Value {
    reply.json["responses"]
        .as_array()
        .unwrap()
        .iter()
        .find(|item| item["id"] == id)
        .unwrap_or_else(|| panic!("no response {id}: {}", reply.text))
}

#[tokio::test]
async fn items_run_with_every_url_form_and_answer_in_request_order() {
    let server = TestServer::start();
    let token = server.token(Uuid::new_v4());
    let id = server
        .create(&token, &snapshot("2021-01-01T00:00:00Z"))
        .await;
    let absolute = server.url(&format!("/beta/reports/azureADLicenseUsage/{id}"));
    let reply = batch(&server, &token, json!([
        { "id": "create", "method": "POST", "url": "/reports/azureADLicenseUsage", "headers": { "Content-Type": "application/json" }, "body": snapshot("2022-01-01T00:00:00Z") },
        { "id": "relative", "method": "GET", "url": format!("reports/azureADLicenseUsage/{id}") },
        { "id": "versioned", "method": "GET", "url": format!("/v1.0/reports/azureADLicenseUsage('{id}')?$select=id") },
        { "id": "absolute", "method": "GET", "url": absolute },
        { "id": "count", "method": "GET", "url": "/reports/azureADLicenseUsage/$count" },
        { "id": "patch", "method": "PATCH", "url": format!("/reports/azureADLicenseUsage/{id}"), "body": { "snapshotDateTime": "2023-01-01T00:00:00Z" }, "headers": { "content-type": "application/json", "Prefer": "return=minimal" } },
    ])).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let order: Vec<&str> = reply.json["responses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        order,
        [
            "create",
            "relative",
            "versioned",
            "absolute",
            "count",
            "patch"
        ]
    );

    let created = response(&reply, "create");
    assert_eq!(created["status"], 201);
    assert!(
        created["headers"]["Location"].is_string(),
        "canonical header case: {created}"
    );
    assert!(created["headers"]["Content-Type"]
        .as_str()
        .unwrap()
        .starts_with("application/json"));
    assert_eq!(created["body"]["snapshotDateTime"], "2022-01-01T00:00:00Z");
    for name in ["relative", "versioned", "absolute"] {
        assert_eq!(response(&reply, name)["status"], 200, "{name}");
        assert_eq!(response(&reply, name)["body"]["id"], id.as_str(), "{name}");
    }
    assert!(response(&reply, "absolute")["body"]["@odata.context"]
        .as_str()
        .unwrap()
        .contains("/beta/"));
    let count = response(&reply, "count");
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(count["body"].as_str().unwrap())
        .unwrap();
    assert_eq!(decoded, b"2", "a non-JSON body is base64");
    let patched = response(&reply, "patch");
    assert_eq!(patched["status"], 204);
    assert!(
        patched.get("body").is_none(),
        "a 204 item has no body: {patched}"
    );
    assert_eq!(
        server.get(&format!("{COLLECTION}/{id}"), &token).await.json["snapshotDateTime"],
        "2023-01-01T00:00:00Z"
    );
}

#[tokio::test]
async fn depends_on_orders_items_and_failures_cascade_as_424() {
    let server = TestServer::start();
    let token = server.token(Uuid::new_v4());
    let id = server
        .create(&token, &snapshot("2021-01-01T00:00:00Z"))
        .await;
    let entity = format!("/reports/azureADLicenseUsage/{id}");
    let reply = batch(&server, &token, json!([
        { "id": "read", "method": "GET", "url": entity, "dependsOn": ["write"] },
        { "id": "write", "method": "PATCH", "url": entity, "body": { "snapshotDateTime": "2024-04-04T00:00:00Z" } },
        { "id": "bad", "method": "POST", "url": "/reports/azureADLicenseUsage", "body": { "colour": 1 } },
        { "id": "after-bad", "method": "GET", "url": entity, "dependsOn": ["bad"] },
        { "id": "after-after", "method": "DELETE", "url": entity, "depends_on": ["after-bad"] },
    ])).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(
        response(&reply, "read")["body"]["snapshotDateTime"],
        "2024-04-04T00:00:00Z",
        "the dependency ran first"
    );
    assert_eq!(response(&reply, "bad")["status"], 400);
    assert_eq!(
        response(&reply, "bad")["body"]["error"]["code"],
        "BadRequest"
    );
    assert_eq!(response(&reply, "after-bad")["status"], 424);
    assert_eq!(
        response(&reply, "after-bad")["body"]["error"]["code"],
        "FailedDependency"
    );
    assert_eq!(
        response(&reply, "after-after")["status"],
        424,
        "a 424 fails its dependents too"
    );
    assert_eq!(
        server
            .get(&format!("{COLLECTION}/{id}"), &token)
            .await
            .status,
        StatusCode::OK,
        "the DELETE did not run"
    );
}

#[tokio::test]
async fn malformed_batches_are_a_400_for_the_whole_batch() {
    let server = TestServer::start();
    let token = server.token(Uuid::new_v4());
    let get =
        |id: &str| json!({ "id": id, "method": "GET", "url": "/reports/azureADLicenseUsage" });
    let too_many: Vec<Value> = (0..21).map(|index| get(&index.to_string())).collect();
    let cases = [
        ("21 requests", json!({ "requests": too_many })),
        ("duplicate ids", json!({ "requests": [get("1"), get("1")] })),
        (
            "unknown dependsOn",
            json!({ "requests": [get("1"), { "id": "2", "method": "GET", "url": "/reports", "dependsOn": ["9"] }] }),
        ),
        (
            "a cycle",
            json!({ "requests": [{ "id": "a", "method": "GET", "url": "/", "dependsOn": ["b"] }, { "id": "b", "method": "GET", "url": "/", "dependsOn": ["a"] }] }),
        ),
        (
            "a self-dependency",
            json!({ "requests": [{ "id": "a", "method": "GET", "url": "/", "dependsOn": ["a"] }] }),
        ),
        ("no requests array", json!({ "request": [] })),
        (
            "no url",
            json!({ "requests": [{ "id": "1", "method": "GET" }] }),
        ),
        (
            "no method",
            json!({ "requests": [{ "id": "1", "url": "/" }] }),
        ),
        ("not an object", json!([1, 2])),
    ];
    for (case, body) in cases {
        let reply = server.post("/v1.0/$batch", &token, &body).await;
        reply.assert_error(400, "BadRequest");
        assert!(reply.json.get("responses").is_none(), "{case}");
    }
    let twenty: Vec<Value> = (0..20).map(|index| get(&index.to_string())).collect();
    assert_eq!(
        batch(&server, &token, json!(twenty)).await.status,
        StatusCode::OK,
        "20 is allowed"
    );
    let nested = batch(&server, &token, json!([{ "id": "1", "method": "POST", "url": "/$batch", "body": { "requests": [get("x")] } }])).await;
    assert_eq!(response(&nested, "1")["status"], 400);
}

#[tokio::test]
async fn the_outer_token_governs_every_item_and_tenants_stay_apart() {
    let server = TestServer::start();
    let tenant_a = Uuid::new_v4();
    let token_a = server.token(tenant_a);
    let a_object = server
        .create(&token_a, &snapshot("2021-01-01T00:00:00Z"))
        .await;
    let token_b = server.token(Uuid::new_v4());
    let entity = format!("/reports/azureADLicenseUsage/{a_object}");

    let probes = batch(&server, &token_b, json!([
        { "id": "get", "method": "GET", "url": entity },
        { "id": "patch", "method": "PATCH", "url": entity, "body": { "snapshotDateTime": "2030-01-01T00:00:00Z" } },
        { "id": "delete", "method": "DELETE", "url": entity },
        { "id": "list", "method": "GET", "url": "/reports/azureADLicenseUsage" },
        { "id": "count", "method": "GET", "url": "/reports/azureADLicenseUsage/$count" },
        { "id": "smuggled", "method": "GET", "url": entity, "headers": { "Authorization": format!("Bearer {token_a}") } },
    ])).await;
    for id in ["get", "patch", "delete", "smuggled"] {
        assert_eq!(
            response(&probes, id)["status"],
            404,
            "{id}: {}",
            probes.text
        );
    }
    assert_eq!(response(&probes, "list")["body"]["value"], json!([]));
    assert_eq!(
        response(&probes, "count")["body"],
        "MA==",
        "a count of 0, base64"
    );
    assert!(
        !probes.text.contains("2021-01-01T00:00:00Z"),
        "no data of tenant A leaks: {}",
        probes.text
    );
    assert_eq!(
        server
            .get(&format!("{COLLECTION}/{a_object}"), &token_a)
            .await
            .json["snapshotDateTime"],
        "2021-01-01T00:00:00Z"
    );

    let reader = server.mint(&app_token(tenant_a, &[READ_ALL]));
    let limited = batch(
        &server,
        &reader,
        json!([
            { "id": "read", "method": "GET", "url": entity },
            { "id": "write", "method": "DELETE", "url": entity },
        ]),
    )
    .await;
    assert_eq!(response(&limited, "read")["status"], 200);
    assert_eq!(response(&limited, "write")["status"], 403);

    let anonymous = Reply::from(
        server
            .client
            .post(server.url("/v1.0/$batch"))
            .json(&json!({ "requests": [] }))
            .send()
            .await
            .unwrap(),
    )
    .await;
    anonymous.assert_error(401, "InvalidAuthenticationToken");
}
