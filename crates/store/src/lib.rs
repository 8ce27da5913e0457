//! tally's storage. [`Store`] is a closed enum over the backends; every operation is scoped by
//! tenant, every write is atomic and durable before it returns, and every object has a version.
//!
//! Handlers never build SQL: they describe what they want with [`ListQuery`] and the write
//! commands, and the backend translates.

mod conditional;
mod details;
mod error;
mod fair;
mod limits;
pub mod metrics;
mod postgres;
mod private;
mod query;
mod sql;
mod sqlite;

use std::path::Path;

use tally_model::{EntityTag, LicenseUsage, LicenseUsagePatch, NewLicenseUsage, Precondition};
use uuid::Uuid;

pub use error::StoreError;
pub use limits::StoreLimits;
pub use postgres::PgStore;
pub use private::{create_private_dir, create_private_file};
pub use query::{
    Cursor, CursorValue, ListQuery, ListedDetails, ListedUsage, OrderKey, OrderProperty, Page,
};
pub use sqlite::SqliteStore;

/// A tenant's id (the `tid` claim).
pub type TenantId = Uuid;

/// An object as stored, with its version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredUsage {
    pub usage: LicenseUsage,
    pub version: i64,
}

impl StoredUsage {
    pub fn etag(&self) -> EntityTag {
        EntityTag(self.version)
    }
}

/// How a conditional write on an existing object ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WriteOutcome<T> {
    Done(T),
    NotFound,
    PreconditionFailed,
}

/// How a bulk insert ([`Store::insert_many`]) ended.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BulkInsert {
    pub inserted: usize,
    /// The indexes (in the rows given) of rows skipped because their id exists already.
    pub duplicates: Vec<usize>,
}

/// The storage backends.
pub enum Store {
    Sqlite(SqliteStore),
    Postgres(PgStore),
}

impl Store {
    /// Opens (creating and migrating as needed) the embedded store in `data_dir`.
    pub fn open_embedded(data_dir: &Path) -> Result<Self, StoreError> {
        SqliteStore::open(data_dir).map(Store::Sqlite)
    }

    /// Opens a store that keeps nothing on disk (`--in-memory`).
    pub fn open_in_memory() -> Result<Self, StoreError> {
        SqliteStore::open_in_memory().map(Store::Sqlite)
    }

    /// Connects to PostgreSQL at `url` and migrates its schema, with the limits of the
    /// command-line tools (`import`, `export`): long statements allowed.
    pub async fn open_postgres(url: &str) -> Result<Self, StoreError> {
        PgStore::connect(url).await.map(Store::Postgres)
    }

    /// [`Store::open_postgres`] with these time limits.
    pub async fn open_postgres_with(url: &str, limits: StoreLimits) -> Result<Self, StoreError> {
        PgStore::connect_with(url, limits)
            .await
            .map(Store::Postgres)
    }

    /// Sets the embedded store's read budget (PostgreSQL takes its limits when it connects).
    #[must_use]
    pub fn with_limits(self, limits: StoreLimits) -> Self {
        match self {
            Store::Sqlite(store) => Store::Sqlite(store.with_limits(limits)),
            postgres @ Store::Postgres(_) => postgres,
        }
    }

    pub async fn create(
        &self,
        tenant: TenantId,
        new: NewLicenseUsage,
    ) -> Result<StoredUsage, StoreError> {
        match self {
            Store::Sqlite(store) => store.create(tenant, new).await,
            Store::Postgres(store) => {
                store
                    .within(store.call_limit(), store.create(tenant, new))
                    .await
            }
        }
    }

    /// Inserts many new objects (each with its id and version 1) in one transaction, for
    /// `tally import`: durable when it returns. A row whose id the tenant has already is skipped
    /// and reported, and the others are inserted.
    pub async fn insert_many(
        &self,
        tenant: TenantId,
        rows: Vec<LicenseUsage>,
    ) -> Result<BulkInsert, StoreError> {
        match self {
            Store::Sqlite(store) => store.insert_many(tenant, rows).await,
            Store::Postgres(store) => store.insert_many(tenant, rows).await,
        }
    }

    pub async fn get(&self, tenant: TenantId, id: Uuid) -> Result<Option<StoredUsage>, StoreError> {
        match self {
            Store::Sqlite(store) => store.get(tenant, id).await,
            Store::Postgres(store) => {
                store
                    .within(store.call_limit(), store.get(tenant, id))
                    .await
            }
        }
    }

    pub async fn update(
        &self,
        tenant: TenantId,
        id: Uuid,
        patch: LicenseUsagePatch,
        precondition: Precondition,
    ) -> Result<WriteOutcome<StoredUsage>, StoreError> {
        match self {
            Store::Sqlite(store) => store.update(tenant, id, patch, precondition).await,
            Store::Postgres(store) => {
                let update = store.update(tenant, id, patch, precondition);
                store.within(store.call_limit(), update).await
            }
        }
    }

    pub async fn delete(
        &self,
        tenant: TenantId,
        id: Uuid,
        precondition: Precondition,
    ) -> Result<WriteOutcome<()>, StoreError> {
        match self {
            Store::Sqlite(store) => store.delete(tenant, id, precondition).await,
            Store::Postgres(store) => {
                let delete = store.delete(tenant, id, precondition);
                store.within(store.call_limit(), delete).await
            }
        }
    }

    pub async fn list(&self, tenant: TenantId, query: ListQuery) -> Result<Page, StoreError> {
        match self {
            Store::Sqlite(store) => store.list(tenant, query).await,
            Store::Postgres(store) => store.read(tenant, store.list(tenant, query)).await,
        }
    }

    /// The number of objects the query's filter matches, ignoring paging.
    pub async fn count(&self, tenant: TenantId, query: ListQuery) -> Result<u64, StoreError> {
        match self {
            Store::Sqlite(store) => store.count(tenant, query).await,
            Store::Postgres(store) => store.read(tenant, store.count(tenant, query)).await,
        }
    }

    /// Whether the store answers queries (for `/readyz`).
    pub async fn ping(&self) -> Result<(), StoreError> {
        match self {
            Store::Sqlite(store) => store.ping().await,
            Store::Postgres(store) => store.within(store.call_limit(), store.ping()).await,
        }
    }

    /// Stops accepting writes and waits for the ones in flight to commit.
    pub fn shutdown(&self) {
        match self {
            Store::Sqlite(store) => store.shutdown(),
            Store::Postgres(store) => store.shutdown(),
        }
    }
}
