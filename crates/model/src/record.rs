//! An object as a plain JSON record: its properties, without OData annotations, in the
//! description's order. The form `tally export` writes and `tally import` reads back (a POST
//! body with its `id`).

use serde_json::{Map, Value as Json};
use tally_odata::schema::{EntityType, Type};

use crate::collection_json;
use crate::value::{Collection, Entity, Item, Value};

/// The record of `entity`, an object of `ty` (a stored collection is decoded).
pub fn to_record(ty: &EntityType, entity: &Entity) -> Result<Json, String> {
    let mut object = Map::new();
    object.insert("id".into(), Json::String(entity.id.to_string()));
    for (property, value) in ty.properties[1..].iter().zip(entity.values()) {
        let json = match (property.ty, value) {
            (Type::Collection(item_type), Value::Collection(collection)) => {
                let decoded;
                let items: &[Item] = match collection {
                    Collection::Items(items) => items,
                    Collection::Stored(text) => {
                        decoded = collection_json::decode(item_type, text)?;
                        &decoded
                    }
                };
                Json::Array(
                    items
                        .iter()
                        .map(|item| {
                            let fields = item_type
                                .properties
                                .iter()
                                .zip(&item.0)
                                .map(|(p, v)| (p.name.to_owned(), scalar(v)))
                                .collect();
                            Json::Object(fields)
                        })
                        .collect(),
                )
            }
            _ => scalar(value),
        };
        object.insert(property.name.to_owned(), json);
    }
    Ok(Json::Object(object))
}

fn scalar(value: &Value) -> Json {
    match value {
        Value::Null | Value::Collection(_) => Json::Null,
        Value::String(text) => Json::String(text.to_string()),
        Value::Int(number) => Json::from(*number),
        Value::DateTimeOffset(at) => Json::String(at.as_str().to_owned()),
        Value::Enum(member) => Json::String((*member).to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::LICENSE_USAGE;
    use crate::validate::parse_import;

    #[test]
    fn a_record_imports_back_to_the_same_object() {
        let text = br#"{"id":"0b4a7c52-4a6e-4d4f-9a39-2c8a3c1f9d11","snapshotDateTime":"2016-12-31T23:56:55.0631898+03:00","licenseInfoDetails":[{"licenseType":"premiumP2","totalLicenseCount":1,"totalAssignedCount":null,"totalUsageCount":0}]}"#;
        let ty = LICENSE_USAGE.entity;
        let (id, new) = parse_import(ty, text).unwrap();
        let entity = new.with_id(id.unwrap());
        let record = to_record(ty, &entity).unwrap();
        assert_eq!(
            record,
            serde_json::from_slice::<Json>(text).unwrap(),
            "every property, in order, nulls included"
        );
    }
}
