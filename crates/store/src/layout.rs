//! How a resource's objects are laid out in a table, for both backends, derived from its
//! description: one column per scalar property (a DateTimeOffset has two, `{column}_text` as
//! sent and `{column}_ticks` for ordering), the JSON text of each collection
//! ([`tally_model::stored_items`]), the enum-set bits where the description asks for them
//! (SQLite), and the version. Every statement a backend runs on a resource's table is written
//! here once, per dialect.

use std::borrow::Cow;
use std::sync::OnceLock;

use tally_model::resources::{ResourceDef, ALL};
use tally_model::stored_items;
use tally_model::{Collection, Entity, Value, Versioned};
use tally_odata::schema::{Property, Type};
use tally_odata::{DateTimeOffset, Decimal};
use uuid::Uuid;

use crate::sql::{sort_column, Dialect, SqlParam};
use crate::StoreError;

/// One data column of a resource's table.
#[derive(Debug)]
struct Column {
    name: String,
    /// Its SQL type in the layout's dialect, with `NOT NULL` where it applies.
    sql_type: String,
    /// Holds a collection's JSON (PostgreSQL: `jsonb`, cast from and to text).
    json: bool,
    /// Holds a Boolean (PostgreSQL: `boolean`, bound and read as 0 or 1; SQLite: an integer).
    boolean: bool,
}

/// The columns and statements of one resource's table in one dialect.
#[derive(Debug)]
pub struct Layout {
    pub def: &'static ResourceDef,
    pub dialect: Dialect,
    /// The data columns after `tenant_id` and before `version`, in insert order.
    columns: Vec<Column>,
    /// What a read selects, in the order [`Layout::decode`] reads: id, data columns, version.
    pub select_list: String,
    pub insert: String,
    /// The insert that skips an id the tenant has already (`tally import`).
    pub insert_new: String,
    /// `SET` every data column and the version, `WHERE` tenant and id (the last two parameters).
    pub update: String,
    pub select_one: String,
    pub delete: String,
}

impl Layout {
    pub fn new(def: &'static ResourceDef, dialect: Dialect) -> Self {
        let table = def.storage.table;
        let columns = columns(def, dialect);
        // Parameter `number` (1-based) for `column`; `None` for the tenant, id and version.
        let placeholder = |number: usize, column: Option<&Column>| match dialect {
            Dialect::Sqlite => "?".to_owned(),
            Dialect::Postgres if column.is_some_and(|c| c.json) => {
                format!("CAST(${number}::text AS jsonb)")
            }
            Dialect::Postgres if column.is_some_and(|c| c.boolean) => {
                format!("(${number}::bigint <> 0)")
            }
            Dialect::Postgres => format!("${number}"),
        };
        let read_columns: Vec<String> = columns
            .iter()
            .map(|column| match dialect {
                Dialect::Postgres if column.json => format!("{}::text", column.name),
                Dialect::Postgres if column.boolean => format!("{}::int::bigint", column.name),
                _ => column.name.clone(),
            })
            .collect();
        let names: Vec<&str> = columns.iter().map(|column| column.name.as_str()).collect();
        let select_list = format!("id, {}, version", read_columns.join(", "));
        let values: Vec<String> = columns
            .iter()
            .enumerate()
            .map(|(index, column)| placeholder(index + 3, Some(column)))
            .collect();
        let insert = format!(
            "INSERT INTO {table} (tenant_id, id, {}, version) VALUES ({}, {}, {}, {})",
            names.join(", "),
            placeholder(1, None),
            placeholder(2, None),
            values.join(", "),
            placeholder(columns.len() + 3, None)
        );
        let insert_new = format!("{insert} ON CONFLICT DO NOTHING");
        let sets: Vec<String> = columns
            .iter()
            .enumerate()
            .map(|(index, column)| {
                format!("{} = {}", column.name, placeholder(index + 1, Some(column)))
            })
            .collect();
        let after = columns.len() + 1;
        let update = format!(
            "UPDATE {table} SET {}, version = {} WHERE tenant_id = {} AND id = {}",
            sets.join(", "),
            placeholder(after, None),
            placeholder(after + 1, None),
            placeholder(after + 2, None)
        );
        let key = format!(
            "tenant_id = {} AND id = {}",
            placeholder(1, None),
            placeholder(2, None)
        );
        Self {
            def,
            dialect,
            select_one: format!("SELECT {select_list} FROM {table} WHERE {key}"),
            delete: format!("DELETE FROM {table} WHERE {key}"),
            columns,
            select_list,
            insert,
            insert_new,
            update,
        }
    }

