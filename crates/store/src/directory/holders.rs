//! What the cost report reads of the holders (SPEC §13.3): per SKU, which holders' accounts are
//! disabled and when each enabled one last signed in, with the stamp that says when that last
//! changed.
//!
//! **The holders' stamp.** `license_holder_stamps` keeps counters per tenant and SKU, raised in
//! the writing transaction by every directory script that changes a SKU's holders or a holder's
//! `accountEnabled` or sign-ins (assignLicense, a licensed user's change or deletion, import),
//! on the rows of the SKUs it touched: rows that the same transaction has locked already (the
//! SKUs' own) or that only writers of those SKUs share, so a stamp adds no lock that one SKU's
//! writers did not already queue on, and two SKUs' writers never wait for each other. Writes
//! that replace a tenant's directory (collect) raise the tenant's own row (`sku_id` `*`).
//! Rows are never deleted, so the tenant's stamp, the sum of its rows, only rises: a reader
//! that kept what it counted at stamp N may serve it while the sum is still N. Every directory
//! writer (the server, `tally import` and `tally collect` in other processes, other tally
//! processes on one PostgreSQL) runs those scripts. One statement per SKU touched, not a trigger
//! per row: an import of 100,000 users raises each SKU's row once.

use tally_model::directory::costs::HolderActivity;
use uuid::Uuid;

use super::sql::{HOLDERS, USERS};
use super::statements::Statement;
use super::tx::{DirectoryTx, TxError};
use crate::sql::SqlParam;
use crate::{Store, StoreError, TenantId};

/// The stamps' table (run at every start with the directory's tables).
pub(crate) const CREATE_STAMPS: &str = "CREATE TABLE IF NOT EXISTS license_holder_stamps (\
    tenant_id TEXT NOT NULL, sku_id TEXT NOT NULL, stamp BIGINT NOT NULL, \
    PRIMARY KEY (tenant_id, sku_id));\n";

const STAMP_RAISE: Statement = Statement::fixed(
    "INSERT INTO license_holder_stamps (tenant_id, sku_id, stamp) VALUES (?, ?, 1) \
     ON CONFLICT (tenant_id, sku_id) DO UPDATE SET stamp = license_holder_stamps.stamp + 1",
);

const STAMP_SELECT: Statement = Statement::fixed(
    "SELECT CAST(COALESCE(SUM(stamp), 0) AS BIGINT) FROM license_holder_stamps WHERE tenant_id = ?",
);

/// The row a write that reaches the whole tenant raises.
const WHOLE_TENANT: &str = "*";

/// Each holding: its SKU, whether the holder's account is disabled (`accountEnabled` false;
/// null counts as enabled), and its two sign-in instants.
fn activity_select() -> Statement {
    Statement::built(format!(
        "SELECT h.sku_id, CAST(CASE WHEN u.account_enabled = FALSE THEN 1 ELSE 0 END AS BIGINT), \
         u.sign_in_last_ticks, u.sign_in_non_interactive_ticks \
         FROM {HOLDERS} AS h JOIN {USERS} AS u ON u.tenant_id = h.tenant_id AND u.id = h.user_id \
         WHERE h.tenant_id = ?"
    ))
}

/// Raises the stamps of the SKUs in `skus` (last in a script; in skuId order, as writers lock
/// SKUs).
pub(crate) async fn touch(
    tx: &mut impl DirectoryTx,
    tenant: TenantId,
    skus: impl IntoIterator<Item = Uuid>,
) -> Result<(), TxError> {
    let mut skus: Vec<Uuid> = skus.into_iter().collect();
    skus.sort();
    skus.dedup();
    for sku_id in skus {
        let params = vec![
            SqlParam::Text(tenant.to_string()),
            SqlParam::Text(sku_id.to_string()),
        ];
        tx.execute(&STAMP_RAISE, params).await?;
    }
    Ok(())
}

/// Raises the tenant's own stamp, for a write that replaces its directory.
pub(crate) async fn touch_tenant(
    tx: &mut impl DirectoryTx,
    tenant: TenantId,
) -> Result<(), TxError> {
    let params = vec![
        SqlParam::Text(tenant.to_string()),
        SqlParam::Text(WHOLE_TENANT.to_owned()),
    ];
    tx.execute(&STAMP_RAISE, params).await.map(drop)
}

/// The tenant's holders' stamp (0 before its first change).
pub(crate) async fn stamp(tx: &mut impl DirectoryTx, tenant: TenantId) -> Result<i64, StoreError> {
    let found = tx
        .query(
            &STAMP_SELECT,
            vec![SqlParam::Text(tenant.to_string())],
            |row| Ok(row.int(0)?.unwrap_or(0)),
        )
        .await?;
    Ok(found.into_iter().next().unwrap_or(0))
}

/// The holders' activity with the stamp read before it (what was counted holds every change
/// made before that stamp).
pub(crate) async fn activity(
    tx: &mut impl DirectoryTx,
    tenant: TenantId,
) -> Result<(i64, HolderActivity), StoreError> {
    let stamp = stamp(tx, tenant).await?;
    let rows = tx
        .query(
            &activity_select(),
            vec![SqlParam::Text(tenant.to_string())],
            |row| {
                let sku = row.text(0)?.unwrap_or_default();
                let sku_id = Uuid::parse_str(&sku)
                    .map_err(|_| StoreError::Internal(format!("stored skuId {sku:?}")))?;
                let disabled = row.int(1)? == Some(1);
                let latest = row.int(2)?.max(row.int(3)?);
                Ok((sku_id, !disabled, latest))
            },
        )
        .await?;
    let mut activity = HolderActivity::default();
    for (sku_id, enabled, latest) in rows {
        activity.add(sku_id, enabled, latest);
    }
    Ok((stamp, activity.finish()))
}

impl Store {
    /// The tenant's holders' stamp: it changes whenever what [`Store::holder_activity`] counts
    /// does.
    pub async fn holder_stamp(&self, tenant: TenantId) -> Result<i64, StoreError> {
        match self {
            Store::Sqlite(store) => {
                store
                    .read_script(tenant, async move |tx| stamp(tx, tenant).await)
                    .await
            }
            Store::Postgres(store) => {
                store
                    .read_script(tenant, async move |tx| stamp(tx, tenant).await)
                    .await
            }
        }
    }

    /// Who holds each SKU of the tenant, counted for the cost report, with the stamp it is
    /// current for.
    pub async fn holder_activity(
        &self,
        tenant: TenantId,
    ) -> Result<(i64, HolderActivity), StoreError> {
        match self {
            Store::Sqlite(store) => {
                store
                    .read_script(tenant, async move |tx| activity(tx, tenant).await)
                    .await
            }
            Store::Postgres(store) => {
                store
                    .read_script(tenant, async move |tx| activity(tx, tenant).await)
                    .await
            }
        }
    }
}
