//! The schemas of one resource: `X` (an object as returned), `XCreate` and `XPatch` (or `XPut`),
//! `XCollection`, and those of the types it uses: `Y` and `YInput` per complex type, one per enum.

use serde_json::{json, Map, Value};
use tally_odata::schema::{ComplexType, EntityType, EnumType, Property, Type};

use super::words::{self, noun, schema_name};
use super::{schema_ref, Object};
use crate::resources::{ResourceDef, Writes};

/// An OData DateTimeOffset as tally accepts and returns it.
const DATE_TIME_PATTERN: &str = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,7})?(Z|[+-][0-9]{2}:[0-9]{2})$";

/// Adds `def`'s schemas to `schemas`, each complex and enum type once however many resources
/// use it.
pub(super) fn add(schemas: &mut Object, def: &ResourceDef) {
    let name = schema_name(def.entity.short_name());
    schemas.insert(name.clone(), entity(def));
    match def.writes {
        Writes::PostPatchDelete => {
            schemas.insert(format!("{name}Create"), create(def));
            schemas.insert(format!("{name}Patch"), patch(def));
        }
        // A PUT's body is the whole object but its key, which the URL gives.
        Writes::PutDelete => {
            schemas.insert(format!("{name}Put"), create(def));
        }
    }
    schemas.insert(format!("{name}Collection"), collection(&name));
    for property in def.entity.properties {
        add_types(schemas, property, !property.read_only);
    }
}

/// Adds the schemas of `property`'s enum and complex types, with the input form of a complex
/// type when a body may carry it (`writable`).
fn add_types(schemas: &mut Object, property: &Property, writable: bool) {
    match property.ty {
        Type::Enum(ty) => {
            schemas
                .entry(schema_name(ty.short_name()))
                .or_insert_with(|| enumeration(ty));
        }
        Type::Collection(ty) | Type::Complex(ty) => {
            let name = schema_name(ty.short_name());
            if writable {
                schemas
                    .entry(format!("{name}Input"))
                    .or_insert_with(|| complex_input(ty));
            }
            if !schemas.contains_key(&name) {
                schemas.insert(name, complex(ty));
            }
            for property in ty.properties {
                add_types(schemas, property, writable);
            }
        }
        Type::String
        | Type::Int32
        | Type::Int64
        | Type::DateTimeOffset
        | Type::Boolean
        | Type::Guid
        | Type::Decimal
        | Type::Primitives(_) => {}
    }
}

/// Adds the schema of an entity type that is not a report's (the directory's) as returned, its
/// name the type's short name (`SubscribedSku`), and those of the types it uses. Its key is a
/// string (a subscribedSku's is `{tenantId}_{skuId}`); with `$select` only it is sure to be
/// there, and as Graph's directory may grow, other properties are allowed.
pub fn add_entity_type(schemas: &mut Object, ty: &'static EntityType) {
    let mut properties = annotations(ty);
    properties.insert(
        ty.key().name.into(),
        json!({ "type": "string", "readOnly": true }),
    );
    for property in &ty.properties[1..] {
        properties.insert(
            property.name.into(),
            property_schema(property, Body::Response),
        );
        add_types(schemas, property, true);
    }
    schemas.insert(
        schema_name(ty.short_name()),
        json!({
            "type": "object",
            "description": format!(
                "{} as returned. With $select only the selected properties (and the key) are present.",
                ty.name
            ),
            "properties": properties,
            "required": [ty.key().name],
        }),
    );
}

/// A request body that sets some of `ty`'s properties: every property but those `read_only`
/// names, `required` ones required. Other members are refused by the server with a 400 that
/// names them, so the schema lists only what is kept.
pub fn entity_input(ty: &'static EntityType, read_only: &[&str], required: &[&str]) -> Value {
    let mut properties = Map::new();
    properties.insert("@odata.type".into(), odata_type_input(ty.name));
    for property in ty.properties {
        if !read_only.contains(&property.name) {
            properties.insert(
                property.name.into(),
                property_schema(property, Body::Request),
            );
        }
    }
    without_empty_required(json!({
        "type": "object",
        "description": format!("{} in a request body.", ty.name),
        "properties": properties,
        "required": required,
    }))
}

