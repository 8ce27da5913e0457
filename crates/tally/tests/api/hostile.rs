//! Hostile input (issue: reliability and security): thousands of generated malformed requests —
//! bodies, URLs, query options, headers, tokens and raw HTTP — must get 4xx answers in the Graph
//! error shape, never a 5xx, and the server must still be up and correct afterwards.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::support::{entity_path, snapshot, urlencode, Reply, TestServer, COLLECTION};

/// A small deterministic generator (xorshift), so a failure names a reproducible case.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const FRAGMENTS: &[&str] = &[
    "eq",
    "ne",
    "gt",
    "and",
    "or",
    "not",
    "(",
    ")",
    "'",
    "''",
    "any(",
    "all(",
    "d:",
    "d/",
    "/",
    "$count",
    "licenseInfoDetails",
    "snapshotDateTime",
    "id",
    "null",
    "true",
    "2020-01-01T00:00:00Z",
    "9999999999999999999999",
    "-1",
    "1.5",
    "microsoft.graph.azureADLicenseType'",
    "in (",
    ",",
    " ",
    "%",
    "%FF",
    "%00",
    "\u{0}",
    "é",
    "💥",
    "\\",
    "'premiumP2'",
    "licenseType",
    "totalUsageCount",
    "any()",
    "$it",
    "@p",
    "=",
    "&",
    "#",
    "?",
];

fn fragmentary(dice: &mut Dice, pieces: usize) -> String {
    (0..pieces).map(|_| *dice.pick(FRAGMENTS)).collect()
}

/// A body near a valid one: mutated bytes, cut short, deep, huge, odd types, duplicate keys.
fn hostile_body(dice: &mut Dice) -> Vec<u8> {
    let valid = json!({ "snapshotDateTime": "2021-01-01T00:00:00Z", "licenseInfoDetails": [
        { "licenseType": "free", "totalLicenseCount": 1, "totalAssignedCount": 2, "totalUsageCount": 3 } ] })
    .to_string()
    .into_bytes();
    match dice.below(8) {
        0 => {
            let mut bytes = valid;
            for _ in 0..=dice.below(4) {
                let at = dice.below(bytes.len());
                bytes[at] = (dice.next() & 0xff) as u8;
            }
            bytes
        }
        1 => valid[..dice.below(valid.len())].to_vec(),
        2 => {
            let depth = 1 + dice.below(5000);
            format!("{}{}", "[".repeat(depth), "]".repeat(dice.below(depth + 1))).into_bytes()
        }
        3 => format!("{{\"snapshotDateTime\":\"2021-01-01T00:00:00Z\",\"licenseInfoDetails\":[{{\"licenseType\":\"free\",\"totalUsageCount\":{}}}]}}", fragmentary(dice, 1)).into_bytes(),
        4 => {
            let value = dice.pick(&[json!(null), json!([]), json!({}), json!(1e308), json!(-0), json!("x".repeat(5000)), json!([[[]]]), json!(true)]).clone();
            let key = *dice.pick(&["snapshotDateTime", "licenseInfoDetails", "id", "@odata.type", "", "\u{0}"]);
            json!({ key: value }).to_string().into_bytes()
        }
        5 => br#"{"snapshotDateTime":"2021-01-01T00:00:00Z","snapshotDateTime":"2021-01-01T00:00:00Z"}"#.to_vec(),
        6 => (0..dice.below(200)).map(|_| (dice.next() & 0xff) as u8).collect(),
        _ => format!("{{\"snapshotDateTime\":\"{}\"}}", fragmentary(dice, 2)).into_bytes(),
    }
}

/// A URL under the API with odd segments, keys, functions and query options.
fn hostile_url(dice: &mut Dice, id: &str) -> String {
    let path = match dice.below(7) {
        0 => format!(
            "/v1.0/reports/azureADLicenseUsage/{}",
            urlencode(&fragmentary(dice, 3))
        ),
        1 => format!(
            "/v1.0/reports/azureADLicenseUsage('{}')",
            fragmentary(dice, 2).replace('#', "%23").replace('?', "%3F")
        ),
        2 => format!(
            "/v1.0/reports/getAzureADLicenseUsage({})",
            urlencode(&fragmentary(dice, 3))
        ),
        3 => format!(
            "/v1.0/{}",
            [
                "%FF",
                "%00",
                "..",
                "%2e%2e",
                "reports/../$metadata",
                "$batch/x",
                "reports/x/y/z"
            ][dice.below(7)]
        ),
        4 => format!(
            "/beta/reports/azureADLicenseUsage/{id}/{}",
            urlencode(&fragmentary(dice, 1))
        ),
        5 => format!(
            "/v1.0/reports/azureADLicenseUsage/{}",
            "a".repeat(dice.below(20_000))
        ),
        _ => COLLECTION.to_owned(),
    };
    let option = *dice.pick(&[
        "$filter",
        "$orderby",
        "$select",
        "$top",
        "$skip",
        "$count",
        "$skiptoken",
        "$expand",
        "$FILTER",
        "$",
        "$search",
    ]);
    let value = match dice.below(3) {
        0 => {
            let pieces = 1 + dice.below(12);
            urlencode(&fragmentary(dice, pieces))
        }
        1 => fragmentary(dice, 3).replace(['#', '&', ' '], ""),
        _ => urlencode(&"(".repeat(dice.below(3000))),
    };
    format!("{path}?{option}={value}")
}

