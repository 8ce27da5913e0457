//! Random well-typed `$filter` trees over users, built from the user type's description and
//! `filterable` (what the users' route lets through): comparisons and `in` on the root scalars,
//! the `signInActivity` dates and `assignedLicenses/$count`, `startswith`, `any()`, `any`/`all`
//! lambdas on the licenses' `skuId`, and often `assignedLicenses/any(d: d/skuId eq G)` at the
//! top, alone or as a conjunct, which the store reads from its holders index. And the reads.

use std::fmt;

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::strategy::Union;
use tally_model::directory::types::{filterable, USER};
use tally_odata::query::{CompareOp, Constant, Operand, TypedExpr};
use tally_odata::schema::{ComplexType, Property, Type};

use super::dataset::{name, SKUS};
use crate::strategies::{compare_or_in, logic, ID_PLACEHOLDER};
use crate::values::{instant, TICKS_PER_SECOND};

/// Starts a string literal that is replaced with (a variant of) a stored userPrincipalName.
pub const UPN_PLACEHOLDER: char = '\u{2}';
const INTS: [i64; 9] = [-1, 0, 0, 1, 2, 3, 4, i32::MAX as i64 + 1, i64::MIN];

/// How the filter's text spells the GUID literals.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Guids {
    Lower,
    Upper,
    /// In quotes: the same where compared with a Guid, a string elsewhere (so the tree differs).
    Quoted,
    /// Upper case, in quotes.
    QuotedUpper,
}

/// One list-and-count of the tenant's users.
#[derive(Clone)]
pub struct Read {
    pub filter: Option<TypedExpr>,
    /// `$orderby` text, empty for none.
    pub orderby: &'static str,
    pub page_size: usize,
    pub skip: u64,
    pub guids: Guids,
    pub without_plans: bool,
}

impl fmt::Debug for Read {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Read")
            .field("filter", &self.filter.as_ref().map(ToString::to_string))
            .field("orderby", &self.orderby)
            .field("page_size", &self.page_size)
            .field("skip", &self.skip)
            .field("guids", &self.guids)
            .field("without_plans", &self.without_plans)
            .finish()
    }
}

pub fn read(pool: &[i64]) -> impl Strategy<Value = Read> {
    let orderby = select(
        &[
            "",
            "",
            "displayName",
            "displayName asc",
            "displayName desc",
            "userPrincipalName",
            "userPrincipalName desc",
            "id",
            "id desc",
        ][..],
    );
    let page_size = select(&[1_usize, 2, 3, 3, 100][..]);
    let skip = select(&[0_u64, 0, 0, 0, 1, 2, 5][..]);
    let guids = vec![
        Guids::Lower,
        Guids::Lower,
        Guids::Upper,
        Guids::Quoted,
        Guids::QuotedUpper,
    ];
    let guids = select(guids);
    let filter = proptest::option::weighted(0.9, filter(pool));
    (filter, orderby, page_size, skip, guids, any::<bool>()).prop_map(
        |(filter, orderby, page_size, skip, guids, without_plans)| Read {
            filter,
            orderby,
            page_size,
            skip,
            guids,
            without_plans,
        },
    )
}

/// The root operands a filter may read, with their types: what `filterable` allows, the dates
/// inside `signInActivity`, and the collections' `$count`.
fn roots() -> Vec<(Operand, Type)> {
    let mut operands = Vec::new();
    for property in USER.properties {
        match property.ty {
            Type::Complex(complex) => {
                let nested = complex.properties.iter().filter(|p| filterable(p));
                operands.extend(nested.map(|p| (Operand::Property(p), p.ty)));
            }
            _ if !filterable(property) => {}
            Type::Collection(_) => operands.push((Operand::Count(property), Type::Int32)),
            Type::Primitives(_) => {}
            ty => operands.push((Operand::Property(property), ty)),
        }
    }
    operands
}

/// The collections a lambda may walk (the filterable ones), with their item types.
fn collections() -> Vec<(&'static Property, &'static ComplexType)> {
    let properties = USER.properties.iter().filter(|p| filterable(p));
    properties
        .filter_map(|p| match p.ty {
            Type::Collection(item) => Some((p, item)),
            _ => None,
        })
        .collect()
}

/// The roots, and inside a lambda over `item` also its properties (twice, to be read more).
fn operands(item: Option<&'static ComplexType>) -> Vec<(Operand, Type)> {
    let mut operands = roots();
    for _ in 0..2 {
        for property in item.map_or(&[][..], |item| item.properties) {
            operands.push((Operand::Member(property), property.ty));
        }
    }
    operands
}

/// Whether the binder lets two operands of these types meet (a Guid and a String do).
fn comparable(a: Type, b: Type) -> bool {
    a == b
        || matches!(
            (a, b),
            (Type::Guid, Type::String) | (Type::String, Type::Guid)
        )
}

/// A stored id or userPrincipalName (by placeholder), or a name.
fn string() -> BoxedStrategy<String> {
    prop_oneof![
        2 => (0..13_usize, select(&['e', 'e', 'u', 'p', 'x'][..]))
            .prop_map(|(k, variant)| format!("{ID_PLACEHOLDER}{k}{variant}")),
        2 => (0..13_usize, select(&['e', 'e', 'u', 'l', 'p', 'q', 'x'][..]))
            .prop_map(|(k, variant)| format!("{UPN_PLACEHOLDER}{k}{variant}")),
        5 => name(),
    ]
    .boxed()
}

