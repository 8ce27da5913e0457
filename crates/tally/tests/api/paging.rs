//! SPEC §5 paging as far as this version goes: `$top` as the page size, `$skip`, `$count`,
//! `$orderby`, `$select`, and nextLinks whose opaque `$skiptoken` visits every object once.

use std::collections::HashSet;

use reqwest::StatusCode;
use serde_json::Value;
use uuid::Uuid;

use crate::support::{self, entity_path, snapshot, Reply, TestServer, COLLECTION};

/// Follows nextLinks from `first` to the end; answers every page.
async fn walk(server: &TestServer, token: &str, first: &str) -> Vec<Reply> {
    let mut pages = vec![server.get(first, token).await];
    while let Some(next) = pages.last().unwrap().json["@odata.nextLink"].as_str() {
        assert!(
            next.starts_with(&server.base),
            "nextLinks are absolute: {next}"
        );
        let reply = server.follow(next, token).await;
        pages.push(reply);
        assert!(pages.len() < 100, "the walk does not end");
    }
    pages
}

/// The ids of every page, in order.
fn ids(pages: &[Reply]) -> Vec<String> {
    pages.iter().flat_map(support::ids).collect()
}

async fn seed(server: &TestServer, token: &str, count: usize) -> Vec<String> {
    let mut created = Vec::new();
    for index in 0..count {
        // Several objects share an instant (spelled differently) so that ties are exercised.
        let text = match index % 3 {
            0 => format!("2021-01-{:02}T00:00:00Z", index / 3 + 1),
            1 => format!("2021-01-{:02}T02:00:00+02:00", index / 3 + 1),
            _ => format!("2021-01-{:02}T12:00:00.5Z", index / 3 + 1),
        };
        created.push(server.create(token, &snapshot(&text)).await);
    }
    created
}

