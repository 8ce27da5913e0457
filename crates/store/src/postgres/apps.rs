//! The apps on PostgreSQL: each statement on a pooled connection, within the call's deadline.

use tokio_postgres::Row;
use uuid::Uuid;

use super::PgStore;
use crate::apps::{decode, sql, App, Columns};
use crate::{StoreError, TenantId};

fn read_app(row: &Row) -> Result<App, StoreError> {
    decode(Columns {
        tenant: row.try_get(0)?,
        client_id: row.try_get(1)?,
        name: row.try_get(2)?,
        secret_hash: row.try_get(3)?,
        roles: row.try_get(4)?,
        created: row.try_get(5)?,
        certificate: [row.try_get(6)?, row.try_get(7)?, row.try_get(8)?],
    })
}

impl PgStore {
    pub async fn create_app(&self, app: App) -> Result<(), StoreError> {
        self.within(self.call_limit(), async {
            let client = self.pool.get().await?;
            let [sha1, sha256, key] = app.certificate_columns();
            client
                .execute(
                    &sql::numbered(sql::INSERT),
                    &[
                        &app.tenant.to_string(),
                        &app.client_id.to_string(),
                        &app.name,
                        &app.secret_hash,
                        &app.roles_json(),
                        &app.created,
                        &sha1,
                        &sha256,
                        &key,
                    ],
                )
                .await?;
            Ok(())
        })
        .await
    }

    pub async fn app(&self, tenant: TenantId, client_id: Uuid) -> Result<Option<App>, StoreError> {
        self.within(self.call_limit(), async {
            let client = self.pool.get().await?;
            let statement = client
                .prepare_cached(&sql::numbered(sql::SELECT_ONE))
                .await?;
            let row = client
                .query_opt(&statement, &[&client_id.to_string(), &tenant.to_string()])
                .await?;
            row.as_ref().map(read_app).transpose()
        })
        .await
    }

    pub async fn list_apps(&self, tenant: Option<TenantId>) -> Result<Vec<App>, StoreError> {
        self.within(self.call_limit(), async {
            let client = self.pool.get().await?;
            let rows = match tenant {
                Some(tenant) => {
                    client
                        .query(&sql::numbered(sql::SELECT_TENANT), &[&tenant.to_string()])
                        .await?
                }
                None => client.query(sql::SELECT_ALL, &[]).await?,
            };
            rows.iter().map(read_app).collect()
        })
        .await
    }

    pub async fn remove_app(&self, client_id: Uuid) -> Result<bool, StoreError> {
        self.within(self.call_limit(), async {
            let client = self.pool.get().await?;
            let removed = client
                .execute(&sql::numbered(sql::DELETE), &[&client_id.to_string()])
                .await?;
            Ok(removed > 0)
        })
        .await
    }
}
