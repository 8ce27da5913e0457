//! Test data for the benchmarks, written straight into a data directory through the store's
//! bulk insert (many tenants' batches in flight, so the writer commits them in large groups),
//! or as JSON lines for `tally import`.
//!
//! `seed store --data-dir DIR --tenants N --per-tenant M`: tenant k is
//! `00000000-0000-4000-8000-{k:012}`; each has M daily snapshots ending now, three license
//! types each. Prints `{"tenant": first tenant, "id": its newest snapshot}`.
//! `seed jsonl --count N`: N snapshots (no ids) on stdout, one a line.

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
