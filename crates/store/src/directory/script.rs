//! The directory's writes, each written once for both backends: read what the rules need,
//! decide with the pure rules, take or give back units, keep the holders' index, write. The
//! lock order is the user's row first, then SKU rows in skuId order, so PostgreSQL's writers
//! never deadlock; SQLite's single writer runs the same statements one job at a time.

use tally_model::directory::assign::{no_free_unit, plan};
use tally_model::directory::body::{AssignLicense, SkuPatch, UserPatch};
use tally_model::directory::{AssignedLicense, Sku, User, UserKey};
use uuid::Uuid;

use super::rows::user_params;
use super::sql::user_select;
use super::statements::{self as statement, Statement};
use super::tx::{DirectoryTx, TxError};
use super::{
    check_capacity, check_unheld, decode_sku, decode_user, now_text, prepare_import, sku_body,
    skus_involved, units_taken, DirectoryError, ImportOutcome, PreparedReplace, ReplaceOutcome,
    EXISTS, UPN_TAKEN,
};
use super::{holders, subscriptions};
use crate::sql::SqlParam;
use crate::{StoreError, TenantId};
use tally_model::directory::subscriptions::{has_subscriptions, units_are_the_subscriptions};

type Outcome<T> = Result<T, DirectoryError>;

/// Users per multi-row `INSERT` of a replacement (21 parameters each, under both backends'
/// limits: PostgreSQL's 65,535, SQLite's 32,766).
const USERS_PER_INSERT: usize = 500;
/// Holders per multi-row `INSERT` of a replacement (3 parameters each).
const HOLDERS_PER_INSERT: usize = 3000;

fn text(value: impl ToString) -> SqlParam {
    SqlParam::Text(value.to_string())
}

fn sku_row(tenant: TenantId, sku: &Sku, consumed_units: i64) -> Vec<SqlParam> {
    vec![
        text(tenant),
        text(sku.sku_id),
        SqlParam::Text(sku_body(sku)),
        SqlParam::Int(sku.prepaid_units.capacity()),
        SqlParam::Int(consumed_units),
    ]
}

fn user_row(tenant: TenantId, user: &User) -> Vec<SqlParam> {
    let mut params = vec![text(tenant)];
    params.extend(user_params(user));
    params
}

pub(crate) async fn create_sku(
    tx: &mut impl DirectoryTx,
    tenant: TenantId,
    sku: Sku,
) -> Outcome<Sku> {
    if tx
        .execute(&statement::SKU_INSERT, sku_row(tenant, &sku, 0))
        .await?
        == 0
    {
        return Err(DirectoryError::BadRequest(format!(
            "A subscribedSku with skuId {} exists already in the tenant.",
            sku.sku_id
        )));
    }
    Ok(sku)
}

pub(crate) async fn update_sku(
    tx: &mut impl DirectoryTx,
    tenant: TenantId,
    sku_id: Uuid,
    patch: SkuPatch,
) -> Outcome<Sku> {
    let mut sku = read_sku(tx, tenant, sku_id, true)
        .await?
        .ok_or(DirectoryError::NotFound)?;
    let subscribed = subscriptions::count(tx, tenant, sku_id).await? > 0;
    if subscribed && (patch.sets("prepaidUnits") || patch.sets("subscriptionIds")) {
        return Err(DirectoryError::BadRequest(units_are_the_subscriptions(
            &sku,
        )));
    }
    patch.apply(&mut sku);
    check_capacity(&sku)?;
    let params = vec![
        SqlParam::Text(sku_body(&sku)),
        SqlParam::Int(sku.prepaid_units.capacity()),
        text(tenant),
        text(sku_id),
    ];
    tx.execute(&statement::SKU_UPDATE, params).await?;
    if subscribed {
        subscriptions::refresh(tx, tenant, &sku).await?;
    }
    Ok(sku)
}

