//! The embedded backend's single writer: a thread that owns the write connection and commits
//! writes in groups. Concurrent writes share one transaction and one fsync; each is answered only
//! after the commit that made it durable returned.

use std::sync::mpsc;
use std::time::{Duration, Instant};

use rusqlite::{params_from_iter, Connection, OptionalExtension, TransactionBehavior};
use tally_model::{Entity, Patch, Precondition, Versioned};
use tokio::sync::oneshot;
use uuid::Uuid;

use super::rows::sqlite_params;
use crate::conditional::{decide_delete, decide_update, Decision};
use crate::layout::Layout;
use crate::{BulkInsert, StoreError, TenantId, WriteOutcome};

/// The most writes one commit carries.
const MAX_GROUP: usize = 512;

/// One write, as the writer thread receives it.
pub enum WriteCommand {
    Create {
        layout: &'static Layout,
        tenant: TenantId,
        entity: Entity,
        reply: oneshot::Sender<Result<Versioned, StoreError>>,
    },
    Update {
        layout: &'static Layout,
        tenant: TenantId,
        id: Uuid,
        patch: Patch,
        precondition: Precondition,
        reply: oneshot::Sender<Result<WriteOutcome<Versioned>, StoreError>>,
    },
    Delete {
        layout: &'static Layout,
        tenant: TenantId,
        id: Uuid,
        precondition: Precondition,
        reply: oneshot::Sender<Result<WriteOutcome<()>, StoreError>>,
    },
    /// A write of the directory's: runs in the group's transaction, in a savepoint of its own
    /// (or is given the error when that transaction could not begin), and returns how to
    /// answer once the group has committed.
    Job(Job),
    /// Many new objects (`tally import`); an id that exists already is skipped and reported.
    InsertMany {
        layout: &'static Layout,
        tenant: TenantId,
        rows: Vec<Entity>,
        reply: oneshot::Sender<Result<BulkInsert, StoreError>>,
    },
}

/// A directory write, run on the writer's connection.
pub type Job = Box<dyn FnOnce(Result<&Connection, StoreError>) -> JobOutcome + Send>;

/// What a [`WriteCommand::Job`] did: whether it failed (its savepoint is rolled back), and
/// its answer, given the group's commit result.
pub struct JobOutcome {
    pub failed: bool,
    pub answer: Box<dyn FnOnce(Result<(), StoreError>) + Send>,
}

/// A write's result, held until its group commits.
enum Pending {
    Job(Box<dyn FnOnce(Result<(), StoreError>) + Send>),
    Create(
        oneshot::Sender<Result<Versioned, StoreError>>,
        Result<Versioned, StoreError>,
    ),
    Update(
        oneshot::Sender<Result<WriteOutcome<Versioned>, StoreError>>,
        Result<WriteOutcome<Versioned>, StoreError>,
    ),
    Delete(
        oneshot::Sender<Result<WriteOutcome<()>, StoreError>>,
        Result<WriteOutcome<()>, StoreError>,
    ),
    InsertMany(
        oneshot::Sender<Result<BulkInsert, StoreError>>,
        Result<BulkInsert, StoreError>,
    ),
}

impl Pending {
    /// Answers the waiting request; if the commit failed, every write of the group fails with it.
    fn answer(self, commit: &Result<(), StoreError>) {
        fn settle<T>(
            result: Result<T, StoreError>,
            commit: &Result<(), StoreError>,
        ) -> Result<T, StoreError> {
            match commit {
                Ok(()) => result,
                Err(error) => Err(StoreError::Unavailable(format!("commit failed: {error}"))),
            }
        }
        // A requester that gave up (its connection closed) no longer listens; that is fine.
        match self {
            Pending::Job(answer) => answer(settle(Ok(()), commit)),
            Pending::Create(reply, result) => drop(reply.send(settle(result, commit))),
            Pending::Update(reply, result) => drop(reply.send(settle(result, commit))),
            Pending::Delete(reply, result) => drop(reply.send(settle(result, commit))),
            Pending::InsertMany(reply, result) => drop(reply.send(settle(result, commit))),
        }
    }
}

