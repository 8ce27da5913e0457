//! A full disk under the embedded store: writes answer 503 with Retry-After, reads go on, nothing
//! is corrupted, and writes resume when space returns — without a restart. Needs root (it mounts
//! a small tmpfs as the data directory); skipped, loudly, elsewhere or on other backends.

use std::path::Path;
use std::process::Command;

use reqwest::StatusCode;
use serde_json::json;
use uuid::Uuid;

use crate::support::database::{suite_in_memory, suite_on_postgres};
use crate::support::{entity_path, TestServer, COLLECTION};

/// A tmpfs mount that is unmounted when dropped.
struct SmallDisk<'a>(&'a Path);

impl<'a> SmallDisk<'a> {
    fn mount(path: &'a Path, size: &str) -> Option<Self> {
        let mounted = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(path)
            .status();
        mounted
            .is_ok_and(|status| status.success())
            .then_some(Self(path))
    }

    fn resize(&self, size: &str) {
        let status = Command::new("mount")
            .args(["-o", &format!("remount,size={size}")])
            .arg(self.0)
            .status()
            .unwrap();
        assert!(status.success(), "remount failed");
    }
}

impl Drop for SmallDisk<'_> {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(self.0).status();
    }
}

fn big_body(index: usize) -> serde_json::Value {
    let details: Vec<_> = ["none", "free", "basic", "premiumP1", "premiumP2", "unknownFutureValue"]
        .iter()
        .map(|member| json!({ "licenseType": member, "totalLicenseCount": index, "totalAssignedCount": index, "totalUsageCount": index }))
        .collect();
    json!({ "snapshotDateTime": format!("2024-01-01T00:00:{:02}.{index:07}Z", index % 60), "licenseInfoDetails": details })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_refuses_writes_with_503_keeps_reads_and_recovers() {
    if suite_on_postgres() || suite_in_memory() {
        eprintln!("SKIPPED disk::a_full_disk: it is about the embedded store");
        return;
    }
    let holder = tempfile::tempdir().unwrap();
    let Some(disk) = SmallDisk::mount(holder.path(), "1m") else {
        eprintln!("SKIPPED disk::a_full_disk: mounting a tmpfs needs root");
        return;
    };
    let data = holder.path().join("data");
    let server = TestServer::builder().data_dir(&data).start();
    let token = server.token(Uuid::new_v4());

    let mut acknowledged = Vec::new();
    let mut refused = 0;
    for index in 0..20_000 {
        let reply = server.post(COLLECTION, &token, &big_body(index)).await;
        match reply.status {
            StatusCode::CREATED => acknowledged.push(reply.json["id"].as_str().unwrap().to_owned()),
            StatusCode::SERVICE_UNAVAILABLE => {
                reply.assert_error(503, "ServiceUnavailable");
                assert!(reply.header("retry-after").is_some());
                refused += 1;
                if refused == 5 {
                    break;
                }
            }
            other => panic!("write {index} answered {other}: {}", reply.text),
        }
    }
    assert_eq!(
        refused,
        5,
        "the disk never filled ({} writes fit)",
        acknowledged.len()
    );
    eprintln!("disk full after {} acknowledged writes", acknowledged.len());

    // Reads go on while the disk is full.
    let first = server.get(&entity_path(&acknowledged[0]), &token).await;
    assert_eq!(first.status, StatusCode::OK);
    let count = server.get(&format!("{COLLECTION}/$count"), &token).await;
    assert_eq!(
        count.text,
        acknowledged.len().to_string(),
        "exactly the acknowledged writes are there"
    );

    disk.resize("64m");
    let mut resumed = false;
    for _ in 0..50 {
        if server.post(COLLECTION, &token, &big_body(1)).await.status == StatusCode::CREATED {
            resumed = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(resumed, "writes did not resume when space returned");

    drop(server);
    let reopened = TestServer::builder().data_dir(&data).start();
    for id in &acknowledged {
        assert_eq!(
            reopened.get(&entity_path(id), &token).await.status,
            StatusCode::OK,
            "acknowledged {id} lost"
        );
    }
    let integrity = Command::new("sqlite3")
        .arg(data.join("tally.sqlite3"))
        .arg("PRAGMA integrity_check")
        .output();
    if let Ok(output) = integrity {
        if output.status.success() {
            assert_eq!(
                String::from_utf8_lossy(&output.stdout).trim(),
                "ok",
                "integrity_check"
            );
        }
    }
    drop(reopened);
}