pub(crate) async fn delete_sku(
    tx: &mut impl DirectoryTx,
    tenant: TenantId,
    sku_id: Uuid,
) -> Outcome<()> {
    let sku = read_sku(tx, tenant, sku_id, true)
        .await?
        .ok_or(DirectoryError::NotFound)?;
    check_unheld(&sku)?;
    if subscriptions::count(tx, tenant, sku_id).await? > 0 {
        return Err(DirectoryError::BadRequest(has_subscriptions(&sku)));
    }
    tx.execute(&statement::SKU_DELETE, vec![text(tenant), text(sku_id)])
        .await?;
    Ok(())
}

pub(crate) async fn create_user(
    tx: &mut impl DirectoryTx,
    tenant: TenantId,
    user: User,
) -> Outcome<User> {
    let insert = statement::users_insert(1, " ON CONFLICT (tenant_id, upn_key) DO NOTHING");
    if tx.execute(&insert, user_row(tenant, &user)).await? == 0 {
        return Err(DirectoryError::BadRequest(UPN_TAKEN.into()));
    }
    Ok(user)
}

pub(crate) async fn update_user(
    tx: &mut impl DirectoryTx,
    tenant: TenantId,
    key: UserKey,
    patch: UserPatch,
) -> Outcome<User> {
    let mut user = read_user(tx, tenant, &key, true)
        .await?
        .ok_or(DirectoryError::NotFound)?;
    patch.apply(&mut user);
    // The unique index decides whether a new userPrincipalName is free, a race included.
    match write_user(tx, tenant, &user).await {
        Err(TxError::Duplicate) => return Err(DirectoryError::BadRequest(UPN_TAKEN.into())),
        Err(error) => return Err(error.into()),
        Ok(_) => {}
    }
    // A holder's account or sign-ins may have changed.
    let held = user.assigned_licenses.iter().map(|license| license.sku_id);
    holders::touch(tx, tenant, held).await?;
    Ok(user)
}

/// Deletes a user, giving back the units of the SKUs they held.
pub(crate) async fn delete_user(
    tx: &mut impl DirectoryTx,
    tenant: TenantId,
    key: UserKey,
) -> Outcome<()> {
    let user = read_user(tx, tenant, &key, true)
        .await?
        .ok_or(DirectoryError::NotFound)?;
    let mut held: Vec<Uuid> = user.assigned_licenses.iter().map(|l| l.sku_id).collect();
    held.sort();
    for sku_id in &held {
        tx.execute(&statement::UNIT_RELEASE, vec![text(tenant), text(sku_id)])
            .await?;
    }
    record_holders(tx, tenant, user.id, &[], &held).await?;
    tx.execute(&statement::USER_DELETE, vec![text(tenant), text(user.id)])
        .await?;
    holders::touch(tx, tenant, held).await?;
    Ok(())
}

/// assignLicense: all of it, or nothing (SPEC §12.2).
pub(crate) async fn assign_license(
    tx: &mut impl DirectoryTx,
    tenant: TenantId,
    key: UserKey,
    request: AssignLicense,
) -> Outcome<User> {
    let mut user = read_user(tx, tenant, &key, true)
        .await?
        .ok_or(DirectoryError::NotFound)?;
    let mut skus = Vec::new();
    for sku_id in skus_involved(&user, &request) {
        skus.extend(read_sku(tx, tenant, sku_id, false).await?);
    }
    let assignment =
        plan(&user, &request, &skus, &now_text()).map_err(DirectoryError::BadRequest)?;
    // Every SKU row this transaction changes, in one order for all writers.
    let mut touched: Vec<(Uuid, bool)> = assignment
        .taken
        .iter()
        .map(|id| (*id, true))
        .chain(assignment.released.iter().map(|id| (*id, false)))
        .collect();
    touched.sort();
    for (sku_id, take) in touched {
        if take {
            let params = vec![
                SqlParam::Int(1),
                text(tenant),
                text(sku_id),
                SqlParam::Int(1),
            ];
            if tx.execute(&statement::UNITS_TAKE, params).await? == 0 {
                return Err(DirectoryError::BadRequest(no_free_unit(sku_id)));
            }
        } else {
            tx.execute(&statement::UNIT_RELEASE, vec![text(tenant), text(sku_id)])
                .await?;
        }
    }
    record_holders(tx, tenant, user.id, &assignment.taken, &assignment.released).await?;
    let changed: Vec<Uuid> = assignment
        .taken
        .iter()
        .chain(&assignment.released)
        .copied()
        .collect();
    user.assigned_licenses = assignment.licenses;
    user.assigned_plans = assignment.plans;
    write_user(tx, tenant, &user).await?;
    holders::touch(tx, tenant, changed).await?;
    Ok(user)
}

