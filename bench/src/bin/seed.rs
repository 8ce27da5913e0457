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
use tally_model::{LicenseInfoDetail, LicenseType, LicenseUsage};
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

fn details(seed: u64) -> Vec<LicenseInfoDetail> {
    let n = (seed % 1000) as i32;
    [
        LicenseType::Free,
        LicenseType::PremiumP1,
        LicenseType::PremiumP2,
    ]
    .into_iter()
    .enumerate()
    .map(|(index, license_type)| LicenseInfoDetail {
        license_type,
        total_license_count: Some(1000 + index as i32 * 100),
        total_assigned_count: Some(900 + n),
        total_usage_count: Some(700 + n / 2),
    })
    .collect()
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
                let rows: Vec<LicenseUsage> = (0..per_tenant)
                    .map(|day| LicenseUsage {
                        id: Uuid::now_v7(),
                        snapshot_date_time: DateTimeOffset::from_ticks(
                            now - (per_tenant - 1 - day) as i64 * DAY_TICKS,
                        ),
                        license_info_details: details(k * 7 + day),
                    })
                    .collect();
                if first.is_none() {
                    first = rows.last().map(|row| row.id);
                }
                let store = store.clone();
                let tenant = tenant(k);
                tasks.spawn(async move { store.insert_many(tenant, rows).await });
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
                let details = serde_json::to_string(&details(index))?;
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
