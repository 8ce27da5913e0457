//! Test data for the benchmarks, written straight into a data directory through the store's
//! bulk insert (many tenants' batches in flight, so the writer commits them in large groups),
//! or as JSON lines for `tally import`.
//!
//! `seed store --data-dir DIR --tenants N --per-tenant M`: tenant k is
//! `00000000-0000-4000-8000-{k:012}`; each has M daily snapshots ending now, three license
//! types each. Prints `{"tenant": first tenant, "id": its newest snapshot}`.
//! `seed jsonl --count N`: N snapshots (no ids) on stdout, one a line.
//! `seed directory --out DIR --users N --skus K --spare M`: a tenant's directory for
//! `tally import`: `DIR/skus.jsonl` (K SKUs, each with units for everyone; SKU k carries the
//! AAD_PREMIUM_P2 and AAD_PREMIUM plans when k % 4 == 0, AAD_PREMIUM when 1, AAD_BASIC when 2),
//! `DIR/users.jsonl` (N users, user i holding SKU i % K and, for every third, SKU (i + 1) % K
//! too, signed in over the last 90 days, every tenth a guest), `DIR/features.jsonl` (one
//! azureADUserFeatureUsage record per user, its premium features used over the last 60 days),
//! and `DIR/spare.jsonl` (M users without licenses, ids in `DIR/spare-ids.txt`, for
//! assignLicense load). Prints the SKU ids as a JSON array.

use std::io::Write;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use tally_model::resources::LICENSE_USAGE;
use tally_model::{Collection, Entity, Item, Value};
use tally_odata::DateTimeOffset;
use tally_store::Store;
use uuid::Uuid;

#[derive(Parser, Debug)]
struct Args {
    #[command(subcommand)]
    command: Mode,
}

#[derive(Subcommand, Debug)]
enum Mode {
    Store {
        #[arg(long)]
        data_dir: std::path::PathBuf,
        #[arg(long)]
        tenants: u64,
        #[arg(long)]
        per_tenant: u64,
    },
    Jsonl {
        #[arg(long)]
        count: u64,
    },
    Directory {
        #[arg(long)]
        out: std::path::PathBuf,
        #[arg(long)]
        users: u64,
        #[arg(long)]
        skus: u64,
        #[arg(long, default_value_t = 0)]
        spare: u64,
    },
}

/// SKU k's id: fixed, so runs compare.
fn sku_id(k: u64) -> Uuid {
    Uuid::from_u128(0x5c0e_0000_0000_4000_8000_0000_0000_0000 | u128::from(k))
}

fn write_directory(out: &std::path::Path, users: u64, skus: u64, spare: u64) -> anyhow::Result<()> {
    use std::io::BufWriter;
    std::fs::create_dir_all(out)?;
    let units = users + spare;
    let mut file = BufWriter::new(std::fs::File::create(out.join("skus.jsonl"))?);
    for k in 0..skus {
        let plan = Uuid::from_u128(0x9a1a_0000_0000_4000_8000_0000_0000_0000 | u128::from(k));
        let mut plans = vec![
            serde_json::json!({ "servicePlanId": plan, "servicePlanName": format!("PLAN_{k}") }),
        ];
        for (id, name) in deciding_plans(k) {
            plans.push(serde_json::json!({ "servicePlanId": id, "servicePlanName": name }));
        }
        let line = serde_json::json!({
            "skuId": sku_id(k),
            "skuPartNumber": format!("BENCH_SKU_{k}"),
            "prepaidUnits": { "enabled": units, "suspended": 0, "warning": 0, "lockedOut": 0 },
            "servicePlans": plans,
        });
        writeln!(file, "{line}")?;
    }
    file.flush()?;
    let now = now_ticks();
    let mut file = BufWriter::new(std::fs::File::create(out.join("users.jsonl"))?);
    let mut features = BufWriter::new(std::fs::File::create(out.join("features.jsonl"))?);
    for i in 0..users {
        let mut licenses =
            vec![serde_json::json!({ "skuId": sku_id(i % skus), "disabledPlans": [] })];
        if i % 3 == 0 && skus > 1 {
            licenses
                .push(serde_json::json!({ "skuId": sku_id((i + 1) % skus), "disabledPlans": [] }));
        }
        let signed_in = DateTimeOffset::from_ticks(now - (i % 90) as i64 * DAY_TICKS);
        let line = serde_json::json!({
            "id": Uuid::from_u128(0x0de0_0000_0000_4000_8000_0000_0000_0000 | u128::from(i)),
            "userPrincipalName": format!("user{i}@bench.example"),
            "displayName": format!("User {i:06}"),
            "accountEnabled": true,
            "userType": if i % 10 == 0 { "Guest" } else { "Member" },
            "usageLocation": "US",
            "signInActivity": { "lastSignInDateTime": signed_in.as_str() },
            "assignedLicenses": licenses,
        });
        writeln!(file, "{line}")?;
        let used = |feature: &str, days: u64| {
            let at = DateTimeOffset::from_ticks(now - (days % 60) as i64 * DAY_TICKS);
            serde_json::json!({ "featureName": feature, "lastUsedDateTime": at.as_str() })
        };
        let record = serde_json::json!({
            "userId": Uuid::from_u128(0x0de0_0000_0000_4000_8000_0000_0000_0000 | u128::from(i)),
            "userPrincipalName": format!("user{i}@bench.example"),
            "lastUpdatedDateTime": DateTimeOffset::from_ticks(now).as_str(),
            "featureUsageDetails": [
                used("conditionalAccess", i),
                used("riskBasedConditionalAccess", i * 7),
                used("internetAccess", i * 13),
                used("privateAccess", i * 17),
            ],
        });
        writeln!(features, "{record}")?;
    }
    file.flush()?;
    features.flush()?;
    let mut file = BufWriter::new(std::fs::File::create(out.join("spare.jsonl"))?);
    let mut ids = BufWriter::new(std::fs::File::create(out.join("spare-ids.txt"))?);
    for i in 0..spare {
        let id = Uuid::from_u128(0x5a4e_0000_0000_4000_8000_0000_0000_0000 | u128::from(i));
        let line = serde_json::json!({
            "id": id,
            "userPrincipalName": format!("spare{i}@bench.example"),
            "usageLocation": "US",
        });
        writeln!(file, "{line}")?;
        writeln!(ids, "{id}")?;
    }
    file.flush()?;
    ids.flush()?;
    let all: Vec<Uuid> = (0..skus).map(sku_id).collect();
    println!("{}", serde_json::json!(all));
    Ok(())
}