/// The annotations every object of `ty` carries: `@odata.context` and `@odata.type`.
fn annotations(ty: &EntityType) -> Object {
    let mut properties = Map::new();
    properties.insert("@odata.context".into(), json!({ "type": "string" }));
    properties.insert(
        "@odata.type".into(),
        json!({ "type": "string", "const": format!("#{}", ty.name) }),
    );
    properties
}

/// An object as returned; with `$select` only `id` is sure to be there.
fn entity(def: &ResourceDef) -> Value {
    let ty = def.entity;
    let mut properties = annotations(ty);
    properties.insert(
        "@odata.etag".into(),
        json!({ "type": "string", "pattern": "^W/\"" }),
    );
    properties.insert(
        ty.key().name.into(),
        json!({ "type": "string", "format": "uuid", "readOnly": true }),
    );
    for property in &ty.properties[1..] {
        properties.insert(
            property.name.into(),
            property_schema(property, Body::Response),
        );
    }
    json!({
        "type": "object",
        "description": format!(
            "{} as returned. With $select only the selected properties (and id) are present.",
            ty.name
        ),
        "properties": properties,
        "required": [ty.key().name],
    })
}

/// A POST body: no `id` (the server assigns it), the required properties.
fn create(def: &ResourceDef) -> Value {
    let ty = def.entity;
    let mut properties = Map::new();
    properties.insert("@odata.type".into(), odata_type_input(ty.name));
    let values: Vec<&Property> = ty.properties[1..].iter().filter(|p| !p.read_only).collect();
    for property in &values {
        properties.insert(
            property.name.into(),
            property_schema(property, Body::Request),
        );
    }
    let required: Vec<&str> = values
        .iter()
        .filter(|p| p.required)
        .map(|p| p.name)
        .collect();

    let mut clauses: Vec<String> = Vec::new();
    let nullable: Vec<&Property> = values
        .iter()
        .filter(|p| p.nullable && p.default.is_none() && !matches!(p.ty, Type::Collection(_)))
        .copied()
        .collect();
    if !nullable.is_empty() {
        let verb = if nullable.len() == 1 { "is" } else { "are" };
        clauses.push(format!(
            "{} {verb} null when absent",
            words::list(&words::names(&nullable), "and")
        ));
    }
    for property in values.iter().filter(|p| p.default.is_some()) {
        clauses.push(format!("{} has a default when absent", property.name));
    }
    for (property, item) in collections(values.iter().copied()) {
        let mut clause = format!("{} defaults to []", property.name);
        if let Some(unique) = item.unique {
            clause.push_str(&format!(" and has at most one entry per {unique}"));
        }
        clauses.push(clause);
    }
    let read_only: Vec<&Property> = ty.properties.iter().filter(|p| p.read_only).collect();
    let key = ty.key().name;
    if read_only.is_empty() {
        clauses.push(format!("{key} is read-only"));
    } else {
        let mut names = vec![key];
        names.extend(words::names(&read_only));
        clauses.push(format!("{} are read-only", words::list(&names, "and")));
    }
    without_empty_required(json!({
        "type": "object",
        "description": format!("A new {}. {}.", noun(def).one, clauses.join("; ")),
        "properties": properties,
        "required": required,
        "additionalProperties": false,
    }))
}

