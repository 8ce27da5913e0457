//! Rows to values, and parameters to SQLite's values, for the embedded backend.

use rusqlite::types::Value as SqlValue;
use rusqlite::Row;
use tally_model::LicenseUsage;
use tally_odata::DateTimeOffset;
use uuid::Uuid;

use crate::details::{decode_stored_details, is_encoding};
use crate::sql::SqlParam;
use crate::{ListedDetails, ListedUsage, StoreError, StoredUsage};

/// The columns every read selects, in the order [`decode`] expects.
pub const COLUMNS: &str = "id, snapshot_text, snapshot_ticks, details, version";

/// Decodes one row selected with [`COLUMNS`].
pub fn decode(row: &Row<'_>) -> rusqlite::Result<Result<StoredUsage, StoreError>> {
    // The id and the details are parsed straight from SQLite's buffers, not copied first.
    let id = row.get_ref(0)?.as_str()?;
    let snapshot_text: String = row.get(1)?;
    let snapshot_ticks: i64 = row.get(2)?;
    let details = row.get_ref(3)?.as_bytes()?;
    let version: i64 = row.get(4)?;
    Ok(build(id, snapshot_text, snapshot_ticks, details, version))
}

/// Decodes one row selected with [`COLUMNS`] for a page: the details stay as stored when they
/// are in tally's own encoding (a response copies them), and are decoded when they are not.
pub fn decode_listed(row: &Row<'_>) -> rusqlite::Result<Result<ListedUsage, StoreError>> {
    let details = row.get_ref(3)?.as_bytes()?;
    if !is_encoding(details) {
        return decode(row).map(|stored| stored.map(ListedUsage::from));
    }
    let id = match parse_id(row.get_ref(0)?.as_str()?) {
        Ok(id) => id,
        Err(error) => return Ok(Err(error)),
    };
    Ok(Ok(ListedUsage {
        id,
        snapshot_date_time: DateTimeOffset::from_stored(row.get(1)?, row.get(2)?),
        details: ListedDetails::CompactSerde(details.into()),
        version: row.get(4)?,
    }))
}

fn parse_id(text: &str) -> Result<Uuid, StoreError> {
    Uuid::parse_str(text)
        .map_err(|error| StoreError::Internal(format!("stored id {text:?}: {error}")))
}

fn build(
    id: &str,
    snapshot_text: String,
    ticks: i64,
    details: &[u8],
    version: i64,
) -> Result<StoredUsage, StoreError> {
    let id = parse_id(id)?;
    let license_info_details = decode_stored_details(id, details)?;
    Ok(StoredUsage {
        usage: LicenseUsage {
            id,
            snapshot_date_time: DateTimeOffset::from_stored(snapshot_text, ticks),
            license_info_details,
        },
        version,
    })
}

/// The SQLite form of a parameter.
pub fn sqlite_params(params: Vec<SqlParam>) -> Vec<SqlValue> {
    params
        .into_iter()
        .map(|param| match param {
            SqlParam::Int(value) => SqlValue::Integer(value),
            SqlParam::Text(text) => SqlValue::Text(text),
        })
        .collect()
}
