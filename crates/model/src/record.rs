//! An object as a plain JSON record: its properties, without OData annotations, in the
//! description's order. The form `tally export` writes and `tally import` reads back (a POST
//! body with its `id`).

use tally_odata::schema::{EntityType, Type};

use crate::stored_items;
use crate::value::{Collection, Entity, Item, Value};
use crate::wire::{push_json_str, write_scalar};

/// Appends the record of `entity`, an object of `ty`, to `out` (a stored collection is decoded).
pub fn write_record(ty: &EntityType, entity: &Entity, out: &mut Vec<u8>) -> Result<(), String> {
    out.extend_from_slice(b"{\"id\":\"");
    let mut id = [0u8; uuid::fmt::Hyphenated::LENGTH];
    out.extend_from_slice(entity.id.hyphenated().encode_lower(&mut id).as_bytes());
    out.push(b'"');
    for (property, value) in ty.properties[1..].iter().zip(entity.values()) {
        out.push(b',');
        push_json_str(out, property.name);
        out.push(b':');
        match (property.ty, value) {
            (Type::Collection(item_type), Value::Collection(collection)) => {
                let decoded;
                let items: &[Item] = match collection {
                    Collection::Items(items) => items,
                    Collection::Stored(text) => {
                        decoded = stored_items::decode(item_type, text)?;
                        &decoded
                    }
                };
                out.push(b'[');
                for (index, item) in items.iter().enumerate() {
                    if index > 0 {
                        out.push(b',');
                    }
                    out.push(b'{');
                    for (position, (p, v)) in item_type.properties.iter().zip(&item.0).enumerate() {
                        if position > 0 {
                            out.push(b',');
                        }
                        push_json_str(out, p.name);
                        out.push(b':');
                        write_scalar(v, out);
                    }
                    out.push(b'}');
                }
                out.push(b']');
            }
            _ => write_scalar(value, out),
        }
    }
    out.push(b'}');
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::LICENSE_USAGE;
    use crate::validate::parse_import;

    #[test]
    fn a_record_imports_back_to_the_same_object_and_text() {
        let text = br#"{"id":"0b4a7c52-4a6e-4d4f-9a39-2c8a3c1f9d11","snapshotDateTime":"2016-12-31T23:56:55.0631898+03:00","licenseInfoDetails":[{"licenseType":"premiumP2","totalLicenseCount":1,"totalAssignedCount":null,"totalUsageCount":0}]}"#;
        let ty = LICENSE_USAGE.entity;
        let (id, new) = parse_import(ty, text).unwrap();
        let entity = new.with_id(id.unwrap());
        let mut record = Vec::new();
        write_record(ty, &entity, &mut record).unwrap();
        assert_eq!(
            String::from_utf8(record).unwrap(),
            String::from_utf8(text.to_vec()).unwrap(),
            "every property, in order, nulls included"
        );
    }
}
