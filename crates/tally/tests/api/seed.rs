//! The seed page ("Update azureADLicenseUsage"): its PATCH body and its response.

use reqwest::StatusCode;
use serde_json::json;
use uuid::Uuid;

use crate::support::{entity_path, snapshot, TestServer, COLLECTION};

/// The seed's request body with `licenseType` set to `member`.
fn seed_body(member: &str) -> serde_json::Value {
    json!({
        "@odata.type": "#microsoft.graph.azureADLicenseUsage",
        "snapshotDateTime": "2016-12-31T23:56:55.0631898+03:00",
        "licenseInfoDetails": [
            {
                "@odata.type": "microsoft.graph.licenseInfoDetail",
                "licenseType": member,
                "totalLicenseCount": 1,
                "totalAssignedCount": 2,
                "totalUsageCount": 15
            }
        ]
    })
}

#[tokio::test]
async fn the_seed_patch_answers_the_seed_response() {
    let server = TestServer::start();
    let token = server.token(Uuid::new_v4());
    let id = server
        .create(&token, &snapshot("2020-01-01T00:00:00Z"))
        .await;

    let reply = server
        .patch(&entity_path(&id), &token, &seed_body("premiumP1"))
        .await;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let mut body = reply.json.clone();
    let object = body.as_object_mut().unwrap();
    assert!(object
        .remove("@odata.context")
        .unwrap()
        .as_str()
        .unwrap()
        .ends_with("$metadata#reports/azureADLicenseUsage/$entity"));
    assert_eq!(
        object.remove("@odata.etag").unwrap().as_str(),
        reply.header("etag")
    );
    assert_eq!(
        body,
        json!({
            "@odata.type": "#microsoft.graph.azureADLicenseUsage",
            "id": id,
            "snapshotDateTime": "2016-12-31T23:56:55.0631898+03:00",
            "licenseInfoDetails": [
                {
                    "@odata.type": "microsoft.graph.licenseInfoDetail",
                    "licenseType": "premiumP1",
                    "totalLicenseCount": 1,
                    "totalAssignedCount": 2,
                    "totalUsageCount": 15
                }
            ]
        })
    );
    // And it stuck: a fresh read shows the same object.
    let read = server.get(&entity_path(&id), &token).await;
    assert_eq!(
        read.json["licenseInfoDetails"],
        reply.json["licenseInfoDetails"]
    );
    assert_eq!(
        read.json["snapshotDateTime"],
        "2016-12-31T23:56:55.0631898+03:00"
    );
}

#[tokio::test]
async fn the_seed_placeholder_string_is_a_400_that_lists_the_members() {
    let server = TestServer::start();
    let token = server.token(Uuid::new_v4());
    let id = server
        .create(&token, &snapshot("2020-01-01T00:00:00Z"))
        .await;

    let reply = server
        .patch(&entity_path(&id), &token, &seed_body("String"))
        .await;

    let message = reply.assert_error(400, "BadRequest");
    assert!(
        message.contains("licenseInfoDetails[0].licenseType"),
        "{message}"
    );
    for member in [
        "none",
        "free",
        "basic",
        "premiumP1",
        "premiumP2",
        "unknownFutureValue",
    ] {
        assert!(message.contains(member), "{message} lacks {member}");
    }
    let read = server.get(&entity_path(&id), &token).await;
    assert_eq!(read.json["snapshotDateTime"], "2020-01-01T00:00:00Z");
    assert_eq!(read.json["licenseInfoDetails"], json!([]));
}

#[tokio::test]
async fn the_seed_body_creates_too() {
    let server = TestServer::start();
    let token = server.token(Uuid::new_v4());
    let reply = server
        .post(COLLECTION, &token, &seed_body("premiumP2"))
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    let id = reply.json["id"].as_str().unwrap();
    assert_eq!(
        reply.header("location").unwrap(),
        server.url(&entity_path(id))
    );
    assert_eq!(
        Uuid::parse_str(id).unwrap().to_string(),
        id,
        "ids are lower-case GUIDs"
    );
    assert_eq!(
        reply.json["licenseInfoDetails"][0]["licenseType"],
        "premiumP2"
    );
}
