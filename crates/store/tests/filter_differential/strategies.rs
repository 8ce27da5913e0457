//! Random datasets of any resource ([`values`](crate::values)), and random well-typed `$filter`
//! trees and `$orderby` texts over its schema, all built from the resource's description.
//!
//! String literals are often placeholders for the ids the store will assign (see
//! [`resolve_ids`]).

use std::fmt;

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::strategy::Union;
use tally_model::resources::{FunctionKind, ResourceDef, ALL};
use tally_model::NewEntity;
use tally_odata::query::{CompareOp, Constant, Operand, TypedExpr};
use tally_odata::schema::{ComplexType, Property, Type};
use tally_store::Scope;

use crate::values::{instant, object, string, FRACTIONS, GUIDS, TICKS_PER_SECOND};

/// Starts a string literal that [`resolve_ids`] replaces with (a variant of) a stored id.
pub const ID_PLACEHOLDER: char = '\u{1}';
const INTS: [i64; 15] = [
    -1,
    0,
    0,
    1,
    2,
    5,
    9,
    10,
    11,
    100,
    i32::MAX as i64,
    i32::MAX as i64 + 1,
    i32::MIN as i64,
    i64::MAX,
    i64::MIN,
];

/// One dataset of one resource (and a decoy in another tenant) with the reads to check on it.
#[derive(Clone)]
pub struct Case {
    pub def: &'static ResourceDef,
    pub objects: Vec<NewEntity>,
    pub decoy: NewEntity,
    pub reads: Vec<Read>,
}

impl fmt::Debug for Case {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Case")
            .field("resource", &self.def.collection)
            .field("objects", &self.objects)
            .field("decoy", &self.decoy)
            .field("reads", &self.reads)
            .finish()
    }
}

/// One list-and-count of the dataset.
#[derive(Clone)]
pub struct Read {
    pub filter: Option<TypedExpr>,
    /// `$orderby` text, empty for none.
    pub orderby: String,
    pub page_size: usize,
    pub skip: u64,
    /// Write enum members as plain strings (`'free'`), which the binder turns into members.
    pub plain_enums: bool,
    pub scope: Scope,
}

/// The filter as text (with id placeholders as `\u{1}…`): a tree's `Debug` spells out each
/// property's description.
impl fmt::Debug for Read {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Read")
            .field("filter", &self.filter.as_ref().map(ToString::to_string))
            .field("orderby", &self.orderby)
            .field("page_size", &self.page_size)
            .field("skip", &self.skip)
            .field("plain_enums", &self.plain_enums)
            .field("scope", &self.scope)
            .finish()
    }
}

/// A resource of [`ALL`], a dataset of it and its reads.
pub fn case(max_reads: usize) -> impl Strategy<Value = Case> {
    let instant = (-2_208_988_800_i64..4_102_444_800, select(&FRACTIONS[..]))
        .prop_map(|(seconds, fraction)| seconds * TICKS_PER_SECOND + fraction);
    (select(ALL), vec(instant, 1..=4)).prop_flat_map(move |(def, pool)| {
        let objects = prop_oneof![
            1 => vec(object(def, &pool), 0..=1),
            6 => vec(object(def, &pool), 2..=10),
        ];
        (
            objects,
            object(def, &pool),
            vec(read(def, &pool), 1..=max_reads),
        )
            .prop_map(move |(objects, decoy, reads)| Case {
                def,
                objects,
                decoy,
                reads,
            })
    })
}

/// `def`'s collections and their item types.
pub fn collections(def: &ResourceDef) -> Vec<(&'static Property, &'static ComplexType)> {
    let properties = def.entity.properties.iter();
    properties
        .filter_map(|p| match p.ty {
            Type::Collection(item) => Some((p, item)),
            _ => None,
        })
        .collect()
}

fn read(def: &'static ResourceDef, pool: &[i64]) -> impl Strategy<Value = Read> {
    let sortable = def.entity.properties.iter().filter(|p| p.sortable);
    let sortable: Vec<&'static str> = sortable.map(|p| p.name).collect();
    let most = sortable.len().min(3);
    let directions = vec(select(&["", " asc", " desc"][..]), most);
    let orderby = (
        Just(sortable).prop_shuffle(),
        0..=most,
        directions,
        select(&[",", ", "][..]),
    )
        .prop_map(|(names, len, directions, comma)| {
            let items = names.iter().zip(directions).map(|(n, d)| format!("{n}{d}"));
            items.take(len).collect::<Vec<_>>().join(comma)
        });
    let page_size = select(&[1_usize, 2, 3, 3, 100][..]);
    let skip = select(&[0_u64, 0, 0, 0, 1, 2, 5][..]);
    let since = (select(pool.to_vec()), select(&[0, 1, -1][..]));
    let mut scopes = vec![
        (6, Just(Scope::All).boxed()),
        (2, since.prop_map(|(t, m)| Scope::Since(t + m)).boxed()),
    ];
    if matches!(
        def.function.as_ref().map(|f| &f.kind),
        Some(FunctionKind::LatestPer(_))
    ) {
        scopes.push((2, Just(Scope::Latest).boxed()));
    }
    let filter = proptest::option::weighted(0.9, filter(def, pool));
    let plain_enums = proptest::bool::weighted(0.3);
    let scope = Union::new_weighted(scopes);
    (filter, orderby, page_size, skip, plain_enums, scope).prop_map(
        |(filter, orderby, page_size, skip, plain_enums, scope)| Read {
            filter,
            orderby,
            page_size,
            skip,
            plain_enums,
            scope,
        },
    )
}