/// How long a durable writer waits for more writes when the last commit carried several (so
/// clients are writing concurrently): one fsync then acknowledges more of them. A lone writer's
/// groups are of one, and it never waits.
const GATHER: Duration = Duration::from_micros(500);

/// Runs until every sender of `commands` is gone, then returns (after the last commit).
pub fn run(mut connection: Connection, commands: mpsc::Receiver<WriteCommand>) {
    // Only a store that fsyncs (not --in-memory) gains from waiting.
    let durable = connection
        .pragma_query_value(None, "synchronous", |row| row.get::<_, i64>(0))
        .is_ok_and(|level| level > 0);
    let mut last_group = 1;
    while let Ok(first) = commands.recv() {
        let mut group = vec![first];
        let deadline = (durable && last_group > 1).then(|| Instant::now() + GATHER);
        while group.len() < MAX_GROUP {
            match commands.try_recv() {
                Ok(command) => group.push(command),
                Err(mpsc::TryRecvError::Empty) => {
                    let Some(left) = deadline
                        .map(|deadline| deadline.saturating_duration_since(Instant::now()))
                        .filter(|left| !left.is_zero())
                    else {
                        break;
                    };
                    match commands.recv_timeout(left) {
                        Ok(command) => group.push(command),
                        Err(_) => break,
                    }
                }
                Err(mpsc::TryRecvError::Disconnected) => break,
            }
        }
        last_group = group.len();
        commit_group(&mut connection, group);
    }
}

/// Inserts `rows` (in the group's transaction); rows whose id exists already are skipped.
fn insert_many(
    connection: &Connection,
    layout: &Layout,
    tenant: TenantId,
    rows: &[Entity],
) -> Result<BulkInsert, StoreError> {
    let mut duplicates = Vec::new();
    {
        let mut statement = connection.prepare_cached(&layout.insert_new)?;
        for (index, entity) in rows.iter().enumerate() {
            let params = sqlite_params(layout.insert_params(tenant, entity, 1));
            if statement.execute(params_from_iter(params))? == 0 {
                duplicates.push(index);
            }
        }
    }
    Ok(BulkInsert {
        inserted: rows.len() - duplicates.len(),
        duplicates,
    })
}

fn commit_group(connection: &mut Connection, group: Vec<WriteCommand>) {
    crate::metrics::record_commit(group.len());
    let mut pending = Vec::with_capacity(group.len());
    let commit = match connection.transaction_with_behavior(TransactionBehavior::Immediate) {
        Ok(mut transaction) => {
            for command in group {
                pending.push(apply_isolated(&mut transaction, command));
            }
            transaction.commit().map_err(StoreError::from)
        }
        Err(error) => {
            let error = StoreError::from(error);
            for command in group {
                pending.push(refuse(command, &error));
            }
            Err(error)
        }
    };
    if let Err(error) = &commit {
        tracing::error!(%error, writes = pending.len(), "group commit failed");
    }
    for write in pending {
        write.answer(&commit);
    }
}

/// Applies one write inside a savepoint, so that its failure leaves the rest of the group intact.
fn apply_isolated(transaction: &mut rusqlite::Transaction<'_>, command: WriteCommand) -> Pending {
    let mut savepoint = match transaction.savepoint() {
        Ok(savepoint) => savepoint,
        Err(error) => return refuse(command, &StoreError::from(error)),
    };
    if let WriteCommand::Job(job) = command {
        let outcome = job(Ok(&savepoint));
        let finished = if outcome.failed {
            savepoint.rollback()
        } else {
            Ok(())
        }
        .and_then(|()| savepoint.commit());
        if let Err(error) = finished {
            tracing::error!(%error, "savepoint failed");
        }
        return Pending::Job(outcome.answer);
    }
    let pending = apply(&savepoint, command);
    let failed = matches!(
        &pending,
        Pending::Create(_, Err(_))
            | Pending::Update(_, Err(_))
            | Pending::Delete(_, Err(_))
            | Pending::InsertMany(_, Err(_))
    );
    let finished =
        if failed { savepoint.rollback() } else { Ok(()) }.and_then(|()| savepoint.commit());
    if let Err(error) = finished {
        tracing::error!(%error, "savepoint failed");
    }
    pending
}

