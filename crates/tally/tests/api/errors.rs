//! SPEC §3 and §10: every route, the error rows this version reaches, which error wins when several
//! apply, and the headers every response carries.

use reqwest::{Method, StatusCode};
use serde_json::json;
use uuid::Uuid;

use crate::support::{app_token, entity_path, snapshot, Reply, TestServer, COLLECTION, READ_ALL};

#[tokio::test]
async fn every_route_answers_on_both_versions() {
    let server = TestServer::start();
    let token = server.token(Uuid::new_v4());
    for version in ["v1.0", "beta"] {
        let collection = format!("/{version}/reports/azureADLicenseUsage");
        let created = server
            .post(&collection, &token, &snapshot("2021-01-01T00:00:00Z"))
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{version}");
        let id = created.json["id"].as_str().unwrap().to_owned();

        let document = server.get(&format!("/{version}/"), &token).await;
        assert_eq!(
            document.json["value"][0]["name"], "reports",
            "{version} service document"
        );
        let metadata = server.get(&format!("/{version}/$metadata"), &token).await;
        assert_eq!(metadata.status, StatusCode::OK);
        assert!(metadata
            .header("content-type")
            .unwrap()
            .starts_with("application/xml"));
        for needle in [
            "EntityType Name=\"azureADLicenseUsage\"",
            "ComplexType Name=\"licenseInfoDetail\"",
            "EnumType Name=\"azureADLicenseType\"",
            "Function Name=\"getAzureADLicenseUsage\"",
            "ContainsTarget=\"true\"",
            "Singleton Name=\"reports\"",
        ] {
            assert!(metadata.text.contains(needle), "$metadata lacks {needle}");
        }
        let list = server.get(&collection, &token).await;
        assert_eq!(
            list.json["value"].as_array().unwrap().len(),
            1,
            "{version} list"
        );
        assert!(list.json["@odata.context"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/{version}/$metadata#reports/azureADLicenseUsage")));
        let count = server.get(&format!("{collection}/$count"), &token).await;
        assert_eq!(count.text, "1");
        assert!(count
            .header("content-type")
            .unwrap()
            .starts_with("text/plain"));
        for key_form in [
            format!("{collection}/{id}"),
            format!("{collection}('{id}')"),
            format!("/{version}/Reports/AzureADLicenseUsage/{id}"),
        ] {
            let one = server.get(&key_form, &token).await;
            assert_eq!(one.json["id"], id.as_str(), "{key_form}");
        }
        for function in [
            "getAzureADLicenseUsage(period='D7')",
            "microsoft.graph.getAzureADLicenseUsage(period='D7')",
        ] {
            let reply = server
                .get(&format!("/{version}/reports/{function}"), &token)
                .await;
            assert_eq!(reply.status, StatusCode::OK, "{function}: {}", reply.text);
            assert!(reply.json["@odata.context"]
                .as_str()
                .unwrap()
                .ends_with("$metadata#Collection(microsoft.graph.azureADLicenseUsage)"));
        }
        let deleted = server.delete(&format!("{collection}/{id}"), &token).await;
        assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    }
}

#[tokio::test]
async fn every_response_carries_request_ids_and_odata_headers() {
    let server = TestServer::start();
    let token = server.token(Uuid::new_v4());
    let reply = server.get(COLLECTION, &token).await;
    let request_id = reply.header("request-id").unwrap();
    assert!(Uuid::parse_str(request_id).is_ok(), "{request_id}");
    assert_eq!(
        reply.header("client-request-id"),
        Some(request_id),
        "defaults to the request-id"
    );
    assert_eq!(reply.header("odata-version"), Some("4.0"));
    assert_eq!(
        reply.header("content-type"),
        Some("application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8")
    );

    let echoed = server
        .client
        .get(server.url(COLLECTION))
        .header("client-request-id", "my-id-42")
        .send()
        .await
        .unwrap();
    let echoed = Reply::from(echoed).await;
    assert_eq!(echoed.header("client-request-id"), Some("my-id-42"));
    echoed.assert_error(401, "InvalidAuthenticationToken");
    assert_eq!(
        echoed.json["error"]["innerError"]["client-request-id"],
        "my-id-42"
    );
    assert_ne!(
        reply.header("request-id"),
        echoed.header("request-id"),
        "a new request-id per request"
    );
    let keys: Vec<&String> = echoed.json["error"].as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), 3, "code, message, innerError: {keys:?}");
}

