//! `tally import` and `tally export` (SPEC §11): bad records are reported with their line
//! numbers while the good ones load, into the store a running server uses; JSON lines and CSV
//! round-trip through export and import.

use std::path::Path;
use std::process::{Command, Output};

use reqwest::StatusCode;
use serde_json::Value;
use uuid::Uuid;

use crate::support::{database, TestServer, COLLECTION};

pub(crate) fn tally(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tally"))
        .args(args)
        .arg("--data-dir")
        .arg(data_dir)
        .args(database::store_flags(data_dir))
        .env("TALLY_LOG", "warn")
        .output()
        .expect("tally runs")
}

fn import(data_dir: &Path, file: &Path, tenant: Uuid) -> Output {
    let tenant = tenant.to_string();
    tally(
        data_dir,
        &["import", file.to_str().unwrap(), "--tenant", &tenant],
    )
}

fn export(data_dir: &Path, tenant: Uuid, format: &str) -> String {
    let tenant = tenant.to_string();
    let output = tally(
        data_dir,
        &["export", "--tenant", &tenant, "--format", format],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    String::from_utf8(output.stdout).expect("UTF-8")
}

pub(crate) fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

const GOOD_ID: &str = "0b4a7c52-4a6e-4d4f-9a39-2c8a3c1f9d11";

#[tokio::test]
async fn bad_lines_are_reported_with_their_numbers_while_good_ones_load_under_a_running_server() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::builder().data_dir(dir.path()).shared().start();
    let tenant = Uuid::new_v4();
    let file = dir.path().join("snapshots.jsonl");
    let lines = [
        r#"{"snapshotDateTime":"2026-11-01T00:00:00Z","licenseInfoDetails":[{"licenseType":"premiumP1","totalLicenseCount":10,"totalAssignedCount":9,"totalUsageCount":8}]}"#,
        r#"{"snapshotDateTime":"2026-11-02T00:00:00Z","#,
        r#"{"snapshotDateTime":"2026-11-03T00:00:00Z","licenseInfoDetails":[{"licenseType":"String"}]}"#,
        "",
        &format!(r#"{{"id":"{GOOD_ID}","snapshotDateTime":"2016-12-31T23:56:55.0631898+03:00"}}"#),
        &format!(r#"{{"id":"{GOOD_ID}","snapshotDateTime":"2026-11-06T00:00:00Z"}}"#),
        r#"{"snapshotDateTime":"2026-11-07T00:00:00Z","licenseInfoDetails":[{"licenseType":"free","totalUsageCount":-1}]}"#,
        r#"{"snapshotDateTime":"2026-11-08T00:00:00Z","licenseInfoDetails":[]}"#,
    ];
    std::fs::write(&file, lines.join("\n")).unwrap();

    let output = import(dir.path(), &file, tenant);
    let messages = stderr(&output);
    assert!(!output.status.success(), "refused records fail the command");
    assert!(messages.contains("line 2: "), "{messages}");
    assert!(
        messages.contains("line 3: ") && messages.contains("premiumP1"),
        "{messages}"
    );
    assert!(
        messages.contains(&format!(
            "line 6: an object with id {GOOD_ID} exists already"
        )),
        "{messages}"
    );
    assert!(
        messages.contains("line 7: ") && messages.contains("licenseInfoDetails[0].totalUsageCount"),
        "{messages}"
    );
    for good in ["line 1:", "line 4:", "line 5:", "line 8:"] {
        assert!(!messages.contains(good), "{good} is fine: {messages}");
    }
    assert!(
        messages.contains("imported 3 azureADLicenseUsage objects"),
        "{messages}"
    );

    // The running server sees them at once, with the id and the date's text as imported.
    let token = server.token(tenant);
    let list = server.get(COLLECTION, &token).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.text);
    let items = list.json["value"].as_array().unwrap();
    assert_eq!(items.len(), 3, "{}", list.text);
    let kept = server.get(&format!("{COLLECTION}/{GOOD_ID}"), &token).await;
    assert_eq!(kept.status, StatusCode::OK);
    assert_eq!(
        kept.json["snapshotDateTime"],
        "2016-12-31T23:56:55.0631898+03:00"
    );
    assert_eq!(kept.json["@odata.etag"], "W/\"1\"");
    // Another tenant sees none of it.
    let other = server.get(COLLECTION, &server.token(Uuid::new_v4())).await;
    assert_eq!(other.json["value"], Value::Array(vec![]));
}

#[test]
fn json_lines_and_csv_round_trip_through_export() {
    let dir = tempfile::tempdir().unwrap();
    let tenant = Uuid::new_v4();
    let mut lines = Vec::new();
    for day in 1..=25 {
        let id = Uuid::new_v4();
        let details = match day % 3 {
            0 => "[]".to_owned(),
            1 => r#"[{"licenseType":"premiumP2","totalLicenseCount":100,"totalAssignedCount":120,"totalUsageCount":null}]"#.to_owned(),
            _ => format!(
                r#"[{{"licenseType":"free","totalLicenseCount":{day},"totalAssignedCount":null,"totalUsageCount":0}},{{"licenseType":"basic","totalLicenseCount":null,"totalAssignedCount":null,"totalUsageCount":null}}]"#
            ),
        };
        lines.push(format!(
            r#"{{"id":"{id}","snapshotDateTime":"2026-10-{day:02}T08:00:00.1234567-05:00","licenseInfoDetails":{details}}}"#
        ));
    }
    let source = dir.path().join("source.jsonl");
    std::fs::write(&source, lines.join("\n") + "\n").unwrap();
    let output = import(dir.path(), &source, tenant);
    assert!(output.status.success(), "{}", stderr(&output));

    // JSON lines: the export is the input, line for line (oldest first).
    let jsonl = export(dir.path(), tenant, "jsonl");
    assert_eq!(jsonl, lines.join("\n") + "\n");

    // CSV: export, import into another tenant, and that tenant's export is the same.
    let csv = export(dir.path(), tenant, "csv");
    assert!(csv.starts_with(
        "snapshotDateTime,id,licenseType,totalLicenseCount,totalAssignedCount,totalUsageCount\n"
    ));
    let csv_file = dir.path().join("export.csv");
    std::fs::write(&csv_file, &csv).unwrap();
    let copy = Uuid::new_v4();
    let output = import(dir.path(), &csv_file, copy);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(export(dir.path(), copy, "csv"), csv);
    assert_eq!(export(dir.path(), copy, "jsonl"), jsonl);
}

#[test]
fn bad_csv_rows_are_reported_with_their_line_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let tenant = Uuid::new_v4();
    let file = dir.path().join("rows.csv");
    std::fs::write(
        &file,
        "snapshotDateTime,licenseType,totalLicenseCount,totalAssignedCount,totalUsageCount\n\
         2026-11-01T00:00:00Z,premiumP1,10,9,8\n\
         2026-11-01T00:00:00Z,free,1,,\n\
         2026-11-02T00:00:00Z,premiumP9,1,1,1\n\
         2026-11-03T00:00:00Z,basic,ten,1,1\n\
         not a date,basic,1,1,1\n\
         2026-11-04T00:00:00Z,,,,\n",
    )
    .unwrap();
    let output = import(dir.path(), &file, tenant);
    let messages = stderr(&output);
    assert!(!output.status.success());
    assert!(
        messages.contains("line 4: ") && messages.contains("premiumP9"),
        "{messages}"
    );
    assert!(
        messages.contains("line 5: ") && messages.contains("totalLicenseCount"),
        "{messages}"
    );
    assert!(
        messages.contains("line 6: ") && messages.contains("snapshotDateTime"),
        "{messages}"
    );
    assert!(
        messages.contains("imported 2 azureADLicenseUsage objects"),
        "{messages}"
    );

    let jsonl = export(dir.path(), tenant, "jsonl");
    let exported: Vec<Value> = jsonl
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(exported.len(), 2);
    assert_eq!(
        exported[0]["licenseInfoDetails"].as_array().unwrap().len(),
        2
    );
    assert_eq!(exported[1]["licenseInfoDetails"], Value::Array(vec![]));
}