/// A PATCH body: any of the properties; `id` only as the key it already is.
fn patch(def: &ResourceDef) -> Value {
    let ty = def.entity;
    let mut properties = Map::new();
    properties.insert("@odata.type".into(), odata_type_input(ty.name));
    properties.insert(
        ty.key().name.into(),
        json!({ "type": "string", "format": "uuid" }),
    );
    for property in ty.properties[1..]
        .iter()
        .filter(|p| !p.read_only && !p.immutable)
    {
        properties.insert(
            property.name.into(),
            property_schema(property, Body::Request),
        );
    }
    let mut clauses = vec!["absent properties keep their values".to_owned()];
    if let Some(replaces) = replaces_whole_collection(def) {
        clauses.push(replaces);
    }
    clauses.push("id, if present, must equal the key".into());
    json!({
        "type": "object",
        "description": format!("A partial update: {}.", clauses.join("; ")),
        "properties": properties,
        "additionalProperties": false,
    })
}

/// `licenseInfoDetails replaces the whole collection`, if `def` has collections.
pub(super) fn replaces_whole_collection(def: &ResourceDef) -> Option<String> {
    let names: Vec<&str> = collections(def.entity.properties)
        .filter(|(property, _)| !property.read_only)
        .map(|(property, _)| property.name)
        .collect();
    match names.len() {
        0 => None,
        1 => Some(format!("{} replaces the whole collection", names.join(""))),
        _ => Some(format!(
            "{} each replace the whole collection",
            words::list(&names, "and")
        )),
    }
}

/// A page of a collection.
fn collection(name: &str) -> Value {
    json!({
        "type": "object",
        "properties": {
            "@odata.context": { "type": "string" },
            "@odata.count": {
                "type": "integer",
                "minimum": 0,
                "description": "With $count=true: the size of the whole filtered result.",
            },
            "@odata.nextLink": {
                "type": "string",
                "format": "uri",
                "description": "The next page (an opaque $skiptoken); absent on the last page.",
            },
            "value": { "type": "array", "items": schema_ref(name) },
        },
        "required": ["value"],
    })
}

/// An item of a collection as returned: every property, null when it has no value.
fn complex(ty: &ComplexType) -> Value {
    let mut properties = Map::new();
    properties.insert(
        "@odata.type".into(),
        json!({ "type": "string", "const": ty.name }),
    );
    for property in ty.properties {
        properties.insert(
            property.name.into(),
            property_schema(property, Body::Response),
        );
    }
    let nullable: Vec<&Property> = ty.properties.iter().filter(|p| p.nullable).collect();
    let (_, kinds) = kind_words(&nullable);
    let detail = match nullable.as_slice() {
        [] => String::new(),
        [one] => format!(" ({}, null when absent)", one.name),
        many => format!(
            " (all {} {kinds}, null when absent)",
            words::number(many.len())
        ),
    };
    let required: Vec<&str> = ty.properties.iter().map(|p| p.name).collect();
    without_empty_required(json!({
        "type": "object",
        "description": format!("{} as returned{detail}.", ty.name),
        "properties": properties,
        "required": required,
    }))
}

/// An item of a collection in a request body.
fn complex_input(ty: &ComplexType) -> Value {
    let mut properties = Map::new();
    properties.insert("@odata.type".into(), odata_type_input(ty.name));
    for property in ty.properties {
        properties.insert(
            property.name.into(),
            property_schema(property, Body::Request),
        );
    }
    let nullable: Vec<&Property> = ty.properties.iter().filter(|p| p.nullable).collect();
    let absent = if nullable.is_empty() {
        String::new()
    } else {
        format!("; an absent {} is null", kind_words(&nullable).0)
    };
    let required: Vec<&str> = ty
        .properties
        .iter()
        .filter(|p| p.required)
        .map(|p| p.name)
        .collect();
    without_empty_required(json!({
        "type": "object",
        "description": format!("{} in a request body{absent}.", ty.name),
        "properties": properties,
        "required": required,
        "additionalProperties": false,
    }))
}

