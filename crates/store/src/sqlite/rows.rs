//! SQLite rows as [`RowAccess`], and parameters as SQLite's values, for the embedded backend.

use std::borrow::Cow;

use rusqlite::types::{Value as SqlValue, ValueRef};
use rusqlite::Row;

use crate::layout::RowAccess;
use crate::sql::SqlParam;
use crate::StoreError;

impl RowAccess for Row<'_> {
    /// Borrowed from SQLite's buffer, not copied.
    fn text(&self, index: usize) -> Result<Option<Cow<'_, str>>, StoreError> {
        match self.get_ref(index)? {
            ValueRef::Null => Ok(None),
            ValueRef::Text(bytes) | ValueRef::Blob(bytes) => std::str::from_utf8(bytes)
                .map(|text| Some(Cow::Borrowed(text)))
                .map_err(|error| StoreError::Internal(format!("column {index}: {error}"))),
            other => Err(StoreError::Internal(format!(
                "column {index} is {:?}, not text",
                other.data_type()
            ))),
        }
    }

    fn bytes(&self, index: usize) -> Result<Option<&[u8]>, StoreError> {
        match self.get_ref(index)? {
            ValueRef::Null => Ok(None),
            ValueRef::Text(bytes) | ValueRef::Blob(bytes) => Ok(Some(bytes)),
            other => Err(StoreError::Internal(format!(
                "column {index} is {:?}, not text",
                other.data_type()
            ))),
        }
    }

    fn int(&self, index: usize) -> Result<Option<i64>, StoreError> {
        Ok(self.get::<_, Option<i64>>(index)?)
    }
}

/// The SQLite form of a parameter.
pub fn sqlite_params(params: Vec<SqlParam>) -> Vec<SqlValue> {
    params
        .into_iter()
        .map(|param| match param {
            SqlParam::Int(value) => SqlValue::Integer(value),
            SqlParam::Text(text) => SqlValue::Text(text),
            SqlParam::NullInt | SqlParam::NullText => SqlValue::Null,
        })
        .collect()
}
