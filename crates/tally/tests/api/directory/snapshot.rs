//! SPEC §12.3: `tally snapshot` derives an azureADLicenseUsage snapshot from the directory, by
//! rules checked here on a tenant counted by hand, and stores it like any other; `tally serve
//! --snapshot-daily HH:MM` takes one a day, at that minute.

use std::time::{Duration, Instant};

use chrono::{DurationRound, TimeDelta, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};

use super::typed::{BASIC, BASIC_PLAN, E5, P1, P1_PLAN, P2_PLAN};
use super::{create_sku, sku, user_holding, Tenant};
use crate::import_export::{stderr, tally};
use crate::support::TestServer;

const AT: &str = "2026-11-30T12:00:00Z";
const EXCHANGE: &str = "efb87545-963c-4e0d-99df-69c6916d9eb0";
const OTHER: &str = "4b9405b0-7788-4568-add1-99614e613b69";

/// Creates a user and gives it licenses (`(sku, disabled plans)`).
async fn user(server: &TestServer, tenant: &Tenant, body: Value, licenses: &[(&str, &[&str])]) {
    user_holding(server, tenant, &body, licenses).await;
}

fn person(
    name: &str,
    kind: &str,
    enabled: bool,
    signed_in: Option<&str>,
    non_interactive: Option<&str>,
) -> Value {
    json!({
        "userPrincipalName": format!("{name}@contoso.example"),
        "userType": kind,
        "accountEnabled": enabled,
        "usageLocation": "US",
        "signInActivity": {
            "lastSignInDateTime": signed_in,
            "lastNonInteractiveSignInDateTime": non_interactive,
        },
    })
}

/// The tenant of the rules: every row below is one rule of §12.3.
async fn counted_tenant(server: &TestServer, tenant: &Tenant) {
    let mut e5 = sku(E5, "SPE_E5", 10, &[P2_PLAN, P1_PLAN, EXCHANGE]);
    e5["prepaidUnits"]["warning"] = json!(2);
    create_sku(server, tenant, &e5).await;
    create_sku(server, tenant, &sku(P1, "AAD_PREMIUM", 5, &[P1_PLAN])).await;
    create_sku(server, tenant, &sku(BASIC, "AAD_BASIC", 3, &[BASIC_PLAN])).await;
    create_sku(server, tenant, &sku(OTHER, "EXCHANGE_S", 50, &[EXCHANGE])).await;
    // P2 through E5, signed in a day before: premiumP2, active.
    user(
        server,
        tenant,
        person("ann", "Member", true, Some("2026-11-29T12:00:00Z"), None),
        &[(E5, &[])],
    )
    .await;
    // E5 less its P2 plan is P1; the later (non-interactive) sign-in counts: active.
    user(
        server,
        tenant,
        person(
            "ben",
            "Member",
            true,
            Some("2026-10-30T11:00:00Z"),
            Some("2026-11-01T12:00:00Z"),
        ),
        &[(E5, &[P2_PLAN])],
    )
    .await;
    // A guest with P1 counts as P1; a sign-in after the snapshot does not count.
    user(
        server,
        tenant,
        person("cat", "Guest", true, Some("2026-11-30T13:00:00Z"), None),
        &[(P1, &[])],
    )
    .await;
    // A disabled member with Basic counts as basic; never signed in.
    user(
        server,
        tenant,
        person("dan", "Member", false, None, None),
        &[(BASIC, &[])],
    )
    .await;
    // A SKU with no deciding plan leaves an enabled member free; active.
    user(
        server,
        tenant,
        person(
            "eve",
            "Member",
            true,
            Some("2026-11-20T00:00:00+01:00"),
            None,
        ),
        &[(OTHER, &[])],
    )
    .await;
    // An enabled member without licenses is free; not active.
    user(
        server,
        tenant,
        person("fay", "Member", true, None, None),
        &[],
    )
    .await;
    // A guest, and a disabled member, without licenses count nowhere.
    user(
        server,
        tenant,
        person("gus", "Guest", true, Some("2026-11-29T00:00:00Z"), None),
        &[],
    )
    .await;
    user(
        server,
        tenant,
        person("hal", "Member", false, Some("2026-11-29T00:00:00Z"), None),
        &[],
    )
    .await;
    // E5 with P2 and P1 disabled grants nothing, Basic does: basic; signed in exactly 30 days
    // before: active.
    user(
        server,
        tenant,
        person("ivy", "Member", true, Some("2026-10-31T12:00:00Z"), None),
        &[(E5, &[P2_PLAN, P1_PLAN]), (BASIC, &[])],
    )
    .await;
}