fn refuse(command: WriteCommand, error: &StoreError) -> Pending {
    let error = || StoreError::Unavailable(error.to_string());
    match command {
        WriteCommand::Job(job) => Pending::Job(job(Err(error())).answer),
        WriteCommand::Create { reply, .. } => Pending::Create(reply, Err(error())),
        WriteCommand::Update { reply, .. } => Pending::Update(reply, Err(error())),
        WriteCommand::Delete { reply, .. } => Pending::Delete(reply, Err(error())),
        WriteCommand::InsertMany { reply, .. } => Pending::InsertMany(reply, Err(error())),
    }
}

fn apply(connection: &Connection, command: WriteCommand) -> Pending {
    match command {
        // apply_isolated runs jobs itself, each in its savepoint.
        WriteCommand::Job(job) => Pending::Job(job(Ok(connection)).answer),
        WriteCommand::Create {
            layout,
            tenant,
            entity,
            reply,
        } => Pending::Create(reply, insert(connection, layout, tenant, entity)),
        WriteCommand::Update {
            layout,
            tenant,
            id,
            patch,
            precondition,
            reply,
        } => Pending::Update(
            reply,
            update(connection, layout, tenant, id, patch, &precondition),
        ),
        WriteCommand::Delete {
            layout,
            tenant,
            id,
            precondition,
            reply,
        } => Pending::Delete(reply, delete(connection, layout, tenant, id, &precondition)),
        WriteCommand::InsertMany {
            layout,
            tenant,
            rows,
            reply,
        } => Pending::InsertMany(reply, insert_many(connection, layout, tenant, &rows)),
    }
}

fn insert(
    connection: &Connection,
    layout: &Layout,
    tenant: TenantId,
    entity: Entity,
) -> Result<Versioned, StoreError> {
    connection
        .prepare_cached(&layout.insert)?
        .execute(params_from_iter(sqlite_params(
            layout.insert_params(tenant, &entity, 1),
        )))?;
    Ok(Versioned { entity, version: 1 })
}

fn current(
    connection: &Connection,
    layout: &Layout,
    tenant: TenantId,
    id: Uuid,
) -> Result<Option<Versioned>, StoreError> {
    connection
        .prepare_cached(&layout.select_one)?
        .query_row([tenant.to_string(), id.to_string()], |row| {
            Ok(layout.decode(row, false))
        })
        .optional()?
        .transpose()
}

fn update(
    connection: &Connection,
    layout: &Layout,
    tenant: TenantId,
    id: Uuid,
    patch: Patch,
    precondition: &Precondition,
) -> Result<WriteOutcome<Versioned>, StoreError> {
    let stored = match decide_update(
        current(connection, layout, tenant, id)?,
        patch,
        precondition,
    ) {
        Decision::Answer(outcome) => return Ok(outcome),
        Decision::Write(stored) => stored,
    };
    connection
        .prepare_cached(&layout.update)?
        .execute(params_from_iter(sqlite_params(layout.update_params(
            tenant,
            &stored.entity,
            stored.version,
        ))))?;
    Ok(WriteOutcome::Done(stored))
}

fn delete(
    connection: &Connection,
    layout: &Layout,
    tenant: TenantId,
    id: Uuid,
    precondition: &Precondition,
) -> Result<WriteOutcome<()>, StoreError> {
    let current = current(connection, layout, tenant, id)?;
    if let Decision::Answer(outcome) = decide_delete(current, precondition) {
        return Ok(outcome);
    }
    connection
        .prepare_cached(&layout.delete)?
        .execute([tenant.to_string(), id.to_string()])?;
    Ok(WriteOutcome::Done(()))
}
