//! SPEC §6: `getAzureADLicenseUsage(period=…)` windows by instant from the request's arrival,
//! includes future-dated snapshots, answers oldest first, and pages like a collection.

use chrono::{Duration, FixedOffset, Utc};
use reqwest::StatusCode;
use uuid::Uuid;

use crate::support::{ids, snapshot, TestServer};

/// `now + offset`, written in the time zone `zone_hours` (the instant is what counts).
fn at(offset: Duration, zone_hours: i32) -> String {
    let zone = FixedOffset::east_opt(zone_hours * 3600).unwrap();
    (Utc::now() + offset)
        .with_timezone(&zone)
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn report(period: &str) -> String {
    format!("/v1.0/reports/getAzureADLicenseUsage(period='{period}')")
}

#[tokio::test]
async fn periods_window_by_instant_and_answer_oldest_first() {
    let server = TestServer::start();
    let token = server.token(Uuid::new_v4());
    let day = Duration::days(1);
    // Written at +05:00, this one reads as inside D7 on the wall clock but is an hour outside it.
    let just_outside_d7 = server
        .create(&token, &snapshot(&at(-day * 7 - Duration::hours(1), 5)))
        .await;
    let future = server.create(&token, &snapshot(&at(day, -8))).await;
    let d1 = server.create(&token, &snapshot(&at(-day, 0))).await;
    let just_inside_d7 = server
        .create(&token, &snapshot(&at(-day * 7 + Duration::minutes(10), -3)))
        .await;
    let d40 = server.create(&token, &snapshot(&at(-day * 40, 0))).await;
    let d100 = server.create(&token, &snapshot(&at(-day * 100, 0))).await;
    let d200 = server.create(&token, &snapshot(&at(-day * 200, 0))).await;
    let _ = d200;

    let d7 = server.get(&report("D7"), &token).await;
    assert_eq!(d7.status, StatusCode::OK, "{}", d7.text);
    assert_eq!(
        ids(&d7),
        vec![just_inside_d7.clone(), d1.clone(), future.clone()],
        "D7, oldest first, future included"
    );
    let d30 = server.get(&report("d30"), &token).await;
    assert_eq!(
        ids(&d30),
        vec![
            just_outside_d7.clone(),
            just_inside_d7.clone(),
            d1.clone(),
            future.clone()
        ],
        "case-insensitive period"
    );
    let d90 = server.get(&report("D90"), &token).await;
    assert_eq!(ids(&d90).first(), Some(&d40));
    assert_eq!(ids(&d90).len(), 5);
    let d180 = server.get(&report("D180"), &token).await;
    assert_eq!(ids(&d180).first(), Some(&d100));
    assert_eq!(
        ids(&d180).len(),
        6,
        "the 200-day-old snapshot is outside D180"
    );

    let count = server
        .get(&format!("{}/$count", report("D30")), &token)
        .await;
    assert_eq!(count.text, "4");
}

#[tokio::test]
async fn the_report_pages_with_a_window_fixed_by_its_first_page() {
    let server = TestServer::start();
    let token = server.token(Uuid::new_v4());
    for hours in 1..=7 {
        server
            .create(&token, &snapshot(&at(-Duration::hours(hours), 0)))
            .await;
    }
    let first = server
        .get(&format!("{}?$top=3&$count=true", report("D7")), &token)
        .await;
    assert_eq!(first.json["@odata.count"], 7);
    let mut seen = ids(&first);
    let mut next = first.json["@odata.nextLink"].as_str().map(str::to_owned);
    while let Some(link) = next {
        let page = server.follow(&link, &token).await;
        seen.extend(ids(&page));
        next = page.json["@odata.nextLink"].as_str().map(str::to_owned);
    }
    assert_eq!(seen.len(), 7);
    let unique: std::collections::HashSet<_> = seen.iter().collect();
    assert_eq!(unique.len(), 7, "every snapshot exactly once");
}
