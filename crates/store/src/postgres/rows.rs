//! PostgreSQL rows as [`RowAccess`], and parameters as PostgreSQL's types.

use std::borrow::Cow;

use tokio_postgres::types::ToSql;
use tokio_postgres::Row;

use crate::layout::RowAccess;
use crate::sql::SqlParam;
use crate::StoreError;

impl RowAccess for Row {
    fn text(&self, index: usize) -> Result<Option<Cow<'_, str>>, StoreError> {
        self.try_get::<_, Option<&str>>(index)
            .map(|text| text.map(Cow::Borrowed))
            .map_err(internal)
    }

    fn bytes(&self, index: usize) -> Result<Option<&[u8]>, StoreError> {
        self.try_get::<_, Option<&str>>(index)
            .map(|text| text.map(str::as_bytes))
            .map_err(internal)
    }

    fn int(&self, index: usize) -> Result<Option<i64>, StoreError> {
        self.try_get::<_, Option<i64>>(index).map_err(internal)
    }
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
                SqlParam::NullInt => Box::new(None::<i64>),
                SqlParam::NullText => Box::new(None::<String>),
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
