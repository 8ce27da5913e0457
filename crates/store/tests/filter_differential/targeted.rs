//! Targeted checks for bugs this suite found, run on the embedded store by their own test and on
//! PostgreSQL after its differential run, for every resource of `ALL`.

use tally_model::resources::{ResourceDef, ALL};
use tally_model::{Collection, Item, NewEntity, Value};
use tally_odata::query::filter;
use tally_odata::schema::{Property, Type};
use tally_odata::DateTimeOffset;
use tally_store::{ListQuery, Store};
use uuid::Uuid;

use crate::strategies::collections;

/// An instant whose fraction rounds up to the next second at microsecond precision.
const LATE: &str = "2080-01-20T10:23:30.9999999Z";
const NEXT_SECOND: &str = "2080-01-20T10:23:31Z";

/// A valid body of `def` with few values: every DateTimeOffset [`LATE`], other scalars null
/// where allowed, else the first member, the minimum or `x`; each collection holds one such item.
fn sample(def: &ResourceDef) -> NewEntity {
    fn value(property: &Property) -> Value {
        match property.ty {
            Type::DateTimeOffset => {
                Value::DateTimeOffset(DateTimeOffset::parse(LATE).expect("a DateTimeOffset"))
            }
            Type::Collection(item) => Value::Collection(Collection::Items(vec![Item(
                item.properties.iter().map(value).collect(),
            )])),
            _ if property.nullable => Value::Null,
            Type::String => Value::String("x".into()),
            Type::Int32 => Value::Int(property.minimum.unwrap_or(0)),
            Type::Enum(ty) => Value::Enum(ty.members[0]),
            Type::Boolean => Value::Boolean(false),
            Type::Guid => Value::String(Uuid::nil().to_string().into()),
            Type::Decimal => Value::Decimal(tally_odata::Decimal::from_ten_thousandths(0)),
            Type::Int64 | Type::Complex(_) | Type::Primitives(_) => {
                panic!(
                    "no described resource has a {} property",
                    property.ty.describe()
                )
            }
        }
    }
    NewEntity(def.entity.properties[1..].iter().map(value).collect())
}

/// The filters to check on an object `id` of `def` made from [`sample`], with the count each
/// must give:
/// - inside a lambda's `SELECT 1 FROM json_each(details) AS d WHERE …`, a bare `id` named
///   json_each's own `id` column (an integer), not the object's id;
/// - PostgreSQL's `tally_ticks` parsed `…:30.9999999Z` as a `timestamptz`, which rounds it to
///   the next second, then added the seven digits: an instant almost a second late.
fn filters(def: &ResourceDef, id: Uuid) -> Vec<(String, u64)> {
    let mut filters = Vec::new();
    for property in def.entity.properties {
        if property.ty == Type::DateTimeOffset {
            let name = property.name;
            filters.push((format!("{name} lt {NEXT_SECOND}"), 1));
            filters.push((format!("{name} eq {LATE}"), 1));
        }
    }
    for (collection, item) in collections(def) {
        let name = collection.name;
        filters.push((format!("{name}/any(d: id eq '{id}')"), 1));
        filters.push((format!("{name}/all(d: id ne '{id}')"), 0));
        for member in item.properties {
            if member.ty == Type::DateTimeOffset {
                let any = |condition: String| format!("{name}/any(d: {condition})");
                let member = member.name;
                filters.push((any(format!("d/{member} lt {NEXT_SECOND}")), 1));
                filters.push((any(format!("d/{member} eq {LATE}")), 1));
                filters.push((any(format!("d/{member} ge {NEXT_SECOND}")), 0));
            }
        }
    }
    filters
}

/// Runs the targeted checks on `store`.
pub fn check(runtime: &tokio::runtime::Runtime, store: &Store) {
    for def in ALL {
        let tenant = Uuid::new_v4();
        let id = if def.rule.is_some() {
            // The rule (a subscription needs a SKU) is not what this checks: in bulk.
            let entity = sample(def).with_id(Uuid::new_v4());
            let inserted = runtime.block_on(store.insert_many(def, tenant, vec![entity.clone()]));
            assert_eq!(inserted.expect("inserted").inserted, 1);
            entity.id
        } else {
            let created = runtime.block_on(store.create(def, tenant, sample(def)));
            created.expect("created").entity.id
        };
        for (text, expected) in filters(def, id) {
            let query = ListQuery {
                filter: Some(filter(def.entity, &text).expect("binds")),
                ..ListQuery::default()
            };
            let count = runtime.block_on(store.count(def, tenant, query));
            let count = count.expect("counted");
            assert_eq!(count, expected, "{}: $filter={text}", def.collection);
        }
    }
}

#[test]
fn targeted_filters_on_the_embedded_store() {
    let runtime = tokio::runtime::Runtime::new().expect("a Tokio runtime");
    let directory = tempfile::tempdir().expect("a temporary directory");
    let store = Store::open_embedded(directory.path()).expect("the store opens");
    check(&runtime, &store);
    store.shutdown();
}
