//! The directory on PostgreSQL: each write is one transaction that locks what it changes (the
//! user's row first, then the SKUs' rows in skuId order, so writers never deadlock), and takes
//! a unit with a conditional `UPDATE`, which PostgreSQL re-checks on the latest row once the
//! lock is granted: racing processes cannot oversell a SKU.

use deadpool_postgres::GenericClient;
use tally_model::directory::assign::{no_free_unit, plan};
use tally_model::directory::body::{AssignLicense, SkuPatch, UserPatch};
use tally_model::directory::{Sku, User, UserKey};
use tally_odata::query::TypedExpr;
use uuid::Uuid;

use super::rows::{borrowed, postgres_params};
use super::PgStore;
use crate::directory::rows::user_params;
use crate::directory::sql::{self, SKU_SELECT};
use crate::directory::{
    check_capacity, check_unheld, decode_sku, decode_user, now_text, page, prepare_import,
    sku_body, units_taken, DirectoryError, ImportOutcome, PreparedReplace, ReplaceOutcome,
    UserPage, UserQuery, EXISTS, UPN_TAKEN,
};
use crate::sql::{Dialect, SqlParam};
use crate::{StoreError, TenantId};

type Outcome<T> = Result<T, DirectoryError>;

impl PgStore {
    /// Runs a write within the call's deadline.
    async fn bounded<T>(&self, work: impl std::future::Future<Output = Outcome<T>>) -> Outcome<T> {
        match self
            .within(self.call_limit(), async { Ok(work.await) })
            .await
        {
            Ok(result) => result,
            Err(error) => Err(error.into()),
        }
    }

    pub async fn create_sku(&self, tenant: TenantId, sku: Sku) -> Outcome<Sku> {
        self.bounded(async {
            let client = self.pool.get().await.map_err(StoreError::from)?;
            let inserted = client
                .execute(
                    "INSERT INTO directory_skus (tenant_id, sku_id, body, capacity, consumed_units) \
                     VALUES ($1, $2, $3, $4, 0) ON CONFLICT DO NOTHING",
                    &[
                        &tenant.to_string(),
                        &sku.sku_id.to_string(),
                        &sku_body(&sku),
                        &sku.prepaid_units.capacity(),
                    ],
                )
                .await?;
            if inserted == 0 {
                return Err(DirectoryError::BadRequest(format!(
                    "A subscribedSku with skuId {} exists already in the tenant.",
                    sku.sku_id
                )));
            }
            Ok(sku)
        })
        .await
    }

    pub async fn list_skus(&self, tenant: TenantId) -> Result<Vec<Sku>, StoreError> {
        self.within(self.call_limit(), async {
            let client = self.pool.get().await?;
            read_skus(&client, tenant, false).await
        })
        .await
    }

    pub async fn update_sku(
        &self,
        tenant: TenantId,
        sku_id: Uuid,
        patch: SkuPatch,
    ) -> Outcome<Sku> {
        self.bounded(async {
            let mut client = self.pool.get().await.map_err(StoreError::from)?;
            let transaction = client.transaction().await?;
            let mut sku = read_sku(&transaction, tenant, sku_id, true)
                .await?
                .ok_or(DirectoryError::NotFound)?;
            patch.apply(&mut sku);
            check_capacity(&sku)?;
            transaction
                .execute(
                    "UPDATE directory_skus SET body = $1, capacity = $2 \
                     WHERE tenant_id = $3 AND sku_id = $4",
                    &[
                        &sku_body(&sku),
                        &sku.prepaid_units.capacity(),
                        &tenant.to_string(),
                        &sku_id.to_string(),
                    ],
                )
                .await?;
            transaction.commit().await?;
            Ok(sku)
        })
        .await
    }

