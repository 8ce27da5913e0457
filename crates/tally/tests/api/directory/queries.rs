//! `$filter`, `$count`, `$orderby`, `$select` and paging on `/users`, as SPEC §12.2 lists them.

use std::collections::HashSet;

use reqwest::StatusCode;
use serde_json::json;

use super::{add, create_sku, sku, Tenant, E5, P2};
use crate::support::{urlencode, TestServer};

/// Eight users: names, types, locations, sign-ins and licenses vary so each filter picks some.
async fn directory(server: &TestServer, tenant: &Tenant) {
    create_sku(server, tenant, &sku(E5, "SPE_E5", 10, &[])).await;
    create_sku(server, tenant, &sku(P2, "AAD_PREMIUM_P2", 10, &[])).await;
    let people = [
        (
            "Adele",
            "Member",
            true,
            "US",
            Some("2026-11-20T10:00:00Z"),
            vec![E5],
        ),
        (
            "alex",
            "Member",
            true,
            "US",
            Some("2026-06-01T00:00:00+02:00"),
            vec![E5, P2],
        ),
        ("Bianca", "Guest", false, "DE", None, vec![]),
        (
            "Boris",
            "Member",
            true,
            "DE",
            Some("2026-11-25T00:00:00Z"),
            vec![P2],
        ),
        (
            "Chen",
            "Member",
            false,
            "CN",
            Some("2025-01-01T00:00:00Z"),
            vec![E5],
        ),
        ("Dana", "Guest", true, "US", None, vec![]),
        (
            "Eve",
            "Member",
            true,
            "GB",
            Some("2026-11-30T23:59:59Z"),
            vec![E5],
        ),
        ("Zoë", "Member", true, "FR", None, vec![E5]),
    ];
    for (name, kind, enabled, location, signed_in, licenses) in people {
        // A userPrincipalName is ASCII, as Entra requires: Zoë signs in as zoe.
        let alias: String = name.to_lowercase().replace('ë', "e");
        let body = json!({
            "displayName": name,
            "userPrincipalName": format!("{alias}@contoso.example"),
            "userType": kind,
            "accountEnabled": enabled,
            "usageLocation": location,
            "signInActivity": { "lastSignInDateTime": signed_in },
        });
        let created = server.post("/v1.0/users", &tenant.token, &body).await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
        let id = created.json["id"].as_str().unwrap();
        for license in licenses {
            let reply = server
                .post(
                    &format!("/v1.0/users/{id}/assignLicense"),
                    &tenant.token,
                    &add(license),
                )
                .await;
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
        }
    }
}

/// The displayNames a filter selects, sorted.
async fn names(server: &TestServer, tenant: &Tenant, filter: &str) -> Vec<String> {
    let path = format!(
        "/v1.0/users?$select=displayName&$filter={}",
        urlencode(filter)
    );
    let reply = server.get(&path, &tenant.token).await;
    assert_eq!(reply.status, StatusCode::OK, "{filter}: {}", reply.text);
    let mut names: Vec<String> = reply.json["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|user| user["displayName"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn filters_select_the_users_spec_lists() {
    let server = TestServer::start();
    let tenant = Tenant::new(&server);
    directory(&server, &tenant).await;
    let cases: [(&str, &[&str]); 12] = [
        (&format!("assignedLicenses/any(x:x/skuId eq {E5})"), &["Adele", "Chen", "Eve", "Zoë", "alex"]),
        (&format!("assignedLicenses/any(x:x/skuId eq '{P2}')"), &["Boris", "alex"]),
        ("assignedLicenses/any()", &["Adele", "Boris", "Chen", "Eve", "Zoë", "alex"]),
        ("assignedLicenses/$count eq 0", &["Bianca", "Dana"]),
        ("startswith(displayName,'a')", &["Adele", "alex"]),
        ("startswith(userPrincipalName, 'B')", &["Bianca", "Boris"]),
        ("accountEnabled eq false", &["Bianca", "Chen"]),
        ("userType eq 'Guest'", &["Bianca", "Dana"]),
        ("usageLocation in ('DE', 'GB')", &["Bianca", "Boris", "Eve"]),
        ("signInActivity/lastSignInDateTime ge 2026-11-20T10:00:00Z", &["Adele", "Boris", "Eve"]),
        ("signInActivity/lastSignInDateTime eq null", &["Bianca", "Dana", "Zoë"]),
        (
            &format!("assignedLicenses/any(x:x/skuId eq {E5}) and not (userType eq 'Guest') and signInActivity/lastSignInDateTime lt 2026-06-01T00:00:00Z"),
            &["Chen", "alex"],
        ),
    ];
    for (filter, expected) in cases {
        assert_eq!(names(&server, &tenant, filter).await, expected, "{filter}");
    }
    assert_eq!(
        names(&server, &tenant, "displayName eq 'Zoë'").await,
        ["Zoë"]
    );
    for refused in [
        "mobilePhone eq '1'",
        "assignedPlans/any()",
        "startswith(displayName)",
        "endswith(displayName,'a')",
        "accountEnabled eq 'yes'",
        "assignedLicenses/any(x:x/skuId eq 'not-a-guid')",
    ] {
        let path = format!("/v1.0/users?$filter={}", urlencode(refused));
        let reply = server.get(&path, &tenant.token).await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{refused}: {}",
            reply.text
        );
    }
}

