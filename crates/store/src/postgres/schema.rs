//! The PostgreSQL schema and its migrations. Several tally processes may start at once, so the
//! migration runs under a transaction-scoped advisory lock; applied steps are recorded in
//! `tally_migrations`.

use tokio_postgres::Client;

/// Each step moves the schema from version `index` to `index + 1`. Never edit a released step.
const MIGRATIONS: &[&str] = &[r#"
    CREATE TABLE license_usage (
        tenant_id      text   NOT NULL,
        id             text   COLLATE "C" NOT NULL,
        snapshot_text  text   NOT NULL,
        snapshot_ticks bigint NOT NULL,
        details        jsonb  NOT NULL,
        version        bigint NOT NULL,
        PRIMARY KEY (tenant_id, id)
    );
    CREATE INDEX license_usage_by_time ON license_usage (tenant_id, snapshot_ticks, id);
"#];

/// An arbitrary key for `pg_advisory_xact_lock`, the same in every tally process.
const MIGRATION_LOCK: i64 = 0x7a11_7a11;

pub async fn migrate(client: &mut Client) -> Result<(), tokio_postgres::Error> {
    let transaction = client.transaction().await?;
    transaction
        .execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await?;
    transaction
        .batch_execute("CREATE TABLE IF NOT EXISTS tally_migrations (version integer PRIMARY KEY)")
        .await?;
    let current: i32 = transaction
        .query_one(
            "SELECT COALESCE(MAX(version), 0) FROM tally_migrations",
            &[],
        )
        .await?
        .get(0);
    for (index, step) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        transaction.batch_execute(step).await?;
        let version = index as i32 + 1;
        transaction
            .execute(
                "INSERT INTO tally_migrations (version) VALUES ($1)",
                &[&version],
            )
            .await?;
    }
    transaction.commit().await
}
