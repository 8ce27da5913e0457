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
    /// Its certificate, for client assertions, if it has one.
    pub certificate: Option<Certificate>,
}

/// What tally keeps of an app's certificate: the thumbprints a client assertion's header names
/// it by, and its RSA public key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Certificate {
    /// base64url of the SHA-1 of the certificate's DER (`x5t`).
    pub sha1: String,
    /// base64url of its SHA-256 (`x5t#S256`).
    pub sha256: String,
    /// The RSA public key, PKCS#1 DER in base64url.
    pub key: String,
}

impl App {
    /// The stored JSON of its roles.
    pub(crate) fn roles_json(&self) -> String {
        serde_json::Value::from(self.roles.clone()).to_string()
    }

    /// The certificate's three stored columns (nulls without one).
    pub(crate) fn certificate_columns(&self) -> [Option<String>; 3] {
        match &self.certificate {
            Some(certificate) => [
                Some(certificate.sha1.clone()),
                Some(certificate.sha256.clone()),
                Some(certificate.key.clone()),
            ],
            None => [None, None, None],
        }
    }
}

/// An app's stored columns, in the SELECTs' order.
pub(crate) struct Columns<'a> {
    pub tenant: &'a str,
    pub client_id: &'a str,
    pub name: String,
    pub secret_hash: String,
    pub roles: &'a str,
    pub created: String,
    pub certificate: [Option<String>; 3],
}

/// Builds an app from its stored columns.
pub(crate) fn decode(columns: Columns<'_>) -> Result<App, StoreError> {
    let Columns {
        tenant,
        client_id,
        name,
        secret_hash,
        roles,
        created,
        certificate,
    } = columns;
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
        certificate: match certificate {
            [Some(sha1), Some(sha256), Some(key)] => Some(Certificate { sha1, sha256, key }),
            _ => None,
        },
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
