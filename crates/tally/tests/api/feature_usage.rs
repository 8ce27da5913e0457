//! SPEC §12.1: `azureADFeatureUsage` under `/reports`, with the rules of sections 3–10 —
//! create, read (every key form), PATCH with ETags, delete, validation, `$filter`, `$orderby`,
//! paging, its function `getAzureADFeatureUsage(period=…)`, `$batch`, both versions and tenant
//! isolation.

use chrono::{Duration, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::support::{ids, TestServer};
use crate::writes::with_headers;

const FEATURES: &str = "/v1.0/reports/azureADFeatureUsage";

fn usage(name: &str, at: &str, count: Option<i32>) -> Value {
    json!({ "featureName": name, "snapshotDateTime": at, "usage": count })
}

#[tokio::test]
async fn objects_round_trip_under_both_versions_with_every_key_form() {
    let server = TestServer::start();
    let token = server.token(Uuid::new_v4());
    let body = usage(
        "conditionalAccess",
        "2026-11-01T08:00:00.1234567+02:00",
        Some(7),
    );
    let created = server.post(FEATURES, &token, &body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let id = created.json["id"].as_str().unwrap().to_owned();
    assert_eq!(
        created.header("location"),
        Some(server.url(&format!("{FEATURES}/{id}")).as_str())
    );
    let mut object = created.json.clone();
    let object = object.as_object_mut().unwrap();
    assert!(object
        .remove("@odata.context")
        .unwrap()
        .as_str()
        .unwrap()
        .ends_with("/v1.0/$metadata#reports/azureADFeatureUsage/$entity"));
    assert_eq!(
        object.remove("@odata.etag").unwrap().as_str(),
        created.header("etag")
    );
    assert_eq!(
        Value::Object(object.clone()),
        json!({
            "@odata.type": "#microsoft.graph.azureADFeatureUsage",
            "id": id,
            "snapshotDateTime": "2026-11-01T08:00:00.1234567+02:00",
            "featureName": "conditionalAccess",
            "usage": 7,
        })
    );
    for path in [
        format!("/v1.0/reports/azureADFeatureUsage/{id}"),
        format!("/beta/reports/AzureADFeatureUsage('{id}')"),
        format!("/v1.0/reports/azureADFeatureUsage(id='{id}')"),
    ] {
        let read = server.get(&path, &token).await;
        assert_eq!(read.status, StatusCode::OK, "{path}: {}", read.text);
        assert_eq!(read.json["usage"], 7, "{path}");
        assert_eq!(read.header("etag"), created.header("etag"), "{path}");
    }
    let selected = server
        .get(&format!("{FEATURES}/{id}?$select=usage"), &token)
        .await;
    assert_eq!(selected.json["usage"], 7);
    assert!(
        selected.json.get("featureName").is_none(),
        "{}",
        selected.text
    );
}

#[tokio::test]
async fn patch_is_partial_and_conditional_and_delete_removes() {
    let server = TestServer::start();
    let token = server.token(Uuid::new_v4());
    let id = server
        .create_in(
            FEATURES,
            &token,
            &usage("privateAccess", "2026-11-01T00:00:00Z", None),
        )
        .await;
    let path = format!("{FEATURES}/{id}");
    let first = server.get(&path, &token).await;
    let stale = first.header("etag").unwrap().to_owned();

    let patched = server.patch(&path, &token, &json!({ "usage": 3 })).await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.text);
    assert_eq!(patched.json["usage"], 3);
    assert_eq!(patched.json["featureName"], "privateAccess", "kept");
    assert_ne!(patched.header("etag"), Some(stale.as_str()));

    let conditional = with_headers(
        &server,
        reqwest::Method::PATCH,
        &path,
        &token,
        &[("if-match", &stale)],
        Some(json!({ "usage": 4 })),
    )
    .await;
    conditional.assert_error(412, "PreconditionFailed");
    assert_eq!(
        server.get(&path, &token).await.json["usage"],
        3,
        "unchanged"
    );

    let nulled = server.patch(&path, &token, &json!({ "usage": null })).await;
    assert_eq!(nulled.json["usage"], Value::Null, "usage is nullable");
    let refused = server
        .patch(&path, &token, &json!({ "featureName": null }))
        .await;
    refused.assert_error(400, "BadRequest");

    let deleted = server.delete(&path, &token).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    server
        .get(&path, &token)
        .await
        .assert_error(404, "Request_ResourceNotFound");
}

#[tokio::test]
async fn bodies_are_validated_against_the_description() {
    let server = TestServer::start();
    let token = server.token(Uuid::new_v4());
    let cases = [
        (
            json!({ "snapshotDateTime": "2026-11-01T00:00:00Z" }),
            "'featureName' is required",
        ),
        (
            json!({ "featureName": "x" }),
            "'snapshotDateTime' is required",
        ),
        (
            usage("x", "2026-11-01T00:00:00Z", Some(-1)),
            "'usage': -1 is negative",
        ),
        (
            json!({ "featureName": 5, "snapshotDateTime": "2026-11-01T00:00:00Z" }),
            "'featureName': expected a string",
        ),
        (
            json!({ "featureName": "x", "snapshotDateTime": "2026-11-01T00:00:00Z", "licenseInfoDetails": [] }),
            "has no property named 'licenseInfoDetails'",
        ),
        (
            json!({ "@odata.type": "#microsoft.graph.azureADLicenseUsage", "featureName": "x", "snapshotDateTime": "2026-11-01T00:00:00Z" }),
            "is not the type '#microsoft.graph.azureADFeatureUsage'",
        ),
    ];
    for (body, expected) in cases {
        let reply = server.post(FEATURES, &token, &body).await;
        let message = reply.assert_error(400, "BadRequest");
        assert!(message.contains(expected), "{body}: {message}");
    }
}

#[tokio::test]
async fn filters_orders_and_pages_by_the_descriptions_properties() {
    let server = TestServer::start();
    let token = server.token(Uuid::new_v4());
    let mut made = Vec::new();
    for (index, name) in ["b", "a", "c", "a", "b"].iter().enumerate() {
        let at = format!("2026-11-0{}T00:00:00Z", index + 1);
        let count = i32::try_from(index).unwrap() * 10;
        made.push(
            server
                .create_in(FEATURES, &token, &usage(name, &at, Some(count)))
                .await,
        );
    }
    let filtered = server
        .get(
            &format!("{FEATURES}?$filter=featureName eq 'a' or usage ge 40&$count=true"),
            &token,
        )
        .await;
    assert_eq!(filtered.status, StatusCode::OK, "{}", filtered.text);
    assert_eq!(
        ids(&filtered),
        vec![made[1].clone(), made[3].clone(), made[4].clone()]
    );
    assert_eq!(filtered.json["@odata.count"], 3);

    let ordered = server
        .get(
            &format!("{FEATURES}?$orderby=featureName desc,snapshotDateTime"),
            &token,
        )
        .await;
    assert_eq!(
        ids(&ordered),
        vec![
            made[2].clone(),
            made[0].clone(),
            made[4].clone(),
            made[1].clone(),
            made[3].clone()
        ]
    );
    let unsortable = server
        .get(&format!("{FEATURES}?$orderby=usage"), &token)
        .await;
    let message = unsortable.assert_error(400, "BadRequest");
    assert!(
        message.contains("orders only by id, snapshotDateTime and featureName"),
        "{message}"
    );

    // Two at a time: every object exactly once, in the default order (oldest first).
    let mut seen = Vec::new();
    let mut page = server.get(&format!("{FEATURES}?$top=2"), &token).await;
    loop {
        seen.extend(ids(&page));
        match page.json["@odata.nextLink"].as_str() {
            Some(next) => page = server.follow(next, &token).await,
            None => break,
        }
    }
    assert_eq!(seen, made);
}

#[tokio::test]
async fn the_function_windows_by_period_and_composes() {
    let server = TestServer::start();
    let token = server.token(Uuid::new_v4());
    let at = |days: i64| {
        (Utc::now() - Duration::days(days)).to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
    };
    let old = server
        .create_in(FEATURES, &token, &usage("a", &at(40), Some(1)))
        .await;
    let recent = server
        .create_in(FEATURES, &token, &usage("a", &at(2), Some(2)))
        .await;
    let other = server
        .create_in(FEATURES, &token, &usage("b", &at(1), Some(3)))
        .await;
    let d7 = server
        .get("/v1.0/reports/getAzureADFeatureUsage(period='D7')", &token)
        .await;
    assert_eq!(d7.status, StatusCode::OK, "{}", d7.text);
    assert_eq!(ids(&d7), vec![recent.clone(), other.clone()]);
    assert!(d7.json["@odata.context"]
        .as_str()
        .unwrap()
        .ends_with("$metadata#Collection(microsoft.graph.azureADFeatureUsage)"));
    let composed = server
        .get(
            "/beta/reports/microsoft.graph.getAzureADFeatureUsage(period='d90')?$filter=featureName eq 'a'",
            &token,
        )
        .await;
    assert_eq!(ids(&composed), vec![old, recent]);
    let count = server
        .get(
            "/v1.0/reports/getAzureADFeatureUsage(period='D30')/$count",
            &token,
        )
        .await;
    assert_eq!(count.text, "2");
    let bad = server
        .get("/v1.0/reports/getAzureADFeatureUsage(period='D8')", &token)
        .await;
    let message = bad.assert_error(400, "InvalidArgument");
    assert!(
        message.contains("getAzureADFeatureUsage(period='D7')"),
        "{message}"
    );
}

#[tokio::test]
async fn batches_reach_it_and_tenants_do_not_see_each_other() {
    let server = TestServer::start();
    let token = server.token(Uuid::new_v4());
    let reply = server
        .post(
            "/v1.0/$batch",
            &token,
            &json!({ "requests": [
                { "id": "1", "method": "POST", "url": "/reports/azureADFeatureUsage",
                  "headers": { "Content-Type": "application/json" },
                  "body": usage("internetAccess", "2026-11-01T00:00:00Z", Some(9)) },
                { "id": "2", "method": "GET", "url": "/reports/azureADFeatureUsage/$count", "dependsOn": ["1"] },
            ]}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let responses = reply.json["responses"].as_array().unwrap();
    assert_eq!(responses[0]["status"], 201, "{}", reply.text);
    let id = responses[0]["body"]["id"].as_str().unwrap();
    assert_eq!(responses[1]["status"], 200);

    let stranger = server.token(Uuid::new_v4());
    server
        .get(&format!("{FEATURES}/{id}"), &stranger)
        .await
        .assert_error(404, "Request_ResourceNotFound");
    let theirs = server.get(FEATURES, &stranger).await;
    assert_eq!(ids(&theirs), Vec::<String>::new());
}
