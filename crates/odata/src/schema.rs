//! The EDM model a query binds against and a body is validated against: entity types, complex
//! types and enum types with their properties, as static descriptions (`tally_model::resources`
//! writes tally's). Besides the EDM facts (type, nullability), a property carries the rules
//! tally adds (required on create, a minimum) and the column it is stored in, so that one
//! description drives the binder, the validator, the wire writer, the stores and `$metadata`.

use std::fmt;

/// The namespace of every type tally serves.
pub const NAMESPACE: &str = "microsoft.graph";

/// An enum type, e.g. `microsoft.graph.azureADLicenseType`.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct EnumType {
    /// The qualified name, `microsoft.graph.…`.
    pub name: &'static str,
    /// The members in the CSDL's order (their values are their positions); case-sensitive.
    pub members: &'static [&'static str],
}

impl EnumType {
    /// The name without the namespace.
    pub fn short_name(&self) -> &'static str {
        short(self.name)
    }

    /// The member spelled exactly `name`, as the `'static` name.
    pub fn member(&self, name: &str) -> Option<&'static str> {
        self.members.iter().copied().find(|member| *member == name)
    }

    /// The members as a human list, `a, b, c`.
    pub fn member_list(&self) -> String {
        self.members.join(", ")
    }
}

/// A complex type, e.g. `microsoft.graph.licenseInfoDetail`.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct ComplexType {
    pub name: &'static str,
    pub properties: &'static [Property],
    /// A property whose value no two items of one collection may share (tally's rule: at most
    /// one licenseInfoDetail per licenseType).
    pub unique: Option<&'static str>,
}

impl ComplexType {
    pub fn short_name(&self) -> &'static str {
        short(self.name)
    }

    pub fn property(&self, name: &str) -> Option<&'static Property> {
        self.properties.iter().find(|p| p.name == name)
    }

    /// The property names as a human list.
    pub fn property_list(&self) -> String {
        names(self.properties)
    }
}

/// An entity type; its first property is the key (`id`, but for tally's prices, keyed by
/// `skuId`), stored in the `id` column.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct EntityType {
    pub name: &'static str,
    pub properties: &'static [Property],
}

impl EntityType {
    pub fn short_name(&self) -> &'static str {
        short(self.name)
    }

    pub fn property(&self, name: &str) -> Option<&'static Property> {
        self.properties.iter().find(|p| p.name == name)
    }

    /// The position of `property` (one of this type's own) in [`EntityType::properties`].
    pub fn index_of(&self, property: &Property) -> Option<usize> {
        self.properties
            .iter()
            .position(|p| std::ptr::eq(p, property) || p == property)
    }

    /// The key property.
    pub fn key(&self) -> &'static Property {
        &self.properties[0]
    }

    pub fn property_list(&self) -> String {
        names(self.properties)
    }

    /// Whether any property is a collection of a complex type.
    pub fn has_collection(&self) -> bool {
        self.properties
            .iter()
            .any(|p| matches!(p.ty, Type::Collection(_)))
    }
}

