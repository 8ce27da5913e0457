//! Clients that hang up mid-request cost the server nothing lasting: the embedded store's read
//! connections go back to their pool even when the request waiting on a read is dropped (a bug
//! found by the benchmark: after four such hang-ups every read failed with a 500).

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;
use uuid::Uuid;

use crate::support::{TestServer, COLLECTION};

#[tokio::test]
async fn reads_cancelled_by_hung_up_clients_leave_the_reader_pool_whole() {
    let server = TestServer::start();
    let tenant = Uuid::new_v4();
    let token = server.token(tenant);
    for day in 1..=20 {
        let body = json!({"snapshotDateTime": format!("2026-11-{day:02}T00:00:00Z")});
        server.create(&token, &body).await;
    }
    let url = server.url(&format!("{COLLECTION}?$top=999"));
    for timeout_micros in [200, 500, 1000, 2000, 5000] {
        let impatient = reqwest::Client::builder()
            .timeout(Duration::from_micros(timeout_micros))
            .build()
            .unwrap();
        let mut requests = tokio::task::JoinSet::new();
        for _ in 0..64 {
            let request = impatient.get(&url).bearer_auth(&token).send();
            requests.spawn(async move { drop(request.await) });
        }
        while requests.join_next().await.is_some() {}
    }
    // Let the server notice the closed connections and finish what it had started.
    tokio::time::sleep(Duration::from_millis(200)).await;
    for _ in 0..16 {
        let reply = server.get(COLLECTION, &token).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    }
}
