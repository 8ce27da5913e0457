//! SPEC §12.3: `GET /beta/reports/azureADPremiumLicenseInsight`, counted by hand on a small
//! tenant, and still exact after each kind of write that changes an input (the server keeps
//! the counted inputs between reads).

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::typed::{BASIC, BASIC_PLAN, E5, P1, P1_PLAN, P2_PLAN};
use super::{create_sku, days, sku, Tenant};
use crate::support::{app_token, delegated_token, TestServer};

const INSIGHT: &str = "/beta/reports/azureADPremiumLicenseInsight";
const RECORDS: &str = "/beta/reports/azureADUserFeatureUsage";
const SECURITY_READER: &str = "5d6b6bb7-de71-4623-b4af-96380a352509";

/// A token that may write the directory and the reports.
fn writer(server: &TestServer, tenant: &Tenant) -> String {
    server.mint(&app_token(
        tenant.id,
        &["Directory.ReadWrite.All", "Reports.ReadWrite.All"],
    ))
}

async fn record(
    server: &TestServer,
    token: &str,
    user: &str,
    updated: i64,
    uses: &[(&str, i64)],
) -> String {
    let details: Vec<Value> = uses
        .iter()
        .map(|(feature, used)| json!({ "featureName": feature, "lastUsedDateTime": days(*used) }))
        .collect();
    let body = json!({
        "userId": user,
        "lastUpdatedDateTime": days(updated),
        "featureUsageDetails": details,
    });
    let reply = server.post(RECORDS, token, &body).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    reply.json["id"].as_str().unwrap().to_owned()
}

async fn user(server: &TestServer, token: &str, name: &str, kind: &str) -> String {
    let body = json!({ "userPrincipalName": format!("{name}@contoso.example"), "userType": kind });
    let reply = server.post("/v1.0/users", token, &body).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    reply.json["id"].as_str().unwrap().to_owned()
}

/// The seven user counts, in Graph's order of the properties.
async fn counts(server: &TestServer, token: &str) -> [i64; 7] {
    let reply = server.get(INSIGHT, token).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let json = &reply.json;
    let count = |group: &str, feature: &str| json[group][feature]["userCount"].as_i64().unwrap();
    [
        count("p1FeatureUtilizations", "conditionalAccess"),
        count("p1FeatureUtilizations", "conditionalAccessGuestUsers"),
        count("p2FeatureUtilizations", "riskBasedConditionalAccess"),
        count(
            "p2FeatureUtilizations",
            "riskBasedConditionalAccessGuestUsers",
        ),
        count("internetAccessFeatureUtilizations", "internetAccess"),
        count("internetAccessFeatureUtilizations", "internetAccessM365"),
        count("privateAccessFeatureUtilizations", "privateAccess"),
    ]
}

/// E5 (P2, 10 + 2 warning units), a P1 SKU (5) and a Basic one (3); a member and a guest in
/// `/users`, and two userIds without an entry; each feature record states one rule.
async fn counted_tenant(server: &TestServer, tenant: &Tenant, token: &str) -> (String, String) {
    let mut e5 = sku(E5, "SPE_E5", 10, &[P2_PLAN, P1_PLAN]);
    e5["prepaidUnits"]["warning"] = json!(2);
    create_sku(server, tenant, &e5).await;
    create_sku(server, tenant, &sku(P1, "AAD_PREMIUM", 5, &[P1_PLAN])).await;
    create_sku(server, tenant, &sku(BASIC, "AAD_BASIC", 3, &[BASIC_PLAN])).await;
    let member = user(server, token, "mia", "Member").await;
    let guest = user(server, token, "gus", "Guest").await;
    // Only the latest record counts: the older one's recent risk-based use does not.
    record(
        server,
        token,
        &member,
        -20,
        &[("riskBasedConditionalAccess", -1)],
    )
    .await;
    // Conditional access 10 days ago counts; risk-based 40 days ago does not; internet 1 day.
    record(
        server,
        token,
        &member,
        -2,
        &[
            ("conditionalAccess", -10),
            ("riskBasedConditionalAccess", -40),
            ("internetAccess", -1),
        ],
    )
    .await;
    // A guest counts among the guests, for both conditional-access features.
    record(
        server,
        token,
        &guest,
        -1,
        &[
            ("conditionalAccess", -2),
            ("riskBasedConditionalAccess", -5),
        ],
    )
    .await;
    // No `/users` entry: a member. Names match in any case; a use after now does not count.
    record(
        server,
        token,
        "ad5c2a6b-0000-4000-8000-000000000001",
        -1,
        &[
            ("CONDITIONALACCESS", -29),
            ("privateAccess", -3),
            ("internetAccessM365", 1),
        ],
    )
    .await;
    // Its latest record's only use is 31 days old: nothing.
    record(
        server,
        token,
        "someone-else",
        -30,
        &[("riskBasedConditionalAccess", -1)],
    )
    .await;
    record(server, token, "someone-else", -3, &[("privateAccess", -31)]).await;
    (member, guest)
}

