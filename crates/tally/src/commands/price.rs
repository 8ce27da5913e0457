//! `tally price set|list|import` (SPEC §13.3): a tenant's prices, written on the server's store
//! (running or not) through the same description and validation as
//! `PUT /beta/reports/licensePrices/{skuId}`.

use std::path::Path;

use anyhow::Context;
use tally_model::catalog;
use tally_model::directory::Sku;
use tally_model::resources::{price_property, LICENSE_PRICE};
use tally_model::{parse_put, Precondition};
use tally_odata::Decimal;
use tally_store::{Store, TenantId, WriteOutcome};
use uuid::Uuid;

use super::storage::{block_on, cell, with_store};
use crate::cli::{
    BillingPeriodArg, PriceArgs, PriceCommand, PriceImportArgs, PriceListArgs, PriceSetArgs,
};

/// The CSV header `tally price import` reads.
const HEADER: [&str; 4] = ["skuPartNumber", "unitPrice", "currency", "billingPeriod"];

pub fn run(args: PriceArgs) -> anyhow::Result<()> {
    block_on(async {
        match args.command {
            PriceCommand::Set(args) => set(args).await,
            PriceCommand::List(args) => list(args).await,
            PriceCommand::Import(args) => import(args).await,
        }
    })
}

async fn set(args: PriceSetArgs) -> anyhow::Result<()> {
    let period = match args.period {
        BillingPeriodArg::Month => "month",
        BillingPeriodArg::Year => "year",
    };
    with_store(&args.store, async |store| {
        let skus = store.list_skus(args.tenant).await?;
        let sku_id = resolve_sku(&skus, &args.sku)?;
        put(
            store,
            args.tenant,
            sku_id,
            &args.price,
            &args.currency,
            period,
        )
        .await?;
        println!("{sku_id}\t{}\t{}\t{period}", args.price, args.currency);
        Ok(())
    })
    .await
}

async fn list(args: PriceListArgs) -> anyhow::Result<()> {
    with_store(&args.store, async |store| {
        let skus = store.list_skus(args.tenant).await?;
        println!("skuId\tskuPartNumber\tunitPrice\tcurrency\tbillingPeriod");
        for stored in store.list_all(&LICENSE_PRICE, args.tenant).await? {
            let entity = &stored.entity;
            let text = |property| cell(entity.get(LICENSE_PRICE.entity, property));
            let part_number = skus
                .iter()
                .find(|sku| sku.sku_id == entity.id)
                .and_then(|sku| sku.sku_part_number.clone())
                .unwrap_or_else(|| "-".into());
            println!(
                "{}\t{part_number}\t{}\t{}\t{}",
                entity.id,
                text(price_property::unit_price()),
                text(price_property::currency()),
                text(price_property::billing_period()),
            );
        }
        Ok(())
    })
    .await
}

async fn import(args: PriceImportArgs) -> anyhow::Result<()> {
    let rows = read_rows(&args.file)?;
    let refused = with_store(&args.store, async |store| {
        let skus = store.list_skus(args.tenant).await?;
        let mut refused = 0;
        let mut stored = 0;
        for (line, row) in rows {
            let outcome = match row {
                Ok([part_number, price, currency, period]) => {
                    match resolve_sku(&skus, &part_number) {
                        Ok(sku_id) => {
                            let period = if period.is_empty() {
                                "month".into()
                            } else {
                                period
                            };
                            put(store, args.tenant, sku_id, &price, &currency, &period).await
                        }
                        Err(error) => Err(error),
                    }
                }
                Err(error) => Err(error),
            };
            match outcome {
                Ok(()) => stored += 1,
                Err(error) => {
                    refused += 1;
                    eprintln!("{}:{line}: {error:#}", args.file.display());
                }
            }
        }
        println!("stored {stored} prices, refused {refused}");
        Ok(refused)
    })
    .await?;
    if refused > 0 {
        anyhow::bail!("{refused} rows of {} were refused", args.file.display());
    }
    Ok(())
}

/// The CSV's rows after its header, each with its line number: four fields, or why not.
fn read_rows(path: &Path) -> anyhow::Result<Vec<(u64, anyhow::Result<[String; 4]>)>> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_path(path)
        .with_context(|| format!("reading {}", path.display()))?;
    let header = reader
        .headers()
        .with_context(|| format!("reading the header of {}", path.display()))?;
    if header.iter().collect::<Vec<_>>() != HEADER {
        anyhow::bail!(
            "{}: the header must be {}",
            path.display(),
            HEADER.join(",")
        );
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let (line, row) = match record {
            Ok(record) => {
                let line = record.position().map_or(0, csv::Position::line);
                let fields: Vec<String> = record.iter().map(str::to_owned).collect();
                let row = <[String; 4]>::try_from(fields).map_err(|fields| {
                    anyhow::anyhow!(
                        "expected 4 fields ({}), found {}",
                        HEADER.join(","),
                        fields.len()
                    )
                });
                (line, row)
            }
            Err(error) => {
                let line = error.position().map_or(0, csv::Position::line);
                (line, Err(anyhow::Error::new(error)))
            }
        };
        rows.push((line, row));
    }
    Ok(rows)
}

/// The skuId `sku` names: a GUID as it is, else a part number of the tenant's SKUs, else one
/// of Microsoft's product table (so prices may be set before the first collect).
pub(super) fn resolve_sku(skus: &[Sku], sku: &str) -> anyhow::Result<Uuid> {
    if let Ok(id) = Uuid::parse_str(sku) {
        return Ok(id);
    }
    let found = skus.iter().find(|candidate| {
        candidate
            .sku_part_number
            .as_deref()
            .is_some_and(|part| part.eq_ignore_ascii_case(sku))
    });
    match (found, catalog::by_part_number(sku)) {
        (Some(found), _) => Ok(found.sku_id),
        (None, Some(product)) => Ok(product.sku_id),
        (None, None) => anyhow::bail!(
            "'{sku}' is neither a skuId nor the skuPartNumber of one of the tenant's SKUs or of Microsoft's product table"
        ),
    }
}

/// Stores one price, validated as `PUT /beta/reports/licensePrices/{skuId}` validates it.
async fn put(
    store: &Store,
    tenant: TenantId,
    sku_id: Uuid,
    price: &str,
    currency: &str,
    period: &str,
) -> anyhow::Result<()> {
    // The price's exact text is checked here; as a JSON number it then reads back the same.
    let price = Decimal::parse(price)
        .map_err(|why| anyhow::anyhow!("the price '{price}' is not a decimal: {why}"))?;
    let body = serde_json::json!({
        "unitPrice": price.to_string().parse::<f64>()?,
        "currency": currency,
        "billingPeriod": period,
    });
    let new = parse_put(
        LICENSE_PRICE.entity,
        body.to_string().as_bytes(),
        &sku_id.to_string(),
    )
    .map_err(|error| anyhow::anyhow!(error.message))?;
    match store
        .put(&LICENSE_PRICE, tenant, sku_id, new, Precondition::default())
        .await?
    {
        WriteOutcome::Done(_) => Ok(()),
        WriteOutcome::NotFound | WriteOutcome::PreconditionFailed => {
            anyhow::bail!("the price of {sku_id} could not be stored")
        }
    }
}
