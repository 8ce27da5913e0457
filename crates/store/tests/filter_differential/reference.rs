//! The reference: scope, `$filter` and `$orderby` evaluated in memory over [`Entity`] values,
//! straight from OData's rules and the resource's description, for any resource.
//!
//! Semantics (OData's two-valued ones): `eq` is equality, with `null eq null` true; `ne` is its
//! negation; an ordering comparison with a null operand is false; `in` is `eq` with some value;
//! `any` over an empty collection is false and `all` true. DateTimeOffsets compare as instants,
//! whatever their offset and spelling; strings (and `id`, a lower-case GUID) ordinally, by bytes;
//! enum members by name, and only with `eq`/`ne`.

use std::cmp::Ordering;

use tally_model::resources::{FunctionKind, ResourceDef};
use tally_model::{Entity, Item, Value};
use tally_odata::query::{CompareOp, Constant, Operand, OrderBy, SortDirection, TypedExpr};
use tally_odata::schema::{ComplexType, Property, Type};
use tally_store::Scope;

/// A value a comparison reads. Equal variants compare; `Null` equals only `Null`.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Scalar {
    Null,
    Str(String),
    Int(i64),
    /// An instant: DateTimeOffset values compare by it, whatever their offset.
    Ticks(i64),
    /// An enum member: compared by name.
    Member(&'static str),
}

/// The current item of a lambda, and its type.
type Current<'a> = Option<(&'static ComplexType, &'a Item)>;

/// Whether `entity`, an object of `def`, satisfies `expr`.
pub fn matches(def: &'static ResourceDef, expr: &TypedExpr, entity: &Entity) -> bool {
    eval(def, expr, entity, None)
}

fn eval(def: &'static ResourceDef, expr: &TypedExpr, entity: &Entity, item: Current) -> bool {
    let value = |operand| value(def, operand, entity, item);
    match expr {
        TypedExpr::Constant(value) => *value,
        TypedExpr::Compare { op, left, right } => compare(*op, &value(left), &value(right)),
        TypedExpr::In { operand, values } => {
            let operand = value(operand);
            values
                .iter()
                .any(|c| compare(CompareOp::Eq, &operand, &constant(c)))
        }
        TypedExpr::And(items) => items.iter().all(|e| eval(def, e, entity, item)),
        TypedExpr::Or(items) => items.iter().any(|e| eval(def, e, entity, item)),
        TypedExpr::Not(inner) => !eval(def, inner, entity, item),
        TypedExpr::Any {
            collection,
            predicate: None,
        } => !items(def, entity, collection).1.is_empty(),
        TypedExpr::Any {
            collection,
            predicate: Some(predicate),
        } => {
            let (ty, items) = items(def, entity, collection);
            let mut items = items.iter();
            items.any(|d| eval(def, predicate, entity, Some((ty, d))))
        }
        TypedExpr::All {
            collection,
            predicate,
        } => {
            let (ty, items) = items(def, entity, collection);
            let mut items = items.iter();
            items.all(|d| eval(def, predicate, entity, Some((ty, d))))
        }
        // Case-insensitive in ASCII, as SQLite's LIKE and the directory's startswith.
        TypedExpr::StartsWith { property, prefix } => match property_value(def, property, entity) {
            Scalar::Str(text) => text
                .to_ascii_lowercase()
                .starts_with(&prefix.to_ascii_lowercase()),
            _ => false,
        },
    }
}

/// The item type and the items of `entity`'s `collection`.
fn items<'a>(
    def: &'static ResourceDef,
    entity: &'a Entity,
    collection: &Property,
) -> (&'static ComplexType, &'a [Item]) {
    let Type::Collection(ty) = collection.ty else {
        panic!("the binder let {} through as a collection", collection.name);
    };
    (ty, entity.get(def.entity, collection).items())
}

/// Two-valued: `eq` is equality (`null eq null` is true), `ne` its negation, and an ordering
/// comparison with a null operand is false.
fn compare(op: CompareOp, left: &Scalar, right: &Scalar) -> bool {
    let ordering = match (left, right) {
        (Scalar::Null, _) | (_, Scalar::Null) => None,
        (Scalar::Str(a), Scalar::Str(b)) => Some(a.as_bytes().cmp(b.as_bytes())),
        (Scalar::Int(a), Scalar::Int(b)) | (Scalar::Ticks(a), Scalar::Ticks(b)) => Some(a.cmp(b)),
        (Scalar::Member(a), Scalar::Member(b)) => Some(a.cmp(b)),
        _ => panic!("the binder let through an ill-typed comparison: {left:?} vs {right:?}"),
    };
    match op {
        CompareOp::Eq => left == right,
        CompareOp::Ne => left != right,
        CompareOp::Gt => ordering == Some(Ordering::Greater),
        CompareOp::Ge => matches!(ordering, Some(Ordering::Greater | Ordering::Equal)),
        CompareOp::Lt => ordering == Some(Ordering::Less),
        CompareOp::Le => matches!(ordering, Some(Ordering::Less | Ordering::Equal)),
    }
}

