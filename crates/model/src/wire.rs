//! The JSON form of an object in responses: OData annotations, the properties in the
//! description's order, and `$select`.
//!
//! Written by hand rather than through serde: constant keys and annotations are copied as they
//! are and numbers formatted with `itoa`, where serde escaped every key and annotation byte by
//! byte (a tenth of a report page's time in a profile). Collections still in the store's
//! compact JSON are copied with each item's annotation added ([`crate::collection_json`]). The
//! tests hold the same shape written with serde as the reference, byte for byte.

use tally_odata::query::Selection;
use tally_odata::schema::{EntityType, Type};

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
        out.extend_from_slice(b",\"id\":\"");
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
                (Type::Collection(item_type), Value::Collection(collection)) => {
                    let annotation = item_annotation(item_type.name);
                    match collection {
                        Collection::Items(items) => {
                            write_items(item_type.properties, items, &annotation, out)
                        }
                        Collection::Stored(json) => write_stored_items(json, &annotation, out),
                    }
                }
                _ => write_scalar(value, out),
            }
        }
        out.push(b'}');
    }
}

/// `"@odata.type":"microsoft.graph.x"`, as each item of a collection carries it (without `#`,
/// as the seed's response writes it).
fn item_annotation(type_name: &str) -> Vec<u8> {
    let mut annotation = b"\"@odata.type\":\"".to_vec();
    annotation.extend_from_slice(type_name.as_bytes());
    annotation.push(b'"');
    annotation
}

fn write_items(
    properties: &[tally_odata::schema::Property],
    items: &[Item],
    annotation: &[u8],
    out: &mut Vec<u8>,
) {
    out.push(b'[');
    for (index, item) in items.iter().enumerate() {
        if index > 0 {
            out.push(b',');
        }
        out.push(b'{');
        out.extend_from_slice(annotation);
        for (property, value) in properties.iter().zip(&item.0) {
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
/// annotation is missing (the store hands over only [`crate::collection_json::copyable`] ones).
fn write_stored_items(mut json: &[u8], annotation: &[u8], out: &mut Vec<u8>) {
    while let Some(brace) = memchr::memchr(b'{', json) {
        out.extend_from_slice(&json[..=brace]);
        out.extend_from_slice(annotation);
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
