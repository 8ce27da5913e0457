//! The OData query language tally supports: `$filter`, `$orderby` and `$select`.
//!
//! Each option goes text → tokens (`lexer`) → untyped tree with byte spans ([`ast`], by
//! [`parse_filter`], [`parse_orderby`], [`parse_select`]) → typed form over tally's model
//! ([`bind`] into [`typed`], over an entity type of the [schema](crate::schema)). The one-call
//! functions [`filter()`], [`orderby()`] and [`select()`] do both steps.
//! Every error is a [`QueryError`] with a 1-based character position (see [`error`]).
//! Nothing here does IO; only `bind` and `typed` read a schema.
//!
//! ```
//! use tally_model::resources::LICENSE_USAGE;
//! use tally_odata::query::{filter, orderby, select, TypedExpr};
//!
//! let ty = LICENSE_USAGE.entity;
//! let condition = filter(ty, "licenseInfoDetails/any(d: d/licenseType eq 'premiumP2')").unwrap();
//! assert!(matches!(condition, TypedExpr::Any { predicate: Some(_), .. }));
//!
//! let error = filter(ty, "snapshotDateTime eq 5").unwrap_err();
//! assert_eq!(error.position, 21);
//! assert_eq!(
//!     error.to_string(),
//!     "Invalid query at position 21 in '$filter': cannot compare 'snapshotDateTime' \
//!      (a DateTimeOffset) with '5' (an integer)"
//! );
//!
//! assert_eq!(orderby(ty, "snapshotDateTime desc").unwrap().len(), 1);
//! assert!(!select(ty, "id").unwrap().includes(&ty.properties[2]));
//! ```

pub mod ast;
pub mod bind;
pub mod error;
mod lexer;
mod orderby;
mod parser;
mod print;
mod select;
pub mod typed;

pub use ast::{
    CompareOp, Expr, ExprKind, Ident, LambdaBody, LambdaKind, Literal, OrderByItem, Path,
    SelectItem, SortDirection, Span,
};
pub use bind::{bind_filter, bind_orderby, bind_select};
pub use error::{
    max_in_list, set_max_in_list, ErrorKind, QueryError, QueryOption, DEFAULT_MAX_IN_LIST,
    MAX_LAMBDA_DEPTH, MAX_NESTING_DEPTH, MAX_QUERY_LENGTH,
};
pub use orderby::parse_orderby;
pub use select::parse_select;
pub use typed::{Constant, Operand, OrderBy, Selection, TypedExpr};

use crate::schema::EntityType;

/// Parses a `$filter` value into an untyped tree.
pub fn parse_filter(source: &str) -> Result<Expr, QueryError> {
    parser::parse_filter_expr(source)
        .map_err(|error| error.into_query_error(QueryOption::Filter, source))
}

/// Parses and binds a `$filter` value, e.g. `licenseInfoDetails/any(d: d/totalUsageCount gt 10)`.
pub fn filter(ty: &'static EntityType, source: &str) -> Result<TypedExpr, QueryError> {
    bind_filter(ty, &parse_filter(source)?, source)
}

/// Parses and binds a `$orderby` value, e.g. `snapshotDateTime desc,id`.
pub fn orderby(ty: &'static EntityType, source: &str) -> Result<Vec<OrderBy>, QueryError> {
    bind_orderby(ty, &parse_orderby(source)?, source)
}

/// Parses and binds a `$select` value, e.g. `id,snapshotDateTime` or `*`.
pub fn select(ty: &'static EntityType, source: &str) -> Result<Selection, QueryError> {
    bind_select(ty, &parse_select(source)?, source)
}
