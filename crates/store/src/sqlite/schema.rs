//! The embedded database's schema: its migrations, applied in order at start-up and recorded in
//! `PRAGMA user_version` (a dozen lines did not justify a migration crate); then each
//! resource's table as its description lays it out ([`crate::layout`]), made if missing; and
//! the SQL function `tally_ticks` that reads a DateTimeOffset's instant.

use rusqlite::functions::FunctionFlags;
use rusqlite::Connection;
use tally_model::resources::ALL;
use tally_odata::DateTimeOffset;

use crate::layout::layout;
use crate::sql::Dialect;
use crate::StoreError;

/// Each step moves the schema from version `index` to `index + 1`. Never edit a released step;
/// add one.
const MIGRATIONS: &[&str] = &[
    "
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
",
    "
    -- The table clustered by time, as every list and report reads it (tenant, then snapshot
    -- time, then id): a report page becomes one range of neighbouring rows, where the time
    -- index sent each row through a lookup by key. A GET by id goes through the id index.
    -- license_types: the set of license types in the details, as bits (license_types.rs,
    -- license_type_bit), for the report's common filter.
    CREATE TABLE license_usage_clustered (
        tenant_id      TEXT    NOT NULL,
        id             TEXT    NOT NULL,
        snapshot_text  TEXT    NOT NULL,
        snapshot_ticks INTEGER NOT NULL,
        details        TEXT    NOT NULL,
        license_types  INTEGER NOT NULL,
        version        INTEGER NOT NULL,
        PRIMARY KEY (tenant_id, snapshot_ticks, id)
    ) WITHOUT ROWID;
    INSERT INTO license_usage_clustered
        SELECT tenant_id, id, snapshot_text, snapshot_ticks, details,
            (SELECT coalesce(sum(DISTINCT CASE json_extract(d.value, '$.licenseType')
                WHEN 'none' THEN 1 WHEN 'free' THEN 2 WHEN 'basic' THEN 4
                WHEN 'premiumP1' THEN 8 WHEN 'premiumP2' THEN 16
                WHEN 'unknownFutureValue' THEN 32 ELSE 0 END), 0)
             FROM json_each(license_usage.details) AS d),
            version
        FROM license_usage
        ORDER BY tenant_id, snapshot_ticks, id;
    DROP TABLE license_usage;
    ALTER TABLE license_usage_clustered RENAME TO license_usage;
    CREATE UNIQUE INDEX license_usage_by_id ON license_usage (tenant_id, id);
",
];

/// Brings the database up to the latest schema, in one transaction, then compacts the file if
/// existing data moved.
///
/// A database from a newer tally is refused: this one would write rows its schema lacks.
pub fn migrate(connection: &mut Connection) -> Result<(), StoreError> {
    let transaction =
        connection.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let current: usize = transaction.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    if current > MIGRATIONS.len() {
        return Err(StoreError::Unavailable(format!(
            "the database's schema is version {current}, newer than this tally's ({}): run the tally that wrote it, or a newer one",
            MIGRATIONS.len()
        )));
    }
    // Existing data is rewritten (a fresh database runs the steps on empty tables).
    let moves_data = current > 0 && current < MIGRATIONS.len();
    if moves_data {
        // Rewriting a big table takes a while (12 s for a million snapshots here): say why.
        tracing::info!(
            from = current,
            to = MIGRATIONS.len(),
            "migrating the database schema; existing data is rewritten once"
        );
    }
    for (index, step) in MIGRATIONS.iter().enumerate().skip(current) {
        transaction.execute_batch(step)?;
        transaction.pragma_update(None, "user_version", index + 1)?;
    }
    // A resource added since is a new table; changing an existing table's layout needs a
    // migration step above.
    for def in ALL {
        transaction.execute_batch(&layout(def, Dialect::Sqlite).create_table())?;
    }
    transaction.execute_batch(&crate::directory::sql::create_tables(Dialect::Sqlite))?;
    transaction.execute_batch(&crate::directory::insight::create_stamps(Dialect::Sqlite))?;
    transaction.execute_batch(&crate::apps::sql::create_table(Dialect::Sqlite))?;
    transaction.commit()?;
    if moves_data {
        // Steps rewrite tables: give the pages the old ones held back to the file system rather
        // than leave the file twice its size. Only space is at stake (VACUUM needs as much
        // again, briefly): a failure is worth a warning, not a refusal to start.
        if let Err(error) = connection.execute_batch("VACUUM") {
            tracing::warn!(%error, "could not compact the database after migrating it");
        }
    }
    Ok(())
}