    pub async fn delete_sku(&self, tenant: TenantId, sku_id: Uuid) -> Outcome<()> {
        self.bounded(async {
            let mut client = self.pool.get().await.map_err(StoreError::from)?;
            let transaction = client.transaction().await?;
            let sku = read_sku(&transaction, tenant, sku_id, true)
                .await?
                .ok_or(DirectoryError::NotFound)?;
            check_unheld(&sku)?;
            transaction
                .execute(
                    "DELETE FROM directory_skus WHERE tenant_id = $1 AND sku_id = $2",
                    &[&tenant.to_string(), &sku_id.to_string()],
                )
                .await?;
            transaction.commit().await?;
            Ok(())
        })
        .await
    }

    pub async fn create_user(&self, tenant: TenantId, user: User) -> Outcome<User> {
        self.bounded(async {
            let client = self.pool.get().await.map_err(StoreError::from)?;
            let mut params = vec![SqlParam::Text(tenant.to_string())];
            params.extend(user_params(&user));
            let params = postgres_params(params);
            let statement = format!(
                "{} ON CONFLICT (tenant_id, upn_key) DO NOTHING",
                sql::insert_user(Dialect::Postgres)
            );
            let inserted = client.execute(&statement, &borrowed(&params)).await?;
            if inserted == 0 {
                return Err(DirectoryError::BadRequest(UPN_TAKEN.into()));
            }
            Ok(user)
        })
        .await
    }

    pub async fn get_user(
        &self,
        tenant: TenantId,
        key: UserKey,
    ) -> Result<Option<User>, StoreError> {
        self.within(self.call_limit(), async {
            let client = self.pool.get().await?;
            read_user(&client, tenant, &key, false).await
        })
        .await
    }

    pub async fn list_users(
        &self,
        tenant: TenantId,
        query: UserQuery,
    ) -> Result<UserPage, StoreError> {
        self.read(tenant, async {
            let client = self.pool.get().await?;
            let built = sql::list_users(Dialect::Postgres, tenant, &query);
            let params = postgres_params(built.params);
            let rows = client.query(&built.sql, &borrowed(&params)).await?;
            let items = rows
                .iter()
                .map(decode_user)
                .collect::<Result<Vec<_>, _>>()?;
            Ok(page(&query, items))
        })
        .await
    }

    pub async fn count_users(
        &self,
        tenant: TenantId,
        filter: Option<TypedExpr>,
    ) -> Result<u64, StoreError> {
        self.read(tenant, async {
            let client = self.pool.get().await?;
            let built = sql::count_users(Dialect::Postgres, tenant, filter.as_ref());
            let params = postgres_params(built.params);
            let count: i64 = client
                .query_one(&built.sql, &borrowed(&params))
                .await?
                .get(0);
            Ok(u64::try_from(count).unwrap_or(0))
        })
        .await
    }

    pub async fn update_user(
        &self,
        tenant: TenantId,
        key: UserKey,
        patch: UserPatch,
    ) -> Outcome<User> {
        self.bounded(async {
            let mut client = self.pool.get().await.map_err(StoreError::from)?;
            let transaction = client.transaction().await?;
            let mut user = read_user(&transaction, tenant, &key, true)
                .await?
                .ok_or(DirectoryError::NotFound)?;
            patch.apply(&mut user);
            // The unique index decides a race for a new userPrincipalName.
            match write_user(&transaction, tenant, &user).await {
                Err(error) if is_unique_violation(&error) => {
                    return Err(DirectoryError::BadRequest(UPN_TAKEN.into()))
                }
                other => other?,
            }
            transaction.commit().await?;
            Ok(user)
        })
        .await
    }

    pub async fn delete_user(&self, tenant: TenantId, key: UserKey) -> Outcome<()> {
        self.bounded(async {
            let mut client = self.pool.get().await.map_err(StoreError::from)?;
            let transaction = client.transaction().await?;
            let user = read_user(&transaction, tenant, &key, true)
                .await?
                .ok_or(DirectoryError::NotFound)?;
            let mut held: Vec<Uuid> = user.assigned_licenses.iter().map(|l| l.sku_id).collect();
            held.sort();
            for sku_id in &held {
                release(&transaction, tenant, *sku_id).await?;
            }
            record_holders(&transaction, tenant, user.id, &[], &held).await?;
            transaction
                .execute(
                    "DELETE FROM directory_users WHERE tenant_id = $1 AND id = $2",
                    &[&tenant.to_string(), &user.id.to_string()],
                )
                .await?;
            transaction.commit().await?;
            Ok(())
        })
        .await
    }

