//! The binder: untyped trees → typed forms over tally's schema (SPEC §2). This file and
//! [`typed`](super::typed) are the only parts of the query language that know tally's model.
//!
//! Schema: `azureADLicenseUsage { id: String, snapshotDateTime: DateTimeOffset,
//! licenseInfoDetails: Collection(licenseInfoDetail) }` and `licenseInfoDetail { licenseType:
//! azureADLicenseType, totalLicenseCount, totalAssignedCount, totalUsageCount: Int32? }`.
//!
//! `filter.rs` binds `$filter`; this file holds the schema's names and binds `$orderby` and
//! `$select`.

mod filter;

use super::ast::{ExprKind, OrderByItem, SelectItem, Span};
use super::error::{quote, ErrorKind, QueryError, QueryOption};
use super::typed::{OrderBy, Property, Selection, SortProperty};

pub use filter::bind_filter;

const ENTITY_TYPE: &str = "microsoft.graph.azureADLicenseUsage";
const DETAIL_TYPE: &str = "microsoft.graph.licenseInfoDetail";
const ROOT_PROPERTIES: &str = "id, snapshotDateTime, licenseInfoDetails";
const DETAIL_PROPERTIES: &str =
    "licenseType, totalLicenseCount, totalAssignedCount, totalUsageCount";

/// Binds a parsed `$orderby`: only `id` and `snapshotDateTime`, each at most once.
pub fn bind_orderby(items: &[OrderByItem], source: &str) -> Result<Vec<OrderBy>, QueryError> {
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
            ExprKind::Path(path) if path.text() == "id" => SortProperty::Id,
            ExprKind::Path(path) if path.text() == "snapshotDateTime" => {
                SortProperty::SnapshotDateTime
            }
            _ => {
                let text = quote(&source[item.expr.span.start..item.expr.span.end]);
                let message =
                    format!("cannot order by {text}: tally orders only by id and snapshotDateTime");
                return Err(error(item.expr.span, message));
            }
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

/// Binds a parsed `$select`: `*` or top-level properties of `azureADLicenseUsage`.
pub fn bind_select(items: &[SelectItem], source: &str) -> Result<Selection, QueryError> {
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
        let Some(property) = Property::from_name(&first.name) else {
            let message = not_found(&first.name, ENTITY_TYPE, ROOT_PROPERTIES);
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