    pub fn table(&self) -> &'static str {
        self.def.storage.table
    }

    /// The table and its indexes, if they do not exist yet: clustered by (tenant, time, id) in
    /// SQLite, as every list and report reads it; keyed by (tenant, id) with a time index in
    /// PostgreSQL.
    pub fn create_table(&self) -> String {
        let table = self.table();
        let time = sort_column(self.def.time);
        let mut sql =
            format!("CREATE TABLE IF NOT EXISTS {table} (\n    tenant_id TEXT NOT NULL,\n");
        sql.push_str(match self.dialect {
            Dialect::Sqlite => "    id TEXT NOT NULL,\n",
            Dialect::Postgres => "    id TEXT COLLATE \"C\" NOT NULL,\n",
        });
        for column in &self.columns {
            sql.push_str(&format!("    {} {},\n", column.name, column.sql_type));
        }
        sql.push_str("    version BIGINT NOT NULL,\n");
        match self.dialect {
            Dialect::Sqlite => {
                sql.push_str(&format!(
                    "    PRIMARY KEY (tenant_id, {time}, id)\n) WITHOUT ROWID;\n\
                     CREATE UNIQUE INDEX IF NOT EXISTS {table}_by_id ON {table} (tenant_id, id);\n"
                ));
            }
            Dialect::Postgres => {
                sql.push_str(&format!(
                    "    PRIMARY KEY (tenant_id, id)\n);\n\
                     CREATE INDEX IF NOT EXISTS {table}_by_time ON {table} (tenant_id, {time}, id);\n"
                ));
            }
        }
        for property in self.def.storage.indexed {
            let column = sort_column(property);
            sql.push_str(&format!(
                "CREATE INDEX IF NOT EXISTS {table}_by_{column} ON {table} (tenant_id, {column}, {time}, id);\n"
            ));
        }
        for property in self.def.storage.unique {
            let column = sort_column(property);
            sql.push_str(&format!(
                "CREATE UNIQUE INDEX IF NOT EXISTS {table}_unique_{column} ON {table} (tenant_id, {column});\n"
            ));
        }
        sql
    }

    /// The parameters of [`Layout::insert`] for `entity` at `version`.
    pub fn insert_params(&self, tenant: Uuid, entity: &Entity, version: i64) -> Vec<SqlParam> {
        let mut params = Vec::with_capacity(self.columns.len() + 3);
        params.push(SqlParam::Text(uuid_text(tenant)));
        params.push(SqlParam::Text(uuid_text(entity.id)));
        self.push_data(entity, &mut params);
        params.push(SqlParam::Int(version));
        params
    }

    /// The parameters of [`Layout::update`].
    pub fn update_params(&self, tenant: Uuid, entity: &Entity, version: i64) -> Vec<SqlParam> {
        let mut params = Vec::with_capacity(self.columns.len() + 3);
        self.push_data(entity, &mut params);
        params.push(SqlParam::Int(version));
        params.push(SqlParam::Text(uuid_text(tenant)));
        params.push(SqlParam::Text(uuid_text(entity.id)));
        params
    }

    fn push_data(&self, entity: &Entity, params: &mut Vec<SqlParam>) {
        for (property, value) in self.def.entity.properties[1..].iter().zip(entity.values()) {
            match (property.ty, value) {
                (Type::DateTimeOffset, Value::DateTimeOffset(at)) => {
                    params.push(SqlParam::Text(at.as_str().to_owned()));
                    params.push(SqlParam::Int(at.ticks()));
                }
                (Type::DateTimeOffset, _) => {
                    params.push(SqlParam::NullText);
                    params.push(SqlParam::NullInt);
                }
                (Type::Collection(ty), Value::Collection(Collection::Items(items))) => {
                    params.push(SqlParam::Text(stored_items::encode(ty, items)));
                }
                (Type::Collection(_), Value::Collection(Collection::Stored(json))) => {
                    params.push(SqlParam::Text(String::from_utf8_lossy(json).into_owned()));
                }
                (Type::Collection(_), _) => params.push(SqlParam::Text("[]".to_owned())),
                (Type::Int32 | Type::Boolean | Type::Decimal, Value::Null) => {
                    params.push(SqlParam::NullInt)
                }
                (Type::Decimal, Value::Decimal(number)) => {
                    params.push(SqlParam::Int(number.ten_thousandths()))
                }
                (_, Value::Null) => params.push(SqlParam::NullText),
                (_, Value::String(text)) => params.push(SqlParam::Text(text.to_string())),
                (_, Value::Enum(member)) => params.push(SqlParam::Text((*member).to_owned())),
                (_, Value::Int(number)) => params.push(SqlParam::Int(i64::from(*number))),
                (Type::Boolean, Value::Boolean(value)) => {
                    params.push(SqlParam::Int(i64::from(*value)))
                }
                (_, other) => {
                    // Validation gives every property a value of its own type.
                    debug_assert!(false, "{} holds {other:?}", property.name);
                    params.push(SqlParam::NullText);
                }
            }
        }
        if let (Some(set), Dialect::Sqlite) = (&self.def.storage.enum_set, self.dialect) {
            params.push(SqlParam::Int(crate::enum_set::mask(
                self.def.entity,
                set,
                entity,
            )));
        }
    }

    /// Decodes a row selected with [`Layout::select_list`]. With `listed`, a collection in
    /// tally's own encoding of a [`stored_items::copyable`] type is kept as stored, for a
    /// page to copy; otherwise it is decoded.
    pub fn decode(
        &self,
        row: &(impl RowAccess + ?Sized),
        listed: bool,
    ) -> Result<Versioned, StoreError> {
        let id_text = row.text(0)?.unwrap_or_default();
        let id = Uuid::parse_str(&id_text)
            .map_err(|error| StoreError::Internal(format!("stored id {id_text:?}: {error}")))?;
        let properties = &self.def.entity.properties[1..];
        let mut values = Vec::with_capacity(properties.len());
        let mut column = 1;
        for property in properties {
            let value = match property.ty {
                Type::DateTimeOffset => {
                    let text = row.text(column)?;
                    let ticks = row.int(column + 1)?;
                    column += 2;
                    match (text, ticks) {
                        (Some(text), Some(ticks)) => Value::DateTimeOffset(
                            DateTimeOffset::from_stored(text.into_owned(), ticks),
                        ),
                        _ => Value::Null,
                    }
                }
                _ => {
                    column += 1;
                    decode_column(property, row, column - 1, listed, id)?
                }
            };
            values.push(value);
        }
        if self.def.storage.enum_set.is_some() && self.dialect == Dialect::Sqlite {
            column += 1;
        }
        let version = row
            .int(column)?
            .ok_or_else(|| StoreError::Internal(format!("stored version of {id} is null")))?;
        Ok(Versioned {
            entity: Entity::new(id, values),
            version,
        })
    }
}