    pub async fn assign_license(
        &self,
        tenant: TenantId,
        key: UserKey,
        request: AssignLicense,
    ) -> Outcome<User> {
        self.bounded(async {
            let mut client = self.pool.get().await.map_err(StoreError::from)?;
            let transaction = client.transaction().await?;
            let mut user = read_user(&transaction, tenant, &key, true)
                .await?
                .ok_or(DirectoryError::NotFound)?;
            let mut skus = Vec::new();
            for sku_id in crate::directory::skus_involved(&user, &request) {
                skus.extend(read_sku(&transaction, tenant, sku_id, false).await?);
            }
            let assignment =
                plan(&user, &request, &skus, &now_text()).map_err(DirectoryError::BadRequest)?;
            // Every SKU row this transaction locks, in one order for all writers.
            let mut touched: Vec<(Uuid, i64)> = assignment
                .taken
                .iter()
                .map(|id| (*id, 1))
                .chain(assignment.released.iter().map(|id| (*id, -1)))
                .collect();
            touched.sort();
            for (sku_id, change) in touched {
                if change > 0 {
                    let taken = transaction
                        .execute(
                            "UPDATE directory_skus SET consumed_units = consumed_units + 1 \
                             WHERE tenant_id = $1 AND sku_id = $2 AND consumed_units < capacity",
                            &[&tenant.to_string(), &sku_id.to_string()],
                        )
                        .await?;
                    if taken == 0 {
                        return Err(DirectoryError::BadRequest(no_free_unit(sku_id)));
                    }
                } else {
                    release(&transaction, tenant, sku_id).await?;
                }
            }
            record_holders(
                &transaction,
                tenant,
                user.id,
                &assignment.taken,
                &assignment.released,
            )
            .await?;
            user.assigned_licenses = assignment.licenses;
            user.assigned_plans = assignment.plans;
            write_user(&transaction, tenant, &user).await?;
            transaction.commit().await?;
            Ok(user)
        })
        .await
    }
}

impl PgStore {
    pub async fn directory_tenants(&self) -> Result<Vec<TenantId>, StoreError> {
        self.within(self.call_limit(), async {
            let client = self.pool.get().await?;
            let rows = client.query(crate::directory::TENANTS, &[]).await?;
            rows.iter()
                .map(|row| crate::directory::parse_tenant(row.get::<_, &str>(0)))
                .collect()
        })
        .await
    }

    pub async fn import_users(
        &self,
        tenant: TenantId,
        records: Vec<(User, Vec<tally_model::directory::AssignedLicense>)>,
    ) -> Outcome<ImportOutcome> {
        let mut client = self.pool.get().await.map_err(StoreError::from)?;
        let transaction = client.transaction().await?;
        let skus = read_skus(&transaction, tenant, false).await?;
        let prepared = prepare_import(&skus, records);
        let mut outcome = ImportOutcome {
            inserted: 0,
            refused: prepared.refused,
        };
        let insert = format!(
            "{} ON CONFLICT DO NOTHING",
            sql::insert_user(Dialect::Postgres)
        );
        let statement = transaction.prepare(&insert).await?;
        let mut inserted = Vec::with_capacity(prepared.users.len());
        for (index, user) in prepared.users {
            let mut params = vec![SqlParam::Text(tenant.to_string())];
            params.extend(user_params(&user));
            let params = postgres_params(params);
            if transaction.execute(&statement, &borrowed(&params)).await? == 0 {
                outcome.refused.push((index, EXISTS.into()));
            } else {
                inserted.push(user);
            }
        }
        for user in &inserted {
            let held: Vec<Uuid> = user.assigned_licenses.iter().map(|l| l.sku_id).collect();
            record_holders(&transaction, tenant, user.id, &held, &[]).await?;
        }
        // Other processes may have assigned units since they were read: take them only if
        // they are still free, else the whole batch fails and stores nothing.
        for (sku_id, units) in units_taken(inserted.iter()) {
            let taken = transaction
                .execute(
                    "UPDATE directory_skus SET consumed_units = consumed_units + $1 \
                     WHERE tenant_id = $2 AND sku_id = $3 AND consumed_units + $1 <= capacity",
                    &[&units, &tenant.to_string(), &sku_id.to_string()],
                )
                .await?;
            if taken == 0 {
                return Err(DirectoryError::BadRequest(format!(
                    "the units of SKU {sku_id} changed during the import; nothing of this batch was stored, run it again"
                )));
            }
        }
        transaction.commit().await?;
        outcome.inserted = inserted.len();
        outcome.refused.sort_by_key(|(index, _)| *index);
        Ok(outcome)
    }
}

