//! Tests of the query language through the crate's public API: tables of well-formed and
//! malformed options, and properties (no panics, print/parse round trips).

mod bind_errors;
mod bind_ok;
mod directory;
mod orderby_select;
mod parse_errors;
mod parse_ok;
mod properties;
mod support;
