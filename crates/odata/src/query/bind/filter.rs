//! Binds `$filter`: checks names and types against the entity type and builds a [`TypedExpr`].

use super::not_found;
use crate::query::ast::{Expr, ExprKind, LambdaBody, LambdaKind, Literal, Path, Span};
use crate::query::error::{quote, ErrorKind, QueryError, QueryOption};
use crate::query::typed::{Constant, Operand, TypedExpr};
use crate::query::CompareOp;
use crate::schema::{ComplexType, EntityType, EnumType, Property, Type};

const CONDITION_COMPARED: &str =
    "a condition cannot be compared with a value: comparisons take properties and literals";

/// Binds a parsed `$filter` (whose text was `source`) on objects of `ty` to a typed condition.
pub fn bind_filter(
    ty: &'static EntityType,
    expr: &Expr,
    source: &str,
) -> Result<TypedExpr, QueryError> {
    Binder {
        ty,
        source,
        lambda: None,
    }
    .condition(expr)
}

/// The type of a bound value: a property's, a literal's, or null's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ValueKind {
    Null,
    Of(Type),
}

impl ValueKind {
    fn describe(self) -> String {
        match self {
            ValueKind::Null => "null".into(),
            ValueKind::Of(ty) => ty.describe(),
        }
    }
}

/// What a path names.
enum Resolved {
    Value(Operand, ValueKind),
    /// A collection property.
    Collection(&'static Property, &'static ComplexType),
    /// The lambda variable itself, an item of the collection.
    Variable(&'static ComplexType),
}

/// The lambda being bound: its variable's name and the collection's item type.
#[derive(Clone, Copy)]
struct Lambda<'a> {
    variable: &'a str,
    item: &'static ComplexType,
}

struct Binder<'a> {
    ty: &'static EntityType,
    source: &'a str,
    lambda: Option<Lambda<'a>>,
}

/// The collections of `ty` with their item types.
fn collections(
    ty: &'static EntityType,
) -> impl Iterator<Item = (&'static Property, &'static ComplexType)> {
    ty.properties.iter().filter_map(|p| match p.ty {
        Type::Collection(item) => Some((p, item)),
        _ => None,
    })
}

