//! `GET /beta/reports/licenseReclaim` (tally's): per license type, the holders who have not
//! signed in within 30 days, by SPEC §12.3's rules, paged in id order, with a count of users
//! and units.

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::typed::{BASIC, BASIC_PLAN, E5, P1, P1_PLAN, P2_PLAN};
use super::{create_sku, days, sku, user_holding, Tenant};
use crate::support::{app_token, TestServer};

const RECLAIM: &str = "/beta/reports/licenseReclaim";

/// Creates a user who signed in `interactive` / `other` days from now, with these licenses
/// (`(sku, disabled plans)`); answers its id.
async fn holder(
    server: &TestServer,
    tenant: &Tenant,
    name: &str,
    interactive: Option<i64>,
    other: Option<i64>,
    licenses: &[(&str, &[&str])],
) -> String {
    let body = json!({
        "userPrincipalName": format!("{name}@contoso.example"),
        "displayName": name,
        "usageLocation": "US",
        "accountEnabled": true,
        "userType": "Member",
        "signInActivity": {
            "lastSignInDateTime": interactive.map(days),
            "lastNonInteractiveSignInDateTime": other.map(days),
        },
    });
    user_holding(server, tenant, &body, licenses).await
}

fn sorted(mut ids: Vec<String>) -> Vec<String> {
    ids.sort_unstable();
    ids
}

fn listed(reply: &Value) -> Vec<String> {
    reply["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn the_list_holds_each_types_inactive_holders_in_id_order_with_their_units() {
    let server = TestServer::start();
    let tenant = Tenant::new(&server);
    create_sku(
        &server,
        &tenant,
        &sku(E5, "SPE_E5", 10, &[P2_PLAN, P1_PLAN]),
    )
    .await;
    create_sku(&server, &tenant, &sku(P1, "AAD_PREMIUM", 10, &[P1_PLAN])).await;
    create_sku(
        &server,
        &tenant,
        &sku(BASIC, "AAD_BASIC", 10, &[BASIC_PLAN]),
    )
    .await;
    // premiumP2, last seen 40 days ago: listed.
    let ann = holder(&server, &tenant, "ann", Some(-40), None, &[(E5, &[])]).await;
    // premiumP2, seen yesterday: not.
    holder(&server, &tenant, "bob", Some(-1), None, &[(E5, &[])]).await;
    // E5 less P2 is premiumP1; never signed in: listed under premiumP1, not premiumP2.
    let cat = holder(&server, &tenant, "cat", None, None, &[(E5, &[P2_PLAN])]).await;
    // The later, non-interactive sign-in 2 days ago makes them active.
    holder(
        &server,
        &tenant,
        "dan",
        Some(-40),
        Some(-2),
        &[(E5, &[]), (BASIC, &[])],
    )
    .await;
    // A sign-in dated after now does not count: listed.
    let eve = holder(&server, &tenant, "eve", Some(2), None, &[(P1, &[])]).await;
    // basic, 31 days ago: listed.
    let fay = holder(&server, &tenant, "fay", Some(-31), None, &[(BASIC, &[])]).await;
    // premiumP2 with two licenses, never signed in: listed, two units.
    let gil = holder(
        &server,
        &tenant,
        "gil",
        None,
        None,
        &[(E5, &[]), (BASIC, &[])],
    )
    .await;
    // No license at all: on no list.
    holder(&server, &tenant, "hal", None, None, &[]).await;

    let reply = server
        .get(
            &format!("{RECLAIM}?licenseType=premiumP2&$count=true"),
            &tenant.token,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(listed(&reply.json), sorted(vec![ann.clone(), gil.clone()]));
    assert_eq!(reply.json["@odata.count"], 2);
    assert_eq!(reply.json["@tally.unitCount"], 3);
    let gil_row = reply.json["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["id"] == gil.as_str())
        .unwrap();
    assert_eq!(gil_row["userPrincipalName"], "gil@contoso.example");
    assert_eq!(gil_row["lastSignInDateTime"], Value::Null);
    let parts: Vec<&str> = gil_row["licenses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|license| license["skuPartNumber"].as_str().unwrap())
        .collect();
    assert_eq!(
        sorted(parts.iter().map(|p| p.to_string()).collect()),
        ["AAD_BASIC", "SPE_E5"]
    );

    let reply = server
        .get(
            &format!("{RECLAIM}?licenseType=premiumP1&$count=true"),
            &tenant.token,
        )
        .await;
    assert_eq!(listed(&reply.json), sorted(vec![cat, eve]));
    assert_eq!(reply.json["@odata.count"], 2);
    assert_eq!(reply.json["@tally.unitCount"], 2);
    let reply = server
        .get(&format!("{RECLAIM}?licenseType=basic"), &tenant.token)
        .await;
    assert_eq!(listed(&reply.json), [fay]);
    assert!(reply.json.get("@odata.count").is_none());

    // Paged one by one in id order; the last page has no nextLink.
    let first = server
        .get(
            &format!("{RECLAIM}?licenseType=premiumP2&$top=1"),
            &tenant.token,
        )
        .await;
    assert_eq!(
        listed(&first.json),
        [sorted(vec![ann.clone(), gil.clone()])[0].clone()]
    );
    let next = first.json["@odata.nextLink"].as_str().unwrap();
    let second = server.follow(next, &tenant.token).await;
    assert_eq!(second.status, StatusCode::OK, "{}", second.text);
    assert_eq!(listed(&second.json), [sorted(vec![ann, gil])[1].clone()]);
    assert!(second.json.get("@odata.nextLink").is_none());
    // A token from another list is refused.
    let elsewhere = next.replace("premiumP2", "premiumP1");
    server
        .get(
            &elsewhere[elsewhere.find("/beta").unwrap()..],
            &tenant.token,
        )
        .await
        .assert_error(400, "BadRequest");
}

#[tokio::test]
async fn the_list_needs_a_type_sign_in_permission_and_beta() {
    let server = TestServer::start();
    let tenant = Tenant::new(&server);
    server
        .get(RECLAIM, &tenant.token)
        .await
        .assert_error(400, "BadRequest");
    server
        .get(&format!("{RECLAIM}?licenseType=free"), &tenant.token)
        .await
        .assert_error(400, "BadRequest");
    server
        .get(
            &format!("{RECLAIM}?licenseType=basic&$filter=id eq 'x'"),
            &tenant.token,
        )
        .await
        .assert_error(400, "BadRequest");
    let reply = server
        .get(&format!("{RECLAIM}?licenseType=basic"), &tenant.token)
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(reply.json["value"], json!([]));
    server
        .get(
            "/v1.0/reports/licenseReclaim?licenseType=basic",
            &tenant.token,
        )
        .await
        .assert_error(400, "BadRequest");
    let no_sign_ins = server.mint(&app_token(tenant.id, &["Directory.Read.All"]));
    server
        .get(&format!("{RECLAIM}?licenseType=basic"), &no_sign_ins)
        .await
        .assert_error(403, "Authorization_RequestDenied");
}
