//! The writes of a described resource that has a [`StoreRule`]: the generic write (the
//! object's row, by its [`Layout`], with the conditional decisions of
//! [`crate::conditional`]) and the rule, in one transaction script that both backends run
//! ([`crate::directory::tx`]). A resource without a rule is written by the backends' own
//! group-committed paths instead.

use tally_model::directory::Sku;
use tally_model::resources::{ResourceDef, StoreRule};
use tally_model::{Entity, NewEntity, Patch, Precondition, Versioned};
use uuid::Uuid;

use crate::conditional::{decide_delete, decide_update, Decision};
use crate::directory::statements::Statement;
use crate::directory::tx::{transact, Deadline, DirectoryTx, TxError};
use crate::directory::{subscriptions, DirectoryError};
use crate::layout::{layout, Layout};
use crate::sql::SqlParam;
use crate::{Store, StoreError, TenantId, WriteOutcome};

type Outcome<T> = Result<T, DirectoryError>;

/// What a rule's first step found, for its last (e.g. the SKU a subscription belongs to).
pub(crate) enum Touched {
    /// The SKU a subscription belongs to (none for one of a SKU the tenant lacks).
    Sku(Option<Sku>),
}

/// The rule's step before the object's row is written: checks what the object refers to,
/// locks it, and sets what the object takes from it.
async fn before_write(
    rule: StoreRule,
    tx: &mut impl DirectoryTx,
    tenant: TenantId,
    entity: &mut Entity,
) -> Outcome<Touched> {
    match rule {
        StoreRule::SkuUnitsFromSubscriptions => subscriptions::before_write(tx, tenant, entity)
            .await
            .map(|sku| Touched::Sku(Some(sku))),
    }
}

/// The rule's step after the object's row is written or deleted: keeps what depends on it.
async fn after_write(tx: &mut impl DirectoryTx, tenant: TenantId, touched: Touched) -> Outcome<()> {
    match touched {
        Touched::Sku(Some(sku)) => subscriptions::settle_sku(tx, tenant, sku).await,
        Touched::Sku(None) => Ok(()),
    }
}

/// The rule's lock of what a stored object refers to, taken before the object's own row (the
/// order every writer of that data keeps).
async fn lock_referred(
    rule: StoreRule,
    tx: &mut impl DirectoryTx,
    tenant: TenantId,
    entity: &Entity,
) -> Outcome<Touched> {
    match rule {
        StoreRule::SkuUnitsFromSubscriptions => subscriptions::lock_sku(tx, tenant, entity)
            .await
            .map(Touched::Sku),
    }
}

impl Store {
    pub(crate) async fn create_ruled(
        &self,
        def: &'static ResourceDef,
        rule: StoreRule,
        tenant: TenantId,
        new: NewEntity,
    ) -> Result<Versioned, StoreError> {
        let entity = new.with_id(Uuid::new_v4());
        let created = transact!(self, Deadline::Call, |tx| create(
            tx, def, rule, tenant, entity
        ));
        created.map_err(refused)
    }

    pub(crate) async fn update_ruled(
        &self,
        def: &'static ResourceDef,
        rule: StoreRule,
        tenant: TenantId,
        id: Uuid,
        patch: Patch,
        precondition: Precondition,
    ) -> Result<WriteOutcome<Versioned>, StoreError> {
        let updated = transact!(self, Deadline::Call, |tx| update(
            tx,
            def,
            rule,
            tenant,
            id,
            patch,
            precondition
        ));
        updated.map_err(refused)
    }

    pub(crate) async fn delete_ruled(
        &self,
        def: &'static ResourceDef,
        rule: StoreRule,
        tenant: TenantId,
        id: Uuid,
        precondition: Precondition,
    ) -> Result<WriteOutcome<()>, StoreError> {
        let deleted = transact!(self, Deadline::Call, |tx| delete(
            tx,
            def,
            rule,
            tenant,
            id,
            precondition
        ));
        deleted.map_err(refused)
    }
}

/// A rule's 400 as the store's refusal.
fn refused(error: DirectoryError) -> StoreError {
    match error {
        DirectoryError::BadRequest(message) => StoreError::Refused(message),
        DirectoryError::NotFound => StoreError::Internal("a ruled write found nothing".into()),
        DirectoryError::Store(error) => error,
    }
}

