//! Binds `$filter`: checks names and types against the schema and builds a [`TypedExpr`].

use super::{not_found, DETAIL_PROPERTIES, DETAIL_TYPE, ENTITY_TYPE, ROOT_PROPERTIES};
use crate::query::ast::{Expr, ExprKind, LambdaBody, LambdaKind, Literal, Path, Span};
use crate::query::error::{quote, ErrorKind, QueryError, QueryOption};
use crate::query::typed::{
    Constant, DetailField, Operand, Property, TypedExpr, LICENSE_TYPE_ENUM, LICENSE_TYPE_MEMBERS,
};
use crate::query::CompareOp;

const BOOLEAN_COMPARED: &str =
    "Boolean values cannot be compared: no property of azureADLicenseUsage is Boolean";
const COLLECTION_COMPARED: &str = "licenseInfoDetails is a collection and has no single value: \
     use licenseInfoDetails/$count, any(…) or all(…)";
const COLLECTION_PATH: &str = "licenseInfoDetails is a collection: reach the properties of its \
     elements with a lambda, as in licenseInfoDetails/any(d: d/licenseType eq 'premiumP2')";
const CONDITION_COMPARED: &str =
    "a condition cannot be compared with a value: comparisons take properties and literals";

/// Binds a parsed `$filter` (whose text was `source`) to a typed condition.
pub fn bind_filter(expr: &Expr, source: &str) -> Result<TypedExpr, QueryError> {
    Binder {
        source,
        variable: None,
    }
    .condition(expr)
}

/// The type of a bound value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ValueKind {
    Null,
    String,
    Int,
    DateTimeOffset,
    LicenseType,
}

impl ValueKind {
    fn describe(self) -> &'static str {
        match self {
            ValueKind::Null => "null",
            ValueKind::String => "a String",
            ValueKind::Int => "an integer",
            ValueKind::DateTimeOffset => "a DateTimeOffset",
            ValueKind::LicenseType => "a microsoft.graph.azureADLicenseType",
        }
    }
}

/// What a path names.
enum Resolved {
    Value(Operand, ValueKind),
    /// `licenseInfoDetails`.
    Collection,
    /// The lambda variable itself, a `licenseInfoDetail`.
    Variable,
}

struct Binder<'a> {
    source: &'a str,
    /// The range variable of the lambda being bound, if any.
    variable: Option<&'a str>,
}

impl<'a> Binder<'a> {
    fn error(&self, span: Span, message: impl Into<String>) -> QueryError {
        QueryError::at(
            QueryOption::Filter,
            ErrorKind::Binding,
            self.source,
            span.start,
            message,
        )
    }

    fn text(&self, span: Span) -> String {
        quote(self.source.get(span.start..span.end).unwrap_or_default())
    }

    fn condition(&mut self, expr: &'a Expr) -> Result<TypedExpr, QueryError> {
        Ok(match &expr.kind {
            ExprKind::Literal(Literal::Bool(value)) => TypedExpr::Constant(*value),
            ExprKind::And(items) => TypedExpr::And(self.conditions(items)?),
            ExprKind::Or(items) => TypedExpr::Or(self.conditions(items)?),
            ExprKind::Not(operand) => TypedExpr::Not(Box::new(self.condition(operand)?)),
            ExprKind::Compare { op, left, right } => self.compare(*op, left, right)?,
            ExprKind::In { value, list } => self.in_list(value, list)?,
            ExprKind::Lambda {
                kind,
                collection,
                body,
            } => self.lambda(*kind, collection, body.as_ref())?,
            ExprKind::Literal(_) | ExprKind::Path(_) | ExprKind::Count(_) => {
                let (_, ty) = self.value(expr)?;
                return Err(self.error(
                    expr.span,
                    format!(
                        "{} is {}, not a condition: compare it with a value, as in id eq '…'",
                        self.text(expr.span),
                        ty.describe()
                    ),
                ));
            }
        })
    }

    fn conditions(&mut self, items: &'a [Expr]) -> Result<Vec<TypedExpr>, QueryError> {
        items.iter().map(|item| self.condition(item)).collect()
    }