/// SPEC §12: import and export take every resource (`--resource`), as JSON lines; CSV stays
/// azureADLicenseUsage's, and is refused for the others with a message that says so.
#[test]
fn other_resources_round_trip_as_json_lines() {
    let dir = tempfile::tempdir().unwrap();
    let tenant = Uuid::new_v4();
    let lines: Vec<String> = (1..=12)
        .map(|day| {
            let usage = if day % 4 == 0 {
                "null".to_owned()
            } else {
                (day * 3).to_string()
            };
            format!(
                r#"{{"id":"{}","snapshotDateTime":"2026-10-{day:02}T08:00:00+01:00","featureName":"feature '{}'","usage":{usage}}}"#,
                Uuid::new_v4(),
                day % 3
            )
        })
        .collect();
    let source = dir.path().join("features.jsonl");
    std::fs::write(&source, lines.join("\n") + "\n").unwrap();
    let tenant_text = tenant.to_string();
    let resource = ["--resource", "azureADFeatureUsage"];
    let mut args = vec!["import", source.to_str().unwrap(), "--tenant", &tenant_text];
    args.extend(resource);
    let output = tally(dir.path(), &args);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("imported 12 azureADFeatureUsage objects"),
        "{}",
        stderr(&output)
    );

    let mut args = vec!["export", "--tenant", &tenant_text];
    args.extend(resource);
    let output = tally(dir.path(), &args);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        String::from_utf8(output.stdout).unwrap(),
        lines.join("\n") + "\n"
    );
    // The snapshots of the same tenant are another resource: none.
    assert_eq!(export(dir.path(), tenant, "jsonl"), "");

    args.extend(["--format", "csv"]);
    let refused = tally(dir.path(), &args);
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("CSV is the format of azureADLicenseUsage's snapshots"),
        "{}",
        stderr(&refused)
    );
}

