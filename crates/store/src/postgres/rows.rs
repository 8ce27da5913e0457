//! PostgreSQL rows to values, and parameters to PostgreSQL's types.

use tally_model::LicenseInfoDetail;
use tally_model::LicenseUsage;
use tally_odata::DateTimeOffset;
use tokio_postgres::types::ToSql;
use tokio_postgres::Row;
use uuid::Uuid;

use crate::sql::SqlParam;
use crate::{StoreError, StoredUsage};

/// The columns every read selects, in the order [`decode`] expects.
pub const COLUMNS: &str = "id, snapshot_text, snapshot_ticks, details::text, version";

pub fn decode(row: &Row) -> Result<StoredUsage, StoreError> {
    let id: String = row.try_get(0).map_err(internal)?;
    let snapshot_text: String = row.try_get(1).map_err(internal)?;
    let snapshot_ticks: i64 = row.try_get(2).map_err(internal)?;
    let details: String = row.try_get(3).map_err(internal)?;
    let version: i64 = row.try_get(4).map_err(internal)?;
    let id = Uuid::parse_str(&id)
        .map_err(|error| StoreError::Internal(format!("stored id {id:?}: {error}")))?;
    let license_info_details: Vec<LicenseInfoDetail> = serde_json::from_str(&details)
        .map_err(|error| StoreError::Internal(format!("stored details of {id}: {error}")))?;
    Ok(StoredUsage {
        usage: LicenseUsage {
            id,
            snapshot_date_time: DateTimeOffset::from_stored(snapshot_text, snapshot_ticks),
            license_info_details,
        },
        version,
    })
}

fn internal(error: tokio_postgres::Error) -> StoreError {
    StoreError::Internal(error.to_string())
}

/// Parameters as PostgreSQL values.
pub fn postgres_params(params: Vec<SqlParam>) -> Vec<Box<dyn ToSql + Sync + Send>> {
    params
        .into_iter()
        .map(|param| -> Box<dyn ToSql + Sync + Send> {
            match param {
                SqlParam::Int(value) => Box::new(value),
                SqlParam::Text(text) => Box::new(text),
            }
        })
        .collect()
}

/// Borrowed views of boxed parameters, as tokio-postgres takes them.
pub fn borrowed(params: &[Box<dyn ToSql + Sync + Send>]) -> Vec<&(dyn ToSql + Sync)> {
    params
        .iter()
        .map(|param| param.as_ref() as &(dyn ToSql + Sync))
        .collect()
}