/// Users per multi-row `INSERT` of a replacement (21 parameters each, under PostgreSQL's 65,535).
const REPLACE_USERS_PER_INSERT: usize = 500;
/// Holders per multi-row `INSERT` of a replacement.
const REPLACE_HOLDERS_PER_INSERT: usize = 5000;

impl PgStore {
    /// One transaction: the tenant's rows deleted and the new ones inserted, users and holders
    /// in multi-row `INSERT`s (a round trip per few hundred rows, not per row).
    pub(crate) async fn replace_directory(
        &self,
        tenant: TenantId,
        prepared: PreparedReplace,
    ) -> Outcome<ReplaceOutcome> {
        let mut client = self.pool.get().await.map_err(StoreError::from)?;
        let transaction = client.transaction().await?;
        let tenant_text = tenant.to_string();
        // Takes the tenant's SKU rows' locks first, as assignments do, then empties the tenant.
        transaction
            .execute(
                "SELECT 1 FROM directory_skus WHERE tenant_id = $1 ORDER BY sku_id FOR UPDATE",
                &[&tenant_text],
            )
            .await?;
        for table in [sql::HOLDERS, sql::USERS, sql::SKUS] {
            transaction
                .execute(
                    &format!("DELETE FROM {table} WHERE tenant_id = $1"),
                    &[&tenant_text],
                )
                .await?;
        }
        for sku in &prepared.skus {
            transaction
                .execute(
                    "INSERT INTO directory_skus (tenant_id, sku_id, body, capacity, consumed_units) \
                     VALUES ($1, $2, $3, $4, $5)",
                    &[
                        &tenant_text,
                        &sku.sku_id.to_string(),
                        &sku_body(sku),
                        &sku.prepaid_units.capacity(),
                        &sku.consumed_units,
                    ],
                )
                .await?;
        }
        for chunk in prepared.users.chunks(REPLACE_USERS_PER_INSERT) {
            let mut params = Vec::with_capacity(chunk.len() * 21);
            for user in chunk {
                params.push(SqlParam::Text(tenant_text.clone()));
                params.extend(user_params(user));
            }
            let params = postgres_params(params);
            transaction
                .execute(
                    &sql::insert_users(Dialect::Postgres, chunk.len()),
                    &borrowed(&params),
                )
                .await
                .map_err(|error| {
                    if is_unique_violation(&error) {
                        DirectoryError::BadRequest(
                            "two users have the same id or userPrincipalName".into(),
                        )
                    } else {
                        error.into()
                    }
                })?;
        }
        let holders: Vec<(String, String)> = prepared
            .users
            .iter()
            .flat_map(|user| {
                user.assigned_licenses
                    .iter()
                    .map(move |license| (license.sku_id.to_string(), user.id.to_string()))
            })
            .collect();
        for chunk in holders.chunks(REPLACE_HOLDERS_PER_INSERT) {
            let tuples: Vec<String> = (0..chunk.len())
                .map(|row| format!("($1, ${}, ${})", row * 2 + 2, row * 2 + 3))
                .collect();
            let statement = format!(
                "INSERT INTO {} (tenant_id, sku_id, user_id) VALUES {}",
                sql::HOLDERS,
                tuples.join(", ")
            );
            let mut params: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> =
                Vec::with_capacity(chunk.len() * 2 + 1);
            params.push(&tenant_text);
            for (sku, user) in chunk {
                params.push(sku);
                params.push(user);
            }
            transaction.execute(&statement, &params).await?;
        }
        transaction.commit().await?;
        Ok(ReplaceOutcome {
            skus: prepared.skus.len(),
            users: prepared.users.len(),
        })
    }
}

