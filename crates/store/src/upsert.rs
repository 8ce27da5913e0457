//! PUT: an object created or replaced whole at the key the client chose (a price at its
//! `skuId`), in one transaction script both backends run ([`crate::directory::tx`]), with the
//! conditional decisions of [`crate::conditional`].

use tally_model::resources::ResourceDef;
use tally_model::{Entity, NewEntity, Precondition, Versioned};
use uuid::Uuid;

use crate::directory::statements::Statement;
use crate::directory::tx::{transact, Deadline, DirectoryTx, TxError};
use crate::directory::DirectoryError;
use crate::layout::layout;
use crate::ruled::current;
use crate::{Store, StoreError, TenantId, WriteOutcome};

/// A PUT's script's outcome. [`DirectoryError::NotFound`] says the object was not there when the
/// script looked but another writer created it before the insert (which the key refused): the
/// transaction is rolled back and the script runs again.
type Attempt = Result<WriteOutcome<Versioned>, DirectoryError>;

impl Store {
    /// Creates the object `id` of `new`'s values, or replaces the one there (its version
    /// advanced). `If-Match` applies to the object there (none: 412); `If-None-Match: *` refuses
    /// to replace one.
    pub async fn put(
        &self,
        def: &'static ResourceDef,
        tenant: TenantId,
        id: Uuid,
        new: NewEntity,
        precondition: Precondition,
    ) -> Result<WriteOutcome<Versioned>, StoreError> {
        let entity = new.with_id(id);
        // Two first PUTs of one key race to insert it; the loser finds the winner's row on its
        // second run and replaces it, as if it had come second.
        for _ in 0..2 {
            let (entity, precondition) = (entity.clone(), precondition.clone());
            let outcome = transact!(self, Deadline::Call, |tx| put(
                tx,
                def,
                tenant,
                entity,
                precondition
            ));
            match outcome {
                Ok(outcome) => return Ok(outcome),
                Err(DirectoryError::NotFound) => continue,
                Err(DirectoryError::Store(error)) => return Err(error),
                Err(other) => return Err(StoreError::Internal(format!("a PUT: {other:?}"))),
            }
        }
        Err(StoreError::Internal(
            "a PUT lost the race to create its object twice".into(),
        ))
    }
}

async fn put(
    tx: &mut impl DirectoryTx,
    def: &'static ResourceDef,
    tenant: TenantId,
    entity: Entity,
    precondition: Precondition,
) -> Attempt {
    let table = layout(def, tx.dialect());
    let found = current(tx, table, tenant, entity.id, true).await?;
    if !precondition.allows_put(found.as_ref().map(Versioned::etag)) {
        return Ok(WriteOutcome::PreconditionFailed);
    }
    let (statement, stored, params) = match found {
        None => {
            let stored = Versioned { entity, version: 1 };
            let params = table.insert_params(tenant, &stored.entity, stored.version);
            (&table.insert, stored, params)
        }
        Some(old) => {
            let stored = Versioned {
                entity,
                version: old.version + 1,
            };
            let params = table.update_params(tenant, &stored.entity, stored.version);
            (&table.update, stored, params)
        }
    };
    match tx
        .execute(&Statement::built(statement.clone()), params)
        .await
    {
        Ok(_) => Ok(WriteOutcome::Done(stored)),
        Err(TxError::Duplicate) => Err(DirectoryError::NotFound),
        Err(TxError::Store(error)) => Err(DirectoryError::Store(error)),
    }
}
