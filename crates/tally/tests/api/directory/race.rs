//! The invariant that makes the directory worth using: however many assignLicense calls race,
//! a SKU's consumedUnits never exceeds its units and equals its number of holders — on one
//! process (the suite's backend), and on three processes sharing PostgreSQL.

use std::sync::Arc;

use reqwest::StatusCode;
use serde_json::json;

use super::{add, consumed, create_sku, holders, remove, sku, Tenant, E5, P2};
use crate::support::database::{require_postgres, schema_url};
use crate::support::TestServer;

const UNITS: i64 = 10;
const USERS: usize = 48;

/// Creates `USERS` users, then has them all ask for E5 at once (and, for half of them, P2 in
/// the same request) through `bases` in turn; answers how many assignments succeeded.
async fn race(bases: &[String], server: &TestServer, tenant: &Tenant) -> usize {
    create_sku(server, tenant, &sku(E5, "SPE_E5", UNITS, &[])).await;
    create_sku(server, tenant, &sku(P2, "AAD_PREMIUM_P2", UNITS * 2, &[])).await;
    let mut users = Vec::new();
    for index in 0..USERS {
        let body = json!({
            "userPrincipalName": format!("racer{index}@contoso.example"),
            "usageLocation": "NL",
        });
        let reply = server.post("/v1.0/users", &tenant.token, &body).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
        users.push(reply.json["id"].as_str().unwrap().to_owned());
    }
    let bases = Arc::new(bases.to_vec());
    let tasks: Vec<_> = users
        .into_iter()
        .enumerate()
        .map(|(index, id)| {
            let (bases, token) = (bases.clone(), tenant.token.clone());
            tokio::spawn(async move {
                let base = &bases[index % bases.len()];
                let body = if index % 2 == 0 {
                    json!({ "addLicenses": [{ "skuId": E5 }, { "skuId": P2 }], "removeLicenses": [] })
                } else {
                    add(E5)
                };
                let response = reqwest::Client::new()
                    .post(format!("{base}/v1.0/users/{id}/assignLicense"))
                    .bearer_auth(token)
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                let status = response.status();
                let text = response.text().await.unwrap();
                assert!(
                    status == StatusCode::OK
                        || (status == StatusCode::BAD_REQUEST
                            && text.contains("does not have any available licenses")),
                    "{status}: {text}"
                );
                status == StatusCode::OK
            })
        })
        .collect();
    let mut succeeded = 0;
    for task in tasks {
        succeeded += usize::from(task.await.unwrap());
    }
    succeeded
}

/// After a race: every unit taken, by exactly as many holders, and P2 only with E5 (atomic).
async fn check_invariant(server: &TestServer, tenant: &Tenant, succeeded: usize) {
    assert_eq!(succeeded as i64, UNITS, "exactly the units were assigned");
    assert_eq!(consumed(server, tenant, E5).await, UNITS);
    assert_eq!(holders(server, tenant, E5).await, UNITS);
    let p2 = consumed(server, tenant, P2).await;
    assert_eq!(holders(server, tenant, P2).await, p2);
    let p2_without_e5 = server
        .get(
            &format!(
                "/v1.0/users/$count?$filter=assignedLicenses/any(x:x/skuId eq {P2}) and not assignedLicenses/any(x:x/skuId eq {E5})"
            ),
            &tenant.token,
        )
        .await;
    assert_eq!(p2_without_e5.text, "0", "an assignment is all or nothing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_assignments_never_oversell_a_sku() {
    let server = TestServer::start();
    let tenant = Tenant::new(&server);
    let succeeded = race(std::slice::from_ref(&server.base), &server, &tenant).await;
    check_invariant(&server, &tenant, succeeded).await;

    // Removals and additions racing keep the count equal to the holders too.
    let holders_page = server
        .get(
            &format!("/v1.0/users?$select=id&$filter=assignedLicenses/any(x:x/skuId eq {E5})"),
            &tenant.token,
        )
        .await;
    let held: Vec<String> = crate::support::ids(&holders_page);
    let waiting = server
        .get(
            &format!("/v1.0/users?$select=id&$top=20&$filter=not assignedLicenses/any(x:x/skuId eq {E5})"),
            &tenant.token,
        )
        .await;
    let waiting: Vec<String> = crate::support::ids(&waiting);
    let mut tasks = Vec::new();
    for (index, id) in held.iter().chain(waiting.iter()).enumerate() {
        let (base, token, id) = (server.base.clone(), tenant.token.clone(), id.clone());
        let body = if index < held.len() {
            remove(E5)
        } else {
            add(E5)
        };
        tasks.push(tokio::spawn(async move {
            reqwest::Client::new()
                .post(format!("{base}/v1.0/users/{id}/assignLicense"))
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap()
                .status()
        }));
    }
    for task in tasks {
        let status = task.await.unwrap();
        assert!(status == StatusCode::OK || status == StatusCode::BAD_REQUEST);
    }
    let now = consumed(&server, &tenant, E5).await;
    assert!(now <= UNITS, "{now}");
    assert_eq!(holders(&server, &tenant, E5).await, now);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_assignments_through_three_processes_on_postgres_never_oversell() {
    let Some(base) = require_postgres("directory::race::three_processes") else {
        return;
    };
    let data = tempfile::tempdir().unwrap();
    let url = schema_url(&base, data.path());
    let servers: Vec<TestServer> = (0..3)
        .map(|_| {
            TestServer::builder()
                .data_dir(data.path())
                .database_url(Some(&url))
                .start()
        })
        .collect();
    let tenant = Tenant::new(&servers[0]);
    let bases: Vec<String> = servers.iter().map(|server| server.base.clone()).collect();
    let succeeded = race(&bases, &servers[0], &tenant).await;
    check_invariant(&servers[1], &tenant, succeeded).await;
}