fn value(def: &'static ResourceDef, operand: &Operand, entity: &Entity, item: Current) -> Scalar {
    match operand {
        Operand::Property(property) => property_value(def, property, entity),
        Operand::Count(collection) => Scalar::Int(items(def, entity, collection).1.len() as i64),
        Operand::Member(property) => {
            let (ty, item) = item.expect("the binder let d/… outside a lambda");
            scalar(item.get(ty, property.name))
        }
        Operand::Constant(c) => constant(c),
    }
}

/// A root scalar property's value; the key is the id's text, a lower-case GUID.
fn property_value(def: &'static ResourceDef, property: &Property, entity: &Entity) -> Scalar {
    if property == def.entity.key() {
        Scalar::Str(entity.id.to_string())
    } else {
        scalar(entity.get(def.entity, property))
    }
}

fn scalar(value: &Value) -> Scalar {
    match value {
        Value::Null => Scalar::Null,
        Value::String(text) => Scalar::Str(text.to_string()),
        Value::Int(n) => Scalar::Int(i64::from(*n)),
        Value::Boolean(b) => Scalar::Int(i64::from(*b)),
        Value::Decimal(number) => Scalar::Int(number.ten_thousandths()),
        Value::DateTimeOffset(at) => Scalar::Ticks(at.ticks()),
        Value::Enum(member) => Scalar::Member(member),
        Value::Collection(_) => panic!("a collection compared as a scalar"),
    }
}

fn constant(constant: &Constant) -> Scalar {
    match constant {
        Constant::Null => Scalar::Null,
        Constant::String(text) => Scalar::Str(text.clone()),
        Constant::Int(n) => Scalar::Int(*n),
        Constant::DateTimeOffset(value) => Scalar::Ticks(value.ticks()),
        Constant::Enum(_, member) => Scalar::Member(member),
        Constant::Guid(text) => Scalar::Str(text.clone()),
        Constant::Bool(b) => Scalar::Int(i64::from(*b)),
    }
}

/// Whether `entity` is in `scope` among `all` the tenant's objects: a window keeps the objects
/// whose time is at or after its start; `Latest` keeps, per value of the function's key
/// property, the object with the latest time (ties: the greatest id).
pub fn in_scope(def: &'static ResourceDef, scope: Scope, entity: &Entity, all: &[Entity]) -> bool {
    let time = |e: &Entity| match property_value(def, def.time, e) {
        Scalar::Ticks(ticks) => ticks,
        other => panic!("the time of {} is {other:?}", e.id),
    };
    match scope {
        Scope::All => true,
        Scope::Since(since) => time(entity) >= since,
        Scope::Latest => {
            let Some(FunctionKind::LatestPer(key)) = def.function.as_ref().map(|f| &f.kind) else {
                return true;
            };
            let key_of = |e: &Entity| property_value(def, key, e);
            let newer = |other: &Entity| {
                let later =
                    (time(other), other.id.to_string()) > (time(entity), entity.id.to_string());
                key_of(other) == key_of(entity) && later
            };
            !all.iter().any(newer)
        }
    }
}

/// Sorts by the requested keys (none: the resource's time, ascending), ties broken by `id`
/// ascending (ids compare as their text).
pub fn sort(def: &'static ResourceDef, items: &mut [&Entity], keys: &[OrderBy]) {
    let by_time = [OrderBy {
        property: def.time,
        direction: SortDirection::Asc,
    }];
    let keys = if keys.is_empty() { &by_time } else { keys };
    items.sort_by(|a, b| {
        let by_key = keys.iter().map(|key| {
            let (a, b) = (
                property_value(def, key.property, a),
                property_value(def, key.property, b),
            );
            let ordering = match (&a, &b) {
                (Scalar::Str(a), Scalar::Str(b)) => a.as_bytes().cmp(b.as_bytes()),
                (Scalar::Int(a), Scalar::Int(b)) | (Scalar::Ticks(a), Scalar::Ticks(b)) => a.cmp(b),
                (Scalar::Member(a), Scalar::Member(b)) => a.as_bytes().cmp(b.as_bytes()),
                _ => panic!("sorting by {} met {a:?} and {b:?}", key.property.name),
            };
            match key.direction {
                SortDirection::Desc => ordering.reverse(),
                SortDirection::Asc => ordering,
            }
        });
        by_key
            .chain(std::iter::once(a.id.to_string().cmp(&b.id.to_string())))
            .find(|ordering| ordering.is_ne())
            .unwrap_or(Ordering::Equal)
    });
}