#[tokio::test]
async fn ordered_pages_cover_every_user_once_with_a_count() {
    let server = TestServer::start();
    let tenant = Tenant::new(&server);
    directory(&server, &tenant).await;
    let first = format!(
        "/v1.0/users?$orderby=displayName desc&$top=3&$count=true&$select=displayName&$filter={}",
        urlencode("accountEnabled eq true")
    );
    let response = server
        .client
        .get(server.url(&first))
        .bearer_auth(&tenant.token)
        .header("ConsistencyLevel", "eventual")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let mut page: serde_json::Value = response.json().await.unwrap();
    assert_eq!(page["@odata.count"], 6);
    let mut seen = Vec::new();
    loop {
        for user in page["value"].as_array().unwrap() {
            seen.push(user["displayName"].as_str().unwrap().to_owned());
        }
        let Some(next) = page["@odata.nextLink"].as_str() else {
            break;
        };
        page = server.follow(next, &tenant.token).await.json;
    }
    assert_eq!(seen, ["alex", "Zoë", "Eve", "Dana", "Boris", "Adele"]);
    let unique: HashSet<&String> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len());

    let by_id = server.get("/v1.0/users?$top=5", &tenant.token).await;
    let mut ids: Vec<String> = crate::support::ids(&by_id);
    let next = by_id.json["@odata.nextLink"].as_str().unwrap().to_owned();
    ids.extend(crate::support::ids(
        &server.follow(&next, &tenant.token).await,
    ));
    assert_eq!(ids.len(), 8);
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted, "without $orderby, users come by id");

    let count = server.get("/v1.0/users/$count", &tenant.token).await;
    assert_eq!(count.text, "8");
    let two_keys = server
        .get(
            "/v1.0/users?$orderby=displayName,userPrincipalName",
            &tenant.token,
        )
        .await;
    two_keys.assert_error(400, "Request_BadRequest");
    let unsortable = server
        .get("/v1.0/users?$orderby=jobTitle", &tenant.token)
        .await;
    assert_eq!(unsortable.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_sku_holders_pages_follow_each_other_in_id_order() {
    let server = TestServer::start();
    let tenant = Tenant::new(&server);
    directory(&server, &tenant).await;
    let filter = urlencode(&format!(
        "assignedLicenses/any(x:x/skuId eq {E5}) and accountEnabled eq true"
    ));
    let whole = server
        .get(&format!("/v1.0/users?$filter={filter}"), &tenant.token)
        .await;
    let expected = crate::support::ids(&whole);
    assert_eq!(expected.len(), 4, "{}", whole.text);
    let mut page = server
        .get(
            &format!("/v1.0/users?$top=2&$count=true&$filter={filter}"),
            &tenant.token,
        )
        .await;
    assert_eq!(page.json["@odata.count"], 4);
    let mut seen = crate::support::ids(&page);
    while let Some(next) = page.json["@odata.nextLink"].as_str().map(str::to_owned) {
        page = server.follow(&next, &tenant.token).await;
        seen.extend(crate::support::ids(&page));
    }
    let mut sorted = expected.clone();
    sorted.sort();
    assert_eq!(seen, sorted);
    assert_eq!(expected, sorted);
}

#[tokio::test]
async fn ordered_by_display_name_a_user_without_one_comes_first_and_desc_mirrors_it() {
    let server = TestServer::start();
    let tenant = Tenant::new(&server);
    let mut named = Vec::new();
    for (upn, name) in [
        ("b@contoso.example", json!("b")),
        ("empty@contoso.example", json!("")),
        ("none1@contoso.example", json!(null)),
        ("a@contoso.example", json!("a")),
        ("none2@contoso.example", json!(null)),
    ] {
        let body = json!({ "userPrincipalName": upn, "displayName": name });
        let reply = server.post("/v1.0/users", &tenant.token, &body).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
        named.push((reply.json["id"].as_str().unwrap().to_owned(), upn));
    }
    let mut nameless: Vec<&String> = named
        .iter()
        .filter(|(_, upn)| upn.starts_with("none"))
        .map(|(id, _)| id)
        .collect();
    nameless.sort();
    // One user a page, so every keyset step crosses a null or the empty name.
    let walk = |order: &'static str| {
        let server = &server;
        let tenant = &tenant;
        async move {
            let mut page = server
                .get(
                    &format!("/v1.0/users?$orderby=displayName{order}&$top=1&$select=userPrincipalName,displayName"),
                    &tenant.token,
                )
                .await;
            let mut seen = Vec::new();
            loop {
                for user in page.json["value"].as_array().unwrap() {
                    seen.push((
                        user["id"].as_str().unwrap().to_owned(),
                        user["displayName"].clone(),
                    ));
                }
                match page.json["@odata.nextLink"].as_str() {
                    Some(next) => page = server.follow(next, &tenant.token).await,
                    None => break seen,
                }
            }
        }
    };
    let ascending = walk("").await;
    let names: Vec<&serde_json::Value> = ascending.iter().map(|(_, name)| name).collect();
    assert_eq!(
        names,
        [
            &json!(null),
            &json!(null),
            &json!(""),
            &json!("a"),
            &json!("b")
        ],
        "nulls first, then the empty name"
    );
    let null_ids: Vec<&String> = ascending[..2].iter().map(|(id, _)| id).collect();
    assert_eq!(null_ids, nameless, "ties by id");
    let mut descending = walk(" desc").await;
    descending.reverse();
    assert_eq!(descending, ascending, "desc is the mirror image");
}
