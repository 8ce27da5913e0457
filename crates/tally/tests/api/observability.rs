//! `/metrics`, request-scoped JSON logs, and `serve --config FILE` (SPEC §11).

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::Value;
use tally_server::auth::{mint_token, LocalKey};
use uuid::Uuid;

use crate::support::{
    app_token, database, entity_path, snapshot, TestServer, COLLECTION, READ_WRITE_ALL,
};

/// The value of the sample `name{labels}` (labels in the exporter's order), 0 if absent.
fn sample(scrape: &str, name: &str, labels: &str) -> f64 {
    let key = if labels.is_empty() {
        name.to_owned()
    } else {
        format!("{name}{{{labels}}}")
    };
    scrape
        .lines()
        .find_map(|line| line.strip_prefix(&key)?.strip_prefix(' '))
        .map_or(0.0, |value| value.trim().parse().expect("a number"))
}

async fn scrape(server: &TestServer) -> String {
    server.fetch_public("/metrics", "text/plain").await
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_status_and_commits() {
    let server = TestServer::start();
    let token = server.token(Uuid::new_v4());
    let before = scrape(&server).await;

    let id = server
        .create(&token, &snapshot("2026-11-01T00:00:00Z"))
        .await;
    server
        .create(&token, &snapshot("2026-11-02T00:00:00Z"))
        .await;
    assert_eq!(
        server.get(&entity_path(&id), &token).await.status,
        StatusCode::OK
    );
    let missing = entity_path(&Uuid::new_v4().to_string());
    assert_eq!(
        server.get(&missing, &token).await.status,
        StatusCode::NOT_FOUND
    );
    server.get(COLLECTION, &token).await;
    server
        .get("/beta/reports/getAzureADLicenseUsage(period='D7')", &token)
        .await;
    server.get(COLLECTION, "not-a-token").await;

    let after = scrape(&server).await;
    let moved = |labels: &str| {
        sample(&after, "tally_http_requests_total", labels)
            - sample(&before, "tally_http_requests_total", labels)
    };
    assert_eq!(
        moved(r#"route="collection",method="POST",status="201""#),
        2.0
    );
    assert_eq!(moved(r#"route="entity",method="GET",status="200""#), 1.0);
    assert_eq!(moved(r#"route="entity",method="GET",status="404""#), 1.0);
    assert_eq!(
        moved(r#"route="collection",method="GET",status="200""#),
        1.0
    );
    assert_eq!(
        moved(r#"route="collection",method="GET",status="401""#),
        1.0
    );
    assert_eq!(moved(r#"route="function",method="GET",status="200""#), 1.0);
    assert!(
        sample(
            &after,
            "tally_http_requests_total",
            r#"route="metrics",method="GET",status="200""#
        ) >= 1.0
    );

    let latency = r#"route="entity",method="GET""#;
    assert_eq!(
        sample(&after, "tally_http_request_duration_seconds_count", latency)
            - sample(
                &before,
                "tally_http_request_duration_seconds_count",
                latency
            ),
        2.0
    );
    assert!(sample(&after, "tally_http_request_duration_seconds_sum", latency) > 0.0);
    assert!(after.contains("# TYPE tally_http_request_duration_seconds histogram"));
    assert!(after.contains(
        r#"tally_http_request_duration_seconds_bucket{route="entity",method="GET",le="+Inf"}"#
    ));

    // Labels name routes, never ids or raw paths.
    assert!(!after.contains(&id), "an id in a label");
    assert!(
        !after.contains("azureADLicenseUsage"),
        "a raw path in a label"
    );

    // The embedded store's group commits (PostgreSQL has no group commit).
    if !database::suite_on_postgres() {
        let commits = sample(&after, "tally_store_commit_batch_size_count", "")
            - sample(&before, "tally_store_commit_batch_size_count", "");
        assert_eq!(commits, 2.0, "one commit per sequential write");
        assert!(sample(&after, "tally_store_commit_batch_size_sum", "") >= 2.0);
        assert!(after.contains(r#"tally_store_commit_batch_size_bucket{le="1"}"#));
    }
}

/// Starts `tally serve` with `args` and `env`, answers the child and its base URL (None if it
/// exited before printing its address), with stderr piped.
fn spawn(args: &[&str], env: &[(&str, &str)], dir: &Path) -> (Child, Option<String>) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tally"));
    command.arg("serve").args(args).current_dir(dir);
    for (name, _) in std::env::vars() {
        if name.starts_with("TALLY_") {
            command.env_remove(name);
        }
    }
    let mut child = command
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("tally starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line.trim().strip_prefix("listening on ").map(str::to_owned);
    (child, base)
}

fn stop(mut child: Child) {
    let _ = child.kill();
    let _ = child.wait();
}

#[tokio::test]
async fn json_logs_carry_the_request_ids_on_every_request() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (mut child, base) = spawn(
        &[
            "--listen",
            "127.0.0.1:0",
            "--in-memory",
            "--log-format",
            "json",
        ],
        &[
            ("TALLY_DATA_DIR", data.to_str().unwrap()),
            ("TALLY_LOG", "tally_server=debug"),
        ],
        dir.path(),
    );
    let base = base.expect("tally serves");
    let stderr = child.stderr.take().unwrap();
    let (lines, received) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if lines.send(line).is_err() {
                break;
            }
        }
    });

    let token = mint_token(
        &LocalKey::load_or_create(&data).unwrap(),
        &app_token(Uuid::new_v4(), &[READ_WRITE_ALL]),
    )
    .unwrap();
    let response = reqwest::Client::new()
        .get(format!("{base}{COLLECTION}"))
        .bearer_auth(&token)
        .header("client-request-id", "my-client-id-42")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let request_id = response.headers()["request-id"]
        .to_str()
        .unwrap()
        .to_owned();

    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let event = loop {
        let line = received
            .recv_timeout(deadline.saturating_duration_since(std::time::Instant::now()))
            .expect("a log line for the request");
        let event: Value =
            serde_json::from_str(&line).unwrap_or_else(|_| panic!("every line is JSON: {line}"));
        if event["span"]["request_id"] == request_id.as_str() {
            break event;
        }
    };
    stop(child);
    assert_eq!(event["span"]["client_request_id"], "my-client-id-42");
    assert_eq!(event["span"]["method"], "GET");
    assert_eq!(event["span"]["path"], COLLECTION);
    assert_eq!(event["fields"]["status"], 200);
    assert!(event["timestamp"].is_string() && event["level"].is_string());
}

/// The service document's `@odata.context`, which starts with the public URL.
async fn context_url(base: &str, data: &Path) -> String {
    let token = mint_token(
        &LocalKey::load_or_create(data).unwrap(),
        &app_token(Uuid::new_v4(), &[READ_WRITE_ALL]),
    )
    .unwrap();
    let body: Value = reqwest::Client::new()
        .get(format!("{base}/v1.0/"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["@odata.context"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_config_file_sets_the_serve_flags_below_env_and_flags() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("from-file");
    let config = dir.path().join("tally.toml");
    let mut file = std::fs::File::create(&config).unwrap();
    writeln!(
        file,
        "# as the flags, in either spelling\nlisten = \"127.0.0.1:0\"\ndata_dir = {data:?}\npublic-url = \"http://file.example\"\nin-memory = true\nrate-limit = 1000\naudience = [\"api://one\", \"api://two\"]\nlog-format = \"json\""
    )
    .unwrap();
    let config = config.to_str().unwrap();

    // The file alone: its data directory, its public URL, nothing on disk but the key.
    let (child, base) = spawn(&["--config", config], &[], dir.path());
    let base = base.expect("tally serves with the file's settings");
    assert_eq!(
        context_url(&base, &data).await,
        "http://file.example/v1.0/$metadata"
    );
    stop(child);
    assert!(data.join("signing-key.pem").exists());
    assert!(
        !data.join("tally.sqlite3").exists(),
        "in-memory from the file"
    );

    // The environment beats the file; TALLY_CONFIG works as the flag does.
    let env = [
        ("TALLY_CONFIG", config),
        ("TALLY_PUBLIC_URL", "http://env.example"),
    ];
    let (child, base) = spawn(&[], &env, dir.path());
    let base = base.expect("tally serves");
    assert_eq!(
        context_url(&base, &data).await,
        "http://env.example/v1.0/$metadata"
    );
    stop(child);

    // A flag beats both.
    let (child, base) = spawn(&["--public-url", "http://flag.example"], &env, dir.path());
    let base = base.expect("tally serves");
    assert_eq!(
        context_url(&base, &data).await,
        "http://flag.example/v1.0/$metadata"
    );
    stop(child);
}

#[tokio::test]
async fn a_config_file_with_an_unknown_key_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("tally.toml");
    std::fs::write(&config, "listen = \"127.0.0.1:0\"\nlisten_port = 8080\n").unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_tally"))
        .args(["serve", "--config"])
        .arg(&config)
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("unknown key 'listen_port'"), "{stderr}");
    assert!(output.stdout.is_empty(), "nothing served");
}
