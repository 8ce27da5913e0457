//! `tally price set|list|import` (SPEC §13.3) on the store a running server uses: what the
//! commands write, the API reads; a bad CSV row is reported with its line and skipped.

use reqwest::StatusCode;
use serde_json::json;
use uuid::Uuid;

use super::PRICES;
use crate::directory::{create_sku, sku, Tenant};
use crate::import_export::{stderr, tally};
use crate::support::TestServer;

const E5: &str = "06ebc4ee-1bb5-47dd-8120-11324bc54e06";
const EMS: &str = "efccb6f7-5641-4e0e-bd10-b4976e1bf68e";
const P2: &str = "84a661c4-e949-4bd2-a560-ed7766fcaf2b";
const UNKNOWN: &str = "0e000000-0000-0000-0000-00000000000e";

#[tokio::test]
async fn prices_set_and_imported_on_the_command_line_are_the_apis() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::builder().data_dir(dir.path()).shared().start();
    let tenant = Tenant::new(&server);
    let id = tenant.id.to_string();
    create_sku(&server, &tenant, &sku(E5, "SPE_E5", 10, &[])).await;
    create_sku(&server, &tenant, &sku(EMS, "EMSPREMIUM", 10, &[])).await;

    // By part number, exactly as written; by a skuId the tenant has no SKU for yet.
    let set = tally(
        dir.path(),
        &[
            "price",
            "set",
            "--tenant",
            &id,
            "--sku",
            "spe_e5",
            "--price",
            "57.10",
            "--currency",
            "USD",
        ],
    );
    assert!(set.status.success(), "{}", stderr(&set));
    let set = tally(
        dir.path(),
        &[
            "price",
            "set",
            "--tenant",
            &id,
            "--sku",
            UNKNOWN,
            "--price",
            "1200",
            "--currency",
            "EUR",
            "--per",
            "year",
        ],
    );
    assert!(set.status.success(), "{}", stderr(&set));
    let read = server.get(&format!("{PRICES}/{E5}"), &tenant.token).await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.text);
    assert_eq!(read.json["unitPrice"], json!(57.1));
    assert_eq!(read.json["billingPeriod"], "month");

    // A part number the tenant lacks but Microsoft's product table knows: AAD_PREMIUM_P2.
    let set = tally(
        dir.path(),
        &[
            "price",
            "set",
            "--tenant",
            &id,
            "--sku",
            "AAD_PREMIUM_P2",
            "--price",
            "9",
            "--currency",
            "USD",
        ],
    );
    assert!(set.status.success(), "{}", stderr(&set));
    let p2 = server.get(&format!("{PRICES}/{P2}"), &tenant.token).await;
    assert_eq!(p2.status, StatusCode::OK, "{}", p2.text);
    let deleted = server
        .delete(&format!("{PRICES}/{P2}"), &tenant.token)
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);

    // Refused as the API refuses: five decimals, a lower-case currency, an unknown part number.
    for (price, currency, sku) in [
        ("1.23456", "USD", "SPE_E5"),
        ("1", "usd", "SPE_E5"),
        ("1", "USD", "NOPE"),
    ] {
        let refused = tally(
            dir.path(),
            &[
                "price",
                "set",
                "--tenant",
                &id,
                "--sku",
                sku,
                "--price",
                price,
                "--currency",
                currency,
            ],
        );
        assert!(!refused.status.success(), "{price} {currency} {sku}");
    }

    let file = dir.path().join("prices.csv");
    std::fs::write(
        &file,
        "skuPartNumber,unitPrice,currency,billingPeriod\n\
         EMSPREMIUM,16.40,USD,month\n\
         SPE_E5,abc,USD,month\n\
         NOPE,1,USD,month\n\
         SPE_E5,684,USD,year\n\
         SPE_E5,1\n",
    )
    .unwrap();
    let imported = tally(
        dir.path(),
        &["price", "import", file.to_str().unwrap(), "--tenant", &id],
    );
    let messages = stderr(&imported);
    assert!(!imported.status.success(), "refused rows fail the command");
    for line in [3, 4, 6] {
        assert!(
            messages.contains(&format!("prices.csv:{line}: ")),
            "line {line}: {messages}"
        );
    }
    assert!(
        !messages.contains("prices.csv:2:") && !messages.contains("prices.csv:5:"),
        "{messages}"
    );

    let listed = server.get(PRICES, &tenant.token).await;
    let mut prices: Vec<(String, String, String)> = listed.json["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["skuId"].as_str().unwrap().to_owned(),
                p["unitPrice"].to_string(),
                p["billingPeriod"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    prices.sort();
    // In skuId order: E5 (06eb…), the unknown SKU (0e00…), EMS (efcc…); the last row of E5 won.
    let expected = [
        (E5, "684", "year"),
        (UNKNOWN, "1200", "year"),
        (EMS, "16.4", "month"),
    ];
    let expected: Vec<(String, String, String)> = expected
        .iter()
        .map(|(id, price, period)| ((*id).to_owned(), (*price).to_owned(), (*period).to_owned()))
        .collect();
    assert_eq!(prices, expected);

    let list = tally(dir.path(), &["price", "list", "--tenant", &id]);
    assert!(list.status.success(), "{}", stderr(&list));
    let text = String::from_utf8(list.stdout).unwrap();
    assert!(
        text.contains(&format!("{E5}\tSPE_E5\t684\tUSD\tyear")),
        "{text}"
    );
    assert!(
        text.contains(&format!("{UNKNOWN}\t-\t1200\tEUR\tyear")),
        "{text}"
    );
    // Another tenant's list is empty but for its header.
    let other = Uuid::new_v4().to_string();
    let list = tally(dir.path(), &["price", "list", "--tenant", &other]);
    assert_eq!(String::from_utf8(list.stdout).unwrap().lines().count(), 1);
}
