//! Durability (SPEC §4): writes acknowledged under concurrency survive `kill -9` of the server, and
//! the store opens cleanly on the same data directory afterwards, round after round (the soak:
//! `TALLY_SOAK_ROUNDS=20 cargo test --release -p tally --test api crash:: -- --nocapture`).

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;
use uuid::Uuid;

use crate::support::{entity_path, TestServer, COLLECTION};

const WRITERS: usize = 16;
/// Acknowledged writes per round before the kill; writes keep arriving while it lands.
const ACKS_BEFORE_KILL: usize = 300;

/// Kill-and-restart rounds: 3 in CI; the soak command sets `TALLY_SOAK_ROUNDS=20`.
fn soak_rounds() -> usize {
    std::env::var("TALLY_SOAK_ROUNDS")
        .ok()
        .and_then(|rounds| rounds.parse().ok())
        .unwrap_or(3)
}

/// What the clients were told: created objects with their snapshot text, and for each object
/// the highest usage count a PATCH of it was acknowledged with.
#[derive(Default)]
struct Acknowledged {
    created: HashMap<String, String>,
    highest_patch: HashMap<String, i64>,
}

fn body(text: &str, usage: i64) -> serde_json::Value {
    json!({ "snapshotDateTime": text, "licenseInfoDetails": [{ "licenseType": "premiumP1", "totalLicenseCount": 100, "totalUsageCount": usage }] })
}

/// One writer: creates an object, then patches it with increasing counts, creating a new
/// object every tenth write, until the server stops answering.
async fn writer(
    base: String,
    token: String,
    worker: usize,
    acked: Arc<Mutex<Acknowledged>>,
    count: Arc<AtomicUsize>,
) {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let mut current: Option<String> = None;
    for step in 0_i64.. {
        let result = match &current {
            Some(id) if step % 10 != 0 => {
                let response = client.patch(format!("{base}{}", entity_path(id))).bearer_auth(&token).json(&json!({
                    "licenseInfoDetails": [{ "licenseType": "premiumP1", "totalLicenseCount": 100, "totalUsageCount": step }]
                }));
                match response.send().await {
                    Ok(reply) if reply.status() == StatusCode::OK => {
                        let mut acked = acked.lock().unwrap();
                        let highest = acked.highest_patch.entry(id.clone()).or_insert(step);
                        *highest = (*highest).max(step);
                        Ok(())
                    }
                    Ok(reply) => panic!("PATCH answered {}", reply.status()),
                    Err(error) => Err(error),
                }
            }
            _ => {
                let text = format!(
                    "2024-{:02}-{:02}T{:02}:00:00.{:07}+01:00",
                    worker % 12 + 1,
                    step % 28 + 1,
                    step % 24,
                    step
                );
                match client
                    .post(format!("{base}{COLLECTION}"))
                    .bearer_auth(&token)
                    .json(&body(&text, step))
                    .send()
                    .await
                {
                    Ok(reply) if reply.status() == StatusCode::CREATED => {
                        let value: serde_json::Value = reply.json().await.unwrap();
                        let id = value["id"].as_str().unwrap().to_owned();
                        let mut acked = acked.lock().unwrap();
                        acked.created.insert(id.clone(), text);
                        acked.highest_patch.insert(id.clone(), step);
                        current = Some(id);
                        Ok(())
                    }
                    Ok(reply) => panic!("POST answered {}", reply.status()),
                    Err(error) => Err(error),
                }
            }
        };
        match result {
            Ok(()) => {
                count.fetch_add(1, Ordering::SeqCst);
            }
            // The server was killed: this write was never acknowledged.
            Err(_) => return,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_writes_survive_kill_9() {
    if crate::support::database::suite_in_memory() {
        eprintln!("SKIPPED crash::acknowledged_writes_survive_kill_9: --in-memory keeps nothing by design");
        return;
    }
    let data = tempfile::tempdir().unwrap();
    let tenant = Uuid::new_v4();
    let acked = Arc::new(Mutex::new(Acknowledged::default()));

    for round in 0..soak_rounds() {
        let mut server = TestServer::builder().data_dir(data.path()).start();
        let token = server.token(tenant);
        let count = Arc::new(AtomicUsize::new(0));
        let writers: Vec<_> = (0..WRITERS)
            .map(|worker| {
                tokio::spawn(writer(
                    server.base.clone(),
                    token.clone(),
                    worker,
                    acked.clone(),
                    count.clone(),
                ))
            })
            .collect();
        while count.load(Ordering::SeqCst) < ACKS_BEFORE_KILL {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        server.kill9();
        for handle in writers {
            handle
                .await
                .expect("a writer panicked: the server answered a write with an error");
        }
        eprintln!(
            "round {round}: killed after {} acknowledged writes",
            count.load(Ordering::SeqCst)
        );
    }

    let server = TestServer::builder().data_dir(data.path()).start();
    let token = server.token(tenant);
    let acked = std::mem::take(&mut *acked.lock().unwrap());
    assert!(acked.created.len() >= WRITERS);
    for (id, text) in &acked.created {
        let reply = server.get(&entity_path(id), &token).await;
        assert_eq!(
            reply.status,
            StatusCode::OK,
            "acknowledged object {id} was lost"
        );
        assert_eq!(reply.json["snapshotDateTime"], text.as_str(), "{id}");
        let stored = reply.json["licenseInfoDetails"][0]["totalUsageCount"]
            .as_i64()
            .unwrap();
        let highest = acked.highest_patch[id];
        assert!(
            stored >= highest,
            "{id}: PATCH to {highest} was acknowledged but {stored} is stored"
        );
        assert_eq!(
            reply.json["licenseInfoDetails"][0]["totalLicenseCount"], 100,
            "{id} intact"
        );
    }
    let count: usize = server
        .get(&format!("{COLLECTION}/$count"), &token)
        .await
        .text
        .parse()
        .unwrap();
    assert!(
        count >= acked.created.len(),
        "{count} stored, {} acknowledged",
        acked.created.len()
    );
}
