//! The JSON form of an object in responses: OData annotations, the properties in the
//! description's order, and `$select`.
//!
//! Written by hand rather than through serde: constant keys and annotations are copied as they
//! are and numbers formatted with `itoa`, where serde escaped every key and annotation byte by
//! byte (a tenth of a report page's time in a profile). Collections still in the store's
//! compact JSON are copied with each item's annotation added ([`crate::stored_items`]). The
//! tests hold the same shape written with serde as the reference, byte for byte.

use tally_odata::query::Selection;
use tally_odata::schema::{ComplexType, EntityType, Type};

use crate::etag::EntityTag;
use crate::value::{Collection, Entity, Item, Value};

/// One object as the wire shows it.
pub struct EntityJson<'a> {
    pub ty: &'static EntityType,
    pub entity: &'a Entity,
    pub etag: Option<EntityTag>,
    /// `@odata.context`, present on single-object responses only.
    pub context: Option<&'a str>,
    /// `None`: every property.
    pub selection: Option<&'a Selection>,
}

impl<'a> EntityJson<'a> {
    /// An object without `@odata.context` or an ETag, every property selected.
    pub fn of(ty: &'static EntityType, entity: &'a Entity) -> Self {
        Self {
            ty,
            entity,
            etag: None,
            context: None,
            selection: None,
        }
    }

    /// Appends this object's JSON to `out`.
    pub fn write_to(&self, out: &mut Vec<u8>) {
        out.push(b'{');
        if let Some(context) = self.context {
            out.extend_from_slice(b"\"@odata.context\":");
            push_json_str(out, context);
            out.push(b',');
        }
        out.extend_from_slice(b"\"@odata.type\":\"#");
        out.extend_from_slice(self.ty.name.as_bytes());
        out.push(b'"');
        if let Some(etag) = self.etag {
            out.extend_from_slice(b",\"@odata.etag\":\"W/\\\"");
            out.extend_from_slice(itoa::Buffer::new().format(etag.0).as_bytes());
            out.extend_from_slice(b"\\\"\"");
        }
        out.extend_from_slice(b",\"");
        out.extend_from_slice(self.ty.key().name.as_bytes());
        out.extend_from_slice(b"\":\"");
        let mut id = [0u8; uuid::fmt::Hyphenated::LENGTH];
        out.extend_from_slice(self.entity.id.hyphenated().encode_lower(&mut id).as_bytes());
        out.push(b'"');
        for (property, value) in self.ty.properties[1..].iter().zip(self.entity.values()) {
            if self.selection.is_some_and(|s| !s.includes(property)) {
                continue;
            }
            out.extend_from_slice(b",\"");
            out.extend_from_slice(property.name.as_bytes());
            out.extend_from_slice(b"\":");
            match (property.ty, value) {
                (Type::Collection(item_type), Value::Collection(collection)) => match collection {
                    Collection::Items(items) => write_items(item_type, items, out),
                    Collection::Stored(json) => write_stored_items(json, item_type.name, out),
                },
                _ => write_scalar(value, out),
            }
        }
        out.push(b'}');
    }
}

/// `"@odata.type":"microsoft.graph.x"`, as each item of a collection carries it (without `#`,
/// as the seed's response writes it).
fn write_item_annotation(type_name: &str, out: &mut Vec<u8>) {
    out.extend_from_slice(b"\"@odata.type\":\"");
    out.extend_from_slice(type_name.as_bytes());
    out.push(b'"');
}

fn write_items(ty: &ComplexType, items: &[Item], out: &mut Vec<u8>) {
    out.push(b'[');
    for (index, item) in items.iter().enumerate() {
        if index > 0 {
            out.push(b',');
        }
        out.push(b'{');
        write_item_annotation(ty.name, out);
        for (property, value) in ty.properties.iter().zip(&item.0) {
            out.extend_from_slice(b",\"");
            out.extend_from_slice(property.name.as_bytes());
            out.extend_from_slice(b"\":");
            write_scalar(value, out);
        }
        out.push(b'}');
    }
    out.push(b']');
}

