//! The subscription rule's steps in a write's transaction (SPEC §13.2; the rule itself is
//! [`tally_model::directory::subscriptions`]): a subscription's skuId names a SKU of the tenant,
//! locked for the transaction; the subscription takes that SKU's part number and plans; and
//! after any subscription's write, the SKU's units and subscriptionIds are settled from all of
//! its subscriptions, or the write is refused. A SKU's own writes ask [`count`] whether its
//! units are its subscriptions', and [`refresh`] what its subscriptions take from it.

use tally_model::directory::subscriptions::{check_status, settle, Units};
use tally_model::directory::types::SERVICE_PLAN_INFO;
use tally_model::directory::Sku;
use tally_model::resources::{subscription_property as property, COMPANY_SUBSCRIPTION};
use tally_model::{stored_items, Collection, Entity, Item, Value};
use uuid::Uuid;

use super::script::read_sku;
use super::statements::{self as statement, Statement};
use super::tx::{DirectoryTx, TxError};
use super::{sku_body, DirectoryError};
use crate::layout::layout;
use crate::sql::{sort_column, SqlParam};
use crate::{StoreError, TenantId};

type Outcome<T> = Result<T, DirectoryError>;

/// Checks a subscription about to be written, locks its SKU and copies in what it takes from
/// the SKU; the SKU, to settle once the subscription's row is written.
pub(crate) async fn before_write(
    tx: &mut impl DirectoryTx,
    tenant: TenantId,
    entity: &mut Entity,
) -> Outcome<Sku> {
    let ty = COMPANY_SUBSCRIPTION.entity;
    let status = entity.get(ty, property::status()).as_str().unwrap_or("");
    check_status(status).map_err(DirectoryError::BadRequest)?;
    let sku = lock_sku(tx, tenant, entity).await?.ok_or_else(|| {
        DirectoryError::BadRequest(format!(
            "Invalid value for property 'skuId': '{}' is not the skuId of a subscribedSku of the tenant.",
            sku_id_of(entity)
        ))
    })?;
    entity.set(
        ty,
        property::sku_id(),
        Value::String(sku.sku_id.to_string().into()),
    );
    entity.set(ty, property::sku_part_number(), part_number(&sku));
    let plans = Value::Collection(Collection::Items(plan_items(&sku)));
    entity.set(ty, property::service_status(), plans);
    Ok(sku)
}

/// Locks the SKU a subscription belongs to; `None` when its skuId names no SKU of the tenant
/// (one `tally collect` kept as Graph reported it: it may be deleted, not changed).
pub(crate) async fn lock_sku(
    tx: &mut impl DirectoryTx,
    tenant: TenantId,
    entity: &Entity,
) -> Outcome<Option<Sku>> {
    Ok(match Uuid::parse_str(sku_id_of(entity)) {
        Ok(id) => read_sku(tx, tenant, id, true).await?,
        Err(_) => None,
    })
}

/// Sets `sku`'s units and subscriptionIds from its subscriptions as they now are.
pub(crate) async fn settle_sku(
    tx: &mut impl DirectoryTx,
    tenant: TenantId,
    sku: Sku,
) -> Outcome<()> {
    let columns = [
        property::commerce_subscription_id(),
        property::status(),
        property::total_licenses(),
    ]
    .map(|property| property.column)
    .join(", ");
    let statement = Statement::built(format!(
        "SELECT {columns} FROM {} WHERE tenant_id = ? AND {} = ? ORDER BY {}, id",
        COMPANY_SUBSCRIPTION.storage.table,
        property::sku_id().column,
        sort_column(COMPANY_SUBSCRIPTION.time),
    ));
    let params = vec![text(tenant), text(sku.sku_id)];
    let subscriptions = tx
        .query(&statement, params, |row| {
            let total = row.int(2)?.unwrap_or(0);
            Ok(Units {
                commerce_subscription_id: row.text(0)?.unwrap_or_default().into_owned(),
                status: row.text(1)?.unwrap_or_default().into_owned(),
                total_licenses: i32::try_from(total).map_err(|error| {
                    StoreError::Internal(format!("stored totalLicenses: {error}"))
                })?,
            })
        })
        .await?;
    let settled = settle(&sku, &subscriptions).map_err(DirectoryError::BadRequest)?;
    let params = vec![
        SqlParam::Text(sku_body(&settled)),
        SqlParam::Int(settled.prepaid_units.capacity()),
        text(tenant),
        text(sku.sku_id),
    ];
    tx.execute(&statement::SKU_UPDATE, params).await?;
    Ok(())
}

