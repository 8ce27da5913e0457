//! The reports' side of the differential: one dataset of a resource of `ALL` inserted into a
//! fresh tenant (and a decoy into another), and each of its reads compared with the reference.

use std::sync::Arc;

use proptest::prelude::*;
use tally_model::resources::ResourceDef;
use tally_model::stored_items;
use tally_model::{Collection, Entity, NewEntity, Value};
use tally_odata::query::{filter, orderby, OrderBy};
use tally_odata::schema::{EnumType, Type};
use tally_store::{ListQuery, Store};
use tokio::task::JoinSet;
use uuid::Uuid;

use crate::strategies::{self, Case, Read};
use crate::{fail, reference, Checked};

/// Datasets per run in CI (a debug build) on the embedded store, over all resources; each
/// carries 1–[`MAX_READS`] reads. PostgreSQL commits each insert on its own, so it gets fewer.
pub const DEFAULT_CASES: u32 = 2_000;
pub const DEFAULT_POSTGRES_CASES: u32 = 500;
pub const MAX_READS: usize = 6;

/// The cases: a resource of `ALL`, a dataset of it and its reads.
pub fn cases() -> impl Strategy<Value = Case> {
    strategies::case(MAX_READS)
}

/// Checks one case on `store`.
pub fn check(
    runtime: &tokio::runtime::Runtime,
    store: &Arc<Store>,
    case: Case,
) -> Result<Checked, TestCaseError> {
    let collection = case.def.collection;
    let reads = case.reads.len() as u64;
    let splitting = runtime.block_on(check_case(store, case))?;
    Ok(Checked {
        collection,
        reads,
        splitting,
    })
}

/// Inserts the case's objects concurrently (one group commit), then checks each read; answers
/// how many reads matched some but not all objects.
async fn check_case(store: &Arc<Store>, case: Case) -> Result<u64, TestCaseError> {
    let def = case.def;
    let (tenant, decoy_tenant) = (Uuid::new_v4(), Uuid::new_v4());
    let mut sent: Vec<NewEntity> = case.objects.into_iter().chain([case.decoy]).collect();
    let stored = if def.rule.is_some() {
        insert_unruled(store, def, &mut sent, tenant, decoy_tenant).await?
    } else {
        create_all(store, def, &sent, tenant, decoy_tenant).await?
    };
    check_stored(store, def, tenant, stored, case.reads).await
}

/// Creates `sent` through the store's create, the last one (the decoy) in `decoy_tenant`; the
/// objects as stored, in order.
async fn create_all(
    store: &Arc<Store>,
    def: &'static ResourceDef,
    sent: &[NewEntity],
    tenant: Uuid,
    decoy_tenant: Uuid,
) -> Result<Vec<Entity>, TestCaseError> {
    let mut inserts = JoinSet::new();
    let decoy_index = sent.len() - 1;
    for (index, object) in sent.iter().cloned().enumerate() {
        let store = Arc::clone(store);
        let owner = if index == decoy_index {
            decoy_tenant
        } else {
            tenant
        };
        inserts.spawn(async move { (index, store.create(def, owner, object).await) });
    }
    let mut stored: Vec<Option<Entity>> = vec![None; sent.len()];
    while let Some(joined) = inserts.join_next().await {
        let (index, created) = joined.map_err(fail)?;
        let created = created.map_err(fail)?.entity;
        prop_assert!(same(def, &sent[index], &created), "{created:?} changed");
        stored[index] = Some(sent[index].clone().with_id(created.id));
    }
    Ok(stored
        .into_iter()
        .map(|entity| entity.expect("every insert answered"))
        .collect())
}