#[tokio::test]
async fn next_links_visit_every_object_once_in_order() {
    let server = TestServer::start();
    let token = server.token(Uuid::new_v4());
    let created: HashSet<String> = seed(&server, &token, 25).await.into_iter().collect();

    let pages = walk(
        &server,
        &token,
        &format!("{COLLECTION}?$top=10&$count=true"),
    )
    .await;
    assert_eq!(pages.len(), 3);
    assert!(
        pages.iter().all(|page| page.json["@odata.count"] == 25),
        "the count is the whole result's, on every page"
    );
    let seen = ids(&pages);
    assert_eq!(seen.len(), 25);
    assert_eq!(
        seen.iter().cloned().collect::<HashSet<_>>(),
        created,
        "each object exactly once"
    );
    let instants: Vec<(i64, String)> = pages
        .iter()
        .flat_map(|page| page.json["value"].as_array().unwrap().clone())
        .map(|item| {
            let time =
                chrono::DateTime::parse_from_rfc3339(item["snapshotDateTime"].as_str().unwrap())
                    .unwrap();
            (
                time.timestamp_nanos_opt().unwrap(),
                item["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let mut sorted = instants.clone();
    sorted.sort();
    assert_eq!(instants, sorted, "oldest first, ties by id");

    let default_pages = walk(&server, &token, COLLECTION).await;
    assert_eq!(default_pages.len(), 1, "the default page holds 100");
}

#[tokio::test]
async fn orderby_skip_and_select_shape_the_result() {
    let server = TestServer::start();
    let token = server.token(Uuid::new_v4());
    seed(&server, &token, 12).await;

    let descending = ids(&walk(
        &server,
        &token,
        &format!("{COLLECTION}?$orderby=snapshotDateTime desc&$top=5"),
    )
    .await);
    let ascending = ids(&walk(
        &server,
        &token,
        &format!("{COLLECTION}?$orderby=snapshotDateTime asc&$top=5"),
    )
    .await);
    assert_eq!(descending.len(), 12);
    let mut by_id = ids(&walk(&server, &token, &format!("{COLLECTION}?$orderby=id&$top=4")).await);
    let mut expected = by_id.clone();
    expected.sort();
    assert_eq!(by_id, expected, "$orderby=id");
    by_id.reverse();
    assert_eq!(
        ids(&walk(
            &server,
            &token,
            &format!("{COLLECTION}?$orderby=id desc&$top=7")
        )
        .await),
        by_id
    );
    assert_ne!(descending, ascending);

    let skipped = ids(&walk(&server, &token, &format!("{COLLECTION}?$skip=5&$top=3")).await);
    assert_eq!(
        skipped,
        ascending[5..].to_vec(),
        "$skip applies once, then paging continues"
    );

    let selected = server
        .get(&format!("{COLLECTION}?$select=snapshotDateTime"), &token)
        .await;
    let first = &selected.json["value"][0];
    assert!(first["id"].is_string(), "id is always returned");
    assert!(first["snapshotDateTime"].is_string());
    assert_eq!(first.get("licenseInfoDetails"), None);
    assert!(selected.json["@odata.context"]
        .as_str()
        .unwrap()
        .ends_with("#reports/azureADLicenseUsage(snapshotDateTime)"));

    let one = server
        .get(
            &format!("{}?$select=licenseInfoDetails", entity_path(&ascending[0])),
            &token,
        )
        .await;
    assert_eq!(one.json["id"], ascending[0].as_str());
    assert_eq!(one.json.get("snapshotDateTime"), None);
    assert_eq!(one.json["licenseInfoDetails"], Value::Array(vec![]));
}

#[tokio::test]
async fn a_tampered_or_misused_skiptoken_is_a_400() {
    let server = TestServer::start();
    let token = server.token(Uuid::new_v4());
    seed(&server, &token, 4).await;
    let first = server.get(&format!("{COLLECTION}?$top=2"), &token).await;
    let next = first.json["@odata.nextLink"].as_str().unwrap().to_owned();
    let skiptoken = next.split("$skiptoken=").nth(1).unwrap().to_owned();

    let mut tampered = skiptoken.clone().into_bytes();
    tampered[5] = if tampered[5] == b'x' { b'y' } else { b'x' };
    let tampered = String::from_utf8(tampered).unwrap();
    for bad in [tampered.as_str(), "abc", "", "a.b"] {
        let reply = server
            .get(&format!("{COLLECTION}?$top=2&$skiptoken={bad}"), &token)
            .await;
        assert!(
            reply.assert_error(400, "BadRequest").contains("$skiptoken"),
            "{bad}"
        );
    }
    // The same token with another order belongs to another query.
    let reply = server
        .get(
            &format!("{COLLECTION}?$top=2&$orderby=id&$skiptoken={skiptoken}"),
            &token,
        )
        .await;
    reply.assert_error(400, "BadRequest");
    // On the report function, a collection token is meaningless too.
    let reply = server
        .get(
            &format!("/v1.0/reports/getAzureADLicenseUsage(period='D7')?$skiptoken={skiptoken}"),
            &token,
        )
        .await;
    reply.assert_error(400, "BadRequest");
}

#[tokio::test]
async fn a_walk_sees_every_stable_object_once_while_others_come_and_go() {
    let server = TestServer::start();
    let token = server.token(Uuid::new_v4());
    let stable: HashSet<String> = seed(&server, &token, 30).await.into_iter().collect();
    let mut transient = seed(&server, &token, 12).await;

    for orderby in ["", "&$orderby=snapshotDateTime desc", "&$orderby=id"] {
        let mut seen: Vec<String> = Vec::new();
        let mut next = Some(server.url(&format!("{COLLECTION}?$top=4{orderby}")));
        let mut round = 0;
        while let Some(link) = next {
            let page = server.follow(&link, &token).await;
            seen.extend(support::ids(&page));
            next = page.json["@odata.nextLink"].as_str().map(str::to_owned);
            // Between pages: two new objects (one early, one late in every order) and a deletion.
            round += 1;
            let early = format!("2020-12-{:02}T00:00:00Z", round % 28 + 1);
            let late = format!("2021-03-{:02}T00:00:00Z", round % 28 + 1);
            transient.push(server.create(&token, &snapshot(&early)).await);
            transient.push(server.create(&token, &snapshot(&late)).await);
            let gone = transient.remove(round * 7 % transient.len());
            assert_eq!(
                server.delete(&entity_path(&gone), &token).await.status,
                StatusCode::NO_CONTENT
            );
        }
        let unique: HashSet<&String> = seen.iter().collect();
        assert_eq!(unique.len(), seen.len(), "no object twice ({orderby})");
        let missing: Vec<&String> = stable.iter().filter(|id| !unique.contains(id)).collect();
        assert!(
            missing.is_empty(),
            "stable objects missed ({orderby}): {missing:?}"
        );
    }
}