/// `schema` without its `required` if that names nothing.
fn without_empty_required(mut schema: Value) -> Value {
    if let Value::Object(object) = &mut schema {
        if object
            .get("required")
            .is_some_and(|r| r.as_array().is_some_and(Vec::is_empty))
        {
            object.remove("required");
        }
    }
    schema
}

/// What the descriptions call `properties`: counts when all are integers.
fn kind_words(properties: &[&Property]) -> (&'static str, &'static str) {
    if properties.iter().all(|p| p.ty == Type::Int32) {
        ("count", "counts")
    } else {
        ("property", "properties")
    }
}

fn enumeration(ty: &EnumType) -> Value {
    json!({
        "type": "string",
        "enum": ty.members,
        "description": format!("{}; case-sensitive member names.", ty.name),
    })
}

/// `@odata.type` in a request body: the type's name, with or without `#`.
fn odata_type_input(name: &str) -> Value {
    json!({ "type": "string", "enum": [name, format!("#{name}")] })
}

/// Whether a schema describes a response or a request body (they differ in a collection's
/// items).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Body {
    Response,
    Request,
}

fn property_schema(property: &Property, body: Body) -> Value {
    let types = |ty: &str| {
        if property.nullable {
            json!([ty, "null"])
        } else {
            json!(ty)
        }
    };
    match property.ty {
        Type::String => match property.format {
            Some(format) => json!({ "type": types("string"), "pattern": format.pattern() }),
            None => json!({ "type": types("string") }),
        },
        Type::Int32 => json!({
            "type": types("integer"),
            "format": "int32",
            "minimum": property.minimum.unwrap_or(i32::MIN),
            "maximum": i32::MAX,
        }),
        Type::DateTimeOffset => json!({
            "type": types("string"),
            "format": "date-time",
            "pattern": DATE_TIME_PATTERN,
            "description": "An OData DateTimeOffset, returned exactly as sent (offset and up to 7 fractional digits).",
            "examples": ["2016-12-31T23:56:55.0631898+03:00"],
        }),
        Type::Enum(ty) => {
            let member = schema_ref(&schema_name(ty.short_name()));
            if property.nullable {
                // A `type` beside the `$ref` would not admit null: the enum's list lacks it.
                json!({ "anyOf": [member, { "type": "null" }] })
            } else {
                member
            }
        }
        Type::Collection(ty) => {
            let name = schema_name(ty.short_name());
            let item = match body {
                Body::Response => name,
                Body::Request => format!("{name}Input"),
            };
            json!({ "type": "array", "items": schema_ref(&item) })
        }
        Type::Int64 => json!({ "type": types("integer"), "format": "int64" }),
        Type::Boolean => json!({ "type": types("boolean") }),
        Type::Guid => json!({ "type": types("string"), "format": "uuid" }),
        Type::Decimal => json!({
            "type": types("number"),
            "format": "decimal",
            "minimum": property.minimum.map_or(-100_000_000_000, i64::from),
            "maximum": 100_000_000_000_u64,
            "description": "An Edm.Decimal of at most 4 decimals.",
        }),
        Type::Complex(ty) => {
            let name = schema_name(ty.short_name());
            let item = match body {
                Body::Response => name,
                Body::Request => format!("{name}Input"),
            };
            if property.nullable {
                json!({ "anyOf": [schema_ref(&item), { "type": "null" }] })
            } else {
                schema_ref(&item)
            }
        }
        Type::Primitives(item) => {
            let item = match item {
                Type::Guid => json!({ "type": "string", "format": "uuid" }),
                _ => json!({ "type": "string" }),
            };
            json!({ "type": "array", "items": item })
        }
    }
}

/// The collection-valued properties among `properties`, with their item types.
pub(super) fn collections<'a>(
    properties: impl IntoIterator<Item = &'a Property>,
) -> impl Iterator<Item = (&'a Property, &'static ComplexType)> {
    properties.into_iter().filter_map(|p| match p.ty {
        Type::Collection(item) => Some((p, item)),
        _ => None,
    })
}
