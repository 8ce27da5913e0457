//! SPEC §2 and §4: what a write accepts, what it refuses (a 400 that names the property path and
//! changes nothing), partial updates, ETags and preconditions, `Prefer: return=minimal`.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::support::{entity_path, snapshot, TestServer, COLLECTION};

fn detail(member: &str, total: Value, assigned: Value, used: Value) -> Value {
    json!({ "licenseType": member, "totalLicenseCount": total, "totalAssignedCount": assigned, "totalUsageCount": used })
}

fn full_body() -> Value {
    json!({
        "snapshotDateTime": "2021-06-01T12:00:00.1234567-07:00",
        "licenseInfoDetails": [detail("free", json!(10), json!(5), json!(1)), detail("premiumP2", json!(3), json!(4), json!(null))]
    })
}

/// Each bad body, the path its message must name, and what else it must say.
fn bad_bodies() -> Vec<(&'static str, String, &'static str)> {
    let detail_with = |field: &str, value: Value| {
        let mut item = detail("free", json!(1), json!(1), json!(1));
        item[field] = value;
        json!({ "snapshotDateTime": "2021-01-01T00:00:00Z", "licenseInfoDetails": [detail("basic", json!(1), json!(1), json!(1)), item] }).to_string()
    };
    vec![
        ("unknown property", json!({"snapshotDateTime": "2021-01-01T00:00:00Z", "colour": "red"}).to_string(), "colour"),
        ("unknown nested property", detail_with("extra", json!(1)), "licenseInfoDetails[1].extra"),
        ("wrong type for a date", json!({"snapshotDateTime": 20210101}).to_string(), "snapshotDateTime"),
        ("wrong type for a count", detail_with("totalUsageCount", json!("5")), "licenseInfoDetails[1].totalUsageCount"),
        ("a fraction for a count", detail_with("totalUsageCount", json!(1.5)), "licenseInfoDetails[1].totalUsageCount"),
        ("wrong type for the collection", json!({"snapshotDateTime": "2021-01-01T00:00:00Z", "licenseInfoDetails": {}}).to_string(), "licenseInfoDetails"),
        ("wrong type for an item", json!({"snapshotDateTime": "2021-01-01T00:00:00Z", "licenseInfoDetails": [1]}).to_string(), "licenseInfoDetails[0]"),
        ("a null item", json!({"snapshotDateTime": "2021-01-01T00:00:00Z", "licenseInfoDetails": [null]}).to_string(), "licenseInfoDetails[0]"),
        ("a null collection", json!({"snapshotDateTime": "2021-01-01T00:00:00Z", "licenseInfoDetails": null}).to_string(), "licenseInfoDetails"),
        ("a duplicate JSON key", r#"{"snapshotDateTime":"2021-01-01T00:00:00Z","snapshotDateTime":"2021-01-02T00:00:00Z"}"#.to_owned(), "snapshotDateTime"),
        ("a duplicate nested JSON key", r#"{"licenseInfoDetails":[{"licenseType":"free","totalUsageCount":1,"totalUsageCount":2}]}"#.to_owned(), "licenseInfoDetails[0].totalUsageCount"),
        ("an Int32 overflow", detail_with("totalUsageCount", json!(2147483648_u64)), "licenseInfoDetails[1].totalUsageCount"),
        ("a huge number", detail_with("totalLicenseCount", json!(1e30)), "licenseInfoDetails[1].totalLicenseCount"),
        ("a negative count", detail_with("totalAssignedCount", json!(-1)), "licenseInfoDetails[1].totalAssignedCount"),
        ("a null snapshotDateTime", json!({"snapshotDateTime": null}).to_string(), "snapshotDateTime"),
        ("a duplicate licenseType", detail_with("licenseType", json!("basic")), "licenseInfoDetails[1].licenseType"),
        ("a null licenseType", detail_with("licenseType", json!(null)), "licenseInfoDetails[1].licenseType"),
        ("a licenseType in the wrong case", detail_with("licenseType", json!("PremiumP1")), "licenseInfoDetails[1].licenseType"),
        ("eight fractional digits", json!({"snapshotDateTime": "2016-12-31T23:56:55.06318981+03:00"}).to_string(), "snapshotDateTime"),
        ("an invalid date", json!({"snapshotDateTime": "2021-02-29T00:00:00Z"}).to_string(), "snapshotDateTime"),
        ("a date without an offset", json!({"snapshotDateTime": "2021-02-01T00:00:00"}).to_string(), "snapshotDateTime"),
        ("a wrong @odata.type", json!({"@odata.type": "#microsoft.graph.user"}).to_string(), "@odata.type"),
        ("a wrong nested @odata.type", detail_with("@odata.type", json!("microsoft.graph.user")), "licenseInfoDetails[1].@odata.type"),
        ("a body that is an array", "[]".to_owned(), "JSON object"),
        ("a body that is a string", "\"x\"".to_owned(), "JSON object"),
        ("a body that is null", "null".to_owned(), "JSON object"),
        ("malformed JSON", "{\"snapshotDateTime\": ".to_owned(), "not valid JSON"),
        ("trailing garbage", "{} x".to_owned(), "not valid JSON"),
    ]
}

#[tokio::test]
async fn every_bad_body_is_a_400_that_names_the_path_and_changes_nothing() {
    let server = TestServer::start();
    let token = server.token(Uuid::new_v4());
    let id = server.create(&token, &full_body()).await;
    let before = server.get(&entity_path(&id), &token).await.text;

    for (case, body, names) in bad_bodies() {
        for method in [Method::PATCH, Method::POST] {
            let path = if method == Method::PATCH {
                entity_path(&id)
            } else {
                COLLECTION.to_owned()
            };
            let reply = server
                .send_text(
                    method.clone(),
                    &path,
                    Some(&token),
                    Some("application/json"),
                    Some(body.clone()),
                )
                .await;
            let message = reply.assert_error(400, "BadRequest");
            assert!(
                message.contains(names),
                "{case} ({method}): {message:?} should name {names:?}"
            );
        }
    }
    assert_eq!(
        server.get(&entity_path(&id), &token).await.text,
        before,
        "a refused write changed the object"
    );
    let count = server.get(&format!("{COLLECTION}/$count"), &token).await;
    assert_eq!(count.text, "1", "a refused POST created something");
}

#[tokio::test]
async fn id_is_read_only_on_create_and_must_match_the_key_on_patch() {
    let server = TestServer::start();
    let token = server.token(Uuid::new_v4());
    let reply = server
        .post(
            COLLECTION,
            &token,
            &json!({"id": Uuid::new_v4().to_string(), "snapshotDateTime": "2021-01-01T00:00:00Z"}),
        )
        .await;
    assert!(reply.assert_error(400, "BadRequest").contains("'id'"));

    let id = server
        .create(&token, &snapshot("2021-01-01T00:00:00Z"))
        .await;
    let other = Uuid::new_v4().to_string();
    let reply = server
        .patch(&entity_path(&id), &token, &json!({"id": other}))
        .await;
    assert!(reply.assert_error(400, "BadRequest").contains("'id'"));
    for same in [id.clone(), id.to_uppercase()] {
        let reply = server
            .patch(
                &entity_path(&id),
                &token,
                &json!({"id": same, "snapshotDateTime": "2022-01-01T00:00:00Z"}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    }
}

#[tokio::test]
async fn create_defaults_and_round_trips_values_exactly() {
    let server = TestServer::start();
    let token = server.token(Uuid::new_v4());
    let missing = server
        .post(COLLECTION, &token, &json!({"licenseInfoDetails": []}))
        .await;
    assert!(missing
        .assert_error(400, "BadRequest")
        .contains("snapshotDateTime"));

    for text in [
        "2016-12-31T23:56:55.0631898+03:00",
        "2020-02-29T10:00Z",
        "0001-01-01T00:00:00Z",
        "9999-12-31T23:59:59.9999999Z",
        "2021-01-01T00:00:00.5-14:00",
    ] {
        let reply = server.post(COLLECTION, &token, &snapshot(text)).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{text}: {}", reply.text);
        assert_eq!(reply.json["snapshotDateTime"], text);
        assert_eq!(
            reply.json["licenseInfoDetails"],
            json!([]),
            "an absent collection is []"
        );
        let read = server
            .get(&entity_path(reply.json["id"].as_str().unwrap()), &token)
            .await;
        assert_eq!(read.json["snapshotDateTime"], text, "stored byte for byte");
    }
    let reply = server.post(COLLECTION, &token, &json!({"snapshotDateTime": "2021-01-01T00:00:00Z", "licenseInfoDetails": [{"licenseType": "none"}]})).await;
    assert_eq!(
        reply.json["licenseInfoDetails"][0],
        json!({"@odata.type": "microsoft.graph.licenseInfoDetail", "licenseType": "none", "totalLicenseCount": null, "totalAssignedCount": null, "totalUsageCount": null}),
        "absent counts are null, and all three are present"
    );
    let annotated = json!({"@odata.type": "microsoft.graph.azureADLicenseUsage", "snapshotDateTime": "2021-01-01T00:00:00Z",
        "licenseInfoDetails": [{"@odata.type": "#microsoft.graph.licenseInfoDetail", "licenseType": "free", "totalLicenseCount": 2147483647, "totalAssignedCount": 0}]});
    let reply = server.post(COLLECTION, &token, &annotated).await;
    assert_eq!(
        reply.status,
        StatusCode::CREATED,
        "@odata.type with or without # and Int32 bounds: {}",
        reply.text
    );
}

#[tokio::test]
async fn patch_is_partial_and_replaces_the_collection_whole() {
    let server = TestServer::start();
    let token = server.token(Uuid::new_v4());
    let id = server.create(&token, &full_body()).await;
    let path = entity_path(&id);

    let reply = server
        .patch(
            &path,
            &token,
            &json!({"snapshotDateTime": "2022-02-02T02:02:02Z"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.json["licenseInfoDetails"].as_array().unwrap().len(),
        2,
        "absent properties keep their values"
    );

    let reply = server
        .patch(
            &path,
            &token,
            &json!({"licenseInfoDetails": [detail("basic", json!(1), json!(null), json!(0))]}),
        )
        .await;
    assert_eq!(reply.json["snapshotDateTime"], "2022-02-02T02:02:02Z");
    assert_eq!(
        reply.json["licenseInfoDetails"].as_array().unwrap().len(),
        1,
        "the collection is replaced, not merged"
    );
    assert_eq!(reply.json["licenseInfoDetails"][0]["licenseType"], "basic");

    let reply = server
        .patch(&path, &token, &json!({"licenseInfoDetails": []}))
        .await;
    assert_eq!(reply.json["licenseInfoDetails"], json!([]));
}

#[tokio::test]
async fn etags_are_weak_equal_and_move_only_when_something_changes() {
    let server = TestServer::start();
    let token = server.token(Uuid::new_v4());
    let created = server.post(COLLECTION, &token, &full_body()).await;
    let id = created.json["id"].as_str().unwrap().to_owned();
    let path = entity_path(&id);
    let first = created.header("etag").unwrap().to_owned();
    assert!(first.starts_with("W/\""), "{first}");
    assert_eq!(created.json["@odata.etag"], first.as_str());

    let unchanged = server.patch(&path, &token, &json!({})).await;
    assert_eq!(unchanged.status, StatusCode::OK);
    assert_eq!(
        unchanged.header("etag"),
        Some(first.as_str()),
        "{{}} keeps the version"
    );
    assert_eq!(
        unchanged.json["snapshotDateTime"],
        full_body()["snapshotDateTime"]
    );

    let changed = server
        .patch(
            &path,
            &token,
            &json!({"snapshotDateTime": "2030-01-01T00:00:00Z"}),
        )
        .await;
    let second = changed.header("etag").unwrap().to_owned();
    assert_ne!(second, first);
    assert_eq!(changed.json["@odata.etag"], second.as_str());
    let read = server.get(&path, &token).await;
    assert_eq!(read.header("etag"), Some(second.as_str()));
    assert_eq!(read.json["@odata.etag"], second.as_str());
}

/// Sends a request with extra headers (such as `If-Match`).
pub async fn with_headers(
    server: &TestServer,
    method: Method,
    path: &str,
    token: &str,
    headers: &[(&str, &str)],
    body: Option<Value>,
) -> crate::support::Reply {
    let mut request = server
        .client
        .request(method, server.url(path))
        .bearer_auth(token);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    if let Some(body) = body {
        request = request
            .header("content-type", "application/json")
            .body(body.to_string());
    }
    crate::support::Reply::from(request.send().await.unwrap()).await
}

#[tokio::test]
async fn if_match_guards_writes_and_if_none_match_gives_304() {
    let server = TestServer::start();
    let token = server.token(Uuid::new_v4());
    let created = server.post(COLLECTION, &token, &full_body()).await;
    let id = created.json["id"].as_str().unwrap().to_owned();
    let path = entity_path(&id);
    let v1 = created.header("etag").unwrap().to_owned();
    let strong_v1 = v1.trim_start_matches("W/").to_owned();

    let ok = with_headers(
        &server,
        Method::PATCH,
        &path,
        &token,
        &[("if-match", &strong_v1)],
        Some(json!({"snapshotDateTime": "2031-01-01T00:00:00Z"})),
    )
    .await;
    assert_eq!(
        ok.status,
        StatusCode::OK,
        "a current tag, compared weakly: {}",
        ok.text
    );
    let after = server.get(&path, &token).await.text;

    let stale = with_headers(
        &server,
        Method::PATCH,
        &path,
        &token,
        &[("if-match", &v1)],
        Some(json!({"snapshotDateTime": "2032-01-01T00:00:00Z"})),
    )
    .await;
    stale.assert_error(412, "PreconditionFailed");
    let stale_delete = with_headers(
        &server,
        Method::DELETE,
        &path,
        &token,
        &[("if-match", &v1)],
        None,
    )
    .await;
    stale_delete.assert_error(412, "PreconditionFailed");
    assert_eq!(
        server.get(&path, &token).await.text,
        after,
        "a 412 changes nothing"
    );

    let star = with_headers(
        &server,
        Method::PATCH,
        &path,
        &token,
        &[("if-match", "*")],
        Some(json!({})),
    )
    .await;
    assert_eq!(star.status, StatusCode::OK);
    let missing = with_headers(
        &server,
        Method::PATCH,
        &entity_path(&Uuid::new_v4().to_string()),
        &token,
        &[("if-match", "*")],
        Some(json!({})),
    )
    .await;
    missing.assert_error(404, "Request_ResourceNotFound");

    let current = server
        .get(&path, &token)
        .await
        .header("etag")
        .unwrap()
        .to_owned();
    let not_modified = with_headers(
        &server,
        Method::GET,
        &path,
        &token,
        &[("if-none-match", &current)],
        None,
    )
    .await;
    assert_eq!(not_modified.status, StatusCode::NOT_MODIFIED);
    assert_eq!(not_modified.text, "");
    let modified = with_headers(
        &server,
        Method::GET,
        &path,
        &token,
        &[("if-none-match", &v1)],
        None,
    )
    .await;
    assert_eq!(modified.status, StatusCode::OK);

    let deleted = with_headers(
        &server,
        Method::DELETE,
        &path,
        &token,
        &[("if-match", &current)],
        None,
    )
    .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_eq!(deleted.text, "");
    server
        .get(&path, &token)
        .await
        .assert_error(404, "Request_ResourceNotFound");
    server
        .delete(&path, &token)
        .await
        .assert_error(404, "Request_ResourceNotFound");
}

#[tokio::test]
async fn prefer_return_minimal_answers_204() {
    let server = TestServer::start();
    let token = server.token(Uuid::new_v4());
    let id = server.create(&token, &full_body()).await;
    let path = entity_path(&id);
    let reply = with_headers(
        &server,
        Method::PATCH,
        &path,
        &token,
        &[("prefer", "return=minimal")],
        Some(json!({"snapshotDateTime": "2033-01-01T00:00:00Z"})),
    )
    .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    assert_eq!(reply.header("preference-applied"), Some("return=minimal"));
    assert_eq!(reply.text, "");
    assert_eq!(
        server.get(&path, &token).await.json["snapshotDateTime"],
        "2033-01-01T00:00:00Z"
    );

    let created = with_headers(
        &server,
        Method::POST,
        COLLECTION,
        &token,
        &[("prefer", "return=minimal")],
        Some(full_body()),
    )
    .await;
    assert_eq!(created.status, StatusCode::NO_CONTENT);
    let location = created.header("location").unwrap();
    assert!(location.starts_with(&server.url(COLLECTION)), "{location}");
}

#[tokio::test]
async fn content_type_must_be_json_and_bodies_have_a_limit() {
    let server = TestServer::start();
    let token = server.token(Uuid::new_v4());
    let body = snapshot("2021-01-01T00:00:00Z").to_string();
    for (content_type, expected) in [
        (Some("application/json; charset=utf-8"), 201),
        (Some("application/json;odata.metadata=minimal"), 201),
        (Some("Application/JSON"), 201),
        (Some("text/plain"), 415),
        (Some("application/xml"), 415),
        (None, 415),
    ] {
        let mut request = server
            .client
            .post(server.url(COLLECTION))
            .bearer_auth(&token)
            .body(body.clone());
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        let reply = crate::support::Reply::from(request.send().await.unwrap()).await;
        if expected == 415 {
            reply.assert_error(415, "UnsupportedMediaType");
        } else {
            assert_eq!(
                reply.status.as_u16(),
                expected,
                "{content_type:?}: {}",
                reply.text
            );
        }
    }
    let huge = format!(
        "{{\"snapshotDateTime\":\"2021-01-01T00:00:00Z\",\"pad\":\"{}\"}}",
        "x".repeat(1024 * 1024)
    );
    let reply = server
        .send_text(
            Method::POST,
            COLLECTION,
            Some(&token),
            Some("application/json"),
            Some(huge),
        )
        .await;
    reply.assert_error(413, "RequestEntityTooLarge");
    assert_eq!(
        server
            .get(&format!("{COLLECTION}/$count"), &token)
            .await
            .text,
        "3"
    );
}
