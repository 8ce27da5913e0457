//! How the stores keep a collection of a complex type: compact JSON, one object per item with
//! the type's properties in order (`[{"licenseType":"premiumP1","totalLicenseCount":100,…}]`,
//! the form serde wrote for the first resource, so data stored before reads the same).
//!
//! A response copies that text as it is, adding each item's `@odata.type` after its `{`, when
//! the type is [`copyable`]: a page's objects then cost no parse and no re-writing (a sixth of
//! a report page's time when they were decoded and written again).

use serde_json::Value as Json;
use tally_odata::schema::{ComplexType, Type};
use tally_odata::DateTimeOffset;

use crate::value::{Item, Value};
use crate::wire::push_json_str;

/// The stored text of `items`.
pub fn encode(ty: &ComplexType, items: &[Item]) -> String {
    let mut out = Vec::with_capacity(2 + items.len() * 96);
    out.push(b'[');
    for (index, item) in items.iter().enumerate() {
        if index > 0 {
            out.push(b',');
        }
        out.push(b'{');
        for (position, (property, value)) in ty.properties.iter().zip(&item.0).enumerate() {
            if position > 0 {
                out.push(b',');
            }
            push_json_str(&mut out, property.name);
            out.push(b':');
            crate::wire::write_scalar(value, &mut out);
        }
        out.push(b'}');
    }
    out.push(b']');
    String::from_utf8(out).unwrap_or_default()
}

/// Whether a response may copy `ty`'s stored items: none of its properties is a free string,
/// so the only `{` bytes in the text open its objects.
pub fn copyable(ty: &ComplexType) -> bool {
    ty.properties.iter().all(|p| !matches!(p.ty, Type::String))
}

/// Whether `text` has [`encode`]'s frame for `ty`: `[]`, or objects that open with the type's
/// first property inside `[…]`. Only [`encode`] writes the column, so this is no validation of
/// the inside: it tells that form from any other (a database's normalised JSON, a later
/// version's), which is then decoded rather than copied.
pub fn is_encoding(ty: &ComplexType, text: &[u8]) -> bool {
    if text == b"[]" {
        return true;
    }
    let Some(first) = ty.properties.first() else {
        return false;
    };
    let head = text
        .strip_prefix(b"[{\"")
        .and_then(|rest| rest.strip_prefix(first.name.as_bytes()))
        .is_some_and(|rest| rest.starts_with(b"\":"));
    head && text.ends_with(b"}]")
}

/// The items of a stored collection (any JSON array of objects keyed by property name; an
/// absent property is null).
pub fn decode(ty: &ComplexType, text: &[u8]) -> Result<Vec<Item>, String> {
    let json: Json = serde_json::from_slice(text).map_err(|error| error.to_string())?;
    let Json::Array(array) = json else {
        return Err("not a JSON array".into());
    };
    array
        .iter()
        .map(|item| {
            let Json::Object(object) = item else {
                return Err("an item is not a JSON object".to_owned());
            };
            ty.properties
                .iter()
                .map(|property| match object.get(property.name) {
                    None | Some(Json::Null) => Ok(Value::Null),
                    Some(json) => scalar(property.ty, json)
                        .ok_or_else(|| format!("{}: unexpected {json}", property.name)),
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Item)
        })
        .collect()
}

fn scalar(ty: Type, json: &Json) -> Option<Value> {
    Some(match ty {
        Type::String => Value::String(json.as_str()?.into()),
        Type::Guid => Value::String(
            uuid::Uuid::parse_str(json.as_str()?)
                .ok()?
                .to_string()
                .into(),
        ),
        Type::Boolean => Value::Boolean(json.as_bool()?),
        Type::Int32 => Value::Int(i32::try_from(json.as_i64()?).ok()?),
        Type::DateTimeOffset => Value::DateTimeOffset(DateTimeOffset::parse(json.as_str()?).ok()?),
        Type::Enum(ty) => Value::Enum(ty.member(json.as_str()?)?),
        // Report items hold none of these (the directory's types are read by its own code).
        Type::Collection(_)
        | Type::Int64
        | Type::Decimal
        | Type::Complex(_)
        | Type::Primitives(_) => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::LICENSE_USAGE;

    fn detail_type() -> &'static ComplexType {
        match LICENSE_USAGE.entity.properties[2].ty {
            Type::Collection(ty) => ty,
            _ => unreachable!(),
        }
    }

    #[test]
    fn the_encoding_is_what_serde_wrote_for_the_first_resource() {
        let items = vec![
            Item(vec![
                Value::Enum("premiumP1"),
                Value::Int(100),
                Value::Null,
                Value::Int(0),
            ]),
            Item(vec![
                Value::Enum("free"),
                Value::Int(i32::MAX),
                Value::Int(1),
                Value::Null,
            ]),
        ];
        let text = encode(detail_type(), &items);
        assert_eq!(
            text,
            r#"[{"licenseType":"premiumP1","totalLicenseCount":100,"totalAssignedCount":null,"totalUsageCount":0},{"licenseType":"free","totalLicenseCount":2147483647,"totalAssignedCount":1,"totalUsageCount":null}]"#
        );
        assert!(is_encoding(detail_type(), text.as_bytes()));
        assert_eq!(decode(detail_type(), text.as_bytes()).unwrap(), items);
        assert!(copyable(detail_type()));
    }

    #[test]
    fn other_forms_decode_but_are_not_the_encoding() {
        let spaced = br#"[{"totalUsageCount": 3, "licenseType": "basic"}]"#;
        assert!(!is_encoding(detail_type(), spaced));
        assert!(is_encoding(detail_type(), b"[]"));
        assert_eq!(
            decode(detail_type(), spaced).unwrap(),
            vec![Item(vec![
                Value::Enum("basic"),
                Value::Null,
                Value::Null,
                Value::Int(3)
            ])]
        );
        assert!(decode(detail_type(), br#"[{"licenseType":"String"}]"#).is_err());
        assert!(decode(detail_type(), b"{}").is_err());
    }
}
