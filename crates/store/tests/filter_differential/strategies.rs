//! Random datasets and random well-typed `$filter` trees and `$orderby` texts over them.
//!
//! Instants come from a small per-case pool, so that snapshots and literals often name the same
//! instant (spelled with different offsets and fractions) or one tick beside it. String literals
//! compared with `id` are mostly placeholders for the ids the store will assign (see
//! [`resolve_ids`]).

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;
use tally_model::{LicenseInfoDetail, LicenseType, NewLicenseUsage};
use tally_odata::query::{
    CompareOp, Constant, DetailField, Operand, TypedExpr, LICENSE_TYPE_MEMBERS,
};
use tally_odata::DateTimeOffset;

const TICKS_PER_SECOND: i64 = 10_000_000;
/// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.9999999Z, the ends of the range.
const MIN_TICKS: i64 = -62_135_596_800 * TICKS_PER_SECOND;
const MAX_TICKS: i64 = 253_402_300_800 * TICKS_PER_SECOND - 1;
const ZONES: [&str; 12] = [
    "Z", "Z", "+00:00", "-00:00", "+03:00", "-03:00", "+05:30", "+05:45", "-09:30", "+14:00",
    "-14:00", "+13:59",
];
/// Starts a string literal that [`resolve_ids`] replaces with (a variant of) a stored id.
const ID_PLACEHOLDER: char = '\u{1}';
const STRINGS: [&str; 9] = [
    "",
    "0",
    "a",
    "zzz",
    "O'Brien",
    "é",
    "premiumP2",
    "00000000-0000-0000-0000-000000000000",
    "ffffffff-ffff-ffff-ffff-ffffffffffff",
];
const INTS: [i64; 19] = [
    -1,
    0,
    0,
    1,
    1,
    2,
    3,
    4,
    5,
    5,
    9,
    10,
    10,
    11,
    100,
    i32::MAX as i64,
    i32::MAX as i64 + 1,
    i64::MAX,
    i64::MIN,
];
const COUNTS: [Option<i32>; 9] = [
    None,
    None,
    None,
    Some(0),
    Some(1),
    Some(5),
    Some(10),
    Some(100),
    Some(i32::MAX),
];

/// One dataset (and a decoy in another tenant) with the reads to check on it.
#[derive(Clone, Debug)]
pub struct Case {
    pub objects: Vec<NewLicenseUsage>,
    pub decoy: NewLicenseUsage,
    pub reads: Vec<Read>,
}

/// One list-and-count of the dataset.
#[derive(Clone, Debug)]
pub struct Read {
    pub filter: Option<TypedExpr>,
    /// `$orderby` text, empty for none.
    pub orderby: String,
    pub page_size: usize,
    pub skip: u64,
    /// Write license types as plain strings (`'free'`), which the binder turns into members.
    pub plain_enums: bool,
    /// The report function's window: only snapshots at or after this instant.
    pub since_ticks: Option<i64>,
}

/// A dataset and its reads; `id_in_lambdas` lets lambdas compare `id` too.
pub fn case(max_reads: usize, id_in_lambdas: bool) -> impl Strategy<Value = Case> {
    let instant = (
        -2_208_988_800_i64..4_102_444_800,
        select(&[0, 0, 1, 5_000_000, 1_234_567][..]),
    )
        .prop_map(|(seconds, fraction)| seconds * TICKS_PER_SECOND + fraction);
    vec(instant, 1..=4).prop_flat_map(move |pool| {
        let objects = prop_oneof![
            1 => vec(object(pool.clone()), 0..=1),
            6 => vec(object(pool.clone()), 2..=10),
        ];
        (
            objects,
            object(pool.clone()),
            vec(read(pool, id_in_lambdas), 1..=max_reads),
        )
            .prop_map(|(objects, decoy, reads)| Case {
                objects,
                decoy,
                reads,
            })
    })
}

/// `ticks` as `YYYY-MM-DDThh:mm[:ss[.f…]]` with `zone` (when the local time is in range), with
/// `extra` more fractional digits than needed, and without `:00` seconds when `short`.
fn spell(ticks: i64, zone: &str, extra: usize, short: bool) -> DateTimeOffset {
    let minutes = match zone.split_once(':') {
        Some((hours, minutes)) => {
            let total = hours[1..].parse::<i64>().unwrap_or(0) * 60 + minutes.parse().unwrap_or(0);
            if hours.starts_with('-') {
                -total
            } else {
                total
            }
        }
        None => 0,
    };
    let local = ticks + minutes * 60 * TICKS_PER_SECOND;
    let (local, zone) = if (MIN_TICKS..=MAX_TICKS).contains(&local) {
        (local, zone)
    } else {
        (ticks, "Z")
    };
    let canonical = DateTimeOffset::from_ticks(local).to_string();
    let (head, fraction) = canonical[..canonical.len() - 1]
        .split_once('.')
        .expect("from_ticks writes 7 fractional digits");
    let digits = (fraction.trim_end_matches('0').len() + extra).min(7);
    let mut text = head.to_owned();
    if digits > 0 {
        text = format!("{text}.{}", &fraction[..digits]);
    } else if short && text.ends_with(":00") {
        text.truncate(text.len() - 3);
    }
    text.push_str(zone);
    let value = DateTimeOffset::parse(&text).expect("a well-formed DateTimeOffset");
    assert_eq!(value.ticks(), ticks, "{text} names another instant");
    value
}