#[tokio::test]
async fn the_insight_counts_by_the_rules_and_stays_exact_after_writes() {
    let server = TestServer::start();
    let tenant = Tenant::new(&server);
    let token = writer(&server, &tenant);
    let (_member, guest) = counted_tenant(&server, &tenant, &token).await;

    let reply = server.get(INSIGHT, &token).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(reply.json["id"], tenant.id.to_string());
    assert_eq!(reply.json["entitledP1LicenseCount"], 5);
    assert_eq!(reply.json["entitledP2LicenseCount"], 12);
    assert_eq!(reply.json["entitledTotalLicenseCount"], 17);
    assert!(reply.json["@odata.context"]
        .as_str()
        .unwrap()
        .ends_with("/beta/$metadata#reports/azureADPremiumLicenseInsight/$entity"));
    assert_eq!(counts(&server, &token).await, [2, 1, 0, 1, 1, 0, 1]);

    // The guest becomes a member: both conditional-access counts move over.
    let path = format!("/v1.0/users/{guest}");
    let reply = server
        .patch(&path, &token, &json!({ "userType": "Member" }))
        .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "{}", reply.text);
    assert_eq!(counts(&server, &token).await, [3, 0, 1, 0, 1, 0, 1]);

    // A newer record without uses replaces the unlisted user's: its three uses go.
    let newer = record(
        &server,
        &token,
        "ad5c2a6b-0000-4000-8000-000000000001",
        0,
        &[],
    )
    .await;
    assert_eq!(counts(&server, &token).await, [2, 0, 1, 0, 1, 0, 0]);
    // Deleted, the record before it is the latest again.
    let reply = server.delete(&format!("{RECORDS}/{newer}"), &token).await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "{}", reply.text);
    assert_eq!(counts(&server, &token).await, [3, 0, 1, 0, 1, 0, 1]);

    // New units on the P1 SKU are entitled at once.
    let reply = server
        .patch(
            &format!("/v1.0/subscribedSkus/{}", tenant.sku_key(P1)),
            &token,
            &json!({ "prepaidUnits": { "enabled": 7, "suspended": 0, "warning": 0, "lockedOut": 0 } }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "{}", reply.text);
    let reply = server.get(INSIGHT, &token).await;
    assert_eq!(reply.json["entitledP1LicenseCount"], 7);
    assert_eq!(reply.json["entitledTotalLicenseCount"], 19);

    // Deleting the guest-turned-member's /users entry leaves them a member (no entry).
    let reply = server.delete(&path, &token).await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "{}", reply.text);
    assert_eq!(counts(&server, &token).await, [3, 0, 1, 0, 1, 0, 1]);
}

#[tokio::test]
async fn select_missing_license_beta_only_and_permissions() {
    let server = TestServer::start();
    let tenant = Tenant::new(&server);
    let token = writer(&server, &tenant);

    // No SKU at all, then only Basic: 403 missingLicense.
    server
        .get(INSIGHT, &token)
        .await
        .assert_error(403, "missingLicense");
    create_sku(&server, &tenant, &sku(BASIC, "AAD_BASIC", 3, &[BASIC_PLAN])).await;
    server
        .get(INSIGHT, &token)
        .await
        .assert_error(403, "missingLicense");
    // A P1 SKU with no units yet is a license type the tenant has: 200, entitled 0.
    create_sku(&server, &tenant, &sku(P1, "AAD_PREMIUM", 0, &[P1_PLAN])).await;
    let reply = server.get(INSIGHT, &token).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(reply.json["entitledP1LicenseCount"], 0);

    let selected = server
        .get(
            &format!("{INSIGHT}?$select=entitledP1LicenseCount,p1FeatureUtilizations"),
            &token,
        )
        .await;
    assert_eq!(selected.status, StatusCode::OK, "{}", selected.text);
    let mut names: Vec<&str> = selected
        .json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "@odata.context",
            "entitledP1LicenseCount",
            "id",
            "p1FeatureUtilizations"
        ]
    );
    assert!(selected.json["@odata.context"]
        .as_str()
        .unwrap()
        .ends_with("#reports/azureADPremiumLicenseInsight(entitledP1LicenseCount,p1FeatureUtilizations)/$entity"));
    server
        .get(&format!("{INSIGHT}?$select=nope"), &token)
        .await
        .assert_error(400, "BadRequest");
    server
        .get(&format!("{INSIGHT}?$top=1"), &token)
        .await
        .assert_error(400, "BadRequest");

    // Graph has it on beta only.
    server
        .get("/v1.0/reports/azureADPremiumLicenseInsight", &token)
        .await
        .assert_error(400, "BadRequest");
    // Reports.Read.All is needed; a user also needs one of the listed roles.
    let directory_only = server.mint(&app_token(tenant.id, &["Directory.Read.All"]));
    server
        .get(INSIGHT, &directory_only)
        .await
        .assert_error(403, "Authorization_RequestDenied");
    let security_reader = server.mint(&delegated_token(
        tenant.id,
        &["Reports.Read.All"],
        &[SECURITY_READER],
    ));
    assert_eq!(
        server.get(INSIGHT, &security_reader).await.status,
        StatusCode::OK
    );
    let no_role = server.mint(&delegated_token(tenant.id, &["Reports.Read.All"], &[]));
    server
        .get(INSIGHT, &no_role)
        .await
        .assert_error(403, "Authorization_RequestDenied");
    // A write method is not allowed.
    let reply = server.patch(INSIGHT, &token, &json!({})).await;
    assert_eq!(
        reply.status,
        StatusCode::METHOD_NOT_ALLOWED,
        "{}",
        reply.text
    );
}
