//! Graceful shutdown (SPEC §11): SIGTERM under concurrent writes drains the requests in flight
//! and exits 0; every acknowledged write is there after a restart, and no write is acknowledged
//! that is not.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::StatusCode;
use uuid::Uuid;

use crate::support::{entity_path, snapshot, TestServer, COLLECTION};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_drains_in_flight_writes_and_exits_cleanly() {
    if crate::support::database::suite_in_memory() {
        eprintln!("SKIPPED shutdown::sigterm_drains: --in-memory keeps nothing across a restart");
        return;
    }
    let data = tempfile::tempdir().unwrap();
    let mut server = TestServer::builder().data_dir(data.path()).start();
    let token = server.token(Uuid::new_v4());
    let acknowledged = Arc::new(Mutex::new(Vec::new()));
    let writers: Vec<_> = (0..8)
        .map(|writer| {
            let (url, token, acknowledged) =
                (server.url(COLLECTION), token.clone(), acknowledged.clone());
            tokio::spawn(async move {
                let client = reqwest::Client::new();
                for step in 0.. {
                    let body = snapshot(&format!(
                        "2025-05-{:02}T00:00:{:02}Z",
                        writer + 1,
                        step % 60
                    ));
                    let Ok(response) = client
                        .post(&url)
                        .bearer_auth(&token)
                        .json(&body)
                        .send()
                        .await
                    else {
                        return;
                    };
                    let status = response.status();
                    let Ok(value) = response.json::<serde_json::Value>().await else {
                        return;
                    };
                    match status {
                        StatusCode::CREATED => acknowledged
                            .lock()
                            .unwrap()
                            .push(value["id"].as_str().unwrap().to_owned()),
                        other => panic!("a write answered {other} during shutdown: {value}"),
                    }
                }
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let status = tokio::task::block_in_place(|| server.terminate());
    assert!(status.success(), "tally exits 0 after SIGTERM: {status:?}");
    for writer in writers {
        writer.await.expect("no write was answered with an error");
    }

    let restarted = TestServer::builder().data_dir(data.path()).start();
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(!acknowledged.is_empty());
    for id in &acknowledged {
        assert_eq!(
            restarted.get(&entity_path(id), &token).await.status,
            StatusCode::OK,
            "acknowledged {id} lost"
        );
    }
    let count: usize = restarted
        .get(&format!("{COLLECTION}/$count"), &token)
        .await
        .text
        .parse()
        .unwrap();
    assert_eq!(
        count,
        acknowledged.len(),
        "every stored write was acknowledged, and the other way round"
    );
}