/// The operands a comparison may read, with their types: the root scalars and counts, and
/// inside a lambda over items of `item` also the item's properties (twice, to be read more).
fn operands(def: &ResourceDef, item: Option<&'static ComplexType>) -> Vec<(Operand, Type)> {
    let mut operands = Vec::new();
    for property in def.entity.properties {
        operands.push(match property.ty {
            Type::Collection(_) => (Operand::Count(property), Type::Int32),
            // Not filterable (a price's unitPrice): `$filter` refuses it with a 400.
            Type::Decimal => continue,
            ty => (Operand::Property(property), ty),
        });
    }
    for _ in 0..2 {
        for property in item.map_or(&[][..], |item| item.properties) {
            operands.push((Operand::Member(property), property.ty));
        }
    }
    operands
}

/// A literal of type `ty`, or `null`.
fn constant(ty: Type, pool: &[i64]) -> BoxedStrategy<Constant> {
    let typed = match ty {
        Type::String => prop_oneof![
            2 => (0..11_usize, select(&['e', 'u', 'p', 'x'][..]))
                .prop_map(|(k, variant)| format!("{ID_PLACEHOLDER}{k}{variant}")),
            3 => string(),
        ]
        .prop_map(Constant::String)
        .boxed(),
        Type::Int32 | Type::Collection(_) => select(&INTS[..]).prop_map(Constant::Int).boxed(),
        Type::DateTimeOffset => instant(
            pool,
            &[0, 0, 1, -1, TICKS_PER_SECOND, -3600 * TICKS_PER_SECOND],
        )
        .prop_map(Constant::DateTimeOffset)
        .boxed(),
        Type::Enum(e) => select(e.members)
            .prop_map(move |member| Constant::Enum(e, member))
            .boxed(),
        Type::Boolean => any::<bool>().prop_map(Constant::Bool).boxed(),
        Type::Guid => select(&GUIDS[..])
            .prop_map(|guid| Constant::Guid(guid.to_owned()))
            .boxed(),
        Type::Int64 | Type::Decimal | Type::Complex(_) | Type::Primitives(_) => {
            panic!("no filter compares a {} property", ty.describe())
        }
    };
    prop_oneof![1 => Just(Constant::Null), 5 => typed].boxed()
}

/// A comparison or `in`, well typed: ordering operators never on enum members.
fn comparison(
    def: &'static ResourceDef,
    pool: &[i64],
    item: Option<&'static ComplexType>,
) -> BoxedStrategy<TypedExpr> {
    let pool = pool.to_vec();
    select(operands(def, item))
        .prop_flat_map(move |(operand, ty)| {
            let same_type: Vec<Operand> = operands(def, item)
                .into_iter()
                .filter(|(_, t)| *t == ty)
                .map(|(operand, _)| operand)
                .collect();
            let ops = if matches!(ty, Type::Enum(_) | Type::Boolean | Type::Guid) {
                vec![CompareOp::Eq, CompareOp::Ne]
            } else {
                CompareOp::ALL.to_vec()
            };
            compare_or_in(operand, ops, constant(ty, &pool), same_type)
        })
        .boxed()
}

/// `d/member eq X` (either way round) or `d/member in (X, …)` on an enum member of `item`: the
/// forms the stores answer from an index rather than each item; `None` without enum members.
/// `operand` compared with a constant (on either side), with another operand of its type
/// (`others`, never empty), two constants compared, or an `in` list: the shapes every
/// collection's comparisons take.
pub fn compare_or_in(
    operand: Operand,
    ops: Vec<CompareOp>,
    value: BoxedStrategy<Constant>,
    others: Vec<Operand>,
) -> impl Strategy<Value = TypedExpr> {
    let op = select(ops);
    let compare = |op, left, right| TypedExpr::Compare { op, left, right };
    let p = operand.clone();
    prop_oneof![
        6 => (op.clone(), value.clone(), any::<bool>()).prop_map(move |(op, c, swap)| {
            let (a, b) = (p.clone(), Operand::Constant(c));
            if swap { compare(op, b, a) } else { compare(op, a, b) }
        }),
        1 => (op.clone(), select(others)).prop_map({
            let p = operand.clone();
            move |(op, other)| compare(op, p.clone(), other)
        }),
        1 => (op, value.clone(), value.clone()).prop_map(move |(op, a, b)| {
            compare(op, Operand::Constant(a), Operand::Constant(b))
        }),
        2 => (vec(value.clone(), 1..=4), value, proptest::bool::weighted(0.2)).prop_map(
            move |(values, c, on_constant)| TypedExpr::In {
                operand: if on_constant { Operand::Constant(c) } else { operand.clone() },
                values,
            }
        ),
    ]
}