fn hostile_token(dice: &mut Dice, valid: &str) -> String {
    match dice.below(5) {
        0 => valid[..dice.below(valid.len())].to_owned(),
        1 => {
            let mut bytes = valid.as_bytes().to_vec();
            let at = dice.below(bytes.len());
            bytes[at] = *dice.pick(b"A_-.=+/ xZ0");
            String::from_utf8_lossy(&bytes).into_owned()
        }
        2 => format!(
            "{}.{}.{}",
            fragmentary(dice, 2),
            fragmentary(dice, 2),
            fragmentary(dice, 1)
        ),
        3 => format!("{valid}.{valid}"),
        _ => "x".repeat(dice.below(20_000)),
    }
}

const CONTENT_TYPES: [&str; 6] = [
    "application/json",
    "text/plain",
    "application/json;charset=x",
    "",
    "*/*",
    "multipart/form-data; boundary=x",
];

/// One generated request: method, URL, body, Content-Type, Authorization, one more header.
struct Generated(
    Method,
    String,
    Option<Vec<u8>>,
    &'static str,
    String,
    Option<(&'static str, String)>,
);

/// Asserts a 4xx (or 2xx/3xx) answer, with the Graph error shape for every error.
fn check(case: &str, status: u16, body: &str) {
    assert!(status < 500, "{case}: answered {status}: {body}");
    if status >= 400 {
        let value: Value = serde_json::from_str(body)
            .unwrap_or_else(|_| panic!("{case}: {status} without a JSON body: {body:?}"));
        assert!(
            value["error"]["code"].is_string() && value["error"]["message"].is_string(),
            "{case}: not Graph's shape: {body}"
        );
        assert!(
            value["error"]["innerError"]["request-id"].is_string(),
            "{case}: no innerError: {body}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_thousand_malformed_requests_get_graph_shaped_4xx_and_the_server_survives() {
    let server = TestServer::start();
    let token = server.token(Uuid::new_v4());
    // Mutated bodies may turn out valid, so writes aim at a victim; the precious object only gets
    // reads and empty PATCHes, and must come through unchanged.
    let id = server
        .create(&token, &snapshot("2021-01-01T00:00:00Z"))
        .await;
    let victim = server
        .create(&token, &snapshot("2021-01-02T00:00:00Z"))
        .await;
    let before = server.get(&entity_path(&id), &token).await.text;
    let mut dice = Dice(0x7a11_5eed);
    let mut sent = 0;

    for round in 0..2_000 {
        let kind = round % 5;
        let Generated(method, url, body, content_type, authorization, extra) = match kind {
            0 => Generated(dice.pick(&[Method::POST, Method::PATCH]).clone(), if dice.below(2) == 0 { COLLECTION.to_owned() } else { entity_path(&victim) }, Some(hostile_body(&mut dice)), "application/json", format!("Bearer {token}"), None),
            1 => Generated(Method::GET, hostile_url(&mut dice, &id), None, "application/json", format!("Bearer {token}"), None),
            2 => {
                let header = *dice.pick(&["if-match", "if-none-match", "prefer", "client-request-id", "content-type", "accept"]);
                let pieces = 1 + dice.below(6);
                let value = fragmentary(&mut dice, pieces).replace(['\u{0}', '\r', '\n'], "");
                Generated(dice.pick(&[Method::GET, Method::PATCH]).clone(), entity_path(&id), Some(b"{}".to_vec()), CONTENT_TYPES[dice.below(CONTENT_TYPES.len())], format!("Bearer {token}"), Some((header, value)))
            }
            3 => Generated(Method::GET, COLLECTION.to_owned(), None, "application/json", format!("{} {}", dice.pick(&["Bearer", "bearer", "Basic", "", "Bearer  "]), hostile_token(&mut dice, &token)), None),
            _ => Generated(dice.pick(&[Method::POST, Method::PUT, Method::OPTIONS, Method::HEAD, Method::TRACE]).clone(), format!("/v1.0/$batch?{}", fragmentary(&mut dice, 1)), Some(json!({ "requests": [{ "id": fragmentary(&mut dice, 1), "method": fragmentary(&mut dice, 1), "url": fragmentary(&mut dice, 2), "dependsOn": [fragmentary(&mut dice, 1)] }] }).to_string().into_bytes()), "application/json", format!("Bearer {token}"), None),
        };
        let mut request = server
            .client
            .request(method.clone(), server.url(&url))
            .header("authorization", authorization);
        if !content_type.is_empty() {
            request = request.header("content-type", content_type);
        }
        if let Some((name, value)) = extra {
            request = request.header(name, value);
        }
        if let Some(body) = body {
            request = request.body(body);
        }
        let case = format!("round {round} ({method} {})", &url[..url.len().min(120)]);
        match request.send().await {
            Ok(response) => {
                let status = response.status().as_u16();
                let head = method == Method::HEAD;
                let body = response.text().await.unwrap_or_default();
                if !head {
                    check(&case, status, &body);
                } else {
                    assert!(status < 500, "{case}: {status}");
                }
            }
            // A client-side refusal (an invalid header value) never reached the server.
            Err(error) if error.is_builder() => continue,
            Err(error) => panic!("{case}: {error}"),
        }
        sent += 1;
    }
    assert!(sent >= 2_000 - 50, "only {sent} requests were sent");
    let raw = raw_http(&server);
    eprintln!("hostile: {sent} HTTP requests and {raw} raw HTTP exchanges, no 5xx");

    assert_eq!(
        server.get(&entity_path(&id), &token).await.text,
        before,
        "the object is intact"
    );
    assert_eq!(
        server.get(&entity_path(&victim), &token).await.status,
        StatusCode::OK,
        "the victim is still readable"
    );
}

/// Raw HTTP that no client library would send. Requests hyper cannot parse get its own bare
/// 4xx (they never reach tally's code); everything else gets a Graph error. Never a 5xx, never
/// a crash.
fn raw_http(server: &TestServer) -> usize {
    let address = server.base.trim_start_matches("http://").to_owned();
    let cases: Vec<Vec<u8>> = vec![
        b"GET\r\n\r\n".to_vec(),
        b"GARBAGE / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".to_vec(),
        b"GET /v1.0/ HTTP/9.9\r\nHost: x\r\nConnection: close\r\n\r\n".to_vec(),
        b"GET /v1.0/ HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n".to_vec(),
        format!("GET /v1.0/ HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n", "a".repeat(200_000)).into_bytes(),
        format!("GET /v1.0/ HTTP/1.1\r\nHost: x\r\n{}\r\n", "X-Many: 1\r\n".repeat(500)).into_bytes(),
        b"POST /v1.0/reports/azureADLicenseUsage HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\nzz\r\n{}\r\n0\r\n\r\n".to_vec(),
        b"POST /v1.0/reports/azureADLicenseUsage HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\nContent-Length: 11\r\n\r\n{}".to_vec(),
        b"POST /v1.0/reports/azureADLicenseUsage HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n".to_vec(),
        b"GET /v1.0/%ZZ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".to_vec(),
        b"GET /v1.0/\xff\xfe HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".to_vec(),
        b"GET http://evil.example/v1.0/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".to_vec(),
        b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03".to_vec(),
        vec![0; 64],
    ];
    for (index, bytes) in cases.iter().enumerate() {
        let mut stream = TcpStream::connect(&address).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_millis(1500)))
            .unwrap();
        let _ = stream.write_all(bytes);
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer);
        let text = String::from_utf8_lossy(&answer);
        if let Some(status) = text
            .split_whitespace()
            .nth(1)
            .and_then(|code| code.parse::<u16>().ok())
        {
            assert!(status < 500, "raw case {index}: {status}: {text}");
            if let Some(body) = text
                .split("\r\n\r\n")
                .nth(1)
                .filter(|body| !body.is_empty() && status >= 400)
            {
                if body.trim_start().starts_with('{') {
                    check(&format!("raw case {index}"), status, body);
                }
            }
        }
    }
    cases.len()
}

#[tokio::test]
async fn json_and_filter_depth_and_url_length_have_limits() {
    let server = TestServer::start();
    let token = server.token(Uuid::new_v4());
    let deep_json = format!(
        "{{\"licenseInfoDetails\":{}{}}}",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let reply = Reply::from(
        server
            .client
            .post(server.url(COLLECTION))
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body(deep_json)
            .send()
            .await
            .unwrap(),
    )
    .await;
    reply.assert_error(400, "BadRequest");
    let deep_filter = format!("{}id eq 'x'{}", "(".repeat(200), ")".repeat(200));
    server
        .get(
            &format!("{COLLECTION}?$filter={}", urlencode(&deep_filter)),
            &token,
        )
        .await
        .assert_error(400, "BadRequest");
    let long_filter = format!("id eq '{}'", "x".repeat(5_000));
    server
        .get(
            &format!("{COLLECTION}?$filter={}", urlencode(&long_filter)),
            &token,
        )
        .await
        .assert_error(400, "BadRequest");
    let long_url = format!("{COLLECTION}?foo={}", "x".repeat(10_000));
    server
        .get(&long_url, &token)
        .await
        .assert_error(414, "RequestUriTooLong");
}