/// Keeps the holders' index with a user's licenses.
async fn record_holders(
    client: &impl GenericClient,
    tenant: TenantId,
    user: Uuid,
    taken: &[Uuid],
    released: &[Uuid],
) -> Result<(), StoreError> {
    let changes = [
        (sql::holder_insert(Dialect::Postgres), taken),
        (sql::holder_delete(Dialect::Postgres), released),
    ];
    for (statement, skus) in changes {
        if skus.is_empty() {
            continue;
        }
        let statement = client.prepare_cached(statement).await?;
        for sku_id in skus {
            client
                .execute(
                    &statement,
                    &[&tenant.to_string(), &sku_id.to_string(), &user.to_string()],
                )
                .await?;
        }
    }
    Ok(())
}

fn is_unique_violation(error: &tokio_postgres::Error) -> bool {
    error
        .code()
        .is_some_and(|code| *code == tokio_postgres::error::SqlState::UNIQUE_VIOLATION)
}

async fn release(
    client: &impl GenericClient,
    tenant: TenantId,
    sku_id: Uuid,
) -> Result<(), StoreError> {
    client
        .execute(
            "UPDATE directory_skus SET consumed_units = consumed_units - 1 \
             WHERE tenant_id = $1 AND sku_id = $2 AND consumed_units > 0",
            &[&tenant.to_string(), &sku_id.to_string()],
        )
        .await?;
    Ok(())
}

fn locking(lock: bool) -> &'static str {
    if lock {
        " FOR UPDATE"
    } else {
        ""
    }
}

async fn read_sku(
    client: &impl GenericClient,
    tenant: TenantId,
    sku_id: Uuid,
    lock: bool,
) -> Result<Option<Sku>, StoreError> {
    let statement = format!(
        "{SKU_SELECT} WHERE tenant_id = $1 AND sku_id = $2{}",
        locking(lock)
    );
    client
        .query_opt(&statement, &[&tenant.to_string(), &sku_id.to_string()])
        .await?
        .map(|row| decode_sku(&row))
        .transpose()
}

async fn read_skus(
    client: &impl GenericClient,
    tenant: TenantId,
    lock: bool,
) -> Result<Vec<Sku>, StoreError> {
    let statement = format!(
        "{SKU_SELECT} WHERE tenant_id = $1 ORDER BY sku_id{}",
        locking(lock)
    );
    let rows = client.query(&statement, &[&tenant.to_string()]).await?;
    rows.iter().map(decode_sku).collect()
}

async fn read_user(
    client: &impl GenericClient,
    tenant: TenantId,
    key: &UserKey,
    lock: bool,
) -> Result<Option<User>, StoreError> {
    let (column, value) = match key {
        UserKey::Id(id) => ("id", id.to_string()),
        UserKey::Upn(upn) => ("upn_key", upn.clone()),
    };
    let statement = format!(
        "{} WHERE tenant_id = $1 AND {column} = $2{}",
        sql::user_select(Dialect::Postgres),
        locking(lock)
    );
    client
        .query_opt(&statement, &[&tenant.to_string(), &value])
        .await?
        .map(|row| decode_user(&row))
        .transpose()
}

async fn write_user(
    client: &impl GenericClient,
    tenant: TenantId,
    user: &User,
) -> Result<(), tokio_postgres::Error> {
    let mut params = user_params(user);
    let id = params.remove(0);
    params.push(SqlParam::Text(tenant.to_string()));
    params.push(id);
    let params = postgres_params(params);
    client
        .execute(&sql::update_user(Dialect::Postgres), &borrowed(&params))
        .await?;
    Ok(())
}
