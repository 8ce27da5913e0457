//! OData v4 building blocks for tally: EDM primitive values and the query option language
//! (`$filter`, `$orderby`, `$select`) bound against a schema of entity types ([`schema`]). This crate does no IO and knows nothing about storage or
//! HTTP.

pub mod decimal;
pub mod edm;
pub mod query;
pub mod schema;

pub use decimal::{Decimal, DecimalError};
pub use edm::{DateTimeOffset, DateTimeOffsetError};
pub use query::{QueryError, QueryOption};
