//! SPEC §9 throttling: `--rate-limit N` admits N requests a second per tenant and app with a
//! burst of 2N; the excess gets 429 `TooManyRequests` with `Retry-After`; other tenants are not
//! affected; without the flag nothing is throttled.

use reqwest::StatusCode;
use uuid::Uuid;

use crate::support::{TestServer, COLLECTION};

#[tokio::test]
async fn the_excess_over_the_burst_gets_429_with_retry_after() {
    let server = TestServer::builder().flags(&["--rate-limit", "2"]).start();
    let busy = server.token(Uuid::new_v4());
    let mut statuses = Vec::new();
    for _ in 0..8 {
        statuses.push(server.get(COLLECTION, &busy).await);
    }
    let admitted = statuses
        .iter()
        .filter(|reply| reply.status == StatusCode::OK)
        .count();
    assert!(
        (4..=5).contains(&admitted),
        "a burst of 2N = 4 (plus what refilled meanwhile): {admitted}"
    );
    let throttled = statuses
        .iter()
        .find(|reply| reply.status == StatusCode::TOO_MANY_REQUESTS)
        .expect("a 429");
    throttled.assert_error(429, "TooManyRequests");
    let retry_after: u64 = throttled.header("retry-after").unwrap().parse().unwrap();
    assert!(
        (1..=2).contains(&retry_after),
        "Retry-After in whole seconds: {retry_after}"
    );

    let other_tenant = server.token(Uuid::new_v4());
    assert_eq!(
        server.get(COLLECTION, &other_tenant).await.status,
        StatusCode::OK,
        "another tenant has its own bucket"
    );

    tokio::time::sleep(std::time::Duration::from_secs(retry_after)).await;
    assert_eq!(
        server.get(COLLECTION, &busy).await.status,
        StatusCode::OK,
        "admitted again after Retry-After"
    );
}

#[tokio::test]
async fn without_the_flag_nothing_is_throttled() {
    let server = TestServer::start();
    let token = server.token(Uuid::new_v4());
    for _ in 0..50 {
        assert_eq!(server.get(COLLECTION, &token).await.status, StatusCode::OK);
    }
}
