//! What the cost report reads of the holders (SPEC §13.3): per SKU, which holders' accounts are
//! disabled and when each enabled one last signed in, with the stamp that says when that last
//! changed.
//!
//! **The holders' stamp.** `holder_stamps` holds one counter per tenant, raised in the writing
//! transaction by every directory script that changes who holds what or a holder's
//! `accountEnabled` or sign-ins (assignLicense, a licensed user's change or deletion, import,
//! collect). Every writer of the directory runs those scripts (the server, `tally import` and
//! `tally collect` in other processes, other tally processes on one PostgreSQL), so a reader
//! that kept what it counted at stamp N may serve it while the stamp is still N. One statement
//! per transaction, not a trigger per row: an import of 100,000 users raises it once.

use tally_model::directory::costs::HolderActivity;
use uuid::Uuid;

use super::sql::{HOLDERS, USERS};
use super::statements::Statement;
use super::tx::{DirectoryTx, TxError};
use crate::sql::SqlParam;
use crate::{Store, StoreError, TenantId};

/// The stamps' table (run at every start with the directory's tables).
pub(crate) const CREATE_STAMPS: &str =
    "CREATE TABLE IF NOT EXISTS holder_stamps (tenant_id TEXT PRIMARY KEY, stamp BIGINT NOT NULL);\n";

const STAMP_RAISE: Statement = Statement::fixed(
    "INSERT INTO holder_stamps (tenant_id, stamp) VALUES (?, 1) \
     ON CONFLICT (tenant_id) DO UPDATE SET stamp = holder_stamps.stamp + 1",
);

const STAMP_SELECT: Statement =
    Statement::fixed("SELECT stamp FROM holder_stamps WHERE tenant_id = ?");

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

/// Raises the tenant's holders' stamp (last in a script: the row stays locked until commit).
pub(crate) async fn touch(tx: &mut impl DirectoryTx, tenant: TenantId) -> Result<(), TxError> {
    tx.execute(&STAMP_RAISE, vec![SqlParam::Text(tenant.to_string())])
        .await
        .map(drop)
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
