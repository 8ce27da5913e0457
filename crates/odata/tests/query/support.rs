//! Helpers shared by the query tests.

use tally_model::resources::LICENSE_USAGE;
use tally_odata::query::{Expr, ExprKind, OrderBy, QueryError, Selection, TypedExpr};
use tally_odata::schema::{EntityType, Property, Type};

/// A span-free, fully bracketed rendering of a tree, for comparing shapes.
pub fn sexpr(expr: &Expr) -> String {
    match &expr.kind {
        ExprKind::Literal(literal) => literal.to_string(),
        ExprKind::Path(path) => path.text(),
        ExprKind::Count(path) => format!("(count {})", path.text()),
        ExprKind::Lambda {
            kind,
            collection,
            body: None,
        } => format!("({} {})", kind.as_str(), collection.text()),
        ExprKind::Lambda {
            kind,
            collection,
            body: Some(body),
        } => format!(
            "({} {} {} {})",
            kind.as_str(),
            collection.text(),
            body.variable.name,
            sexpr(&body.predicate)
        ),
        ExprKind::Compare { op, left, right } => {
            format!("({} {} {})", op.as_str(), sexpr(left), sexpr(right))
        }
        ExprKind::In { value, list } => {
            format!("(in {} [{}])", sexpr(value), sexprs(list))
        }
        ExprKind::And(items) => format!("(and {})", sexprs(items)),
        ExprKind::Or(items) => format!("(or {})", sexprs(items)),
        ExprKind::Not(operand) => format!("(not {})", sexpr(operand)),
        ExprKind::Call { function, args } => format!("({} {})", function.name, sexprs(args)),
    }
}

fn sexprs(items: &[Expr]) -> String {
    let items: Vec<String> = items.iter().map(sexpr).collect();
    items.join(" ")
}

/// Asserts that `result` failed at `position` with a message containing `fragment`.
pub fn assert_error<T: std::fmt::Debug>(
    input: &str,
    result: Result<T, QueryError>,
    position: usize,
    fragment: &str,
) {
    let error = match result {
        Ok(value) => panic!("{input:?} should fail, but gave {value:?}"),
        Err(error) => error,
    };
    assert_eq!(error.position, position, "{input:?}: {error}");
    assert!(
        error.message.contains(fragment),
        "{input:?}: {:?} does not contain {fragment:?}",
        error.message
    );
}

/// The entity type most tests bind against: `azureADLicenseUsage`.
pub fn usage_type() -> &'static EntityType {
    LICENSE_USAGE.entity
}

/// A property of [`usage_type`] by name.
pub fn usage_property(name: &str) -> &'static Property {
    usage_type()
        .property(name)
        .expect("a property of azureADLicenseUsage")
}

/// A property of the items of `licenseInfoDetails` by name.
pub fn detail_property(name: &str) -> &'static Property {
    match usage_property("licenseInfoDetails").ty {
        Type::Collection(item) => item.property(name).expect("a licenseInfoDetail property"),
        _ => unreachable!("licenseInfoDetails is a collection"),
    }
}

/// `$filter` bound against `azureADLicenseUsage`.
pub fn filter(source: &str) -> Result<TypedExpr, QueryError> {
    tally_odata::query::filter(usage_type(), source)
}

pub fn orderby(source: &str) -> Result<Vec<OrderBy>, QueryError> {
    tally_odata::query::orderby(usage_type(), source)
}

pub fn select(source: &str) -> Result<Selection, QueryError> {
    tally_odata::query::select(usage_type(), source)
}
