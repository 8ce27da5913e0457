//! Tenant isolation (SPEC §9): another tenant's object is a 404, never a 403, and never shows in
//! a list, a count, the report function or a nextLink.
#![allow(clippy::unwrap_used)] // Helpers outside #[test] fns unwrap as freely as tests do.

use std::collections::BTreeSet;
use std::time::{SystemTime, UNIX_EPOCH};

use reqwest::{Method, StatusCode};
use serde_json::json;
use uuid::Uuid;

use crate::support::{
    delegated_token, entity_path, Reply, TestServer, COLLECTION, GLOBAL_ADMINISTRATOR,
    GLOBAL_READER, READ_ALL, READ_WRITE_ALL,
};

const REPORT: &str = "/v1.0/reports/getAzureADLicenseUsage(period='D180')";

/// Days since 1970-01-01 as a proleptic Gregorian (year, month, day) (Howard Hinnant's
/// `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// The RFC 3339 UTC text of the instant `seconds` seconds ago, to the second.
fn utc_ago(seconds: i64) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let instant = i64::try_from(now).unwrap() - seconds;
    let (year, month, day) = civil_from_days(instant.div_euclid(86_400));
    let time = instant.rem_euclid(86_400);
    let (hour, minute, second) = (time / 3600, time % 3600 / 60, time % 60);
    format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}Z")
}

const HOUR: i64 = 3600;
const DAY: i64 = 86_400;

/// A snapshot taken `seconds` ago, with one detail so that bodies are not trivial.
fn recent(seconds: i64, assigned: u32) -> serde_json::Value {
    json!({
        "snapshotDateTime": utc_ago(seconds),
        "licenseInfoDetails": [{
            "licenseType": "premiumP1",
            "totalLicenseCount": 100,
            "totalAssignedCount": assigned,
            "totalUsageCount": 7
        }]
    })
}

/// Sends with a bearer token and optional extra headers and JSON body, to a path or full URL.
async fn send(
    server: &TestServer,
    method: Method,
    target: &str,
    token: &str,
    headers: &[(&str, &str)],
    body: Option<&serde_json::Value>,
) -> Reply {
    let url = if target.starts_with("http") {
        target.to_owned()
    } else {
        server.url(target)
    };
    let mut request = server.client.request(method, url).bearer_auth(token);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    if let Some(body) = body {
        request = request
            .header("content-type", "application/json")
            .body(body.to_string());
    }
    Reply::from(request.send().await.unwrap()).await
}