#[tokio::test]
async fn each_error_row_has_its_status_and_code() {
    let server = TestServer::start();
    let tenant = Uuid::new_v4();
    let token = server.token(tenant);
    let id = server
        .create(&token, &snapshot("2021-01-01T00:00:00Z"))
        .await;

    let message = server
        .get("/v1.0/reports/azureADLicenseUsageX", &token)
        .await
        .assert_error(400, "BadRequest")
        .to_owned();
    assert_eq!(
        message,
        "Resource not found for the segment 'azureADLicenseUsageX'."
    );
    let message = server
        .get("/v1.0/groups", &token)
        .await
        .assert_error(400, "BadRequest")
        .to_owned();
    assert_eq!(message, "Resource not found for the segment 'groups'.");
    for period in ["'D1'", "'X'", "D7", "''", ""] {
        let reply = server
            .get(
                &format!("/v1.0/reports/getAzureADLicenseUsage(period={period})"),
                &token,
            )
            .await;
        let message = reply.assert_error(400, "InvalidArgument");
        for allowed in ["D7", "D30", "D90", "D180"] {
            assert!(message.contains(allowed), "period={period}: {message}");
        }
    }
    server
        .get(COLLECTION, "not-a-token")
        .await
        .assert_error(401, "InvalidAuthenticationToken");
    let reader = server.mint(&app_token(tenant, &[READ_ALL]));
    server
        .post(COLLECTION, &reader, &snapshot("2021-01-01T00:00:00Z"))
        .await
        .assert_error(403, "Authorization_RequestDenied");
    server
        .get(&entity_path(&Uuid::new_v4().to_string()), &token)
        .await
        .assert_error(404, "Request_ResourceNotFound");
    server
        .get(&entity_path("not-a-guid"), &token)
        .await
        .assert_error(404, "Request_ResourceNotFound");
    for (method, path, allow) in [
        (Method::PUT, entity_path(&id), "GET, PATCH, DELETE"),
        (Method::POST, entity_path(&id), "GET, PATCH, DELETE"),
        (Method::DELETE, COLLECTION.to_owned(), "GET, POST"),
        (Method::PATCH, format!("{COLLECTION}/$count"), "GET"),
        (Method::POST, "/v1.0/$metadata".to_owned(), "GET"),
        (Method::GET, "/v1.0/$batch".to_owned(), "POST"),
    ] {
        let reply = server
            .send_text(
                method.clone(),
                &path,
                Some(&token),
                Some("application/json"),
                Some("{}".into()),
            )
            .await;
        reply.assert_error(405, "MethodNotAllowed");
        assert_eq!(reply.header("allow"), Some(allow), "{method} {path}");
    }
    let stale = server
        .client
        .patch(server.url(&entity_path(&id)))
        .bearer_auth(&token)
        .header("if-match", "W/\"999\"")
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    Reply::from(stale)
        .await
        .assert_error(412, "PreconditionFailed");
    let big = server
        .send_text(
            Method::POST,
            COLLECTION,
            Some(&token),
            Some("application/json"),
            Some(" ".repeat(1024 * 1024 + 1)),
        )
        .await;
    big.assert_error(413, "RequestEntityTooLarge");
    let xml = server
        .send_text(
            Method::POST,
            COLLECTION,
            Some(&token),
            Some("application/xml"),
            Some("<a/>".into()),
        )
        .await;
    xml.assert_error(415, "UnsupportedMediaType");
}

#[tokio::test]
async fn query_options_outside_the_contract_are_refused_and_others_ignored() {
    let server = TestServer::start();
    let token = server.token(Uuid::new_v4());
    let id = server
        .create(&token, &snapshot("2021-01-01T00:00:00Z"))
        .await;
    for option in [
        "$expand=x",
        "$search=x",
        "$apply=x",
        "$foo=1",
        "$top=1&$top=2",
        "$top=0",
        "$top=1000",
        "$top=-1",
        "$skip=x",
        "$count=yes",
        "$select=colour",
        "$orderby=licenseInfoDetails",
        "$orderby=id sideways",
    ] {
        let reply = server.get(&format!("{COLLECTION}?{option}"), &token).await;
        reply.assert_error(400, "BadRequest");
    }
    for option in ["$top=5", "$skip=2", "$count=true"] {
        let reply = server
            .get(&format!("{}?{option}", entity_path(&id)), &token)
            .await;
        reply.assert_error(400, "BadRequest");
    }
    let ignored = server
        .get(&format!("{COLLECTION}?api-version=1&foo=bar"), &token)
        .await;
    assert_eq!(ignored.status, StatusCode::OK);
}