    /// A comparison operand, or the error saying why `expr` cannot be one.
    fn value(&self, expr: &Expr) -> Result<(Operand, ValueKind), QueryError> {
        let constant = |c, ty| Ok((Operand::Constant(c), ty));
        match &expr.kind {
            ExprKind::Literal(literal) => match literal {
                Literal::Null => constant(Constant::Null, ValueKind::Null),
                Literal::Int(value) => constant(Constant::Int(*value), ValueKind::Int),
                Literal::String(value) => {
                    constant(Constant::String(value.clone()), ValueKind::String)
                }
                Literal::DateTimeOffset(value) => constant(
                    Constant::DateTimeOffset(value.clone()),
                    ValueKind::DateTimeOffset,
                ),
                Literal::Enum { type_name, member } => {
                    if type_name != LICENSE_TYPE_ENUM {
                        let message = format!(
                            "unknown enum type {}: the only enum type is {LICENSE_TYPE_ENUM}",
                            quote(type_name)
                        );
                        return Err(self.error(expr.span, message));
                    }
                    let member = self.member(member, expr.span)?;
                    constant(Constant::LicenseType(member), ValueKind::LicenseType)
                }
                Literal::Bool(_) => Err(self.error(expr.span, BOOLEAN_COMPARED)),
            },
            ExprKind::Path(path) => match self.resolve(path)? {
                Resolved::Value(operand, ty) => Ok((operand, ty)),
                Resolved::Collection => Err(self.error(expr.span, COLLECTION_COMPARED)),
                Resolved::Variable => Err(self.error(
                    expr.span,
                    format!(
                        "the lambda variable {} is a licenseInfoDetail and has no single value: \
                         use one of its properties, as in {}/licenseType",
                        self.text(expr.span),
                        path.text()
                    ),
                )),
            },
            ExprKind::Count(path) => match self.resolve(path)? {
                Resolved::Collection => Ok((Operand::DetailCount, ValueKind::Int)),
                _ => Err(self.error(
                    path.span,
                    format!(
                        "'$count' needs a collection, and {} is not one",
                        quote(&path.text())
                    ),
                )),
            },
            ExprKind::Not(_) => Err(self.error(
                expr.span,
                "'not' binds tighter than comparisons, so this compares a negation: to negate a \
                 comparison, write not (… eq …)",
            )),
            _ => Err(self.error(expr.span, CONDITION_COMPARED)),
        }
    }

