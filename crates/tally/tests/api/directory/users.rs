//! `/users`: create, read by id or userPrincipalName, Graph's default properties per version,
//! PATCH 204, DELETE, uniqueness, validation, signInActivity's permission, directory roles.

use reqwest::StatusCode;
use serde_json::json;
use uuid::Uuid;

use super::{create_user, Tenant};
use crate::support::{app_token, delegated_token, TestServer, GLOBAL_READER};

const USER_ADMINISTRATOR: &str = "fe930be7-5e62-47db-91af-98c3a49a38b1";

#[tokio::test]
async fn a_user_reads_back_with_graphs_default_properties_per_version() {
    let server = TestServer::start();
    let tenant = Tenant::new(&server);
    let body = json!({
        "@odata.type": "#microsoft.graph.user",
        "displayName": "Adele Vance",
        "userPrincipalName": "AdeleV@contoso.example",
        "mailNickname": "AdeleV",
        "accountEnabled": true,
        "usageLocation": "us",
        "userType": "Member",
        "passwordProfile": { "forceChangePasswordNextSignIn": true, "password": "xWwvJ]6NMw+bWH-d" },
    });
    let created = server.post("/v1.0/users", &tenant.token, &body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let id = created.json["id"].as_str().unwrap().to_owned();
    assert_eq!(
        created.header("location"),
        Some(server.url(&format!("/v1.0/users/{id}")).as_str())
    );
    let mut object = created.json.as_object().unwrap().clone();
    assert!(object
        .remove("@odata.context")
        .unwrap()
        .as_str()
        .unwrap()
        .ends_with("/v1.0/$metadata#users/$entity"));
    assert_eq!(
        serde_json::Value::Object(object),
        json!({
            "id": id,
            "businessPhones": [],
            "displayName": "Adele Vance",
            "givenName": null,
            "jobTitle": null,
            "mail": null,
            "mobilePhone": null,
            "officeLocation": null,
            "preferredLanguage": null,
            "surname": null,
            "userPrincipalName": "AdeleV@contoso.example",
        })
    );
    assert!(!created.text.contains("password"), "{}", created.text);

    // By id and by userPrincipalName in any case; beta carries every property but signInActivity.
    for path in [
        format!("/beta/users/{id}"),
        "/beta/users/adelev@CONTOSO.example".to_owned(),
    ] {
        let read = server.get(&path, &tenant.token).await;
        assert_eq!(read.status, StatusCode::OK, "{path}: {}", read.text);
        assert_eq!(read.json["id"], id.as_str());
        assert_eq!(read.json["usageLocation"], "US");
        assert_eq!(read.json["accountEnabled"], true);
        assert_eq!(read.json["userType"], "Member");
        assert_eq!(read.json["mailNickname"], "AdeleV");
        assert_eq!(read.json["assignedLicenses"], json!([]));
        assert_eq!(read.json["assignedPlans"], json!([]));
        assert_eq!(read.json["licenseAssignmentStates"], json!([]));
        assert!(read.json.get("signInActivity").is_none(), "{}", read.text);
    }
    let selected = server
        .get(
            &format!("/v1.0/users/{id}?$select=usageLocation,accountEnabled"),
            &tenant.token,
        )
        .await;
    let mut object = selected.json.as_object().unwrap().clone();
    assert!(object
        .remove("@odata.context")
        .unwrap()
        .as_str()
        .unwrap()
        .ends_with("#users(usageLocation,accountEnabled)/$entity"));
    assert_eq!(
        serde_json::Value::Object(object),
        json!({ "id": id, "usageLocation": "US", "accountEnabled": true })
    );
}

#[tokio::test]
async fn patch_answers_204_and_delete_removes_the_user() {
    let server = TestServer::start();
    let tenant = Tenant::new(&server);
    let id = create_user(&server, &tenant, "Ann").await;
    let path = format!("/v1.0/users/{id}");
    let patched = server
        .patch(
            &path,
            &tenant.token,
            &json!({ "jobTitle": "Auditor", "accountEnabled": false, "usageLocation": "DE" }),
        )
        .await;
    assert_eq!(patched.status, StatusCode::NO_CONTENT, "{}", patched.text);
    assert!(patched.text.is_empty());
    let read = server
        .get(
            &format!("{path}?$select=jobTitle,accountEnabled,usageLocation"),
            &tenant.token,
        )
        .await;
    assert_eq!(read.json["jobTitle"], "Auditor");
    assert_eq!(read.json["accountEnabled"], false);
    assert_eq!(read.json["usageLocation"], "DE");
    assert_eq!(
        server.delete(&path, &tenant.token).await.status,
        StatusCode::NO_CONTENT
    );
    server
        .get(&path, &tenant.token)
        .await
        .assert_error(404, "Request_ResourceNotFound");
    server
        .delete(&path, &tenant.token)
        .await
        .assert_error(404, "Request_ResourceNotFound");
}

#[tokio::test]
async fn user_principal_names_are_unique_in_a_tenant_regardless_of_case() {
    let server = TestServer::start();
    let (tenant, other) = (Tenant::new(&server), Tenant::new(&server));
    let first = create_user(&server, &tenant, "Ann").await;
    let second = create_user(&server, &tenant, "Ben").await;
    let taken = server
        .post(
            "/v1.0/users",
            &tenant.token,
            &json!({ "userPrincipalName": "ANN@contoso.example" }),
        )
        .await;
    let message = taken.assert_error(400, "Request_BadRequest");
    assert!(
        message.contains("userPrincipalName already exists"),
        "{message}"
    );
    let renamed = server
        .patch(
            &format!("/v1.0/users/{second}"),
            &tenant.token,
            &json!({ "userPrincipalName": "ann@Contoso.example" }),
        )
        .await;
    renamed.assert_error(400, "Request_BadRequest");
    // The user may change the case of their own name, and another tenant may use it.
    let own = server
        .patch(
            &format!("/v1.0/users/{first}"),
            &tenant.token,
            &json!({ "userPrincipalName": "Ann@Contoso.example" }),
        )
        .await;
    assert_eq!(own.status, StatusCode::NO_CONTENT, "{}", own.text);
    create_user(&server, &other, "Ann").await;
    server
        .get(&format!("/v1.0/users/{first}"), &other.token)
        .await
        .assert_error(404, "Request_ResourceNotFound");
}

#[tokio::test]
async fn bad_bodies_are_400s_that_name_the_property() {
    let server = TestServer::start();
    let tenant = Tenant::new(&server);
    let id = create_user(&server, &tenant, "Ann").await;
    for (body, named) in [
        (json!({ "displayName": "No name" }), "userPrincipalName"),
        (
            json!({ "userPrincipalName": "no-at-sign" }),
            "userPrincipalName",
        ),
        (
            json!({ "userPrincipalName": "a@b.example", "usageLocation": "USA" }),
            "usageLocation",
        ),
        (
            json!({ "userPrincipalName": "a@b.example", "userType": "Robot" }),
            "userType",
        ),
        (
            json!({ "userPrincipalName": "a@b.example", "accountEnabled": "yes" }),
            "accountEnabled",
        ),
        (
            json!({ "userPrincipalName": "a@b.example", "assignedLicenses": [] }),
            "assignedLicenses",
        ),
        (
            json!({ "userPrincipalName": "a@b.example", "favouriteColour": "blue" }),
            "favouriteColour",
        ),
        (
            json!({ "userPrincipalName": "a@b.example", "signInActivity": { "lastSignInDateTime": "yesterday" } }),
            "lastSignInDateTime",
        ),
        (
            json!({ "userPrincipalName": "a@b.example", "@odata.type": "#microsoft.graph.group" }),
            "microsoft.graph.group",
        ),
    ] {
        let reply = server.post("/v1.0/users", &tenant.token, &body).await;
        let message = reply.assert_error(400, "Request_BadRequest");
        assert!(message.contains(named), "{body}: {message}");
    }
    let patch = server
        .patch(
            &format!("/v1.0/users/{id}"),
            &tenant.token,
            &json!({ "id": Uuid::new_v4() }),
        )
        .await;
    patch.assert_error(400, "Request_BadRequest");
    let listed = server.get("/v1.0/users/$count", &tenant.token).await;
    assert_eq!(listed.text, "1", "a refused write stores nothing");
}

#[tokio::test]
async fn sign_in_activity_is_read_only_when_selected_and_with_audit_log_permission() {
    let server = TestServer::start();
    let tenant = Tenant::new(&server);
    let body = json!({
        "userPrincipalName": "ann@contoso.example",
        "signInActivity": { "lastSignInDateTime": "2026-10-01T08:00:00Z" },
    });
    let created = server.post("/v1.0/users", &tenant.token, &body).await;
    let id = created.json["id"].as_str().unwrap().to_owned();
    let selected = server
        .get(
            &format!("/v1.0/users/{id}?$select=signInActivity"),
            &tenant.token,
        )
        .await;
    assert_eq!(
        selected.json["signInActivity"]["lastSignInDateTime"],
        "2026-10-01T08:00:00Z"
    );
    let without_audit = server.mint(&app_token(tenant.id, &["User.Read.All"]));
    assert_eq!(
        server
            .get(&format!("/v1.0/users/{id}"), &without_audit)
            .await
            .status,
        StatusCode::OK
    );
    for path in [
        format!("/v1.0/users/{id}?$select=signInActivity"),
        "/v1.0/users?$filter=signInActivity/lastSignInDateTime le 2026-11-01T00:00:00Z".to_owned(),
    ] {
        server
            .get(&path, &without_audit)
            .await
            .assert_error(403, "Authorization_RequestDenied");
    }
}

#[tokio::test]
async fn delegated_callers_need_a_directory_role_to_write_but_not_to_read() {
    let server = TestServer::start();
    let tenant = Uuid::new_v4();
    let body = json!({ "userPrincipalName": "ann@contoso.example" });
    let reader = server.mint(&delegated_token(tenant, &["User.Read.All"], &[]));
    assert_eq!(
        server.get("/v1.0/users", &reader).await.status,
        StatusCode::OK
    );
    let no_role = server.mint(&delegated_token(
        tenant,
        &["User.ReadWrite.All"],
        &[GLOBAL_READER],
    ));
    server
        .post("/v1.0/users", &no_role, &body)
        .await
        .assert_error(403, "Authorization_RequestDenied");
    let admin = server.mint(&delegated_token(
        tenant,
        &["User.ReadWrite.All"],
        &[USER_ADMINISTRATOR],
    ));
    assert_eq!(
        server.post("/v1.0/users", &admin, &body).await.status,
        StatusCode::CREATED
    );
    let reports = server.mint(&app_token(tenant, &["Reports.ReadWrite.All"]));
    server
        .get("/v1.0/users", &reports)
        .await
        .assert_error(403, "Authorization_RequestDenied");
}