fn ids(reply: &Reply, case: &str) -> BTreeSet<String> {
    assert_eq!(reply.status, StatusCode::OK, "{case}: {}", reply.text);
    let value = reply.json["value"]
        .as_array()
        .unwrap_or_else(|| panic!("{case}: no value in {}", reply.text));
    value
        .iter()
        .map(|item| item["id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn the_date_helper_matches_known_days() {
    assert_eq!(civil_from_days(0), (1970, 1, 1));
    assert_eq!(civil_from_days(19_723), (2024, 1, 1));
    assert_eq!(civil_from_days(19_782), (2024, 2, 29));
    assert_eq!(civil_from_days(-1), (1969, 12, 31));
    assert_eq!(utc_ago(0).len(), "2024-01-01T00:00:00Z".len());
}

#[tokio::test]
async fn another_tenants_object_is_a_404_for_every_method_and_stays_intact() {
    let server = TestServer::start();
    let (tenant_a, tenant_b) = (Uuid::new_v4(), Uuid::new_v4());
    let a = server.token(tenant_a);
    let id = server.create(&a, &recent(HOUR, 42)).await;
    let path = entity_path(&id);
    let before = server.get(&path, &a).await;
    assert_eq!(before.status, StatusCode::OK, "{}", before.text);
    let etag = before.header("etag").unwrap().to_owned();

    // What B is told about an id that exists nowhere: A's id must get the same answer.
    let b_app = server.token(tenant_b);
    let never = Uuid::new_v4().to_string();
    let unknown = server.get(&entity_path(&never), &b_app).await;
    let unknown_message = unknown
        .assert_error(404, "Request_ResourceNotFound")
        .replace(&never, "{id}");

    let b_user = server.mint(&delegated_token(
        tenant_b,
        &[READ_WRITE_ALL],
        &[GLOBAL_ADMINISTRATOR],
    ));
    let patch = json!({ "licenseInfoDetails": [] });
    let beta = path.replacen("/v1.0/", "/beta/", 1);
    let (etag, select) = (etag.as_str(), format!("{path}?$select=id"));
    let (paren, upper) = (
        format!("{COLLECTION}('{id}')"),
        entity_path(&id.to_uppercase()),
    );
    // (method, target, a header, a body): with A's ETag, no 304 and no 412 either.
    let attempts = [
        (Method::GET, &path, None, None),
        (Method::GET, &beta, None, None),
        (Method::GET, &path, Some(("if-none-match", etag)), None),
        (Method::GET, &select, None, None),
        (Method::GET, &paren, None, None),
        (Method::GET, &upper, None, None),
        (Method::PATCH, &path, None, Some(&patch)),
        (Method::PATCH, &path, Some(("if-match", etag)), Some(&patch)),
        (Method::PATCH, &beta, Some(("if-match", "*")), Some(&patch)),
        (
            Method::PATCH,
            &paren,
            Some(("if-none-match", "*")),
            Some(&patch),
        ),
        (Method::DELETE, &path, None, None),
        (Method::DELETE, &beta, Some(("if-match", etag)), None),
        (Method::DELETE, &upper, None, None),
    ];
    for (caller, token) in [("B's app", &b_app), ("B's Global Administrator", &b_user)] {
        for (method, target, header, body) in &attempts {
            let case = format!("{caller}: {method} {target} {header:?} of A's object");
            let reply = send(
                &server,
                method.clone(),
                target,
                token,
                header.as_slice(),
                *body,
            )
            .await;
            assert_eq!(reply.status.as_u16(), 404, "{case}: {}", reply.text);
            let code = &reply.json["error"]["code"];
            assert_eq!(code, "Request_ResourceNotFound", "{case}: {}", reply.text);
            let message = reply.assert_error(404, "Request_ResourceNotFound");
            let message = message
                .replace(&id, "{id}")
                .replace(&id.to_uppercase(), "{id}");
            assert_eq!(
                message, unknown_message,
                "{case}: unlike an unknown id's message"
            );
            assert!(
                !reply.text.contains("premiumP1"),
                "{case}: leaked {}",
                reply.text
            );
        }
    }

    // Nor can B find it by filtering on its id.
    let filter = format!("{COLLECTION}?$count=true&$filter=id eq '{id}'");
    for (caller, token, expected) in [("B", &b_app, json!([])), ("A", &a, json!([id]))] {
        let reply = server.get(&filter, token).await;
        let found: Vec<_> = ids(&reply, &format!("{caller}: GET {filter}"))
            .into_iter()
            .collect();
        assert_eq!(
            json!(found),
            expected,
            "{caller}: GET {filter}: {}",
            reply.text
        );
        let count = expected.as_array().unwrap().len();
        assert_eq!(
            reply.json["@odata.count"],
            json!(count),
            "{caller}: {}",
            reply.text
        );
    }

    // A's object is untouched: same bytes, same ETag.
    let after = server.get(&path, &a).await;
    assert_eq!(after.status, StatusCode::OK, "{}", after.text);
    assert_eq!(after.text, before.text, "A's object changed");
    assert_eq!(after.header("etag"), Some(etag));
}

#[tokio::test]
async fn lists_counts_and_the_report_show_only_the_callers_own_objects() {
    let server = TestServer::start();
    let (tenant_a, tenant_b, tenant_c) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
    let (a, b, c) = (
        server.token(tenant_a),
        server.token(tenant_b),
        server.token(tenant_c),
    );
    let mut own_a = BTreeSet::new();
    for (ago, assigned) in [(HOUR, 1), (DAY, 2), (3 * DAY, 3)] {
        own_a.insert(server.create(&a, &recent(ago, assigned)).await);
    }
    let mut own_b = BTreeSet::new();
    for (ago, assigned) in [(2 * HOUR, 4), (2 * DAY, 5)] {
        own_b.insert(server.create(&b, &recent(ago, assigned)).await);
    }
    // The tenant is the token's tid, not the app: A's users see what A's app wrote.
    let a_user = server.mint(&delegated_token(tenant_a, &[READ_ALL], &[GLOBAL_READER]));
    let callers = [
        ("A's app", &a, &own_a),
        ("A's Global Reader", &a_user, &own_a),
        ("B's app", &b, &own_b),
        ("C's app (no objects)", &c, &BTreeSet::new()),
    ];
    for (caller, token, own) in callers {
        let n = own.len();
        for list in [
            COLLECTION.to_owned(),
            format!("{COLLECTION}?$count=true"),
            format!("{COLLECTION}?$count=true&$top=100&$orderby=snapshotDateTime desc"),
            "/beta/reports/azureADLicenseUsage?$count=true".to_owned(),
            REPORT.to_owned(),
            format!("{REPORT}?$count=true"),
        ] {
            let case = format!("{caller}: GET {list}");
            let reply = server.get(&list, token).await;
            assert_eq!(&ids(&reply, &case), own, "{case}: {}", reply.text);
            if list.contains("$count=true") {
                assert_eq!(
                    reply.json["@odata.count"],
                    json!(n),
                    "{case}: {}",
                    reply.text
                );
            }
        }
        for count in [
            format!("{COLLECTION}/$count"),
            "/beta/reports/azureADLicenseUsage/$count".to_owned(),
            format!("{REPORT}/$count"),
        ] {
            let reply = server.get(&count, token).await;
            assert_eq!(
                reply.status,
                StatusCode::OK,
                "{caller}: GET {count}: {}",
                reply.text
            );
            assert_eq!(reply.text.trim(), n.to_string(), "{caller}: GET {count}");
        }
    }
}

#[tokio::test]
async fn a_next_link_is_bound_to_the_tenant_that_got_it() {
    let server = TestServer::start();
    let (tenant_a, tenant_b, tenant_c) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
    let (a, b, c) = (
        server.token(tenant_a),
        server.token(tenant_b),
        server.token(tenant_c),
    );
    let mut own_a = BTreeSet::new();
    for (ago, assigned) in [(HOUR, 1), (DAY, 2), (3 * DAY, 3)] {
        own_a.insert(server.create(&a, &recent(ago, assigned)).await);
    }
    let mut own_b = BTreeSet::new();
    for (ago, assigned) in [(2 * HOUR, 4), (2 * DAY, 5)] {
        own_b.insert(server.create(&b, &recent(ago, assigned)).await);
    }
    let b_user = server.mint(&delegated_token(
        tenant_b,
        &[READ_WRITE_ALL],
        &[GLOBAL_ADMINISTRATOR],
    ));
    for first in [
        format!("{COLLECTION}?$top=1"),
        format!("{COLLECTION}?$top=1&$count=true&$orderby=snapshotDateTime desc"),
        format!("{REPORT}?$top=1"),
    ] {
        let page = server.get(&first, &a).await;
        let first_ids = ids(&page, &format!("A: GET {first}"));
        let next = page.json["@odata.nextLink"]
            .as_str()
            .unwrap_or_else(|| panic!("A: GET {first}: no nextLink in {}", page.text))
            .to_owned();
        for (caller, token) in [
            ("B's app", &b),
            ("B's Global Administrator", &b_user),
            ("C's app", &c),
        ] {
            let case = format!("{caller} following A's nextLink {next}");
            let reply = send(&server, Method::GET, &next, token, &[], None).await;
            assert_eq!(reply.status.as_u16(), 400, "{case}: {}", reply.text);
            assert_eq!(
                reply.json["error"]["code"], "BadRequest",
                "{case}: {}",
                reply.text
            );
            reply.assert_error(400, "BadRequest");
            for id in &own_a {
                assert!(
                    !reply.text.contains(id.as_str()),
                    "{case}: A's id {id} leaked"
                );
            }
        }
        // Nor inside B's batch, as an item's absolute URL.
        let batch = json!({ "requests": [{ "id": "1", "method": "GET", "url": next }] });
        let reply = server.post("/v1.0/$batch", &b, &batch).await;
        let case = format!("B's $batch following A's nextLink {next}");
        assert_eq!(
            reply.json["responses"][0]["status"], 400,
            "{case}: {}",
            reply.text
        );
        assert!(
            own_a.iter().all(|id| !reply.text.contains(id.as_str())),
            "{case}: {}",
            reply.text
        );

        // The link still works for A, and goes on where the first page stopped.
        let reply = send(&server, Method::GET, &next, &a, &[], None).await;
        let second = ids(&reply, &format!("A following its own nextLink {next}"));
        assert_eq!(second.len(), 1, "{}", reply.text);
        assert!(second.is_disjoint(&first_ids), "{}", reply.text);
        assert!(second.is_subset(&own_a), "{}", reply.text);

        // And B's own paging shows B's objects only.
        let page = server.get(&first, &b).await;
        let mut seen = ids(&page, &format!("B: GET {first}"));
        let next = page.json["@odata.nextLink"].as_str().unwrap().to_owned();
        let reply = send(&server, Method::GET, &next, &b, &[], None).await;
        seen.extend(ids(&reply, &format!("B following its own nextLink {next}")));
        assert_eq!(seen, own_b, "B's pages");
        assert!(
            reply.json.get("@odata.nextLink").is_none(),
            "{}",
            reply.text
        );
    }
}
