//! The bound forms of the query options over an entity type of the [schema](crate::schema):
//! what [`bind`](super::bind) produces and what a store turns into SQL or an evaluator runs.
//!
//! Invariants of a [`TypedExpr`] from the binder:
//! - comparisons are type-checked: both operands have the same type, or one is `null`; either
//!   side may be a property or a constant (both may be constants, as in `null eq null`);
//! - `gt ge lt le` never compare enum members (their order is not meaningful to tally);
//! - [`Operand::Member`] occurs only inside the predicate of [`TypedExpr::Any`] or
//!   [`TypedExpr::All`], where it means a property of the current item; lambdas do not nest;
//! - root operands ([`Operand::Property`], [`Operand::Count`]) may also occur inside a lambda;
//! - a [`Operand::Property`] is a scalar of the entity type or of one of its single complex
//!   values (`signInActivity/lastSignInDateTime`: the nested property, stored in its own
//!   column), a [`Operand::Count`] and a
//!   lambda's collection are collections of it.
//!
//! Semantics are OData's two-valued ones: an ordering comparison with a null operand is false,
//! `eq` is true only for equal operands (`null eq null` is true), `ne` is `not eq`, `any` over an
//! empty collection is false and `all` is true.

use std::fmt;

use super::ast::{CompareOp, SortDirection};
use crate::edm::DateTimeOffset;
use crate::schema::{EnumType, Property};

/// A bound `$filter`: a Boolean condition on one object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TypedExpr {
    /// A literal `true` or `false` used as a condition.
    Constant(bool),
    Compare {
        op: CompareOp,
        left: Operand,
        right: Operand,
    },
    /// `operand in (values...)`: true iff `operand eq value` for some value. Never empty.
    In {
        operand: Operand,
        values: Vec<Constant>,
    },
    /// All of two or more conditions (a flat chain, as written).
    And(Vec<TypedExpr>),
    /// Any of two or more conditions.
    Or(Vec<TypedExpr>),
    Not(Box<TypedExpr>),
    /// `collection/any(d: predicate)`: some item satisfies it. No predicate is `any()`: the
    /// collection is not empty.
    Any {
        collection: &'static Property,
        predicate: Option<Box<TypedExpr>>,
    },
    /// `collection/all(d: predicate)`: every item satisfies it (true when empty).
    All {
        collection: &'static Property,
        predicate: Box<TypedExpr>,
    },
    /// `startswith(property, 'prefix')` on a String property, ignoring case as Graph's
    /// directory does (false when the property is null).
    StartsWith {
        property: &'static Property,
        prefix: String,
    },
}

/// A value a comparison reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Operand {
    /// A scalar property of the object (`id` compares as a string, ordinally; a
    /// DateTimeOffset as an instant).
    Property(&'static Property),
    /// `collection/$count` (an integer, never null).
    Count(&'static Property),
    /// A property of the current item inside `any`/`all`.
    Member(&'static Property),
    Constant(Constant),
}

/// A typed literal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Constant {
    Null,
    String(String),
    Int(i64),
    /// Compares by instant; the text is kept as written.
    DateTimeOffset(DateTimeOffset),
    /// A member of an enum type, by its `'static` name.
    Enum(&'static EnumType, &'static str),
    Bool(bool),
    /// A GUID in lower case.
    Guid(String),
}

/// One bound `$orderby` item. (Ties after the last item are the caller's to break, by `id`.)
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct OrderBy {
    pub property: &'static Property,
    pub direction: SortDirection,
}

/// A bound `$select`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    /// `*` was among the items.
    pub star: bool,
    /// The named properties, in the order first written, without repeats.
    pub properties: Vec<&'static Property>,
}

impl Selection {
    /// Whether a response includes `property` (`id` always is).
    pub fn includes(&self, property: &Property) -> bool {
        self.star
            || property.name == "id"
            || self
                .properties
                .iter()
                .any(|p| std::ptr::eq(*p, property) || *p == property)
    }
}

/// Fully parenthesised OData text that parses and binds back to the same value.
impl fmt::Display for TypedExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TypedExpr::Constant(value) => write!(f, "{value}"),
            TypedExpr::Compare { op, left, right } => {
                write!(f, "({left} {} {right})", op.as_str())
            }
            TypedExpr::In { operand, values } => {
                let values: Vec<String> = values.iter().map(ToString::to_string).collect();
                write!(f, "({operand} in ({}))", values.join(", "))
            }
            TypedExpr::And(items) => write_chain(f, items, " and "),
            TypedExpr::Or(items) => write_chain(f, items, " or "),
            TypedExpr::Not(operand) => write!(f, "(not {operand})"),
            TypedExpr::Any {
                collection,
                predicate: None,
            } => write!(f, "{collection}/any()"),
            TypedExpr::Any {
                collection,
                predicate: Some(predicate),
            } => write!(f, "{collection}/any(d: {predicate})"),
            TypedExpr::All {
                collection,
                predicate,
            } => write!(f, "{collection}/all(d: {predicate})"),
            TypedExpr::StartsWith { property, prefix } => write!(
                f,
                "startswith({property}, {})",
                Constant::String(prefix.clone())
            ),
        }
    }
}

fn write_chain(f: &mut fmt::Formatter<'_>, items: &[TypedExpr], separator: &str) -> fmt::Result {
    let items: Vec<String> = items.iter().map(ToString::to_string).collect();
    write!(f, "({})", items.join(separator))
}

impl fmt::Display for Operand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Operand::Property(property) => f.write_str(property.name),
            Operand::Count(collection) => write!(f, "{collection}/$count"),
            Operand::Member(property) => write!(f, "d/{property}"),
            Operand::Constant(constant) => write!(f, "{constant}"),
        }
    }
}

impl fmt::Display for Constant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Constant::Null => f.write_str("null"),
            Constant::String(value) => write!(f, "'{}'", value.replace('\'', "''")),
            Constant::Int(value) => write!(f, "{value}"),
            Constant::DateTimeOffset(value) => f.write_str(value.as_str()),
            Constant::Enum(ty, member) => write!(f, "{}'{member}'", ty.name),
            Constant::Bool(value) => write!(f, "{value}"),
            Constant::Guid(value) => f.write_str(value),
        }
    }
}