    fn member(&self, member: &str, span: Span) -> Result<&'static str, QueryError> {
        let found = LICENSE_TYPE_MEMBERS.into_iter().find(|m| *m == member);
        found.ok_or_else(|| {
            let members = LICENSE_TYPE_MEMBERS.join(", ");
            let message = format!(
                "{} is not a member of {LICENSE_TYPE_ENUM}; the members are {members} \
                 (case-sensitive)",
                quote(member)
            );
            self.error(span, message)
        })
    }

    fn resolve(&self, path: &Path) -> Result<Resolved, QueryError> {
        let first = &path.segments[0];
        let rest = &path.segments[1..];
        if self.variable == Some(first.name.as_str()) {
            let Some(second) = rest.first() else {
                return Ok(Resolved::Variable);
            };
            let Some(field) = DetailField::from_name(&second.name) else {
                return Err(self.error(
                    second.span,
                    not_found(&second.name, DETAIL_TYPE, DETAIL_PROPERTIES),
                ));
            };
            if let Some(third) = rest.get(1) {
                return Err(self.error(
                    third.span,
                    format!("{} has no properties", quote(field.name())),
                ));
            }
            let ty = if field == DetailField::LicenseType {
                ValueKind::LicenseType
            } else {
                ValueKind::Int
            };
            return Ok(Resolved::Value(Operand::Detail(field), ty));
        }
        let resolved = match Property::from_name(&first.name) {
            Some(Property::Id) => Resolved::Value(Operand::Id, ValueKind::String),
            Some(Property::SnapshotDateTime) => {
                Resolved::Value(Operand::SnapshotDateTime, ValueKind::DateTimeOffset)
            }
            Some(Property::LicenseInfoDetails) => Resolved::Collection,
            None => return Err(self.error(first.span, self.unknown_root(path))),
        };
        match (rest.first(), &resolved) {
            (None, _) => Ok(resolved),
            (Some(next), Resolved::Collection) => Err(self.error(next.span, COLLECTION_PATH)),
            (Some(next), _) => {
                let message = format!("{} has no properties", quote(&first.name));
                Err(self.error(next.span, message))
            }
        }
    }

    /// The message for a first path segment that names nothing, with a hint where one helps.
    fn unknown_root(&self, path: &Path) -> String {
        let name = path.segments[0].name.as_str();
        let mut message = not_found(name, ENTITY_TYPE, ROOT_PROPERTIES);
        let second_is_field = path
            .segments
            .get(1)
            .is_some_and(|s| DetailField::from_name(&s.name).is_some());
        if DetailField::from_name(name).is_some() {
            message.push_str(
                "; it is a property of each licenseInfoDetail: use a lambda, as in \
                 licenseInfoDetails/any(d: d/totalUsageCount gt 0)",
            );
        } else if second_is_field {
            message.push_str(&format!(
                "; a lambda variable such as {} exists only inside its any(…) or all(…)",
                quote(name)
            ));
        } else if LICENSE_TYPE_MEMBERS.contains(&name) && path.segments.len() == 1 {
            message.push_str(&format!("; enum members are quoted, as in '{name}'"));
        }
        message
    }

    /// Checks that two operands can be compared, turning a string literal compared with a
    /// license type into that member.
    fn unify(
        &self,
        op: CompareOp,
        left: (&Expr, Operand, ValueKind),
        right: (&Expr, Operand, ValueKind),
    ) -> Result<(Operand, Operand), QueryError> {
        let ((l_expr, l, l_ty), (r_expr, r, r_ty)) = (left, right);
        let enum_string = |expr: &Expr, operand: Operand| -> Result<Operand, QueryError> {
            match operand {
                Operand::Constant(Constant::String(s)) => Ok(Operand::Constant(
                    Constant::LicenseType(self.member(&s, expr.span)?),
                )),
                other => Ok(other),
            }
        };
        let (l, r) = match (l_ty, r_ty) {
            (a, b) if a == b || a == ValueKind::Null || b == ValueKind::Null => (l, r),
            (ValueKind::LicenseType, ValueKind::String) if matches!(r, Operand::Constant(_)) => {
                (l, enum_string(r_expr, r)?)
            }
            (ValueKind::String, ValueKind::LicenseType) if matches!(l, Operand::Constant(_)) => {
                (enum_string(l_expr, l)?, r)
            }
            _ => {
                let mut message = format!(
                    "cannot compare {} ({}) with {} ({})",
                    self.text(l_expr.span),
                    l_ty.describe(),
                    self.text(r_expr.span),
                    r_ty.describe()
                );
                if [l_ty, r_ty] == [ValueKind::DateTimeOffset, ValueKind::String]
                    || [l_ty, r_ty] == [ValueKind::String, ValueKind::DateTimeOffset]
                {
                    message.push_str(
                        ": DateTimeOffset literals are written without quotes, as in \
                         2020-01-01T00:00:00Z",
                    );
                }
                return Err(self.error(r_expr.span, message));
            }
        };
        if op.is_ordering() && (l_ty == ValueKind::LicenseType || r_ty == ValueKind::LicenseType) {
            return Err(self.error(
                l_expr.span,
                format!(
                    "'{}' cannot compare license types: use eq, ne or in",
                    op.as_str()
                ),
            ));
        }
        Ok((l, r))
    }

    fn compare(&self, op: CompareOp, left: &Expr, right: &Expr) -> Result<TypedExpr, QueryError> {
        let (l, l_ty) = self.value(left)?;
        let (r, r_ty) = self.value(right)?;
        let (left, right) = self.unify(op, (left, l, l_ty), (right, r, r_ty))?;
        Ok(TypedExpr::Compare { op, left, right })
    }

    fn in_list(&self, value: &Expr, list: &[Expr]) -> Result<TypedExpr, QueryError> {
        let (operand, ty) = self.value(value)?;
        let mut values = Vec::with_capacity(list.len());
        for item in list {
            if !matches!(item.kind, ExprKind::Literal(_)) {
                return Err(self.error(item.span, "the values in an 'in' list must be literals"));
            }
            let (constant, constant_ty) = self.value(item)?;
            let (_, constant) = self.unify(
                CompareOp::Eq,
                (value, operand.clone(), ty),
                (item, constant, constant_ty),
            )?;
            match constant {
                Operand::Constant(constant) => values.push(constant),
                _ => {
                    return Err(self.error(item.span, "the values in an 'in' list must be literals"))
                }
            }
        }
        Ok(TypedExpr::In { operand, values })
    }

    fn lambda(
        &mut self,
        kind: LambdaKind,
        collection: &'a Path,
        body: Option<&'a LambdaBody>,
    ) -> Result<TypedExpr, QueryError> {
        let name = kind.as_str();
        match self.resolve(collection)? {
            Resolved::Collection => {}
            Resolved::Value(_, ty) => {
                return Err(self.error(
                    collection.span,
                    format!(
                        "'{name}' needs a collection, and {} is {}",
                        quote(&collection.text()),
                        ty.describe()
                    ),
                ))
            }
            Resolved::Variable => {
                return Err(self.error(
                    collection.span,
                    format!(
                        "'{name}' needs a collection, and {} is a licenseInfoDetail",
                        quote(&collection.text())
                    ),
                ))
            }
        }
        if self.variable.is_some() {
            return Err(self.error(collection.span, "lambdas cannot be nested"));
        }
        let Some(body) = body else {
            return Ok(TypedExpr::Any(None));
        };
        let variable = body.variable.name.as_str();
        if Property::from_name(variable).is_some() {
            let message = format!(
                "the lambda variable {} has the name of a property of azureADLicenseUsage: \
                 choose another name, such as d",
                quote(variable)
            );
            return Err(self.error(body.variable.span, message));
        }
        self.variable = Some(variable);
        let predicate = self.condition(&body.predicate);
        self.variable = None;
        let predicate = Box::new(predicate?);
        Ok(match kind {
            LambdaKind::Any => TypedExpr::Any(Some(predicate)),
            LambdaKind::All => TypedExpr::All(predicate),
        })
    }
}