/// The plans that give SKU k a license type (SPEC §12.3): P2 (with P1), P1, Basic, or none.
fn deciding_plans(k: u64) -> Vec<(&'static str, &'static str)> {
    const P2: (&str, &str) = ("eec0eb4f-6444-4f95-aba0-50c24d67f998", "AAD_PREMIUM_P2");
    const P1: (&str, &str) = ("41781fb2-bc02-4b7c-bd55-b576c07bb09d", "AAD_PREMIUM");
    const BASIC: (&str, &str) = ("c4da7f8a-5ee2-4c99-a7e1-87d2df57f6fe", "AAD_BASIC");
    match k % 4 {
        0 => vec![P2, P1],
        1 => vec![P1],
        2 => vec![BASIC],
        _ => Vec::new(),
    }
}

const DAY_TICKS: i64 = 86_400 * 10_000_000;

fn now_ticks() -> i64 {
    let since_epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    since_epoch.as_secs() as i64 * 10_000_000
}

/// Three licenseInfoDetails (free, premiumP1, premiumP2), as (member, counts).
fn details(seed: u64) -> Vec<(&'static str, [i32; 3])> {
    let n = (seed % 1000) as i32;
    ["free", "premiumP1", "premiumP2"]
        .into_iter()
        .enumerate()
        .map(|(index, member)| (member, [1000 + index as i32 * 100, 900 + n, 700 + n / 2]))
        .collect()
}

fn details_value(seed: u64) -> Value {
    let items = details(seed)
        .into_iter()
        .map(|(member, counts)| {
            let mut values = vec![Value::Enum(member)];
            values.extend(counts.map(Value::Int));
            Item(values)
        })
        .collect();
    Value::Collection(Collection::Items(items))
}

fn details_json(seed: u64) -> String {
    let items: Vec<serde_json::Value> = details(seed)
        .into_iter()
        .map(|(member, [total, assigned, used])| {
            serde_json::json!({
                "licenseType": member,
                "totalLicenseCount": total,
                "totalAssignedCount": assigned,
                "totalUsageCount": used,
            })
        })
        .collect();
    serde_json::Value::Array(items).to_string()
}

fn tenant(k: u64) -> Uuid {
    Uuid::from_u128(0x0000_0000_0000_4000_8000_0000_0000_0000 | u128::from(k))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    match Args::parse().command {
        Mode::Directory {
            out,
            users,
            skus,
            spare,
        } => write_directory(&out, users, skus, spare)?,
        Mode::Store {
            data_dir,
            tenants,
            per_tenant,
        } => {
            let store = Arc::new(Store::open_embedded(&data_dir)?);
            let now = now_ticks();
            let mut first = None;
            let mut tasks = tokio::task::JoinSet::new();
            for k in 0..tenants {
                let rows: Vec<Entity> = (0..per_tenant)
                    .map(|day| {
                        let at = DateTimeOffset::from_ticks(
                            now - (per_tenant - 1 - day) as i64 * DAY_TICKS,
                        );
                        Entity::new(
                            Uuid::now_v7(),
                            vec![Value::DateTimeOffset(at), details_value(k * 7 + day)],
                        )
                    })
                    .collect();
                if first.is_none() {
                    first = rows.last().map(|row| row.id);
                }
                let store = store.clone();
                let tenant = tenant(k);
                tasks.spawn(async move { store.insert_many(&LICENSE_USAGE, tenant, rows).await });
                while tasks.len() >= 64 {
                    if let Some(done) = tasks.join_next().await {
                        done??;
                    }
                }
            }
            while let Some(done) = tasks.join_next().await {
                done??;
            }
            store.shutdown();
            println!("{}", serde_json::json!({"tenant": tenant(0), "id": first}));
        }
        Mode::Jsonl { count } => {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            let now = now_ticks();
            for index in 0..count {
                let when =
                    DateTimeOffset::from_ticks(now - (count - index) as i64 * 600 * 10_000_000);
                let details = details_json(index);
                writeln!(
                    out,
                    r#"{{"snapshotDateTime":"{}","licenseInfoDetails":{details}}}"#,
                    when.as_str()
                )?;
            }
            out.flush()?;
        }
    }
    Ok(())
}