/// The type of a property.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Type {
    /// `Edm.String`; the key `id` is one too (a GUID in lower case, in tally).
    String,
    /// `Edm.Int32`.
    Int32,
    /// `Edm.Int64`: only in what tally computes (never written by a client, never filtered).
    Int64,
    /// `Edm.DateTimeOffset`, kept as sent and compared as an instant.
    DateTimeOffset,
    Enum(&'static EnumType),
    /// `Collection(complex type)`: not nullable, no null items.
    Collection(&'static ComplexType),
    /// `Edm.Boolean`.
    Boolean,
    /// `Edm.Guid`, written in lower case.
    Guid,
    /// `Edm.Decimal` with at most four decimals ([`crate::Decimal`]), written as a JSON number;
    /// not filterable.
    Decimal,
    /// A single value of a complex type, e.g. a user's `signInActivity`; `$filter` reaches its
    /// properties as `signInActivity/lastSignInDateTime` (each stored in a column of its own).
    Complex(&'static ComplexType),
    /// `Collection(Edm.String)` or `Collection(Edm.Guid)`: not nullable, not filterable.
    Primitives(&'static Type),
}

impl Type {
    /// The CSDL spelling, e.g. `Edm.Int32` or `Collection(graph.licenseInfoDetail)`.
    pub fn csdl(self) -> String {
        match self {
            Type::String => "Edm.String".into(),
            Type::Int32 => "Edm.Int32".into(),
            Type::Int64 => "Edm.Int64".into(),
            Type::DateTimeOffset => "Edm.DateTimeOffset".into(),
            Type::Enum(ty) => format!("graph.{}", ty.short_name()),
            Type::Collection(ty) => format!("Collection(graph.{})", ty.short_name()),
            Type::Boolean => "Edm.Boolean".into(),
            Type::Guid => "Edm.Guid".into(),
            Type::Decimal => "Edm.Decimal".into(),
            Type::Complex(ty) => format!("graph.{}", ty.short_name()),
            Type::Primitives(item) => format!("Collection({})", item.csdl()),
        }
    }

    /// The type as an error message names it, e.g. `a DateTimeOffset`.
    pub fn describe(self) -> String {
        match self {
            Type::String => "a String".into(),
            Type::Int32 | Type::Int64 => "an integer".into(),
            Type::DateTimeOffset => "a DateTimeOffset".into(),
            Type::Enum(ty) => format!("a {}", ty.name),
            Type::Collection(ty) => format!("a collection of {}", ty.short_name()),
            Type::Boolean => "a Boolean".into(),
            Type::Guid => "a Guid".into(),
            Type::Decimal => "a decimal number".into(),
            Type::Complex(ty) => format!("a {}", ty.short_name()),
            Type::Primitives(item) => format!("a collection of {}", item.csdl()),
        }
    }
}

/// A structural property and tally's rules for it.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Property {
    pub name: &'static str,
    pub ty: Type,
    /// Whether null is a value (a collection never is null; it may be empty).
    pub nullable: bool,
    /// Whether a POST must give it.
    pub required: bool,
    /// The smallest Int32 allowed, if any.
    pub minimum: Option<i32>,
    /// What a POST that leaves it out gets.
    pub default: Option<Default>,
    /// Set by the server only: a body that names it is refused.
    pub read_only: bool,
    /// Given when the object is created and never changed: a PATCH that names it is refused.
    pub immutable: bool,
    /// Whether `$orderby` may name it (non-nullable scalars only: keyset paging needs values).
    pub sortable: bool,
    /// The form a string must have, if any.
    pub format: Option<Format>,
    /// The column the stores keep it in (DateTimeOffset: `{column}_text` and `{column}_ticks`);
    /// unused for the properties of complex types, which are stored in their collection's JSON.
    pub column: &'static str,
}

impl Property {
    /// A nullable, optional, unsorted property stored in `column` (change fields with struct
    /// update syntax: `Property { required: true, ..Property::new(…) }`).
    pub const fn new(name: &'static str, ty: Type, column: &'static str) -> Self {
        Self {
            name,
            ty,
            nullable: true,
            required: false,
            minimum: None,
            default: None,
            read_only: false,
            immutable: false,
            sortable: false,
            format: None,
            column,
        }
    }

    /// A non-nullable property a POST must give.
    pub const fn required(name: &'static str, ty: Type, column: &'static str) -> Self {
        Self {
            nullable: false,
            required: true,
            ..Self::new(name, ty, column)
        }
    }

    /// The key of every entity: `id`, a server-assigned GUID.
    pub const KEY: Property = Property {
        nullable: false,
        sortable: true,
        ..Property::new("id", Type::String, "id")
    };
}

/// A property's value when a POST leaves it out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Default {
    /// The request's time, as a DateTimeOffset in UTC.
    Now,
    /// A new random GUID, in lower case, as a string.
    NewGuid,
    Boolean(bool),
    /// A member of the property's enum type.
    Member(&'static str),
}

/// The form a string property's values must have.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// An ISO 4217 currency code: three upper-case letters (`USD`, `EUR`).
    CurrencyCode,
}

impl Format {
    /// Whether `text` has this form.
    pub fn admits(self, text: &str) -> bool {
        match self {
            Format::CurrencyCode => {
                text.len() == 3 && text.bytes().all(|byte| byte.is_ascii_uppercase())
            }
        }
    }

    /// The form in words, for an error message.
    pub fn describe(self) -> &'static str {
        match self {
            Format::CurrencyCode => "an ISO 4217 currency code: three upper-case letters",
        }
    }

    /// The form as a regular expression (for the OpenAPI document).
    pub fn pattern(self) -> &'static str {
        match self {
            Format::CurrencyCode => "^[A-Z]{3}$",
        }
    }
}

impl fmt::Display for Property {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}

fn short(name: &'static str) -> &'static str {
    name.rsplit('.').next().unwrap_or(name)
}

fn names(properties: &[Property]) -> String {
    properties
        .iter()
        .map(|p| p.name)
        .collect::<Vec<_>>()
        .join(", ")
}
