//! The embedded database's schema and its migrations, applied in order at start-up and recorded
//! in `PRAGMA user_version` (a dozen lines did not justify a migration crate).

use rusqlite::Connection;

/// Each step moves the schema from version `index` to `index + 1`. Never edit a released step;
/// add one.
const MIGRATIONS: &[&str] = &["
    CREATE TABLE license_usage (
        tenant_id      TEXT    NOT NULL,
        id             TEXT    NOT NULL,
        snapshot_text  TEXT    NOT NULL,
        snapshot_ticks INTEGER NOT NULL,
        details        TEXT    NOT NULL,
        version        INTEGER NOT NULL,
        PRIMARY KEY (tenant_id, id)
    ) WITHOUT ROWID;
    CREATE INDEX license_usage_by_time ON license_usage (tenant_id, snapshot_ticks, id);
"];

/// Brings the database up to the latest schema, in one transaction.
pub fn migrate(connection: &mut Connection) -> rusqlite::Result<()> {
    let transaction =
        connection.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let current: usize = transaction.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    for (index, step) in MIGRATIONS.iter().enumerate().skip(current) {
        transaction.execute_batch(step)?;
        transaction.pragma_update(None, "user_version", index + 1)?;
    }
    transaction.commit()
}
