//! `tally collect` of `/directory/subscriptions` (SPEC §13.2): the source tally serves the
//! tenant's SKUs and users through a proxy that answers the subscriptions itself, as Graph
//! would (over pages, with numbers that need not add up to the SKUs' units, one of a SKU the
//! tenant no longer lists). They are stored as Graph reported them, and the SKUs keep Graph's
//! prepaidUnits; a 403 on them is collected past, dropping the stored ones; each collect
//! replaces the last; an unusable one fails the run, naming it.

use std::path::Path;

use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::collect::{collect, export, proxy, stdout, Source};
use crate::directory::{AAD_PREMIUM, E5, P2};
use crate::import_export::stderr;
use crate::support::{app_token, TestServer};

/// A SKU that was the tenant's: Graph still lists its subscription.
const GONE: &str = "3d0a5f4e-0000-4000-8000-00000000dead";

/// A subscription as Graph sends it, every property set (a null one too).
fn subscription(n: u128, sku_id: &str, part_number: &str, status: &str, total: i64) -> Value {
    json!({
        "id": Uuid::from_u128(0x5ab5_c000 + n).to_string(),
        "commerceSubscriptionId": format!("e0c7a1b2-0000-4000-8000-{n:012}"),
        "createdDateTime": format!("2025-0{n}-15T08:30:00Z"),
        "isTrial": n == 3,
        "nextLifecycleDateTime": if n == 4 { Value::Null } else { json!("2027-01-31T00:00:00Z") },
        "ownerId": Uuid::from_u128(0x0ce0 + n).to_string(),
        "ownerTenantId": Uuid::from_u128(0x7e0 + n).to_string(),
        "ownerType": "Company",
        "serviceStatus": [{
            "servicePlanId": AAD_PREMIUM,
            "servicePlanName": "AAD_PREMIUM",
            "provisioningStatus": if status == "Expired" { "Disabled" } else { "Success" },
            "appliesTo": "User",
        }],
        "skuId": sku_id,
        "skuPartNumber": part_number,
        "status": status,
        "totalLicenses": total,
    })
}

/// Graph's four: E5's add up to 20 enabled and 4 in warning (Graph's E5 says 30 enabled and
/// none in warning), P2's is expired, and one is of a SKU no longer listed.
fn four() -> Vec<Value> {
    vec![
        subscription(1, E5, "SPE_E5", "Enabled", 20),
        subscription(2, E5, "SPE_E5", "Warning", 4),
        subscription(3, P2, "AAD_PREMIUM_P2", "Expired", 10),
        subscription(4, GONE, "OLD_SKU", "Suspended", 5),
    ]
}

/// What the proxy answers for `/directory/subscriptions`.
#[derive(Clone)]
enum Subscriptions {
    /// These pages, each with a nextLink to the next.
    Pages(Vec<Vec<Value>>),
    /// Graph's 403 to an app without the permission.
    Forbidden,
}

/// A Graph: the source's SKUs and users, and `subscriptions` as said.
async fn graph(source: &Source, subscriptions: Subscriptions) -> String {
    proxy(source.base(), move |_, path| {
        let query = path.strip_prefix("/v1.0/directory/subscriptions")?;
        let pages = match &subscriptions {
            Subscriptions::Forbidden => {
                return Some((
                    403,
                    r#"{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges to complete the operation."}}"#.to_owned(),
                ))
            }
            Subscriptions::Pages(pages) => pages,
        };
        let index: usize = query
            .strip_prefix("?$skiptoken=")
            .map_or(0, |n| n.parse().unwrap());
        let mut page = json!({
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#directory/subscriptions",
            "value": pages[index],
        });
        if index + 1 < pages.len() {
            page["@odata.nextLink"] = json!(format!(
                "{{graph}}/v1.0/directory/subscriptions?$skiptoken={}",
                index + 1
            ));
        }
        Some((200, page.to_string()))
    })
    .await
}

/// The target's subscriptions (by id, annotations left out) and SKUs, served by tally.
async fn served(target: &Path, tenant: Uuid) -> (Vec<Value>, Vec<Value>) {
    let server = TestServer::builder().data_dir(target).shared().start();
    let token = server.mint(&app_token(tenant, &["Directory.Read.All"]));
    let read = async |path: &str| {
        let answer = server.get(path, &token).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
        assert!(answer.json.get("@odata.nextLink").is_none(), "one page");
        let mut items = answer.json["value"].as_array().unwrap().clone();
        items.iter_mut().for_each(without_annotations);
        items
    };
    let mut subscriptions = read("/v1.0/directory/subscriptions").await;
    subscriptions.sort_by_key(|item| item["id"].as_str().unwrap().to_owned());
    let skus = read("/v1.0/subscribedSkus").await;
    (subscriptions, skus)
}

/// `value` without its annotations (`@odata.type` of nested items included).
fn without_annotations(value: &mut Value) {
    match value {
        Value::Object(object) => {
            object.retain(|name, _| !name.starts_with('@'));
            object.values_mut().for_each(without_annotations);
        }
        Value::Array(items) => items.iter_mut().for_each(without_annotations),
        _ => {}
    }
}

fn sorted(mut subscriptions: Vec<Value>) -> Vec<Value> {
    subscriptions.sort_by_key(|item| item["id"].as_str().unwrap().to_owned());
    subscriptions
}

