//! The embedded backend: one SQLite file in the data directory, in WAL mode with
//! `synchronous=FULL`, so a commit returns only after the WAL is fsynced. Writes go through the
//! single group-committing writer thread ([`writer`]); reads use a small pool of read-only
//! connections ([`readers`]) and never queue behind writes.

mod apps;
mod directory;
mod insight;
mod readers;
mod rows;
mod schema;
mod writer;

use std::path::Path;
use std::sync::{mpsc, Mutex};
use std::thread::JoinHandle;

use rusqlite::{Connection, OpenFlags, OptionalExtension};
use tally_model::resources::ResourceDef;
use tally_model::{Entity, NewEntity, Patch, Precondition, Versioned};
use tokio::sync::oneshot;
use uuid::Uuid;

use crate::layout::{layout, Layout};
use crate::query::{ListQuery, Page};
use crate::sql::Dialect;
use crate::{BulkInsert, StoreError, TenantId, WriteOutcome};
use readers::Readers;
use writer::WriteCommand;

/// The database file's name inside the data directory.
pub const DATABASE_FILE: &str = "tally.sqlite3";
const READERS: usize = 4;

/// The embedded SQLite store.
pub struct SqliteStore {
    writes: Mutex<Option<mpsc::Sender<WriteCommand>>>,
    writer: Mutex<Option<JoinHandle<()>>>,
    readers: Readers,
}

fn configure(connection: &Connection, synchronous: &str) -> rusqlite::Result<()> {
    connection.busy_timeout(std::time::Duration::from_secs(5))?;
    connection.pragma_update(None, "synchronous", synchronous)?;
    connection.pragma_update(None, "foreign_keys", "ON")?;
    Ok(())
}

fn table(def: &'static ResourceDef) -> &'static Layout {
    layout(def, Dialect::Sqlite)
}

/// Plans a statement once, whatever its parameters' values. Otherwise SQLite re-plans a cached
/// statement whenever a parameter it could plan around (the `LIMIT ?` of every list) is bound
/// anew: a fifth of a report request's time went to parsing the same SQL again.
fn keep_plans(connection: &Connection) -> rusqlite::Result<()> {
    connection.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )?;
    Ok(())
}

