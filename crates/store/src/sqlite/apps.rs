//! The apps on the embedded backend: writes are jobs of the single writer, reads on the reader
//! pool (a token request's lookup is one indexed row: inline, well within the reader's limit).

use rusqlite::{Connection, OptionalExtension, Row};
use uuid::Uuid;

use super::SqliteStore;
use crate::apps::{decode, sql, App, Columns};
use crate::directory::DirectoryError;
use crate::{StoreError, TenantId};

fn store_error(error: DirectoryError) -> StoreError {
    match error {
        DirectoryError::Store(error) => error,
        DirectoryError::NotFound | DirectoryError::BadRequest(_) => {
            StoreError::Internal("an app write failed unexpectedly".into())
        }
    }
}

fn read_app(row: &Row<'_>) -> rusqlite::Result<Result<App, StoreError>> {
    Ok(decode(Columns {
        tenant: &row.get::<_, String>(0)?,
        client_id: &row.get::<_, String>(1)?,
        name: row.get(2)?,
        secret_hash: row.get(3)?,
        roles: &row.get::<_, String>(4)?,
        created: row.get(5)?,
        certificate: [row.get(6)?, row.get(7)?, row.get(8)?],
    }))
}

fn read_apps(
    connection: &Connection,
    sql: &str,
    params: &[&dyn rusqlite::ToSql],
) -> Result<Vec<App>, StoreError> {
    let mut statement = connection.prepare_cached(sql)?;
    let rows = statement.query_map(params, read_app)?;
    let mut apps = Vec::new();
    for row in rows {
        apps.push(row??);
    }
    Ok(apps)
}

impl SqliteStore {
    pub async fn create_app(&self, app: App) -> Result<(), StoreError> {
        self.job(move |connection| {
            let [sha1, sha256, key] = app.certificate_columns();
            connection.execute(
                sql::INSERT,
                rusqlite::params![
                    app.tenant.to_string(),
                    app.client_id.to_string(),
                    app.name,
                    app.secret_hash,
                    app.roles_json(),
                    app.created,
                    sha1,
                    sha256,
                    key
                ],
            )?;
            Ok(())
        })
        .await
        .map_err(store_error)
    }

    pub async fn app(&self, tenant: TenantId, client_id: Uuid) -> Result<Option<App>, StoreError> {
        self.readers
            .run_for(Some(tenant), move |connection| {
                connection
                    .prepare_cached(sql::SELECT_ONE)?
                    .query_row([client_id.to_string(), tenant.to_string()], read_app)
                    .optional()?
                    .transpose()
            })
            .await
    }

    pub async fn list_apps(&self, tenant: Option<TenantId>) -> Result<Vec<App>, StoreError> {
        self.readers
            .run_for(tenant, move |connection| match tenant {
                Some(tenant) => read_apps(connection, sql::SELECT_TENANT, &[&tenant.to_string()]),
                None => read_apps(connection, sql::SELECT_ALL, &[]),
            })
            .await
    }

    pub async fn remove_app(&self, client_id: Uuid) -> Result<bool, StoreError> {
        self.job(
            move |connection| Ok(connection.execute(sql::DELETE, [client_id.to_string()])? > 0),
        )
        .await
        .map_err(store_error)
    }
}