/// Collects from `graph` into `target`; the run's summary line, asserting it succeeded.
async fn collected(target: &Path, source: &Source, graph: &str) -> (String, String) {
    let output = collect(target, source, graph, &["--page-size", "10"]).await;
    assert!(output.status.success(), "{}", stderr(&output));
    (stdout(&output), stderr(&output))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscriptions_are_stored_as_graph_reported_them_and_skus_keep_graphs_units() {
    let source = Source::start(&[]);
    let target = tempfile::tempdir().unwrap();
    let pages = vec![four()[..3].to_vec(), four()[3..].to_vec()];
    let graph = graph(&source, Subscriptions::Pages(pages)).await;

    let (summary, _) = collected(target.path(), &source, &graph).await;
    assert!(
        summary.contains(": 2 SKUs, 4 subscriptions, 25 users in "),
        "{summary}"
    );
    let (subscriptions, skus) = served(target.path(), source.tenant).await;
    assert_eq!(
        subscriptions,
        sorted(four()),
        "every page's, Graph's values (the orphan's too)"
    );
    let e5 = skus.iter().find(|sku| sku["skuId"] == E5).unwrap();
    assert_eq!(
        e5["prepaidUnits"],
        json!({ "enabled": 30, "suspended": 0, "warning": 0, "lockedOut": 0 }),
        "Graph's units, not the subscriptions' sums (20 enabled, 4 warning)"
    );
    assert_eq!(
        export(target.path(), source.tenant),
        export(source._dir.path(), source.tenant),
        "the SKUs and users as the source has them"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_403_on_subscriptions_collects_without_them_and_drops_the_stored_ones() {
    let source = Source::start(&[]);
    let target = tempfile::tempdir().unwrap();
    let with = graph(&source, Subscriptions::Pages(vec![four()])).await;
    collected(target.path(), &source, &with).await;
    assert_eq!(served(target.path(), source.tenant).await.0.len(), 4);

    let without = graph(&source, Subscriptions::Forbidden).await;
    let (summary, warning) = collected(target.path(), &source, &without).await;
    assert!(
        summary.contains(": 2 SKUs, 0 subscriptions, 25 users in "),
        "{summary}"
    );
    assert_eq!(warning.lines().count(), 1, "one line: {warning}");
    assert!(
        warning.contains("may not read /directory/subscriptions (HTTP 403)")
            && warning.contains("the tenant's stored ones are dropped")
            && warning.contains(
                "Organization.Read.All, Directory.Read.All or LicenseAssignment.Read.All"
            ),
        "{warning}"
    );
    let (subscriptions, skus) = served(target.path(), source.tenant).await;
    assert_eq!(
        subscriptions,
        Vec::<Value>::new(),
        "the stored ones are gone"
    );
    assert_eq!(skus.len(), 2, "the rest is collected");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_collect_replaces_the_subscriptions() {
    let source = Source::start(&[]);
    let target = tempfile::tempdir().unwrap();
    let first = graph(&source, Subscriptions::Pages(vec![four()])).await;
    collected(target.path(), &source, &first).await;

    let fewer = vec![subscription(2, E5, "SPE_E5", "Enabled", 12)];
    let second = graph(&source, Subscriptions::Pages(vec![fewer.clone()])).await;
    let (summary, _) = collected(target.path(), &source, &second).await;
    assert!(summary.contains(", 1 subscriptions, "), "{summary}");
    assert_eq!(
        served(target.path(), source.tenant).await.0,
        fewer,
        "only the second collect's, with its values"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unusable_subscription_fails_the_collect_naming_it() {
    let source = Source::start(&[]);
    let target = tempfile::tempdir().unwrap();
    let first = graph(&source, Subscriptions::Pages(vec![four()])).await;
    collected(target.path(), &source, &first).await;
    let before = served(target.path(), source.tenant).await;

    let mut bad = four();
    bad[1]["totalLicenses"] = json!(-3);
    let graph = graph(&source, Subscriptions::Pages(vec![bad.clone()])).await;
    let output = collect(target.path(), &source, &graph, &[]).await;
    assert!(!output.status.success(), "{}", stdout(&output));
    let error = stderr(&output);
    assert_eq!(error.lines().count(), 1, "one line: {error}");
    let id = bad[1]["id"].as_str().unwrap();
    assert!(
        error.contains(&format!("the subscription {id}")) && error.contains("totalLicenses"),
        "{error}"
    );
    assert!(error.contains("the store is unchanged"), "{error}");
    assert_eq!(served(target.path(), source.tenant).await, before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_collected_subscription_of_a_sku_the_tenant_lacks_may_be_deleted_not_changed() {
    let source = Source::start(&[]);
    let target = tempfile::tempdir().unwrap();
    let graph = graph(&source, Subscriptions::Pages(vec![four()])).await;
    collected(target.path(), &source, &graph).await;
    let server = TestServer::builder()
        .data_dir(target.path())
        .shared()
        .start();
    let token = server.mint(&app_token(source.tenant, &["Directory.ReadWrite.All"]));
    let orphan = format!(
        "/v1.0/directory/subscriptions/{}",
        four()[3]["id"].as_str().unwrap()
    );
    let changed = server
        .patch(&orphan, &token, &json!({ "totalLicenses": 1 }))
        .await;
    assert_eq!(changed.status, StatusCode::BAD_REQUEST, "{}", changed.text);
    assert!(changed.text.contains("skuId"), "{}", changed.text);
    let deleted = server.delete(&orphan, &token).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.text);
    let gone = server.get(&orphan, &token).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND, "{}", gone.text);
}
