//! The apps that may sign in with client credentials (SPEC §12.4): one row per app, in the
//! tenant it belongs to, with the hash of its secret (never the secret) and the application
//! permissions its tokens carry. `tally app add|list|remove` write and read it; the token
//! endpoint reads it on every request (no cache, so a removed app is refused at once).

pub mod sql;

use uuid::Uuid;

use crate::directory::parse_tenant;
use crate::{Store, StoreError, TenantId};

/// A registered app.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct App {
    pub tenant: TenantId,
    /// The app's id: `client_id` in a token request, `appid`/`azp` in its tokens.
    pub client_id: Uuid,
    pub name: String,
    /// The digest of its secret, as `tally_server::signin::secret` writes it.
    pub secret_hash: String,
    /// Application permissions (`roles` in its tokens).
    pub roles: Vec<String>,
    /// When it was added (RFC 3339, UTC).
    pub created: String,
}

impl App {
    /// The stored JSON of its roles.
    pub(crate) fn roles_json(&self) -> String {
        serde_json::Value::from(self.roles.clone()).to_string()
    }
}

/// Builds an app from its stored columns, in the SELECTs' order.
pub(crate) fn decode(
    tenant: &str,
    client_id: &str,
    name: String,
    secret_hash: String,
    roles: &str,
    created: String,
) -> Result<App, StoreError> {
    let client_id = Uuid::parse_str(client_id).map_err(|error| {
        StoreError::Internal(format!("a stored client id '{client_id}': {error}"))
    })?;
    let roles: Vec<String> = serde_json::from_str(roles)
        .map_err(|error| StoreError::Internal(format!("an app's stored roles: {error}")))?;
    Ok(App {
        tenant: parse_tenant(tenant)?,
        client_id,
        name,
        secret_hash,
        roles,
        created,
    })
}

impl Store {
    /// Registers `app` (its client id is new: a random GUID).
    pub async fn create_app(&self, app: App) -> Result<(), StoreError> {
        match self {
            Store::Sqlite(store) => store.create_app(app).await,
            Store::Postgres(store) => store.create_app(app).await,
        }
    }

    /// The app `client_id` of `tenant`, if registered there.
    pub async fn app(&self, tenant: TenantId, client_id: Uuid) -> Result<Option<App>, StoreError> {
        match self {
            Store::Sqlite(store) => store.app(tenant, client_id).await,
            Store::Postgres(store) => store.app(tenant, client_id).await,
        }
    }

    /// The apps of `tenant`, or of every tenant (for the operator's `tally app list`), by
    /// tenant, then creation time.
    pub async fn list_apps(&self, tenant: Option<TenantId>) -> Result<Vec<App>, StoreError> {
        match self {
            Store::Sqlite(store) => store.list_apps(tenant).await,
            Store::Postgres(store) => store.list_apps(tenant).await,
        }
    }

    /// Removes the app `client_id`, whichever its tenant; whether there was one.
    pub async fn remove_app(&self, client_id: Uuid) -> Result<bool, StoreError> {
        match self {
            Store::Sqlite(store) => store.remove_app(client_id).await,
            Store::Postgres(store) => store.remove_app(client_id).await,
        }
    }
}
