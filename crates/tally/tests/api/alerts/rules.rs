//! `/beta/reports/licenseAlertRules` and `tally alert add|list|remove` (SPEC §13.4): rules are
//! created, read, changed and removed as any described resource, under `/beta` only, with the
//! reports' permissions; what the command line adds, the API reads.

use reqwest::StatusCode;
use serde_json::json;
use uuid::Uuid;

use crate::directory::{create_sku, sku, Tenant};
use crate::import_export::{stderr, tally};
use crate::support::{app_token, TestServer};

const RULES: &str = "/beta/reports/licenseAlertRules";
const E5: &str = "06ebc4ee-1bb5-47dd-8120-11324bc54e06";

#[tokio::test]
async fn a_rule_is_created_read_changed_and_removed() {
    let server = TestServer::start();
    let tenant = Uuid::new_v4();
    let token = server.mint(&app_token(tenant, &["Reports.ReadWrite.All"]));
    let body = json!({ "kind": "lowFreeUnits", "skuId": E5, "threshold": 5 });
    let created = server.post(RULES, &token, &body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    assert_eq!(created.json["kind"], "lowFreeUnits");
    assert_eq!(created.json["skuId"], E5);
    assert_eq!(created.json["threshold"], 5);
    assert_eq!(created.json["days"], json!(null));
    assert!(created.json["createdDateTime"].is_string());
    let id = created.json["id"].as_str().unwrap().to_owned();
    let path = format!("{RULES}/{id}");

    let changed = server
        .patch(&path, &token, &json!({ "threshold": 2 }))
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.text);
    assert_eq!(changed.json["threshold"], 2);
    // What a rule watches is fixed when it is made.
    server
        .patch(&path, &token, &json!({ "kind": "overAssigned" }))
        .await
        .assert_error(400, "BadRequest");

    let listed = server
        .get(&format!("{RULES}?$filter=kind eq 'lowFreeUnits'"), &token)
        .await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.text);
    assert_eq!(listed.json["value"].as_array().unwrap().len(), 1);

    let deleted = server.delete(&path, &token).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    server
        .get(&path, &token)
        .await
        .assert_error(404, "Request_ResourceNotFound");
}

#[tokio::test]
async fn bad_rules_are_refused_and_rules_live_under_beta_with_the_reports_permissions() {
    let server = TestServer::start();
    let tenant = Uuid::new_v4();
    let writer = server.mint(&app_token(tenant, &["Reports.ReadWrite.All"]));
    for (body, property) in [
        (json!({ "kind": "lowStock" }), "kind"),
        (json!({ "threshold": 1 }), "kind"),
        (json!({ "kind": "renewalDue", "days": -1 }), "days"),
        (
            json!({ "kind": "lowFreeUnits", "threshold": -2 }),
            "threshold",
        ),
        (
            json!({ "kind": "lowFreeUnits", "skuId": "SPE_E5" }),
            "skuId",
        ),
        (
            json!({ "kind": "renewalDue", "createdDateTime": "2026-01-01T00:00:00Z" }),
            "createdDateTime",
        ),
    ] {
        let reply = server.post(RULES, &writer, &body).await;
        let message = reply.assert_error(400, "BadRequest");
        assert!(message.contains(property), "{body}: {message}");
    }
    server
        .post(
            "/v1.0/reports/licenseAlertRules",
            &writer,
            &json!({ "kind": "overAssigned" }),
        )
        .await
        .assert_error(400, "BadRequest");
    let reader = server.mint(&app_token(tenant, &["Reports.Read.All"]));
    server
        .post(RULES, &reader, &json!({ "kind": "overAssigned" }))
        .await
        .assert_error(403, "Authorization_RequestDenied");
    assert_eq!(server.get(RULES, &reader).await.status, StatusCode::OK);
    let skus_only = server.mint(&app_token(tenant, &["Directory.Read.All"]));
    server
        .get(RULES, &skus_only)
        .await
        .assert_error(403, "Authorization_RequestDenied");
}

#[tokio::test]
async fn rules_added_on_the_command_line_are_the_apis() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::builder().data_dir(dir.path()).shared().start();
    let tenant = Tenant::new(&server);
    create_sku(&server, &tenant, &sku(E5, "SPE_E5", 10, &[])).await;
    let id = tenant.id.to_string();

    let added = tally(
        dir.path(),
        &[
            "alert",
            "add",
            "--tenant",
            &id,
            "--kind",
            "lowFreeUnits",
            "--sku",
            "SPE_E5",
            "--threshold",
            "5",
        ],
    );
    assert!(added.status.success(), "{}", stderr(&added));
    let out = String::from_utf8(added.stdout).unwrap();
    let rule = out.trim().strip_prefix("id=").expect("id=<id>").to_owned();
    let added = tally(
        dir.path(),
        &[
            "alert",
            "add",
            "--tenant",
            &id,
            "--kind",
            "renewalDue",
            "--days",
            "14",
        ],
    );
    assert!(added.status.success(), "{}", stderr(&added));
    let refused = tally(
        dir.path(),
        &["alert", "add", "--tenant", &id, "--kind", "lowStock"],
    );
    assert!(!refused.status.success());
    assert!(stderr(&refused).contains("kind"), "{}", stderr(&refused));

    let token = server.mint(&app_token(tenant.id, &["Reports.Read.All"]));
    let read = server.get(&format!("{RULES}/{rule}"), &token).await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.text);
    assert_eq!(read.json["skuId"], E5);
    assert_eq!(read.json["threshold"], 5);

    let listed = tally(dir.path(), &["alert", "list", "--tenant", &id]);
    let text = String::from_utf8(listed.stdout).unwrap();
    assert_eq!(text.lines().count(), 3, "{text}");
    assert!(
        text.contains(&format!("{rule}\tlowFreeUnits\t{E5}\t5\t-\t")),
        "{text}"
    );

    let removed = tally(dir.path(), &["alert", "remove", &rule, "--tenant", &id]);
    assert!(removed.status.success(), "{}", stderr(&removed));
    let again = tally(dir.path(), &["alert", "remove", &rule, "--tenant", &id]);
    assert!(!again.status.success(), "a rule removed twice");
    server
        .get(&format!("{RULES}/{rule}"), &token)
        .await
        .assert_error(404, "Request_ResourceNotFound");
}
