//! SPEC §12.1: `azureADUserFeatureUsage` under `/reports`, with the rules of sections 3–10 —
//! create with its collection of featureUsageDetails, read, PATCH with ETags, validation,
//! `$filter` with lambdas (DateTimeOffsets inside compare as instants), and
//! `getAzureADUserFeatureUsage()`, the latest record per user.

use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::support::{ids, TestServer};

const RECORDS: &str = "/v1.0/reports/azureADUserFeatureUsage";
const LATEST: &str = "/v1.0/reports/getAzureADUserFeatureUsage()";

fn record(user: &str, updated: &str, details: Value) -> Value {
    json!({
        "userId": user,
        "userPrincipalName": format!("{user}@contoso.com"),
        "lastUpdatedDateTime": updated,
        "licenseAssigned": "premiumP1",
        "featureUsageDetails": details,
    })
}

fn detail(feature: &str, used: Option<&str>) -> Value {
    json!({
        "featureName": feature,
        "licenseRequired": "premiumP2",
        "licenseAssigned": "premiumP1",
        "lastUsedDateTime": used,
    })
}

#[tokio::test]
async fn records_round_trip_with_their_details_in_graphs_shape() {
    let server = TestServer::start();
    let token = server.token(Uuid::new_v4());
    let body = record(
        "u1",
        "2026-11-01T00:00:00Z",
        json!([detail(
            "conditionalAccess",
            Some("2026-10-30T12:00:00.5+01:00")
        )]),
    );
    let id = server.create_in(RECORDS, &token, &body).await;
    let read = server
        .get(
            &format!("/beta/reports/azureADUserFeatureUsage('{id}')"),
            &token,
        )
        .await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.text);
    let mut object = read.json.clone();
    let object = object.as_object_mut().unwrap();
    object.remove("@odata.context");
    object.remove("@odata.etag");
    assert_eq!(
        Value::Object(object.clone()),
        json!({
            "@odata.type": "#microsoft.graph.azureADUserFeatureUsage",
            "id": id,
            "lastUpdatedDateTime": "2026-11-01T00:00:00Z",
            "userId": "u1",
            "userDisplayName": null,
            "userPrincipalName": "u1@contoso.com",
            "licenseRecommended": null,
            "licenseAssigned": "premiumP1",
            "featureUsageDetails": [{
                "@odata.type": "microsoft.graph.featureUsageDetail",
                "featureName": "conditionalAccess",
                "licenseRequired": "premiumP2",
                "licenseAssigned": "premiumP1",
                "lastUsedDateTime": "2026-10-30T12:00:00.5+01:00",
                "lastConfiguredDateTime": null,
            }],
        })
    );
    // A PATCH replaces the collection whole and keeps the rest.
    let path = format!("{RECORDS}/{id}");
    let patched = server
        .patch(&path, &token, &json!({ "featureUsageDetails": [] }))
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.text);
    assert_eq!(patched.json["featureUsageDetails"], json!([]));
    assert_eq!(patched.json["userId"], "u1");
    assert_ne!(patched.header("etag"), read.header("etag"));
}

#[tokio::test]
async fn bodies_are_validated_with_property_paths() {
    let server = TestServer::start();
    let token = server.token(Uuid::new_v4());
    let cases = [
        (
            json!({ "lastUpdatedDateTime": "2026-11-01T00:00:00Z" }),
            "'userId' is required",
        ),
        (
            record(
                "u",
                "2026-11-01T00:00:00Z",
                json!([{ "licenseRequired": "premiumP3" }]),
            ),
            "featureUsageDetails[0].licenseRequired",
        ),
        (
            record(
                "u",
                "2026-11-01T00:00:00Z",
                json!([detail("x", Some("yesterday"))]),
            ),
            "featureUsageDetails[0].lastUsedDateTime",
        ),
        (
            record("u", "2026-11-01T00:00:00Z", json!([null])),
            "featureUsageDetails[0]': the collection cannot contain null",
        ),
        (
            record("u", "2026-11-01T00:00:00Z", json!(null)),
            "a collection cannot be null",
        ),
    ];
    for (body, expected) in cases {
        let reply = server.post(RECORDS, &token, &body).await;
        let message = reply.assert_error(400, "BadRequest");
        assert!(message.contains(expected), "{body}: {message}");
    }
}

