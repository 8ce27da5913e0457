//! Objects as validated values: an [`Entity`] holds one [`Value`] per property of its
//! resource's entity type (in the description's order), whatever the resource.

use tally_odata::schema::{ComplexType, EntityType, Property};
use tally_odata::{DateTimeOffset, Decimal};
use uuid::Uuid;

use crate::etag::EntityTag;

/// The value of one property.
#[derive(Clone, Debug)]
pub enum Value {
    Null,
    String(Box<str>),
    Int(i32),
    Boolean(bool),
    Decimal(Decimal),
    DateTimeOffset(DateTimeOffset),
    /// A member of the property's enum type.
    Enum(&'static str),
    Collection(Collection),
}

/// The items of a collection of a complex type.
#[derive(Clone, Debug)]
pub enum Collection {
    /// Each item's values, in its complex type's property order.
    Items(Vec<Item>),
    /// The store's own compact JSON of the items ([`crate::stored_items::encode`]), for a
    /// type whose items it may copy into a response as they are
    /// ([`crate::stored_items::copyable`]).
    Stored(Box<[u8]>),
}

/// One item of a collection: a value per property of its complex type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item(pub Vec<Value>);

impl Item {
    /// The value of the complex type's property `name`.
    pub fn get(&self, ty: &ComplexType, name: &str) -> &Value {
        ty.properties
            .iter()
            .position(|p| p.name == name)
            .and_then(|index| self.0.get(index))
            .unwrap_or(&Value::Null)
    }
}

/// Values compare as OData compares them: DateTimeOffsets as instants. (Whether a PATCH
/// changed a value, spelling included, is [`Value::same_as`].)
impl PartialEq for Value {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Value::Null, Value::Null) => true,
            (Value::String(a), Value::String(b)) => a == b,
            (Value::Int(a), Value::Int(b)) => a == b,
            (Value::Boolean(a), Value::Boolean(b)) => a == b,
            (Value::Decimal(a), Value::Decimal(b)) => a == b,
            (Value::DateTimeOffset(a), Value::DateTimeOffset(b)) => a == b,
            (Value::Enum(a), Value::Enum(b)) => a == b,
            (Value::Collection(a), Value::Collection(b)) => a == b,
            _ => false,
        }
    }
}

impl Eq for Value {}

impl PartialEq for Collection {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Collection::Items(a), Collection::Items(b)) => a == b,
            (Collection::Stored(a), Collection::Stored(b)) => a == b,
            _ => false,
        }
    }
}

impl Eq for Collection {}

impl Value {
    /// Equal and spelled the same: a DateTimeOffset's text round-trips byte for byte, so a
    /// PATCH that respells an instant changes the object.
    pub fn same_as(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::DateTimeOffset(a), Value::DateTimeOffset(b)) => a.as_str() == b.as_str(),
            (Value::Collection(Collection::Items(a)), Value::Collection(Collection::Items(b))) => {
                a.len() == b.len()
                    && a.iter().zip(b).all(|(a, b)| {
                        a.0.len() == b.0.len() && a.0.iter().zip(&b.0).all(|(a, b)| a.same_as(b))
                    })
            }
            _ => self == other,
        }
    }

    pub fn as_date_time_offset(&self) -> Option<&DateTimeOffset> {
        match self {
            Value::DateTimeOffset(value) => Some(value),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(text) => Some(text),
            Value::Enum(member) => Some(member),
            _ => None,
        }
    }

    /// The items of a decoded collection (empty for anything else).
    pub fn items(&self) -> &[Item] {
        match self {
            Value::Collection(Collection::Items(items)) => items,
            _ => &[],
        }
    }
}

/// An object of some resource: its id, and a value for every other property of its entity
/// type, in the description's order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entity {
    pub id: Uuid,
    values: Vec<Value>,
}

impl Entity {
    /// An object from its id and the values of the properties after `id`.
    pub fn new(id: Uuid, values: Vec<Value>) -> Self {
        Self { id, values }
    }

    /// The values of the properties after `id`, in order.
    pub fn values(&self) -> &[Value] {
        &self.values
    }

    /// The value of the entity type's property at `index` (≥ 1: 0 is the id).
    pub fn value(&self, index: usize) -> &Value {
        index
            .checked_sub(1)
            .and_then(|index| self.values.get(index))
            .unwrap_or(&Value::Null)
    }

    /// The value of `property`, one of `ty`'s own.
    pub fn get(&self, ty: &EntityType, property: &Property) -> &Value {
        ty.index_of(property)
            .map_or(&Value::Null, |index| self.value(index))
    }

    /// Sets `property`, one of `ty`'s own after `id`: what a store's rule sets (a read-only
    /// property taken from the object it refers to).
    pub fn set(&mut self, ty: &EntityType, property: &Property, value: Value) {
        let slot = ty
            .index_of(property)
            .and_then(|index| index.checked_sub(1))
            .and_then(|index| self.values.get_mut(index));
        if let Some(slot) = slot {
            *slot = value;
        }
    }
}

/// An object as a store keeps it: the values and their version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Versioned {
    pub entity: Entity,
    pub version: i64,
}

impl Versioned {
    pub fn etag(&self) -> EntityTag {
        EntityTag(self.version)
    }
}

/// A validated POST body: the values of every property after `id`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewEntity(pub Vec<Value>);

impl NewEntity {
    /// The object this body creates under `id`.
    pub fn with_id(self, id: Uuid) -> Entity {
        Entity::new(id, self.0)
    }
}

/// A validated PATCH body: per property after `id`, the new value, or `None` to keep it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Patch(pub Vec<Option<Value>>);

impl Patch {
    /// Applies the patch; answers whether anything observable changed (the text of a
    /// DateTimeOffset counts, since it round-trips byte for byte).
    pub fn apply_to(self, entity: &mut Entity) -> bool {
        let mut changed = false;
        for (slot, value) in entity.values.iter_mut().zip(self.0) {
            if let Some(value) = value {
                changed |= !slot.same_as(&value);
                *slot = value;
            }
        }
        changed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Value {
        Value::DateTimeOffset(DateTimeOffset::parse(text).unwrap())
    }

    fn entity() -> Entity {
        Entity::new(
            Uuid::nil(),
            vec![
                at("2020-01-01T00:00:00Z"),
                Value::Collection(Collection::Items(vec![])),
            ],
        )
    }

    #[test]
    fn an_empty_patch_changes_nothing() {
        let mut value = entity();
        assert!(!Patch(vec![None, None]).apply_to(&mut value));
        assert_eq!(value, entity());
    }

    #[test]
    fn the_same_value_changes_nothing() {
        let mut value = entity();
        let same = Patch(vec![Some(at("2020-01-01T00:00:00Z")), None]);
        assert!(!same.apply_to(&mut value));
    }

    #[test]
    fn the_same_instant_spelled_differently_is_a_change() {
        let mut value = entity();
        let patch = Patch(vec![Some(at("2020-01-01T01:00:00+01:00")), None]);
        assert!(patch.apply_to(&mut value));
        assert_eq!(
            value.value(1).as_date_time_offset().unwrap().as_str(),
            "2020-01-01T01:00:00+01:00"
        );
    }
}