fn enum_test(item: &'static ComplexType) -> Option<BoxedStrategy<TypedExpr>> {
    let members = item.properties.iter();
    let members: Vec<&'static Property> =
        members.filter(|p| matches!(p.ty, Type::Enum(_))).collect();
    if members.is_empty() {
        return None;
    }
    let test = select(members).prop_flat_map(|property| {
        let Type::Enum(ty) = property.ty else {
            unreachable!("an enum member")
        };
        let member = select(ty.members).prop_map(move |m| Constant::Enum(ty, m));
        let value = prop_oneof![8 => member, 1 => Just(Constant::Null)];
        let operand = Operand::Member(property);
        prop_oneof![
            (value.clone(), any::<bool>()).prop_map(move |(c, swap)| {
                let (left, right) = (Operand::Member(property), Operand::Constant(c));
                let (left, right) = if swap { (right, left) } else { (left, right) };
                TypedExpr::Compare {
                    op: CompareOp::Eq,
                    left,
                    right,
                }
            }),
            vec(value, 1..=3).prop_map(move |values| TypedExpr::In {
                operand: operand.clone(),
                values,
            }),
        ]
    });
    Some(test.boxed())
}

/// `and`, `or` and `not` over `leaf`.
pub fn logic(leaf: BoxedStrategy<TypedExpr>) -> BoxedStrategy<TypedExpr> {
    leaf.prop_recursive(3, 16, 3, |inner| {
        prop_oneof![
            vec(inner.clone(), 2..=3).prop_map(TypedExpr::And),
            vec(inner.clone(), 2..=3).prop_map(TypedExpr::Or),
            inner.prop_map(|e| TypedExpr::Not(Box::new(e))),
        ]
    })
    .boxed()
}

/// A `$filter` on `def`: root comparisons, `true`/`false`, and per collection `any()`,
/// `collection/$count` and `any`/`all` lambdas (not nested) over its items.
pub fn filter(def: &'static ResourceDef, pool: &[i64]) -> BoxedStrategy<TypedExpr> {
    let constant = || any::<bool>().prop_map(TypedExpr::Constant).boxed();
    let mut leaves = vec![(6, comparison(def, pool, None)), (1, constant())];
    for (collection, item) in collections(def) {
        leaves.push((
            1,
            Just(TypedExpr::Any {
                collection,
                predicate: None,
            })
            .boxed(),
        ));
        let body = logic(
            Union::new_weighted(vec![
                (8, comparison(def, pool, Some(item))),
                (1, constant()),
            ])
            .boxed(),
        );
        let bodies = match enum_test(item) {
            Some(test) => prop_oneof![3 => body, 1 => test].boxed(),
            None => body,
        };
        let lambda = (any::<bool>(), bodies).prop_map(move |(any, body)| {
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
        leaves.push((4, lambda.boxed()));
    }
    logic(Union::new_weighted(leaves).boxed())
}

/// Replaces id placeholders: `{k}e` is the id of object `k` (modulo the number of ids), `u` the
/// same upper-cased, `p` its first 8 characters, `x` it followed by `0`.
pub fn resolve_ids(expr: &mut TypedExpr, ids: &[String]) {
    map_strings(expr, &mut |text| {
        let Some(code) = text.strip_prefix(ID_PLACEHOLDER) else {
            return;
        };
        let (k, variant) = code.split_at(code.len() - 1);
        let id = &ids[k.parse::<usize>().expect("placeholder index") % ids.len()];
        *text = match variant {
            "u" => id.to_uppercase(),
            "p" => id[..8].to_owned(),
            "x" => format!("{id}0"),
            _ => id.clone(),
        };
    });
}

/// Calls `change` on every string literal of `expr` (and `startswith`'s prefix).
pub fn map_strings(expr: &mut TypedExpr, change: &mut impl FnMut(&mut String)) {
    let mut constant = |c: &mut Constant| {
        if let Constant::String(text) = c {
            change(text);
        }
    };
    match expr {
        TypedExpr::Compare { left, right, .. } => {
            for operand in [left, right] {
                if let Operand::Constant(c) = operand {
                    constant(c);
                }
            }
        }
        TypedExpr::In { operand, values } => {
            if let Operand::Constant(c) = operand {
                constant(c);
            }
            values.iter_mut().for_each(constant);
        }
        TypedExpr::And(items) | TypedExpr::Or(items) => {
            items.iter_mut().for_each(|item| map_strings(item, change));
        }
        TypedExpr::Not(inner)
        | TypedExpr::Any {
            predicate: Some(inner),
            ..
        }
        | TypedExpr::All {
            predicate: inner, ..
        } => map_strings(inner, change),
        TypedExpr::StartsWith { prefix, .. } => change(prefix),
        TypedExpr::Constant(_)
        | TypedExpr::Any {
            predicate: None, ..
        } => {}
    }
}
