//! tally's storage. [`Store`] is a closed enum over the backends; every operation is scoped by
//! tenant, every write is atomic and durable before it returns, and every object has a version.
//!
//! Every operation names the resource it is about ([`ResourceDef`]); how its objects are laid
//! out in a table follows from the description ([`layout`]). Handlers never build SQL: they
//! describe what they want with [`ListQuery`] and the write commands, and the backend
//! translates.

pub mod apps;
mod conditional;
pub mod directory;
mod enum_set;
mod error;
mod fair;
mod layout;
mod limits;
pub mod metrics;
mod postgres;
mod private;
mod query;
mod ruled;
mod sql;
mod sqlite;
mod upsert;

use std::path::Path;

use tally_model::resources::ResourceDef;
use tally_model::{Entity, NewEntity, Patch, Precondition, Versioned};
use uuid::Uuid;

pub use error::StoreError;
pub use limits::StoreLimits;
pub use postgres::PgStore;
pub use private::{create_private_dir, create_private_file};
pub use query::{Cursor, CursorValue, ListQuery, Page, Scope};
pub use sqlite::SqliteStore;

/// A tenant's id (the `tid` claim).
pub type TenantId = Uuid;

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

/// Where a store lives, as the command line says: `--database-url`, `--in-memory`, or the data
/// directory.
#[derive(Clone, Copy, Debug)]
pub enum Location<'a> {
    Postgres(&'a str),
    InMemory,
    Embedded(&'a Path),
}

impl<'a> Location<'a> {
    /// The location the flags name: PostgreSQL wins, then `--in-memory`, else the directory.
    pub fn from_flags(database_url: Option<&'a str>, in_memory: bool, data_dir: &'a Path) -> Self {
        match database_url {
            Some(url) => Location::Postgres(url),
            None if in_memory => Location::InMemory,
            None => Location::Embedded(data_dir),
        }
    }
}

/// Says which store, without a database URL's credentials.
impl std::fmt::Display for Location<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::Postgres(_) => f.write_str("PostgreSQL at --database-url"),
            Location::InMemory => f.write_str("in memory"),
            Location::Embedded(dir) => write!(f, "embedded, in {}", dir.display()),
        }
    }
}

/// The storage backends.
pub enum Store {
    Sqlite(SqliteStore),
    Postgres(PgStore),
}