/// The store's compact form already has the wire's keys, order and numbers; only each item's
/// annotation is missing (the store hands over only [`crate::stored_items::copyable`] ones).
fn write_stored_items(mut json: &[u8], type_name: &str, out: &mut Vec<u8>) {
    while let Some(brace) = memchr::memchr(b'{', json) {
        out.extend_from_slice(&json[..=brace]);
        write_item_annotation(type_name, out);
        out.push(b',');
        json = &json[brace + 1..];
    }
    out.extend_from_slice(json);
}

/// Appends a value that is not a collection (a collection here writes `[]`: none nests).
pub(crate) fn write_scalar(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::String(text) => push_json_str(out, text),
        Value::Int(number) => out.extend_from_slice(itoa::Buffer::new().format(*number).as_bytes()),
        Value::Boolean(true) => out.extend_from_slice(b"true"),
        Value::Boolean(false) => out.extend_from_slice(b"false"),
        Value::Decimal(number) => out.extend_from_slice(number.to_string().as_bytes()),
        Value::DateTimeOffset(value) => push_json_str(out, value.as_str()),
        Value::Enum(member) => push_json_str(out, member),
        Value::Collection(_) => out.extend_from_slice(b"[]"),
    }
}

/// Appends `text` as a JSON string, escaped as serde_json escapes it.
pub fn push_json_str(out: &mut Vec<u8>, text: &str) {
    if text
        .bytes()
        .all(|byte| byte >= 0x20 && byte != b'"' && byte != b'\\')
    {
        out.push(b'"');
        out.extend_from_slice(text.as_bytes());
        out.push(b'"');
    } else if serde_json::to_writer(&mut *out, text).is_err() {
        unreachable!("writing to a Vec cannot fail");
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use tally_odata::query::select;
    use tally_odata::DateTimeOffset;
    use uuid::Uuid;

    use super::*;
    use crate::resources::{FEATURE_USAGE, LICENSE_USAGE};
    use crate::stored_items;

    fn usage(snapshot: &str, members: &[(&'static str, Option<i32>)]) -> Entity {
        let items = members
            .iter()
            .map(|(member, count)| {
                let count = count.map_or(Value::Null, Value::Int);
                Item(vec![Value::Enum(member), count.clone(), Value::Null, count])
            })
            .collect();
        Entity::new(
            Uuid::from_u128(7),
            vec![
                Value::DateTimeOffset(DateTimeOffset::parse(snapshot).unwrap()),
                Value::Collection(Collection::Items(items)),
            ],
        )
    }

    fn written(json: &EntityJson<'_>) -> String {
        let mut out = Vec::new();
        json.write_to(&mut out);
        String::from_utf8(out).unwrap()
    }

    /// `written` is `expected`'s JSON, and its keys come in Graph's order, `order`.
    fn assert_json(written: &str, expected: &serde_json::Value, order: &[&str]) {
        let parsed: serde_json::Value = serde_json::from_str(written).unwrap();
        assert_eq!(&parsed, expected, "{written}");
        let positions: Vec<usize> = order
            .iter()
            .map(|key| written.find(&format!("\"{key}\":")).unwrap())
            .collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{written}");
    }

    const ORDER: &[&str] = &[
        "@odata.type",
        "id",
        "snapshotDateTime",
        "licenseInfoDetails",
        "licenseType",
        "totalLicenseCount",
        "totalAssignedCount",
        "totalUsageCount",
    ];

    /// The writing is the JSON of the object, keys in the description's (Graph's) order.
    #[test]
    fn an_object_is_written_as_serde_would_in_graphs_order() {
        let ty = LICENSE_USAGE.entity;
        let entity = usage(
            "2016-12-31T23:56:55.0631898+03:00",
            &[("premiumP2", Some(i32::MAX)), ("free", None)],
        );
        let selection = select(ty, "licenseInfoDetails").unwrap();
        let cases = [
            (
                EntityJson::of(ty, &entity),
                json!({
                    "@odata.type": "#microsoft.graph.azureADLicenseUsage",
                    "id": "00000000-0000-0000-0000-000000000007",
                    "snapshotDateTime": "2016-12-31T23:56:55.0631898+03:00",
                    "licenseInfoDetails": [
                        { "@odata.type": "microsoft.graph.licenseInfoDetail", "licenseType": "premiumP2",
                          "totalLicenseCount": 2147483647, "totalAssignedCount": null, "totalUsageCount": 2147483647 },
                        { "@odata.type": "microsoft.graph.licenseInfoDetail", "licenseType": "free",
                          "totalLicenseCount": null, "totalAssignedCount": null, "totalUsageCount": null },
                    ],
                }),
            ),
            (
                EntityJson {
                    etag: Some(EntityTag(3)),
                    context: Some("https://h/v1.0/$metadata#x \"quoted\""),
                    selection: Some(&selection),
                    ..EntityJson::of(ty, &entity)
                },
                json!({
                    "@odata.context": "https://h/v1.0/$metadata#x \"quoted\"",
                    "@odata.type": "#microsoft.graph.azureADLicenseUsage",
                    "@odata.etag": "W/\"3\"",
                    "id": "00000000-0000-0000-0000-000000000007",
                    "licenseInfoDetails": [
                        { "@odata.type": "microsoft.graph.licenseInfoDetail", "licenseType": "premiumP2",
                          "totalLicenseCount": 2147483647, "totalAssignedCount": null, "totalUsageCount": 2147483647 },
                        { "@odata.type": "microsoft.graph.licenseInfoDetail", "licenseType": "free",
                          "totalLicenseCount": null, "totalAssignedCount": null, "totalUsageCount": null },
                    ],
                }),
            ),
        ];
        for (json, expected) in cases {
            let order = if json.selection.is_some() {
                [
                    "@odata.context",
                    "@odata.type",
                    "@odata.etag",
                    "id",
                    "licenseInfoDetails",
                ]
                .as_slice()
            } else {
                ORDER
            };
            assert_json(&written(&json), &expected, order);
        }
        let feature = Entity::new(
            Uuid::nil(),
            vec![
                Value::DateTimeOffset(DateTimeOffset::parse("2020-01-01T00:00Z").unwrap()),
                Value::String("a \"b\"\n{c}".into()),
                Value::Null,
            ],
        );
        assert_json(
            &written(&EntityJson::of(FEATURE_USAGE.entity, &feature)),
            &json!({
                "@odata.type": "#microsoft.graph.azureADFeatureUsage",
                "id": "00000000-0000-0000-0000-000000000000",
                "snapshotDateTime": "2020-01-01T00:00Z",
                "featureName": "a \"b\"\n{c}",
                "usage": null,
            }),
            &[
                "@odata.type",
                "id",
                "snapshotDateTime",
                "featureName",
                "usage",
            ],
        );
    }

    /// A collection copied from its stored JSON is written byte for byte as the decoded one.
    #[test]
    fn a_stored_collection_is_written_as_its_items_are() {
        let ty = LICENSE_USAGE.entity;
        let Type::Collection(item_type) = ty.properties[2].ty else {
            unreachable!()
        };
        for members in [
            &[][..],
            &[("none", Some(0))][..],
            &[
                ("basic", Some(1)),
                ("premiumP1", None),
                ("unknownFutureValue", Some(i32::MAX)),
            ][..],
        ] {
            let decoded = usage("2020-01-01T00:00:00Z", members);
            let stored_text = stored_items::encode(item_type, decoded.value(2).items());
            let stored = Entity::new(
                decoded.id,
                vec![
                    decoded.value(1).clone(),
                    Value::Collection(Collection::Stored(stored_text.into_bytes().into())),
                ],
            );
            assert_eq!(
                written(&EntityJson::of(ty, &stored)),
                written(&EntityJson::of(ty, &decoded)),
                "{members:?}"
            );
        }
    }
}
