//! SPEC §8: several tally processes on one PostgreSQL database stay correct together: no lost
//! update under If-Match read-modify-write from 64 clients, and nextLinks that any process follows.

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use reqwest::StatusCode;
use serde_json::json;
use uuid::Uuid;

use crate::support::database::{require_postgres, schema_url};
use crate::support::{entity_path, snapshot, Reply, TestServer, COLLECTION};

const PROCESSES: usize = 3;
const CLIENTS: usize = 64;
const INCREMENTS_PER_CLIENT: usize = 2;

fn cluster(test: &str) -> Option<(tempfile::TempDir, Vec<TestServer>)> {
    let base = require_postgres(test)?;
    let data = tempfile::tempdir().unwrap();
    let url = schema_url(&base, data.path());
    let servers = (0..PROCESSES)
        .map(|_| {
            TestServer::builder()
                .data_dir(data.path())
                .database_url(Some(&url))
                .start()
        })
        .collect();
    Some((data, servers))
}

fn usage(value: &serde_json::Value) -> i64 {
    value["licenseInfoDetails"][0]["totalUsageCount"]
        .as_i64()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn if_match_increments_through_three_processes_lose_no_update() {
    let Some((_data, servers)) = cluster("cluster::if_match_increments") else {
        return;
    };
    let token = servers[0].token(Uuid::new_v4());
    let body = json!({ "snapshotDateTime": "2025-01-01T00:00:00Z", "licenseInfoDetails": [{ "licenseType": "free", "totalUsageCount": 0 }] });
    let id = servers[0].create(&token, &body).await;
    let path = entity_path(&id);
    let bases: Arc<Vec<String>> =
        Arc::new(servers.iter().map(|server| server.base.clone()).collect());
    let answered_200 = Arc::new(AtomicUsize::new(0));
    let conflicts = Arc::new(AtomicUsize::new(0));

    let clients: Vec<_> = (0..CLIENTS)
        .map(|client_index| {
            let (bases, token, path) = (bases.clone(), token.clone(), path.clone());
            let (answered_200, conflicts) = (answered_200.clone(), conflicts.clone());
            tokio::spawn(async move {
                let http = reqwest::Client::new();
                let mut done = 0;
                for attempt in 0..10_000 {
                    if done == INCREMENTS_PER_CLIENT {
                        return;
                    }
                    // A different process for the read and for the write, varying per attempt.
                    let read_base = &bases[(client_index + attempt) % PROCESSES];
                    let write_base = &bases[(client_index + attempt + 1) % PROCESSES];
                    let read = Reply::from(http.get(format!("{read_base}{path}")).bearer_auth(&token).send().await.unwrap()).await;
                    assert_eq!(read.status, StatusCode::OK, "{}", read.text);
                    let etag = read.header("etag").unwrap().to_owned();
                    let next = usage(&read.json) + 1;
                    let patch = json!({ "licenseInfoDetails": [{ "licenseType": "free", "totalUsageCount": next }] });
                    let write = http.patch(format!("{write_base}{path}")).bearer_auth(&token).header("if-match", etag).json(&patch).send().await.unwrap();
                    match write.status() {
                        StatusCode::OK => {
                            answered_200.fetch_add(1, Ordering::SeqCst);
                            done += 1;
                        }
                        StatusCode::PRECONDITION_FAILED => {
                            conflicts.fetch_add(1, Ordering::SeqCst);
                            // Back off a little, differently per client, as a real client would.
                            let pause = (client_index * 7 + attempt * 13) % 20;
                            tokio::time::sleep(std::time::Duration::from_millis(pause as u64)).await;
                        }
                        other => panic!("PATCH answered {other}"),
                    }
                }
                panic!("client {client_index} never finished");
            })
        })
        .collect();
    for client in clients {
        client.await.unwrap();
    }
    let final_value = usage(&servers[2].get(&path, &token).await.json);
    let answered_200 = answered_200.load(Ordering::SeqCst);
    eprintln!(
        "{answered_200} PATCHes answered 200, {} answered 412; final value {final_value}",
        conflicts.load(Ordering::SeqCst)
    );
    assert_eq!(answered_200, CLIENTS * INCREMENTS_PER_CLIENT);
    assert_eq!(final_value, answered_200 as i64, "a lost update");
}

#[tokio::test]
async fn a_next_link_from_one_process_is_followed_on_the_others() {
    let Some((_data, servers)) = cluster("cluster::a_next_link") else {
        return;
    };
    let token = servers[0].token(Uuid::new_v4());
    let mut created = HashSet::new();
    for day in 1..=25 {
        created.insert(
            servers[day % PROCESSES]
                .create(
                    &token,
                    &snapshot(&format!("2025-02-{:02}T00:00:00Z", day % 28 + 1)),
                )
                .await,
        );
    }
    let mut seen = Vec::new();
    let mut link = Some(servers[0].url(&format!(
        "{COLLECTION}?$top=4&$filter=snapshotDateTime ge 2025-01-01T00:00:00Z"
    )));
    let mut hop = 0;
    while let Some(url) = link {
        // Send each page's request to the next process, whatever host the link names.
        let path_and_query = url
            .splitn(4, '/')
            .nth(3)
            .map(|rest| format!("/{rest}"))
            .unwrap();
        let server = &servers[hop % PROCESSES];
        hop += 1;
        let page = Reply::from(
            server
                .client
                .get(server.url(&path_and_query))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text);
        seen.extend(
            page.json["value"]
                .as_array()
                .unwrap()
                .iter()
                .map(|item| item["id"].as_str().unwrap().to_owned()),
        );
        link = page.json["@odata.nextLink"].as_str().map(str::to_owned);
    }
    assert!(hop >= 7, "the walk crossed processes {hop} times");
    assert_eq!(seen.len(), created.len(), "every object exactly once");
    assert_eq!(seen.into_iter().collect::<HashSet<_>>(), created);
}