impl Store {
    /// Opens the store at `location` with these time limits, creating and migrating it as
    /// needed (the embedded one on the blocking pool: a migration may rewrite its table).
    pub async fn open(location: Location<'_>, limits: StoreLimits) -> Result<Self, StoreError> {
        let store = match location {
            Location::Postgres(url) => Self::open_postgres_with(url, limits).await?,
            Location::InMemory => Self::open_in_memory()?,
            Location::Embedded(data_dir) => {
                let data_dir = data_dir.to_owned();
                tokio::task::spawn_blocking(move || Self::open_embedded(&data_dir))
                    .await
                    .map_err(|error| {
                        StoreError::Internal(format!("opening the store: {error}"))
                    })??
            }
        };
        Ok(store.with_limits(limits))
    }

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
        def: &'static ResourceDef,
        tenant: TenantId,
        new: NewEntity,
    ) -> Result<Versioned, StoreError> {
        if let Some(rule) = def.rule {
            return self.create_ruled(def, rule, tenant, new).await;
        }
        match self {
            Store::Sqlite(store) => store.create(def, tenant, new).await,
            Store::Postgres(store) => {
                let create = store.create(def, tenant, new);
                store.within(store.call_limit(), create).await
            }
        }
    }

    /// Inserts many new objects (each with its id and version 1) in one transaction, for
    /// `tally import`: durable when it returns. A row whose id the tenant has already is skipped
    /// and reported, and the others are inserted.
    pub async fn insert_many(
        &self,
        def: &'static ResourceDef,
        tenant: TenantId,
        rows: Vec<Entity>,
    ) -> Result<BulkInsert, StoreError> {
        match self {
            Store::Sqlite(store) => store.insert_many(def, tenant, rows).await,
            Store::Postgres(store) => store.insert_many(def, tenant, rows).await,
        }
    }

    pub async fn get(
        &self,
        def: &'static ResourceDef,
        tenant: TenantId,
        id: Uuid,
    ) -> Result<Option<Versioned>, StoreError> {
        match self {
            Store::Sqlite(store) => store.get(def, tenant, id).await,
            Store::Postgres(store) => {
                let get = store.get(def, tenant, id);
                store.within(store.call_limit(), get).await
            }
        }
    }

    pub async fn update(
        &self,
        def: &'static ResourceDef,
        tenant: TenantId,
        id: Uuid,
        patch: Patch,
        precondition: Precondition,
    ) -> Result<WriteOutcome<Versioned>, StoreError> {
        if let Some(rule) = def.rule {
            return self
                .update_ruled(def, rule, tenant, id, patch, precondition)
                .await;
        }
        match self {
            Store::Sqlite(store) => store.update(def, tenant, id, patch, precondition).await,
            Store::Postgres(store) => {
                let update = store.update(def, tenant, id, patch, precondition);
                store.within(store.call_limit(), update).await
            }
        }
    }

    pub async fn delete(
        &self,
        def: &'static ResourceDef,
        tenant: TenantId,
        id: Uuid,
        precondition: Precondition,
    ) -> Result<WriteOutcome<()>, StoreError> {
        if let Some(rule) = def.rule {
            return self.delete_ruled(def, rule, tenant, id, precondition).await;
        }
        match self {
            Store::Sqlite(store) => store.delete(def, tenant, id, precondition).await,
            Store::Postgres(store) => {
                let delete = store.delete(def, tenant, id, precondition);
                store.within(store.call_limit(), delete).await
            }
        }
    }

    /// One page of the collection. Collections in a page may still be in the store's own
    /// JSON ([`tally_model::Collection::Stored`]): a response copies them as they are.
    pub async fn list(
        &self,
        def: &'static ResourceDef,
        tenant: TenantId,
        query: ListQuery,
    ) -> Result<Page, StoreError> {
        match self {
            Store::Sqlite(store) => store.list(def, tenant, query).await,
            Store::Postgres(store) => store.read(tenant, store.list(def, tenant, query)).await,
        }
    }

    /// Every object of the tenant, in the default order, read a thousand a round trip (for the
    /// few-row collections a report or a command reads whole: prices, alert rules).
    pub async fn list_all(
        &self,
        def: &'static ResourceDef,
        tenant: TenantId,
    ) -> Result<Vec<Versioned>, StoreError> {
        let mut query = ListQuery {
            page_size: 1000,
            ..ListQuery::default()
        };
        let mut all = Vec::new();
        loop {
            let page = self.list(def, tenant, query.clone()).await?;
            all.extend(page.items);
            match page.next {
                Some(next) => query.after = Some(next),
                None => return Ok(all),
            }
        }
    }

    /// The number of objects the query's filter matches, ignoring paging.
    pub async fn count(
        &self,
        def: &'static ResourceDef,
        tenant: TenantId,
        query: ListQuery,
    ) -> Result<u64, StoreError> {
        match self {
            Store::Sqlite(store) => store.count(def, tenant, query).await,
            Store::Postgres(store) => store.read(tenant, store.count(def, tenant, query)).await,
        }
    }

    /// Refreshes the planner's statistics of the directory (SKUs, users and their licenses)
    /// after a bulk load of it: an import or a collect.
    pub async fn refresh_directory_statistics(&self) -> Result<(), StoreError> {
        use directory::sql::{HOLDERS, SKUS, USERS};
        self.refresh_statistics(&[SKUS, USERS, HOLDERS]).await
    }

    /// Refreshes the planner's statistics of `def`'s objects after a bulk import of them.
    pub async fn refresh_resource_statistics(
        &self,
        def: &'static ResourceDef,
    ) -> Result<(), StoreError> {
        self.refresh_statistics(&[def.storage.table]).await
    }

    /// Refreshes the planner's statistics of `tables` after a bulk load (PostgreSQL's
    /// `ANALYZE`; until autovacuum gets to it, a freshly loaded table looks empty to the planner,
    /// which then picks plans that read everything). SQLite needs nothing.
    async fn refresh_statistics(&self, tables: &[&str]) -> Result<(), StoreError> {
        match self {
            Store::Sqlite(_) => Ok(()),
            Store::Postgres(store) => store.analyze(tables).await,
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