/// A resource with a rule (a subscription needs a SKU to count it): its objects inserted in
/// bulk, as the rule is not what this test is about; each value of a unique property made
/// unique by the object's position.
async fn insert_unruled(
    store: &Store,
    def: &'static ResourceDef,
    sent: &mut [NewEntity],
    tenant: Uuid,
    decoy_tenant: Uuid,
) -> Result<Vec<Entity>, TestCaseError> {
    for (index, object) in sent.iter_mut().enumerate() {
        for property in def.storage.unique {
            let position = def.entity.index_of(property).expect("its own") - 1;
            if let Value::String(text) = &object.0[position] {
                object.0[position] = Value::String(format!("{text}#{index}").into());
            }
        }
    }
    let mut stored: Vec<Entity> = sent
        .iter()
        .map(|object| object.clone().with_id(Uuid::new_v4()))
        .collect();
    let decoy = stored.pop().expect("the decoy");
    for (owner, rows) in [
        (tenant, stored.clone()),
        (decoy_tenant, vec![decoy.clone()]),
    ] {
        let count = rows.len();
        let inserted = store.insert_many(def, owner, rows).await.map_err(fail)?;
        prop_assert_eq!(inserted.inserted, count);
    }
    stored.push(decoy);
    Ok(stored)
}

/// Checks each read against the reference over `stored` (the tenant's objects, then the
/// decoy); answers how many reads matched some but not all objects.
async fn check_stored(
    store: &Arc<Store>,
    def: &'static ResourceDef,
    tenant: Uuid,
    mut stored: Vec<Entity>,
    reads: Vec<Read>,
) -> Result<u64, TestCaseError> {
    let decoy = stored.pop().expect("the decoy");
    // Placeholders resolve to the tenant's ids and, last, the decoy's.
    let ids: Vec<String> = stored
        .iter()
        .chain([&decoy])
        .map(|entity| entity.id.to_string())
        .collect();
    let mut splitting = 0;
    for read in reads {
        let matching = check_read(store, def, tenant, &stored, decoy.id, &ids, read).await?;
        splitting += u64::from(0 < matching && matching < stored.len());
    }
    Ok(splitting)
}

async fn check_read(
    store: &Store,
    def: &'static ResourceDef,
    tenant: Uuid,
    stored: &[Entity],
    decoy: Uuid,
    ids: &[String],
    read: Read,
) -> Result<usize, TestCaseError> {
    let generated = read.filter.map(|mut expr| {
        strategies::resolve_ids(&mut expr, ids);
        expr
    });
    // Through the text: what a client sends is what the store gets.
    let mut text = generated.as_ref().map(ToString::to_string);
    if read.plain_enums {
        // `'free'` for `microsoft.graph.azureADLicenseType'free'`: the same condition, though
        // where no enum property is compared the binder keeps a string (`'free' eq null`).
        for ty in enum_types(def) {
            text = text.map(|text| text.replace(&format!("{}'", ty.name), "'"));
        }
    }
    let bound = match &text {
        Some(text) => Some(filter(def.entity, text).map_err(|e| fail(format!("{text}: {e}")))?),
        None => None,
    };
    if !read.plain_enums {
        prop_assert_eq!(&bound, &generated, "Display → filter() changed the tree");
    }
    let order = order_keys(def, &read.orderby)?;

    let mut expected: Vec<&Entity> = stored
        .iter()
        .filter(|entity| {
            reference::in_scope(def, read.scope, entity, stored)
                && bound
                    .as_ref()
                    .is_none_or(|expr| reference::matches(def, expr, entity))
        })
        .collect();
    let matching = expected.len();
    reference::sort(def, &mut expected, &order);
    let expected: Vec<Uuid> = expected
        .iter()
        .skip(read.skip as usize)
        .map(|entity| entity.id)
        .collect();

    let mut query = ListQuery {
        scope: read.scope,
        filter: bound,
        order,
        skip: read.skip,
        page_size: read.page_size,
        ..ListQuery::default()
    };
    let count = store
        .count(def, tenant, query.clone())
        .await
        .map_err(fail)?;
    let mut actual = Vec::new();
    for _ in 0..=stored.len() + 1 {
        let page = store.list(def, tenant, query.clone()).await.map_err(fail)?;
        prop_assert!(page.items.len() <= read.page_size, "a page over its size");
        for item in page.items {
            let item = item.entity;
            let sent = stored.iter().find(|entity| entity.id == item.id);
            let unchanged = sent.is_some_and(|sent| same_values(def, sent.values(), &item));
            prop_assert!(unchanged || item.id == decoy, "{item:?} changed");
            actual.push(item.id);
        }
        query.skip = 0;
        query.after = page.next;
        if query.after.is_none() {
            break;
        }
    }
    prop_assert!(query.after.is_none(), "paging did not end");
    let context = || {
        format!(
            "\nresource {}\n$filter={}\n$orderby={}\npage size {}, skip {}, scope {:?}\n\
             dataset:\n{}",
            def.collection,
            text.as_deref().unwrap_or("(none)"),
            read.orderby,
            read.page_size,
            read.skip,
            read.scope,
            describe(def, stored)
        )
    };
    prop_assert!(
        !actual.contains(&decoy),
        "another tenant's object{}",
        context()
    );
    prop_assert_eq!(
        &actual,
        &expected,
        "list differs from the reference{}",
        context()
    );
    prop_assert_eq!(
        count,
        matching as u64,
        "count differs from the reference{}",
        context()
    );
    Ok(matching)
}

