//! Random values of a resource's properties, built from its description: DateTimeOffsets
//! from a small per-case pool of instants (so values and literals often name the same instant,
//! spelled with different offsets and 0–7 fractional digits, or one tick beside it), strings
//! from a small pool and alphabet (so that `eq` hits), Int32s at the edges, enum members, nulls
//! where nullable, collections of 0–4 items that respect the type's unique property.

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;
use tally_model::resources::ResourceDef;
use tally_model::{Collection, Item, NewEntity, Value};
use tally_odata::schema::{ComplexType, Type};
use tally_odata::DateTimeOffset;

pub const TICKS_PER_SECOND: i64 = 10_000_000;
/// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.9999999Z, the ends of the range.
const MIN_TICKS: i64 = -62_135_596_800 * TICKS_PER_SECOND;
const MAX_TICKS: i64 = 253_402_300_800 * TICKS_PER_SECOND - 1;
const ZONES: [&str; 12] = [
    "Z", "Z", "+00:00", "-00:00", "+03:00", "-03:00", "+05:30", "+05:45", "-09:30", "+14:00",
    "-14:00", "+13:59",
];
/// Fractions of a second (in ticks) the pool's instants have: 0 to 7 significant digits.
pub const FRACTIONS: [i64; 7] = [0, 0, 1, 5_000_000, 1_234_567, 1_234_000, 1_234_560];
/// Strings values and literals: case, a quote, bytes beyond ASCII (`Ａ` sorts before `𝄞` in
/// byte order but after it in UTF-16 order), digits that sort unlike numbers.
const STRINGS: [&str; 17] = [
    "",
    "a",
    "a",
    "b",
    "ab",
    "A",
    "Z",
    "O'Brien",
    "'",
    "é",
    "Ａ",
    "𝄞",
    "0",
    "10",
    "9",
    "free",
    "00000000-0000-0000-0000-000000000000",
];
const ALPHABET: [char; 5] = ['a', 'b', 'A', '\'', 'é'];
const INT32S: [i32; 12] = [0, 0, 0, 1, 1, 2, 5, 10, 100, i32::MAX, -1, i32::MIN];
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
pub fn instant(pool: &[i64], moves: &'static [i64]) -> impl Strategy<Value = DateTimeOffset> {
    let ticks = prop_oneof![
        12 => (select(pool.to_vec()), select(moves)).prop_map(|(t, m)| t + m),
        1 => select(&[MIN_TICKS, MAX_TICKS, 0][..]),
    ];
    (ticks, select(&ZONES[..]), 0..=3_usize, any::<bool>())
        .prop_map(|(ticks, zone, extra, short)| spell(ticks, zone, extra, short))
}

/// The GUIDs of generated values (a few, so that comparisons find equals).
pub const GUIDS: [&str; 3] = [
    "41781fb2-bc02-4b7c-bd55-b576c07bb09d",
    "eec0eb4f-6444-4f95-aba0-50c24d67f998",
    "00000000-0000-0000-0000-000000000000",
];

pub fn string() -> BoxedStrategy<String> {
    prop_oneof![
        4 => select(&STRINGS[..]).prop_map(str::to_owned),
        1 => vec(select(&ALPHABET[..]), 0..=3).prop_map(|chars| chars.into_iter().collect()),
    ]
    .boxed()
}

/// A value of a property of type `ty`: null only where `nullable`, no Int32 below `minimum`.
fn value(ty: Type, nullable: bool, minimum: Option<i32>, pool: &[i64]) -> BoxedStrategy<Value> {
    let typed = match ty {
        Type::String => string().prop_map(|s| Value::String(s.into())).boxed(),
        Type::Int32 => {
            let allowed: Vec<i32> = INT32S
                .into_iter()
                .chain(minimum)
                .filter(|n| minimum.is_none_or(|minimum| *n >= minimum))
                .collect();
            select(allowed).prop_map(Value::Int).boxed()
        }
        Type::DateTimeOffset => instant(pool, &[0, 0, 0, 1, -1, -1])
            .prop_map(Value::DateTimeOffset)
            .boxed(),
        Type::Enum(ty) => select(ty.members).prop_map(Value::Enum).boxed(),
        Type::Collection(item) => {
            let values: Vec<_> = item
                .properties
                .iter()
                .map(|p| value(p.ty, p.nullable, p.minimum, pool))
                .collect();
            return vec(values.prop_map(Item), 0..=4)
                .prop_map(move |items| Value::Collection(Collection::Items(unique(item, items))))
                .boxed();
        }
        Type::Boolean => any::<bool>().prop_map(Value::Boolean).boxed(),
        Type::Decimal => (0..=10_000_000_i64)
            .prop_map(|n| Value::Decimal(tally_odata::Decimal::from_ten_thousandths(n)))
            .boxed(),
        Type::Guid => select(&GUIDS[..])
            .prop_map(|guid| Value::String(guid.into()))
            .boxed(),
        Type::Int64 | Type::Complex(_) | Type::Primitives(_) => {
            panic!("no described resource has a {} property", ty.describe())
        }
    };
    if nullable {
        prop_oneof![1 => Just(Value::Null), 3 => typed].boxed()
    } else {
        typed
    }
}

/// `items` without those whose value of the type's unique property an earlier one has.
fn unique(ty: &ComplexType, mut items: Vec<Item>) -> Vec<Item> {
    if let Some(name) = ty.unique {
        let mut seen = Vec::new();
        items.retain(|item| {
            let value = item.get(ty, name).clone();
            let new = !seen.contains(&value);
            seen.push(value);
            new
        });
    }
    items
}

/// A valid body of `def`: a value for every property after `id`.
pub fn object(def: &'static ResourceDef, pool: &[i64]) -> impl Strategy<Value = NewEntity> {
    let values: Vec<_> = def.entity.properties[1..]
        .iter()
        .map(|p| value(p.ty, p.nullable, p.minimum, pool))
        .collect();
    values.prop_map(NewEntity)
}