/// `tally import` of users: each record's licenses checked as assignLicense checks them, the
/// batch in one transaction; a refused record is reported and the others are stored.
pub(crate) async fn import_users(
    tx: &mut impl DirectoryTx,
    tenant: TenantId,
    records: Vec<(User, Vec<AssignedLicense>)>,
) -> Outcome<ImportOutcome> {
    let skus = read_skus(tx, tenant, false).await?;
    let prepared = prepare_import(&skus, records);
    let mut outcome = ImportOutcome {
        inserted: 0,
        refused: prepared.refused,
    };
    let insert = statement::users_insert(1, " ON CONFLICT DO NOTHING");
    let mut inserted = Vec::with_capacity(prepared.users.len());
    for (index, user) in prepared.users {
        if tx.execute(&insert, user_row(tenant, &user)).await? == 0 {
            outcome.refused.push((index, EXISTS.into()));
        } else {
            inserted.push(user);
        }
    }
    for user in &inserted {
        let held: Vec<Uuid> = user.assigned_licenses.iter().map(|l| l.sku_id).collect();
        record_holders(tx, tenant, user.id, &held, &[]).await?;
    }
    // Other processes (on PostgreSQL) may have assigned units since they were read: take them
    // only if they are still free, else the whole batch fails and stores nothing.
    for (sku_id, units) in units_taken(inserted.iter()) {
        let params = vec![
            SqlParam::Int(units),
            text(tenant),
            text(sku_id),
            SqlParam::Int(units),
        ];
        if tx.execute(&statement::UNITS_TAKE, params).await? == 0 {
            return Err(DirectoryError::BadRequest(format!(
                "the units of SKU {sku_id} changed during the import; nothing of this batch was stored, run it again"
            )));
        }
    }
    let held = inserted
        .iter()
        .flat_map(|user| user.assigned_licenses.iter().map(|license| license.sku_id));
    holders::touch(tx, tenant, held).await?;
    outcome.inserted = inserted.len();
    outcome.refused.sort_by_key(|(index, _)| *index);
    Ok(outcome)
}