/// Whether `got` is what was sent as `sent`, spelling included.
fn same(def: &'static ResourceDef, sent: &NewEntity, got: &Entity) -> bool {
    same_values(def, &sent.0, got)
}

/// Whether `got` holds `sent`, spelling included; a collection it keeps in the store's own JSON
/// is decoded first.
fn same_values(def: &'static ResourceDef, sent: &[Value], got: &Entity) -> bool {
    let properties = &def.entity.properties[1..];
    sent.len() == got.values().len()
        && properties.iter().zip(sent.iter().zip(got.values())).all(
            |(property, (sent, got))| match (property.ty, got) {
                (Type::Collection(ty), Value::Collection(Collection::Stored(json))) => {
                    stored_items::decode(ty, json).is_ok_and(|items| {
                        sent.same_as(&Value::Collection(Collection::Items(items)))
                    })
                }
                _ => sent.same_as(got),
            },
        )
}

/// The enum types `def`'s properties and their items' properties have.
fn enum_types(def: &ResourceDef) -> Vec<&'static EnumType> {
    let mut types: Vec<&'static EnumType> = Vec::new();
    let items = strategies::collections(def)
        .into_iter()
        .flat_map(|(_, t)| t.properties);
    for property in def.entity.properties.iter().chain(items) {
        if let Type::Enum(ty) = property.ty {
            if !types.contains(&ty) {
                types.push(ty);
            }
        }
    }
    types
}

/// `$orderby` text through the parser and binder.
fn order_keys(def: &'static ResourceDef, text: &str) -> Result<Vec<OrderBy>, TestCaseError> {
    if text.is_empty() {
        return Ok(Vec::new());
    }
    orderby(def.entity, text).map_err(|e| fail(format!("$orderby={text}: {e}")))
}

fn describe(def: &'static ResourceDef, stored: &[Entity]) -> String {
    let lines: Vec<String> = stored
        .iter()
        .map(|entity| {
            let values = def.entity.properties[1..].iter().zip(entity.values());
            let values: Vec<String> = values
                .map(|(property, value)| {
                    let text = match (property.ty, value) {
                        (Type::Collection(ty), Value::Collection(Collection::Items(items))) => {
                            stored_items::encode(ty, items)
                        }
                        (_, Value::DateTimeOffset(at)) => format!("{at} ({} ticks)", at.ticks()),
                        (_, Value::String(text)) => format!("{text:?}"),
                        (_, Value::Int(n)) => n.to_string(),
                        (_, Value::Enum(member)) => (*member).to_owned(),
                        (_, other) => format!("{other:?}"),
                    };
                    format!("{}={text}", property.name)
                })
                .collect();
            format!("  {} {}", entity.id, values.join(" "))
        })
        .collect();
    lines.join("\n")
}