/// `tally collect` (SPEC §13.2): the subscriptions Graph reported, each row as reported
/// (Graph's id, skuPartNumber, serviceStatus, units), by the table's own insert; no SKU is
/// settled from them, since a collected SKU's units are Graph's. A subscription whose skuId is
/// not a collected SKU is kept too: Graph lists subscriptions of SKUs that no longer appear in
/// subscribedSkus (expired or moved ones), and dropping them would lose what Graph said; they
/// count towards no SKU, and tally's own write rules refuse to change or delete them (they
/// name no SKU of the tenant) until the next collect replaces them.
pub(crate) async fn insert_reported(
    tx: &mut impl DirectoryTx,
    tenant: TenantId,
    subscriptions: &[Entity],
) -> Outcome<()> {
    let table = layout(&COMPANY_SUBSCRIPTION, tx.dialect());
    let insert = Statement::built(table.insert.clone());
    for subscription in subscriptions {
        let params = table.insert_params(tenant, subscription, 1);
        match tx.execute(&insert, params).await {
            // prepare_replace has refused duplicates, naming them: a backstop.
            Err(TxError::Duplicate) => {
                return Err(DirectoryError::BadRequest(format!(
                "subscription {}: another subscription has the same id or commerceSubscriptionId",
                subscription.id
            )))
            }
            other => other?,
        };
    }
    Ok(())
}

/// How many subscriptions the SKU has: from the first, its units are theirs.
pub(crate) async fn count(
    tx: &mut impl DirectoryTx,
    tenant: TenantId,
    sku_id: Uuid,
) -> Result<i64, StoreError> {
    let statement = Statement::built(format!(
        "SELECT count(*) FROM {} WHERE tenant_id = ? AND {} = ?",
        COMPANY_SUBSCRIPTION.storage.table,
        property::sku_id().column,
    ));
    let counted = tx
        .query(&statement, vec![text(tenant), text(sku_id)], |row| {
            Ok(row.int(0)?.unwrap_or(0))
        })
        .await?;
    Ok(counted.into_iter().next().unwrap_or(0))
}

/// Copies a changed SKU's part number and plans into its subscriptions (each a new version).
pub(crate) async fn refresh(tx: &mut impl DirectoryTx, tenant: TenantId, sku: &Sku) -> Outcome<()> {
    let statement = Statement::built(format!(
        "UPDATE {} SET {} = ?, {} = ?json, version = version + 1 WHERE tenant_id = ? AND {} = ?",
        COMPANY_SUBSCRIPTION.storage.table,
        property::sku_part_number().column,
        property::service_status().column,
        property::sku_id().column,
    ));
    let part_number = sku
        .sku_part_number
        .clone()
        .map_or(SqlParam::NullText, SqlParam::Text);
    let plans = stored_items::encode(&SERVICE_PLAN_INFO, &plan_items(sku));
    let params = vec![
        part_number,
        SqlParam::Text(plans),
        text(tenant),
        text(sku.sku_id),
    ];
    tx.execute(&statement, params).await?;
    Ok(())
}

fn part_number(sku: &Sku) -> Value {
    sku.sku_part_number
        .as_deref()
        .map_or(Value::Null, |name| Value::String(name.into()))
}

/// The skuId a subscription names, as stored (`""` if none).
fn sku_id_of(entity: &Entity) -> &str {
    entity
        .get(COMPANY_SUBSCRIPTION.entity, property::sku_id())
        .as_str()
        .unwrap_or("")
}

/// The SKU's plans as `servicePlanInfo` items (appliesTo, provisioningStatus, servicePlanId,
/// servicePlanName: the complex type's order).
fn plan_items(sku: &Sku) -> Vec<Item> {
    let optional = |text: &Option<String>| {
        text.as_deref()
            .map_or(Value::Null, |text| Value::String(text.into()))
    };
    sku.service_plans
        .iter()
        .map(|plan| {
            Item(vec![
                optional(&plan.applies_to),
                optional(&plan.provisioning_status),
                Value::String(plan.service_plan_id.to_string().into()),
                optional(&plan.service_plan_name),
            ])
        })
        .collect()
}

fn text(value: impl ToString) -> SqlParam {
    SqlParam::Text(value.to_string())
}