/// An instant from the pool, sometimes moved by a tick, a second or an hour, or an end of the
/// range; spelled at random.
fn instant(pool: Vec<i64>, moves: &'static [i64]) -> impl Strategy<Value = DateTimeOffset> {
    let ticks = prop_oneof![
        12 => (select(pool), select(moves)).prop_map(|(t, m)| t + m),
        1 => select(&[MIN_TICKS, MAX_TICKS, 0][..]),
    ];
    (ticks, select(&ZONES[..]), 0..3_usize, any::<bool>())
        .prop_map(|(ticks, zone, extra, short)| spell(ticks, zone, extra, short))
}

fn object(pool: Vec<i64>) -> impl Strategy<Value = NewLicenseUsage> {
    let detail = (
        select(&LicenseType::ALL[..]),
        select(&COUNTS[..]),
        select(&COUNTS[..]),
        select(&COUNTS[..]),
    )
        .prop_map(
            |(license_type, license, assigned, usage)| LicenseInfoDetail {
                license_type,
                total_license_count: license,
                total_assigned_count: assigned,
                total_usage_count: usage,
            },
        );
    let moves: &[i64] = &[0, 0, 0, 0, 1, -1];
    (instant(pool, moves), vec(detail, 0..=4)).prop_map(|(snapshot, mut details)| {
        let mut seen = Vec::new();
        details.retain(|d| {
            let new = !seen.contains(&d.license_type);
            seen.push(d.license_type);
            new
        });
        NewLicenseUsage {
            snapshot_date_time: snapshot,
            license_info_details: details,
        }
    })
}

fn read(pool: Vec<i64>, id_in_lambdas: bool) -> impl Strategy<Value = Read> {
    let orderby = (
        0..=2_usize,
        any::<bool>(),
        select(&["", " asc", " desc"][..]),
        select(&["", " asc", " desc"][..]),
        select(&[",", ", "][..]),
    )
        .prop_map(|(len, id_first, dir1, dir2, comma)| {
            let names = if id_first {
                ["id", "snapshotDateTime"]
            } else {
                ["snapshotDateTime", "id"]
            };
            let items = [format!("{}{dir1}", names[0]), format!("{}{dir2}", names[1])];
            items[..len].join(comma)
        });
    let page_size = select(&[1_usize, 2, 3, 3, 100][..]);
    let skip = select(&[0_u64, 0, 0, 0, 1, 2, 5][..]);
    let since = (select(pool.clone()), select(&[0, 1, -1][..])).prop_map(|(t, m)| t + m);
    let since_ticks = proptest::option::weighted(0.2, since);
    let filter = proptest::option::weighted(0.9, filter(pool, id_in_lambdas));
    let plain_enums = proptest::bool::weighted(0.3);
    (filter, orderby, page_size, skip, plain_enums, since_ticks).prop_map(
        |(filter, orderby, page_size, skip, plain_enums, since_ticks)| Read {
            filter,
            orderby,
            page_size,
            skip,
            plain_enums,
            since_ticks,
        },
    )
}

/// The type of a comparison operand.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Str,
    Time,
    Int,
    Member,
}

/// The properties a comparison may read: inside a lambda also the current detail's fields
/// (listed twice there, to be read more often).
fn properties(in_lambda: bool, id_in_lambdas: bool) -> Vec<(Operand, Kind)> {
    let mut properties = vec![
        (Operand::SnapshotDateTime, Kind::Time),
        (Operand::DetailCount, Kind::Int),
    ];
    if !in_lambda || id_in_lambdas {
        properties.push((Operand::Id, Kind::Str));
    }
    if in_lambda {
        for _ in 0..2 {
            properties.push((Operand::Detail(DetailField::LicenseType), Kind::Member));
            for field in &DetailField::ALL[1..] {
                properties.push((Operand::Detail(*field), Kind::Int));
            }
        }
    }
    properties
}

/// A literal of `kind`, or `null`.
fn constant(kind: Kind, pool: Vec<i64>) -> BoxedStrategy<Constant> {
    let typed = match kind {
        Kind::Str => prop_oneof![
            3 => (0..11_usize, select(&['e', 'u', 'p', 'x'][..]))
                .prop_map(|(k, variant)| format!("{ID_PLACEHOLDER}{k}{variant}")),
            1 => select(&STRINGS[..]).prop_map(str::to_owned),
        ]
        .prop_map(Constant::String)
        .boxed(),
        Kind::Time => instant(
            pool,
            &[0, 0, 1, -1, TICKS_PER_SECOND, -3600 * TICKS_PER_SECOND],
        )
        .prop_map(Constant::DateTimeOffset)
        .boxed(),
        Kind::Int => select(&INTS[..]).prop_map(Constant::Int).boxed(),
        Kind::Member => select(&LICENSE_TYPE_MEMBERS[..])
            .prop_map(Constant::LicenseType)
            .boxed(),
    };
    prop_oneof![1 => Just(Constant::Null), 5 => typed].boxed()
}