#[tokio::test]
async fn lambdas_filter_details_and_compare_their_dates_as_instants() {
    let server = TestServer::start();
    let token = server.token(Uuid::new_v4());
    // 11:30 at +01:00 is 10:30Z: before 11:00Z, though its text sorts after.
    let early = server
        .create_in(
            RECORDS,
            &token,
            &record(
                "a",
                "2026-11-01T00:00:00Z",
                json!([detail("privateAccess", Some("2026-10-30T11:30:00+01:00"))]),
            ),
        )
        .await;
    let late = server
        .create_in(
            RECORDS,
            &token,
            &record(
                "b",
                "2026-11-02T00:00:00Z",
                json!([detail("conditionalAccess", Some("2026-10-30T11:30:00Z"))]),
            ),
        )
        .await;
    let none = server
        .create_in(
            RECORDS,
            &token,
            &record("c", "2026-11-03T00:00:00Z", json!([])),
        )
        .await;

    let get = |filter: &'static str| {
        let server = &server;
        let token = &token;
        async move {
            let reply = server
                .get(&format!("{RECORDS}?$filter={filter}"), token)
                .await;
            assert_eq!(reply.status, StatusCode::OK, "{filter}: {}", reply.text);
            ids(&reply)
        }
    };
    assert_eq!(
        get("featureUsageDetails/any(d: d/lastUsedDateTime gt 2026-10-30T11:00:00Z)").await,
        vec![late.clone()]
    );
    assert_eq!(
        get("featureUsageDetails/any(d: d/featureName eq 'privateAccess' and d/licenseRequired eq 'premiumP2')").await,
        vec![early.clone()]
    );
    assert_eq!(
        get("featureUsageDetails/all(d: d/lastUsedDateTime lt 2026-10-30T11:00:00Z)").await,
        vec![early.clone(), none.clone()],
        "all() is true over an empty collection"
    );
    assert_eq!(get("featureUsageDetails/$count eq 0").await, vec![none]);
    assert_eq!(
        get("licenseAssigned eq 'premiumP1' and userId in ('a', 'b')&$orderby=userId desc").await,
        vec![late, early]
    );
}

#[tokio::test]
async fn the_function_answers_each_users_latest_record() {
    let server = TestServer::start();
    let token = server.token(Uuid::new_v4());
    let old_a = server
        .create_in(
            RECORDS,
            &token,
            &record("a", "2026-11-01T00:00:00Z", json!([])),
        )
        .await;
    let new_a = server
        .create_in(
            RECORDS,
            &token,
            &record("a", "2026-11-03T00:00:00+05:00", json!([])),
        )
        .await;
    let only_b = server
        .create_in(
            RECORDS,
            &token,
            &record("b", "2026-11-02T00:00:00Z", json!([])),
        )
        .await;
    let _ = old_a;

    let latest = server.get(LATEST, &token).await;
    assert_eq!(latest.status, StatusCode::OK, "{}", latest.text);
    assert_eq!(
        ids(&latest),
        vec![only_b.clone(), new_a.clone()],
        "oldest first"
    );
    assert!(latest.json["@odata.context"]
        .as_str()
        .unwrap()
        .ends_with("$metadata#Collection(microsoft.graph.azureADUserFeatureUsage)"));
    let filtered = server
        .get(
            "/beta/reports/microsoft.graph.getAzureADUserFeatureUsage()?$filter=userId eq 'a'&$count=true",
            &token,
        )
        .await;
    assert_eq!(ids(&filtered), vec![new_a.clone()]);
    assert_eq!(filtered.json["@odata.count"], 1);
    let count = server.get(&format!("{LATEST}/$count"), &token).await;
    assert_eq!(count.text, "2");

    // A newer record for b takes its place; paging walks the latest ones once each.
    let newer_b = server
        .create_in(
            RECORDS,
            &token,
            &record("b", "2026-11-04T00:00:00Z", json!([])),
        )
        .await;
    let first = server.get(&format!("{LATEST}?$top=1"), &token).await;
    assert_eq!(ids(&first), vec![new_a.clone()]);
    let next = first.json["@odata.nextLink"].as_str().unwrap();
    let second = server.follow(next, &token).await;
    assert_eq!(ids(&second), vec![newer_b]);
    assert!(second.json.get("@odata.nextLink").is_none());

    let refused = server
        .get(
            "/v1.0/reports/getAzureADUserFeatureUsage(period='D7')",
            &token,
        )
        .await;
    let message = refused.assert_error(400, "InvalidArgument");
    assert!(message.contains("takes no parameters"), "{message}");
}