async fn create(
    tx: &mut impl DirectoryTx,
    def: &'static ResourceDef,
    rule: StoreRule,
    tenant: TenantId,
    mut entity: Entity,
) -> Outcome<Versioned> {
    let table = layout(def, tx.dialect());
    let touched = before_write(rule, tx, tenant, &mut entity).await?;
    let params = table.insert_params(tenant, &entity, 1);
    written(
        def,
        tx.execute(&Statement::built(table.insert.clone()), params)
            .await,
    )?;
    after_write(tx, tenant, touched).await?;
    Ok(Versioned { entity, version: 1 })
}

async fn update(
    tx: &mut impl DirectoryTx,
    def: &'static ResourceDef,
    rule: StoreRule,
    tenant: TenantId,
    id: Uuid,
    patch: Patch,
    precondition: Precondition,
) -> Outcome<WriteOutcome<Versioned>> {
    let table = layout(def, tx.dialect());
    let Some((_, current)) = lock_in_order(tx, table, rule, tenant, id).await? else {
        return Ok(WriteOutcome::NotFound);
    };
    let mut stored = match decide_update(current, patch, &precondition) {
        Decision::Answer(outcome) => return Ok(outcome),
        Decision::Write(stored) => stored,
    };
    let touched = before_write(rule, tx, tenant, &mut stored.entity).await?;
    let params = table.update_params(tenant, &stored.entity, stored.version);
    written(
        def,
        tx.execute(&Statement::built(table.update.clone()), params)
            .await,
    )?;
    after_write(tx, tenant, touched).await?;
    Ok(WriteOutcome::Done(stored))
}

async fn delete(
    tx: &mut impl DirectoryTx,
    def: &'static ResourceDef,
    rule: StoreRule,
    tenant: TenantId,
    id: Uuid,
    precondition: Precondition,
) -> Outcome<WriteOutcome<()>> {
    let table = layout(def, tx.dialect());
    let Some((touched, current)) = lock_in_order(tx, table, rule, tenant, id).await? else {
        return Ok(WriteOutcome::NotFound);
    };
    if let Decision::Answer(outcome) = decide_delete(current, &precondition) {
        return Ok(outcome);
    }
    let params = vec![
        SqlParam::Text(tenant.to_string()),
        SqlParam::Text(id.to_string()),
    ];
    tx.execute(&Statement::built(table.delete.clone()), params)
        .await?;
    // What the object referred to no longer counts it.
    after_write(tx, tenant, touched).await?;
    Ok(WriteOutcome::Done(()))
}

/// Locks what the stored object `id` refers to, then its row (peeking at the row unlocked
/// first to learn what it refers to, which never changes); `None` when there is no such
/// object, else what the rule locked and the object as the lock found it (`None` if it went in
/// between).
async fn lock_in_order(
    tx: &mut impl DirectoryTx,
    table: &'static Layout,
    rule: StoreRule,
    tenant: TenantId,
    id: Uuid,
) -> Outcome<Option<(Touched, Option<Versioned>)>> {
    let Some(peek) = current(tx, table, tenant, id, false).await? else {
        return Ok(None);
    };
    let touched = lock_referred(rule, tx, tenant, &peek.entity).await?;
    let locked = current(tx, table, tenant, id, true).await?;
    Ok(Some((touched, locked)))
}

/// The object as stored, its row locked for the transaction's writes with `lock`.
pub(crate) async fn current(
    tx: &mut impl DirectoryTx,
    table: &'static Layout,
    tenant: TenantId,
    id: Uuid,
    lock: bool,
) -> Result<Option<Versioned>, StoreError> {
    let lock = if lock { tx.lock_clause() } else { "" };
    let statement = Statement::built(format!("{}{lock}", table.select_one));
    let params = vec![
        SqlParam::Text(tenant.to_string()),
        SqlParam::Text(id.to_string()),
    ];
    let found = tx
        .query(&statement, params, |row| table.decode(row, false))
        .await?;
    Ok(found.into_iter().next())
}

/// A write's outcome, a broken unique key said as Graph says it.
fn written(def: &ResourceDef, result: Result<u64, TxError>) -> Outcome<()> {
    match result {
        Ok(_) => Ok(()),
        Err(TxError::Duplicate) => {
            let names: Vec<&str> = def.storage.unique.iter().map(|p| p.name).collect();
            Err(DirectoryError::BadRequest(format!(
                "Another object with the same value for property {} already exists.",
                names.join(" or ")
            )))
        }
        Err(TxError::Store(error)) => Err(DirectoryError::Store(error)),
    }
}
