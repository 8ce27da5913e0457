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
    ErrorKind, QueryError, QueryOption, DEFAULT_MAX_IN_LIST, MAX_LAMBDA_DEPTH, MAX_NESTING_DEPTH,
    MAX_QUERY_LENGTH,
};
pub use orderby::parse_orderby;
pub use select::parse_select;
pub use typed::{Constant, Operand, OrderBy, Selection, TypedExpr};

use crate::schema::EntityType;

/// What a `$filter` may hold beyond the fixed limits, as the caller configures it (the server:
/// `tally serve --max-in-list`). Passed to each parse: the parser keeps no settings of its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FilterOptions {
    max_in_list: usize,
}

impl FilterOptions {
    /// At most `max` values in one `in` list (at least 1): more is an error. Each value is a
    /// condition in the SQL the filter becomes.
    pub fn with_max_in_list(max: usize) -> Self {
        Self {
            max_in_list: max.max(1),
        }
    }

    /// The most values one `in` list may have.
    pub fn max_in_list(self) -> usize {
        self.max_in_list
    }
}

impl Default for FilterOptions {
    /// [`DEFAULT_MAX_IN_LIST`] values in an `in` list.
    fn default() -> Self {
        Self::with_max_in_list(DEFAULT_MAX_IN_LIST)
    }
}

/// Parses a `$filter` value into an untyped tree, with the default [`FilterOptions`].
pub fn parse_filter(source: &str) -> Result<Expr, QueryError> {
    parse_filter_with(source, FilterOptions::default())
}

/// Parses a `$filter` value into an untyped tree, within `options`.
pub fn parse_filter_with(source: &str, options: FilterOptions) -> Result<Expr, QueryError> {
    parser::parse_filter_expr(source, options)
        .map_err(|error| error.into_query_error(QueryOption::Filter, source))
}

/// Parses and binds a `$filter` value, e.g. `licenseInfoDetails/any(d: d/totalUsageCount gt 10)`,
/// with the default [`FilterOptions`].
pub fn filter(ty: &'static EntityType, source: &str) -> Result<TypedExpr, QueryError> {
    filter_with(ty, source, FilterOptions::default())
}

/// Parses and binds a `$filter` value within `options`.
pub fn filter_with(
    ty: &'static EntityType,
    source: &str,
    options: FilterOptions,
) -> Result<TypedExpr, QueryError> {
    bind_filter(ty, &parse_filter_with(source, options)?, source)
}

/// Parses and binds a `$orderby` value, e.g. `snapshotDateTime desc,id`.
pub fn orderby(ty: &'static EntityType, source: &str) -> Result<Vec<OrderBy>, QueryError> {
    bind_orderby(ty, &parse_orderby(source)?, source)
}

/// Parses and binds a `$select` value, e.g. `id,snapshotDateTime` or `*`.
pub fn select(ty: &'static EntityType, source: &str) -> Result<Selection, QueryError> {
    bind_select(ty, &parse_select(source)?, source)
}
