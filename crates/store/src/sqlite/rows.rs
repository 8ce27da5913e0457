//! Rows to values and queries to SQL for the embedded backend.

use rusqlite::types::Value as SqlValue;
use rusqlite::Row;
use tally_model::{LicenseInfoDetail, LicenseUsage};
use tally_odata::DateTimeOffset;
use uuid::Uuid;

use crate::query::{CursorValue, ListQuery, OrderProperty};
use crate::{StoreError, StoredUsage, TenantId};

/// The columns every read selects, in the order [`decode`] expects.
pub const COLUMNS: &str = "id, snapshot_text, snapshot_ticks, details, version";

/// Decodes one row selected with [`COLUMNS`].
pub fn decode(row: &Row<'_>) -> rusqlite::Result<Result<StoredUsage, StoreError>> {
    let id: String = row.get(0)?;
    let snapshot_text: String = row.get(1)?;
    let snapshot_ticks: i64 = row.get(2)?;
    let details: String = row.get(3)?;
    let version: i64 = row.get(4)?;
    Ok(build(&id, snapshot_text, snapshot_ticks, &details, version))
}

fn build(
    id: &str,
    snapshot_text: String,
    ticks: i64,
    details: &str,
    version: i64,
) -> Result<StoredUsage, StoreError> {
    let id = Uuid::parse_str(id)
        .map_err(|error| StoreError::Internal(format!("stored id {id:?}: {error}")))?;
    let license_info_details: Vec<LicenseInfoDetail> = serde_json::from_str(details)
        .map_err(|error| StoreError::Internal(format!("stored details of {id}: {error}")))?;
    Ok(StoredUsage {
        usage: LicenseUsage {
            id,
            snapshot_date_time: DateTimeOffset::from_stored(snapshot_text, ticks),
            license_info_details,
        },
        version,
    })
}

/// Encodes the details column.
pub fn encode_details(details: &[LicenseInfoDetail]) -> Result<String, StoreError> {
    serde_json::to_string(details).map_err(|error| StoreError::Internal(error.to_string()))
}

/// A SELECT's WHERE clause and its parameters, for a tenant and a query (no paging).
pub struct Selection {
    pub where_clause: String,
    pub params: Vec<SqlValue>,
}

pub fn selection(tenant: TenantId, query: &ListQuery, with_cursor: bool) -> Selection {
    let mut where_clause = String::from("tenant_id = ?");
    let mut params = vec![SqlValue::Text(tenant.to_string())];
    if let Some(since) = query.since_ticks {
        where_clause.push_str(" AND snapshot_ticks >= ?");
        params.push(SqlValue::Integer(since));
    }
    if let Some(filter) = &query.filter {
        where_clause.push_str(" AND ");
        super::filter::translate(filter, &mut where_clause, &mut params);
    }
    if let (true, Some(cursor)) = (with_cursor, &query.after) {
        // Lexicographic "after": (k1 > v1) OR (k1 = v1 AND k2 > v2) OR ...
        let order = query.effective_order();
        let mut disjuncts = Vec::new();
        for (depth, key) in order.iter().enumerate().take(cursor.0.len()) {
            let mut terms = Vec::new();
            for (earlier, value) in order.iter().zip(&cursor.0).take(depth) {
                terms.push(format!("{} = ?", column(earlier.property)));
                params.push(sql_value(value));
            }
            let op = if key.descending { "<" } else { ">" };
            terms.push(format!("{} {op} ?", column(key.property)));
            params.push(sql_value(&cursor.0[depth]));
            disjuncts.push(format!("({})", terms.join(" AND ")));
        }
        if !disjuncts.is_empty() {
            where_clause.push_str(&format!(" AND ({})", disjuncts.join(" OR ")));
        }
    }
    Selection {
        where_clause,
        params,
    }
}

/// The ORDER BY clause for a query's effective order.
pub fn order_by(query: &ListQuery) -> String {
    query
        .effective_order()
        .iter()
        .map(|key| {
            format!(
                "{} {}",
                column(key.property),
                if key.descending { "DESC" } else { "ASC" }
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn column(property: OrderProperty) -> &'static str {
    match property {
        OrderProperty::SnapshotDateTime => "snapshot_ticks",
        OrderProperty::Id => "id",
    }
}

fn sql_value(value: &CursorValue) -> SqlValue {
    match value {
        CursorValue::Ticks(ticks) => SqlValue::Integer(*ticks),
        CursorValue::Id(id) => SqlValue::Text(id.to_string()),
    }
}