/// A comparison or `in`, well typed: ordering operators never on license types.
fn comparison(pool: Vec<i64>, in_lambda: bool, id_in_lambdas: bool) -> BoxedStrategy<TypedExpr> {
    select(properties(in_lambda, id_in_lambdas))
        .prop_flat_map(move |(property, kind)| {
            let same_kind: Vec<Operand> = properties(in_lambda, id_in_lambdas)
                .into_iter()
                .filter(|(_, k)| *k == kind)
                .map(|(operand, _)| operand)
                .collect();
            let ops = if kind == Kind::Member {
                vec![CompareOp::Eq, CompareOp::Ne]
            } else {
                CompareOp::ALL.to_vec()
            };
            let (op, value) = (select(ops), constant(kind, pool.clone()));
            let compare = |op, left, right| TypedExpr::Compare { op, left, right };
            let p = property.clone();
            prop_oneof![
                6 => (op.clone(), value.clone(), any::<bool>()).prop_map(move |(op, c, swap)| {
                    let (a, b) = (p.clone(), Operand::Constant(c));
                    if swap { compare(op, b, a) } else { compare(op, a, b) }
                }),
                1 => (op.clone(), select(same_kind)).prop_map({
                    let p = property.clone();
                    move |(op, other)| compare(op, p.clone(), other)
                }),
                1 => (op, value.clone(), value.clone()).prop_map(move |(op, a, b)| {
                    compare(op, Operand::Constant(a), Operand::Constant(b))
                }),
                2 => (vec(value.clone(), 1..=4), value, proptest::bool::weighted(0.2)).prop_map(
                    move |(values, c, on_constant)| TypedExpr::In {
                        operand: if on_constant { Operand::Constant(c) } else { property.clone() },
                        values,
                    }
                ),
            ]
        })
        .boxed()
}

/// `and`, `or` and `not` over `leaf`.
fn logic(leaf: BoxedStrategy<TypedExpr>) -> BoxedStrategy<TypedExpr> {
    leaf.prop_recursive(3, 16, 3, |inner| {
        prop_oneof![
            vec(inner.clone(), 2..=3).prop_map(TypedExpr::And),
            vec(inner.clone(), 2..=3).prop_map(TypedExpr::Or),
            inner.prop_map(|e| TypedExpr::Not(Box::new(e))),
        ]
    })
    .boxed()
}

/// A `$filter`: root comparisons, `true`/`false`, `any()`, and `any`/`all` lambdas (not nested).
pub fn filter(pool: Vec<i64>, id_in_lambdas: bool) -> BoxedStrategy<TypedExpr> {
    let body = logic(
        prop_oneof![
            8 => comparison(pool.clone(), true, id_in_lambdas),
            1 => any::<bool>().prop_map(TypedExpr::Constant),
        ]
        .boxed(),
    );
    logic(
        prop_oneof![
            6 => comparison(pool, false, id_in_lambdas),
            1 => any::<bool>().prop_map(TypedExpr::Constant),
            1 => Just(TypedExpr::Any(None)),
            3 => (any::<bool>(), body).prop_map(|(any, body)| if any {
                TypedExpr::Any(Some(Box::new(body)))
            } else {
                TypedExpr::All(Box::new(body))
            }),
        ]
        .boxed(),
    )
}

/// Replaces id placeholders: `{k}e` is the id of object `k` (modulo the number of ids), `u` the
/// same upper-cased, `p` its first 8 characters, `x` it followed by `0`.
pub fn resolve_ids(expr: &mut TypedExpr, ids: &[String]) {
    let constant = |c: &mut Constant| {
        let Constant::String(text) = c else { return };
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
    };
    let operand = |o: &mut Operand| {
        if let Operand::Constant(c) = o {
            constant(c);
        }
    };
    match expr {
        TypedExpr::Compare { left, right, .. } => {
            operand(left);
            operand(right);
        }
        TypedExpr::In { operand: o, values } => {
            operand(o);
            values.iter_mut().for_each(constant);
        }
        TypedExpr::And(items) | TypedExpr::Or(items) => {
            items.iter_mut().for_each(|item| resolve_ids(item, ids));
        }
        TypedExpr::Not(inner) | TypedExpr::Any(Some(inner)) | TypedExpr::All(inner) => {
            resolve_ids(inner, ids);
        }
        TypedExpr::Constant(_) | TypedExpr::Any(None) => {}
    }
}
