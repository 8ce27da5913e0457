//! SPEC §8 and §10: PostgreSQL cut off mid-load and brought back. While it is away, requests get
//! 503 with Retry-After (no other 5xx) and /readyz fails; no acknowledged write is lost; and the
//! same process serves again once the database returns, without a restart.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::StatusCode;
use uuid::Uuid;

use crate::support::database::require_postgres;
use crate::support::proxy::postgres_behind_proxy;
use crate::support::{entity_path, snapshot, TestServer, COLLECTION};

/// What the load saw: acknowledged ids, and every status answered.
#[derive(Default)]
struct Observed {
    acknowledged: Vec<String>,
    statuses: Vec<u16>,
    missing_retry_after: usize,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_cut_off_mid_load_gives_503s_and_recovers_without_a_restart() {
    let Some(base) = require_postgres("outage::postgres_cut_off_mid_load") else {
        return;
    };
    let data = tempfile::tempdir().unwrap();
    let (proxy, through_proxy) = postgres_behind_proxy(&base, data.path()).await;
    let server = TestServer::builder()
        .data_dir(data.path())
        .database_url(Some(&through_proxy))
        .start();
    let token = server.token(Uuid::new_v4());

    let stop = Arc::new(AtomicBool::new(false));
    let observed = Arc::new(Mutex::new(Observed::default()));
    let writers: Vec<_> = (0..8)
        .map(|writer| {
            let (url, token, stop, observed) = (
                server.url(COLLECTION),
                token.clone(),
                stop.clone(),
                observed.clone(),
            );
            tokio::spawn(async move {
                let client = reqwest::Client::builder()
                    .timeout(Duration::from_secs(30))
                    .build()
                    .unwrap();
                let mut step = 0;
                while !stop.load(Ordering::SeqCst) {
                    step += 1;
                    let body = snapshot(&format!(
                        "2025-03-{:02}T00:00:{:02}Z",
                        writer + 1,
                        step % 60
                    ));
                    let response = client
                        .post(&url)
                        .bearer_auth(&token)
                        .json(&body)
                        .send()
                        .await
                        .unwrap();
                    let status = response.status();
                    let retry_after = response.headers().contains_key("retry-after");
                    let text = response.text().await.unwrap();
                    {
                        let mut observed = observed.lock().unwrap();
                        observed.statuses.push(status.as_u16());
                        if status == StatusCode::CREATED {
                            let value: serde_json::Value = serde_json::from_str(&text).unwrap();
                            observed
                                .acknowledged
                                .push(value["id"].as_str().unwrap().to_owned());
                        } else if status == StatusCode::SERVICE_UNAVAILABLE && !retry_after {
                            observed.missing_retry_after += 1;
                        }
                    }
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
            })
        })
        .collect();

    tokio::time::sleep(Duration::from_millis(700)).await;
    proxy.cut();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let ready = server
        .client
        .get(server.url("/readyz"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        ready.status(),
        StatusCode::SERVICE_UNAVAILABLE,
        "/readyz fails while the database is away"
    );
    let read = server.get(COLLECTION, &token).await;
    read.assert_error(503, "ServiceUnavailable");
    assert!(read.header("retry-after").is_some());
    tokio::time::sleep(Duration::from_millis(1500)).await;
    proxy.restore();
    // Service comes back by itself: poll (bounded) until a write succeeds again.
    let mut recovered = false;
    for _ in 0..100 {
        if server
            .post(COLLECTION, &token, &snapshot("2025-04-01T00:00:00Z"))
            .await
            .status
            == StatusCode::CREATED
        {
            recovered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(recovered, "the service did not recover without a restart");
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.store(true, Ordering::SeqCst);
    for writer in writers {
        writer.await.unwrap();
    }

    let observed = std::mem::take(&mut *observed.lock().unwrap());
    let count = |status: u16| {
        observed
            .statuses
            .iter()
            .filter(|&&seen| seen == status)
            .count()
    };
    eprintln!(
        "outage: {} acknowledged, {} answered 503, {} requests in all",
        count(201),
        count(503),
        observed.statuses.len()
    );
    let unexpected: Vec<u16> = observed
        .statuses
        .iter()
        .copied()
        .filter(|status| *status != 201 && *status != 503)
        .collect();
    assert!(
        unexpected.is_empty(),
        "statuses other than 201 and 503: {unexpected:?}"
    );
    assert!(count(503) > 0, "the cut was never felt");
    assert!(count(201) > 0);
    assert_eq!(
        observed.missing_retry_after, 0,
        "every 503 carries Retry-After"
    );
    assert_eq!(
        server
            .client
            .get(server.url("/readyz"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    for id in &observed.acknowledged {
        let reply = server.get(&entity_path(id), &token).await;
        assert_eq!(reply.status, StatusCode::OK, "acknowledged {id} was lost");
    }
}