/// The enum types a filter on `ty` can meet.
fn enum_types(ty: &'static EntityType) -> Vec<&'static EnumType> {
    let mut found: Vec<&'static EnumType> = Vec::new();
    let mut visit = |p: &'static Property| {
        if let Type::Enum(e) = p.ty {
            if !found.contains(&e) {
                found.push(e);
            }
        }
    };
    for p in ty.properties {
        visit(p);
        if let Type::Collection(item) = p.ty {
            item.properties.iter().for_each(&mut visit);
        }
    }
    found
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
            ExprKind::Call { function, args } => self.call(function, args, expr.span)?,
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
        let constant = |c, ty| Ok((Operand::Constant(c), ValueKind::Of(ty)));
        match &expr.kind {
            ExprKind::Literal(literal) => match literal {
                Literal::Null => Ok((Operand::Constant(Constant::Null), ValueKind::Null)),
                Literal::Int(value) => constant(Constant::Int(*value), Type::Int32),
                Literal::String(value) => constant(Constant::String(value.clone()), Type::String),
                Literal::DateTimeOffset(value) => constant(
                    Constant::DateTimeOffset(value.clone()),
                    Type::DateTimeOffset,
                ),
                Literal::Enum { type_name, member } => {
                    let types = enum_types(self.ty);
                    let Some(ty) = types.iter().copied().find(|t| t.name == type_name) else {
                        let names: Vec<&str> = types.iter().map(|t| t.name).collect();
                        let known = match names.as_slice() {
                            [] => format!("{} has no enum properties", self.ty.short_name()),
                            [one] => format!("the only enum type is {one}"),
                            many => format!("the enum types are {}", many.join(", ")),
                        };
                        let message = format!("unknown enum type {}: {known}", quote(type_name));
                        return Err(self.error(expr.span, message));
                    };
                    let member = self.member(ty, member, expr.span)?;
                    constant(Constant::Enum(ty, member), Type::Enum(ty))
                }
                Literal::Bool(value) if self.has_boolean() => {
                    constant(Constant::Bool(*value), Type::Boolean)
                }
                Literal::Bool(_) => Err(self.error(
                    expr.span,
                    format!(
                        "Boolean values cannot be compared: no property of {} is Boolean",
                        self.ty.short_name()
                    ),
                )),
                Literal::Guid(value) => constant(Constant::Guid(value.clone()), Type::Guid),
            },
            ExprKind::Path(path) => match self.resolve(path)? {
                Resolved::Value(operand, ty) => Ok((operand, ty)),
                Resolved::Collection(property, _) => Err(self.error(
                    expr.span,
                    format!(
                        "{property} is a collection and has no single value: use \
                         {property}/$count, any(…) or all(…)"
                    ),
                )),
                Resolved::Variable(item) => Err(self.error(
                    expr.span,
                    format!(
                        "the lambda variable {} is a {} and has no single value: \
                         use one of its properties, as in {}/{}",
                        self.text(expr.span),
                        item.short_name(),
                        path.text(),
                        item.properties[0].name
                    ),
                )),
            },
            ExprKind::Count(path) => match self.resolve(path)? {
                Resolved::Collection(property, _) => {
                    Ok((Operand::Count(property), ValueKind::Of(Type::Int32)))
                }
                _ => Err(self.error(
                    path.span,
                    format!(
                        "'$count' needs a collection, and {} is not one",
                        quote(&path.text())
                    ),
                )),
            },
            ExprKind::Call { .. } => Err(self.error(expr.span, CONDITION_COMPARED)),
            ExprKind::Not(_) => Err(self.error(
                expr.span,
                "'not' binds tighter than comparisons, so this compares a negation: to negate a \
                 comparison, write not (… eq …)",
            )),
            _ => Err(self.error(expr.span, CONDITION_COMPARED)),
        }
    }

    fn member(
        &self,
        ty: &'static EnumType,
        member: &str,
        span: Span,
    ) -> Result<&'static str, QueryError> {
        ty.member(member).ok_or_else(|| {
            let message = format!(
                "{} is not a member of {}; the members are {} (case-sensitive)",
                quote(member),
                ty.name,
                ty.member_list()
            );
            self.error(span, message)
        })
    }

    fn resolve(&self, path: &Path) -> Result<Resolved, QueryError> {
        let first = &path.segments[0];
        let rest = &path.segments[1..];
        if let Some(lambda) = self.lambda.filter(|l| l.variable == first.name) {
            let Some(second) = rest.first() else {
                return Ok(Resolved::Variable(lambda.item));
            };
            let Some(property) = lambda.item.property(&second.name) else {
                return Err(self.error(
                    second.span,
                    not_found(&second.name, lambda.item.name, &lambda.item.property_list()),
                ));
            };
            if let Some(third) = rest.get(1) {
                return Err(self.error(
                    third.span,
                    format!("{} has no properties", quote(property.name)),
                ));
            }
            return Ok(Resolved::Value(
                Operand::Member(property),
                ValueKind::Of(property.ty),
            ));
        }
        let Some(property) = self.ty.property(&first.name) else {
            return Err(self.error(first.span, self.unknown_root(path)));
        };
        if let Type::Complex(complex) = property.ty {
            return self.resolve_complex(path, property, complex);
        }
        let resolved = match property.ty {
            Type::Collection(item) => Resolved::Collection(property, item),
            ty => Resolved::Value(Operand::Property(property), ValueKind::Of(ty)),
        };
        match (rest.first(), &resolved) {
            (None, _) => Ok(resolved),
            (Some(next), Resolved::Collection(property, item)) => Err(self.error(
                next.span,
                format!(
                    "{property} is a collection: reach the properties of its elements with a \
                     lambda, as in {property}/any(d: d/{} eq …)",
                    item.properties[0].name
                ),
            )),
            (Some(next), _) => {
                let message = format!("{} has no properties", quote(&first.name));
                Err(self.error(next.span, message))
            }
        }
    }

    /// `complex/property`: a property of a single complex value, a scalar of its own.
    fn resolve_complex(
        &self,
        path: &Path,
        property: &'static Property,
        complex: &'static ComplexType,
    ) -> Result<Resolved, QueryError> {
        let Some(second) = path.segments.get(1) else {
            return Err(self.error(
                path.span,
                format!(
                    "{property} is a {} and has no single value: use one of its properties, \
                     as in {property}/{}",
                    complex.short_name(),
                    complex.properties[0].name
                ),
            ));
        };
        let Some(nested) = complex.property(&second.name) else {
            return Err(self.error(
                second.span,
                not_found(&second.name, complex.name, &complex.property_list()),
            ));
        };
        if let Some(third) = path.segments.get(2) {
            return Err(self.error(
                third.span,
                format!("{} has no properties", quote(nested.name)),
            ));
        }
        Ok(Resolved::Value(
            Operand::Property(nested),
            ValueKind::Of(nested.ty),
        ))
    }

    /// Whether the entity type has a Boolean property (else `true`/`false` are only conditions).
    fn has_boolean(&self) -> bool {
        self.ty.properties.iter().any(|p| p.ty == Type::Boolean)
    }

    /// A function call used as a condition: `startswith(property, 'prefix')`.
    fn call(
        &self,
        function: &crate::query::ast::Ident,
        args: &[Expr],
        span: Span,
    ) -> Result<TypedExpr, QueryError> {
        if function.name != "startswith" {
            return Err(self.error(
                function.span,
                format!(
                    "the function {} is not supported: the only function is startswith",
                    quote(&function.name)
                ),
            ));
        }
        let [subject, prefix] = args else {
            return Err(self.error(
                span,
                "startswith takes two arguments, as in startswith(displayName, 'A')",
            ));
        };
        let property = match self.value(subject)? {
            (Operand::Property(property), ValueKind::Of(Type::String)) => property,
            (_, kind) => {
                return Err(self.error(
                    subject.span,
                    format!(
                        "startswith needs a String property first, and {} is {}",
                        self.text(subject.span),
                        kind.describe()
                    ),
                ))
            }
        };
        let ExprKind::Literal(Literal::String(prefix)) = &prefix.kind else {
            return Err(self.error(
                prefix.span,
                "startswith needs a string literal second, as in startswith(displayName, 'A')",
            ));
        };
        Ok(TypedExpr::StartsWith {
            property,
            prefix: prefix.clone(),
        })
    }

    /// The message for a first path segment that names nothing, with a hint where one helps.
    fn unknown_root(&self, path: &Path) -> String {
        let name = path.segments[0].name.as_str();
        let mut message = not_found(name, self.ty.name, &self.ty.property_list());
        let item_property =
            |name: &str| collections(self.ty).find(|(_, item)| item.property(name).is_some());
        let second_is_member = path
            .segments
            .get(1)
            .is_some_and(|s| item_property(&s.name).is_some());
        if let Some((collection, item)) = item_property(name) {
            message.push_str(&format!(
                "; it is a property of each {}: use a lambda, as in \
                 {collection}/any(d: d/{name} eq …)",
                item.short_name()
            ));
        } else if second_is_member {
            message.push_str(&format!(
                "; a lambda variable such as {} exists only inside its any(…) or all(…)",
                quote(name)
            ));
        } else if path.segments.len() == 1
            && enum_types(self.ty)
                .iter()
                .any(|ty| ty.member(name).is_some())
        {
            message.push_str(&format!("; enum members are quoted, as in '{name}'"));
        }
        message
    }

    /// Checks that two operands can be compared, turning a string literal compared with an
    /// enum property into that member.
    fn unify(
        &self,
        op: CompareOp,
        left: (&Expr, Operand, ValueKind),
        right: (&Expr, Operand, ValueKind),
    ) -> Result<(Operand, Operand), QueryError> {
        let ((l_expr, l, l_ty), (r_expr, r, r_ty)) = (left, right);
        let enum_string = |ty, expr: &Expr, operand: Operand| -> Result<Operand, QueryError> {
            match operand {
                Operand::Constant(Constant::String(s)) => Ok(Operand::Constant(Constant::Enum(
                    ty,
                    self.member(ty, &s, expr.span)?,
                ))),
                other => Ok(other),
            }
        };
        let string = ValueKind::Of(Type::String);
        let guid = ValueKind::Of(Type::Guid);
        let (l, r) = match (l_ty, r_ty) {
            (a, b) if a == b || a == ValueKind::Null || b == ValueKind::Null => (l, r),
            // A GUID compares with a string and a quoted GUID with a Guid, as Graph allows.
            (a, b) if (a == guid && b == string) || (a == string && b == guid) => (
                self.guid_as(l_ty, l_expr, l)?,
                self.guid_as(r_ty, r_expr, r)?,
            ),
            (ValueKind::Of(Type::Enum(ty)), b)
                if b == string && matches!(r, Operand::Constant(_)) =>
            {
                (l, enum_string(ty, r_expr, r)?)
            }
            (a, ValueKind::Of(Type::Enum(ty)))
                if a == string && matches!(l, Operand::Constant(_)) =>
            {
                (enum_string(ty, l_expr, l)?, r)
            }
            _ => {
                let mut message = format!(
                    "cannot compare {} ({}) with {} ({})",
                    self.text(l_expr.span),
                    l_ty.describe(),
                    self.text(r_expr.span),
                    r_ty.describe()
                );
                let date = ValueKind::Of(Type::DateTimeOffset);
                if [l_ty, r_ty] == [date, string] || [l_ty, r_ty] == [string, date] {
                    message.push_str(
                        ": DateTimeOffset literals are written without quotes, as in \
                         2020-01-01T00:00:00Z",
                    );
                }
                return Err(self.error(r_expr.span, message));
            }
        };
        let is_enum = |kind| matches!(kind, ValueKind::Of(Type::Enum(_)));
        if op.is_ordering() && (is_enum(l_ty) || is_enum(r_ty)) {
            let ty = match (l_ty, r_ty) {
                (ValueKind::Of(Type::Enum(ty)), _) | (_, ValueKind::Of(Type::Enum(ty))) => ty,
                _ => unreachable!("one side is an enum"),
            };
            return Err(self.error(
                l_expr.span,
                format!(
                    "'{}' cannot compare {} members: use eq, ne or in",
                    op.as_str(),
                    ty.name
                ),
            ));
        }
        Ok((l, r))
    }

    /// A constant of the other side's kind when a Guid meets a String: a GUID literal becomes
    /// its text, a string literal compared with a Guid must be a GUID.
    fn guid_as(
        &self,
        kind: ValueKind,
        expr: &Expr,
        operand: Operand,
    ) -> Result<Operand, QueryError> {
        Ok(match (kind, operand) {
            (ValueKind::Of(Type::Guid), Operand::Constant(Constant::Guid(text))) => {
                Operand::Constant(Constant::String(text))
            }
            (ValueKind::Of(Type::String), Operand::Constant(Constant::String(text))) => {
                if !is_guid(&text) {
                    return Err(
                        self.error(expr.span, format!("{} is not a GUID", self.text(expr.span)))
                    );
                }
                Operand::Constant(Constant::Guid(text.to_ascii_lowercase()))
            }
            // Properties of either type are both stored as text: they compare as such.
            (_, operand) => operand,
        })
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
        let (property, item) = match self.resolve(collection)? {
            Resolved::Collection(property, item) => (property, item),
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
            Resolved::Variable(item) => {
                return Err(self.error(
                    collection.span,
                    format!(
                        "'{name}' needs a collection, and {} is a {}",
                        quote(&collection.text()),
                        item.short_name()
                    ),
                ))
            }
        };
        if self.lambda.is_some() {
            return Err(self.error(collection.span, "lambdas cannot be nested"));
        }
        let Some(body) = body else {
            return Ok(TypedExpr::Any {
                collection: property,
                predicate: None,
            });
        };
        let variable = body.variable.name.as_str();
        if self.ty.property(variable).is_some() {
            let message = format!(
                "the lambda variable {} has the name of a property of {}: \
                 choose another name, such as d",
                quote(variable),
                self.ty.short_name()
            );
            return Err(self.error(body.variable.span, message));
        }
        self.lambda = Some(Lambda { variable, item });
        let predicate = self.condition(&body.predicate);
        self.lambda = None;
        let predicate = Box::new(predicate?);
        Ok(match kind {
            LambdaKind::Any => TypedExpr::Any {
                collection: property,
                predicate: Some(predicate),
            },
            LambdaKind::All => TypedExpr::All {
                collection: property,
                predicate,
            },
        })
    }
}

/// Whether `text` is a GUID in its 8-4-4-4-12 form.
fn is_guid(text: &str) -> bool {
    text.len() == 36
        && text.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}