fn decode_column(
    property: &Property,
    row: &(impl RowAccess + ?Sized),
    column: usize,
    listed: bool,
    id: Uuid,
) -> Result<Value, StoreError> {
    let corrupt = |what: &dyn std::fmt::Display| {
        StoreError::Internal(format!("stored {} of {id}: {what}", property.name))
    };
    Ok(match property.ty {
        Type::Int32 => match row.int(column)? {
            Some(number) => Value::Int(i32::try_from(number).map_err(|e| corrupt(&e))?),
            None => Value::Null,
        },
        Type::Boolean => match row.int(column)? {
            Some(number) => Value::Boolean(number != 0),
            None => Value::Null,
        },
        Type::Decimal => match row.int(column)? {
            Some(number) => Value::Decimal(Decimal::from_ten_thousandths(number)),
            None => Value::Null,
        },
        Type::String | Type::Guid => match row.text(column)? {
            Some(text) => Value::String(text.into()),
            None => Value::Null,
        },
        Type::Enum(ty) => match row.text(column)? {
            Some(text) => Value::Enum(ty.member(&text).ok_or_else(|| corrupt(&text))?),
            None => Value::Null,
        },
        Type::Collection(ty) => {
            // Bytes, unchecked: a copy needs no UTF-8 check (only tally's encoding, ASCII
            // outside its strings, is copied), and a decode checks what it reads.
            let text = row.bytes(column)?.unwrap_or(b"[]");
            if listed && stored_items::copyable(ty) && stored_items::is_encoding(ty, text) {
                Value::Collection(Collection::Stored(text.into()))
            } else {
                let items = stored_items::decode(ty, text).map_err(|e| corrupt(&e))?;
                Value::Collection(Collection::Items(items))
            }
        }
        Type::DateTimeOffset => unreachable!("DateTimeOffset columns are read in pairs"),
        // The directory's types: its tables are laid out by `crate::directory`, not here.
        Type::Int64 | Type::Complex(_) | Type::Primitives(_) => {
            return Err(corrupt(&"a type no described resource stores"))
        }
    })
}

