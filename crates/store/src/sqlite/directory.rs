//! The directory on the embedded backend: writes run as jobs of the single writer (so they are
//! serial, and group-committed with everything else), reads on the reader pool.

use rusqlite::{params_from_iter, Connection, OptionalExtension};
use tally_model::directory::assign::{no_free_unit, plan};
use tally_model::directory::body::{AssignLicense, SkuPatch, UserPatch};
use tally_model::directory::{upn_key, Sku, User, UserKey};
use tally_odata::query::TypedExpr;
use uuid::Uuid;

use super::rows::sqlite_params;
use super::writer::{Job, JobOutcome, WriteCommand};
use super::SqliteStore;
use crate::directory::sql::{self, SKU_SELECT};
use crate::directory::{
    check_capacity, check_unheld, decode_sku, decode_user, now_text, prepare_import, sku_body,
    units_taken, DirectoryError, ImportOutcome, PreparedReplace, ReplaceOutcome, UserPage,
    UserQuery, EXISTS, UPN_TAKEN,
};
use crate::sql::Dialect;
use crate::{StoreError, TenantId};

type Outcome<T> = Result<T, DirectoryError>;

impl SqliteStore {
    /// Runs `work` as one write of the writer thread, answered after its group commits.
    pub(super) async fn job<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Connection) -> Outcome<T> + Send + 'static,
    ) -> Outcome<T> {
        let answer = self
            .write(move |reply| {
                let job: Job = Box::new(move |connection| {
                    let result = match connection {
                        Ok(connection) => work(connection),
                        Err(error) => Err(error.into()),
                    };
                    JobOutcome {
                        failed: result.is_err(),
                        answer: Box::new(move |commit| {
                            drop(reply.send(commit.map(|()| result)));
                        }),
                    }
                });
                WriteCommand::Job(job)
            })
            .await?;
        answer
    }

    pub async fn create_sku(&self, tenant: TenantId, sku: Sku) -> Outcome<Sku> {
        self.job(move |connection| {
            if read_sku(connection, tenant, sku.sku_id)?.is_some() {
                return Err(DirectoryError::BadRequest(format!(
                    "A subscribedSku with skuId {} exists already in the tenant.",
                    sku.sku_id
                )));
            }
            connection.execute(
                "INSERT INTO directory_skus (tenant_id, sku_id, body, capacity, consumed_units) \
                 VALUES (?, ?, ?, ?, 0)",
                rusqlite::params![
                    tenant.to_string(),
                    sku.sku_id.to_string(),
                    sku_body(&sku),
                    sku.prepaid_units.capacity()
                ],
            )?;
            Ok(sku)
        })
        .await
    }

    pub async fn list_skus(&self, tenant: TenantId) -> Result<Vec<Sku>, StoreError> {
        self.readers
            .run_for(Some(tenant), move |connection| {
                read_skus(connection, tenant)
            })
            .await
    }

    pub async fn update_sku(
        &self,
        tenant: TenantId,
        sku_id: Uuid,
        patch: SkuPatch,
    ) -> Outcome<Sku> {
        self.job(move |connection| {
            let mut sku = read_sku(connection, tenant, sku_id)?.ok_or(DirectoryError::NotFound)?;
            patch.apply(&mut sku);
            check_capacity(&sku)?;
            connection.execute(
                "UPDATE directory_skus SET body = ?, capacity = ? WHERE tenant_id = ? AND sku_id = ?",
                rusqlite::params![
                    sku_body(&sku),
                    sku.prepaid_units.capacity(),
                    tenant.to_string(),
                    sku_id.to_string()
                ],
            )?;
            Ok(sku)
        })
        .await
    }

    pub async fn delete_sku(&self, tenant: TenantId, sku_id: Uuid) -> Outcome<()> {
        self.job(move |connection| {
            let sku = read_sku(connection, tenant, sku_id)?.ok_or(DirectoryError::NotFound)?;
            check_unheld(&sku)?;
            connection.execute(
                "DELETE FROM directory_skus WHERE tenant_id = ? AND sku_id = ?",
                rusqlite::params![tenant.to_string(), sku_id.to_string()],
            )?;
            Ok(())
        })
        .await
    }

    pub async fn create_user(&self, tenant: TenantId, user: User) -> Outcome<User> {
        self.job(move |connection| {
            let key = UserKey::Upn(upn_key(&user.user_principal_name));
            if read_user(connection, tenant, &key)?.is_some() {
                return Err(DirectoryError::BadRequest(UPN_TAKEN.into()));
            }
            let mut params = vec![crate::sql::SqlParam::Text(tenant.to_string())];
            params.extend(crate::directory::rows::user_params(&user));
            connection
                .prepare_cached(&sql::insert_user(Dialect::Sqlite))?
                .execute(params_from_iter(sqlite_params(params)))?;
            Ok(user)
        })
        .await
    }

    pub async fn get_user(
        &self,
        tenant: TenantId,
        key: UserKey,
    ) -> Result<Option<User>, StoreError> {
        self.readers
            .run_for(Some(tenant), move |connection| {
                read_user(connection, tenant, &key)
            })
            .await
    }

    pub async fn list_users(
        &self,
        tenant: TenantId,
        query: UserQuery,
    ) -> Result<UserPage, StoreError> {
        self.readers
            .run_for(Some(tenant), move |connection| {
                let built = sql::list_users(Dialect::Sqlite, tenant, &query);
                let mut statement = connection.prepare_cached(&built.sql)?;
                let mut rows = statement.query(params_from_iter(sqlite_params(built.params)))?;
                let mut items = Vec::with_capacity(query.page_size + 1);
                while let Some(row) = rows.next()? {
                    items.push(decode_user(row)?);
                }
                Ok(crate::directory::page(&query, items))
            })
            .await
    }

    pub async fn count_users(
        &self,
        tenant: TenantId,
        filter: Option<TypedExpr>,
    ) -> Result<u64, StoreError> {
        self.readers
            .run_for(Some(tenant), move |connection| {
                let built = sql::count_users(Dialect::Sqlite, tenant, filter.as_ref());
                let count: i64 = connection
                    .prepare_cached(&built.sql)?
                    .query_row(params_from_iter(sqlite_params(built.params)), |row| {
                        row.get(0)
                    })?;
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
        self.job(move |connection| {
            let mut user = read_user(connection, tenant, &key)?.ok_or(DirectoryError::NotFound)?;
            if let Some(new_key) = patch.upn_key() {
                let holder = read_user(connection, tenant, &UserKey::Upn(new_key))?;
                if holder.is_some_and(|other| other.id != user.id) {
                    return Err(DirectoryError::BadRequest(UPN_TAKEN.into()));
                }
            }
            patch.apply(&mut user);
            write_user(connection, tenant, &user)?;
            Ok(user)
        })
        .await
    }

    pub async fn delete_user(&self, tenant: TenantId, key: UserKey) -> Outcome<()> {
        self.job(move |connection| {
            let user = read_user(connection, tenant, &key)?.ok_or(DirectoryError::NotFound)?;
            let held: Vec<Uuid> = user.assigned_licenses.iter().map(|l| l.sku_id).collect();
            for sku_id in &held {
                release(connection, tenant, *sku_id)?;
            }
            record_holders(connection, tenant, user.id, &[], &held)?;
            connection.execute(
                "DELETE FROM directory_users WHERE tenant_id = ? AND id = ?",
                rusqlite::params![tenant.to_string(), user.id.to_string()],
            )?;
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
        self.job(move |connection| {
            let mut user = read_user(connection, tenant, &key)?.ok_or(DirectoryError::NotFound)?;
            let mut skus = Vec::new();
            for sku_id in crate::directory::skus_involved(&user, &request) {
                skus.extend(read_sku(connection, tenant, sku_id)?);
            }
            let mut assignment =
                plan(&user, &request, &skus, &now_text()).map_err(DirectoryError::BadRequest)?;
            assignment.taken.sort();
            for sku_id in &assignment.taken {
                let taken = connection.execute(
                    "UPDATE directory_skus SET consumed_units = consumed_units + 1 \
                     WHERE tenant_id = ? AND sku_id = ? AND consumed_units < capacity",
                    rusqlite::params![tenant.to_string(), sku_id.to_string()],
                )?;
                if taken == 0 {
                    return Err(DirectoryError::BadRequest(no_free_unit(*sku_id)));
                }
            }
            for sku_id in &assignment.released {
                release(connection, tenant, *sku_id)?;
            }
            record_holders(
                connection,
                tenant,
                user.id,
                &assignment.taken,
                &assignment.released,
            )?;
            user.assigned_licenses = assignment.licenses;
            user.assigned_plans = assignment.plans;
            write_user(connection, tenant, &user)?;
            Ok(user)
        })
        .await
    }
}

impl SqliteStore {
    pub async fn directory_tenants(&self) -> Result<Vec<TenantId>, StoreError> {
        self.readers
            .run(move |connection| {
                let mut statement = connection.prepare_cached(crate::directory::TENANTS)?;
                let mut rows = statement.query([])?;
                let mut tenants = Vec::new();
                while let Some(row) = rows.next()? {
                    tenants.push(crate::directory::parse_tenant(&row.get::<_, String>(0)?)?);
                }
                Ok(tenants)
            })
            .await
    }

    pub async fn import_users(
        &self,
        tenant: TenantId,
        records: Vec<(User, Vec<tally_model::directory::AssignedLicense>)>,
    ) -> Outcome<ImportOutcome> {
        self.job(move |connection| {
            let skus = read_skus(connection, tenant)?;
            let prepared = prepare_import(&skus, records);
            let mut outcome = ImportOutcome {
                inserted: 0,
                refused: prepared.refused,
            };
            let insert = format!(
                "{} ON CONFLICT DO NOTHING",
                sql::insert_user(Dialect::Sqlite)
            );
            let mut statement = connection.prepare_cached(&insert)?;
            let mut inserted = Vec::with_capacity(prepared.users.len());
            for (index, user) in prepared.users {
                let mut params = vec![crate::sql::SqlParam::Text(tenant.to_string())];
                params.extend(crate::directory::rows::user_params(&user));
                if statement.execute(params_from_iter(sqlite_params(params)))? == 0 {
                    outcome.refused.push((index, EXISTS.into()));
                } else {
                    inserted.push(user);
                }
            }
            for user in &inserted {
                let held: Vec<Uuid> = user.assigned_licenses.iter().map(|l| l.sku_id).collect();
                record_holders(connection, tenant, user.id, &held, &[])?;
            }
            // Counted against the units while preparing: the single writer changed none since.
            for (sku_id, units) in units_taken(inserted.iter()) {
                connection.execute(
                    "UPDATE directory_skus SET consumed_units = consumed_units + ? \
                     WHERE tenant_id = ? AND sku_id = ?",
                    rusqlite::params![units, tenant.to_string(), sku_id.to_string()],
                )?;
            }
            outcome.inserted = inserted.len();
            outcome.refused.sort_by_key(|(index, _)| *index);
            Ok(outcome)
        })
        .await
    }
}

impl SqliteStore {
    /// One job of the writer: the tenant's rows deleted and the new ones inserted, in its
    /// savepoint (a failure rolls all of it back).
    pub(crate) async fn replace_directory(
        &self,
        tenant: TenantId,
        prepared: PreparedReplace,
    ) -> Outcome<ReplaceOutcome> {
        self.job(move |connection| {
            let tenant_text = tenant.to_string();
            for table in [sql::HOLDERS, sql::USERS, sql::SKUS] {
                connection.execute(
                    &format!("DELETE FROM {table} WHERE tenant_id = ?"),
                    [&tenant_text],
                )?;
            }
            let mut insert_sku = connection.prepare_cached(
                "INSERT INTO directory_skus (tenant_id, sku_id, body, capacity, consumed_units) \
                 VALUES (?, ?, ?, ?, ?)",
            )?;
            for sku in &prepared.skus {
                insert_sku.execute(rusqlite::params![
                    tenant_text,
                    sku.sku_id.to_string(),
                    sku_body(sku),
                    sku.prepaid_units.capacity(),
                    sku.consumed_units
                ])?;
            }
            let mut insert_user = connection.prepare_cached(&sql::insert_user(Dialect::Sqlite))?;
            let mut insert_holder =
                connection.prepare_cached(sql::holder_insert(Dialect::Sqlite))?;
            for user in &prepared.users {
                let mut params = vec![crate::sql::SqlParam::Text(tenant_text.clone())];
                params.extend(crate::directory::rows::user_params(user));
                insert_user
                    .execute(params_from_iter(sqlite_params(params)))
                    .map_err(|error| duplicate(error, user))?;
                let id = user.id.to_string();
                for license in &user.assigned_licenses {
                    insert_holder.execute([&tenant_text, &license.sku_id.to_string(), &id])?;
                }
            }
            Ok(ReplaceOutcome {
                skus: prepared.skus.len(),
                users: prepared.users.len(),
            })
        })
        .await
    }
}

/// A unique key broken by a user of a replacement: the user named.
fn duplicate(error: rusqlite::Error, user: &User) -> DirectoryError {
    if error.sqlite_error_code() == Some(rusqlite::ErrorCode::ConstraintViolation) {
        return DirectoryError::BadRequest(format!(
            "user {} ({}): another user has the same id or userPrincipalName",
            user.user_principal_name, user.id
        ));
    }
    error.into()
}

/// Keeps the holders' index with a user's licenses.
fn record_holders(
    connection: &Connection,
    tenant: TenantId,
    user: Uuid,
    taken: &[Uuid],
    released: &[Uuid],
) -> Result<(), StoreError> {
    let changes = [
        (sql::holder_insert(Dialect::Sqlite), taken),
        (sql::holder_delete(Dialect::Sqlite), released),
    ];
    for (statement, skus) in changes {
        let mut statement = connection.prepare_cached(statement)?;
        for sku_id in skus {
            statement.execute([tenant.to_string(), sku_id.to_string(), user.to_string()])?;
        }
    }
    Ok(())
}

fn release(connection: &Connection, tenant: TenantId, sku_id: Uuid) -> Result<(), StoreError> {
    connection.execute(
        "UPDATE directory_skus SET consumed_units = consumed_units - 1 \
         WHERE tenant_id = ? AND sku_id = ? AND consumed_units > 0",
        rusqlite::params![tenant.to_string(), sku_id.to_string()],
    )?;
    Ok(())
}

fn read_sku(
    connection: &Connection,
    tenant: TenantId,
    sku_id: Uuid,
) -> Result<Option<Sku>, StoreError> {
    connection
        .prepare_cached(&format!("{SKU_SELECT} WHERE tenant_id = ? AND sku_id = ?"))?
        .query_row([tenant.to_string(), sku_id.to_string()], |row| {
            Ok(decode_sku(row))
        })
        .optional()?
        .transpose()
}

fn read_skus(connection: &Connection, tenant: TenantId) -> Result<Vec<Sku>, StoreError> {
    let mut statement =
        connection.prepare_cached(&format!("{SKU_SELECT} WHERE tenant_id = ? ORDER BY sku_id"))?;
    let mut rows = statement.query([tenant.to_string()])?;
    let mut skus = Vec::new();
    while let Some(row) = rows.next()? {
        skus.push(decode_sku(row)?);
    }
    Ok(skus)
}

fn read_user(
    connection: &Connection,
    tenant: TenantId,
    key: &UserKey,
) -> Result<Option<User>, StoreError> {
    let (column, value) = match key {
        UserKey::Id(id) => ("id", id.to_string()),
        UserKey::Upn(upn) => ("upn_key", upn.clone()),
    };
    let select = sql::user_select(Dialect::Sqlite);
    connection
        .prepare_cached(&format!("{select} WHERE tenant_id = ? AND {column} = ?"))?
        .query_row([tenant.to_string(), value], |row| Ok(decode_user(row)))
        .optional()?
        .transpose()
}

fn write_user(connection: &Connection, tenant: TenantId, user: &User) -> Result<(), StoreError> {
    let mut params = crate::directory::rows::user_params(user);
    let id = params.remove(0);
    params.push(crate::sql::SqlParam::Text(tenant.to_string()));
    params.push(id);
    connection
        .prepare_cached(&sql::update_user(Dialect::Sqlite))?
        .execute(params_from_iter(sqlite_params(params)))?;
    Ok(())
}
