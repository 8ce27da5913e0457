//! The PostgreSQL schema and its migrations. Several tally processes may start at once, so the
//! migration runs under a transaction-scoped advisory lock; applied steps are recorded in
//! `tally_migrations`. Then each resource's table is made if missing, as its description lays
//! it out ([`crate::layout`]), and the function `tally_ticks` defined.

use tally_model::resources::ALL;
use tokio_postgres::Client;

use crate::layout::layout;
use crate::sql::Dialect;

/// `tally_ticks(text)`: the instant of an `Edm.DateTimeOffset` text in 100 ns ticks since the
/// Unix epoch (whole seconds from PostgreSQL's own parse of the text without its fraction, the
/// fraction's seven digits from the text, since `timestamptz` keeps only microseconds: parsing
/// `…:30.9999999Z` whole rounds it up to the next second); null for null.
const TICKS_FUNCTION: &str = r#"
    CREATE OR REPLACE FUNCTION tally_ticks(value text) RETURNS bigint
    LANGUAGE sql IMMUTABLE AS $$
        SELECT floor(extract(epoch FROM regexp_replace(value, '\.[0-9]+', '')::timestamptz))::bigint
                * 10000000
            + coalesce(rpad(substring(value FROM '\.([0-9]{1,7})'), 7, '0')::bigint, 0)
    $$;
"#;

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
    // A resource added since is a new table; changing an existing table's layout needs a
    // migration step above.
    for def in ALL {
        transaction
            .batch_execute(&layout(def, Dialect::Postgres).create_table())
            .await?;
    }
    transaction
        .batch_execute(&crate::directory::sql::create_tables(Dialect::Postgres))
        .await?;
    transaction
        .batch_execute(&crate::directory::insight::create_stamps(Dialect::Postgres))
        .await?;
    transaction
        .batch_execute(&crate::apps::sql::create_table(Dialect::Postgres))
        .await?;
    transaction.batch_execute(TICKS_FUNCTION).await?;
    transaction.commit().await
}
