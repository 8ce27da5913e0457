//! SPEC §5 through HTTP: `$filter` on the collection and the report function, composed with the
//! other options, and malformed expressions answered with their position.

use chrono::{Duration, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::support::{self, urlencode, Reply, TestServer, COLLECTION};

fn detail(member: &str, total: Value, used: Value) -> Value {
    json!({ "licenseType": member, "totalLicenseCount": total, "totalAssignedCount": total, "totalUsageCount": used })
}

/// Four snapshots: two recent with premiumP2, one with a null usage count, one with no details.
async fn seed(server: &TestServer, token: &str) -> Vec<String> {
    let recent = |days: i64| {
        (Utc::now() - Duration::days(days)).to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
    };
    let bodies = [
        json!({ "snapshotDateTime": recent(1), "licenseInfoDetails": [detail("premiumP2", json!(50), json!(40)), detail("free", json!(5), json!(1))] }),
        json!({ "snapshotDateTime": recent(2), "licenseInfoDetails": [detail("premiumP2", json!(50), json!(5))] }),
        json!({ "snapshotDateTime": recent(3), "licenseInfoDetails": [detail("basic", json!(10), json!(null))] }),
        json!({ "snapshotDateTime": "2020-01-01T00:00:00+03:00", "licenseInfoDetails": [] }),
    ];
    let mut ids = Vec::new();
    for body in bodies {
        ids.push(server.create(token, &body).await);
    }
    ids
}

fn ids(reply: &Reply) -> Vec<String> {
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    support::ids(reply)
}

#[tokio::test]
async fn filters_select_what_the_odata_rules_say() {
    let server = TestServer::start();
    let token = server.token(Uuid::new_v4());
    let all = seed(&server, &token).await;
    let (one, two, three, old) = (&all[0], &all[1], &all[2], &all[3]);
    let cases: Vec<(&str, Vec<&String>)> = vec![
        ("licenseInfoDetails/any(d: d/licenseType eq 'premiumP2' and d/totalUsageCount gt 10)", vec![one]),
        ("licenseInfoDetails/any(d: d/licenseType eq microsoft.graph.azureADLicenseType'premiumP2')", vec![two, one]),
        ("licenseInfoDetails/any()", vec![three, two, one]),
        ("not licenseInfoDetails/any()", vec![old]),
        ("licenseInfoDetails/all(d: d/totalUsageCount gt 3)", vec![old, two]),
        ("licenseInfoDetails/all(d: not (d/totalUsageCount gt 5))", vec![old, three, two]),
        ("licenseInfoDetails/any(d: d/totalUsageCount eq null)", vec![three]),
        ("licenseInfoDetails/$count eq 2", vec![one]),
        ("snapshotDateTime lt 2020-01-01T00:00:00Z", vec![old]),
        ("snapshotDateTime eq 2019-12-31T21:00:00Z", vec![old]),
        (&*Box::leak(format!("id eq '{one}' or id in ('{three}', 'nothing')").into_boxed_str()), vec![three, one]),
        ("licenseInfoDetails/any(d: d/licenseType in ('basic', 'free'))", vec![three, one]),
        ("null eq null", vec![old, three, two, one]),
        ("false", vec![]),
    ];
    for (filter, expected) in cases {
        let reply = server
            .get(
                &format!("{COLLECTION}?$filter={}", urlencode(filter)),
                &token,
            )
            .await;
        let expected: Vec<String> = expected.into_iter().cloned().collect();
        assert_eq!(ids(&reply), expected, "$filter={filter}");
        let count = server
            .get(
                &format!("{COLLECTION}/$count?$filter={}", urlencode(filter)),
                &token,
            )
            .await;
        assert_eq!(
            count.text,
            expected.len().to_string(),
            "/$count?$filter={filter}"
        );
    }
}

#[tokio::test]
async fn the_report_function_composes_with_every_option() {
    let server = TestServer::start();
    let token = server.token(Uuid::new_v4());
    let all = seed(&server, &token).await;
    let filter = urlencode("licenseInfoDetails/any(d: d/licenseType eq 'premiumP2')");
    let path = format!("/v1.0/reports/getAzureADLicenseUsage(period='D7')?$filter={filter}&$select=id&$orderby=snapshotDateTime desc&$count=true&$top=1");
    let first = server.get(&path, &token).await;
    assert_eq!(first.json["@odata.count"], 2);
    assert_eq!(
        ids(&first),
        vec![all[0].clone()],
        "newest first with $orderby desc"
    );
    assert_eq!(
        first.json["value"][0].get("snapshotDateTime"),
        None,
        "$select applies"
    );
    let next = first.json["@odata.nextLink"].as_str().unwrap();
    let second = Reply::from(
        server
            .client
            .get(next)
            .bearer_auth(&token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(ids(&second), vec![all[1].clone()]);
    assert!(second.json.get("@odata.nextLink").is_none());
}

#[tokio::test]
async fn malformed_expressions_are_400s_that_give_the_position() {
    let server = TestServer::start();
    let token = server.token(Uuid::new_v4());
    let cases = [
        ("$filter", "snapshotDateTime gt", 20),
        ("$filter", "snapshotDateTime gtt 2020-01-01T00:00:00Z", 18),
        ("$filter", "id eq 'unterminated", 7),
        ("$filter", "(id eq 'a'", 11),
        ("$filter", "id eq 'a')", 10),
        ("$filter", "snapshotDateTime eq 5", 21),
        ("$filter", "colour eq 'red'", 1),
        (
            "$filter",
            "snapshotDateTime gt 2016-12-31T23:56:55.06318981Z",
            21,
        ),
        (
            "$filter",
            "licenseInfoDetails/any(d: d/licenseType eq 'String')",
            44,
        ),
        (
            "$filter",
            "licenseInfoDetails/any(d: d/licenseType gt 'free')",
            27,
        ),
        ("$filter", "d/totalUsageCount gt 1", 1),
        ("$orderby", "snapshotDateTime sideways", 18),
        ("$orderby", "licenseInfoDetails", 1),
        ("$select", "id,,snapshotDateTime", 4),
    ];
    for (option, value, position) in cases {
        let reply = server
            .get(
                &format!("{COLLECTION}?{option}={}", urlencode(value)),
                &token,
            )
            .await;
        let message = reply.assert_error(400, "BadRequest");
        assert!(
            message.contains(&format!("position {position} ")),
            "{option}={value}: {message}"
        );
        assert!(message.contains(option), "{option}={value}: {message}");
    }
}

/// The report's licenseType filter and its window follow a PATCH of the details and of the
/// snapshot time (both are part of how the embedded store files a row).
#[tokio::test]
async fn the_license_type_filter_and_the_window_follow_a_patch() {
    let server = TestServer::start();
    let token = server.token(Uuid::new_v4());
    let yesterday =
        (Utc::now() - Duration::days(1)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let id = server
        .create(
            &token,
            &json!({ "snapshotDateTime": yesterday, "licenseInfoDetails": [detail("free", json!(1), json!(1))] }),
        )
        .await;
    let selected = |member: &str| {
        let filter = urlencode(&format!(
            "licenseInfoDetails/any(d: d/licenseType eq '{member}')"
        ));
        format!("/v1.0/reports/getAzureADLicenseUsage(period='D7')?$filter={filter}")
    };
    assert_eq!(
        ids(&server.get(&selected("free"), &token).await),
        vec![id.clone()]
    );
    assert!(ids(&server.get(&selected("premiumP2"), &token).await).is_empty());

    let object = support::entity_path(&id);
    let patched = server
        .patch(
            &object,
            &token,
            &json!({ "licenseInfoDetails": [detail("premiumP2", json!(2), json!(2)), detail("basic", json!(3), json!(3))] }),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.text);
    assert!(ids(&server.get(&selected("free"), &token).await).is_empty());
    assert_eq!(
        ids(&server.get(&selected("premiumP2"), &token).await),
        vec![id.clone()]
    );
    assert_eq!(
        ids(&server.get(&selected("basic"), &token).await),
        vec![id.clone()]
    );

    let patched = server
        .patch(&object, &token, &support::snapshot("2020-01-01T00:00:00Z"))
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.text);
    assert!(ids(&server.get(&selected("premiumP2"), &token).await).is_empty());
    let fetched = server.get(&object, &token).await;
    assert_eq!(fetched.json["snapshotDateTime"], "2020-01-01T00:00:00Z");
    assert_eq!(
        fetched.json["licenseInfoDetails"][0]["licenseType"],
        "premiumP2"
    );
}
