//! The binder: untyped trees → typed forms over an entity type of the [schema](crate::schema).
//! This file and [`typed`](super::typed) are the only parts of the query language that read a
//! schema; nothing here knows a particular resource.
//!
//! `filter.rs` binds `$filter`; this file binds `$orderby` and `$select`.

mod filter;

use super::ast::{ExprKind, OrderByItem, SelectItem, Span};
use super::error::{quote, ErrorKind, QueryError, QueryOption};
use super::typed::{OrderBy, Selection};
use crate::schema::EntityType;

pub use filter::bind_filter;

/// Binds a parsed `$orderby`: the type's sortable properties, each at most once.
pub fn bind_orderby(
    ty: &'static EntityType,
    items: &[OrderByItem],
    source: &str,
) -> Result<Vec<OrderBy>, QueryError> {
    let error = |span: Span, message: String| {
        QueryError::at(
            QueryOption::OrderBy,
            ErrorKind::Binding,
            source,
            span.start,
            message,
        )
    };
    let mut bound: Vec<OrderBy> = Vec::new();
    for item in items {
        let property = match &item.expr.kind {
            ExprKind::Path(path) => ty
                .properties
                .iter()
                .find(|p| p.sortable && p.name == path.text()),
            _ => None,
        };
        let Some(property) = property else {
            let text = quote(&source[item.expr.span.start..item.expr.span.end]);
            let sortable: Vec<&str> = ty
                .properties
                .iter()
                .filter(|p| p.sortable)
                .map(|p| p.name)
                .collect();
            let message = format!(
                "cannot order by {text}: tally orders only by {}",
                join_and(&sortable)
            );
            return Err(error(item.expr.span, message));
        };
        if bound.iter().any(|b| b.property == property) {
            let text = quote(&source[item.expr.span.start..item.expr.span.end]);
            return Err(error(
                item.expr.span,
                format!("{text} appears more than once in '$orderby'"),
            ));
        }
        bound.push(OrderBy {
            property,
            direction: item.direction,
        });
    }
    Ok(bound)
}

/// Binds a parsed `$select`: `*` or top-level properties of the type.
pub fn bind_select(
    ty: &'static EntityType,
    items: &[SelectItem],
    source: &str,
) -> Result<Selection, QueryError> {
    let mut selection = Selection::default();
    for item in items {
        let path = match item {
            SelectItem::Star(_) => {
                selection.star = true;
                continue;
            }
            SelectItem::Path(path) => path,
        };
        let first = &path.segments[0];
        let Some(property) = ty.property(&first.name) else {
            let message = not_found(&first.name, ty.name, &ty.property_list());
            return Err(QueryError::at(
                QueryOption::Select,
                ErrorKind::Binding,
                source,
                first.span.start,
                message,
            ));
        };
        if let Some(second) = path.segments.get(1) {
            let message = format!(
                "only whole properties can be selected, not {}",
                quote(&path.text())
            );
            return Err(QueryError::at(
                QueryOption::Select,
                ErrorKind::Binding,
                source,
                second.span.start,
                message,
            ));
        }
        if !selection.properties.contains(&property) {
            selection.properties.push(property);
        }
    }
    Ok(selection)
}

/// `a`, `a and b`, `a, b and c`.
fn join_and(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn not_found(name: &str, type_name: &str, properties: &str) -> String {
    let mut message = format!(
        "could not find a property named {} on type '{type_name}' (its properties are {properties})",
        quote(name)
    );
    if let Some(same) = properties
        .split(", ")
        .find(|p| p.eq_ignore_ascii_case(name))
    {
        message.push_str(&format!(
            "; property names are case-sensitive: did you mean '{same}'?"
        ));
    }
    message
}