/// The tenant's snapshots' licenseInfoDetails, by license type.
async fn snapshots(server: &TestServer, tenant: &Tenant) -> Vec<Value> {
    let token = server.token(tenant.id);
    let reply = server
        .get("/v1.0/reports/azureADLicenseUsage", &token)
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    reply.json["value"].as_array().unwrap().clone()
}

fn details(snapshot: &Value) -> Vec<Value> {
    let mut details: Vec<Value> = snapshot["licenseInfoDetails"]
        .as_array()
        .unwrap()
        .iter()
        .map(|detail| {
            json!({
                "licenseType": detail["licenseType"],
                "totalLicenseCount": detail["totalLicenseCount"],
                "totalAssignedCount": detail["totalAssignedCount"],
                "totalUsageCount": detail["totalUsageCount"],
            })
        })
        .collect();
    details.sort_by_key(|detail| detail["licenseType"].as_str().unwrap().to_owned());
    details
}

#[tokio::test]
async fn a_derived_snapshot_counts_the_directory_by_the_rules() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::builder().data_dir(dir.path()).shared().start();
    let tenant = Tenant::new(&server);
    counted_tenant(&server, &tenant).await;
    let id = tenant.id.to_string();
    let taken = tally(dir.path(), &["snapshot", "--tenant", &id, "--at", AT]);
    assert!(taken.status.success(), "{}", stderr(&taken));

    let stored = snapshots(&server, &tenant).await;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0]["snapshotDateTime"], AT);
    assert_eq!(
        details(&stored[0]),
        vec![
            json!({ "licenseType": "basic", "totalLicenseCount": 3, "totalAssignedCount": 2, "totalUsageCount": 1 }),
            json!({ "licenseType": "free", "totalLicenseCount": null, "totalAssignedCount": 2, "totalUsageCount": 1 }),
            json!({ "licenseType": "premiumP1", "totalLicenseCount": 5, "totalAssignedCount": 2, "totalUsageCount": 1 }),
            json!({ "licenseType": "premiumP2", "totalLicenseCount": 12, "totalAssignedCount": 1, "totalUsageCount": 1 }),
        ]
    );

    // The same minute again: no second snapshot. Another minute: a second one, and the report
    // function sees both.
    let again = tally(
        dir.path(),
        &["snapshot", "--tenant", &id, "--at", "2026-11-30T12:00:59Z"],
    );
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(String::from_utf8_lossy(&again.stdout).contains("exists already"));
    assert_eq!(snapshots(&server, &tenant).await.len(), 1);
    let later = tally(
        dir.path(),
        &["snapshot", "--tenant", &id, "--at", "2026-11-30T12:01:00Z"],
    );
    assert!(later.status.success(), "{}", stderr(&later));
    assert_eq!(snapshots(&server, &tenant).await.len(), 2);
}