/// The data columns of `def`'s table in `dialect`.
fn columns(def: &ResourceDef, dialect: Dialect) -> Vec<Column> {
    let postgres = dialect == Dialect::Postgres;
    let column = |name: String, sql_type: &str, nullable: bool, json: bool| Column {
        name,
        sql_type: if nullable {
            sql_type.to_owned()
        } else {
            format!("{sql_type} NOT NULL")
        },
        json,
        boolean: sql_type == "BOOLEAN",
    };
    // PostgreSQL: BIGINT, the type of the parameters tally binds; strings compare and sort
    // ordinally, by bytes, whatever the database's default collation (as `id` does).
    let text = if postgres {
        "TEXT COLLATE \"C\""
    } else {
        "TEXT"
    };
    let mut columns = Vec::new();
    for property in &def.entity.properties[1..] {
        let (name, nullable) = (property.column, property.nullable);
        match property.ty {
            Type::DateTimeOffset => {
                columns.push(column(format!("{name}_text"), "TEXT", nullable, false));
                columns.push(column(format!("{name}_ticks"), "BIGINT", nullable, false));
            }
            // A decimal is kept as its ten-thousandths, exactly.
            Type::Int32 | Type::Int64 | Type::Decimal => {
                let sql_type = if postgres { "BIGINT" } else { "INTEGER" };
                columns.push(column(name.to_owned(), sql_type, nullable, false));
            }
            Type::String | Type::Enum(_) | Type::Guid => {
                columns.push(column(name.to_owned(), text, nullable, false));
            }
            Type::Boolean => {
                let sql_type = if postgres { "BOOLEAN" } else { "INTEGER" };
                columns.push(column(name.to_owned(), sql_type, nullable, false));
            }
            Type::Collection(_) | Type::Complex(_) | Type::Primitives(_) => {
                let sql_type = if postgres { "JSONB" } else { "TEXT" };
                columns.push(column(name.to_owned(), sql_type, false, true));
            }
        }
    }
    if let (Some(set), false) = (&def.storage.enum_set, postgres) {
        columns.push(column(set.column.to_owned(), "INTEGER", false, false));
    }
    columns
}

/// A GUID's text in lower case, without the formatting machinery (a bulk load writes two a row).
fn uuid_text(id: Uuid) -> String {
    let mut text = [0u8; uuid::fmt::Hyphenated::LENGTH];
    id.hyphenated().encode_lower(&mut text).to_owned()
}

/// One row's columns, as either backend's row type gives them.
pub trait RowAccess {
    fn text(&self, index: usize) -> Result<Option<Cow<'_, str>>, StoreError>;
    /// A text column's bytes, without a UTF-8 check.
    fn bytes(&self, index: usize) -> Result<Option<&[u8]>, StoreError>;
    fn int(&self, index: usize) -> Result<Option<i64>, StoreError>;
}

/// The layout of `def`'s table in `dialect`, made once per process.
pub fn layout(def: &'static ResourceDef, dialect: Dialect) -> &'static Layout {
    static SQLITE: OnceLock<Vec<Layout>> = OnceLock::new();
    static POSTGRES: OnceLock<Vec<Layout>> = OnceLock::new();
    let layouts = match dialect {
        Dialect::Sqlite => &SQLITE,
        Dialect::Postgres => &POSTGRES,
    }
    .get_or_init(|| ALL.iter().map(|def| Layout::new(def, dialect)).collect());
    match layouts.iter().find(|layout| std::ptr::eq(layout.def, def)) {
        Some(layout) => layout,
        // Every resource is registered in `ALL`; one that is not gets its layout made once.
        None => Box::leak(Box::new(Layout::new(def, dialect))),
    }
}