/// A literal of type `ty`, or `null` (only `null` for a collection of primitives).
fn constant(ty: Type, pool: &[i64]) -> BoxedStrategy<Constant> {
    let typed = match ty {
        Type::String => string().prop_map(Constant::String).boxed(),
        Type::Boolean => any::<bool>().prop_map(Constant::Bool).boxed(),
        Type::Int32 => select(&INTS[..]).prop_map(Constant::Int).boxed(),
        Type::DateTimeOffset => instant(
            pool,
            &[0, 0, 1, -1, TICKS_PER_SECOND, -3600 * TICKS_PER_SECOND],
        )
        .prop_map(Constant::DateTimeOffset)
        .boxed(),
        Type::Guid => guid().boxed(),
        Type::Primitives(_) => return Just(Constant::Null).boxed(),
        _ => panic!("users have no {} to filter on", ty.describe()),
    };
    prop_oneof![1 => Just(Constant::Null), 5 => typed].boxed()
}

fn guid() -> impl Strategy<Value = Constant> {
    select(&SKUS[..]).prop_map(|sku| Constant::Guid(sku.to_string()))
}

/// A comparison or `in`, well typed, on the roots and (inside a lambda) `item`'s properties.
fn comparison(pool: &[i64], item: Option<&'static ComplexType>) -> BoxedStrategy<TypedExpr> {
    let pool = pool.to_vec();
    select(operands(item))
        .prop_flat_map(move |(operand, ty)| {
            let others: Vec<Operand> = operands(item)
                .into_iter()
                .filter(|(_, t)| comparable(ty, *t))
                .map(|(operand, _)| operand)
                .collect();
            compare_or_in(
                operand,
                CompareOp::ALL.to_vec(),
                constant(ty, &pool),
                others,
            )
        })
        .boxed()
}

/// `startswith` on a root String property: names, and prefixes of stored ids and
/// userPrincipalNames in either case.
fn starts_with() -> BoxedStrategy<TypedExpr> {
    let strings = roots()
        .into_iter()
        .filter_map(|(operand, ty)| match operand {
            Operand::Property(property) if ty == Type::String => Some(property),
            _ => None,
        });
    let prefix = prop_oneof![
        1 => (0..13_usize, select(&['p', 'u', 'e'][..]))
            .prop_map(|(k, variant)| format!("{ID_PLACEHOLDER}{k}{variant}")),
        2 => (0..13_usize, select(&['p', 'q', 'e', 'u'][..]))
            .prop_map(|(k, variant)| format!("{UPN_PLACEHOLDER}{k}{variant}")),
        4 => name(),
    ];
    (select(strings.collect::<Vec<_>>()), prefix)
        .prop_map(|(property, prefix)| TypedExpr::StartsWith { property, prefix })
        .boxed()
}

/// `collection/any(d: d/skuId eq G)` (either way round): what the holders index answers.
fn holds(collection: &'static Property, item: &'static ComplexType) -> BoxedStrategy<TypedExpr> {
    let sku = item.property("skuId").expect("a license has a skuId");
    (guid(), any::<bool>())
        .prop_map(move |(g, swap)| {
            let (left, right) = (Operand::Member(sku), Operand::Constant(g));
            let (left, right) = if swap { (right, left) } else { (left, right) };
            let predicate = TypedExpr::Compare {
                op: CompareOp::Eq,
                left,
                right,
            };
            TypedExpr::Any {
                collection,
                predicate: Some(Box::new(predicate)),
            }
        })
        .boxed()
}

/// A `$filter` on users; one in two has a holders-index test at its top (alone or a conjunct).
pub fn filter(pool: &[i64]) -> BoxedStrategy<TypedExpr> {
    let constant = || any::<bool>().prop_map(TypedExpr::Constant).boxed();
    let mut leaves = vec![
        (6, comparison(pool, None)),
        (1, constant()),
        (2, starts_with()),
    ];
    let mut tops = Vec::new();
    for (collection, item) in collections() {
        let not_empty = TypedExpr::Any {
            collection,
            predicate: None,
        };
        leaves.push((1, Just(not_empty).boxed()));
        let body = logic(
            Union::new_weighted(vec![
                (8, comparison(pool, Some(item))),
                (1, constant()),
                (1, starts_with()),
            ])
            .boxed(),
        );
        let lambda = (any::<bool>(), body).prop_map(move |(any, body)| {
            let predicate = Box::new(body);
            if any {
                TypedExpr::Any {
                    collection,
                    predicate: Some(predicate),
                }
            } else {
                TypedExpr::All {
                    collection,
                    predicate,
                }
            }
        });
        leaves.push((3, lambda.boxed()));
        leaves.push((2, holds(collection, item)));
        tops.push(holds(collection, item));
    }
    let tree = logic(Union::new_weighted(leaves).boxed());
    let held = Union::new(tops).boxed();
    let conjunct = (
        held.clone(),
        vec(tree.clone(), 1..=2),
        any::<prop::sample::Index>(),
    )
        .prop_map(|(held, mut others, at)| {
            others.insert(at.index(others.len() + 1), held);
            TypedExpr::And(others)
        });
    prop_oneof![2 => tree, 1 => held, 1 => conjunct].boxed()
}
