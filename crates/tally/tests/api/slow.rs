//! Slow clients cannot hold connections for ever: a request whose headers do not arrive within
//! the header timeout has its connection closed, and a body that does not arrive within the body
//! timeout is answered 408 in the Graph error shape.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use uuid::Uuid;

use crate::support::{TestServer, COLLECTION};

/// What arrives on `stream` until the server closes it (or `limit` passes).
fn read_until_closed(mut stream: TcpStream, limit: Duration) -> (String, Duration) {
    let started = Instant::now();
    stream.set_read_timeout(Some(limit)).unwrap();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    (
        String::from_utf8_lossy(&answer).into_owned(),
        started.elapsed(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_headers_and_slow_bodies_are_cut_off() {
    let server = TestServer::start();
    let token = server.token(Uuid::new_v4());
    let address = server.base.trim_start_matches("http://").to_owned();

    let headers = {
        let address = address.clone();
        std::thread::spawn(move || {
            let mut stream = TcpStream::connect(address).unwrap();
            stream
                .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
                .unwrap();
            read_until_closed(stream, Duration::from_secs(60))
        })
    };
    let body = std::thread::spawn(move || {
        let mut stream = TcpStream::connect(address).unwrap();
        let head = format!(
            "POST {COLLECTION} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"snapshot"
        );
        stream.write_all(head.as_bytes()).unwrap();
        read_until_closed(stream, Duration::from_secs(60))
    });

    let (_, waited) = tokio::task::block_in_place(|| headers.join().unwrap());
    assert!(
        waited < Duration::from_secs(30),
        "an incomplete request head held its connection for {waited:?}"
    );
    let (answer, waited) = tokio::task::block_in_place(|| body.join().unwrap());
    assert!(
        waited < Duration::from_secs(30),
        "an incomplete body held its connection for {waited:?}"
    );
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("\"code\":\"RequestTimeout\""), "{answer}");
}