/// The directory: SKUs, then users with their licenses; a record that breaks assignLicense's
/// rules is reported with its line number, the units stay exact, and export writes what import
/// reads back into another tenant.
#[tokio::test]
async fn a_directory_loads_with_its_licenses_and_round_trips_through_export() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::builder().data_dir(dir.path()).shared().start();
    let tenant = Uuid::new_v4();
    let sku = "c7df2760-2c81-4ef7-b578-5b5392b571df";
    let skus = dir.path().join("skus.jsonl");
    std::fs::write(
        &skus,
        format!(r#"{{"skuId":"{sku}","skuPartNumber":"SPE_E5","prepaidUnits":{{"enabled":2}}}}"#)
            + "\n{\"skuPartNumber\":\"NO_ID\"}\n",
    )
    .unwrap();
    let users = dir.path().join("users.jsonl");
    let licensed = |n: usize| {
        format!(
            r#"{{"userPrincipalName":"u{n}@contoso.example","usageLocation":"US","assignedLicenses":[{{"skuId":"{sku}","disabledPlans":[]}}]}}"#
        )
    };
    let lines = [
        licensed(1),
        r#"{"userPrincipalName":"nowhere@contoso.example","assignedLicenses":[{"skuId":"c7df2760-2c81-4ef7-b578-5b5392b571df"}]}"#.to_owned(),
        licensed(2),
        licensed(3),
        r#"{"userPrincipalName":"U1@contoso.example"}"#.to_owned(),
        r#"{"displayName":"no name"}"#.to_owned(),
        r#"{"userPrincipalName":"plain@contoso.example","signInActivity":{"lastSignInDateTime":"2026-11-01T00:00:00Z"}}"#.to_owned(),
    ];
    std::fs::write(&users, lines.join("\n")).unwrap();
    let tenant_text = tenant.to_string();
    let loaded = tally(
        dir.path(),
        &[
            "import",
            skus.to_str().unwrap(),
            "--resource",
            "subscribedSkus",
            "--tenant",
            &tenant_text,
        ],
    );
    assert!(stderr(&loaded).contains("line 2: "), "{}", stderr(&loaded));
    let loaded = tally(
        dir.path(),
        &[
            "import",
            users.to_str().unwrap(),
            "--resource",
            "users",
            "--tenant",
            &tenant_text,
        ],
    );
    let messages = stderr(&loaded);
    assert!(!loaded.status.success());
    assert!(
        messages.contains("line 2: License assignment cannot be done"),
        "{messages}"
    );
    assert!(
        messages.contains("line 4: Subscription with SKU"),
        "{messages}"
    );
    assert!(
        messages.contains("line 5: a user with this id or userPrincipalName exists"),
        "{messages}"
    );
    assert!(
        messages.contains("line 6: Property 'userPrincipalName' is required"),
        "{messages}"
    );
    assert!(messages.contains("imported 3 users objects"), "{messages}");

    let token = server.mint(&crate::support::app_token(
        tenant,
        &["Directory.Read.All", "AuditLog.Read.All"],
    ));
    let sku_read = server
        .get(&format!("/v1.0/subscribedSkus/{tenant}_{sku}"), &token)
        .await;
    assert_eq!(sku_read.json["consumedUnits"], 2, "{}", sku_read.text);
    let holders = server
        .get(
            &format!("/v1.0/users/$count?$filter=assignedLicenses/any(x:x/skuId eq {sku})"),
            &token,
        )
        .await;
    assert_eq!(holders.text, "2");

    // Export, and load the export into another tenant: the same users, licenses and sign-ins.
    let exported = |resource: &str, tenant: &str| {
        let output = tally(
            dir.path(),
            &["export", "--resource", resource, "--tenant", tenant],
        );
        assert!(output.status.success(), "{}", stderr(&output));
        String::from_utf8(output.stdout).unwrap()
    };
    let (sku_lines, user_lines) = (
        exported("subscribedSkus", &tenant_text),
        exported("users", &tenant_text),
    );
    assert_eq!(user_lines.lines().count(), 3, "{user_lines}");
    let copy = Uuid::new_v4().to_string();
    for (resource, text) in [("subscribedSkus", &sku_lines), ("users", &user_lines)] {
        let file = dir.path().join(format!("{resource}.export.jsonl"));
        std::fs::write(&file, text).unwrap();
        let output = tally(
            dir.path(),
            &[
                "import",
                file.to_str().unwrap(),
                "--resource",
                resource,
                "--tenant",
                &copy,
            ],
        );
        assert!(output.status.success(), "{}", stderr(&output));
    }
    assert_eq!(exported("users", &copy), user_lines);
    assert_eq!(exported("subscribedSkus", &copy), sku_lines);
}
