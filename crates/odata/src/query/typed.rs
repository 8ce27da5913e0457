//! The bound forms of the query options over tally's one entity type, `azureADLicenseUsage`:
//! what [`bind`](super::bind) produces and what a store turns into SQL or an evaluator runs.
//!
//! Invariants of a [`TypedExpr`] from the binder:
//! - comparisons are type-checked: both operands have the same type, or one is `null`; either
//!   side may be a property or a constant (both may be constants, as in `null eq null`);
//! - `gt ge lt le` never compare license types (enum order is not meaningful to tally);
//! - [`Operand::Detail`] occurs only inside the predicate of [`TypedExpr::Any`] or
//!   [`TypedExpr::All`], where it means the current `licenseInfoDetail`; lambdas do not nest;
//! - root operands (`Id`, `SnapshotDateTime`, `DetailCount`) may also occur inside a lambda.
//!
//! Semantics are OData's two-valued ones: an ordering comparison with a null operand is false,
//! `eq` is true only for equal operands (`null eq null` is true), `ne` is `not eq`, `any` over an
//! empty collection is false and `all` is true.

use std::fmt;

use super::ast::{CompareOp, SortDirection};
use crate::edm::DateTimeOffset;

/// The qualified name of the enum type of `licenseType`.
pub const LICENSE_TYPE_ENUM: &str = "microsoft.graph.azureADLicenseType";

/// The members of `azureADLicenseType`, case-sensitive, in the CSDL's order.
pub const LICENSE_TYPE_MEMBERS: [&str; 6] = [
    "none",
    "free",
    "basic",
    "premiumP1",
    "premiumP2",
    "unknownFutureValue",
];

/// A bound `$filter`: a Boolean condition on one `azureADLicenseUsage`.
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
    /// `licenseInfoDetails/any(d: predicate)`: some detail satisfies it. `None` is `any()`:
    /// the collection is not empty.
    Any(Option<Box<TypedExpr>>),
    /// `licenseInfoDetails/all(d: predicate)`: every detail satisfies it (true when empty).
    All(Box<TypedExpr>),
}

/// A value a comparison reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Operand {
    /// `id` (Edm.String, never null); strings compare ordinally.
    Id,
    /// `snapshotDateTime`, compared as an instant ([`DateTimeOffset::ticks`]), never null.
    SnapshotDateTime,
    /// `licenseInfoDetails/$count` (an integer, never null).
    DetailCount,
    /// A property of the current `licenseInfoDetail` inside `any`/`all`.
    Detail(DetailField),
    Constant(Constant),
}

/// The properties of `licenseInfoDetail`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DetailField {
    /// An `azureADLicenseType` member; never null in tally.
    LicenseType,
    /// Nullable Edm.Int32.
    TotalLicenseCount,
    /// Nullable Edm.Int32.
    TotalAssignedCount,
    /// Nullable Edm.Int32.
    TotalUsageCount,
}

impl DetailField {
    pub const ALL: [DetailField; 4] = [
        DetailField::LicenseType,
        DetailField::TotalLicenseCount,
        DetailField::TotalAssignedCount,
        DetailField::TotalUsageCount,
    ];

    /// The property's name, e.g. `totalUsageCount`.
    pub fn name(self) -> &'static str {
        match self {
            DetailField::LicenseType => "licenseType",
            DetailField::TotalLicenseCount => "totalLicenseCount",
            DetailField::TotalAssignedCount => "totalAssignedCount",
            DetailField::TotalUsageCount => "totalUsageCount",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|field| field.name() == name)
    }
}

/// A typed literal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Constant {
    Null,
    String(String),
    Int(i64),
    /// Compares by instant; the text is kept as written.
    DateTimeOffset(DateTimeOffset),
    /// A member of `azureADLicenseType`, one of [`LICENSE_TYPE_MEMBERS`].
    LicenseType(&'static str),
}

/// The properties tally can sort by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SortProperty {
    Id,
    SnapshotDateTime,
}

/// One bound `$orderby` item. (Ties after the last item are the caller's to break, by `id`.)
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct OrderBy {
    pub property: SortProperty,
    pub direction: SortDirection,
}

/// The structural properties of `azureADLicenseUsage`, in the CSDL's order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Property {
    Id,
    SnapshotDateTime,
    LicenseInfoDetails,
}

impl Property {
    pub const ALL: [Property; 3] = [
        Property::Id,
        Property::SnapshotDateTime,
        Property::LicenseInfoDetails,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Property::Id => "id",
            Property::SnapshotDateTime => "snapshotDateTime",
            Property::LicenseInfoDetails => "licenseInfoDetails",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.name() == name)
    }
}

/// A bound `$select`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    /// `*` was among the items.
    pub star: bool,
    /// The named properties, in the order first written, without repeats.
    pub properties: Vec<Property>,
}

impl Selection {
    /// Whether a response includes `property` (`id` always is).
    pub fn includes(&self, property: Property) -> bool {
        self.star || property == Property::Id || self.properties.contains(&property)
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
            TypedExpr::Any(None) => f.write_str("licenseInfoDetails/any()"),
            TypedExpr::Any(Some(predicate)) => write!(f, "licenseInfoDetails/any(d: {predicate})"),
            TypedExpr::All(predicate) => write!(f, "licenseInfoDetails/all(d: {predicate})"),
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
            Operand::Id => f.write_str("id"),
            Operand::SnapshotDateTime => f.write_str("snapshotDateTime"),
            Operand::DetailCount => f.write_str("licenseInfoDetails/$count"),
            Operand::Detail(field) => write!(f, "d/{}", field.name()),
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
            Constant::LicenseType(member) => write!(f, "{LICENSE_TYPE_ENUM}'{member}'"),
        }
    }
}
