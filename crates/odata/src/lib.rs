//! OData v4 building blocks for tally: EDM primitive values and (in later modules) the query
//! option language. This crate does no IO and knows nothing about storage or HTTP.

pub mod edm;

pub use edm::{DateTimeOffset, DateTimeOffsetError};