/// `tally collect`: the tenant's rows deleted and the new ones inserted, users and holders in
/// multi-row `INSERT`s (a round trip per few hundred rows, not per row), subscriptions last.
pub(crate) async fn replace_directory(
    tx: &mut impl DirectoryTx,
    tenant: TenantId,
    prepared: PreparedReplace,
) -> Outcome<ReplaceOutcome> {
    // Takes the tenant's SKU rows' locks first, as assignments do, then empties the tenant.
    read_skus(tx, tenant, true).await?;
    for delete in statement::tenant_deletes() {
        tx.execute(&delete, vec![text(tenant)]).await?;
    }
    for sku in &prepared.skus {
        tx.execute(
            &statement::SKU_INSERT,
            sku_row(tenant, sku, sku.consumed_units),
        )
        .await?;
    }
    for chunk in prepared.users.chunks(USERS_PER_INSERT) {
        let params = chunk
            .iter()
            .flat_map(|user| user_row(tenant, user))
            .collect();
        match tx
            .execute(&statement::users_insert(chunk.len(), ""), params)
            .await
        {
            // prepare_replace has refused duplicates, naming them: a backstop.
            Err(TxError::Duplicate) => {
                return Err(DirectoryError::BadRequest(
                    "two users have the same id or userPrincipalName".into(),
                ))
            }
            other => other?,
        };
    }
    let holders: Vec<SqlParam> = prepared
        .users
        .iter()
        .flat_map(|user| {
            user.assigned_licenses
                .iter()
                .flat_map(move |license| [text(tenant), text(license.sku_id), text(user.id)])
        })
        .collect();
    for chunk in holders.chunks(HOLDERS_PER_INSERT * 3) {
        let insert = statement::holders_insert(chunk.len() / 3);
        tx.execute(&insert, chunk.to_vec()).await?;
    }
    subscriptions::insert_reported(tx, tenant, &prepared.subscriptions).await?;
    holders::touch_tenant(tx, tenant).await?;
    Ok(ReplaceOutcome {
        skus: prepared.skus.len(),
        users: prepared.users.len(),
        subscriptions: prepared.subscriptions.len(),
    })
}

/// Keeps the holders' index with a user's licenses.
async fn record_holders(
    tx: &mut impl DirectoryTx,
    tenant: TenantId,
    user: Uuid,
    taken: &[Uuid],
    released: &[Uuid],
) -> Result<(), TxError> {
    let changes = [
        (&statement::HOLDER_INSERT, taken),
        (&statement::HOLDER_DELETE, released),
    ];
    for (change, skus) in changes {
        for sku_id in skus {
            tx.execute(change, vec![text(tenant), text(sku_id), text(user)])
                .await?;
        }
    }
    Ok(())
}

/// Writes every column of a stored user but its id.
async fn write_user(
    tx: &mut impl DirectoryTx,
    tenant: TenantId,
    user: &User,
) -> Result<u64, TxError> {
    let mut params = user_params(user);
    let id = params.remove(0);
    params.extend([text(tenant), id]);
    tx.execute(&statement::user_update(), params).await
}

/// A SKU, locked for the transaction's writes with `lock`.
pub(crate) async fn read_sku(
    tx: &mut impl DirectoryTx,
    tenant: TenantId,
    sku_id: Uuid,
    lock: bool,
) -> Result<Option<Sku>, StoreError> {
    let lock = if lock { tx.lock_clause() } else { "" };
    let found = tx
        .query(
            &statement::sku_by_id(lock),
            vec![text(tenant), text(sku_id)],
            |row| decode_sku(row),
        )
        .await?;
    Ok(found.into_iter().next())
}

/// The tenant's SKUs by skuId, locked for the transaction's writes with `lock`.
pub(crate) async fn read_skus(
    tx: &mut impl DirectoryTx,
    tenant: TenantId,
    lock: bool,
) -> Result<Vec<Sku>, StoreError> {
    let lock = if lock { tx.lock_clause() } else { "" };
    tx.query(
        &statement::skus_of_tenant(lock),
        vec![text(tenant)],
        |row| decode_sku(row),
    )
    .await
}

/// A user by id or userPrincipalName, locked for the transaction's writes with `lock`.
pub(crate) async fn read_user(
    tx: &mut impl DirectoryTx,
    tenant: TenantId,
    key: &UserKey,
    lock: bool,
) -> Result<Option<User>, StoreError> {
    let (column, value) = match key {
        UserKey::Id(id) => ("id", id.to_string()),
        UserKey::Upn(upn) => ("upn_key", upn.clone()),
    };
    let lock = if lock { tx.lock_clause() } else { "" };
    let select = Statement::built(format!(
        "{} WHERE tenant_id = ? AND {column} = ?{lock}",
        user_select(tx.dialect())
    ));
    let found = tx
        .query(&select, vec![text(tenant), SqlParam::Text(value)], |row| {
            decode_user(row)
        })
        .await?;
    Ok(found.into_iter().next())
}