/// Defines `tally_ticks(text)`: the instant of an `Edm.DateTimeOffset` text in 100 ns ticks
/// (null for null or a text that is none), so a DateTimeOffset inside a collection's JSON
/// compares as an instant.
pub fn define_functions(connection: &Connection) -> rusqlite::Result<()> {
    connection.create_scalar_function(
        "tally_ticks",
        1,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |context| {
            let text = context.get::<Option<String>>(0)?;
            Ok(text.and_then(|text| DateTimeOffset::parse(&text).ok().map(|at| at.ticks())))
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    use tally_model::resources::LICENSE_USAGE;
    use tally_model::stored_items::encode;
    use tally_model::{Collection, Entity, Item, Value};
    use tally_odata::schema::Type;
    use uuid::Uuid;

    use crate::enum_set;

    /// The details column of these items, and its enum-set bits.
    fn details(members: &[&'static str]) -> (String, i64) {
        let Type::Collection(ty) = LICENSE_USAGE.entity.properties[2].ty else {
            unreachable!()
        };
        let items: Vec<Item> = members
            .iter()
            .map(|m| {
                Item(vec![
                    Value::Enum(m),
                    Value::Int(1),
                    Value::Null,
                    Value::Int(2),
                ])
            })
            .collect();
        let entity = Entity::new(
            Uuid::nil(),
            vec![
                Value::Null,
                Value::Collection(Collection::Items(items.clone())),
            ],
        );
        let set = LICENSE_USAGE.storage.enum_set.as_ref().unwrap();
        (
            encode(ty, &items),
            enum_set::mask(LICENSE_USAGE.entity, set, &entity),
        )
    }

    fn rows(connection: &Connection) -> Vec<(String, String, String, i64, String, i64)> {
        connection
            .prepare(
                "SELECT tenant_id, id, snapshot_text, snapshot_ticks, details, version
                 FROM license_usage ORDER BY tenant_id, id",
            )
            .unwrap()
            .query_map([], |row| {
                Ok((
                    row.get(0)?,
                    row.get(1)?,
                    row.get(2)?,
                    row.get(3)?,
                    row.get(4)?,
                    row.get(5)?,
                ))
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    #[test]
    fn the_first_schema_moves_to_the_time_clustered_one_keeping_every_row() {
        let mut connection = Connection::open_in_memory().unwrap();
        connection.execute_batch(MIGRATIONS[0]).unwrap();
        connection.pragma_update(None, "user_version", 1).unwrap();
        // Each member alone, one with two members, and one without details.
        let mut all: Vec<Vec<&'static str>> = tally_model::resources::LICENSE_TYPE
            .members
            .iter()
            .map(|m| vec![*m])
            .collect();
        all.push(vec!["free", "premiumP2"]);
        all.push(Vec::new());
        for (index, members) in all.iter().enumerate() {
            let tenant = if index % 2 == 0 { "t1" } else { "t2" };
            connection
                .execute(
                    "INSERT INTO license_usage VALUES (?1, ?2, 'text', ?3, ?4, 7)",
                    rusqlite::params![
                        tenant,
                        format!("id{index}"),
                        index as i64 % 3,
                        details(members).0
                    ],
                )
                .unwrap();
        }
        let before = rows(&connection);

        migrate(&mut connection).unwrap();

        let version: usize = connection
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .unwrap();
        assert_eq!(version, MIGRATIONS.len());
        let free_pages: i64 = connection
            .query_row("PRAGMA freelist_count", [], |row| row.get(0))
            .unwrap();
        assert_eq!(free_pages, 0, "the old table's pages were given back");
        assert_eq!(rows(&connection), before);
        // The migration's SQL spells the same license-type bits as the writer's Rust.
        for members in &all {
            let (text, mask) = details(members);
            let stored: i64 = connection
                .query_row(
                    "SELECT license_types FROM license_usage WHERE details = ?",
                    [text],
                    |row| row.get(0),
                )
                .unwrap();
            assert_eq!(stored, mask, "{members:?}");
        }
        // An id stays unique within its tenant, whatever its time.
        let duplicate = connection.execute(
            "INSERT INTO license_usage VALUES ('t1', 'id0', 'text', 9, '[]', 0, 1)",
            [],
        );
        assert!(duplicate.is_err());
        // A report window is one range of the table itself, not a lookup per row.
        let plan: String = connection
            .query_row(
                "EXPLAIN QUERY PLAN SELECT * FROM license_usage
                 WHERE tenant_id = 't1' AND snapshot_ticks >= 1 ORDER BY snapshot_ticks, id",
                [],
                |row| row.get(3),
            )
            .unwrap();
        assert!(plan.contains("USING PRIMARY KEY"), "{plan}");
    }

    #[test]
    fn a_schema_newer_than_this_tally_is_refused() {
        let mut connection = Connection::open_in_memory().unwrap();
        migrate(&mut connection).unwrap();
        connection
            .pragma_update(None, "user_version", MIGRATIONS.len() + 1)
            .unwrap();
        let refused = migrate(&mut connection).unwrap_err();
        assert!(matches!(refused, StoreError::Unavailable(_)), "{refused:?}");
        assert!(refused.to_string().contains("newer"), "{refused}");
    }

    /// The layout written from azureADLicenseUsage's description is the table its migrations
    /// made: same columns, nullability and key, so its statements fit data stored before.
    #[test]
    fn the_described_layout_is_the_migrated_table() {
        fn columns(connection: &Connection) -> Vec<(String, bool, i64)> {
            connection
                .prepare("SELECT name, \"notnull\", pk FROM pragma_table_info('license_usage')")
                .unwrap()
                .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap()
        }
        let migrated = Connection::open_in_memory().unwrap();
        for step in MIGRATIONS {
            migrated.execute_batch(step).unwrap();
        }
        let described = Connection::open_in_memory().unwrap();
        described
            .execute_batch(&layout(&LICENSE_USAGE, Dialect::Sqlite).create_table())
            .unwrap();
        assert_eq!(columns(&described), columns(&migrated));
    }
}