#[tokio::test]
async fn all_tenants_are_the_ones_with_directory_data() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::builder().data_dir(dir.path()).shared().start();
    let (with_sku, with_user) = (Tenant::new(&server), Tenant::new(&server));
    create_sku(&server, &with_sku, &sku(P1, "AAD_PREMIUM", 4, &[P1_PLAN])).await;
    user(
        &server,
        &with_user,
        person("zed", "Member", true, None, None),
        &[],
    )
    .await;
    let taken = tally(dir.path(), &["snapshot", "--all-tenants"]);
    assert!(taken.status.success(), "{}", stderr(&taken));
    let first = snapshots(&server, &with_sku).await;
    assert_eq!(
        details(&first[0]),
        vec![
            json!({ "licenseType": "free", "totalLicenseCount": null, "totalAssignedCount": 0, "totalUsageCount": 0 }),
            json!({ "licenseType": "premiumP1", "totalLicenseCount": 4, "totalAssignedCount": 0, "totalUsageCount": 0 }),
        ]
    );
    let second = snapshots(&server, &with_user).await;
    assert_eq!(
        details(&second[0]),
        vec![
            json!({ "licenseType": "free", "totalLicenseCount": null, "totalAssignedCount": 1, "totalUsageCount": 0 })
        ]
    );
    let neither = tally(dir.path(), &["snapshot"]);
    assert!(
        !neither.status.success(),
        "--tenant or --all-tenants is required"
    );
}

/// The daily schedule, for real: the server is started with the next minute that leaves time to
/// set the tenant up (30 s at least; the test waits 30 to 90 s), and the snapshot must appear,
/// dated exactly that minute (not when the scheduler woke).
#[tokio::test]
async fn the_server_takes_the_daily_snapshot_at_its_minute() {
    let now = Utc::now();
    let minute = now.duration_trunc(TimeDelta::minutes(1)).unwrap();
    let ahead = if now - minute < TimeDelta::seconds(30) {
        1
    } else {
        2
    };
    let at = minute + TimeDelta::minutes(ahead);
    let server = TestServer::builder()
        .flags(&["--snapshot-daily", &at.format("%H:%M").to_string()])
        .start();
    let (tenant, bystander) = (Tenant::new(&server), Tenant::new(&server));
    let yesterday = (at - TimeDelta::days(1)).to_rfc3339();
    create_sku(&server, &tenant, &sku(P1, "AAD_PREMIUM", 4, &[P1_PLAN])).await;
    user(
        &server,
        &tenant,
        person("amy", "Member", true, Some(&yesterday), None),
        &[(P1, &[])],
    )
    .await;
    user(
        &server,
        &tenant,
        person("bob", "Member", true, None, None),
        &[(P1, &[])],
    )
    .await;
    user(
        &server,
        &tenant,
        person("cy", "Member", true, Some(&yesterday), None),
        &[],
    )
    .await;
    assert!(
        Utc::now() < at,
        "setting the tenant up outlasted the scheduled minute {at}"
    );

    let deadline = Instant::now() + Duration::from_secs(150);
    let stored = loop {
        let stored = snapshots(&server, &tenant).await;
        if !stored.is_empty() {
            break stored;
        }
        assert!(
            Instant::now() < deadline,
            "no daily snapshot by {at} + about 1 minute"
        );
        tokio::time::sleep(Duration::from_secs(1)).await;
    };
    assert_eq!(stored.len(), 1);
    assert_eq!(
        stored[0]["snapshotDateTime"],
        at.format("%Y-%m-%dT%H:%M:00Z").to_string()
    );
    assert_eq!(
        details(&stored[0]),
        vec![
            json!({ "licenseType": "free", "totalLicenseCount": null, "totalAssignedCount": 1, "totalUsageCount": 1 }),
            json!({ "licenseType": "premiumP1", "totalLicenseCount": 4, "totalAssignedCount": 2, "totalUsageCount": 1 }),
        ]
    );
    // A tenant without directory data gets none.
    assert!(snapshots(&server, &bystander).await.is_empty());

    // The schedule, now asleep until tomorrow, does not hold up a graceful stop.
    let mut server = server;
    let stopping = Instant::now();
    assert!(server.terminate().success());
    assert!(
        stopping.elapsed() < Duration::from_secs(5),
        "{:?}",
        stopping.elapsed()
    );
}