impl SqliteStore {
    /// Opens `data_dir/tally.sqlite3`, creating the directory and the database on first start and
    /// migrating the schema.
    pub fn open(data_dir: &Path) -> Result<Self, StoreError> {
        crate::create_private_dir(data_dir).map_err(|error| {
            StoreError::Unavailable(format!("cannot create {}: {error}", data_dir.display()))
        })?;
        let path = data_dir.join(DATABASE_FILE);
        crate::create_private_file(&path).map_err(|error| {
            StoreError::Unavailable(format!("cannot create {}: {error}", path.display()))
        })?;
        let mut connection = Connection::open(&path)?;
        let mode: String = connection.query_row("PRAGMA journal_mode=WAL", [], |row| row.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Internal(format!(
                "journal_mode is {mode}, not wal"
            )));
        }
        configure(&connection, "FULL")?;
        schema::migrate(&mut connection)?;
        // The database and WAL files are new directory entries: make them durable too.
        sync_directory(data_dir)?;
        let readers = (0..READERS)
            .map(|_| {
                Connection::open_with_flags(
                    &path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )
            })
            .collect::<Result<Vec<_>, _>>()?;
        Self::start(connection, readers)
    }

    /// A store that keeps nothing on disk (`--in-memory`): one database in SQLite's `memdb`
    /// VFS shared by the writer and the readers, gone when the process exits. Nothing is
    /// fsynced, and readers wait while a write commits (there is no WAL in memory).
    pub fn open_in_memory() -> Result<Self, StoreError> {
        let uri = format!("file:/tally-{}?vfs=memdb", Uuid::new_v4().simple());
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut connection = Connection::open_with_flags(&uri, flags)?;
        configure(&connection, "OFF")?;
        schema::migrate(&mut connection)?;
        let readers = (0..READERS)
            .map(|_| {
                let reader = Connection::open_with_flags(&uri, flags)?;
                reader.pragma_update(None, "query_only", true)?;
                Ok(reader)
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        Self::start(connection, readers)
    }

    /// Starts the writer thread on `connection` and pools the `readers`.
    fn start(connection: Connection, readers: Vec<Connection>) -> Result<Self, StoreError> {
        for reader in &readers {
            reader.busy_timeout(std::time::Duration::from_secs(5))?;
            keep_plans(reader)?;
            schema::define_functions(reader)?;
        }
        keep_plans(&connection)?;
        let (sender, receiver) = mpsc::channel();
        let writer = std::thread::Builder::new()
            .name("tally-sqlite-writer".into())
            .spawn(move || writer::run(connection, receiver))
            .map_err(|error| {
                StoreError::Internal(format!("cannot start the writer thread: {error}"))
            })?;
        Ok(Self {
            writes: Mutex::new(Some(sender)),
            writer: Mutex::new(Some(writer)),
            readers: Readers::new(readers),
        })
    }

    async fn write<T>(
        &self,
        command: impl FnOnce(oneshot::Sender<Result<T, StoreError>>) -> WriteCommand,
    ) -> Result<T, StoreError> {
        let (reply, answer) = oneshot::channel();
        {
            let writes = self
                .writes
                .lock()
                .map_err(|_| StoreError::Internal("writer lock poisoned".into()))?;
            let sender = writes
                .as_ref()
                .ok_or_else(|| StoreError::Unavailable("shutting down".into()))?;
            sender
                .send(command(reply))
                .map_err(|_| StoreError::Unavailable("the writer has stopped".into()))?;
        }
        answer
            .await
            .map_err(|_| StoreError::Internal("the writer dropped a write".into()))?
    }

    pub async fn create(
        &self,
        def: &'static ResourceDef,
        tenant: TenantId,
        new: NewEntity,
    ) -> Result<Versioned, StoreError> {
        let entity = new.with_id(Uuid::new_v4());
        self.write(|reply| WriteCommand::Create {
            layout: table(def),
            tenant,
            entity,
            reply,
        })
        .await
    }

    pub async fn update(
        &self,
        def: &'static ResourceDef,
        tenant: TenantId,
        id: Uuid,
        patch: Patch,
        precondition: Precondition,
    ) -> Result<WriteOutcome<Versioned>, StoreError> {
        self.write(|reply| WriteCommand::Update {
            layout: table(def),
            tenant,
            id,
            patch,
            precondition,
            reply,
        })
        .await
    }

    pub async fn delete(
        &self,
        def: &'static ResourceDef,
        tenant: TenantId,
        id: Uuid,
        precondition: Precondition,
    ) -> Result<WriteOutcome<()>, StoreError> {
        self.write(|reply| WriteCommand::Delete {
            layout: table(def),
            tenant,
            id,
            precondition,
            reply,
        })
        .await
    }

    pub async fn insert_many(
        &self,
        def: &'static ResourceDef,
        tenant: TenantId,
        rows: Vec<Entity>,
    ) -> Result<BulkInsert, StoreError> {
        self.write(|reply| WriteCommand::InsertMany {
            layout: table(def),
            tenant,
            rows,
            reply,
        })
        .await
    }

    pub async fn get(
        &self,
        def: &'static ResourceDef,
        tenant: TenantId,
        id: Uuid,
    ) -> Result<Option<Versioned>, StoreError> {
        let layout = table(def);
        self.readers
            .run_for(Some(tenant), move |connection| {
                connection
                    .prepare_cached(&layout.select_one)?
                    .query_row([tenant.to_string(), id.to_string()], |row| {
                        Ok(layout.decode(row, false))
                    })
                    .optional()?
                    .transpose()
            })
            .await
    }

    pub async fn list(
        &self,
        def: &'static ResourceDef,
        tenant: TenantId,
        query: ListQuery,
    ) -> Result<Page, StoreError> {
        let layout = table(def);
        self.readers
            .run_for(Some(tenant), move |connection| {
                readers::list(connection, layout, tenant, &query)
            })
            .await
    }

    pub async fn count(
        &self,
        def: &'static ResourceDef,
        tenant: TenantId,
        query: ListQuery,
    ) -> Result<u64, StoreError> {
        let layout = table(def);
        self.readers
            .run_for(Some(tenant), move |connection| {
                readers::count(connection, layout, tenant, &query)
            })
            .await
    }

    pub async fn ping(&self) -> Result<(), StoreError> {
        self.readers
            .run(|connection| {
                connection.query_row("SELECT 1", [], |_| Ok(()))?;
                Ok(())
            })
            .await
    }

    /// Sets the read budget (`--query-timeout`).
    #[must_use]
    pub fn with_limits(self, limits: crate::StoreLimits) -> Self {
        self.readers.set_budget(limits.query_timeout);
        self
    }

    /// Closes the write queue and waits for the writer to commit what it already has.
    pub fn shutdown(&self) {
        if let Ok(mut writes) = self.writes.lock() {
            writes.take();
        }
        let writer = self.writer.lock().ok().and_then(|mut writer| writer.take());
        if let Some(writer) = writer {
            if writer.join().is_err() {
                tracing::error!("the writer thread panicked");
            }
        }
    }
}

impl Drop for SqliteStore {
    fn drop(&mut self) {
        self.shutdown();
    }
}

fn sync_directory(dir: &Path) -> Result<(), StoreError> {
    std::fs::File::open(dir)
        .and_then(|handle| handle.sync_all())
        .map_err(|error| StoreError::Unavailable(format!("cannot sync {}: {error}", dir.display())))
}
