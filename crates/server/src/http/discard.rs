//! A refused request's body: the answer goes out at once, and whatever the client still sends
//! is read and dropped for a moment in the background (no slot held, nothing kept), so that a
//! client that sends its whole body before reading gets the answer rather than a connection
//! reset by unread data. A client that asked to be told first (`Expect: 100-continue`) is not
//! invited to send it.

use std::time::Duration;

use axum::body::Body;
use axum::http::{header, HeaderMap};
use http_body_util::BodyExt;

/// How long, and how much of, a refused body is still read and dropped.
const DRAIN_TIME: Duration = Duration::from_secs(1);
const DRAIN_BYTES: u64 = 16 * 1024 * 1024;

/// The `Content-Length` the client declared, if any and readable.
pub fn declared_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().parse::<u64>().ok())
}

/// Drops `body` unread if the client waits for an interim answer before sending it, else reads
/// and drops it briefly on a task of its own.
pub fn discard(headers: &HeaderMap, body: Body) {
    let waits_for_continue = headers
        .get(header::EXPECT)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.trim().eq_ignore_ascii_case("100-continue"));
    if waits_for_continue {
        return;
    }
    tokio::spawn(drain(body));
}

async fn drain(mut body: Body) {
    let deadline = tokio::time::Instant::now() + DRAIN_TIME;
    let mut seen: u64 = 0;
    while seen <= DRAIN_BYTES {
        match tokio::time::timeout_at(deadline, body.frame()).await {
            Ok(Some(Ok(frame))) => {
                if let Ok(data) = frame.into_data() {
                    seen += data.len() as u64;
                }
            }
            _ => break,
        }
    }
}
