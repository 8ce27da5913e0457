//! `tally alert add|list|remove` (SPEC §13.4): a tenant's license alert rules, on the server's
//! store (running or not), through the same description and validation as
//! `/beta/reports/licenseAlertRules`.

use tally_model::resources::LICENSE_ALERT_RULE;
use tally_model::{parse_create, Precondition};
use tally_store::WriteOutcome;

use super::price::resolve_sku;
use super::storage::{block_on, cell, with_store};
use crate::cli::{AlertAddArgs, AlertArgs, AlertCommand, AlertListArgs, AlertRemoveArgs};

pub fn run(args: AlertArgs) -> anyhow::Result<()> {
    block_on(async {
        match args.command {
            AlertCommand::Add(args) => add(args).await,
            AlertCommand::List(args) => list(args).await,
            AlertCommand::Remove(args) => remove(args).await,
        }
    })
}

async fn add(args: AlertAddArgs) -> anyhow::Result<()> {
    with_store(&args.store, async |store| {
        let sku_id = match &args.sku {
            Some(sku) => Some(resolve_sku(&store.list_skus(args.tenant).await?, sku)?),
            None => None,
        };
        let body = serde_json::json!({
            "kind": args.kind,
            "skuId": sku_id,
            "threshold": args.threshold,
            "days": args.days,
        });
        let new = parse_create(LICENSE_ALERT_RULE.entity, body.to_string().as_bytes())
            .map_err(|error| anyhow::anyhow!(error.message))?;
        let created = store.create(&LICENSE_ALERT_RULE, args.tenant, new).await?;
        println!("id={}", created.entity.id);
        Ok(())
    })
    .await
}

async fn list(args: AlertListArgs) -> anyhow::Result<()> {
    with_store(&args.store, async |store| {
        println!("id\tkind\tskuId\tthreshold\tdays\tcreatedDateTime");
        for stored in store.list_all(&LICENSE_ALERT_RULE, args.tenant).await? {
            let entity = &stored.entity;
            let cells: Vec<String> = LICENSE_ALERT_RULE.entity.properties[1..]
                .iter()
                .map(|property| cell(entity.get(LICENSE_ALERT_RULE.entity, property)))
                .collect();
            println!("{}\t{}", entity.id, cells.join("\t"));
        }
        Ok(())
    })
    .await
}

async fn remove(args: AlertRemoveArgs) -> anyhow::Result<()> {
    with_store(&args.store, async |store| {
        match store
            .delete(
                &LICENSE_ALERT_RULE,
                args.tenant,
                args.id,
                Precondition::default(),
            )
            .await?
        {
            WriteOutcome::Done(()) => Ok(()),
            WriteOutcome::NotFound | WriteOutcome::PreconditionFailed => {
                anyhow::bail!("the tenant has no alert rule {}", args.id)
            }
        }
    })
    .await
}