/// When several things are wrong, the first of SPEC §10's list answers.
#[tokio::test]
async fn the_first_applicable_error_wins() {
    let server = TestServer::start();
    let tenant = Uuid::new_v4();
    let token = server.token(tenant);
    let reader = server.mint(&app_token(tenant, &[READ_ALL]));
    let id = server
        .create(&token, &snapshot("2021-01-01T00:00:00Z"))
        .await;
    let missing = entity_path(&Uuid::new_v4().to_string());
    let huge = Some(" ".repeat(2 * 1024 * 1024));
    let bad_body = Some("{\"colour\":1}".to_owned());

    // 413 before 401: an oversized body without a token.
    server
        .send_text(
            Method::POST,
            COLLECTION,
            None,
            Some("application/json"),
            huge.clone(),
        )
        .await
        .assert_error(413, "RequestEntityTooLarge");
    // 401 before the path's 400.
    server
        .send_text(Method::GET, "/v1.0/nowhere", None, None, None)
        .await
        .assert_error(401, "InvalidAuthenticationToken");
    // The path's 400 before 405.
    server
        .send_text(Method::PUT, "/v1.0/nowhere", Some(&token), None, None)
        .await
        .assert_error(400, "BadRequest");
    // 405 before the permission's 403.
    server
        .send_text(Method::PUT, COLLECTION, Some(&reader), None, None)
        .await
        .assert_error(405, "MethodNotAllowed");
    // 403 (permission) before 415.
    server
        .send_text(
            Method::POST,
            COLLECTION,
            Some(&reader),
            Some("text/plain"),
            bad_body.clone(),
        )
        .await
        .assert_error(403, "Authorization_RequestDenied");
    // 403 before 404: a reader cannot learn whether an object exists by trying to delete it.
    server
        .send_text(Method::DELETE, &missing, Some(&reader), None, None)
        .await
        .assert_error(403, "Authorization_RequestDenied");
    // 415 before the body's 400.
    server
        .send_text(
            Method::PATCH,
            &entity_path(&id),
            Some(&token),
            Some("text/plain"),
            bad_body.clone(),
        )
        .await
        .assert_error(415, "UnsupportedMediaType");
    // The body's 400 before 404.
    server
        .send_text(
            Method::PATCH,
            &missing,
            Some(&token),
            Some("application/json"),
            bad_body.clone(),
        )
        .await
        .assert_error(400, "BadRequest");
    // The query's 400 before 404.
    server
        .send_text(
            Method::GET,
            &format!("{missing}?$select=colour"),
            Some(&token),
            None,
            None,
        )
        .await
        .assert_error(400, "BadRequest");
    // 404 before 412.
    let reply = server
        .client
        .patch(server.url(&missing))
        .bearer_auth(&token)
        .header("if-match", "W/\"999\"")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    Reply::from(reply)
        .await
        .assert_error(404, "Request_ResourceNotFound");
}

#[tokio::test]
async fn paths_outside_the_api_get_graph_shaped_errors() {
    let server = TestServer::start();
    let reply = server
        .send_text(Method::GET, "/v2.0/reports", None, None, None)
        .await;
    assert!(reply.assert_error(400, "BadRequest").contains("v2.0"));
    let reply = server
        .send_text(Method::GET, "/nothing-here", None, None, None)
        .await;
    reply.assert_error(404, "Request_ResourceNotFound");
    let health = server
        .send_text(Method::GET, "/healthz", None, None, None)
        .await;
    assert_eq!(health.status, StatusCode::OK);
    let ready = server
        .send_text(Method::GET, "/readyz", None, None, None)
        .await;
    assert_eq!(ready.status, StatusCode::OK);
}

/// SPEC §3: a key predicate reads the object in either OData form (a quote inside is doubled);
/// one that is not valid OData syntax is a 400, not a 404, and a valid key that names nothing
/// is a 404.
#[tokio::test]
async fn key_predicates_follow_odata_syntax() {
    let server = TestServer::start();
    let token = server.token(Uuid::new_v4());
    let id = server
        .create(&token, &snapshot("2021-01-01T00:00:00Z"))
        .await;
    for form in [
        format!("('{id}')"),
        format!("(id='{id}')"),
        format!("(id = '{id}')"),
    ] {
        let read = server.get(&format!("{COLLECTION}{form}"), &token).await;
        assert_eq!(read.status, StatusCode::OK, "{form}: {}", read.text);
        assert_eq!(read.json["id"], id.as_str(), "{form}");
    }
    for malformed in [
        "('O'Neil')",
        "(id=wrong)",
        "(a=1;b='x')",
        "(name='x')",
        &format!("({id})"),
        "('unterminated)",
    ] {
        let reply = server
            .get(&format!("{COLLECTION}{malformed}"), &token)
            .await;
        let message = reply.assert_error(400, "BadRequest");
        assert!(message.contains("key predicate"), "{malformed}: {message}");
    }
    for missing in ["('O''Neil')", "(id='nothing')"] {
        server
            .get(&format!("{COLLECTION}{missing}"), &token)
            .await
            .assert_error(404, "Request_ResourceNotFound");
    }
}
